//! The distributions a scenario field may take instead of a number (docs/MODEL.md,
//! "Uncertain inputs"): how they are written, their support, and their quantile function.
//!
//! Every family is sampled by inversion, `x = F^-1(u)`, because the Latin hypercube
//! chooses `u` by stratum: one quantile function serves both the hypercube and plain
//! Monte Carlo, and the same `u` always gives the same value.

use crate::math::norm_ppf;
use crate::random::triangular;
use crate::scenario::{Table, Value, format_number};

/// A distribution of one uncertain input.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Beta-PERT with lambda = 4: a beta on `[min, max]` with mean `(min + 4 mode + max) / 6`.
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Lognormal given by the mean and standard deviation of the value itself.
    LogNormal {
        mean: f64,
        sd: f64,
    },
    /// Finitely many values with weights (normalised to sum to 1).
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

/// The families, as written after `dist =`.
pub const FAMILIES: [&str; 6] = [
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "discrete",
];

impl Distribution {
    /// Reads a distribution table (`{ dist = "pert", min = 120, mode = 140, max = 175 }`);
    /// the error says what is wrong, without the field's path (the caller adds it).
    pub fn parse(table: &Table) -> Result<Distribution, String> {
        let family = match get(table, "dist") {
            Some(Value::Str(s)) => s.as_str(),
            Some(v) => return Err(format!("`dist` must be a string, got {}", v.describe())),
            None => return Err("a distribution needs `dist`".into()),
        };
        let keys: &[&str] = match family {
            "uniform" => &["min", "max"],
            "triangular" | "pert" => &["min", "mode", "max"],
            "normal" | "lognormal" => &["mean", "sd"],
            "discrete" => &["values", "weights"],
            other => {
                return Err(format!(
                    "unknown distribution {other:?}; expected one of: {}",
                    FAMILIES.join(", ")
                ));
            }
        };
        for (k, _) in table {
            if k != "dist" && !keys.contains(&k.as_str()) {
                return Err(format!(
                    "a {family} distribution has no `{k}`; it takes: {}",
                    keys.join(", ")
                ));
            }
        }
        let d = match family {
            "uniform" => Distribution::Uniform {
                min: number(table, "min")?,
                max: number(table, "max")?,
            },
            "triangular" => Distribution::Triangular {
                min: number(table, "min")?,
                mode: number(table, "mode")?,
                max: number(table, "max")?,
            },
            "pert" => Distribution::Pert {
                min: number(table, "min")?,
                mode: number(table, "mode")?,
                max: number(table, "max")?,
            },
            "normal" => Distribution::Normal {
                mean: number(table, "mean")?,
                sd: number(table, "sd")?,
            },
            "lognormal" => Distribution::LogNormal {
                mean: number(table, "mean")?,
                sd: number(table, "sd")?,
            },
            _ => discrete(table)?,
        };
        d.check()?;
        Ok(d)
    }

