//! The random-number floor: the time to draw just the variates a run needs, with the same
//! generators, distributions and counts as the engine, and nothing else. The engine can be
//! no faster than this; benchmarks report its time as a multiple of it.

use std::ops::Range;

use rayon::prelude::*;

use super::model::Model;
use super::path::PathStreams;
use super::run::chunk_ranges;

/// Draws every variate of paths `range` of a run and returns their sum (so that the work
/// cannot be optimised away), in parallel over the same chunks as the engine.
pub fn random_floor(model: &Model, seed: u64, range: Range<u64>) -> f64 {
    let sums: Vec<f64> = chunk_ranges(range)
        .par_iter()
        .map(|c| {
            let mut buf = vec![0.0; model.months.saturating_sub(1)];
            c.clone()
                .map(|p| path_draws(model, seed, p, &mut buf))
                .sum::<f64>()
        })
        .collect();
    sums.iter().sum()
}

/// One path's draws, in the engine's order: delays, copula, tenant clock, each region's
/// jumps, the busts, then each month's shocks.
fn path_draws(model: &Model, seed: u64, path: u64, buf: &mut [f64]) -> f64 {
    let mut streams = PathStreams::new(model, seed, path);
    let main = &mut streams.main;
    let mut acc = 0.0;
    for _ in &model.sites {
        acc += main.uniform();
    }
    for _ in 0..=model.landlords.len() {
        acc += main.normal();
    }
    acc += main.uniform();
    for p in &model.power {
        p.jumps(&mut streams.jumps, buf);
        acc += buf.iter().sum::<f64>();
    }
    model.demand.bust_drops(&mut streams.busts, buf);
    acc += buf.iter().sum::<f64>();
    for _ in 0..buf.len() * model.shocks.factors() {
        acc += main.normal();
    }
    acc
}
