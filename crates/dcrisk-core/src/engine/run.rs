//! The engine's entry: [`simulate`] runs a whole scenario as a [`RunConfig`] says,
//! [`simulate_part`] one slice of its paths (a shard).

use std::ops::Range;

use super::config::{Progress, RunConfig};
use super::converge::simulate_to_precision;
use super::driver::{PartialRun, RunMeta, finish, simulate_range};
use super::model::Model;
use crate::results::RunResults;
use crate::scenario::Scenario;

/// Runs `scenario` as `config` says, on the current rayon pool: the one entry to the
/// engine for a whole run (shards use [`simulate_part`]).
pub fn simulate(scenario: &Scenario, config: &RunConfig, progress: &dyn Progress) -> RunResults {
    let model = Model::new(scenario);
    let meta = RunMeta::of_model(scenario, &model, config.seed).with_techniques(config.techniques);
    match config.precision {
        Some(goal) => simulate_to_precision(&model, &meta, config, goal, progress),
        None => finish(
            &meta,
            simulate_range(&model, config, 0..config.total_paths(), progress),
        ),
    }
}

/// Runs one slice `range` of the global path index space of `scenario` (a shard), to be
/// merged with the other slices into the whole run's results.
pub fn simulate_part(
    scenario: &Scenario,
    config: &RunConfig,
    range: Range<u64>,
    progress: &dyn Progress,
) -> PartialRun {
    simulate_range(&Model::new(scenario), config, range, progress)
}
