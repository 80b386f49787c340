//! Interrupts (SIGINT, SIGTERM): the unfinished outputs this process is writing (staging
//! folders, temporary files) are removed, then it exits with the shell's code for the
//! signal, 128 + its number (130, 143).
//!
//! Writers register what they create here ([`pending`]) and run the renames that put it
//! in place under [`critical`], so an interrupt lands before or after a swap, never between
//! its renames: a folder is never left missing, and files carried over from the old folder
//! are never deleted with a staging folder.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What an interrupt removes: staging folders and temporary files, and (`true`) folders
/// made for the outputs, if they are empty.
static PENDING: Mutex<Vec<(u64, PathBuf, bool)>> = Mutex::new(Vec::new());
/// Held while renames put outputs in place, and by the interrupt until the process exits.
static CRITICAL: Mutex<()> = Mutex::new(());
/// Numbers registrations and the suffixes of [`unique_suffix`].
static NEXT: AtomicU64 = AtomicU64::new(0);
/// Set once an interrupt is being handled.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// `PID-N`: a suffix no other process, and no other call in this one, uses.
pub fn unique_suffix() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A path an interrupt removes until this is dropped (once the path is in place, or gone).
pub struct Pending(u64);

/// Registers `path` (a folder or a file, maybe not created yet) for removal on interrupt.
pub fn pending(path: &Path) -> Pending {
    register(path, false)
}

/// Registers the folder `path` for removal on interrupt if it is empty then.
pub fn pending_if_empty(path: &Path) -> Pending {
    register(path, true)
}

fn register(path: &Path, if_empty: bool) -> Pending {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    lock(&PENDING).push((id, path.to_path_buf(), if_empty));
    Pending(id)
}

impl Drop for Pending {
    fn drop(&mut self) {
        lock(&PENDING).retain(|(id, ..)| *id != self.0);
    }
}

/// Keeps an interrupt waiting until the guard is dropped: hold it across renames that
/// must all happen or none.
pub fn critical() -> MutexGuard<'static, ()> {
    lock(&CRITICAL)
}

fn lock<T>(m: &'static Mutex<T>) -> MutexGuard<'static, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes every pending path and exits with `128 + signal`. Waits for a swap under way.
fn handle(signal: i32, name: &str) -> ! {
    INTERRUPTED.store(true, Ordering::SeqCst);
    let _swaps_done = lock(&CRITICAL);
    let pending = lock(&PENDING);
    // Staging folders and files first, then the folders made for them, if empty.
    for (_, path, _) in pending.iter().filter(|(_, _, if_empty)| !if_empty) {
        remove(path);
    }
    for (_, path, _) in pending.iter().filter(|(_, _, if_empty)| *if_empty) {
        let _ = std::fs::remove_dir(path);
    }
    eprintln!("dcrisk: interrupted ({name}); unfinished outputs removed");
    std::process::exit(128 + signal)
}

/// Removes a folder or a file, retrying a folder that a writer was still filling.
pub fn remove(path: &Path) {
    for _ in 0..5 {
        let gone = match std::fs::symlink_metadata(path) {
            Err(_) => return,
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
            Ok(_) => std::fs::remove_file(path),
        };
        if gone.is_ok() {
            return;
        }
    }
}

/// When an interrupt is being handled, waits for it to end the process (with its code,
/// not the error the removal of our files may have caused on this thread).
pub fn settle() {
    while INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// Handles SIGINT and SIGTERM on a thread of their own (no-op where there are none).
pub fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let name = if signal == SIGINT {
                        "SIGINT"
                    } else {
                        "SIGTERM"
                    };
                    handle(signal, name);
                }
            });
    }
}
