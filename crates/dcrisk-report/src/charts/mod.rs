//! The single-run charts, one file per family. Each chart is a function drawing on the
//! whole canvas from a shared [`Ctx`]; [`ALL`] lists them with their file names.

mod breakdown;
mod convergence;
mod fans;
mod guarantor;
mod landlord;
mod savings;

use dcrisk_core::{Metric, MetricStats, Probabilities, RunResults, SeriesSummary};

use crate::ChartOptions;
use crate::axis::Area;
use crate::error::DrawResult;
use crate::format::format_number;
use crate::theme::Theme;

/// A chart: its file name and how to draw it.
pub(crate) struct ChartSpec {
    pub file_name: &'static str,
    pub draw: fn(&Ctx, &Area) -> DrawResult,
}

/// Every single-run chart, in the order [`crate::render_all`] returns them.
pub(crate) const ALL: [ChartSpec; 9] = [
    ChartSpec {
        file_name: "savings_histogram.png",
        draw: savings::histogram,
    },
    ChartSpec {
        file_name: "savings_cdf.png",
        draw: savings::cdf,
    },
    ChartSpec {
        file_name: "cost_fan.png",
        draw: fans::cost,
    },
    ChartSpec {
        file_name: "power_prices.png",
        draw: fans::power_prices,
    },
    ChartSpec {
        file_name: "demand_capacity.png",
        draw: fans::demand_capacity,
    },
    ChartSpec {
        file_name: "guarantor_exposure.png",
        draw: guarantor::exposure,
    },
    ChartSpec {
        file_name: "landlord_defaults.png",
        draw: landlord::defaults,
    },
    ChartSpec {
        file_name: "cost_breakdown.png",
        draw: breakdown::cost_breakdown,
    },
    ChartSpec {
        file_name: "convergence.png",
        draw: convergence::convergence,
    },
];

/// What every chart of one run needs, computed once.
pub(crate) struct Ctx<'r> {
    pub results: &'r RunResults,
    pub theme: Theme,
    pub probabilities: Probabilities,
    stats: Vec<(Metric, MetricStats)>,
}

impl<'r> Ctx<'r> {
    pub(crate) fn new(results: &'r RunResults, opts: &ChartOptions) -> Self {
        Ctx {
            results,
            theme: Theme::new(opts),
            probabilities: results.probabilities(),
            stats: results.metric_stats(),
        }
    }

    /// Statistics of one metric (all zeros if the run has none).
    pub(crate) fn stat(&self, metric: Metric) -> MetricStats {
        self.stats
            .iter()
            .find(|(m, _)| *m == metric)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    /// Per-path values of one metric, in path order (empty if the run has none).
    pub(crate) fn values(&self, metric: Metric) -> &'r [f64] {
        let columns = &self.results.metrics.columns;
        columns.get(metric.index()).map_or(&[], Vec::as_slice)
    }

    /// The per-month series with this output name, if the run has it with data.
    pub(crate) fn series(&self, name: &str) -> Option<&'r SeriesSummary> {
        self.results
            .series
            .iter()
            .find(|s| s.name == name && !s.months.is_empty())
    }

    /// Number of paths actually held in the metrics.
    pub(crate) fn paths(&self) -> usize {
        self.results.metrics.len()
    }

    /// A chart title: what it shows, then the scenario.
    pub(crate) fn title(&self, what: &str) -> String {
        format!("{what} — {}", self.results.scenario)
    }

    /// The run's identity line, followed by a chart-specific remark.
    pub(crate) fn subtitle(&self, remark: &str) -> String {
        let paths = format_number(self.paths() as f64, 0);
        let horizon = self.results.horizon_months;
        let base = format!(
            "{paths} paths · seed {} · {horizon}-month horizon",
            self.results.seed
        );
        if remark.is_empty() {
            base
        } else {
            format!("{base} · {remark}")
        }
    }
}
