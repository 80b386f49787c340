//! The market rent for renewals, $/kW-month: a geometric Brownian motion (docs/MODEL.md
//! 8.3). Its shocks are the last correlation factor's; its independent normals come from
//! the path's contracts stream, so the v1 factors' shocks do not change.

use super::DT;
use crate::scenario::MarketRent;

#[derive(Clone, Debug)]
pub struct MarketRentProcess {
    /// `ln R(0)`.
    pub ln_r0: f64,
    drift_step: f64,
    vol_step: f64,
}

impl MarketRentProcess {
    pub fn new(m: &MarketRent) -> Self {
        MarketRentProcess {
            ln_r0: m.rent0.ln(),
            drift_step: (m.drift - 0.5 * m.volatility * m.volatility) * DT,
            vol_step: m.volatility * DT.sqrt(),
        }
    }

    /// Turns the shocks `z(t)` into the steps `ln R(t+1) - ln R(t) = (mu_R - sigma_R^2/2)
    /// dt + sigma_R sqrt(dt) z(t)`.
    #[inline(always)] // into the caller's `simd::widest` variant
    pub fn innovations(&self, shocks: &mut [f64]) {
        for z in shocks.iter_mut() {
            *z = self.drift_step + self.vol_step * *z;
        }
    }
}
