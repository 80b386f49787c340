//! Decisions from whole simulations (docs/MODEL.md "Decisions"): the statistic a decision
//! aims at ([`target`]), the goal seek that finds the decision reaching it with a 95%
//! interval from the Monte Carlo error ([`mod@solve`]), and the mean-risk frontier over a
//! scaled decision ([`frontier`]). No I/O: the CLI supplies the evaluations (a run of the
//! scenario at a decision, every one with the same seed and paths) and writes the files.

pub mod frontier;
pub mod solve;
pub mod target;

pub use frontier::{FrontierPoint, efficient_flags, flag_points};
pub use solve::{Eval, Solution, SolveError, SolveOptions, solve};
pub use target::{Goal, Reading, Statistic};
