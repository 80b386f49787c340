//! The `dcrisk` binary driven as a user would: bad input, outputs, determinism.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STARTER: &str = include_str!("../templates/starter.toml");

fn dcrisk(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dcrisk"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run dcrisk")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// A small valid scenario (the starter, two years) with `edit` applied to its text.
fn scenario(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = STARTER
        .replace("{{NAME}}", "t")
        .replace("horizon_years = 15", "horizon_years = 2");
    let path = dir.join("s.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `validate` and `run` on a bad file: both exit 2, say `want`, panic never, write nothing.
fn assert_rejected(dir: &Path, file: &Path, want: &[&str]) {
    for cmd in ["validate", "run"] {
        let o = dcrisk(
            &[cmd, file.to_str().unwrap(), "--paths", "10"][..if cmd == "run" { 4 } else { 2 }],
            dir,
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: exit code; stderr: {err}");
        assert!(!err.contains("panicked"), "{cmd} panicked: {err}");
        for w in want {
            assert!(err.contains(w), "{cmd}: expected {w:?} in: {err}");
        }
    }
    assert!(!dir.join("output").exists(), "a rejected run wrote output");
}

mod bad_input {
    use super::*;

    fn check(edit: impl Fn(String) -> String, want: &[&str]) {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), edit);
        assert_rejected(dir.path(), &file, want);
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_rejected(
            dir.path(),
            &dir.path().join("nope.toml"),
            &["nope.toml", "cannot read"],
        );
    }

    #[test]
    fn empty_file() {
        check(|_| "  \n".into(), &["s.toml", "empty"]);
    }

    #[test]
    fn not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        std::fs::write(&file, b"name = \"\xff\xfe\"\n").unwrap();
        assert_rejected(dir.path(), &file, &["s.toml", "UTF-8"]);
    }

    #[test]
    fn malformed_toml_names_the_line() {
        check(
            |t| t.replace("discount_rate = 0.08", "discount_rate = = 0.08"),
            &["malformed TOML", "line 9", "discount_rate = = 0.08"],
        );
    }

    #[test]
    fn unknown_field_suggests_the_right_one() {
        check(
            |t| t.replace("capacity_mw = 100.0", "capacity_mww = 100.0"),
            &["sites[0].capacity_mww", "did you mean `capacity_mw`"],
        );
    }

    #[test]
    fn missing_field() {
        check(
            |t| t.replace("pue = 1.2 ", "# no pue "),
            &["sites[0].pue: missing field"],
        );
    }

    #[test]
    fn dangling_region_name() {
        check(
            |t| t.replace("region = \"ERCOT\"", "region = \"ERCOTT\""),
            &["sites[0].region", "no region named \"ERCOTT\""],
        );
    }

    #[test]
    fn negative_capacity() {
        check(
            |t| t.replace("capacity_mw = 100.0", "capacity_mw = -5"),
            &["sites[0].capacity_mw: must be > 0, got -5"],
        );
    }

    #[test]
    fn probability_out_of_range() {
        check(
            |t| t.replace("annual_pd = 0.03", "annual_pd = 1.2"),
            &["landlords[0].annual_pd: must be in [0, 1), got 1.2"],
        );
    }

    #[test]
    fn non_positive_reversion() {
        check(
            |t| t.replace("reversion = 3.0", "reversion = 0"),
            &["regions[0].reversion: must be > 0, got 0"],
        );
    }

    #[test]
    fn triangular_out_of_order() {
        check(
            |t| {
                t.replace(
                    "delay = { min = 0, mode = 2, max = 12 }",
                    "delay = { min = 5, mode = 2, max = 1 }",
                )
            },
            &["sites[0].delay.mode", "min <= mode <= max"],
        );
    }

    #[test]
    fn correlation_not_positive_semidefinite() {
        check(
            |t| {
                t.replace(
                    "pairs = [[\"ERCOT\", \"demand\", 0.3]]",
                    "pairs = [[\"ERCOT\", \"demand\", 0.9], [\"ERCOT\", \"cloud\", 0.9], [\"demand\", \"cloud\", -0.9]]",
                )
            },
            &["correlation", "positive semi-definite"],
        );
    }

    #[test]
    fn correlation_matrix_not_symmetric() {
        check(
            |t| {
                t.replace(
                    "pairs = [[\"ERCOT\", \"demand\", 0.3]]",
                    "matrix = [[1, 0.2, 0], [0.3, 1, 0], [0, 0, 1]]",
                )
            },
            &["correlation.matrix[0][1]", "not symmetric"],
        );
    }

    #[test]
    fn nan_and_infinity() {
        check(
            |t| {
                t.replace("volatility = 0.9 ", "volatility = nan ")
                    .replace("price0 = 1.4e6", "price0 = inf")
            },
            &[
                "regions[0].volatility: must be a finite number, got NaN",
                "cloud.price0: must be a finite number, got inf",
            ],
        );
    }

    #[test]
    fn wrong_type() {
        check(
            |t| t.replace("horizon_years = 2", "horizon_years = \"two\""),
            &["horizon_years: expected a whole number, got \"two\""],
        );
    }

    #[test]
    fn every_problem_at_once() {
        check(
            |t| {
                t.replace("capacity_mw = 100.0", "capacity_mw = -5")
                    .replace("pue = 1.2 ", "pue = 0.5 ")
                    .replace("landlord = \"Developer A\"", "landlord = \"Nobody\"")
            },
            &[
                "3 problem(s)",
                "capacity_mw",
                "sites[0].pue: must be >= 1, got 0.5",
                "no landlord named \"Nobody\"",
            ],
        );
    }

    #[test]
    fn zero_paths_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let o = dcrisk(&["run", file.to_str().unwrap(), "--paths", "0"], dir.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--paths"), "{}", stderr(&o));
        assert!(!dir.path().join("output").exists());
    }

    #[test]
    fn unknown_flag() {
        let dir = tempfile::tempdir().unwrap();
        let o = dcrisk(&["run", "x.toml", "--pathz", "5"], dir.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--pathz"));
    }
}

mod outputs {
    use super::*;

    #[test]
    fn run_writes_the_contract_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let o = dcrisk(
            &[
                "run",
                file.to_str().unwrap(),
                "--paths",
                "500",
                "--save-paths",
                "--no-charts",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join("output/t");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["paths"], 500);
        assert_eq!(summary["horizon_months"], 24);
        for m in [
            "savings_pv",
            "guarantor_payout_pv",
            "landlord_defaults",
            "tenant_default",
        ] {
            let q = &summary["metrics"][m]["quantiles"];
            assert!(
                q["p05"].as_f64().unwrap() <= q["p95"].as_f64().unwrap(),
                "{m}"
            );
            assert!(summary["metrics"][m]["tail"]["lower_es_05"].is_number());
        }
        assert!(summary["probabilities"]["tenant_default"].is_number());
        let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
        assert!(ts.starts_with("month,series,mean,p05,p25,p50,p75,p95\n"));
        // 24 months of 6 series (one region).
        assert_eq!(ts.lines().count(), 1 + 24 * 6);
        let paths = std::fs::read_to_string(out.join("paths.csv")).unwrap();
        assert_eq!(paths.lines().count(), 501);
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        assert!(metrics.lines().any(|l| l.starts_with("savings_pv,")));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("Savings vs cloud"), "{stdout}");
    }

    /// The same seed and paths give byte-identical files with 1 and 2 threads.
    #[test]
    fn thread_count_does_not_change_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let base = repo().join("scenarios/gigawatt-program.toml");
        let mut files = Vec::new();
        for threads in ["1", "2"] {
            let out = dir.path().join(format!("out{threads}"));
            let o = dcrisk(
                &[
                    "run",
                    base.to_str().unwrap(),
                    "--paths",
                    "3000",
                    "--threads",
                    threads,
                    "--out",
                    out.to_str().unwrap(),
                    "--no-charts",
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
            let d = out.join("gigawatt-program");
            files.push((
                std::fs::read(d.join("summary.json")).unwrap(),
                std::fs::read(d.join("timeseries.csv")).unwrap(),
            ));
        }
        assert!(
            files[0] == files[1],
            "outputs differ between 1 and 2 threads"
        );
    }

    /// A bad run leaves a previous good run's folder untouched.
    #[test]
    fn bad_input_keeps_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        assert!(
            dcrisk(
                &[
                    "run",
                    file.to_str().unwrap(),
                    "--paths",
                    "50",
                    "--no-charts"
                ],
                dir.path()
            )
            .status
            .success()
        );
        let before = std::fs::read(dir.path().join("output/t/summary.json")).unwrap();
        std::fs::write(
            &file,
            std::fs::read_to_string(&file)
                .unwrap()
                .replace("pue = 1.2 ", "pue = -1 "),
        )
        .unwrap();
        let o = dcrisk(
            &["run", file.to_str().unwrap(), "--paths", "60"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            std::fs::read(dir.path().join("output/t/summary.json")).unwrap(),
            before
        );
    }

    #[test]
    fn init_writes_a_valid_scenario() {
        let dir = tempfile::tempdir().unwrap();
        assert!(dcrisk(&["init", "pilot"], dir.path()).status.success());
        let o = dcrisk(&["validate", "pilot.toml"], dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        // Refuses to overwrite.
        assert_eq!(
            dcrisk(&["init", "pilot"], dir.path()).status.code(),
            Some(2)
        );
    }

    #[test]
    fn shipped_scenarios_validate() {
        for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let o = dcrisk(&["validate", path.to_str().unwrap()], &repo());
                assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
            }
        }
    }
}

