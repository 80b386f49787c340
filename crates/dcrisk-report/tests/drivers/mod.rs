//! The charts of a run with uncertain inputs: real pictures, the same bytes on a second
//! render, and no panic without inputs or with indices that are not numbers.

use dcrisk_report::{
    ChartOptions, DriverBar, Drivers, OuterSpread, render_drivers, render_outer_spread,
};

use super::assert_picture;

fn drivers(total: bool) -> Drivers {
    let bar = |input: &str, s: f64, rho: f64| DriverBar {
        input: input.to_string(),
        first_order: (s, s - 0.08, s + 0.1),
        total: total.then_some((s + 0.05, s - 0.02, s + 0.12)),
        spearman: rho,
    };
    Drivers {
        scenario: "test".into(),
        subject: "mean savings (PV)".into(),
        method: "64 Latin-hypercube outer samples".into(),
        bars: vec![
            bar("hardware.capex_per_mw", 0.2, -0.4),
            bar("cloud.price0", 0.5, 0.7),
            bar("tenant.annual_pd", -0.01, 0.02),
        ],
    }
}

fn spread() -> OuterSpread {
    OuterSpread {
        scenario: "test".into(),
        subject: "Mean savings (PV)".into(),
        subtitle: "64 outer samples".into(),
        means: (0..64).map(|i| (i as f64 - 10.0) * 1e9).collect(),
        pooled_mean: 21.5e9,
    }
}

#[test]
fn drivers_charts_are_pictures_and_repeat_bit_for_bit() {
    let opts = ChartOptions::default();
    for total in [false, true] {
        let chart = render_drivers(&drivers(total), &opts).unwrap();
        assert_eq!(chart.file_name, "drivers.png");
        assert_picture(&chart, &opts);
        assert_eq!(
            chart.png,
            render_drivers(&drivers(total), &opts).unwrap().png
        );
    }
    let chart = render_outer_spread(&spread(), &opts).unwrap();
    assert_eq!(chart.file_name, "uncertainty.png");
    assert_picture(&chart, &opts);
    if let Ok(dir) = std::env::var("DCRISK_CHARTS_DIR") {
        std::fs::write(
            format!("{dir}/drivers.png"),
            render_drivers(&drivers(true), &opts).unwrap().png,
        )
        .unwrap();
        std::fs::write(format!("{dir}/uncertainty.png"), chart.png).unwrap();
    }
}

#[test]
fn degenerate_drivers_render_without_panic() {
    let opts = ChartOptions::default();
    let mut empty = drivers(false);
    empty.bars.clear();
    render_drivers(&empty, &opts).unwrap();
    let mut nan = drivers(true);
    nan.bars[0].first_order = (f64::NAN, f64::NAN, f64::NAN);
    nan.bars[1].total = Some((f64::INFINITY, f64::NAN, 1.0));
    render_drivers(&nan, &opts).unwrap();
    let mut flat = spread();
    flat.means = vec![5e9; 10];
    render_outer_spread(&flat, &opts).unwrap();
    flat.means.clear();
    render_outer_spread(&flat, &opts).unwrap();
}
