//! Every party's numbers in a run's folder (issue 17): `landlords.csv`, `default_curve.csv`
//! and the demand plan in `timeseries.csv`.

use super::*;

/// The starter with a second landlord (its own site), a tenant that defaults often and a
/// guarantee whose cap binds on some paths.
fn two_landlords(dir: &Path) -> PathBuf {
    scenario(dir, |t| {
        let t = t
            .replace("annual_pd = 0.04 ", "annual_pd = 0.2 ")
            .replace("cap = 5.0e8", "cap = 1.0e8");
        let second = "\n[[landlords]]\nname = \"Developer B\"\nannual_pd = 0.1\n";
        let at = t
            .find("\n[landlord_default]")
            .expect("landlord_default table");
        let mut t = format!("{}{second}{}", &t[..at], &t[at..]);
        let site = t.find("\n[[sites]]").expect("a site") + 1;
        let end = t[site..].find("\n\n").map_or(t.len(), |e| site + e);
        let copy = t[site..end]
            .replace("\"Site 1\"", "\"Site 2\"")
            .replace("\"Developer A\"", "\"Developer B\"");
        t.insert_str(end, &format!("\n\n{copy}"));
        t
    })
}

fn run(dir: &Path, file: &Path, threads: &str) -> PathBuf {
    let out = format!("out-{threads}");
    let o = dcrisk(
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "4000",
            "--seed",
            "5",
            "--threads",
            threads,
            "--no-charts",
            "--out",
            &out,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(out).join("t")
}

/// One row per landlord, in the scenario's order: default probabilities match the
/// copula's marginal `1 - (1 - p)^(T/12)` within 5 standard errors, the mean shortfalls
/// add up to `landlord_shortfall_pv`'s mean, the P95 is at least the mean's order; the
/// same file on 1 and 2 threads.
#[test]
fn landlords_csv_has_every_landlord() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_landlords(dir.path());
    let folder = run(dir.path(), &file, "2");
    let (header, rows) = read_csv(&folder.join("landlords.csv"));
    assert_eq!(
        header,
        [
            "landlord",
            "annual_pd",
            "default_probability",
            "paid_in_full_probability",
            "shortfall_pv_mean",
            "shortfall_pv_p95"
        ]
    );
    assert_eq!(rows.len(), 2);
    let text = std::fs::read_to_string(folder.join("landlords.csv")).unwrap();
    assert!(text.contains("\nDeveloper B,0.1,"), "{text}");
    let n = 4000.0;
    let mut total = 0.0;
    for row in &rows {
        let pd = cell(&header, row, "annual_pd");
        let p = 1.0 - (1.0 - pd).powf(2.0);
        let got = cell(&header, row, "default_probability");
        let se = (p * (1.0 - p) / n).sqrt();
        assert!((got - p).abs() <= 5.0 * se, "{row:?}: want {p}");
        let paid = cell(&header, row, "paid_in_full_probability");
        assert!((0.0..1.0).contains(&paid), "{row:?}");
        total += cell(&header, row, "shortfall_pv_mean");
    }
    let want = summary(&folder.join("summary.json"))["metrics"]["landlord_shortfall_pv"]["mean"]
        .as_f64()
        .unwrap();
    assert!(want > 0.0);
    assert!((total - want).abs() <= 1e-9 * want, "{total} vs {want}");
    let one = run(dir.path(), &file, "1");
    assert_eq!(
        std::fs::read(one.join("landlords.csv")).unwrap(),
        std::fs::read(folder.join("landlords.csv")).unwrap()
    );
}

/// `default_curve.csv` rises month by month to the tenant's default probability in
/// summary.json, beside the annual-PD-only reference; `timeseries.csv` carries the plan
/// (the same at every percentile) right after the simulated demand.
#[test]
fn default_curve_and_demand_plan() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_landlords(dir.path());
    let folder = run(dir.path(), &file, "2");
    let (header, rows) = read_csv(&folder.join("default_curve.csv"));
    assert_eq!(
        header,
        [
            "month",
            "cumulative_default_probability",
            "annual_pd_only_probability"
        ]
    );
    assert_eq!(rows.len(), 24);
    let curve: Vec<f64> = rows
        .iter()
        .map(|r| cell(&header, r, "cumulative_default_probability"))
        .collect();
    assert!(curve.windows(2).all(|w| w[0] <= w[1]));
    let tenant = summary(&folder.join("summary.json"))["probabilities"]["tenant_default"]
        .as_f64()
        .unwrap();
    assert_eq!(curve[23], tenant);
    let reference = cell(&header, &rows[11], "annual_pd_only_probability");
    assert!((reference - 0.2).abs() < 1e-12, "{reference}");

    let (header, rows) = read_csv(&folder.join("timeseries.csv"));
    let series: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    let plan: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "demand_plan_mw").collect();
    assert_eq!(plan.len(), 24);
    let first = series.iter().position(|&s| s == "demand_plan_mw").unwrap();
    assert_eq!(series[first - 1], "demand_mw");
    for row in plan {
        let mean = cell(&header, row, "mean");
        for column in ["p05", "p50", "p95"] {
            assert_eq!(cell(&header, row, column), mean);
        }
    }
    // The starter's plan: 60 MW at month 0, 100 MW at month 36, linear between.
    let at = |t: usize| {
        let row = rows
            .iter()
            .find(|r| r[1] == "demand_plan_mw" && r[0] == t.to_string())
            .unwrap();
        cell(&header, row, "mean")
    };
    assert_eq!(at(0), 60.0);
    assert!((at(18) - 80.0).abs() < 1e-9);
}

/// `sensitivity` of a probability, MW-months or a count draws its tornado (no
/// `--no-charts` needed), in the metric's own units.
#[test]
fn tornado_of_non_money_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_landlords(dir.path());
    for metric in ["tenant_default", "idle_mw_months", "landlord_defaults"] {
        let out = format!("t-{metric}");
        let o = dcrisk(
            &[
                "sensitivity",
                file.to_str().unwrap(),
                "--metric",
                metric,
                "--paths",
                "200",
                "--chart-size",
                "800x500",
                "--out",
                &out,
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{metric}: {}", stderr(&o));
        let png = dir.path().join(&out).join("t/tornado.png");
        assert_eq!(png_size(&png), (800, 500), "{metric}");
    }
}

/// With the contracts of version 2 (unsigned leases, tranches, renewals not owed under the
/// guarantee, a guarantor that may fail first), the landlords' mean shortfalls still add up
/// to `landlord_shortfall_pv`'s mean: the split reads the same owed rent as the guarantee.
#[test]
fn landlords_add_up_under_version_2_contracts() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo().join("scenarios/preliminary-2026.toml");
    let o = dcrisk(
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "3000",
            "--set",
            "tenant.annual_pd=0.2",
            "--set",
            "guarantee.guarantor_annual_pd=0.05",
            "--no-charts",
            "--report",
            "none",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = dir.path().join("out/preliminary-2026");
    let (header, rows) = read_csv(&folder.join("landlords.csv"));
    let total: f64 = rows
        .iter()
        .map(|row| cell(&header, row, "shortfall_pv_mean"))
        .sum();
    let s = summary(&folder.join("summary.json"));
    let want = s["metrics"]["landlord_shortfall_pv"]["mean"]
        .as_f64()
        .unwrap();
    assert!(s["probabilities"]["guarantee_fails"].as_f64().unwrap() > 0.0);
    assert!(want > 0.0);
    assert!((total - want).abs() <= 1e-9 * want, "{total} vs {want}");
}