mod sharding {
    use super::*;

    /// Shards run by the binary and merged equal the single run, file for file; a missing
    /// shard is refused with exit 2.
    #[test]
    fn merge_of_shards_equals_single_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        for i in 0..3 {
            let o = dcrisk(
                &[
                    "run",
                    f,
                    "--paths",
                    "2500",
                    "--seed",
                    "9",
                    "--shard",
                    &format!("{i}/3"),
                    "--out",
                    "parts",
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
        }
        let parts: Vec<String> = (0..3)
            .map(|i| format!("parts/t/part-{i:04}-of-0003.dcrisk"))
            .collect();
        let mut args = vec!["merge"];
        args.extend(parts.iter().map(String::as_str));
        args.extend(["--out", "merged", "--no-charts"]);
        let o = dcrisk(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let o = dcrisk(
            &[
                "run",
                f,
                "--paths",
                "2500",
                "--seed",
                "9",
                "--out",
                "single",
                "--no-charts",
            ],
            dir.path(),
        );
        assert!(o.status.success());
        for name in [
            "summary.json",
            "metrics.csv",
            "timeseries.csv",
            "exposure.csv",
        ] {
            let a = std::fs::read(dir.path().join("merged/t").join(name)).unwrap();
            let b = std::fs::read(dir.path().join("single/t").join(name)).unwrap();
            assert!(a == b, "{name} differs");
        }
        let o = dcrisk(&["merge", &parts[0], &parts[2], "--out", "bad"], dir.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("missing shard(s) 1 of 3"),
            "{}",
            stderr(&o)
        );
        assert!(!dir.path().join("bad").exists());
    }

    #[test]
    fn bad_shard_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        for bad in ["3/3", "x", "auto"] {
            let o = Command::new(env!("CARGO_BIN_EXE_dcrisk"))
                .args(["run", file.to_str().unwrap(), "--shard", bad])
                .env_remove("SLURM_ARRAY_TASK_ID")
                .env_remove("JOB_COMPLETION_INDEX")
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
            assert!(stderr(&o).contains("--shard"), "{}", stderr(&o));
        }
        let garbage = dir.path().join("part-0000-of-0001.dcrisk");
        std::fs::write(&garbage, b"not a partial").unwrap();
        let o = dcrisk(&["merge", garbage.to_str().unwrap()], dir.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("not a valid dcrisk partial result"));
    }
}

mod overrides {
    use super::*;

