//! dcrisk-core: the Monte Carlo model of a data-center lease program (MODEL.md v1).
//!
//! Scenario types and validation, the random drivers, the monthly cash flows, the
//! guarantee and exposure, and statistics. No file I/O and no OS entropy: every number
//! comes from the scenario, the seed and the path index.

pub mod codec;
pub mod engine;
pub mod estimate;
pub mod exact;
pub mod exp;
pub mod guarantee;
pub mod headline;
pub mod math;
pub mod process;
pub mod random;
pub mod results;
pub mod scenario;
pub mod shard;
pub mod simd;
pub mod sketch;
pub mod stats;
pub mod ziggurat;

pub use engine::{NoProgress, Progress, simulate};
pub use headline::Headline;
pub use results::{
    CONTROL_NAMES, Convergence, Metric, MonthStats, PathMetrics, Probabilities, RunResults,
    SeriesKind, SeriesSummary, Techniques,
};
pub use scenario::{Scenario, ScenarioError, validate};
pub use stats::MetricStats;
