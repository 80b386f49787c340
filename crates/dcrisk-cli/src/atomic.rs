//! Writing files so a reader never sees half of them: a run's folder replaced whole, or
//! single files (a sweep's, a tornado's, a shard's) renamed into place beside the others.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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

/// Writes `files` as the folder `dir`, replacing any previous folder only once every file
/// is on disk, so a failed run never leaves a half-written result over a good one.
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the output folder {}", parent.display()))?;
    let name = dir
        .file_name()
        .context("output folder has no name")?
        .to_string_lossy()
        .to_string();
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;
    let written = files.iter().try_for_each(|f| {
        std::fs::write(staging.join(&f.name), &f.bytes)
            .with_context(|| format!("cannot write {}", staging.join(&f.name).display()))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, dir)
}

/// Files of other commands that a run's folder keeps: shards' partial results, and the
/// sweep's and the sensitivity analysis' outputs.
const KEPT_FILES: [&str; 4] = ["sweep.csv", "sweep.png", "sensitivity.csv", "tornado.png"];

/// Moves the staged folder into place, moving the old one aside first. Files other
/// commands wrote there (shards' `*.dcrisk`, sweep and tornado outputs) are carried over: a
/// merge into the folder its parts live in, or a re-run, must not delete them.
fn swap_in(staging: &Path, dir: &Path) -> Result<()> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            let kept = path.extension().is_some_and(|e| e == "dcrisk")
                || KEPT_FILES.contains(&name.as_str());
            if kept && !staging.join(&name).exists() {
                let _ = std::fs::rename(&path, staging.join(entry.file_name()));
            }
        }
    }
    let old: Option<PathBuf> = if dir.exists() {
        let aside = staging.with_extension("old");
        let _ = std::fs::remove_dir_all(&aside);
        std::fs::rename(dir, &aside)
            .with_context(|| format!("cannot replace {}", dir.display()))?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(staging, dir) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, dir);
        }
        return Err(e).with_context(|| format!("cannot move results into {}", dir.display()));
    }
    if let Some(old) = old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

/// Writes each file into `dir` (created if need be) under a temporary name and renames
/// it into place, leaving the folder's other files alone: a sweep's or a tornado's files
/// sit beside the scenario's run outputs.
pub fn write_beside(dir: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))?;
    for f in files {
        let target = dir.join(&f.name);
        let staging = dir.join(format!(".{}.partial-{}", f.name, std::process::id()));
        let written =
            std::fs::write(&staging, &f.bytes).and_then(|()| std::fs::rename(&staging, &target));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&staging);
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
    }
    Ok(())
}
