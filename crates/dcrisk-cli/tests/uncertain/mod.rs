//! `dcrisk run` with uncertain inputs: the contract's files and columns, an outer
//! sample reproduced bit for bit by `--set`, the same bytes on any thread count, and
//! distributions refused where their values would be invalid.

use super::*;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("output/t").join(name)).unwrap()
}

fn run_ok(dir: &Path, args: &[&str]) {
    let o = dcrisk(args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn columns(line: &str) -> Vec<String> {
    line.split(',').map(str::to_string).collect()
}

/// The files and columns of MODEL.md section 9, and a row's inputs set with `--set`
/// giving that row's figures bit for bit.
#[test]
fn a_row_set_with_set_reproduces_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let file = uncertain(dir.path());
    let f = file.to_str().unwrap();
    run_ok(
        dir.path(),
        &["run", f, "--paths", "64", "--samples", "6", "--no-charts"],
    );
    let csv = read(dir.path(), "uncertainty.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7);
    let head = columns(lines[0]);
    assert_eq!(
        head[..3],
        ["sample", "sites[0].pue", "sites[0].rent_per_kw_month"]
    );
    assert_eq!(
        head[3..6],
        [
            "savings_pv_mean",
            "savings_pv_p05",
            "savings_pv_lower_es_05"
        ]
    );
    assert_eq!(
        head[head.len() - 3..],
        [
            "p_savings_negative",
            "tenant_default",
            "any_landlord_default"
        ]
    );
    let drivers = read(dir.path(), "drivers.csv");
    assert!(drivers.starts_with(
        "input,metric,spearman,first_order,first_order_lo,first_order_hi,total,total_lo,\
         total_hi,worst5_mean,overall_mean\n"
    ));
    let summary: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "summary.json")).unwrap();
    assert_eq!(summary["paths"], 6 * 64);
    for key in ["mean", "std", "p05", "p50", "p95"] {
        assert!(summary["uncertainty"]["savings_pv"][key].is_f64(), "{key}");
    }
    let row = columns(lines[4]);
    let pue = format!("sites[0].pue={}", row[1]);
    let rent = format!("sites[0].rent_per_kw_month={}", row[2]);
    run_ok(
        dir.path(),
        &[
            "run",
            f,
            "--paths",
            "64",
            "--no-charts",
            "--name",
            "one",
            "--set",
            &pue,
            "--set",
            &rent,
        ],
    );
    let one: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("output/one/summary.json")).unwrap(),
    )
    .unwrap();
    let want = |i: usize| row[i].parse::<f64>().unwrap();
    let savings = &one["metrics"]["savings_pv"];
    let got = |v: &serde_json::Value| v.as_f64().unwrap().to_bits();
    assert_eq!(got(&savings["mean"]), want(3).to_bits());
    assert_eq!(got(&savings["quantiles"]["p05"]), want(4).to_bits());
    assert_eq!(got(&savings["tail"]["lower_es_05"]), want(5).to_bits());
    let p = one["probabilities"]["tenant_default"].as_f64().unwrap();
    assert_eq!(p.to_bits(), want(row.len() - 2).to_bits());
}

/// A Saltelli design has S (k + 2) rows and totals in drivers.csv; the folder's bytes
/// do not depend on the thread count.
#[test]
fn sobol_runs_are_the_same_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = uncertain(dir.path());
    let f = file.to_str().unwrap();
    let mut seen = Vec::new();
    for threads in ["1", "2"] {
        run_ok(
            dir.path(),
            &[
                "run",
                f,
                "--paths",
                "32",
                "--samples",
                "4",
                "--sobol",
                "--threads",
                threads,
                "--no-charts",
            ],
        );
        let files: Vec<String> = [
            "uncertainty.csv",
            "drivers.csv",
            "summary.json",
            "metrics.csv",
        ]
        .iter()
        .map(|n| read(dir.path(), n))
        .collect();
        seen.push(files);
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0][0].lines().count(), 1 + 4 * (2 + 2));
    let row = seen[0][1].lines().nth(1).unwrap();
    assert!(
        columns(row)[6].parse::<f64>().is_ok(),
        "total filled: {row}"
    );
}

