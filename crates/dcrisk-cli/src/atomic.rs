//! Writing files so a reader never sees half of them: a run's folder replaced whole, or
//! single files (a sweep's, a tornado's, a shard's) renamed into place beside the others.
//!
//! A run's folder `OUT/NAME` is written as a staging folder `OUT/.NAME.partial-PID-N`
//! (unique to the process and the call), then swapped in under the folder's lock (see
//! `lock`): the files other commands keep there are carried over, the old folder is moved
//! aside to `OUT/.NAME.old-PID-N`, the new one renamed in, the old one removed. If the
//! rename in fails, the old folder goes back. An interrupt removes the staging folder, and
//! waits for a swap under way (see `interrupt`); leftovers of processes that died anyway
//! are repaired by the next writer (see `stale`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};

use crate::interrupt::{self, Pending, pending, unique_suffix};
use crate::lock::FolderLock;
use crate::stale;

/// One output file: its name in the run's folder and its bytes.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

/// The folder `dir` lives in (created if need be) and its name.
fn parent_and_name(dir: &Path) -> Result<(PathBuf, String)> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dir
        .file_name()
        .context("output folder has no name")?
        .to_string_lossy()
        .to_string();
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the output folder {}", parent.display()))?;
    Ok((parent.to_path_buf(), name))
}

/// The folders [`prepare`] created for a run: removed again, if still empty, when this is
/// dropped (or on an interrupt), so a run that fails or is stopped leaves nothing behind.
pub struct Prepared {
    created: Vec<(PathBuf, Pending)>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        for (dir, _) in &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Checks, before any simulation, that the run's folder `dir` can be written: creates its
/// parent as the run will, writes and removes a probe file there (and in `dir`, when it
/// exists: the files other commands keep there are moved out of it), and repairs what
/// interrupted writers of `dir` left (see `stale`). Hold the result until the run's files
/// are written.
pub fn prepare(dir: &Path) -> Result<Prepared> {
    let unwritable = |place: &Path, e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "cannot write to the output folder {}: {e}; nothing was simulated",
            place.display()
        )
    };
    let mut prepared = Prepared {
        created: Vec::new(),
    };
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Deepest first, as they are to be removed.
        for missing in parent
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        {
            let registered = interrupt::pending_if_empty(missing);
            prepared.created.push((missing.to_path_buf(), registered));
        }
        std::fs::create_dir_all(parent).map_err(|e| unwritable(parent, &e))?;
    }
    let (parent, name) = parent_and_name(dir)?;
    for place in [&parent, dir] {
        if place == dir && !dir.is_dir() {
            continue;
        }
        let probe = place.join(format!(".dcrisk-probe-{}", unique_suffix()));
        let _pending = pending(&probe);
        std::fs::write(&probe, b"").map_err(|e| unwritable(place, &e))?;
        let _ = std::fs::remove_file(&probe);
    }
    if stale::dead_leftovers(&parent, &name) {
        let _lock = FolderLock::acquire(&parent, &name)?;
        stale::recover(&parent, &name, is_kept);
    }
    let mut seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    seen.push((dir.to_path_buf(), identity(dir)));
    Ok(prepared)
}

/// Each run's folder as [`prepare`] found it: one replaced since (by another process) is
/// noted when this run replaces it in turn.
static SEEN: Mutex<Vec<(PathBuf, Option<FolderId>)>> = Mutex::new(Vec::new());

/// A folder's device and inode.
type FolderId = (u64, u64);

/// Which folder is at `dir` (every swap puts a new one there), where this can be told.
fn identity(dir: &Path) -> Option<FolderId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Says so when another process replaced `dir` since [`prepare`] looked at it.
fn note_if_replaced(dir: &Path) {
    let seen = SEEN.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(before) = seen.iter().rev().find(|(d, _)| d == dir).map(|(_, id)| *id) else {
        return;
    };
    let replaced = match before {
        Some(b) => identity(dir) != Some(b),
        None => identity(dir).is_some(),
    };
    if replaced {
        eprintln!(
            "note: {} was written by another dcrisk process while this run ran; this run's \
             results replace it",
            dir.display()
        );
    }
}

