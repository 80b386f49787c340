//! The `dcrisk` binary driven as a user would: bad input, outputs, determinism.

mod decide;
mod figures;
mod flags;
mod fuzz;
mod layering;
mod limits;
mod parties;
mod parts;
mod provenance;
mod reports;
mod safety;
mod uncertain;
mod warnings;

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
        // 24 months of 6 simulated series (one region) and the demand plan.
        assert_eq!(ts.lines().count(), 1 + 24 * 7);
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
                std::fs::read(d.join("landlords.csv")).unwrap(),
                std::fs::read(d.join("default_curve.csv")).unwrap(),
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
            "landlords.csv",
            "default_curve.csv",
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

    /// `--sketch` keeps no per-path values, which the variance-reduction estimates need:
    /// refused with exit 2 and nothing written, whole runs and shards alike.
    #[test]
    fn sketch_refuses_variance_reduction() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        for extra in [
            vec!["--antithetic"],
            vec!["--control-variates"],
            vec!["--antithetic", "--shard", "0/2"],
            vec!["--control-variates", "--shard", "1/2"],
        ] {
            let mut args = vec!["run", file.to_str().unwrap(), "--sketch", "--paths", "2048"];
            args.extend(&extra);
            let o = dcrisk(&args, dir.path());
            assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("--sketch"), "{extra:?}: {}", stderr(&o));
            assert!(
                !dir.path().join("output").exists(),
                "{extra:?} wrote output"
            );
        }
    }
}

/// Width and height of a PNG file, after checking its signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{}: not a PNG",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    assert!(
        bytes.len() > 10_000,
        "{}: suspiciously small",
        path.display()
    );
    (be(16), be(20))
}

/// A CSV without quoted commas, as (header, rows of cells).
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect());
    (lines.next().unwrap(), lines.collect())
}

/// The cell of `column` in `row`, as a number.
fn cell(header: &[String], row: &[String], column: &str) -> f64 {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {header:?}"));
    row[i]
        .parse()
        .unwrap_or_else(|_| panic!("{column}: {:?}", row[i]))
}

