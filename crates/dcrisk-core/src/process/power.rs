//! Power prices: log Ornstein-Uhlenbeck with seasonality, escalation and compound-Poisson
//! jumps, per region (MODEL.md 2.1).

use super::{DT, calendar_month};
use crate::random::{Draws, Poisson, exponential};
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
    /// `lambda dt`, the expected jumps per month.
    jump_rate: f64,
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
            jump_rate: region.jump_rate * DT,
            jumps: Poisson::new(region.jump_rate * DT),
            jump_mean: region.jump_mean,
            jump_std: region.jump_std,
            x0: region.price0.ln(),
            hedged: region.hedge_fraction * region.hedge_price,
            floating: 1.0 - region.hedge_fraction,
        }
    }

    /// `x(t+1)` from `x(t)`, the region's correlated shock `z` and the month's total log
    /// jump (from [`Self::jumps`]).
    #[inline]
    pub fn step(&self, t: usize, x: f64, z: f64, jump: f64) -> f64 {
        // theta(t+1) + (x - theta(t)) e^(-kappa dt) + sd z, with the theta terms precomputed.
        self.pull[t] + x * self.decay + self.step_sd * z + jump
    }

    /// Each month's total log jump for one path, `out[t]` for the step out of month `t`:
    /// the sum of `N ~ Poisson(lambda dt)` Normal(mu, s^2) sizes, drawn as one
    /// Normal(N mu, N s^2). No draw at all for a region without jumps.
    ///
    /// At the usual rates (a jump every few years) the arrivals are drawn as the Poisson
    /// process itself, exponential waiting times: one uniform per jump, instead of one per
    /// month. Each month's count is still exactly Poisson(lambda dt), independent across
    /// months. Above one jump a month, each month's count is drawn directly.
    pub fn jumps(&self, draws: &mut Draws, out: &mut [f64]) {
        out.fill(0.0);
        if self.jumps.is_zero() {
            return;
        }
        if self.jump_rate > 1.0 {
            for slot in out.iter_mut() {
                let n = self.jumps.sample(draws);
                *slot = self.jump_size(n, draws);
            }
            return;
        }
        let months = out.len() as f64;
        let mut clock = exponential(draws.uniform()) / self.jump_rate;
        while clock < months {
            let month = clock.floor();
            let mut n = 0;
            while clock < month + 1.0 {
                n += 1;
                clock += exponential(draws.uniform()) / self.jump_rate;
            }
            out[month as usize] = self.jump_size(n, draws);
        }
    }

    /// The total of `n` jump sizes: Normal(n mu, n s^2), one normal draw when `n > 0`.
    #[inline]
    fn jump_size(&self, n: u32, draws: &mut Draws) -> f64 {
        if n == 0 {
            return 0.0;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Stream;

    /// A process whose monthly jump total is the month's jump count (sizes exactly 1).
    fn counting(rate: f64) -> PowerProcess {
        PowerProcess {
            theta: vec![0.0; 2],
            pull: vec![0.0],
            decay: 1.0,
            step_sd: 0.0,
            jump_rate: rate,
            jumps: Poisson::new(rate),
            jump_mean: 1.0,
            jump_std: 0.0,
            x0: 0.0,
            hedged: 0.0,
            floating: 1.0,
        }
    }

    /// Monthly counts follow the Poisson(rate) pmf (within 5 binomial SEs), for rates
    /// drawn by waiting times and by direct sampling, and neighbouring months are
    /// uncorrelated (within 5 SEs of 0).
    #[test]
    fn monthly_counts_are_independent_poisson() {
        for &rate in &[0.02, 0.7, 3.0] {
            let p = counting(rate);
            let mut draws = Draws::new(17, 0, Stream::Jumps, false);
            let (paths, months) = (20_000, 12);
            let mut out = vec![0.0; months];
            let mut counts = [0u64; 40];
            let (mut cross, mut total) = (0.0, 0.0);
            for _ in 0..paths {
                p.jumps(&mut draws, &mut out);
                for w in out.windows(2) {
                    cross += (w[0] - rate) * (w[1] - rate);
                }
                for &n in &out {
                    counts[(n as usize).min(39)] += 1;
                    total += n;
                }
            }
            let samples = (paths * months) as f64;
            let mut pmf = (-rate).exp();
            for (k, &c) in counts.iter().enumerate().take(20) {
                if k > 0 {
                    pmf *= rate / k as f64;
                }
                let se = (pmf * (1.0 - pmf) / samples).sqrt();
                let got = c as f64 / samples;
                assert!(
                    (got - pmf).abs() <= 5.0 * se + 1e-9,
                    "rate {rate} k {k}: {got} vs {pmf}"
                );
            }
            let mean = total / samples;
            assert!(
                (mean - rate).abs() < 5.0 * (rate / samples).sqrt(),
                "rate {rate}: mean {mean}"
            );
            let pairs = (paths * (months - 1)) as f64;
            let cov = cross / pairs;
            assert!(
                cov.abs() < 5.0 * rate / pairs.sqrt(),
                "rate {rate}: covariance {cov}"
            );
        }
    }
}
