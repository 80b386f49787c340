//! The random-number floor: the time to draw just the variates a run needs, with the same
//! generators, distributions and counts as the engine, and nothing else. The engine can be
//! no faster than this; benchmarks report its time as a multiple of it.

use std::ops::Range;

use rayon::prelude::*;

use super::model::Model;
use super::run::chunk_ranges;
use crate::random::{Draws, Stream};

/// Draws every variate of paths `range` of a run and returns their sum (so that the work
/// cannot be optimised away), in parallel over the same chunks as the engine.
pub fn random_floor(model: &Model, seed: u64, range: Range<u64>) -> f64 {
    let sums: Vec<f64> = chunk_ranges(range)
        .par_iter()
        .map(|c| {
            let mut jumps = vec![0.0; model.months.saturating_sub(1)];
            c.clone()
                .map(|p| path_draws(model, seed, p, &mut jumps))
                .sum::<f64>()
        })
        .collect();
    sums.iter().sum()
}

/// One path's draws, in the engine's order: delays, copula, tenant clock, each region's
/// jumps, then each month's shocks and busts.
fn path_draws(model: &Model, seed: u64, path: u64, jump_buf: &mut [f64]) -> f64 {
    let mut main = Draws::new(seed, path, Stream::Main, model.antithetic);
    let mut jumps = Draws::new(seed, path, Stream::Jumps, model.antithetic);
    let mut acc = 0.0;
    for _ in &model.sites {
        acc += main.uniform();
    }
    for _ in 0..=model.landlords.len() {
        acc += main.normal();
    }
    acc += main.uniform();
    for p in &model.power {
        p.jumps(&mut jumps, jump_buf);
        acc += jump_buf.iter().sum::<f64>();
    }
    for _ in 0..model.months.saturating_sub(1) {
        for _ in 0..model.shocks.factors() {
            acc += main.normal();
        }
        acc += model.demand.busts(&mut main) as f64;
    }
    acc
}
