//! How to run a scenario: the run's options (paths, seed, variance reduction, sketch,
//! precision goal) and the progress observer the engine reports to.

use crate::estimate::Estimate;
use crate::metrics::{Metric, Techniques};

/// Told as chunks of paths finish (from any thread).
pub trait Progress: Sync {
    fn advance(&self, _paths: u64) {}
}

/// A progress observer that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// How to run a scenario: the path count and seed, and the options that change how the
/// paths are drawn or kept. Everything else comes from the scenario.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunConfig {
    /// Paths to run (antithetic runs round it up to whole pairs); with a precision goal,
    /// ignored in favour of the goal's budget.
    pub paths: u64,
    pub seed: u64,
    /// Variance reduction: antithetic pairs, control variates.
    pub techniques: Techniques,
    /// Keep only mergeable per-metric summaries, not per-path values (`--sketch`): memory
    /// independent of the path count. Ignored by a run to a precision goal, which needs
    /// the per-path values to decide when to stop.
    pub sketch: bool,
    /// Run blocks of paths until the goal is met (`--precision`), instead of `paths`.
    pub precision: Option<PrecisionGoal>,
}

impl RunConfig {
    /// `paths` plain Monte Carlo paths seeded with `seed`, keeping per-path values.
    pub fn new(paths: u64, seed: u64) -> Self {
        RunConfig {
            paths,
            seed,
            techniques: Techniques::default(),
            sketch: false,
            precision: None,
        }
    }

    /// The same run with variance-reduction techniques.
    pub fn with_techniques(mut self, techniques: Techniques) -> Self {
        self.techniques = techniques;
        self
    }

    /// The same run keeping only mergeable summaries.
    pub fn with_sketch(mut self, sketch: bool) -> Self {
        self.sketch = sketch;
        self
    }

    /// The same run to a precision goal.
    pub fn with_precision(mut self, goal: Option<PrecisionGoal>) -> Self {
        self.precision = goal;
        self
    }

    /// The paths a whole run covers: antithetic runs round up to whole pairs.
    pub fn total_paths(&self) -> u64 {
        if self.techniques.antithetic {
            self.paths.div_ceil(2) * 2
        } else {
            self.paths
        }
    }

    /// Whether the paths keep only summaries (a sketch run without a precision goal).
    pub(crate) fn summaries_only(&self) -> bool {
        self.sketch && self.precision.is_none()
    }
}

/// When to stop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrecisionGoal {
    pub target: Metric,
    /// Half-width at most this fraction of |mean|.
    pub relative: Option<f64>,
    /// Half-width at most this, in the metric's units.
    pub absolute: Option<f64>,
    /// Budget: never more paths than this.
    pub max_paths: u64,
}

impl PrecisionGoal {
    /// The half-width that meets the goal for this estimate (the looser of the bounds given).
    pub(super) fn bound(&self, e: &Estimate) -> f64 {
        let rel = self.relative.map(|r| r * e.mean.abs());
        match (rel, self.absolute) {
            (Some(a), Some(b)) => a.max(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => f64::INFINITY,
        }
    }
}
