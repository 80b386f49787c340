//! Charts of several runs: the scenario comparison, the parameter sweep and the tornado.
//! Valid PNGs of the requested size with real content, byte-identical on a second render,
//! and no panic on degenerate input (no rows, one point, zero effects, NaN).
//!
//! With `DCRISK_CHARTS_DIR=/some/dir` the realistic ones are written there too.

use dcrisk_core::Metric;
use dcrisk_report::{
    COMPARISON_FILES, Chart, ChartOptions, Headline, ReportError, SweepChart, SweepParameter,
    SweepPoint, Tornado, TornadoPanel, ValueKind, render_comparison, render_comparison_with_base,
    render_sweep, render_tornado,
};

use super::{assert_picture, decode, grey_variance, support};

/// A synthetic run's headline figures, its savings shifted by `shift` and the guarantor's
/// payouts scaled by `payout`.
fn headline(name: &str, paths: usize, shift: f64, payout: f64) -> Headline {
    let mut r = support::realistic_with(paths, &["ERCOT"]);
    r.scenario = name.to_string();
    for v in &mut r.metrics.columns[Metric::SavingsPv.index()] {
        *v += shift;
    }
    for v in &mut r.metrics.columns[Metric::GuarantorPayoutPv.index()] {
        *v *= payout;
    }
    r.headline()
}

fn scenarios() -> Vec<Headline> {
    vec![
        headline("gigawatt-program", 3000, 0.0, 1.0),
        headline("power-hedged-50", 3000, 0.4e9, 1.0),
        headline("demand-bust", 3000, -4e9, 1.6),
        headline("cloud-collapse", 3000, -9e9, 1.1),
        headline("no-guarantee", 3000, 0.0, 0.0),
    ]
}

fn save(charts: &[&Chart]) {
    if let Some(dir) = std::env::var_os("DCRISK_CHARTS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        for chart in charts {
            std::fs::write(std::path::Path::new(&dir).join(chart.file_name), &chart.png).unwrap();
        }
    }
}

fn sweep_1d() -> SweepChart {
    let points = (0..7)
        .map(|i| {
            let x = 0.3 + 0.2 * f64::from(i);
            SweepPoint {
                x,
                group: None,
                mean: 14e9 - 3e9 * x * x,
                stderr: 0.4e9,
                tail: -20e9 - 6e9 * x,
            }
        })
        .collect();
    SweepChart {
        scenario: "gigawatt-program".into(),
        paths: Some(20_000),
        seed: Some(42),
        horizon_months: Some(180),
        x: SweepParameter {
            key: "regions.ERCOT.volatility".into(),
            kind: ValueKind::Number,
        },
        group: None,
        metric: "savings_pv".into(),
        metric_desc: "Savings against all-cloud, present value (US$)".into(),
        metric_kind: ValueKind::Money,
        upper_tail: false,
        points,
    }
}

/// A grid of 5 cloud drifts by `groups` guarantee caps.
fn sweep_2d(groups: u32) -> SweepChart {
    let mut points = Vec::new();
    for g in 0..groups {
        let cap = 1e9 * f64::from(g);
        for i in 0..5 {
            let x = -0.2 + 0.05 * f64::from(i);
            points.push(SweepPoint {
                x,
                group: Some(cap),
                mean: 1e9 * (20.0 + 150.0 * x) - 0.1 * cap,
                stderr: 0.3e9,
                tail: 1e9 * (-30.0 + 50.0 * x) - 0.2 * cap,
            });
        }
    }
    SweepChart {
        x: SweepParameter {
            key: "cloud.drift".into(),
            kind: ValueKind::Number,
        },
        group: Some(SweepParameter {
            key: "guarantee.cap".into(),
            kind: ValueKind::Money,
        }),
        metric: "guarantor_payout_pv".into(),
        metric_desc: "guarantor_payout_pv, present value at month 0 (US$)".into(),
        upper_tail: true,
        points,
        ..sweep_1d()
    }
}