/// A distribution whose values the field refuses is refused, naming the field, from
/// the file and from `--set`; `--sketch` says it does not apply to a two-level run.
#[test]
fn invalid_distributions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad = scenario(dir.path(), |t| {
        t.replacen(
            "pue = 1.2",
            r#"pue = { dist = "normal", mean = 1.2, sd = 0.1 }"#,
            1,
        )
    });
    assert_rejected(
        dir.path(),
        &bad,
        &["sites[0].pue", "normal", "must be >= 1"],
    );
    let good = scenario(dir.path(), |t| t);
    let g = good.to_str().unwrap();
    let o = dcrisk(
        &[
            "run",
            g,
            "--paths",
            "10",
            "--set",
            r#"sites[0].capacity_mw={dist="uniform", min=-1, max=5}"#,
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--set sites[0].capacity_mw"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("must be > 0"), "{}", stderr(&o));
    let file = uncertain(dir.path());
    let o = dcrisk(
        &["run", file.to_str().unwrap(), "--paths", "10", "--sketch"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("uncertain inputs"), "{}", stderr(&o));
    let o = dcrisk(&["validate", file.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!dir.path().join("output").exists());
}

/// Shards split the outer samples, and their merge writes the unsharded run's files byte
/// for byte, an uncertain PD included (the pool has no one PD: landlords.csv and
/// default_curve.csv leave it empty); a missing shard is refused.
#[test]
fn shards_merge_to_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = uncertain(dir.path());
    let f = file.to_str().unwrap();
    let pd = r#"tenant.annual_pd={ dist = "uniform", min = 0.01, max = 0.05 }"#;
    let flags = [
        "--paths",
        "32",
        "--samples",
        "5",
        "--sobol",
        "--no-charts",
        "--set",
        pd,
    ];
    let whole = [&["run", f, "--name", "whole"][..], &flags[..]].concat();
    run_ok(dir.path(), &whole);
    for i in 0..3 {
        let shard = format!("{i}/3");
        let args = [
            &["run", f, "--name", "parts", "--shard", &shard][..],
            &flags[..],
        ]
        .concat();
        run_ok(dir.path(), &args);
    }
    let part = |i: usize| format!("output/parts/part-{i:04}-of-0003.dcrisk");
    let (p0, p1, p2) = (part(0), part(1), part(2));
    let o = dcrisk(
        &["merge", &p0, &p2, "--name", "gap", "--no-charts"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("missing"), "{}", stderr(&o));
    run_ok(
        dir.path(),
        &["merge", &p2, &p0, &p1, "--name", "merged", "--no-charts"],
    );
    let out = dir.path().join("output");
    for name in [
        "uncertainty.csv",
        "drivers.csv",
        "summary.json",
        "metrics.csv",
        "timeseries.csv",
        "landlords.csv",
        "default_curve.csv",
    ] {
        let read = |d: &str| std::fs::read_to_string(out.join(d).join(name)).unwrap();
        assert_eq!(read("whole"), read("merged"), "{name}");
    }
    let curve = std::fs::read_to_string(out.join("merged/default_curve.csv")).unwrap();
    assert!(curve.lines().nth(1).unwrap().ends_with(','), "{curve}");
}

/// The two-level flags on a scenario without uncertain inputs are refused (exit 2,
/// nothing written), not silently ignored.
#[test]
fn two_level_flags_need_uncertain_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    for flag in [&["--samples", "8"][..], &["--sobol"], &["--sampling", "mc"]] {
        let args = [&["run", file.to_str().unwrap(), "--paths", "50"][..], flag].concat();
        let o = dcrisk(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{flag:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("uncertain inputs"), "{}", stderr(&o));
        assert!(!dir.path().join("output").exists());
    }
}
