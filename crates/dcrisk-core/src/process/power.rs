//! Power prices: log Ornstein-Uhlenbeck with seasonality, escalation and compound-Poisson
//! jumps, per region (docs/MODEL.md 2.1).

use super::{DT, calendar_month};
use crate::random::{Draws, Poisson};
use crate::scenario::{Region, Scenario};

/// One region's precomputed process.
#[derive(Clone, Debug)]
pub struct PowerProcess {
    /// `theta(t)` for `t = 0..=T`.
    theta: Vec<f64>,
    /// `theta(t+1) - theta(t) e^(-kappa dt)` for `t = 0..T`: the deterministic part of a step.
    pull: Vec<f64>,
    /// `e^(-kappa dt)`.
    decay: f64,
    /// `sigma sqrt((1 - e^(-2 kappa dt)) / (2 kappa))`.
    step_sd: f64,
    jumps: Poisson,
    jump_mean: f64,
    jump_std: f64,
    /// `ln(price0)`.
    pub x0: f64,
    /// `h K`, the hedged part of the effective price.
    pub hedged: f64,
    /// `1 - h`, the share paying spot.
    pub floating: f64,
}

impl PowerProcess {
    pub fn new(region: &Region, scenario: &Scenario) -> Self {
        let kappa = region.reversion;
        let sigma = region.volatility;
        let months = scenario.months();
        let theta: Vec<f64> = (0..=months)
            .map(|t| equilibrium(region, scenario.start_month, t))
            .collect();
        let decay = (-kappa * DT).exp();
        let pull = theta.windows(2).map(|w| w[1] - w[0] * decay).collect();
        PowerProcess {
            theta,
            pull,
            decay,
            step_sd: sigma * ((1.0 - (-2.0 * kappa * DT).exp()) / (2.0 * kappa)).sqrt(),
            jumps: Poisson::new(region.jump_rate * DT),
            jump_mean: region.jump_mean,
            jump_std: region.jump_std,
            x0: region.price0.ln(),
            hedged: region.hedge_fraction * region.hedge_price,
            floating: 1.0 - region.hedge_fraction,
        }
    }

    /// `e^(-kappa dt)`: `x(t+1) = x(t) e^(-kappa dt) + a(t)` with `a` from
    /// [`Self::innovations`].
    pub fn decay(&self) -> f64 {
        self.decay
    }

    /// Turns the region's correlated shocks `z(t)` into the parts of each step that do not
    /// depend on `x(t)`: `a(t) = theta(t+1) - theta(t) e^(-kappa dt) + sd z(t) + J(t)`,
    /// with `J` the month's total log jump (from [`Self::jumps`]).
    #[inline(always)] // into the caller's `simd::widest` variant
    pub fn innovations(&self, shocks: &mut [f64], jumps: &[f64]) {
        for ((z, &pull), &jump) in shocks.iter_mut().zip(&self.pull).zip(jumps) {
            *z = pull + self.step_sd * *z + jump;
        }
    }

    /// Each month's total log jump for one path, `out[t]` for the step out of month `t`:
    /// the sum of `N ~ Poisson(lambda dt)` Normal(mu, s^2) sizes, drawn as one
    /// Normal(N mu, N s^2). No draw at all for a region without jumps.
    pub fn jumps(&self, draws: &mut Draws, out: &mut [f64]) {
        out.fill(0.0);
        self.jumps
            .monthly_counts(draws, out.len(), |t, n, d| out[t] = self.jump_size(n, d));
    }

    /// The total of `n >= 1` jump sizes: Normal(n mu, n s^2), one normal draw.
    #[inline]
    fn jump_size(&self, n: u32, draws: &mut Draws) -> f64 {
        let n = f64::from(n);
        n * self.jump_mean + n.sqrt() * self.jump_std * draws.normal()
    }

    /// The price the tenant pays, `h K + (1 - h) P`.
    #[inline]
    pub fn effective(&self, spot: f64) -> f64 {
        self.hedged + self.floating * spot
    }

    /// `theta(t)`.
    pub fn theta(&self, t: usize) -> f64 {
        self.theta[t]
    }
}

/// `theta(t) = ln(mean) - sigma^2/(4 kappa) + t dt ln(1+esc) + a cos(2 pi (m(t) - peak)/12)`.
pub fn equilibrium(r: &Region, start_month: u32, t: usize) -> f64 {
    let m = calendar_month(start_month, t) as f64;
    r.long_run_mean.ln() - r.volatility * r.volatility / (4.0 * r.reversion)
        + t as f64 * DT * (1.0 + r.escalation).ln()
        + r.seasonal_amplitude
            * (2.0 * std::f64::consts::PI * (m - r.peak_month as f64) / 12.0).cos()
}
