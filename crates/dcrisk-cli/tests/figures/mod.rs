//! The guarantor's and the lenders' figures (issue 17): the upper tails of the guarantor's
//! payout and the landlords' shortfall in the run summary and comparison.csv, both tails
//! of any metric in sweep.csv and sensitivity.csv, and `sensitivity --metric`. The older
//! columns keep their names and order; the new ones are appended.

use super::*;

/// The starter with defaults frequent enough that the upper tails are not all zero.
fn risky(dir: &Path) -> PathBuf {
    scenario(dir, |t| {
        t.replace("annual_pd = 0.03", "annual_pd = 0.2")
            .replace("annual_pd = 0.04", "annual_pd = 0.2")
    })
}

const SHARED: &str = "paths,seed,savings_pv_mean,savings_pv_stderr,savings_pv_p05,\
savings_pv_p50,savings_pv_p95,savings_pv_lower_es_05,p_savings_negative,\
guarantor_payout_pv_mean,guarantor_pfe99_peak,tenant_default,any_landlord_default";

/// `(column, summary.json metric, statistic)` of comparison.csv's appended columns.
const APPENDED: [(&str, &str, &str); 8] = [
    ("guarantor_payout_pv_p95", "guarantor_payout_pv", "p95"),
    ("guarantor_payout_pv_p99", "guarantor_payout_pv", "p99"),
    (
        "guarantor_payout_pv_upper_es_99",
        "guarantor_payout_pv",
        "upper_es_99",
    ),
    (
        "landlord_shortfall_pv_mean",
        "landlord_shortfall_pv",
        "mean",
    ),
    ("landlord_shortfall_pv_p95", "landlord_shortfall_pv", "p95"),
    ("landlord_shortfall_pv_p99", "landlord_shortfall_pv", "p99"),
    ("signed_capacity_mw_mean", "signed_capacity_mw", "mean"),
    ("break_fees_pv_mean", "break_fees_pv", "mean"),
];

/// comparison.csv's last columns, each equal to a field of summary.json: `(column, path)`.
const APPENDED_FIELDS: [(&str, [&str; 2]); 2] = [
    ("guarantee_fails", ["probabilities", "guarantee_fails"]),
    ("fair_fee_bps", ["guarantee", "fair_fee_bps"]),
];

/// A statistic of summary.json's `metrics.<metric>`: `mean`, a quantile or a tail mean.
fn stat(s: &serde_json::Value, metric: &str, name: &str) -> f64 {
    let m = &s["metrics"][metric];
    let v = if name == "mean" {
        &m["mean"]
    } else if name.starts_with('p') {
        &m["quantiles"][name]
    } else {
        &m["tail"][name]
    };
    v.as_f64().unwrap_or_else(|| panic!("{metric}.{name}: {v}"))
}

