//! Flags that say what they do (issue 17): a precision not met is exit code 3 after the
//! outputs are written, conflicting flags are refused, the precision line speaks the
//! target's units, `--set` problems are blamed on the flag, `--swing`'s help and its check
//! agree, and an empty shard is noted.

use std::path::Path;

use super::{dcrisk, scenario, stderr, summary};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Exit code 3, the outputs written and marked not met, a message that says they are valid.
#[test]
fn precision_not_met_exits_3_after_writing() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let args = [
        "run",
        file.to_str().unwrap(),
        "--precision",
        "0.0001",
        "--max-paths",
        "2048",
        "--no-charts",
    ];
    let o = dcrisk(&args, dir.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("precision not met within --max-paths 2,048"),
        "{err}"
    );
    assert!(err.contains("asked ±0.01% (--precision 0.0001)"), "{err}");
    assert!(err.contains("outputs are written and valid"), "{err}");
    assert!(stdout(&o).contains("NOT met"), "{}", stdout(&o));
    let s = summary(&dir.path().join("output/t/summary.json"));
    assert_eq!(s["convergence"]["met"], false);
    assert_eq!(s["paths"], 2048);
}

/// `run --help` and the top-level help document exit code 3.
#[test]
fn exit_code_3_is_documented() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["run", "--help"][..], &["--help"][..]] {
        let o = dcrisk(args, dir.path());
        assert!(o.status.success());
        let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(help.contains("3 "), "{args:?}: {help}");
        assert!(help.contains("not met"), "{args:?}: {help}");
    }
}

/// A run to a precision takes its size from --max-paths: --paths with it is refused, and
/// --max-paths or --target without a precision too; exit 2, nothing written.
#[test]
fn precision_flags_conflicts_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    for (extra, want) in [
        (&["--precision", "0.01", "--paths", "5000"][..], "--paths"),
        (
            &["--paths", "5000", "--precision-abs", "1e6"][..],
            "--paths",
        ),
        (&["--max-paths", "5000"][..], "--precision"),
        (&["--target", "tenant_default"][..], "--precision"),
    ] {
        let mut args = vec!["run", f, "--no-charts"];
        args.extend(extra);
        let o = dcrisk(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{extra:?}: {}", stderr(&o));
    }
    assert!(!dir.path().join("output").exists());
}

/// A probability's precision is a percentage and percentage points, never dollars.
#[test]
fn probability_target_is_no_money() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let args = [
        "run",
        file.to_str().unwrap(),
        "--precision-abs",
        "0.5",
        "--target",
        "tenant_default",
        "--max-paths",
        "4096",
        "--no-charts",
    ];
    let o = dcrisk(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out.lines().find(|l| l.contains("Precision")).unwrap();
    assert!(line.contains("tenant_default mean "), "{line}");
    assert!(line.contains("percentage points"), "{line}");
    assert!(!line.contains('$'), "{line}");
    assert!(line.ends_with(": met"), "{line}");
}

/// A mistyped `--set` key or a bad `--set` value is blamed on the flag, for every command
/// that takes it; the file's own problems are still blamed on the file.
#[test]
fn set_problems_blamed_on_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let want = "error: --set sites[0].pu=1.3: sites[0].pu: unknown field (did you mean `pue`?)";
    for cmd in [
        &["run", f, "--paths", "10"][..],
        &["batch", f, "--paths", "10"][..],
        &["sensitivity", f, "--paths", "10"][..],
        &[
            "sweep",
            f,
            "--paths",
            "10",
            "--param",
            "guarantee.cap=0:1:2",
        ][..],
    ] {
        let mut args = cmd.to_vec();
        args.extend(["--set", "sites[0].pu=1.3"]);
        let o = dcrisk(&args, dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd:?}: {err}");
        assert!(err.contains(want), "{cmd:?}: {err}");
        assert!(!err.contains("s.toml: "), "{cmd:?}: {err}");
    }
    let o = dcrisk(
        &[
            "run",
            f,
            "--set",
            "guarantee.cap=-1",
            "--set",
            "sites[0].pue=\"x\"",
        ],
        dir.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("2 problem(s) from --set flags"), "{err}");
    assert!(
        err.contains("--set guarantee.cap=-1: guarantee.cap: must be >= 0"),
        "{err}"
    );
    assert!(
        err.contains("--set sites[0].pue=\"x\": sites[0].pue:"),
        "{err}"
    );
    // A problem of the file, with a good --set: the file's.
    let bad = scenario(dir.path(), |t| {
        t.replace("capacity_mw = 100.0", "capacity_mw = -5.0")
    });
    let o = dcrisk(
        &["run", bad.to_str().unwrap(), "--set", "guarantee.cap=0"],
        dir.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("s.toml: 1 problem(s)"), "{err}");
    assert!(!err.contains("--set guarantee"), "{err}");
    assert!(!dir.path().join("output").exists());
}

/// `--swing` is a fraction strictly between 0 and 1, as its help says.
#[test]
fn swing_help_and_check_agree() {
    let dir = tempfile::tempdir().unwrap();
    let o = dcrisk(&["sensitivity", "--help"], dir.path());
    let help = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("0 < SWING < 1"), "{help}");
    let file = scenario(dir.path(), |t| t);
    for bad in ["1.0", "1", "0"] {
        let o = dcrisk(
            &["sensitivity", file.to_str().unwrap(), "--swing", bad],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("0 < SWING < 1"), "{}", stderr(&o));
    }
}

/// A shard that gets no paths says so on stderr and still writes its (empty) part, so
/// that the merge of all shards is complete; a shard with paths says nothing of the kind.
#[test]
fn empty_shard_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let shard = |i: u32| {
        let spec = format!("{i}/8");
        let args = [
            "run",
            file.to_str().unwrap(),
            "--paths",
            "1000",
            "--shard",
            &spec,
        ];
        dcrisk(&args, dir.path())
    };
    let o = shard(5);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: shard 5/8 has no paths"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("merge is complete"), "{}", stderr(&o));
    let part = |i: u32| Path::new("output/t").join(format!("part-{i:04}-of-0008.dcrisk"));
    assert!(dir.path().join(part(5)).exists());
    let last = shard(7);
    assert!(last.status.success(), "{}", stderr(&last));
    assert!(!stderr(&last).contains("no paths"), "{}", stderr(&last));
}

/// `--set` flags are judged together: a signed site made preliminary by three flags runs,
/// in either order, though the first flag alone leaves the site incomplete; a problem
/// still there after the last flag is blamed on the flag that brought it in.
#[test]
fn set_flags_that_mend_each_other_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let status = "sites[0].status=preliminary";
    let fields = [
        "sites[0].conversion_probability=0.5",
        "sites[0].decision_month=0",
    ];
    for order in [
        [status, fields[0], fields[1]],
        [fields[0], fields[1], status],
    ] {
        let mut args = vec![
            "run",
            f,
            "--paths",
            "200",
            "--no-charts",
            "--report",
            "none",
        ];
        for set in order {
            args.extend(["--set", set]);
        }
        let o = dcrisk(&args, dir.path());
        assert_eq!(o.status.code(), Some(0), "{order:?}: {}", stderr(&o));
    }
    let o = dcrisk(
        &["run", f, "--paths", "200", "--no-charts", "--set", status],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("--set {status}")),
        "{}",
        stderr(&o)
    );
}