/// Writes `files` as the folder `dir`, replacing any previous folder only once every file
/// is on disk, so a failed or interrupted run never leaves a half-written result over a
/// good one, nor the folder missing. `guard` runs under the folder's lock just before the
/// swap (the replacement check, repeated where no other writer can interleave); its error
/// leaves the folder as it was.
pub fn write_atomically(
    dir: &Path,
    files: &[OutputFile],
    guard: &dyn Fn() -> Result<()>,
) -> Result<()> {
    let (parent, name) = parent_and_name(dir)?;
    let staging = parent.join(format!(".{name}.partial-{}", unique_suffix()));
    let registered = pending(&staging);
    let staged = stage(&staging, files).and_then(|()| {
        let _lock = FolderLock::acquire(&parent, &name)?;
        stale::recover(&parent, &name, is_kept);
        guard()?;
        note_if_replaced(dir);
        swap_in(&staging, dir, &format!(".{name}.old-{}", unique_suffix()))
    });
    match staged {
        Ok(aside) => {
            drop(registered);
            if let Some(aside) = aside {
                interrupt::remove(&aside);
            }
            Ok(())
        }
        Err(e) => {
            interrupt::remove(&staging);
            Err(e)
        }
    }
}

/// Creates the staging folder and writes every file into it.
fn stage(staging: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir(staging).with_context(|| format!("cannot create {}", staging.display()))?;
    files.iter().try_for_each(|f| {
        std::fs::write(staging.join(&f.name), &f.bytes)
            .with_context(|| format!("cannot write {}", staging.join(&f.name).display()))
    })
}

/// Files of other commands that a run's folder keeps: shards' partial results
/// (`*.dcrisk`, and a two-level shard's `samples-*.csv` beside its part), and the outputs of sweep, sensitivity, solve and frontier
/// (their reports included).
const KEPT_FILES: [&str; 14] = [
    "sweep.csv",
    "sweep.png",
    "sensitivity.csv",
    "tornado.png",
    "solve.json",
    "solve.png",
    "solve.run.json",
    "solve.html",
    "solve.xlsx",
    "frontier.csv",
    "frontier.png",
    "frontier.run.json",
    "frontier.html",
    "frontier.xlsx",
];

/// Whether a run's folder keeps the file `name` across runs: also the records of those
/// files' making (`*.run.json`, e.g. `sweep.run.json`).
pub fn is_kept(name: &str) -> bool {
    Path::new(name).extension().is_some_and(|e| e == "dcrisk")
        || (name.starts_with("samples-") && name.ends_with(".csv"))
        || KEPT_FILES.contains(&name)
        || name.ends_with(".run.json")
}

/// A guard that checks nothing.
pub fn no_guard() -> Result<()> {
    Ok(())
}

/// Moves the staged folder into place (call it holding the folder's lock): the files other
/// commands keep in `dir` are carried into the staging folder, `dir` goes aside to
/// `aside_name` and the staging folder takes its place; all under [`interrupt::critical`].
/// On a failure everything goes back as it was. Returns the aside folder, to remove.
fn swap_in(staging: &Path, dir: &Path, aside_name: &str) -> Result<Option<PathBuf>> {
    let _no_interrupt = interrupt::critical();
    // On a failure, `carry_kept` has put back what it moved.
    let carried = carry_kept(dir, staging)?;
    let put_back = |carried: &[String]| {
        for name in carried {
            let _ = std::fs::rename(staging.join(name), dir.join(name));
        }
    };
    let aside = match dir.exists() {
        false => None,
        true => {
            let aside = dir.with_file_name(aside_name);
            if exchange(staging, dir) {
                // `dir` now holds the new results, `staging` the old ones: set them aside
                // to be removed (or remove them where they are, should that fail).
                return Ok(Some(match std::fs::rename(staging, &aside) {
                    Ok(()) => aside,
                    Err(_) => staging.to_path_buf(),
                }));
            }
            if let Err(e) = std::fs::rename(dir, &aside) {
                put_back(&carried);
                return Err(e).with_context(|| format!("cannot replace {}", dir.display()));
            }
            Some(aside)
        }
    };
    if let Err(e) = std::fs::rename(staging, dir) {
        if let Some(aside) = &aside {
            if std::fs::rename(aside, dir).is_ok() {
                put_back(&carried);
            } else {
                // The old folder stays aside, whole, for the next run to restore.
                for name in &carried {
                    let _ = std::fs::rename(staging.join(name), aside.join(name));
                }
            }
        }
        return Err(e).with_context(|| format!("cannot move results into {}", dir.display()));
    }
    Ok(aside)
}

/// Swaps the folders `staging` and `dir` in one step where the system can (Linux's
/// `renameat2` with `RENAME_EXCHANGE`), so that `dir` is never missing, not even for an
/// instant or after a kill; `false` where it cannot (then two renames do it).
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, dir: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_staging: &Path, _dir: &Path) -> bool {
    false
}

