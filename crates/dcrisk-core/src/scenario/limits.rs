//! The ranges a scenario's numbers must lie in (docs/PARAMETERS.md, "valid range").
//!
//! Besides refusing what makes no sense (a negative capacity), the upper ends keep every
//! figure of the model finite: money per month, prices and demand stay far below what a
//! double holds, and so do their sums over months and paths and the squares the statistics
//! take, at every combination of extreme inputs. The log-states (power prices, demand,
//! cloud price) are bounded through their spread over the horizon, so that exp() of them
//! stays within range unless a log-state moves more than 20 of its standard deviations (or
//! dozens of the largest jumps pile up). Each upper end is hundreds to thousands of times
//! the typical value.

use super::reader::{Errors, Range, show_bound};

/// Most Monte Carlo paths of a run: the file's `paths`, and the CLI's `--paths` and
/// `--max-paths`.
pub const MAX_PATHS: u64 = 1_000_000_000;
/// Most power regions: the correlation matrix has `(regions + 2)^2` entries.
pub const MAX_REGIONS: usize = 1000;
/// Longest horizon and lease term accepted, in years (bounds memory per path).
pub(crate) const MAX_YEARS: i64 = 100;
/// Longest delay, slip or outage accepted, in months.
pub(crate) const MAX_MONTHS: i64 = 1200;
/// Most events (price jumps, demand busts) a year: the Poisson sampler's rates stay small.
pub const MAX_EVENT_RATE: f64 = 1e4;

/// A rate for present values: below -20% a year the discount factor of month 1,200 would
/// pass 5e9; a growth rate above 100% a year is not a discount rate.
pub(crate) const DISCOUNT_RATE: Range = Range::closed(-0.2, 1.0);
/// A yearly growth of a schedule (escalators, trends): more than -100%, at most +100% (a
/// doubling a year; 2^100 over the longest horizon).
pub(crate) const GROWTH: Range = Range::above(-1.0, 1.0);
/// A price of power, $/MWh: positive, at most $100,000 (20 times ERCOT's price cap).
pub(crate) const POWER_PRICE: Range = Range::above(0.0, 1e5);
/// The hedge's fixed price, $/MWh.
pub(crate) const HEDGE_PRICE: Range = Range::closed(0.0, 1e5);
/// Mean reversion per year: positive, at most 1,000 (a half-life of 25 minutes); and at
/// least [`MIN_REVERSION`].
pub(crate) const REVERSION: Range = Range::above(0.0, 1e3);
/// Slowest mean reversion, per year (a half-life of 693 years): slower, the level's
/// correction `volatility^2 / (4 reversion)` would swamp the log price's other terms.
pub(crate) const MIN_REVERSION: f64 = 1e-3;
/// A volatility per square root of a year (also bounded over the horizon: [`MAX_LOG_SD`]).
pub(crate) const VOLATILITY: Range = Range::closed(0.0, 10.0);
/// A seasonal swing of the log price: e^5 is 148 times.
pub(crate) const SEASONAL: Range = Range::closed(0.0, 5.0);
/// Events a year.
pub(crate) const EVENT_RATE: Range = Range::closed(0.0, MAX_EVENT_RATE);
/// Mean log size of a price jump: a jump multiplies the price by e^-5 to e^5.
pub(crate) const JUMP_MEAN: Range = Range::closed(-5.0, 5.0);
/// Standard deviation of a jump's log size.
pub(crate) const JUMP_STD: Range = Range::closed(0.0, 5.0);
/// A share in [0, 1].
pub(crate) const FRACTION: Range = Range::closed(0.0, 1.0).interval();
/// A probability of an event that may not be certain: `[0, 1)`.
pub(crate) const PROBABILITY: Range = Range::closed(0.0, 1.0).open_above().interval();
/// Planned demand, MW of IT: at most 1,000,000 (a terawatt).
pub(crate) const PLAN_MW: Range = Range::closed(0.0, 1e6);
/// A plan point's month: up to 100,000 (points past the horizon shape the ramp).
pub(crate) const PLAN_MONTH: Range = Range::closed(0.0, 1e5);
/// A drift per year (upward drifts are bounded over the horizon: [`MAX_LOG_DRIFT`]).
pub(crate) const DRIFT: Range = Range::closed(-10.0, 10.0);
/// The log drop of a demand bust: e^-10 leaves 0.005% of demand.
pub(crate) const BUST_SIZE: Range = Range::closed(0.0, 10.0);
/// The cloud price per MW of IT a month: at most $1e9 (740 times today's).
pub(crate) const CLOUD_PRICE: Range = Range::above(0.0, 1e9);
/// Hardware per MW of IT: at most $1e10 (400 times today's).
pub(crate) const CAPEX: Range = Range::closed(0.0, 1e10);
/// The hardware's life: one month to 100 years.
pub(crate) const LIFE_YEARS: Range = Range::closed(1.0 / 12.0, 100.0);
/// A site's capacity, MW of IT: at most 100,000.
pub(crate) const CAPACITY: Range = Range::above(0.0, 1e5);
/// Rent and opex, $ per kW of IT a month: at most $100,000 (about 700 times today's).
pub(crate) const PER_KW_MONTH: Range = Range::closed(0.0, 1e5);
/// A capacity charge, $ per kW a month: at most $10,000 (a thousand times PJM's 2026
/// auction price of about $10).
pub(crate) const CAPACITY_CHARGE: Range = Range::closed(0.0, 1e4);
/// Power usage effectiveness: 1 to 10.
pub(crate) const PUE: Range = Range::closed(1.0, 10.0);
/// A delay in months.
pub(crate) const DELAY: Range = Range::closed(0.0, MAX_MONTHS as f64);
/// The wrong-way multiplier beta.
pub(crate) const WRONG_WAY: Range = Range::closed(0.0, 100.0);
/// The guarantee's cap, $: at most 1e15.
pub(crate) const CAP: Range = Range::closed(0.0, 1e15);
/// A correlation.
pub(crate) const CORRELATION: Range = Range::closed(-1.0, 1.0).interval();

