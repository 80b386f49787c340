//! Memory checked before work: an estimate of a command's peak memory against what the
//! machine has available, so a run too large for it is refused (exit 2) in a moment with
//! the figure and what to do, not ended by an allocation failure hours in.
//!
//! The estimate follows what a run holds (see the core's `engine::driver`): 17 columns of
//! per-path values (136 bytes a path), two buffers a path for each metric being sorted at
//! the end (one per thread at once), copies for the charts and the text of paths.csv, and
//! some fixed memory per thread for the monthly series' summaries. `--sketch` keeps no
//! per-path values. Available memory is Linux's `MemAvailable`, bounded by the cgroup's
//! limit when there is one; `DCRISK_MEMORY_AVAILABLE` (bytes, with an optional K, M, G or T
//! suffix, or `off`) overrides it. Where neither is known, nothing is checked.

use dcrisk_core::engine::CHUNK;
use dcrisk_core::text::thousands;
use dcrisk_core::{Metric, PathMetrics};

use crate::load::InputError;

/// Bytes of one path's values: one `f64` per column.
pub const PATH_BYTES: u64 = PathMetrics::COLUMNS as u64 * 8;
/// Bytes a path of the charts' copies (histogram, CDF) take.
const CHART_BYTES: u64 = 48;
/// Bytes a path of paths.csv's text take.
const CSV_BYTES: u64 = 320;
/// Memory besides the paths: the program, and per thread its share of the series.
const FIXED_BYTES: u64 = 32 << 20;
const THREAD_BYTES: u64 = 8 << 20;

/// What one command holds at its peak.
#[derive(Clone, Copy, Debug)]
pub struct Load {
    /// Paths of the largest run (a run to a precision: its budget).
    pub paths: u64,
    /// Runs holding their per-path values at once.
    pub runs_at_once: u64,
    pub threads: u64,
    pub sketch: bool,
    pub charts: bool,
    pub save_paths: bool,
    /// A run to a precision grows its columns as it goes (up to twice their length).
    pub growing: bool,
}

impl Load {
    /// One run of `paths` on `threads` threads, with charts and without paths.csv.
    pub fn run(paths: u64, threads: usize) -> Self {
        Load {
            paths,
            runs_at_once: 1,
            threads: threads.max(1) as u64,
            sketch: false,
            charts: true,
            save_paths: false,
            growing: false,
        }
    }

    /// Bytes per path of one run.
    fn per_path(&self) -> u64 {
        if self.sketch {
            return 0;
        }
        let columns = if self.growing { 2 } else { 1 } * PATH_BYTES;
        columns
            + if self.charts { CHART_BYTES } else { 0 }
            + if self.save_paths { CSV_BYTES } else { 0 }
    }

    /// The estimated peak in bytes.
    pub fn bytes(&self) -> u128 {
        let paths = self.paths.max(CHUNK) as u128;
        let sorting = if self.sketch {
            0
        } else {
            16 * self.threads.min(Metric::ALL.len() as u64) as u128
        };
        let per_path = self.runs_at_once as u128 * self.per_path() as u128 + sorting;
        FIXED_BYTES as u128 + (self.threads * THREAD_BYTES) as u128 + paths * per_path
    }
}

/// Refuses (an input error, exit 2) a command whose estimated peak `load` exceeds the
/// available memory; `advice` says what to change.
pub fn check_memory(load: &Load, what: &str, advice: &str) -> Result<(), InputError> {
    let Some(available) = available_memory()? else {
        return Ok(());
    };
    let need = load.bytes();
    if need <= available as u128 {
        return Ok(());
    }
    let many = if load.runs_at_once > 1 {
        format!("{} runs at once, each ", load.runs_at_once)
    } else {
        String::new()
    };
    Err(InputError(format!(
        "{what} needs about {} of memory ({many}{} paths × {} bytes, with sorting and \
         {} threads), but {} is available; {advice} (DCRISK_MEMORY_AVAILABLE=off skips this \
         check)",
        bytes_text(need),
        thousands(load.paths),
        load.per_path(),
        load.threads,
        bytes_text(available as u128)
    )))
}

/// `1.2 GB`, `340 MB`.
pub fn bytes_text(b: u128) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
    }
}

/// Bytes available to this process, if known (see the module's notes).
fn available_memory() -> Result<Option<u64>, InputError> {
    if let Ok(text) = std::env::var("DCRISK_MEMORY_AVAILABLE") {
        return memory_override(&text).map_err(InputError);
    }
    Ok(detected_memory())
}

/// `DCRISK_MEMORY_AVAILABLE`'s meaning: `off` turns the check off; a size sets the memory;
/// anything else is a mistake, refused rather than taken as `off`.
fn memory_override(text: &str) -> Result<Option<u64>, String> {
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    parse_bytes(text).map(Some).ok_or_else(|| {
        format!(
            "DCRISK_MEMORY_AVAILABLE: expected a size such as 8G, 512M or 1000000 (bytes), or \
             off; got {text:?}"
        )
    })
}

/// The memory this process may use: `MemAvailable`, bounded by the cgroup's limit.
fn detected_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())?
        .saturating_mul(1024);
    let read = |f: &str| std::fs::read_to_string(format!("/sys/fs/cgroup/{f}")).ok();
    let cgroup = match (read("memory.max"), read("memory.current")) {
        (Some(max), Some(current)) => max
            .trim()
            .parse::<u64>()
            .ok()
            .zip(current.trim().parse::<u64>().ok())
            .map(|(m, c)| m.saturating_sub(c)),
        _ => None,
    };
    Some(cgroup.map_or(available, |c| c.min(available)))
}

/// A size: bytes with an optional K/M/G/T (powers of 1024); `None` when unreadable.
fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let scale: u64 = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_digits() {
        assert_eq!(thousands(200_000_000), "200,000,000");
        assert_eq!(thousands(1024), "1,024");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn byte_amounts() {
        assert_eq!(parse_bytes("1000"), Some(1000));
        assert_eq!(parse_bytes("2G"), Some(2 << 30));
        assert_eq!(parse_bytes("512 MiB"), Some(512 << 20));
        assert_eq!(parse_bytes("off"), None);
        assert_eq!(memory_override("off"), Ok(None));
        assert_eq!(memory_override(" OFF "), Ok(None));
        assert_eq!(memory_override("8G"), Ok(Some(8 << 30)));
        assert!(
            memory_override("garbage")
                .unwrap_err()
                .contains("\"garbage\"")
        );
        assert_eq!(parse_bytes("G"), None);
    }

    /// 200 million paths hold 136 bytes each, 27 GB, before anything else.
    #[test]
    fn estimates_grow_with_paths_not_with_sketches() {
        let big = Load::run(200_000_000, 2);
        assert!(big.bytes() > 200_000_000 * 136, "{}", big.bytes());
        let sketch = Load {
            sketch: true,
            ..big
        };
        assert!(sketch.bytes() < 100 << 20, "{}", sketch.bytes());
        let batch = Load {
            runs_at_once: 4,
            ..Load::run(1_000_000, 2)
        };
        assert!(batch.bytes() > 4 * 1_000_000 * 136);
    }
}
