//! The charts of a two-level run: drivers.png (what drives mean savings) and
//! uncertainty.png (mean savings over the outer samples), from the core's results.

use anyhow::{Context, Result};
use dcrisk_core::uncertain::{DriverRow, OuterRun, Plan, Sampling};
use dcrisk_core::{Metric, RunResults};
use dcrisk_report::{Chart, ChartOptions, DriverBar, Drivers, OuterSpread};

use crate::cli::ChartArgs;

/// How the outer samples were drawn, how the indices are estimated, and the inner
/// paths: the charts' subtitles and the report's note.
pub struct Method {
    pub design: String,
    pub estimator: &'static str,
    pub inner: String,
}

impl Method {
    pub fn of(pooled: &RunResults, outer: &OuterRun, plan: &Plan) -> Method {
        let evaluations = outer.samples.len();
        let per_sample = pooled.paths / evaluations.max(1) as u64;
        let drawn = match plan.sampling {
            Sampling::LatinHypercube => "Latin-hypercube",
            Sampling::MonteCarlo => "Monte Carlo",
        };
        let (design, estimator) = match plan.sobol {
            true => (
                format!(
                    "Saltelli design ({drawn}): {} base samples, {evaluations} outer samples",
                    plan.samples
                ),
                "Jansen's estimators",
            ),
            false => (
                format!("{evaluations} {drawn} outer samples"),
                "given-data first-order estimator",
            ),
        };
        let inner = format!(
            "{per_sample} inner paths each (common random numbers) · seed {}",
            pooled.seed
        );
        Method {
            design,
            estimator,
            inner,
        }
    }

    /// The whole method in one line.
    pub fn line(&self) -> String {
        format!("{}; {} · {}", self.design, self.estimator, self.inner)
    }
}

/// Both charts, unless charts are switched off.
pub fn charts(
    args: &ChartArgs,
    pooled: &RunResults,
    outer: &OuterRun,
    keys: &[&str],
    rows: &[DriverRow],
    plan: &Plan,
) -> Result<Vec<Chart>> {
    if args.no_charts {
        return Ok(Vec::new());
    }
    let (width, height) = args.chart_size;
    let opts = ChartOptions { width, height };
    let m = Method::of(pooled, outer, plan);
    let (design, inner) = (&m.design, &m.inner);
    let method = m.line();
    let bars = rows
        .iter()
        .filter(|r| r.metric == Metric::SavingsPv)
        .map(|r| DriverBar {
            input: keys[r.input].to_string(),
            first_order: (r.first_order.estimate, r.first_order.lo, r.first_order.hi),
            total: r.total.map(|t| (t.estimate, t.lo, t.hi)),
            spearman: r.spearman,
        })
        .collect();
    let drivers = Drivers {
        scenario: pooled.scenario.clone(),
        subject: "mean savings (PV)".into(),
        method: method.clone(),
        bars,
    };
    let spread = OuterSpread {
        scenario: pooled.scenario.clone(),
        subject: "Mean savings (PV)".into(),
        subtitle: format!("{design} · {inner}"),
        means: outer
            .samples
            .iter()
            .map(|f| f.mean[Metric::SavingsPv.index()])
            .collect(),
        pooled_mean: pooled.metric_stat(Metric::SavingsPv).mean,
    };
    let charts = [
        dcrisk_report::render_drivers(&drivers, &opts),
        dcrisk_report::render_outer_spread(&spread, &opts),
    ];
    charts
        .into_iter()
        .map(|c| c.context("cannot render the drivers charts"))
        .collect()
}
