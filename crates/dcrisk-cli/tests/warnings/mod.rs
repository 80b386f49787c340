//! Plausibility warnings (issue 17): values validation accepts but a reviewer would flag
//! are named on stderr by `validate` and `run`, with the field, the value and the
//! plausible range; `--strict` refuses them (exit 2, nothing written). Never for the
//! shipped scenarios or the starter.

use super::*;

/// The starter, two years, every lease within the horizon: no warnings, then `edit`.
fn quiet(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    scenario(dir, |t| {
        edit(t.replace("term_years = 15", "term_years = 2"))
    })
}

#[test]
fn none_for_the_shipped_scenarios_and_the_starter() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    assert_eq!(files.len(), 8, "{files:?}");
    let o = dcrisk(&["init", "starter"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    files.push(dir.path().join("starter.toml"));
    for f in files {
        let o = dcrisk(&["validate", "--strict", f.to_str().unwrap()], dir.path());
        assert_eq!(o.status.code(), Some(0), "{f:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{f:?}");
    }
}

#[test]
fn validate_and_run_name_the_field_the_value_and_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let file = quiet(dir.path(), |t| {
        t.replace("volatility = 0.9 ", "volatility = 9.0 ")
            .replace("rent_per_kw_month = 140.0", "rent_per_kw_month = 1680.0")
            .replace("hedge_fraction = 0.0 ", "hedge_fraction = 0.5 ")
    });
    let f = file.to_str().unwrap();
    let want = [
        "warning: ",
        "regions[0].volatility = 9: above 5 a year",
        "(0.9 is 90%)",
        "regions[0].hedge_price = 0: hedge_fraction is 0.5",
        "sites[0].rent_per_kw_month = 1680: rent is plausible from $30 to $600 per kW-month",
    ];
    let o = dcrisk(&["validate", f], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for w in want {
        assert!(stderr(&o).contains(w), "validate: {w:?} in {}", stderr(&o));
    }
    let o = dcrisk(&["run", f, "--paths", "10", "--no-charts"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for w in want {
        assert!(stderr(&o).contains(w), "run: {w:?} in {}", stderr(&o));
    }
    assert!(dir.path().join("output/t/summary.json").exists());
}

#[test]
fn strict_refuses_them_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = quiet(dir.path(), |t| t.replace("pue = 1.2 ", "pue = 3.5 "));
    let f = file.to_str().unwrap();
    let want = [
        "1 plausibility warning(s), refused by --strict",
        "sites[0].pue = 3.5: a power usage effectiveness above 3",
    ];
    for args in [
        &["validate", "--strict", f][..],
        &["run", f, "--strict", "--paths", "10"],
        &["run", f, "--strict", "--paths", "10", "--shard", "0/2"],
        &["batch", f, "--strict", "--paths", "10"],
        &[
            "sweep",
            f,
            "--strict",
            "--paths",
            "10",
            "--param",
            "discount_rate=0.05:0.06:2",
        ],
        &["sensitivity", f, "--strict", "--paths", "10"],
    ] {
        let o = dcrisk(args, dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        for w in want {
            assert!(err.contains(w), "{args:?}: {w:?} in {err}");
        }
        assert!(!err.contains("warning: "), "{args:?}: {err}");
        assert!(!dir.path().join("output").exists(), "{args:?} wrote output");
    }
}

#[test]
fn overrides_are_checked_and_leases_past_the_horizon_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = quiet(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let o = dcrisk(
        &[
            "run",
            f,
            "--strict",
            "--paths",
            "10",
            "--set",
            "discount_rate=0.8",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("discount_rate = 0.8: a yearly discount rate is plausible"));
    assert!(!dir.path().join("output").exists());
    // The usual test scenario: a 15-year lease in a 2-year horizon.
    let long = scenario(dir.path(), |t| t);
    let o = dcrisk(&["validate", long.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sites[0].term_years = 15: the lease is longer than the 2-year"),
        "{}",
        stderr(&o)
    );
}

/// A warning a `--set` value brings in is named after the flag, not the file; the file's
/// own warnings still name the file.
#[test]
fn set_warnings_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = quiet(dir.path(), |t| t.replace("pue = 1.2 ", "pue = 3.5 "));
    let f = file.to_str().unwrap();
    let o = dcrisk(&["validate", f], dir.path());
    assert!(stderr(&o).contains(&format!("warning: {f}: sites[0].pue = 3.5")));
    for args in [
        &[
            "run",
            f,
            "--paths",
            "10",
            "--no-charts",
            "--set",
            "regions.ERCOT.volatility=6",
        ][..],
        &[
            "sensitivity",
            f,
            "--paths",
            "10",
            "--no-charts",
            "--set",
            "regions.ERCOT.volatility=6",
        ],
    ] {
        let o = dcrisk(args, dir.path());
        let err = stderr(&o);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("warning: --set regions.ERCOT.volatility=6: regions[0].volatility = 6"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains(&format!("{f}: regions[0]")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&format!("warning: {f}: sites[0].pue = 3.5")),
            "{args:?}: {err}"
        );
    }
    let o = dcrisk(
        &[
            "run",
            f,
            "--strict",
            "--paths",
            "10",
            "--set",
            "regions.ERCOT.volatility=6",
        ],
        dir.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("2 plausibility warning(s), refused by --strict"),
        "{err}"
    );
    assert!(
        err.contains("  --set regions.ERCOT.volatility=6: regions[0].volatility = 6"),
        "{err}"
    );
}
