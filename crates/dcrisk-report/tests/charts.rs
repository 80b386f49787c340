//! Renders every chart from synthetic results and checks what a reader would get: valid
//! PNGs of the requested size with real content, byte-identical on a second render, and
//! no panic on degenerate runs. The reports made from them are tested in `reports`.
//!
//! Set `DCRISK_CHARTS_DIR=/some/dir` to also write the realistic charts there and look.

mod compare;
mod decide;
mod drivers;
mod reports;
mod support;

use std::collections::HashSet;

use dcrisk_core::{Metric, RunResults};
use dcrisk_report::{Chart, ChartOptions, ReportError, chart_file_names, render_all};

/// A decoded 8-bit RGB image.
struct Image {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

fn decode(chart: &Chart) -> Image {
    let decoder = png::Decoder::new(chart.png.as_slice());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{}: not a PNG: {e}", chart.file_name));
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut rgb)
        .unwrap_or_else(|e| panic!("{}: bad image data: {e}", chart.file_name));
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", chart.file_name);
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", chart.file_name);
    rgb.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

/// Variance of the grey level over all pixels (0 for a blank image).
fn grey_variance(image: &Image) -> f64 {
    let greys: Vec<f64> = image
        .rgb
        .chunks_exact(3)
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0)
        .collect();
    let n = greys.len() as f64;
    let mean = greys.iter().sum::<f64>() / n;
    greys.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>() / n
}

fn distinct_colours(image: &Image) -> usize {
    image
        .rgb
        .chunks_exact(3)
        .map(|p| (p[0], p[1], p[2]))
        .collect::<HashSet<_>>()
        .len()
}

/// A PNG of `opts`' size with text, lines and colour on it: grey-level variance well above
/// a blank image's and at least a dozen distinct colours.
fn assert_picture(chart: &Chart, opts: &ChartOptions) {
    let image = decode(chart);
    assert_eq!(
        (image.width, image.height),
        (opts.width, opts.height),
        "{}",
        chart.file_name
    );
    let variance = grey_variance(&image);
    assert!(
        variance > 200.0,
        "{}: grey variance {variance:.1} looks blank",
        chart.file_name
    );
    let colours = distinct_colours(&image);
    assert!(
        colours >= 12,
        "{}: only {colours} distinct colours",
        chart.file_name
    );
}

/// Every chart of a run, in order, each a real picture of `opts`' size.
fn assert_charts(charts: &[Chart], opts: &ChartOptions) {
    let names: Vec<&str> = charts.iter().map(|c| c.file_name).collect();
    assert_eq!(names, chart_file_names());
    for chart in charts {
        assert_picture(chart, opts);
    }
}

fn render(results: &RunResults, opts: &ChartOptions) -> Vec<Chart> {
    render_all(results, opts).expect("rendering succeeds")
}

#[test]
fn realistic_run_renders_every_chart() {
    let results = support::realistic();
    assert_eq!(support::column(&results, Metric::SavingsPv).len(), 20_000);
    let opts = ChartOptions::default();
    let charts = render(&results, &opts);
    assert_charts(&charts, &opts);
    if let Some(dir) = std::env::var_os("DCRISK_CHARTS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        for chart in &charts {
            std::fs::write(std::path::Path::new(&dir).join(chart.file_name), &chart.png).unwrap();
        }
    }
}

#[test]
fn demand_plan_is_drawn_when_the_run_has_it() {
    let opts = ChartOptions {
        width: 960,
        height: 600,
    };
    let without = support::realistic_with(2_000, &["ERCOT"]);
    let mut with = without.clone();
    with.series.push(support::plan_series(with.horizon_months));
    let demand = |r: &RunResults| {
        render(r, &opts)
            .into_iter()
            .find(|c| c.file_name == "demand_capacity.png")
            .unwrap()
    };
    let (a, b) = (demand(&without), demand(&with));
    assert_picture(&b, &opts);
    assert_ne!(a.png, b.png, "the plan line is not drawn");
    if let Some(dir) = std::env::var_os("DCRISK_CHARTS_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        let path = std::path::Path::new(&dir).join("demand_capacity_with_plan.png");
        std::fs::write(path, &b.png).unwrap();
    }
}

#[test]
fn custom_size_is_honoured() {
    let opts = ChartOptions {
        width: 800,
        height: 500,
    };
    let results = support::realistic_with(2_000, &["ERCOT", "PJM", "CAISO"]);
    assert_charts(&render(&results, &opts), &opts);
}