    /// The family's name, as written after `dist =`.
    pub fn family(&self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "uniform",
            Distribution::Triangular { .. } => "triangular",
            Distribution::Pert { .. } => "pert",
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::Discrete { .. } => "discrete",
        }
    }

    /// Refuses parameters that define no distribution.
    fn check(&self) -> Result<(), String> {
        match self {
            Distribution::Uniform { min, max } if min >= max => Err(format!(
                "uniform needs min < max, got min = {} and max = {}",
                format_number(*min),
                format_number(*max)
            )),
            Distribution::Triangular { min, mode, max } | Distribution::Pert { min, mode, max }
                if !(min <= mode && mode <= max && min < max) =>
            {
                Err(format!(
                    "{} needs min <= mode <= max and min < max, got {}, {}, {}",
                    self.family(),
                    format_number(*min),
                    format_number(*mode),
                    format_number(*max)
                ))
            }
            Distribution::Normal { sd, .. } if *sd <= 0.0 => {
                Err(format!("normal needs sd > 0, got {}", format_number(*sd)))
            }
            Distribution::LogNormal { mean, sd } if *mean <= 0.0 || *sd <= 0.0 => Err(format!(
                "lognormal needs mean > 0 and sd > 0 (of the value itself), got mean = {} and sd = {}",
                format_number(*mean),
                format_number(*sd)
            )),
            _ => Ok(()),
        }
    }

    /// The value at probability `u` in (0, 1): `F^-1(u)`.
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Distribution::Uniform { min, max } => min + u * (max - min),
            Distribution::Triangular { min, mode, max } => triangular(*min, *mode, *max, u),
            Distribution::Pert { min, mode, max } => {
                let (a, b) = pert_shape(*min, *mode, *max);
                min + (max - min) * beta_ppf(u, a, b)
            }
            Distribution::Normal { mean, sd } => mean + sd * norm_ppf(u),
            Distribution::LogNormal { mean, sd } => {
                let (mu, sigma) = lognormal_params(*mean, *sd);
                (mu + sigma * norm_ppf(u)).exp()
            }
            Distribution::Discrete { values, weights } => {
                let mut cumulative = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    cumulative += w;
                    if u < cumulative {
                        return *v;
                    }
                }
                values[values.len() - 1]
            }
        }
    }

    /// The whole number at probability `u` of a distribution over whole numbers (an
    /// integer field's): a uniform takes each of `min..=max` with equal weight.
    pub fn integer_quantile(&self, u: f64) -> f64 {
        match self {
            Distribution::Uniform { min, max } => {
                let count = max - min + 1.0;
                (min + (u * count).floor()).min(*max)
            }
            other => other.quantile(u),
        }
    }

    /// The least and greatest values the distribution can produce (infinite for a normal;
    /// a lognormal's lower end, 0, is approached but never taken: [`Self::open_below`]).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { min, max }
            | Distribution::Triangular { min, max, .. }
            | Distribution::Pert { min, max, .. } => (*min, *max),
            Distribution::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Discrete { values, .. } => values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
        }
    }

    /// Whether the lower end of [`Self::support`] is never taken (the lognormal's 0).
    pub fn open_below(&self) -> bool {
        matches!(self, Distribution::LogNormal { .. })
    }

    /// Whether every value it can produce is a whole number (allowed on integer fields:
    /// a uniform with whole ends, or a discrete of whole numbers).
    pub fn is_whole(&self) -> bool {
        let whole = |x: &f64| x.fract() == 0.0;
        match self {
            Distribution::Uniform { min, max } => whole(min) && whole(max),
            Distribution::Discrete { values, .. } => values.iter().all(whole),
            _ => false,
        }
    }

    /// The distribution's mean (of the continuous law; [`Self::integer_moments`] for a
    /// uniform on an integer field).
    pub fn mean(&self) -> f64 {
        self.moments().0
    }

    /// Mean and variance in closed form.
    pub fn moments(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { min, max } => ((min + max) / 2.0, (max - min).powi(2) / 12.0),
            Distribution::Triangular { min, mode, max } => (
                (min + mode + max) / 3.0,
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0,
            ),
            Distribution::Pert { min, mode, max } => {
                let mean = (min + 4.0 * mode + max) / 6.0;
                (mean, (mean - min) * (max - mean) / 7.0)
            }
            Distribution::Normal { mean, sd } | Distribution::LogNormal { mean, sd } => {
                (*mean, sd * sd)
            }
            Distribution::Discrete { values, weights } => {
                let mean: f64 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
                let var = values
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| w * (v - mean).powi(2))
                    .sum();
                (mean, var)
            }
        }
    }

    /// Mean and variance of the distribution as sampled on an integer field.
    pub fn integer_moments(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { min, max } => {
                let n = max - min + 1.0;
                ((min + max) / 2.0, (n * n - 1.0) / 12.0)
            }
            other => other.moments(),
        }
    }
}

fn get<'a>(table: &'a Table, key: &str) -> Option<&'a Value> {
    table.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

fn number(table: &Table, key: &str) -> Result<f64, String> {
    match get(table, key) {
        None => Err(format!("missing `{key}`")),
        Some(v) => as_number(v)
            .ok_or_else(|| format!("`{key}` must be a finite number, got {}", v.describe())),
    }
}

fn numbers(table: &Table, key: &str) -> Result<Option<Vec<f64>>, String> {
    match get(table, key) {
        None => Ok(None),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                as_number(v).ok_or_else(|| {
                    format!("`{key}` must hold finite numbers, got {}", v.describe())
                })
            })
            .collect::<Result<Vec<f64>, String>>()
            .map(Some),
        Some(v) => Err(format!(
            "`{key}` must be a non-empty array of numbers, got {}",
            v.describe()
        )),
    }
}