/// comparison.csv: the older columns first and unchanged, then the guarantor's and the
/// landlords' upper tails, equal bit for bit to each run's summary.json; without a
/// guarantee the guarantor pays nothing and the landlords bear more.
#[test]
fn comparison_has_the_guarantor_and_landlord_tails() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("scenarios");
    std::fs::create_dir(&files).unwrap();
    let text = std::fs::read_to_string(risky(dir.path())).unwrap();
    std::fs::write(
        files.join("a.toml"),
        text.replace("name = \"t\"", "name = \"a\""),
    )
    .unwrap();
    let bare = text
        .replace("name = \"t\"", "name = \"b\"")
        .replace("cap = 5.0e8", "cap = 0.0");
    std::fs::write(files.join("b.toml"), bare).unwrap();
    let o = dcrisk(
        &["batch", "scenarios", "--paths", "2000", "--no-charts"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("output");
    let text = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let appended: Vec<&str> = APPENDED
        .iter()
        .map(|a| a.0)
        .chain(APPENDED_FIELDS.iter().map(|a| a.0))
        .collect();
    assert_eq!(
        text.lines().next().unwrap(),
        format!("scenario,file,{SHARED},{}", appended.join(","))
    );
    let (header, rows) = read_csv(&out.join("comparison.csv"));
    for r in &rows {
        let s = summary(&out.join(&r[0]).join("summary.json"));
        for (column, metric, name) in APPENDED {
            let want = stat(&s, metric, name);
            assert_eq!(
                cell(&header, r, column).to_bits(),
                want.to_bits(),
                "{column}"
            );
        }
        for (column, [table, field]) in APPENDED_FIELDS {
            let want = s[table][field].as_f64().expect(field);
            assert_eq!(
                cell(&header, r, column).to_bits(),
                want.to_bits(),
                "{column}"
            );
        }
    }
    let (a, b) = (&rows[0], &rows[1]);
    let p95 = cell(&header, a, "guarantor_payout_pv_p95");
    let p99 = cell(&header, a, "guarantor_payout_pv_p99");
    let es99 = cell(&header, a, "guarantor_payout_pv_upper_es_99");
    assert!(0.0 < p95 && p95 <= p99 && p99 <= es99, "{p95} {p99} {es99}");
    assert!(cell(&header, a, "guarantor_payout_pv_mean") < p95);
    for (column, ..) in &APPENDED[..3] {
        assert_eq!(cell(&header, b, column), 0.0, "{column}");
    }
    let shortfall = |r| cell(&header, r, "landlord_shortfall_pv_mean");
    assert!(
        shortfall(b) > shortfall(a),
        "{} {}",
        shortfall(a),
        shortfall(b)
    );
    let l95 = cell(&header, b, "landlord_shortfall_pv_p95");
    assert!(0.0 < l95 && l95 <= cell(&header, b, "landlord_shortfall_pv_p99"));
}

/// The run summary on stdout shows the guarantor's payout tail.
#[test]
fn run_summary_shows_the_payout_tail() {
    let dir = tempfile::tempdir().unwrap();
    let file = risky(dir.path());
    let o = dcrisk(
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "2000",
            "--no-charts",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("payout P95 / P99 / ES 99%"))
        .unwrap_or_else(|| panic!("no payout tail in:\n{text}"));
    assert_eq!(line.matches(" / $").count(), 2, "{line}");
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| *l == line).unwrap();
    assert!(lines[at - 1].contains("Guarantor expected loss"), "{text}");
}

