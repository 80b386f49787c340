//! What the reports of the decision commands and of a two-level run show, independent of
//! the format: `solve.html`/`solve.xlsx` ([`SolveReport`]), `frontier.html`/
//! `frontier.xlsx` ([`FrontierReport`]) and the uncertain-inputs part of a two-level
//! run's report.html/report.xlsx ([`TwoLevel`]). Nothing here reads the clock: the same
//! input gives the same bytes.

use dcrisk_core::uncertain::DriverRow;

use crate::charts::sweep::ValueKind;
use crate::{Chart, FrontierChart, SolveChart};

/// A goal seek (`dcrisk solve`): the question, the answer with its interval, every
/// evaluation and the record of its making.
pub struct SolveReport<'a> {
    /// What solve.png draws: the points, the target, the root and its interval.
    pub chart: &'a SolveChart,
    /// The key decided, in `--set`'s syntax.
    pub key: &'a str,
    /// `set` (`--vary`: the key's value) or `scale` (`--scale`: a factor on it).
    pub mode: &'a str,
    /// The searched range of the value or factor.
    pub range: [f64; 2],
    /// The answer in words, e.g. `sites[*].rent_per_kw_month x1.2 (= 168)`.
    pub answer: String,
    /// The statistic's unit.
    pub kind: ValueKind,
    /// The statistic's standard error at the answer.
    pub achieved_stderr: f64,
    /// Whether each end of the interval was cut at the searched range.
    pub clipped: [bool; 2],
    pub tol: f64,
    /// How the answer and its interval were computed (solve.json's `method`).
    pub method: &'a str,
    /// solve.png, when charts were drawn.
    pub png: Option<&'a Chart>,
    /// How it was made: solve.run.json's fields as label and text rows.
    pub making: &'a [(String, String)],
    /// The recorded start time (RFC 3339), the workbook's creation date.
    pub started: Option<&'a str>,
}

/// One factor of a frontier, as frontier.csv has it, with the mean's 95% half-width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrontierRow {
    pub factor: f64,
    pub mean: f64,
    /// The 95% confidence half-width of the mean (as the run's summary gives it).
    pub half_width: f64,
    pub p05: f64,
    pub es05: f64,
    pub p_negative: f64,
    pub efficient: bool,
}

/// A mean-risk frontier (`dcrisk frontier`): the factors' figures, the efficient ones
/// and the record of its making.
pub struct FrontierReport<'a> {
    /// What frontier.png draws (scenario, key, paths, seed, points, flags).
    pub chart: &'a FrontierChart,
    pub rows: &'a [FrontierRow],
    /// frontier.png, when charts were drawn.
    pub png: Option<&'a Chart>,
    /// How it was made: frontier.run.json's fields as label and text rows.
    pub making: &'a [(String, String)],
    pub started: Option<&'a str>,
}

impl FrontierReport<'_> {
    /// The efficient factor with the highest mean savings: what a committee would pick
    /// for return, every factor with more mean having worse ES 5% (none when empty).
    pub fn best_mean(&self) -> Option<&FrontierRow> {
        self.rows
            .iter()
            .filter(|r| r.efficient)
            .max_by(|a, b| a.mean.total_cmp(&b.mean))
    }

    /// The efficient factor with the highest (least bad) ES 5%: the pick for safety.
    pub fn safest(&self) -> Option<&FrontierRow> {
        self.rows
            .iter()
            .filter(|r| r.efficient)
            .max_by(|a, b| a.es05.total_cmp(&b.es05))
    }

    /// The plan as written (factor 1), when it is on the grid.
    pub fn plan(&self) -> Option<&FrontierRow> {
        self.rows.iter().find(|r| r.factor == 1.0)
    }
}

/// The uncertain inputs of a two-level run (docs/MODEL.md, "Uncertain inputs"), for its
/// report: the drivers (drivers.csv's rows), the outer samples (uncertainty.csv's rows)
/// and their charts.
pub struct TwoLevel<'a> {
    /// The inputs' `--set` keys, in column order.
    pub keys: &'a [&'a str],
    /// drivers.csv's rows.
    pub drivers: &'a [DriverRow],
    /// How the samples were drawn and the indices estimated, in words.
    pub method: String,
    /// uncertainty.csv's header, one entry per column.
    pub header: Vec<String>,
    /// uncertainty.csv's rows as numbers (NaN where the file's cell is empty).
    pub samples: Vec<Vec<f64>>,
    /// Mean savings over the outer samples: mean, std, P5, P50, P95 (summary.json's
    /// `uncertainty.savings_pv`).
    pub savings_spread: [f64; 5],
    /// drivers.png and uncertainty.png, when charts were drawn.
    pub charts: &'a [Chart],
}
