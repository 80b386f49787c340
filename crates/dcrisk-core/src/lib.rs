//! dcrisk-core: the Monte Carlo model of a data-center lease program.
//!
//! The model is written down in the repository's `docs/MODEL.md`; the code cites its
//! sections. This crate holds the scenario types and their validation, the random drivers
//! (`process`), the engine that runs the paths (`engine`), the guarantee and exposure,
//! and the statistics. No file I/O and no OS entropy: every number comes from the
//! scenario, the seed and the path index.
//!
//! # Examples
//!
//! Parse and validate a scenario, simulate it, and read a statistic:
//!
//! ```
//! use dcrisk_core::engine::RunConfig;
//! use dcrisk_core::scenario::parse_toml;
//! use dcrisk_core::{Metric, NoProgress, simulate, validate};
//!
//! let text = r#"
//!     name = "one-site"
//!     horizon_years = 2
//!     discount_rate = 0.08
//!     [[regions]]
//!     name = "ERCOT"
//!     price0 = 50.0
//!     long_run_mean = 50.0
//!     reversion = 2.0
//!     volatility = 0.5
//!     [demand]
//!     plan = [[0, 100.0]]
//!     volatility = 0.2
//!     [cloud]
//!     price0 = 1.5e6
//!     [hardware]
//!     capex_per_mw = 2.0e7
//!     life_years = 5
//!     [[landlords]]
//!     name = "Developer A"
//!     annual_pd = 0.02
//!     [[sites]]
//!     name = "Site 1"
//!     region = "ERCOT"
//!     landlord = "Developer A"
//!     capacity_mw = 100.0
//!     rent_per_kw_month = 140.0
//!     term_years = 2
//! "#;
//! let scenario = validate(&parse_toml(text).unwrap()).unwrap();
//! let run = simulate(&scenario, &RunConfig::new(2_000, 7), &NoProgress);
//! let savings = run.metric_stat(Metric::SavingsPv);
//! assert_eq!(run.paths, 2_000);
//! assert!(savings.stderr > 0.0 && savings.p05() <= savings.mean);
//! ```

pub mod engine;
pub mod estimate;
pub mod guarantee;
pub(crate) mod kernels;
pub mod math;
pub mod metrics;
pub mod process;
pub mod random;
pub mod results;
pub mod scenario;
pub mod shard;
pub mod stats;

pub use engine::{NoProgress, Progress, simulate};
pub use metrics::{CONTROL_NAMES, Metric, PathMetrics, Probabilities, Techniques};
pub use results::{Convergence, MonthStats, RunResults, SeriesKind, SeriesSummary};
pub use scenario::{Scenario, ScenarioError, validate};
pub use stats::MetricStats;
