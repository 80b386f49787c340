//! Decisions (issue 20): `[*]` keys in `--set`, `sweep --param` and `batch --set`; `solve`
//! (the deterministic breakeven rent, a probability target, the not-bracketed error, its
//! files) and `frontier` (factor 1 is the plain run bit for bit, the flags are the
//! non-dominated points).

use super::*;

/// The starter with a second site, two years, terms within the horizon.
fn two_sites(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    scenario(dir, |t| {
        let t = t.replace("term_years = 15", "term_years = 2");
        let start = t.find("\n[[sites]]").unwrap() + 1;
        let end = start + t[start..].find("\n\n").unwrap();
        let second = t[start..end]
            .replace("Site 1", "Site 2")
            .replace("rent_per_kw_month = 140.0", "rent_per_kw_month = 120.0");
        edit(format!("{}\n\n{second}{}", &t[..end], &t[end..]))
    })
}

fn json(path: &Path) -> serde_json::Value {
    summary(path)
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

/// `[*]` sets every site: the same run as naming each; in sweep and batch too; a bad
/// field under `[*]` is blamed on the flag (exit 2).
#[test]
fn star_keys_set_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_sites(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    let run = |out: &str, sets: &[&str]| {
        let mut args = vec!["run", f, "--paths", "200", "--no-charts", "--out", out];
        for s in sets {
            args.extend(["--set", s]);
        }
        ok(&dcrisk(&args, dir.path()));
        std::fs::read_to_string(dir.path().join(out).join("t/summary.json")).unwrap()
    };
    let star = run("a", &["sites[*].rent_per_kw_month=150"]);
    let each = run(
        "b",
        &[
            "sites[0].rent_per_kw_month=150",
            "sites[1].rent_per_kw_month=150",
        ],
    );
    let none = run("c", &[]);
    assert_eq!(star, each);
    assert_ne!(star, none);
    let o = dcrisk(
        &[
            "sweep",
            f,
            "--param",
            "sites[*].pue=1.1:1.3:2",
            "--paths",
            "100",
            "--no-charts",
        ],
        dir.path(),
    );
    ok(&o);
    let (_, rows) = read_csv(&dir.path().join("output/t/sweep.csv"));
    assert_eq!(rows.len(), 2);
    let o = dcrisk(
        &[
            "batch",
            f,
            "--set",
            "sites[*].pue=1.3",
            "--paths",
            "100",
            "--no-charts",
            "--out",
            "d",
        ],
        dir.path(),
    );
    ok(&o);
    let o = dcrisk(
        &[
            "run",
            f,
            "--paths",
            "10",
            "--set",
            "sites[*].nope=1",
            "--out",
            "e",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--set sites[*].nope=1"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("e").exists());
    // A sweep sets the field (validation names it in every entry); a frontier scales it,
    // so it must exist.
    for (cmd, flag, spec, want) in [
        (
            "sweep",
            "--param",
            "sites[*].nope=1:2:2",
            "sweep point sites[*].nope=1: 2 problem(s):\n  sites[0].nope: unknown field",
        ),
        (
            "frontier",
            "--scale",
            "sites[*].nope=1:2:2",
            "--scale sites[*].nope: `sites[0].nope` is not in the scenario",
        ),
    ] {
        let o = dcrisk(
            &[cmd, f, flag, spec, "--paths", "10", "--out", "e"],
            dir.path(),
        );
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{cmd}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
    assert!(!dir.path().join("e").exists());
}

/// Savings are linear in the rent factor f: savings(f) = savings(1) + (1 - f) rent_pv(1),
/// zero at f = 1 + savings(1) / rent_pv(1); the solver finds it to its tolerance.
#[test]
fn solve_finds_the_deterministic_breakeven_rent() {
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    let f = file.to_str().unwrap();
    ok(&dcrisk(
        &["run", f, "--paths", "8", "--no-charts"],
        dir.path(),
    ));
    let s = json(&dir.path().join("output/t/summary.json"));
    let savings = s["metrics"]["savings_pv"]["mean"].as_f64().unwrap();
    let rent = s["metrics"]["rent_pv"]["mean"].as_f64().unwrap();
    let want = 1.0 + savings / rent;
    let o = dcrisk(
        &[
            "solve",
            f,
            "--scale",
            "sites[*].rent_per_kw_month=0.5:10",
            "--target",
            "savings_pv.mean=0",
            "--paths",
            "8",
            "--tol",
            "1e-9",
        ],
        dir.path(),
    );
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("answer   sites[*].rent_per_kw_month x"),
        "{out}"
    );
    let solved = json(&dir.path().join("output/t/solve.json"));
    let got = solved["value"].as_f64().unwrap();
    assert!((got - want).abs() <= 9.5e-9, "{got} vs {want}");
    assert_eq!(solved["key"], "sites[*].rent_per_kw_month");
    assert_eq!(solved["mode"], "scale");
    assert_eq!(solved["target"]["statistic"], "savings_pv.mean");
    let interval = solved["interval"].as_array().unwrap();
    let (lo, hi) = (interval[0].as_f64().unwrap(), interval[1].as_f64().unwrap());
    assert!(lo <= got && got <= hi && hi - lo < 1e-6, "{lo} {hi}");
    assert!(solved["achieved"].as_f64().unwrap().abs() < 1e-3 * rent);
    assert!(solved["evaluations"].as_u64().unwrap() >= 3);
    png_size(&dir.path().join("output/t/solve.png"));
    let record = json(&dir.path().join("output/t/solve.run.json"));
    assert_eq!(record["paths"], 8);
    // The run's own files are still there.
    assert!(dir.path().join("output/t/summary.json").exists());
}

/// A probability target: P(savings < 0) = 10% is reached within one path's share, with
/// an interval around the answer; the same with --vary on one site's rent.
#[test]
fn solve_reaches_a_probability_target() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| {
        t.replace("term_years = 15", "term_years = 2")
    });
    let f = file.to_str().unwrap();
    for (flag, range) in [
        ("--scale", "sites[*].rent_per_kw_month=0.2:5"),
        ("--vary", "sites[0].rent_per_kw_month=30:700"),
    ] {
        let o = dcrisk(
            &[
                "solve",
                f,
                flag,
                range,
                "--target",
                "probabilities.savings_negative=10%",
                "--paths",
                "2000",
                "--no-charts",
            ],
            dir.path(),
        );
        ok(&o);
        let s = json(&dir.path().join("output/t/solve.json"));
        let p = s["achieved"].as_f64().unwrap();
        assert!(
            (p - 0.1).abs() <= 1.0 / 2000.0 + 1e-12,
            "{flag}: achieved {p}"
        );
        let x = s["value"].as_f64().unwrap();
        let i = s["interval"].as_array().unwrap();
        assert!(
            i[0].as_f64().unwrap() < x && x < i[1].as_f64().unwrap(),
            "{s}"
        );
        let mode = if flag == "--vary" { "set" } else { "scale" };
        assert_eq!(s["mode"], mode);
    }
}

/// Not bracketed: exit 2 naming the statistic at both ends, nothing written; other bad
/// input exit 2 too.
#[test]
fn solve_refuses_what_it_cannot_answer() {
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    let f = file.to_str().unwrap();
    let base = ["solve", f, "--paths", "8", "--out", "o"];
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--scale",
                "sites[*].rent_per_kw_month=0.5:1",
                "--target",
                "savings_pv.mean=0",
            ],
            "is not between the statistic's values at the ends of the range: savings_pv.mean = ",
        ),
        (
            &[
                "--scale",
                "sites[*].nope=0.5:1",
                "--target",
                "savings_pv.mean=0",
            ],
            "--scale sites[*].nope",
        ),
        (
            &[
                "--vary",
                "sites[*].pue=0.5:1.1",
                "--target",
                "savings_pv.mean=0",
            ],
            "pue",
        ),
        (
            &[
                "--scale",
                "sites[*].pue=1:2",
                "--target",
                "savings_pv.p05=0",
            ],
            "needs at least 400 paths",
        ),
        (
            &[
                "--scale",
                "sites[*].pue=1:2",
                "--target",
                "savings_pv.p07=0",
            ],
            "no statistic \"p07\"",
        ),
    ];
    for (extra, want) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let o = dcrisk(&args, dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(want), "{extra:?}: {want:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!dir.path().join("o").exists(), "{extra:?} wrote output");
    }
}

