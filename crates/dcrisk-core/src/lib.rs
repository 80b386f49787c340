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
//!     horizon_years = 3
//!     discount_rate = 0.08
//!
//!     [[regions]]
//!     name = "ERCOT"
//!     price0 = 55.0
//!     long_run_mean = 50.0
//!     escalation = 0.01
//!     reversion = 3.0
//!     volatility = 0.9
//!     seasonal_amplitude = 0.15
//!     peak_month = 8
//!     jump_rate = 1.0
//!     jump_mean = 0.5
//!     jump_std = 0.4
//!     hedge_fraction = 0.0
//!     hedge_price = 0.0
//!
//!     [demand]
//!     plan = [[0, 60.0], [12, 100.0]]
//!     drift = 0.0
//!     volatility = 0.25
//!     bust_rate = 0.05
//!     bust_size = 0.4
//!
//!     [cloud]
//!     price0 = 1.4e6
//!     drift = -0.12
//!     volatility = 0.2
//!
//!     [hardware]
//!     capex_per_mw = 2.2e7
//!     life_years = 5
//!     price_trend = -0.10
//!
//!     [[landlords]]
//!     name = "Developer A"
//!     annual_pd = 0.03
//!
//!     [landlord_default]
//!     asset_correlation = 0.2
//!     pre_delivery_delay_months = 12
//!     outage_months = 3
//!
//!     [[sites]]
//!     name = "Site 1"
//!     region = "ERCOT"
//!     landlord = "Developer A"
//!     capacity_mw = 100.0
//!     rent_per_kw_month = 140.0
//!     rent_escalator = 0.03
//!     planned_delivery = 6
//!     term_years = 3
//!     pue = 1.2
//!     opex_per_kw_month = 15.0
//!     delay = { min = 0, mode = 2, max = 12 }
//!
//!     [tenant]
//!     annual_pd = 0.04
//!     wrong_way = 2.0
//!
//!     [guarantee]
//!     cap = 5.0e8
//!     max_months = 36
//!     relet_months = 12
//!     relet_fraction = 0.7
//! "#;
//! let scenario = validate(&parse_toml(text).unwrap()).unwrap();
//! let run = simulate(&scenario, &RunConfig::new(2_000, 7), &NoProgress);
//! let savings = run.metric_stat(Metric::SavingsPv);
//! assert_eq!(run.paths, 2_000);
//! let p05 = savings.quantile("p05").unwrap();
//! assert!(savings.stderr > 0.0 && p05 <= savings.mean);
//! ```

// `unsafe` only in the kernels, each block with its safety argument beside it.
#![deny(unsafe_code)]

pub mod decide;
pub mod engine;
pub mod estimate;
pub mod guarantee;
pub mod headline;
#[allow(unsafe_code)]
pub(crate) mod kernels;
pub mod math;
pub mod metrics;
pub mod process;
pub mod random;
pub mod results;
pub mod scenario;
pub mod shard;
pub mod stats;
pub mod summaries;
pub mod text;
pub mod uncertain;

pub use engine::{NoProgress, Progress, simulate};
pub use headline::{ContractFigures, Headline};
pub use metrics::{CONTROL_NAMES, Metric, PathMetrics, Probabilities, Techniques};
pub use results::{
    Convergence, LandlordOutcome, MonthStats, PartyResults, RunResults, SeriesKind, SeriesSummary,
};
pub use scenario::{Scenario, ScenarioError, validate};
pub use stats::MetricStats;
