//! dcrisk-report: PNG charts of a dcrisk run, for an investment committee.
//!
//! Every chart is drawn in memory with plotters into an RGB buffer and encoded to PNG
//! here, so the caller decides where (and how atomically) the bytes land on disk. The
//! font (DejaVu Sans) is embedded, so rendering needs no system fonts and the same
//! [`RunResults`] always gives byte-identical PNGs.
//!
//! Layout of the crate, so that charts comparing several scenarios can be added beside
//! the single-run ones without touching them:
//! - shared building blocks: [`format`](mod@format) (money, percent and count formatting),
//!   `palette` (Okabe-Ito colours), `font` (embedded font), `png` (encoding),
//!   `theme` (text sizes scaled to the image), `frame` (title, plot and legend areas),
//!   `axis` (ticks, label formats, category axes, log axes), `legend`, `fan` (quantile
//!   fan drawing), `marks` (tagged reference lines), `units` (units of swept parameters) and `data` (histograms, ECDFs,
//!   exceedance curves, running means);
//! - `charts/`: one file per chart family, each a function from a run to a drawing;
//! - reports: [`decisions`] (what the reports of `solve`, `frontier` and a two-level
//!   run add), [`report`] (what a report shows: [`ReportInput`], the headline figures per
//!   party), `inputs` (the scenario tree laid out, overrides marked) and [`html`]
//!   (report.html and comparison.html, self-contained), [`xlsx`] (report.xlsx and
//!   comparison.xlsx).
//!
//! Charts of several runs sit beside [`render_all`] and share its building blocks:
//! [`render_comparison`] (`charts/compare.rs`: savings box plots, VaR/ES bars, the
//! guarantor's expected loss and peak PFE, from each run's [`Headline`] figures),
//! [`render_sweep`] (`charts/sweep.rs`) and [`render_tornado`] (`charts/tornado.rs`).
//!
//! Money is written one way everywhere, by [`format_money`] (and [`format_signed_money`]
//! for changes); the dcrisk command uses them for its terminal tables too.
//!
//! # Examples
//! ```
//! use dcrisk_report::{ChartOptions, format_money};
//! let opts = ChartOptions::default();
//! assert_eq!((opts.width, opts.height), (1600, 1000));
//! assert_eq!(format_money(-250e3), "-$250k");
//! ```

#![forbid(unsafe_code)]

mod axis;
mod canvas;
mod charts;
mod data;
pub mod decisions;
mod error;
mod fan;
mod font;
pub mod format;
mod frame;
pub mod html;
mod inputs;
mod legend;
mod marks;
mod palette;
mod png;
pub mod report;
mod theme;
mod units;
pub mod xlsx;

pub use decisions::{FrontierReport, FrontierRow, SolveReport, TwoLevel};
pub use error::ReportError;
pub use format::{format_money, format_signed_money};
pub use report::{Figure, Party, ReportInput, figures, metric_kind};
// Charts of several runs: scenario comparison, parameter sweep, tornado sensitivity.
pub use charts::compare::{COMPARISON_FILES, render_comparison, render_comparison_with_base};
pub use charts::decide::{
    FRONTIER_FILE, FrontierChart, SOLVE_FILE, SolveChart, render_frontier, render_solve,
};
pub use charts::sweep::{
    MAX_GROUPS, SWEEP_FILE, SweepChart, SweepParameter, SweepPoint, ValueKind, render_sweep,
};
pub use charts::tornado::{TORNADO_FILE, Tornado, TornadoPanel, render_tornado};
// Charts of a run with uncertain inputs: its drivers and the spread over outer samples.
pub use charts::drivers::{
    DRIVERS_FILE, DriverBar, Drivers, OuterSpread, SPREAD_FILE, render_drivers, render_outer_spread,
};
/// The headline figures the comparison charts draw (defined in the core, beside the run).
pub use dcrisk_core::Headline;

use dcrisk_core::RunResults;
use rayon::prelude::*;

/// The smallest and largest side, in pixels, a chart may have: below the minimum the
/// text no longer fits, above the maximum one image would need hundreds of megabytes.
pub const MIN_SIDE: u32 = 320;
/// See [`MIN_SIDE`].
pub const MAX_SIDE: u32 = 8192;

/// Size of every chart, in pixels. Text and line widths scale with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for ChartOptions {
    /// 1600x1000: sharp on a projector and readable when printed on A4.
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
        }
    }
}

/// One rendered chart: the file name it should be written under and its PNG bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub file_name: &'static str,
    pub png: Vec<u8>,
}

/// The file names [`render_all`] produces for every run, in order; a run with contract
/// terms (docs/MODEL.md section 8) also gets `contracts.png`, last.
pub fn chart_file_names() -> Vec<&'static str> {
    charts::ALL.iter().map(|spec| spec.file_name).collect()
}

/// Renders every single-run chart of `results` at the size in `opts`.
///
/// Degenerate results (one path, all values equal, missing series) still give a chart
/// for every file name, with a note where there is nothing to show, so a caller never
/// has to special-case them.
///
/// # Errors
/// [`ReportError::InvalidSize`] when a side is outside [`MIN_SIDE`]..=[`MAX_SIDE`];
/// the other variants only if drawing or encoding fails, which is a bug.
pub fn render_all(results: &RunResults, opts: &ChartOptions) -> Result<Vec<Chart>, ReportError> {
    render_all_noted(results, opts, "")
}

/// [`render_all`] with `note` said in every chart's subtitle after the run's identity
/// (paths, seed, horizon), e.g. `overrides: guarantee.cap=0`; an empty note changes
/// nothing, so the charts are those of [`render_all`] byte for byte.
///
/// # Errors
/// As [`render_all`].
pub fn render_all_noted(
    results: &RunResults,
    opts: &ChartOptions,
    note: &str,
) -> Result<Vec<Chart>, ReportError> {
    check_size(opts)?;
    font::register()?;
    let ctx = charts::Ctx::new(results, opts, note);
    // A run that kept only summaries (`--sketch`) has no per-path values to plot.
    let has_paths = results.summaries.is_none();
    let contracts: &[charts::ChartSpec] = match has_paths && charts::contracts::applies(&ctx) {
        true => &charts::CONTRACTS,
        false => &[],
    };
    // Charts are independent: drawn in parallel, returned in their fixed order.
    charts::ALL
        .par_iter()
        .chain(contracts.par_iter())
        .filter(|spec| has_paths || !spec.needs_paths)
        .map(|spec| {
            let png = canvas::render_png(spec.file_name, opts, |root| (spec.draw)(&ctx, root))?;
            Ok(Chart {
                file_name: spec.file_name,
                png,
            })
        })
        .collect()
}

fn check_size(opts: &ChartOptions) -> Result<(), ReportError> {
    let ok = |side: u32| (MIN_SIDE..=MAX_SIDE).contains(&side);
    if ok(opts.width) && ok(opts.height) {
        Ok(())
    } else {
        Err(ReportError::InvalidSize {
            width: opts.width,
            height: opts.height,
            min: MIN_SIDE,
            max: MAX_SIDE,
        })
    }
}
