//! Compute demand: the plan times a GBM factor with Poisson busts (docs/MODEL.md 2.2).

use super::DT;
use crate::random::{Draws, Poisson};
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct DemandProcess {
    /// `plan(t)` for `t = 0..T`, MW.
    pub plan: Vec<f64>,
    drift_step: f64,
    vol_step: f64,
    busts: Poisson,
    bust_size: f64,
}

impl DemandProcess {
    pub fn new(s: &Scenario) -> Self {
        let d = &s.demand;
        DemandProcess {
            plan: (0..s.months())
                .map(|t| interpolate(&d.plan, t as f64))
                .collect(),
            drift_step: (d.drift - 0.5 * d.volatility * d.volatility) * DT,
            vol_step: d.volatility * DT.sqrt(),
            busts: Poisson::new(d.bust_rate * DT),
            bust_size: d.bust_size,
        }
    }

    /// Turns the demand shocks `z(t)` into the steps `Y(t+1) - Y(t) = (mu - s^2/2) dt +
    /// s sqrt(dt) z(t) - b N(t)`, given each month's drop from busts (from
    /// [`Self::bust_drops`]).
    #[inline(always)] // into the caller's `simd::widest` variant
    pub fn innovations(&self, shocks: &mut [f64], drops: &[f64]) {
        for (z, &drop) in shocks.iter_mut().zip(drops) {
            *z = self.drift_step + self.vol_step * *z - drop;
        }
    }

    /// Each month's log drop from busts for one path, `out[t] = b N(t)` with
    /// `N(t) ~ Poisson(rate dt)`, drawn from the path's busts stream.
    pub fn bust_drops(&self, draws: &mut Draws, out: &mut [f64]) {
        out.fill(0.0);
        self.busts.monthly_counts(draws, out.len(), |t, n, _| {
            out[t] = self.bust_size * f64::from(n)
        });
    }
}

/// The plan at month `t`: linear between points, flat outside them.
///
/// # Examples
/// ```
/// use dcrisk_core::process::demand::interpolate;
/// let plan = [(0.0, 300.0), (36.0, 1100.0)];
/// assert_eq!(interpolate(&plan, 18.0), 700.0);
/// assert_eq!(interpolate(&plan, 99.0), 1100.0);
/// ```
pub fn interpolate(plan: &[(f64, f64)], t: f64) -> f64 {
    let Some(&(first_m, first_mw)) = plan.first() else {
        return 0.0;
    };
    if t <= first_m {
        return first_mw;
    }
    for w in plan.windows(2) {
        let ((m0, v0), (m1, v1)) = (w[0], w[1]);
        if t <= m1 {
            return v0 + (v1 - v0) * (t - m0) / (m1 - m0);
        }
    }
    plan[plan.len() - 1].1
}