fn tornado() -> Tornado {
    let inputs = [
        ("Cloud price", 11.9e9, -11.9e9),
        ("Cloud price drift ±0.024", -6.7e9, 7.8e9),
        ("Hardware cost", 5.5e9, -5.5e9),
        ("Rent", 2.3e9, -2.3e9),
        ("Tenant default rate", 3e7, -6e7),
        ("Guarantee cap", 0.0, 0.0),
    ];
    let base = 15e9;
    Tornado {
        scenario: "gigawatt-program".into(),
        subject: "savings".into(),
        paths: 20_000,
        seed: 42,
        horizon_months: 180,
        swing: 0.2,
        inputs: inputs.iter().map(|i| i.0.to_string()).collect(),
        panels: vec![
            TornadoPanel {
                title: "Mean savings vs all-cloud".into(),
                base,
                low: inputs.iter().map(|i| base - i.1).collect(),
                high: inputs.iter().map(|i| base - i.2).collect(),
            },
            TornadoPanel {
                title: "5% expected shortfall of savings".into(),
                base: -29.7e9,
                low: inputs.iter().map(|i| -29.7e9 - 0.4 * i.1).collect(),
                high: inputs.iter().map(|i| -29.7e9 - 0.4 * i.2).collect(),
            },
        ],
        notes: vec!["Drifts move additively: ±0.2 × max(|drift|, 0.1) a year.".into()],
        kind: ValueKind::Money,
        unit: "US$, present value at month 0".into(),
    }
}

/// The tornado of a probability (the tenant's default) and of MW-months: their own units.
fn tornado_of(kind: ValueKind) -> Tornado {
    let mut t = tornado();
    let (base, scale, unit) = match kind {
        ValueKind::Share => (0.12, 1e-11, "probability (%)"),
        _ => (3.0e4, 1e-6, "MW x months"),
    };
    for panel in &mut t.panels {
        let shift = |v: &f64| base + (v - panel.base) * scale;
        panel.low = panel.low.iter().map(shift).collect();
        panel.high = panel.high.iter().map(shift).collect();
        panel.base = base;
    }
    t.subject = "tenant_default".into();
    t.kind = kind;
    t.unit = unit.into();
    t
}

#[test]
fn comparison_renders_three_charts() {
    let opts = ChartOptions::default();
    let rows = scenarios();
    let charts = render_comparison(&rows, &opts).unwrap();
    let names: Vec<&str> = charts.iter().map(|c| c.file_name).collect();
    assert_eq!(names, COMPARISON_FILES);
    for chart in &charts {
        assert_picture(chart, &opts);
    }
    save(&charts.iter().collect::<Vec<_>>());
    let small = ChartOptions {
        width: 800,
        height: 500,
    };
    for chart in &render_comparison(&rows, &small).unwrap() {
        assert_picture(chart, &small);
    }
}