/// `discrete { values, weights }`: weights optional (equal), non-negative, summing to
/// more than 0; normalised here.
fn discrete(table: &Table) -> Result<Distribution, String> {
    let values = numbers(table, "values")?.ok_or("missing `values`")?;
    let weights = numbers(table, "weights")?.unwrap_or_else(|| vec![1.0; values.len()]);
    if weights.len() != values.len() {
        return Err(format!(
            "`weights` must have one weight per value: {} values, {} weights",
            values.len(),
            weights.len()
        ));
    }
    let total: f64 = weights.iter().sum();
    if weights.iter().any(|w| *w < 0.0) || total <= 0.0 || !total.is_finite() {
        return Err("`weights` must be >= 0 with a positive, finite sum".into());
    }
    Ok(Distribution::Discrete {
        values,
        weights: weights.iter().map(|w| w / total).collect(),
    })
}

/// The beta shape of a PERT with lambda = 4.
fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let width = max - min;
    (
        1.0 + 4.0 * (mode - min) / width,
        1.0 + 4.0 * (max - mode) / width,
    )
}

/// `mu` and `sigma` of the log of a lognormal with this mean and standard deviation.
fn lognormal_params(mean: f64, sd: f64) -> (f64, f64) {
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - s2 / 2.0, s2.sqrt())
}

/// The beta(a, b) quantile, by bisection on the regularised incomplete beta function:
/// 200 halvings reach the neighbouring doubles, whatever the shape.
fn beta_ppf(u: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if beta_cdf(mid, a, b) < u {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised incomplete beta function `I_x(a, b)` (continued fraction, Lentz's
/// method, on the side where it converges fast).
pub(crate) fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front =
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
            if (d * c - 1.0).abs() < 1e-16 {
                return h;
            }
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_value;

    fn parse(text: &str) -> Result<Distribution, String> {
        match parse_value(text) {
            Value::Table(t) => Distribution::parse(&t),
            other => panic!("not a table: {other:?}"),
        }
    }

    /// The incomplete beta against closed forms: `I_x(1, 1) = x`, `I_x(2, 1) = x^2`,
    /// `I_x(1, 3) = 1 - (1 - x)^3`, and symmetry `I_x(a, b) = 1 - I_(1-x)(b, a)`.
    #[test]
    fn incomplete_beta_closed_forms() {
        for x in [0.01, 0.2, 0.5, 0.77, 0.99] {
            assert!((beta_cdf(x, 1.0, 1.0) - x).abs() < 1e-14);
            assert!((beta_cdf(x, 2.0, 1.0) - x * x).abs() < 1e-14);
            assert!((beta_cdf(x, 1.0, 3.0) - (1.0 - (1.0 - x).powi(3))).abs() < 1e-14);
            let s = beta_cdf(x, 2.3, 4.1) + beta_cdf(1.0 - x, 4.1, 2.3);
            assert!((s - 1.0).abs() < 1e-13);
            assert!((beta_cdf(beta_ppf(x, 2.3, 4.1), 2.3, 4.1) - x).abs() < 1e-13);
        }
    }

    #[test]
    fn parses_every_family_and_refuses_bad_parameters() {
        assert_eq!(
            parse(r#"{ dist = "pert", min = 120, mode = 140, max = 175 }"#),
            Ok(Distribution::Pert {
                min: 120.0,
                mode: 140.0,
                max: 175.0
            })
        );
        let d = parse(r#"{ dist = "discrete", values = [1, 2], weights = [1, 3] }"#).unwrap();
        assert_eq!(d.quantile(0.2), 1.0);
        assert_eq!(d.quantile(0.3), 2.0);
        assert!(parse(r#"{ dist = "uniform", min = 2, max = 1 }"#).is_err());
        assert!(parse(r#"{ dist = "normal", mean = 2, sd = 0 }"#).is_err());
        assert!(parse(r#"{ dist = "lognormal", mean = -1, sd = 1 }"#).is_err());
        assert!(parse(r#"{ dist = "pert", min = 1, mode = 3, max = 2 }"#).is_err());
        let typo = parse(r#"{ dist = "normal", mean = 1, sigma = 2 }"#).unwrap_err();
        assert!(
            typo.contains("sigma") && typo.contains("mean, sd"),
            "{typo}"
        );
        assert!(
            parse(r#"{ dist = "gamma", k = 1 }"#)
                .unwrap_err()
                .contains("pert")
        );
    }
}
