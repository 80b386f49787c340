//! The single-run charts, one file per family. Each chart is a function drawing on the
//! whole canvas from a shared [`Ctx`]; [`ALL`] lists them with their file names.

mod breakdown;
pub(crate) mod compare;
pub(crate) mod contracts;
mod convergence;
pub(crate) mod decide;
mod default_curve;
pub(crate) mod drivers;
mod fans;
mod guarantor;
mod landlord;
pub(crate) mod savings;
pub(crate) mod sweep;
pub(crate) mod tornado;

use std::sync::OnceLock;

use dcrisk_core::stats::{mean_std, summarize_metric};
use dcrisk_core::{Metric, MetricStats, Probabilities, RunResults, SeriesSummary};

use crate::ChartOptions;
use crate::axis::{self, Area, Axis, TimeScale};
use crate::data;
use crate::error::DrawResult;
use crate::format::format_number;
use crate::frame;
use crate::legend::Legend;
use crate::theme::Theme;

/// A chart: its file name and how to draw it.
pub(crate) struct ChartSpec {
    pub file_name: &'static str,
    pub draw: fn(&Ctx, &Area) -> DrawResult,
    /// Whether the chart plots every path's value (not drawable from summaries alone).
    pub needs_paths: bool,
}

/// Every single-run chart, in the order [`crate::render_all`] returns them.
pub(crate) const ALL: [ChartSpec; 10] = [
    ChartSpec {
        file_name: "savings_histogram.png",
        draw: savings::histogram,
        needs_paths: true,
    },
    ChartSpec {
        file_name: "savings_cdf.png",
        draw: savings::cdf,
        needs_paths: true,
    },
    ChartSpec {
        file_name: "cost_fan.png",
        draw: fans::cost,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "power_prices.png",
        draw: fans::power_prices,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "demand_capacity.png",
        draw: fans::demand_capacity,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "guarantor_exposure.png",
        draw: guarantor::exposure,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "default_curve.png",
        draw: default_curve::default_curve,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "landlord_defaults.png",
        draw: landlord::defaults,
        needs_paths: true,
    },
    ChartSpec {
        file_name: "cost_breakdown.png",
        draw: breakdown::cost_breakdown,
        needs_paths: false,
    },
    ChartSpec {
        file_name: "convergence.png",
        draw: convergence::convergence,
        needs_paths: true,
    },
];

/// The charts of the contract terms (docs/MODEL.md 8), after [`ALL`]'s, for runs that
/// have them ([`contracts::applies`]).
pub(crate) const CONTRACTS: [ChartSpec; 1] = [ChartSpec {
    file_name: "contracts.png",
    draw: contracts::contracts,
    needs_paths: true,
}];

/// What every chart of one run needs, computed once.
pub(crate) struct Ctx<'r> {
    pub results: &'r RunResults,
    pub theme: Theme,
    pub probabilities: Probabilities,
    /// Said in every subtitle after the run's identity (e.g. `overrides: guarantee.cap=0`);
    /// empty for none.
    pub note: String,
    /// Statistics of metric columns, computed on first use with the same function as
    /// `RunResults::metric_stats` (so the numbers match summary.json) but only for the
    /// metrics whose quantiles a chart shows: at a million paths each costs a sort.
    stats: [OnceLock<MetricStats>; Metric::EVERY.len()],
    /// Sorted copies of metric columns, made on first use: several charts need the same
    /// one, and sorting a million values is the costliest step of a chart.
    sorted: [OnceLock<Vec<f64>>; Metric::EVERY.len()],
}

impl<'r> Ctx<'r> {
    pub(crate) fn new(results: &'r RunResults, opts: &ChartOptions, note: &str) -> Self {
        Ctx {
            results,
            theme: Theme::new(opts),
            probabilities: results.probabilities(),
            note: note.to_string(),
            stats: Default::default(),
            sorted: Default::default(),
        }
    }

    /// Statistics of one metric (all zeros if the run has none); from the run's
    /// summaries when it kept no per-path values.
    pub(crate) fn stat(&self, metric: Metric) -> MetricStats {
        *self.stats[metric.index()].get_or_init(|| match &self.results.summaries {
            Some(_) => self.results.metric_stat(metric),
            None => summarize_metric(self.values(metric)),
        })
    }

    /// Mean of one metric over all paths, without sorting (0 if the run has none).
    pub(crate) fn mean(&self, metric: Metric) -> f64 {
        match &self.results.summaries {
            Some(_) => self.stat(metric).mean,
            None => mean_std(self.values(metric)).0,
        }
    }

    /// Per-path values of one metric, in path order (empty if the run has none).
    pub(crate) fn values(&self, metric: Metric) -> &'r [f64] {
        let columns = &self.results.metrics.columns;
        columns.get(metric.index()).map_or(&[], Vec::as_slice)
    }

    /// Finite per-path values of one metric, sorted ascending.
    pub(crate) fn sorted(&self, metric: Metric) -> &[f64] {
        self.sorted[metric.index()].get_or_init(|| data::sorted_finite(self.values(metric)))
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

    /// The run's time axis with at most about `max_ticks` ticks.
    pub(crate) fn time_axis(&self, max_ticks: usize) -> (Axis, TimeScale) {
        axis::time_axis(
            self.results.horizon_months,
            self.results.start_month,
            max_ticks,
        )
    }

    /// A chart title: what it shows, then the scenario.
    pub(crate) fn title(&self, what: &str) -> String {
        format!("{what} — {}", self.results.scenario)
    }

    /// Lays out a page (title, subtitle, the legend beside the plot) and returns the
    /// plot area.
    pub(crate) fn page<'b>(
        &self,
        root: &Area<'b>,
        title: &str,
        subtitle: &str,
        legend: &Legend,
    ) -> DrawResult<Area<'b>> {
        frame::page(root, &self.theme, title, subtitle, legend)
    }

    /// The run's identity line, followed by a chart-specific remark.
    pub(crate) fn subtitle(&self, remark: &str) -> String {
        let paths = self.results.paths;
        let noun = if paths == 1 { "path" } else { "paths" };
        let count = format_number(paths as f64, 0);
        let horizon = self.results.horizon_months;
        let mut base = format!(
            "{count} {noun} · seed {} · {horizon}-month horizon",
            self.results.seed
        );
        if !self.note.is_empty() {
            base = format!("{base} · {}", self.note);
        }
        if remark.is_empty() {
            base
        } else {
            format!("{base} · {remark}")
        }
    }
}
