//! The Monte Carlo engine: a precomputed model, one path, and the parallel driver.

pub mod converge;
pub mod floor;
pub mod model;
pub mod path;
pub mod run;
pub mod series;
pub mod summaries;

pub use converge::{PrecisionGoal, simulate_to_precision};
pub use model::Model;
pub use run::{
    CHUNK, NoProgress, PartialRun, Progress, RunMeta, finish, series_kinds, simulate,
    simulate_range, simulate_summaries, simulate_with,
};