/// sweep.csv: the older columns unchanged, then the metric's P99 and ES 99%, appended;
/// equal bit for bit to a run of the same point.
#[test]
fn sweep_has_both_tails() {
    let dir = tempfile::tempdir().unwrap();
    let file = risky(dir.path());
    let f = file.to_str().unwrap();
    let sweep = |metric: &str| {
        let o = dcrisk(
            &[
                "sweep",
                f,
                "--param",
                "guarantee.cap=1e8:5e8:2",
                "--paths",
                "1500",
                "--no-charts",
                "--metric",
                metric,
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let path = dir.path().join("output/t/sweep.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        (text, read_csv(&path))
    };
    let (text, _) = sweep("savings_pv");
    assert_eq!(
        text.lines().next().unwrap(),
        format!("guarantee.cap,{SHARED},savings_pv_p99,savings_pv_upper_es_99")
    );
    let (text, (header, rows)) = sweep("guarantor_payout_pv");
    let m = "guarantor_payout_pv";
    assert_eq!(
        text.lines().next().unwrap(),
        format!(
            "guarantee.cap,{SHARED},{m}_mean,{m}_stderr,{m}_p05,{m}_p50,{m}_p95,\
             {m}_lower_es_05,{m}_p99,{m}_upper_es_99"
        )
    );
    let o = dcrisk(
        &[
            "run",
            f,
            "--paths",
            "1500",
            "--no-charts",
            "--out",
            "single",
            "--set",
            "guarantee.cap=5e8",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let s = summary(&dir.path().join("single/t/summary.json"));
    for name in ["p05", "lower_es_05", "p95", "p99", "upper_es_99"] {
        let column = format!("{m}_{name}");
        let want = stat(&s, m, name);
        assert_eq!(
            cell(&header, &rows[1], &column).to_bits(),
            want.to_bits(),
            "{column}"
        );
    }
    assert!(cell(&header, &rows[1], "guarantor_payout_pv_upper_es_99") > 0.0);
    // A lower cap caps the worst payouts.
    assert!(
        cell(&header, &rows[0], "guarantor_payout_pv_upper_es_99")
            < cell(&header, &rows[1], "guarantor_payout_pv_upper_es_99")
    );
}

/// The columns of sensitivity.csv for metric `m`: the older ones, then the upper tail.
fn sensitivity_header(m: &str) -> String {
    let mut h = "input,label,fields,low_setting,high_setting".to_string();
    for stat in ["mean", "lower_es_05", "p95", "p99", "upper_es_99"] {
        for end in ["base", "low", "high", "width"] {
            h.push_str(&format!(",{m}_{stat}_{end}"));
        }
    }
    h
}

/// `sensitivity --metric`: the CSV names and ranks by the chosen metric's mean, has both
/// tails; the default keeps the savings columns first; a metric that is not money needs
/// --no-charts (the tornado draws money).
#[test]
fn sensitivity_ranks_by_the_chosen_metric() {
    let dir = tempfile::tempdir().unwrap();
    let file = risky(dir.path());
    let f = file.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["sensitivity", f, "--paths", "400"];
        args.extend_from_slice(extra);
        let o = dcrisk(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join("output/t/sensitivity.csv")).unwrap();
        (String::from_utf8_lossy(&o.stdout).to_string(), text)
    };
    let (_, text) = run(&["--no-charts"]);
    assert_eq!(
        text.lines().next().unwrap(),
        sensitivity_header("savings_pv")
    );
    let m = "guarantor_payout_pv";
    let (stdout, text) = run(&["--metric", m, "--chart-size", "800x500"]);
    assert!(stdout.contains(&format!("base: mean {m} $")), "{stdout}");
    assert!(stdout.contains("ES 99%: down"), "{stdout}");
    assert_eq!(
        png_size(&dir.path().join("output/t/tornado.png")),
        (800, 500)
    );
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    assert_eq!(header.join(","), sensitivity_header(m));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    // `fields` may be quoted with commas inside; read the numbers from the right.
    let from_end = |r: &Vec<String>, column: &str| {
        let i = header.iter().position(|h| h == column).unwrap();
        r[r.len() - (header.len() - i)].parse::<f64>().unwrap()
    };
    let widths: Vec<f64> = rows
        .iter()
        .map(|r| from_end(r, &format!("{m}_mean_width")))
        .collect();
    assert!(widths.windows(2).all(|w| w[0] >= w[1]), "{widths:?}");
    assert!(widths[0] > 0.0, "{text}");
    // The cloud price never changes what the guarantor pays.
    let cloud = rows.iter().find(|r| r[0] == "cloud_price").unwrap();
    assert_eq!(from_end(cloud, &format!("{m}_mean_width")), 0.0);
    for r in &rows {
        let base = |s: &str| from_end(r, &format!("{m}_{s}_base"));
        assert!(base("p95") <= base("p99") && base("p99") <= base("upper_es_99"));
    }
    // A probability's tornado draws (in percentages), with or without charts.
    let (stdout, _) = run(&["--metric", "tenant_default", "--no-charts"]);
    assert!(stdout.contains("base: mean tenant_default "), "{stdout}");
    assert!(stdout.contains('%'), "{stdout}");
}

/// `batch --base NAME` marks that scenario as the base case; a name no scenario of the
/// batch has is refused (exit 2) before anything runs or is written.
#[test]
fn batch_base_must_name_a_scenario_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let o = dcrisk(
        &[
            "batch",
            f,
            "--paths",
            "512",
            "--no-charts",
            "--base",
            "nope",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--base \"nope\""), "{}", stderr(&o));
    assert!(!dir.path().join("output").exists());
    let name = summary_name(dir.path(), f);
    let o = dcrisk(
        &["batch", f, "--paths", "512", "--no-charts", "--base", &name],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The `name` field of the scenario file at `path`.
fn summary_name(_dir: &Path, path: &str) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("name ="))
        .unwrap();
    line.split('"').nth(1).unwrap().to_string()
}
