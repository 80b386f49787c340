//! The Monte Carlo engine, in the spirit of QuantLib's path generator, path pricer and
//! statistics accumulator:
//!
//! - [`model`]: everything about a scenario that is the same on every path, once per run;
//! - [`scratch`]: a path's working memory and its named layout;
//! - [`states`]: the path's draws and random states (the path generator);
//! - [`schedule`]: deliveries, leases, outages and rent of the sites;
//! - [`contracts`]: the v2 contract terms (conversions, power charges, the guarantor);
//! - [`flows`]: the monthly cash flows and their present values (the path pricer);
//! - [`path`]: one path, as an outline of the above;
//! - [`monthly_series`], [`series`] (and `crate::summaries` for `--sketch` runs): what a
//!   run keeps of its paths (the statistics accumulators);
//! - [`config`]: a run's options; [`driver`]: the parallel driver over chunks of paths;
//!   [`converge`]: runs to a precision; [`run`]: the one entry, [`simulate`];
//!   [`floor`]: the random-number floor for benchmarks.

pub mod config;
pub mod contract_terms;
pub mod contracts;
pub mod converge;
pub mod driver;
pub mod floor;
pub mod flows;
pub mod model;
pub mod monthly_series;
pub mod parties;
pub mod party_book;
pub mod path;
pub mod run;
pub mod schedule;
pub mod scratch;
pub mod series;
pub mod site_model;
pub mod states;
pub mod tranches;

pub use config::{NoProgress, PrecisionGoal, Progress, RunConfig};
pub use driver::{CHUNK, PartialRun, RunMeta, finish};
pub use model::Model;
pub use monthly_series::series_kinds;
pub use run::{simulate, simulate_part};
