//! The random-number floor: the time to draw just the variates a run needs, with the same
//! generators, distributions and counts as the engine, and nothing else. The engine can be
//! no faster than this; benchmarks report its time as a multiple of it.

use std::ops::Range;

use rayon::prelude::*;

use super::model::Model;
use super::path::{PathStreams, Scratch, draw_monthly};
use super::run::chunk_ranges;

/// Draws every variate of paths `range` of a run, with the engine's own drawing code, and
/// returns a checksum (so that the work cannot be optimised away), in parallel over the
/// same chunks as the engine, handed out one at a time as there.
pub fn random_floor(model: &Model, seed: u64, range: Range<u64>) -> f64 {
    let sums: Vec<f64> = chunk_ranges(range)
        .par_iter()
        .with_max_len(1)
        .map(|c| {
            let mut scratch = Scratch::new(model);
            c.clone()
                .map(|p| path_draws(model, seed, p, &mut scratch))
                .sum::<f64>()
        })
        .collect();
    sums.iter().sum()
}

/// One path's draws, as the engine makes them: delays, copula and tenant clock, then
/// [`draw_monthly`]. The checksum reads one value of each kind.
fn path_draws(model: &Model, seed: u64, path: u64, scratch: &mut Scratch) -> f64 {
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
    draw_monthly(model, scratch, &mut streams);
    acc + scratch.checksum()
}
