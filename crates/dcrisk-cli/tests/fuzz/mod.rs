//! The binary under hostile scenario files and `--set` values: every case ends with exit 0
//! (a valid input, its folder written, every figure finite) or exit 2 (a refusal naming
//! the problem, nothing written), never a panic. The mutations are the reader fuzzer's (dcrisk-core's
//! `tests/fuzz/mutate.rs`); each case is a process, so the budget is smaller. Run longer
//! with `DCRISK_FUZZ_CASES=5000 DCRISK_FUZZ_SEED=3 cargo test --release -p dcrisk-cli --test cli fuzz`.

#[path = "../../../dcrisk-core/tests/fuzz/mutate.rs"]
mod mutate;

use dcrisk_core::random::{Draws, Stream};
use mutate::{HOSTILE, base_text, mutate};

use super::{dcrisk, stderr};

fn seed() -> u64 {
    std::env::var("DCRISK_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(11)
}

fn cases() -> u64 {
    std::env::var("DCRISK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Runs one case; `Err` describes what went wrong.
fn check(dir: &std::path::Path, args: &[&str], what: &str) -> Result<(), String> {
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let mut all = args.to_vec();
    all.extend(["--paths", "64", "--no-charts", "--out", "out"]);
    let o = dcrisk(&all, dir);
    let err = stderr(&o);
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        return Err(format!("{what}: panicked: {err}"));
    }
    match o.status.code() {
        Some(0) => {
            // A run that succeeds has finite numbers: no `null` in summary.json, no NaN
            // or infinity on stdout.
            // The one folder the run wrote (a `--set name=...` renames it).
            let folder = std::fs::read_dir(&out)
                .ok()
                .and_then(|mut entries| entries.next())
                .and_then(Result::ok)
                .map(|e| e.path())
                .ok_or_else(|| format!("{what}: exit 0 without an output folder"))?;
            let summary = std::fs::read_to_string(folder.join("summary.json"))
                .map_err(|e| format!("{what}: exit 0 without summary.json: {e}"))?;
            let stdout = String::from_utf8_lossy(&o.stdout);
            if summary.contains("null") || ["NaN", "n/a"].iter().any(|s| stdout.contains(s)) {
                return Err(format!("{what}: exit 0 with non-finite figures:\n{stdout}"));
            }
            Ok(())
        }
        Some(2) if !out.exists() => Ok(()),
        Some(2) => Err(format!("{what}: refused but wrote {}", out.display())),
        code => Err(format!("{what}: exit {code:?}: {err}")),
    }
}

#[test]
fn hostile_files_and_overrides_end_in_success_or_a_clean_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fuzz.toml");
    let base = base_text();
    let mut d = Draws::new(seed(), 0, Stream::Main, false);
    let pick = |d: &mut Draws, n: usize| ((d.uniform() * n as f64) as usize).min(n - 1);
    let keys = [
        "regions.ERCOT.jump_rate",
        "demand.bust_rate",
        "sites[0].rent_per_kw_month",
        "discount_rate",
        "horizon_years",
        "paths",
        "name",
        "sites[5].pue",
        "cloud.volatility",
    ];
    let mut failures = Vec::new();
    for case in 0..cases() {
        let outcome = if case % 3 == 2 {
            std::fs::write(&file, &base).unwrap();
            let set = format!(
                "{}={}",
                keys[pick(&mut d, keys.len())],
                HOSTILE[pick(&mut d, HOSTILE.len())]
            );
            check(
                dir.path(),
                &["run", "fuzz.toml", "--set", &set],
                &format!("case {case}: --set {set}"),
            )
        } else {
            let text = mutate(&base, &mut d);
            std::fs::write(&file, &text).unwrap();
            check(
                dir.path(),
                &["run", "fuzz.toml"],
                &format!("case {case}:\n{text}"),
            )
        };
        if let Err(e) = outcome {
            failures.push(e);
            if failures.len() == 3 {
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n=====\n"));
}