    /// `--set` changes exactly the named field: the run equals a run of the edited file.
    #[test]
    fn set_equals_edited_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        let o = dcrisk(
            &[
                "run",
                f,
                "--paths",
                "800",
                "--no-charts",
                "--out",
                "a",
                "--set",
                "regions.ERCOT.volatility=1.1",
                "--set",
                "sites.\"Site 1\".capacity_mw=150",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let original = std::fs::read_to_string(&file).unwrap();
        let edited = dir.path().join("edited.toml");
        std::fs::write(
            &edited,
            original
                .replace("volatility = 0.9 ", "volatility = 1.1 ")
                .replace("capacity_mw = 100.0", "capacity_mw = 150"),
        )
        .unwrap();
        let o = dcrisk(
            &[
                "run",
                edited.to_str().unwrap(),
                "--paths",
                "800",
                "--no-charts",
                "--out",
                "b",
            ],
            dir.path(),
        );
        assert!(o.status.success());
        let a = std::fs::read(dir.path().join("a/t/summary.json")).unwrap();
        let b = std::fs::read(dir.path().join("b/t/summary.json")).unwrap();
        assert!(a == b, "--set run differs from the edited file's");
        let plain = dcrisk(
            &["run", f, "--paths", "800", "--no-charts", "--out", "c"],
            dir.path(),
        );
        assert!(plain.status.success());
        assert!(
            std::fs::read(dir.path().join("c/t/summary.json")).unwrap() != a,
            "the override changed nothing"
        );
    }

    #[test]
    fn bad_overrides_are_input_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        for (set, want) in [
            (
                "regions.ERCOTT.volatility=1",
                "no entry named \"ERCOTT\" in `regions`; names: \"ERCOT\"",
            ),
            (
                "regions.ERCOT.volatilty=1",
                "regions[0].volatilty: unknown field (did you mean `volatility`?)",
            ),
            ("guarantee.cap=-1", "guarantee.cap: must be >= 0, got -1"),
            ("tenannt.annual_pd=0.1", "did you mean `tenant`"),
            ("nonsense", "KEY=VALUE"),
        ] {
            let o = dcrisk(&["run", f, "--paths", "10", "--set", set], dir.path());
            assert_eq!(o.status.code(), Some(2), "{set}");
            assert!(stderr(&o).contains(want), "{set}: {}", stderr(&o));
        }
        assert!(!dir.path().join("output").exists());
    }
}

mod techniques {
    use super::*;