/// Factor 1 gives exactly the plain run's figures; the flags are the non-dominated
/// points; frontier.png is drawn.
#[test]
fn frontier_matches_the_plain_run_and_flags_the_efficient_factors() {
    let dir = tempfile::tempdir().unwrap();
    let file = two_sites(dir.path(), |t| t);
    let f = file.to_str().unwrap();
    ok(&dcrisk(
        &["run", f, "--paths", "300", "--no-charts", "--out", "r"],
        dir.path(),
    ));
    let o = dcrisk(
        &[
            "frontier",
            f,
            "--scale",
            "sites[*].capacity_mw=0.25:1.75:4",
            "--paths",
            "300",
        ],
        dir.path(),
    );
    ok(&o);
    let (header, rows) = read_csv(&dir.path().join("output/t/frontier.csv"));
    assert_eq!(
        header.join(","),
        "factor,savings_pv_mean,savings_pv_p05,savings_pv_lower_es_05,p_savings_negative,efficient"
    );
    // 0.25, 0.75, 1.25, 1.75 and the plan's 1 between them.
    let factors: Vec<f64> = rows.iter().map(|r| cell(&header, r, "factor")).collect();
    assert_eq!(factors, [0.25, 0.75, 1.0, 1.25, 1.75]);
    let s = json(&dir.path().join("r/t/summary.json"));
    let plan = &rows[2];
    let m = &s["metrics"]["savings_pv"];
    for (column, want) in [
        ("savings_pv_mean", &m["mean"]),
        ("savings_pv_p05", &m["quantiles"]["p05"]),
        ("savings_pv_lower_es_05", &m["tail"]["lower_es_05"]),
        (
            "p_savings_negative",
            &s["probabilities"]["savings_negative"],
        ),
    ] {
        let got = cell(&header, plan, column);
        assert_eq!(got.to_bits(), want.as_f64().unwrap().to_bits(), "{column}");
    }
    let points: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                cell(&header, r, "savings_pv_mean"),
                cell(&header, r, "savings_pv_lower_es_05"),
            )
        })
        .collect();
    for (r, p) in rows.iter().zip(&points) {
        let dominated = points.iter().any(|q| q.0 > p.0 && q.1 > p.1);
        assert_eq!(r[5], (!dominated).to_string(), "{r:?}");
    }
    assert!(rows.iter().any(|r| r[5] == "true"));
    png_size(&dir.path().join("output/t/frontier.png"));
    assert!(dir.path().join("output/t/frontier.run.json").exists());
    // A later run of the scenario keeps the frontier's files beside its own.
    ok(&dcrisk(
        &["run", f, "--paths", "20", "--no-charts"],
        dir.path(),
    ));
    for name in [
        "frontier.csv",
        "frontier.png",
        "frontier.run.json",
        "summary.json",
    ] {
        assert!(dir.path().join("output/t").join(name).exists(), "{name}");
    }
}

/// `--vary` on a field that takes whole numbers is refused before any evaluation (exit 2,
/// the field named), not at the first evaluation between two whole numbers.
#[test]
fn a_whole_number_field_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    let o = dcrisk(
        &[
            "solve",
            file.to_str().unwrap(),
            "--vary",
            "sites[*].planned_delivery=0:20",
            "--target",
            "savings_pv.mean=0",
            "--paths",
            "10",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("planned_delivery: expected a whole number, got 10.5"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout_of(&o).contains("evaluation"), "{}", stdout_of(&o));
}

fn stdout_of(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}
