//! What interrupted writers left behind, found and repaired by the next writer of the same
//! folder (under its lock): staging folders `.NAME.partial-PID-N` and temporary files
//! `.FILE.partial-PID-N` of processes that no longer run are removed; an aside
//! `.NAME.old-PID-N` (or `.NAME.old`, from versions before 0.2) is put back as `NAME` when
//! `NAME` is missing (a writer died between its two renames), else removed. Entries of
//! running processes are left alone; where liveness cannot be told (no `/proc`), they are
//! left and reported.

use std::path::{Path, PathBuf};

/// An entry a writer leaves while it works.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A staging folder or temporary file.
    Partial,
    /// A folder moved aside during a swap.
    Aside,
}

/// The kind and owner of a leftover `file_name` whose stem (before `.partial-`/`.old`) is
/// `.stem`; `None` for anything else. A legacy `.NAME.old` has no owner (`Some(None)`).
fn parse(file_name: &str, stem: &str) -> Option<(Kind, Option<u32>)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(stem)?;
    if rest == ".old" {
        return Some((Kind::Aside, None));
    }
    let (kind, owner) = if let Some(o) = rest.strip_prefix(".partial-") {
        (Kind::Partial, o)
    } else {
        (Kind::Aside, rest.strip_prefix(".old-")?)
    };
    let (pid, count) = owner.split_once('-').unwrap_or((owner, "0"));
    count.parse::<u64>().ok()?;
    Some((kind, Some(pid.parse().ok()?)))
}

/// Whether process `pid` runs: `None` where this cannot be told.
fn alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Whether dead writers of `parent/name` left anything (to repair under its lock).
pub fn dead_leftovers(parent: &Path, name: &str) -> bool {
    std::fs::read_dir(parent).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let file_name = e.file_name().to_string_lossy().to_string();
            matches!(parse(&file_name, name), Some((_, owner)) if owner.map_or(Some(false), alive) == Some(false))
        })
    })
}

/// Repairs what dead writers of the folder `parent/name` left (see the module's notes),
/// saying what it did on stderr. Call it holding the folder's lock.
pub fn recover(parent: &Path, name: &str, is_kept: fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let dir = parent.join(name);
    let mut leftovers: Vec<(Kind, Option<u32>, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let file_name = entry.file_name().to_string_lossy().to_string();
            let (kind, owner) = parse(&file_name, name)?;
            Some((kind, owner, entry.path()))
        })
        .collect();
    // Asides first, so that a staging folder's carried files find the folder restored.
    leftovers.sort_by_key(|(kind, ..)| u8::from(*kind != Kind::Aside));
    for (kind, owner, path) in leftovers {
        let who = owner.map_or("an earlier dcrisk".to_string(), |p| {
            format!("dcrisk process {p}")
        });
        match owner.map_or(Some(false), alive) {
            Some(true) => {}
            None => eprintln!(
                "note: left {}: cannot tell whether {who} still runs",
                path.display()
            ),
            Some(false) if kind == Kind::Aside && !dir.exists() => {
                if std::fs::rename(&path, &dir).is_ok() {
                    eprintln!(
                        "note: restored {} from {}, left by an interrupted {who}",
                        dir.display(),
                        path.display()
                    );
                }
            }
            Some(false) => {
                if kind == Kind::Partial {
                    rescue_kept(&path, &dir, is_kept);
                }
                crate::interrupt::remove(&path);
                eprintln!(
                    "note: removed {}, left by an interrupted {who}",
                    path.display()
                );
            }
        }
    }
}

/// Moves the files other commands keep (`is_kept`: shard parts, sweep and tornado files)
/// out of a dead writer's staging folder back into `dir`: a writer carries them into its
/// staging folder just before its swap, so a kill at that moment leaves them there. A file
/// `dir` already has a copy of stays where it is (and goes with the staging folder).
fn rescue_kept(staging: &Path, dir: &Path, is_kept: fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(staging) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let target = dir.join(&name);
        if is_kept(&name) && !target.exists() {
            let moved =
                std::fs::create_dir_all(dir).and_then(|()| std::fs::rename(entry.path(), &target));
            if moved.is_ok() {
                eprintln!("note: kept {} from an interrupted run", target.display());
            }
        }
    }
}

/// Removes the temporary files `.FILE.partial-PID-N` that dead writers left in `dir`, for
/// each `FILE` of `names`.
pub fn remove_dead_temporaries(dir: &Path, names: &[&str]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let dead = names.iter().any(|n| {
            matches!(parse(&file_name, n), Some((Kind::Partial, Some(pid))) if alive(pid) == Some(false))
        });
        if dead {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_names() {
        assert_eq!(
            parse(".t.partial-12-3", "t"),
            Some((Kind::Partial, Some(12)))
        );
        assert_eq!(parse(".t.partial-12", "t"), Some((Kind::Partial, Some(12))));
        assert_eq!(parse(".t.old-7-0", "t"), Some((Kind::Aside, Some(7))));
        assert_eq!(parse(".t.old", "t"), Some((Kind::Aside, None)));
        for other in [
            "t",
            ".t",
            ".t.lock",
            ".tt.old-1-2",
            ".t.partial-x",
            ".t.old-1-2-3",
        ] {
            assert_eq!(parse(other, "t"), None, "{other}");
        }
    }

    /// A dead writer's aside comes back when the folder is missing; its staging goes.
    #[test]
    fn dead_writers_are_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let dead = 2_147_483_647u32; // above any pid_max: never a running process
        std::fs::create_dir(p.join(format!(".t.old-{dead}-0"))).unwrap();
        std::fs::write(p.join(format!(".t.old-{dead}-0/summary.json")), "{}").unwrap();
        std::fs::create_dir(p.join(format!(".t.partial-{dead}-1"))).unwrap();
        let ours = p.join(format!(".t.partial-{}-9", std::process::id()));
        std::fs::create_dir(&ours).unwrap();
        recover(p, "t", |_| false);
        assert!(p.join("t/summary.json").exists());
        assert!(!p.join(format!(".t.partial-{dead}-1")).exists());
        assert!(ours.exists(), "a live writer's staging is left alone");
        // With the folder there, a dead writer's aside is garbage.
        std::fs::create_dir(p.join(".t.old")).unwrap();
        recover(p, "t", |_| false);
        assert!(!p.join(".t.old").exists());
        assert!(p.join("t/summary.json").exists());
    }
}