    fn summary(dir: &Path, out: &str) -> serde_json::Value {
        serde_json::from_str(
            &std::fs::read_to_string(dir.join(out).join("t/summary.json")).unwrap(),
        )
        .unwrap()
    }

    /// A run to a precision reports where it stopped; the same on 1 and 2 threads.
    #[test]
    fn precision_run_reports_convergence() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        for (out, threads) in [("p1", "1"), ("p2", "2")] {
            let args = [
                "run",
                f,
                "--precision",
                "0.01",
                "--max-paths",
                "300000",
                "--antithetic",
                "--control-variates",
                "--no-charts",
                "--threads",
                threads,
                "--out",
                out,
            ];
            let o = dcrisk(&args, dir.path());
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(String::from_utf8_lossy(&o.stdout).contains("Precision"));
        }
        let s = summary(dir.path(), "p1");
        assert_eq!(s, summary(dir.path(), "p2"));
        let c = &s["convergence"];
        assert_eq!(c["target"], "savings_pv");
        assert_eq!(c["met"], true);
        assert!(c["relative_half_width"].as_f64().unwrap() <= 0.01);
        assert_eq!(c["paths_used"], s["paths"]);
        let e = &s["metrics"]["savings_pv"]["estimate"];
        assert_eq!(e["method"], "antithetic+control_variates");
        assert!(e["variance_reduction"].as_f64().unwrap() > 1.0);
    }

    #[test]
    fn bad_precision_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        for args in [
            ["--precision", "0"],
            ["--precision", "-1"],
            ["--target", "savings"],
        ] {
            let o = dcrisk(
                &["run", file.to_str().unwrap(), args[0], args[1]],
                dir.path(),
            );
            assert_eq!(o.status.code(), Some(2), "{args:?}");
        }
    }
}
