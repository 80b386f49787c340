//! Hostile and extreme numbers (issue 16), as a user meets them: each was accepted and
//! then panicked, failed late or printed NaN; now each is refused up front with exit 2,
//! the field and the value named, and nothing written.

use super::*;

fn check(edit: impl Fn(String) -> String, want: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), edit);
    assert_rejected(dir.path(), &file, want);
}

/// `dcrisk ARGS` in `dir` exits 2 without a panic, says every `want`, writes nothing.
fn refused(dir: &Path, args: &[&str], want: &[&str]) -> String {
    let o = dcrisk(args, dir);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?}: exit code; stderr: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    for w in want {
        assert!(err.contains(w), "{args:?}: expected {w:?} in: {err}");
    }
    assert!(
        !dir.join("output").exists(),
        "{args:?}: a refused run wrote output"
    );
    err
}

#[test]
fn huge_event_rates_are_refused_not_panicking() {
    check(
        |t| t.replace("jump_rate = 1.0", "jump_rate = 3e20"),
        &["regions[0].jump_rate: must be <= 10000, got 3e20"],
    );
    check(
        |t| t.replace("bust_rate = 0.05", "bust_rate = 2.5e20"),
        &["demand.bust_rate: must be <= 10000, got 2.5e20"],
    );
    // Through --set, and through a sweep (which used to lose the whole study).
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    refused(
        dir.path(),
        &[
            "run",
            f,
            "--paths",
            "10",
            "--set",
            "regions.ERCOT.jump_rate=3e20",
        ],
        &["regions[0].jump_rate: must be <= 10000"],
    );
    refused(
        dir.path(),
        &[
            "sweep",
            f,
            "--paths",
            "10",
            "--param",
            "demand.bust_rate=0:3e20:2",
        ],
        &["demand.bust_rate: must be <= 10000"],
    );
}

#[test]
fn overflowing_money_and_rates_are_refused() {
    check(
        |t| t.replace("rent_per_kw_month = 140.0", "rent_per_kw_month = 1e300"),
        &["sites[0].rent_per_kw_month: must be <= 100000, got 1e300"],
    );
    check(
        |t| t.replace("jump_rate = 1.0", "jump_rate = 1e6"),
        &["regions[0].jump_rate: must be <= 10000, got 1000000"],
    );
    check(
        |t| {
            t.replace("discount_rate = 0.08", "discount_rate = -0.999")
                .replace("horizon_years = 2", "horizon_years = 100")
        },
        &["discount_rate: must be >= -0.2, got -0.999"],
    );
    check(
        |t| t.replace("jump_mean = 0.5", "jump_mean = 800"),
        &["regions[0].jump_mean: must be <= 5, got 800"],
    );
}

#[test]
fn file_paths_are_bounded_like_the_flag() {
    for extra in [&[][..], &["--sketch"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| {
            t.replace("paths = 100000", "paths = 9223372036854775807")
        });
        let mut args = vec!["run", file.to_str().unwrap()];
        args.extend(extra);
        refused(
            dir.path(),
            &args,
            &["paths: must be in 1..=1000000000, got 9223372036854775807"],
        );
    }
}

#[test]
fn long_names_are_refused_before_the_run() {
    let long = "n".repeat(245);
    check(
        |t| t.replace("name = \"t\"", &format!("name = \"{long}\"")),
        &["name: must be at most 100 bytes (it names the output folder), got 245 bytes"],
    );
}

#[test]
fn messages_name_values_not_parser_internals() {
    check(
        |t| t.replace("pue = 1.2", "pue = \"abc\""),
        &["sites[0].pue: expected a number, got the string \"abc\""],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| {
        t.replace("seed = 42", "seed = 99999999999999999999")
    });
    let err = refused(
        dir.path(),
        &["validate", file.to_str().unwrap()],
        &["the whole number 99999999999999999999 is out of range"],
    );
    assert!(!err.contains("i128"), "{err}");
    let file = scenario(dir.path(), |t| t);
    refused(
        dir.path(),
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "10",
            "--set",
            "cloud.price0=1e400",
        ],
        &["cloud.price0: must be a finite number, got inf (out of range"],
    );
    let err = refused(
        dir.path(),
        &[
            "run",
            file.to_str().unwrap(),
            "--set",
            "paths=99999999999999999999",
        ],
        &["paths: must be in 1..=1000000000, got 1e20"],
    );
    assert!(!err.contains("string"), "{err}");
}

#[test]
fn long_problem_lists_are_cut() {
    check(
        |t| {
            let site = t
                .split("\n[[sites]]\n")
                .nth(1)
                .unwrap()
                .split("[tenant]")
                .next()
                .unwrap()
                .replace("pue = 1.2", "pue = 0.5");
            let mut text = t.replace("pue = 1.2", "pue = 0.5");
            for _ in 0..20_000 {
                text.push_str("\n[[sites]]\n");
                text.push_str(&site);
            }
            text
        },
        &["sites[0].pue: must be >= 1, got 0.5", "... and 39,981 more"],
    );
}

#[test]
fn precision_targets_must_be_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    for flag in ["--precision", "--precision-abs"] {
        for bad in ["NaN", "nan", "inf", "-0.1", "0"] {
            refused(
                dir.path(),
                &["run", file.to_str().unwrap(), &format!("{flag}={bad}")],
                &["expected a positive number"],
            );
        }
    }
}