#[test]
fn same_results_give_identical_bytes() {
    let results = support::realistic();
    let opts = ChartOptions::default();
    let first = render(&results, &opts);
    let second = render(&results.clone(), &opts);
    for (a, b) in first.iter().zip(&second) {
        assert!(a.png == b.png, "{} differs between renders", a.file_name);
    }
}

#[test]
fn degenerate_runs_render_without_panic() {
    let opts = ChartOptions {
        width: 960,
        height: 600,
    };
    for results in [support::degenerate(), support::empty()] {
        let charts = render(&results, &opts);
        assert_eq!(charts.len(), chart_file_names().len());
        for chart in &charts {
            let image = decode(chart);
            assert_eq!((image.width, image.height), (960, 600));
            // Even with nothing to plot there are a title, axes and a legend.
            assert!(grey_variance(&image) > 50.0, "{}", chart.file_name);
        }
    }
}

#[test]
fn one_to_eight_regions_render() {
    const REGIONS: [&str; 8] = [
        "ERCOT", "PJM", "CAISO", "MISO", "SPP", "NYISO", "ISO-NE", "BPA",
    ];
    let opts = ChartOptions {
        width: 960,
        height: 600,
    };
    for n in 1..=REGIONS.len() {
        let results = support::realistic_with(300, &REGIONS[..n]);
        assert_charts(&render(&results, &opts), &opts);
    }
}

#[test]
fn sizes_out_of_range_are_refused() {
    let results = support::degenerate();
    for (width, height) in [(0, 0), (100, 1000), (1600, 10_000)] {
        let err = render_all(&results, &ChartOptions { width, height }).unwrap_err();
        assert!(
            matches!(err, ReportError::InvalidSize { .. }),
            "{width}x{height}: {err}"
        );
        assert!(err.to_string().contains(&format!("{width}x{height}")));
    }
}

#[test]
fn non_finite_values_do_not_panic() {
    let mut results = support::realistic_with(500, &["ERCOT"]);
    for column in &mut results.metrics.columns {
        column[3] = f64::NAN;
        column[7] = f64::INFINITY;
    }
    for series in &mut results.series {
        series.months[5].p95 = f64::NAN;
        series.months[6].mean = f64::NEG_INFINITY;
    }
    let opts = ChartOptions {
        width: 800,
        height: 500,
    };
    // Every chart, then contracts.png (a guarantee-fails column of infinities counts as
    // failures).
    let names: Vec<&str> = render(&results, &opts)
        .iter()
        .map(|c| c.file_name)
        .collect();
    assert_eq!(names[..chart_file_names().len()], chart_file_names());
}

/// `contracts.png` is drawn, after the others, only for a run whose signing differs
/// between paths or whose guarantor can fail; non-finite values do not stop it.
#[test]
fn contracts_chart_only_where_it_applies() {
    use dcrisk_core::Metric;
    let opts = ChartOptions {
        width: 800,
        height: 500,
    };
    let mut results = support::realistic_with(500, &["ERCOT"]);
    let plain = render_all(&results, &opts).unwrap();
    assert!(plain.iter().all(|c| c.file_name != "contracts.png"));
    let n = results.metrics.len();
    results.metrics.columns[Metric::SignedCapacityMw.index()] =
        (0..n).map(|i| 800.0 + 50.0 * (i % 7) as f64).collect();
    results.metrics.columns[Metric::OwedPayoutPv.index()] =
        results.metrics.columns[Metric::GuarantorPayoutPv.index()].clone();
    results.metrics.columns[Metric::BreakFeesPv.index()] =
        (0..n).map(|i| 1e7 * (i % 3) as f64).collect();
    let charts = render_all(&results, &opts).unwrap();
    assert_eq!(charts.len(), chart_file_names().len() + 1);
    let last = charts.last().unwrap();
    assert_eq!(last.file_name, "contracts.png");
    assert_picture(last, &opts);
    results.metrics.columns[Metric::BreakFeesPv.index()][3] = f64::NAN;
    results.metrics.columns[Metric::OwedPayoutPv.index()][5] = f64::INFINITY;
    let charts = render_all(&results, &opts).unwrap();
    assert_eq!(charts.last().unwrap().file_name, "contracts.png");
}
