//! A mutation fuzzer over the scenario reader, `--set` parsing and the model: thousands of
//! hostile variants of a valid scenario (values swapped for extreme, non-finite, negative,
//! huge or mistyped ones; lines dropped, duplicated or cut; bytes flipped), each parsed,
//! validated and, when valid, simulated on a few paths. None may panic: a bad input is an
//! error naming the field, never a crash.
//!
//! The cases are drawn from a fixed seed, so a failure is reproducible; its message
//! prints the mutated text. CI runs the default budget (a few seconds); run longer with
//! `DCRISK_FUZZ_CASES=200000 DCRISK_FUZZ_SEED=7 cargo test --release -p dcrisk-core --test
//! model fuzz`.

mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};

use dcrisk_core::engine::RunConfig;
use dcrisk_core::random::{Draws, Stream};
use dcrisk_core::scenario::{Value, apply_override, parse_toml, parse_value, validate};
use dcrisk_core::{NoProgress, simulate};
use mutate::{HOSTILE, base_text, mutate};

/// Cases per test unless `DCRISK_FUZZ_CASES` says otherwise.
const DEFAULT_CASES: u64 = 5000;

/// Failures after which a test stops (each prints a backtrace).
const MAX_FAILURES: usize = 5;

fn cases() -> u64 {
    std::env::var("DCRISK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn seed() -> u64 {
    std::env::var("DCRISK_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Parses, validates and (when valid) simulates `text` on a few paths; `Err` with the
/// panic message if anything panicked.
fn exercise(text: &str) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let Ok(tree) = parse_toml(text) else { return };
        let Ok(scenario) = validate(&tree) else {
            return;
        };
        let run = simulate(&scenario, &RunConfig::new(64, 3), &NoProgress);
        let _ = run.metric_stats();
        let _ = run.probabilities();
    }))
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn hostile_scenario_files_never_panic() {
    let base = base_text();
    exercise(&base).expect("the base text runs");
    let mut d = Draws::new(seed(), 0, Stream::Main, false);
    let mut failures = Vec::new();
    for case in 0..cases() {
        let text = mutate(&base, &mut d);
        if let Err(panic) = exercise(&text) {
            failures.push(format!("case {case}: {panic}\n---\n{text}\n---"));
            if failures.len() == MAX_FAILURES {
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases panicked (stopped at {MAX_FAILURES}); the first:\n{}",
        failures.len(),
        failures[0]
    );
}

/// Keys and values as `--set` receives them: every key either applies or is refused with
/// a message, and a tree that takes it is validated like a file, without panicking.
#[test]
fn hostile_overrides_never_panic() {
    let base = parse_toml(&base_text()).expect("base");
    let keys = [
        "name",
        "paths",
        "seed",
        "horizon_years",
        "discount_rate",
        "regions.ERCOT.jump_rate",
        "regions[0].volatility",
        "regions[0].price0",
        "regions[7].price0",
        "regions.Nowhere.x",
        "demand.plan",
        "demand.bust_rate",
        "demand.volatility",
        "cloud.price0",
        "sites[0].pue",
        "sites.\"Site 1\".capacity_mw",
        "sites.\"Site 1\".delay",
        "sites[99999999999].pue",
        "sites[-1].pue",
        "sites[].pue",
        "sites.\"unterminated.pue",
        "",
        ".",
        "..",
        "a..b",
        "[0]",
        "sites[0]",
        "tenant",
        "guarantee.cap",
        "landlords[0].annual_pd",
        "landlord_default.asset_correlation",
        "correlation.pairs",
        "x.y.z.w",
    ];
    let mut d = Draws::new(seed(), 1, Stream::Main, false);
    let pick = |d: &mut Draws, n: usize| ((d.uniform() * n as f64) as usize).min(n - 1);
    let mut failures = Vec::new();
    for case in 0..cases() {
        let key = keys[pick(&mut d, keys.len())];
        let text = HOSTILE[pick(&mut d, HOSTILE.len())];
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let value: Value = parse_value(text);
            let mut tree = base.clone();
            if apply_override(&mut tree, key, value).is_ok()
                && let Ok(s) = validate(&tree)
            {
                let _ = simulate(&s, &RunConfig::new(32, 5), &NoProgress).metric_stats();
            }
        }));
        if outcome.is_err() {
            failures.push(format!("case {case}: --set {key}={text}"));
            if failures.len() == MAX_FAILURES {
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases panicked (stopped at {MAX_FAILURES}): {failures:?}",
        failures.len()
    );
}
