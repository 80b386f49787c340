//! The random-number floor: the time to draw just the variates a run needs, with the same
//! generators, distributions and counts as the engine, and nothing else. The engine can be
//! no faster than this; benchmarks report its time as a multiple of it.

use std::ops::Range;

use rayon::prelude::*;

use super::config::RunConfig;
use super::driver::chunk_ranges;
use super::model::Model;
use super::scratch::Scratch;
use super::states::{PathStreams, draw_monthly, draw_path_events};

/// Draws every variate of paths `range` of a run, with the engine's own drawing code, and
/// returns a checksum (so that the work cannot be optimised away), in parallel over the
/// same chunks as the engine, handed out one at a time as there.
pub fn random_floor(model: &Model, config: &RunConfig, range: Range<u64>) -> f64 {
    let sums: Vec<f64> = chunk_ranges(range)
        .par_iter()
        .with_max_len(1)
        .map(|c| {
            let mut scratch = Scratch::new(model);
            c.clone()
                .map(|p| path_draws(model, config, p, &mut scratch))
                .sum::<f64>()
        })
        .collect();
    sums.iter().sum()
}

/// One path's draws, by the path's own routines ([`draw_path_events`], then
/// [`draw_monthly`]), which also turn the once-per-path draws into delivery and default
/// months (a few operations per site and landlord, against some 1,400 normals). The
/// checksum reads one value of each kind.
fn path_draws(model: &Model, config: &RunConfig, path: u64, scratch: &mut Scratch) -> f64 {
    let mut streams = PathStreams::new(config.seed, path, config.techniques.antithetic);
    let events = draw_path_events(model, &mut streams.main, scratch);
    draw_monthly(model, scratch, &mut streams);
    events.tenant_threshold + scratch.checksum()
}
