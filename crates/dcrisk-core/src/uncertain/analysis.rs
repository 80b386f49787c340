//! drivers.csv's rows: every index of every input for every metric's mean, from the outer
//! samples of one run.

use rayon::prelude::*;

use super::drivers::{Interval, first_order_interval, jansen_intervals, spearman, worst5};
use super::inputs::UncertainScenario;
use super::outer::SampleFigures;
use super::sampling::{Sampling, design, saltelli};
use crate::metrics::Metric;

/// A two-level run's outer design: how many samples, drawn how, and whether they form
/// a Saltelli design (`--sobol`: `samples` base samples, `samples (k + 2)` evaluations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub samples: usize,
    pub sampling: Sampling,
    pub sobol: bool,
}

impl Plan {
    /// Outer evaluations for `k` inputs.
    pub fn evaluations(&self, k: usize) -> usize {
        match self.sobol {
            true => self.samples * (k + 2),
            false => self.samples,
        }
    }

    /// The inputs' values of every outer evaluation, in uncertainty.csv's row order.
    pub fn values(&self, scenario: &UncertainScenario, seed: u64) -> Vec<Vec<f64>> {
        let k = scenario.inputs.len();
        let u = match self.sobol {
            true => saltelli(self.sampling, self.samples, k, seed),
            false => design(self.sampling, self.samples, k, seed),
        };
        u.iter().map(|row| scenario.values_at(row)).collect()
    }

    /// The evaluations that are independent draws of the inputs (all of them, or the A
    /// and B rows of a Saltelli design): the given-data estimators and the worst 5% use
    /// these.
    fn independent(&self, total: usize) -> usize {
        match self.sobol {
            true => 2 * self.samples,
            false => total,
        }
    }
}

/// One row of drivers.csv. `first_order` is Jansen's on a Saltelli design, else the
/// given-data estimate; `total` only on a Saltelli design.
#[derive(Clone, Debug, PartialEq)]
pub struct DriverRow {
    pub input: usize,
    pub metric: Metric,
    pub spearman: f64,
    pub first_order: Interval,
    pub total: Option<Interval>,
    pub worst5_mean: f64,
    pub overall_mean: f64,
}

/// Every input's indices for every metric's mean (inputs outer, metrics inner), each
/// with its own bootstrap stream, computed in parallel in a fixed order.
pub fn driver_rows(
    plan: &Plan,
    values: &[Vec<f64>],
    figures: &[SampleFigures],
    seed: u64,
) -> Vec<DriverRow> {
    let k = values.first().map_or(0, Vec::len);
    let n = plan.independent(values.len());
    let savings: Vec<f64> = figures[..n].iter().map(|f| f.mean[0]).collect();
    let pairs: Vec<(usize, Metric)> = (0..k)
        .flat_map(|i| Metric::OUTPUT.into_iter().map(move |m| (i, m)))
        .collect();
    pairs
        .par_iter()
        .map(|&(i, metric)| {
            let x: Vec<f64> = values[..n].iter().map(|r| r[i]).collect();
            let y: Vec<f64> = figures[..n]
                .iter()
                .map(|f| f.mean[metric.index()])
                .collect();
            let stream = (i * Metric::OUTPUT.len() + metric.index()) as u64;
            let (first_order, total) = match plan.sobol {
                true => {
                    let column = |block: usize| -> Vec<f64> {
                        let s = plan.samples;
                        figures[block * s..(block + 1) * s]
                            .iter()
                            .map(|f| f.mean[metric.index()])
                            .collect()
                    };
                    let (f, t) =
                        jansen_intervals(&column(0), &column(1), &column(2 + i), seed, stream);
                    (f, Some(t))
                }
                false => (first_order_interval(&x, &y, seed, stream), None),
            };
            let (worst5_mean, overall_mean) = worst5(&x, &savings);
            DriverRow {
                input: i,
                metric,
                spearman: spearman(&x, &y),
                first_order,
                total,
                worst5_mean,
                overall_mean,
            }
        })
        .collect()
}
