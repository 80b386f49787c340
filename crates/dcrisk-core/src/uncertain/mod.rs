//! Uncertain inputs (docs/MODEL.md, "Uncertain inputs"): distributions on scenario
//! fields, the outer samples of a two-level run, the run itself, and what drives the
//! results.
//!
//! - [`distribution`]: the families, their support and quantile functions;
//! - [`inputs`]: finding distributions in a scenario tree and checking them;
//! - [`sampling`]: Latin hypercube, plain and Saltelli designs;
//! - [`outer`]: the two-level run on the ordinary engine;
//! - [`drivers`]: the estimators; [`analysis`]: drivers.csv's rows from a run.

pub mod analysis;
pub mod distribution;
pub mod drivers;
pub mod inputs;
pub mod outer;
pub mod sampling;

pub use analysis::{DriverRow, Plan, driver_rows};
pub use distribution::Distribution;
pub use inputs::{Input, UncertainScenario, has_distributions};
pub use outer::{OuterRun, SampleFigures, pool, pooled_meta, run_outer, run_samples};
pub use sampling::Sampling;