#[test]
fn the_base_case_is_the_first_row_unless_named() {
    let opts = ChartOptions {
        width: 960,
        height: 600,
    };
    let rows = scenarios();
    let first = render_comparison(&rows, &opts).unwrap();
    assert_eq!(
        first,
        render_comparison_with_base(&rows, Some(0), &opts).unwrap()
    );
    let unmarked = render_comparison_with_base(&rows, None, &opts).unwrap();
    // Out of range: nothing marked, no panic.
    assert_eq!(
        unmarked,
        render_comparison_with_base(&rows, Some(rows.len()), &opts).unwrap()
    );
    let third = render_comparison_with_base(&rows, Some(2), &opts).unwrap();
    for ((a, b), c) in first.iter().zip(&unmarked).zip(&third) {
        assert_picture(c, &opts);
        assert_ne!(a.png, b.png, "{}: the base case is not marked", a.file_name);
        assert_ne!(a.png, c.png, "{}: the base mark does not move", a.file_name);
    }
    // No rows: nothing to mark.
    assert_eq!(
        render_comparison_with_base(&[], Some(0), &opts)
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn headline_figures_match_the_run() {
    let r = support::realistic_with(2000, &["ERCOT"]);
    let h = r.headline();
    let savings = dcrisk_core::stats::summarize_metric(r.metrics.get(Metric::SavingsPv));
    assert_eq!(h.savings, savings);
    assert_eq!(h.savings_mean, savings.mean);
    assert_eq!(h.savings_p05(), savings.quantiles[1]);
    assert_eq!(h.p_savings_negative, r.probabilities().savings_negative);
    let peak = r
        .series("guarantor_exposure")
        .unwrap()
        .months
        .iter()
        .map(|m| m.p99)
        .fold(0.0, f64::max);
    assert_eq!(h.guarantor_pfe99_peak, peak);
}

#[test]
fn multi_run_charts_are_byte_identical_on_rerender() {
    let opts = ChartOptions {
        width: 960,
        height: 600,
    };
    let rows = scenarios();
    assert_eq!(
        render_comparison(&rows, &opts).unwrap(),
        render_comparison(&rows.clone(), &opts).unwrap()
    );
    for sweep in [sweep_1d(), sweep_2d(3)] {
        assert_eq!(
            render_sweep(&sweep, &opts).unwrap(),
            render_sweep(&sweep.clone(), &opts).unwrap()
        );
    }
    assert_eq!(
        render_tornado(&tornado(), &opts).unwrap(),
        render_tornado(&tornado(), &opts).unwrap()
    );
}

#[test]
fn sweep_renders_one_and_two_parameters() {
    let opts = ChartOptions::default();
    let one = render_sweep(&sweep_1d(), &opts).unwrap();
    assert_eq!(one.file_name, "sweep.png");
    assert_picture(&one, &opts);
    let mut two = render_sweep(&sweep_2d(4), &opts).unwrap();
    assert_picture(&two, &opts);
    two.file_name = "sweep_2d.png";
    // More values of the second parameter than colours: thinned, still readable.
    let mut many = render_sweep(&sweep_2d(12), &opts).unwrap();
    assert_picture(&many, &opts);
    many.file_name = "sweep_2d_many.png";
    save(&[&one, &two, &many]);
}

#[test]
fn tornado_renders() {
    let opts = ChartOptions::default();
    let chart = render_tornado(&tornado(), &opts).unwrap();
    assert_eq!(chart.file_name, "tornado.png");
    assert_picture(&chart, &opts);
    save(&[&chart]);
    for (kind, name) in [
        (ValueKind::Share, "tornado_share.png"),
        (ValueKind::Number, "tornado_number.png"),
    ] {
        let mut chart = render_tornado(&tornado_of(kind), &opts).unwrap();
        assert_picture(&chart, &opts);
        chart.file_name = name;
        save(&[&chart]);
    }
}

#[test]
fn degenerate_inputs_render_without_panic() {
    let opts = ChartOptions {
        width: 640,
        height: 400,
    };
    let check = |chart: &Chart| {
        let image = decode(chart);
        assert_eq!((image.width, image.height), (640, 400));
        assert!(grey_variance(&image) > 50.0, "{}", chart.file_name);
    };
    // No scenario, one scenario, many with long names, one path.
    let long: Vec<Headline> = (0..25)
        .map(|i| {
            headline(
                &format!("a-rather-long-scenario-name-number-{i}"),
                200,
                1e8 * f64::from(i),
                1.0,
            )
        })
        .collect();
    for rows in [
        Vec::new(),
        vec![headline("one", 1, 0.0, 0.0)],
        scenarios()[..1].to_vec(),
        long,
    ] {
        render_comparison(&rows, &opts)
            .unwrap()
            .iter()
            .for_each(check);
    }
    // One point, no points, NaN values.
    let mut single = sweep_1d();
    single.points.truncate(1);
    check(&render_sweep(&single, &opts).unwrap());
    let mut empty = sweep_2d(2);
    empty.points.clear();
    check(&render_sweep(&empty, &opts).unwrap());
    let mut nan = sweep_1d();
    nan.points[2].mean = f64::NAN;
    nan.points[3].stderr = f64::INFINITY;
    check(&render_sweep(&nan, &opts).unwrap());
    // No effect anywhere, no inputs at all.
    let mut flat = tornado();
    for panel in &mut flat.panels {
        panel.low = vec![panel.base; flat.inputs.len()];
        panel.high = panel.low.clone();
    }
    check(&render_tornado(&flat, &opts).unwrap());
    let mut none = tornado();
    none.inputs.clear();
    for panel in &mut none.panels {
        panel.low.clear();
        panel.high.clear();
    }
    check(&render_tornado(&none, &opts).unwrap());
}

#[test]
fn sizes_out_of_range_are_refused() {
    let bad = ChartOptions {
        width: 100,
        height: 1000,
    };
    let invalid = |e: ReportError| matches!(e, ReportError::InvalidSize { .. });
    assert!(invalid(render_comparison(&scenarios(), &bad).unwrap_err()));
    assert!(invalid(render_sweep(&sweep_1d(), &bad).unwrap_err()));
    assert!(invalid(render_tornado(&tornado(), &bad).unwrap_err()));
}
