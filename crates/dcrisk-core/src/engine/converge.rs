//! Runs to a stated precision: deterministic blocks of the path index space until the 95%
//! confidence half-width of the target's mean is within the bound.
//!
//! The stopping decision depends only on the per-path values of the paths run so far, which
//! do not depend on the thread count, so the same seed stops at the same path on any machine.

use super::config::{PrecisionGoal, Progress, RunConfig};
use super::driver::{CHUNK, PartialRun, RunMeta, finish, simulate_range};
use super::model::Model;
use crate::estimate::estimate_with;
use crate::results::{Convergence, RunResults};

/// Paths in the first block: enough for a stable standard error.
const FIRST_BLOCK: u64 = 16 * CHUNK;

/// Simulates blocks until `goal` is met or the budget is spent (see
/// [`RunConfig::precision`]).
pub(crate) fn simulate_to_precision(
    model: &Model,
    meta: &RunMeta,
    config: &RunConfig,
    goal: PrecisionGoal,
    progress: &dyn Progress,
) -> RunResults {
    let techniques = config.techniques;
    let mut done = 0;
    let mut next = FIRST_BLOCK.min(goal.max_paths);
    let mut run: Option<PartialRun> = None;
    loop {
        let block = simulate_range(model, config, done..done + next, progress);
        done += next;
        match &mut run {
            None => run = Some(block),
            Some(r) => r.append(block).expect("blocks are contiguous"),
        }
        let r = run.as_ref().expect("one block run");
        let e = estimate_with(
            r.metrics.get(goal.target),
            r.metrics.controls(),
            &meta.control_expectations,
            techniques,
        );
        let (hw, bound) = (e.half_width(), goal.bound(&e));
        // A mean or half-width that is not a number never meets the goal: stop here, and
        // let the caller report the non-finite figure, rather than run to the budget.
        let hopeless = !(hw.is_finite() && e.mean.is_finite());
        if hw <= bound || done >= goal.max_paths || hopeless {
            let mut results = finish(meta, run.expect("one block run"));
            results.convergence = Some(Convergence {
                target: goal.target,
                paths_used: done,
                half_width: hw,
                relative_half_width: if e.mean != 0.0 {
                    hw / e.mean.abs()
                } else {
                    f64::INFINITY
                },
                met: hw <= bound,
            });
            return results;
        }
        next = next_block(done, hw, bound).min(goal.max_paths - done);
    }
}

/// Paths to add: the count the half-width's 1/sqrt(n) law predicts, plus 10%, at least one
/// chunk and at most doubling the run, in whole chunks.
fn next_block(done: u64, half_width: f64, bound: f64) -> u64 {
    let ratio = if bound > 0.0 {
        half_width / bound
    } else {
        f64::INFINITY
    };
    let predicted = (done as f64 * ratio * ratio * 1.1).min(2.0 * done as f64 + CHUNK as f64);
    let extra = (predicted - done as f64).max(CHUNK as f64).min(done as f64) as u64;
    extra.div_ceil(CHUNK) * CHUNK
}

#[cfg(test)]
mod tests {
    use super::next_block;

    #[test]
    fn blocks_are_whole_chunks_and_at_most_double() {
        assert_eq!(next_block(16_384, 2.0, 1.0), 16_384);
        assert_eq!(next_block(16_384, 1.01, 1.0) % 1024, 0);
        assert!(next_block(16_384, 1.01, 1.0) >= 1024);
    }
}