/// Moves the kept files of `dir` into `staging` (unless the new outputs have one of the
/// same name); on a failure puts back those moved and fails. Returns the names moved.
fn carry_kept(dir: &Path, staging: &Path) -> Result<Vec<String>> {
    let mut carried: Vec<String> = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(carried);
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !is_kept(&name) || staging.join(&name).exists() {
            continue;
        }
        if let Err(e) = std::fs::rename(entry.path(), staging.join(&name)) {
            for back in &carried {
                let _ = std::fs::rename(staging.join(back), dir.join(back));
            }
            bail!(
                "cannot keep {} in the new results: {e}",
                entry.path().display()
            );
        }
        carried.push(name);
    }
    Ok(carried)
}

/// Writes each file into the run's folder `dir` (created if need be) under a temporary
/// name and renames it into place under the folder's lock, leaving the folder's other
/// files alone: a sweep's, a tornado's or a shard's files sit beside the run's outputs.
/// `guard` runs under the lock first, as for [`write_atomically`].
pub fn write_beside(
    dir: &Path,
    files: &[OutputFile],
    guard: &dyn Fn() -> Result<()>,
) -> Result<()> {
    let (parent, name) = parent_and_name(dir)?;
    let _lock = FolderLock::acquire(&parent, &name)?;
    stale::recover(&parent, &name, is_kept);
    guard()?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    stale::remove_dead_temporaries(dir, &names);
    write_loose(dir, files)
}

/// Writes each file into `dir` (created if need be) under a temporary name and renames it
/// into place, without a lock: for files of their own in `OUT` (a batch's comparison).
pub fn write_loose(dir: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    for f in files {
        let target = dir.join(&f.name);
        let temporary = dir.join(format!(".{}.partial-{}", f.name, unique_suffix()));
        let _pending = pending(&temporary);
        let written = std::fs::write(&temporary, &f.bytes).and_then(|()| {
            let _no_interrupt = interrupt::critical();
            std::fs::rename(&temporary, &target)
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> OutputFile {
        OutputFile::new(name, text.as_bytes())
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    /// A re-run replaces the run's files, keeps the other commands' files, and leaves no
    /// staging, aside or lock behind.
    #[test]
    fn swaps_keep_other_commands_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("t");
        let (one, two) = (file("summary.json", "1"), file("old.csv", "x"));
        write_atomically(&dir, &[one, two], &no_guard).unwrap();
        write_beside(
            &dir,
            &[
                file("part-0000-of-0002.dcrisk", "p"),
                file("sweep.csv", "s"),
                file("sweep.run.json", "r"),
            ],
            &no_guard,
        )
        .unwrap();
        write_atomically(&dir, &[file("summary.json", "2")], &no_guard).unwrap();
        assert_eq!(read(&dir.join("sweep.run.json")), "r");
        // A guard's error leaves the folder as it was.
        let refused = write_atomically(&dir, &[file("summary.json", "3")], &|| {
            anyhow::bail!("refused")
        });
        assert!(refused.is_err());
        assert_eq!(read(&dir.join("summary.json")), "2");
        assert_eq!(read(&dir.join("part-0000-of-0002.dcrisk")), "p");
        assert_eq!(read(&dir.join("sweep.csv")), "s");
        assert!(!dir.join("old.csv").exists());
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names, ["t"]);
    }

    /// When the new folder cannot be renamed in (here: its staging folder is gone), the old
    /// folder is back in place; when a kept file cannot be carried over, nothing moved.
    #[test]
    fn a_failed_swap_rolls_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("t");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("summary.json"), "old").unwrap();
        let staging = tmp.path().join(".t.partial-gone");
        assert!(swap_in(&staging, &dir, ".t.old-test").is_err());
        assert_eq!(read(&dir.join("summary.json")), "old");
        assert!(!tmp.path().join(".t.old-test").exists());
        std::fs::write(dir.join("part-0001-of-0002.dcrisk"), "p").unwrap();
        let e = swap_in(&staging, &dir, ".t.old-test").unwrap_err();
        assert!(format!("{e:#}").contains("cannot keep"), "{e:#}");
        assert_eq!(read(&dir.join("summary.json")), "old");
        assert_eq!(read(&dir.join("part-0001-of-0002.dcrisk")), "p");
    }

    /// An unwritable place is found before anything runs.
    #[test]
    fn prepare_finds_unwritable_folders() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("file"), "").unwrap();
        let Err(e) = prepare(&tmp.path().join("file/out/t")) else {
            panic!("a file as a folder is writable");
        };
        assert!(
            format!("{e:#}").contains("cannot write to the output folder"),
            "{e:#}"
        );
        let prepared = prepare(&tmp.path().join("out/more/t")).unwrap();
        assert!(tmp.path().join("out/more").is_dir());
        assert!(!tmp.path().join("out/more/t").exists());
        // A run that fails removes the folders its checks created.
        drop(prepared);
        assert!(!tmp.path().join("out").exists());
    }
}
