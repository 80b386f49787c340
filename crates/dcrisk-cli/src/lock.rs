//! One writer at a time per output folder, across processes: `OUT/.NAME.lock`, an advisory
//! file lock (flock) held while files are put in place in `OUT/NAME`, and deleted by its
//! holder before it lets go, so no lock file stays behind. The operating system releases
//! the lock of a process that dies, so a crash never blocks later runs.
//!
//! A second process waits for the lock (a swap takes milliseconds), saying so on stderr,
//! and gives up with an error (exit 1) after [`WAIT`].

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fs4::{FileExt, TryLockError};

/// Longest wait for another process's write of the same folder.
pub const WAIT: Duration = Duration::from_secs(600);

/// The held lock of one output folder; released (and its file removed) on drop.
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

/// The lock file of the folder `parent/name`.
pub fn lock_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.lock"))
}

impl FolderLock {
    /// Takes the lock of `parent/name`, waiting up to [`WAIT`] for another process.
    pub fn acquire(parent: &Path, name: &str) -> Result<FolderLock> {
        let path = lock_path(parent, name);
        let started = Instant::now();
        let mut told = false;
        loop {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&path)
                .map_err(|e| anyhow::anyhow!("cannot create the lock {}: {e}", path.display()))?;
            match FileExt::try_lock(&file) {
                Ok(()) if same_file(&file, &path) => {
                    let mut held = FolderLock { file, path };
                    held.stamp();
                    return Ok(held);
                }
                // The holder removed the file as we opened it: open the new one.
                Ok(()) => continue,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    bail!("cannot lock {}: {e}", path.display())
                }
            }
            let dir = parent.join(name);
            let holder = holder(&path);
            if started.elapsed() >= WAIT {
                bail!(
                    "{}: another dcrisk process{holder} has been writing it for {} s; gave up \
                     (this run's outputs were not written)",
                    dir.display(),
                    WAIT.as_secs()
                );
            }
            if !told {
                eprintln!(
                    "note: {} is being written by another dcrisk process{holder}; waiting for it \
                     (this run's outputs then replace its)",
                    dir.display()
                );
                told = true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes our PID into the lock file, for the message of a process that waits.
    fn stamp(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self
            .file
            .write_all(std::process::id().to_string().as_bytes());
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while held: a process that opened it meanwhile sees it is gone once it
        // gets the lock (see `same_file`) and opens a new one.
        let _ = std::fs::remove_file(&self.path);
        let _ = FileExt::unlock(&self.file);
    }
}

/// ` (PID n)` from the lock file, when it says.
fn holder(path: &Path) -> String {
    let mut text = String::new();
    let _ = File::open(path).and_then(|mut f| f.read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (PID {pid})"),
        Err(_) => String::new(),
    }
}

/// Whether the open `file` is still the file at `path` (not removed or replaced).
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock excludes a second holder, and leaves no file behind.
    #[test]
    fn one_holder_and_no_file_left() {
        let dir = tempfile::tempdir().unwrap();
        let held = FolderLock::acquire(dir.path(), "x").unwrap();
        let path = lock_path(dir.path(), "x");
        assert_eq!(holder(&path), format!(" (PID {})", std::process::id()));
        let other = File::open(&path).unwrap();
        assert!(matches!(
            FileExt::try_lock(&other),
            Err(TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(!path.exists());
        drop(FolderLock::acquire(dir.path(), "x").unwrap());
    }
}