fn summary(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

mod batch {
    use super::*;

    const RUN_FILES: [&str; 6] = [
        "summary.json",
        "metrics.csv",
        "timeseries.csv",
        "exposure.csv",
        "run.json",
        "scenario.toml",
    ];

    /// Every shipped scenario runs with the same seed and paths; each folder is what `run`
    /// writes, comparison.csv has a row per scenario, and common random numbers show:
    /// removing the guarantee leaves the tenant's savings identical, bit for bit.
    #[test]
    fn shipped_scenarios_write_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = repo().join("scenarios");
        let o = dcrisk(
            &[
                "batch",
                scenarios.to_str().unwrap(),
                "--paths",
                "300",
                "--no-charts",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join("output");
        let names = [
            "cloud-collapse",
            "demand-bust",
            "gigawatt-program",
            "landlord-stress",
            "no-guarantee",
            "power-hedged-50",
            "preliminary-2026",
        ];
        for name in names {
            for file in RUN_FILES {
                assert!(out.join(name).join(file).is_file(), "{name}/{file}");
            }
        }
        let (header, rows) = read_csv(&out.join("comparison.csv"));
        assert_eq!(&header[..2], ["scenario", "file"]);
        let listed: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(listed, names);
        for r in &rows {
            assert_eq!(cell(&header, r, "paths"), 300.0);
            assert_eq!(cell(&header, r, "seed"), 42.0);
            let p05 = cell(&header, r, "savings_pv_p05");
            assert!(cell(&header, r, "savings_pv_lower_es_05") <= p05);
            assert!(p05 <= cell(&header, r, "savings_pv_p50"));
        }
        let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap();
        let (base, bare) = (row("gigawatt-program"), row("no-guarantee"));
        for column in [
            "savings_pv_mean",
            "savings_pv_p05",
            "savings_pv_lower_es_05",
        ] {
            assert_eq!(
                cell(&header, base, column),
                cell(&header, bare, column),
                "{column}"
            );
        }
        assert_eq!(cell(&header, bare, "guarantor_payout_pv_mean"), 0.0);
        assert!(cell(&header, base, "guarantor_payout_pv_mean") > 0.0);
        let stdout = String::from_utf8_lossy(&o.stdout);
        for name in names {
            assert!(stdout.contains(name), "{stdout}");
        }
        // A scenario's folder is byte for byte what `run` writes.
        let single = dir.path().join("single");
        let o = dcrisk(
            &[
                "run",
                scenarios.join("demand-bust.toml").to_str().unwrap(),
                "--paths",
                "300",
                "--no-charts",
                "--out",
                single.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        // (But run.json, which records the command and when it ran.)
        for file in RUN_FILES.iter().filter(|f| **f != "run.json") {
            let a = std::fs::read(out.join("demand-bust").join(file)).unwrap();
            let b = std::fs::read(single.join("demand-bust").join(file)).unwrap();
            assert!(a == b, "{file} differs from `run`'s");
        }
    }

    /// With charts: every scenario's charts and the three comparison PNGs, at the size asked.
    #[test]
    fn comparison_charts_are_valid_pngs() {
        let dir = tempfile::tempdir().unwrap();
        let a = scenario(dir.path(), |t| t);
        let b = dir.path().join("b.toml");
        std::fs::write(
            &b,
            std::fs::read_to_string(&a)
                .unwrap()
                .replace("name = \"t\"", "name = \"t-cheap-cloud\"")
                .replace("price0 = 1.4e6", "price0 = 1.0e6"),
        )
        .unwrap();
        let o = dcrisk(
            &[
                "batch",
                a.to_str().unwrap(),
                b.to_str().unwrap(),
                "--paths",
                "1000",
                "--chart-size",
                "960x600",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join("output");
        for chart in [
            "comparison_savings.png",
            "comparison_var_es.png",
            "comparison_guarantor.png",
        ] {
            assert_eq!(png_size(&out.join(chart)), (960, 600), "{chart}");
        }
        for name in ["t", "t-cheap-cloud"] {
            for chart in ["savings_histogram.png", "guarantor_exposure.png"] {
                assert_eq!(png_size(&out.join(name).join(chart)), (960, 600));
            }
        }
    }

    /// A bad file fails alone with its own message; the others run; exit code 2.
    #[test]
    fn bad_scenario_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let good = scenario(dir.path(), |t| t);
        let folder = dir.path().join("set");
        std::fs::create_dir(&folder).unwrap();
        let text = std::fs::read_to_string(&good).unwrap();
        std::fs::write(folder.join("a.toml"), &text).unwrap();
        std::fs::write(
            folder.join("b.toml"),
            text.replace("name = \"t\"", "name = \"b\"")
                .replace("pue = 1.2 ", "pue = 0.5 "),
        )
        .unwrap();
        std::fs::write(
            folder.join("c.toml"),
            text.replace("name = \"t\"", "name = \"c\""),
        )
        .unwrap();
        let o = dcrisk(
            &["batch", "set", "--paths", "200", "--no-charts"],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("b.toml: 1 problem(s):")
                && err.contains("sites[0].pue: must be >= 1, got 0.5"),
            "{err}"
        );
        assert!(err.contains("1 of 3 scenario(s) failed"), "{err}");
        let out = dir.path().join("output");
        assert!(out.join("t/summary.json").is_file());
        assert!(out.join("c/summary.json").is_file());
        assert!(!out.join("b").exists());
        let (_, rows) = read_csv(&out.join("comparison.csv"));
        assert_eq!(rows.len(), 2);
    }

    /// Two scenarios with one name would write one folder: the second is refused.
    #[test]
    fn duplicate_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = scenario(dir.path(), |t| t);
        let b = dir.path().join("copy.toml");
        std::fs::copy(&a, &b).unwrap();
        let o = dcrisk(
            &[
                "batch",
                a.to_str().unwrap(),
                b.to_str().unwrap(),
                "--paths",
                "100",
                "--no-charts",
            ],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("copy.toml: scenario name \"t\" is already the name of"),
            "{err}"
        );
        let (_, rows) = read_csv(&dir.path().join("output/comparison.csv"));
        assert_eq!(rows.len(), 1);
    }

    /// `--set` applies to every scenario of the batch, validated like the file.
    #[test]
    fn set_applies_to_every_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let a = scenario(dir.path(), |t| t);
        let b = dir.path().join("b.toml");
        std::fs::write(
            &b,
            std::fs::read_to_string(&a)
                .unwrap()
                .replace("name = \"t\"", "name = \"u\""),
        )
        .unwrap();
        let (fa, fb) = (a.to_str().unwrap(), b.to_str().unwrap());
        let args = ["batch", fa, fb, "--paths", "300", "--no-charts"];
        let o = dcrisk(
            &[&args[..], &["--set", "guarantee.cap=0"]].concat(),
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let (header, rows) = read_csv(&dir.path().join("output/comparison.csv"));
        for r in &rows {
            assert_eq!(cell(&header, r, "guarantor_payout_pv_mean"), 0.0);
            assert_eq!(cell(&header, r, "guarantor_pfe99_peak"), 0.0);
        }
        let o = dcrisk(
            &[&args[..], &["--set", "guarantee.cap=-1"]].concat(),
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("guarantee.cap: must be >= 0, got -1"),
            "{}",
            stderr(&o)
        );
    }
    /// Scenarios run in parallel with each other and across paths: the files do not
    /// depend on the thread count.
    #[test]
    fn thread_count_does_not_change_results() {
        let dir = tempfile::tempdir().unwrap();
        let a = scenario(dir.path(), |t| t);
        let b = dir.path().join("b.toml");
        std::fs::write(
            &b,
            std::fs::read_to_string(&a)
                .unwrap()
                .replace("name = \"t\"", "name = \"u\"")
                .replace("volatility = 0.25", "volatility = 0.4"),
        )
        .unwrap();
        let mut files = Vec::new();
        for threads in ["1", "2", "3"] {
            let out = format!("out{threads}");
            let o = dcrisk(
                &[
                    "batch",
                    a.to_str().unwrap(),
                    b.to_str().unwrap(),
                    "--paths",
                    "2500",
                    "--threads",
                    threads,
                    "--out",
                    &out,
                    "--no-charts",
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
            let o = dcrisk(
                &[
                    "sweep",
                    a.to_str().unwrap(),
                    "--param",
                    "tenant.annual_pd=0:0.2:5",
                    "--paths",
                    "2500",
                    "--threads",
                    threads,
                    "--out",
                    &out,
                    "--no-charts",
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
            let read = |f: &str| std::fs::read(dir.path().join(&out).join(f)).unwrap();
            files.push((
                read("comparison.csv"),
                read("u/summary.json"),
                read("t/sweep.csv"),
            ));
        }
        assert!(files[0] == files[1], "1 and 2 threads differ");
        assert!(files[0] == files[2], "1 and 3 threads differ");
    }
}

mod sweep {
    use super::*;

    /// A sweep point equals `run --set` of the same value, bit for bit.
    #[test]
    fn point_equals_run_with_set() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        let o = dcrisk(
            &[
                "sweep",
                f,
                "--param",
                "regions.ERCOT.volatility=0.5:1.1:3",
                "--paths",
                "800",
                "--no-charts",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let (header, rows) = read_csv(&dir.path().join("output/t/sweep.csv"));
        assert_eq!(header[0], "regions.ERCOT.volatility");
        let values: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(values, ["0.5", "0.8", "1.1"]);
        let o = dcrisk(
            &[
                "run",
                f,
                "--paths",
                "800",
                "--no-charts",
                "--out",
                "single",
                "--set",
                "regions.ERCOT.volatility=0.8",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let s = summary(&dir.path().join("single/t/summary.json"));
        let savings = &s["metrics"]["savings_pv"];
        let point = &rows[1];
        for (column, want) in [
            ("savings_pv_mean", &savings["mean"]),
            ("savings_pv_stderr", &savings["stderr"]),
            ("savings_pv_p05", &savings["quantiles"]["p05"]),
            ("savings_pv_lower_es_05", &savings["tail"]["lower_es_05"]),
            (
                "guarantor_payout_pv_mean",
                &s["metrics"]["guarantor_payout_pv"]["mean"],
            ),
            (
                "p_savings_negative",
                &s["probabilities"]["savings_negative"],
            ),
            ("tenant_default", &s["probabilities"]["tenant_default"]),
        ] {
            let want = want.as_f64().unwrap();
            assert_eq!(
                cell(&header, point, column).to_bits(),
                want.to_bits(),
                "{column}"
            );
        }
        // The other points differ: the parameter does enter the model.
        assert_ne!(
            cell(&header, &rows[0], "savings_pv_mean"),
            cell(&header, point, "savings_pv_mean")
        );
    }

    /// With common random numbers, parameters that cannot matter give identical points:
    /// the hedge price when nothing is hedged, and the file's `paths` when --paths is given.
    #[test]
    fn parameter_without_effect_gives_identical_points() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let o = dcrisk(
            &[
                "sweep",
                file.to_str().unwrap(),
                "--param",
                "regions.ERCOT.hedge_price=0:120:4",
                "--param",
                "paths=1000:5000:2",
                "--paths",
                "600",
                "--chart-size",
                "800x500",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let (header, rows) = read_csv(&dir.path().join("output/t/sweep.csv"));
        assert_eq!(&header[..2], ["regions.ERCOT.hedge_price", "paths"]);
        assert_eq!(rows.len(), 8);
        let figures = |r: &Vec<String>| r[2..].to_vec();
        for r in &rows {
            assert_eq!(figures(r), figures(&rows[0]), "point {:?}", &r[..2]);
        }
        assert_eq!(png_size(&dir.path().join("output/t/sweep.png")), (800, 500));
    }

    /// A point that fails validation is an input error naming the value; nothing runs.
    #[test]
    fn invalid_point_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        let o = dcrisk(
            &["sweep", f, "--param", "regions.ERCOT.volatility=-0.5:0.5:3"],
            dir.path(),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("sweep point regions.ERCOT.volatility=-0.5")
                && err.contains("regions[0].volatility: must be >= 0, got -0.5"),
            "{err}"
        );
        for (param, want) in [
            (
                "regions.ERCOTT.volatility=0:1:2",
                "no entry named \"ERCOTT\"",
            ),
            ("regions.ERCOT.volatility=0:1", "START:END:STEPS"),
            (
                "horizon_years=1:2:3",
                "horizon_years: expected a whole number, got 1.5",
            ),
        ] {
            let o = dcrisk(&["sweep", f, "--param", param], dir.path());
            assert_eq!(o.status.code(), Some(2), "{param}");
            assert!(stderr(&o).contains(want), "{param}: {}", stderr(&o));
        }
        assert!(!dir.path().join("output").exists());
    }
}

mod sensitivity {
    use super::*;

    /// In the starter scenario the cloud price dominates by design: two years of 60-100 MW
    /// bought from cloud at $1.4M per MW-month is ~$3B, while the lease program's largest
    /// cost, hardware, is under a third of that; so ±20% on the cloud price moves mean
    /// savings several times more than any other input. The guarantee never changes the
    /// tenant's savings, so with common random numbers its row is exactly zero.
    #[test]
    fn widest_bar_is_the_dominant_input() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let o = dcrisk(
            &[
                "sensitivity",
                file.to_str().unwrap(),
                "--paths",
                "1000",
                "--chart-size",
                "960x600",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = dir.path().join("output/t");
        let text = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        assert_eq!(rows.len(), 13);
        // `fields` may be quoted with commas inside; read the numbers from the right.
        let from_end = |r: &Vec<String>, column: &str| {
            let i = header.iter().position(|h| h == column).unwrap();
            r[r.len() - (header.len() - i)].parse::<f64>().unwrap()
        };
        assert_eq!(rows[0][0], "cloud_price", "{text}");
        let widths: Vec<f64> = rows
            .iter()
            .map(|r| from_end(r, "savings_pv_mean_width"))
            .collect();
        assert!(widths.windows(2).all(|w| w[0] >= w[1]), "{widths:?}");
        assert!(widths[0] > 2.0 * widths[1], "{widths:?}");
        let cap = rows.iter().find(|r| r[0] == "guarantee_cap").unwrap();
        assert_eq!(from_end(cap, "savings_pv_mean_width"), 0.0);
        assert_eq!(from_end(cap, "savings_pv_lower_es_05_width"), 0.0);
        assert_eq!(png_size(&out.join("tornado.png")), (960, 600));
    }

    /// `--set` reaches the variants: with cloud almost free, the cloud price stops mattering.
    #[test]
    fn set_is_applied() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let o = dcrisk(
            &[
                "sensitivity",
                file.to_str().unwrap(),
                "--paths",
                "300",
                "--no-charts",
                "--set",
                "cloud.price0=1000",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join("output/t/sensitivity.csv")).unwrap();
        let first = text.lines().nth(1).unwrap();
        assert!(!first.starts_with("cloud_price,"), "{text}");
        let o = dcrisk(
            &["sensitivity", file.to_str().unwrap(), "--swing", "1.5"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--swing"), "{}", stderr(&o));
    }
}

mod sketch_mode {
    use super::*;

    /// `--sketch` shards merge to the single `--sketch` run, file for file, and the
    /// summary agrees with the exact run: same mean and probabilities, quantiles within 0.1%.
    #[test]
    fn sketch_shards_merge_and_match_the_exact_run() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        let run = |extra: &[&str]| {
            let mut args = vec!["run", f, "--paths", "3000", "--seed", "4", "--no-charts"];
            args.extend(extra);
            let o = dcrisk(&args, dir.path());
            assert!(o.status.success(), "{}", stderr(&o));
        };
        run(&["--sketch", "--out", "single"]);
        run(&["--out", "exact"]);
        for i in 0..2 {
            run(&["--sketch", "--shard", &format!("{i}/2"), "--out", "parts"]);
        }
        let o = dcrisk(
            &[
                "merge",
                "parts/t/part-0000-of-0002.dcrisk",
                "parts/t/part-0001-of-0002.dcrisk",
                "--out",
                "merged",
                "--no-charts",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        for name in ["summary.json", "metrics.csv", "timeseries.csv"] {
            let a = std::fs::read(dir.path().join("merged/t").join(name)).unwrap();
            let b = std::fs::read(dir.path().join("single/t").join(name)).unwrap();
            assert!(a == b, "{name} differs");
        }
        let read = |out: &str| -> serde_json::Value {
            serde_json::from_str(
                &std::fs::read_to_string(dir.path().join(out).join("t/summary.json")).unwrap(),
            )
            .unwrap()
        };
        let (sketch, exact) = (read("single"), read("exact"));
        assert_eq!(sketch["probabilities"], exact["probabilities"]);
        let s = &sketch["metrics"]["savings_pv"];
        let e = &exact["metrics"]["savings_pv"];
        let rel = |a: &serde_json::Value, b: &serde_json::Value| {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() / b.as_f64().unwrap().abs().max(1.0)
        };
        assert!(rel(&s["mean"], &e["mean"]) < 1e-12);
        for q in ["p05", "p50", "p95"] {
            assert!(
                rel(&s["quantiles"][q], &e["quantiles"][q]) <= 1.001e-3,
                "{q}"
            );
        }
        // No per-path values to save.
        let o = dcrisk(&["run", f, "--sketch", "--save-paths"], dir.path());
        assert_eq!(o.status.code(), Some(2));
    }
}

mod charts {
    use super::*;

    /// A small real run writes all nine charts at the requested size, and the same run
    /// writes the same bytes again.
    #[test]
    fn run_writes_every_chart_at_the_requested_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = scenario(dir.path(), |t| t);
        let f = file.to_str().unwrap();
        for out in ["a", "b"] {
            let o = dcrisk(
                &[
                    "run",
                    f,
                    "--paths",
                    "400",
                    "--chart-size",
                    "800x500",
                    "--out",
                    out,
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
        }
        for name in dcrisk_report::chart_file_names() {
            let a = dir.path().join("a/t").join(name);
            assert_eq!(png_size(&a), (800, 500), "{name}");
            assert!(
                std::fs::read(&a).unwrap()
                    == std::fs::read(dir.path().join("b/t").join(name)).unwrap(),
                "{name} differs"
            );
        }
        let o = dcrisk(&["run", f, "--chart-size", "100x100"], dir.path());
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("--chart-size"), "{}", stderr(&o));
    }
}

/// The starter without randomness (no volatility, jumps, busts, defaults or delays), two
/// years: its figures are exact (a goal seek on it converges in a few evaluations of a
/// few paths).
pub fn deterministic(dir: &Path) -> PathBuf {
    scenario(dir, |t| {
        let mut out = String::new();
        for line in t.lines() {
            let key = line.split('=').next().unwrap_or("").trim();
            let line = match key {
                "volatility" | "annual_pd" | "jump_rate" | "bust_rate" => format!("{key} = 0.0"),
                "delay" => "delay = { min = 0, mode = 0, max = 0 }".to_string(),
                "term_years" => "term_years = 2".to_string(),
                _ => line.to_string(),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    })
}

/// The starter with two uncertain inputs: a site's rent (PERT) and its PUE (triangular).
pub fn uncertain(dir: &Path) -> PathBuf {
    scenario(dir, |t| {
        t.replacen(
            "rent_per_kw_month = 140.0",
            r#"rent_per_kw_month = { dist = "pert", min = 120, mode = 140, max = 175 }"#,
            1,
        )
        .replacen(
            "pue = 1.2",
            r#"pue = { dist = "triangular", min = 1.1, mode = 1.2, max = 1.4 }"#,
            1,
        )
    })
}