/// Largest standard deviation of a log-state (log price, log demand factor, log cloud
/// price) at the horizon from its diffusion: `volatility x sqrt(horizon_years)` for demand
/// and cloud, `volatility x sqrt((1 - e^(-2 kappa H)) / (2 kappa))` for a region. A move of
/// 4 is a factor of 55.
pub const MAX_LOG_SD: f64 = 4.0;
/// Largest upward drift over the horizon, `drift x horizon_years` (e^30 is 1e13).
pub const MAX_LOG_DRIFT: f64 = 30.0;
/// Largest expected jump load of a region, `jump_rate x (|jump_mean| + jump_std) x W`,
/// with `W` the memory of a jump in years: `min(horizon_years, 1 / reversion)`, at least
/// one month.
pub const MAX_JUMP_LOAD: f64 = 20.0;

/// Standard deviation of a region's log price at the horizon `years` from its diffusion.
pub(crate) fn ou_sd(volatility: f64, reversion: f64, years: f64) -> f64 {
    volatility * (-(-2.0 * reversion * years).exp_m1() / (2.0 * reversion)).sqrt()
}

/// A region's expected jump load (see [`MAX_JUMP_LOAD`]).
pub(crate) fn jump_load(rate: f64, mean: f64, std: f64, reversion: f64, years: f64) -> f64 {
    let memory = years.min(1.0 / reversion).max(1.0 / 12.0);
    rate * (mean.abs() + std) * memory
}

/// Refuses a log-state whose spread over the horizon is too wide: `what` is the formula.
pub(crate) fn spread(e: &mut Errors, path: String, what: &str, value: f64, max: f64) {
    if value > max {
        e.push(
            path,
            format!(
                "too wide over the horizon: {what} must be <= {}, got {} (the model's \
                 figures could overflow)",
                show_bound(max),
                show_sig(value)
            ),
        );
    }
}

/// A figure in a message: 4 decimals, or 4 significant digits when large.
fn show_sig(x: f64) -> String {
    if x.abs() < 1e6 {
        let r = format!("{x:.4}");
        r.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.3e}")
    }
}
