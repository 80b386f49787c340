//! Cloud price per MW-month: geometric Brownian motion (docs/MODEL.md 2.3).

use super::DT;
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct CloudProcess {
    /// `ln C(0)`.
    pub ln_c0: f64,
    drift_step: f64,
    vol_step: f64,
}

impl CloudProcess {
    pub fn new(s: &Scenario) -> Self {
        let c = &s.cloud;
        CloudProcess {
            ln_c0: c.price0.ln(),
            drift_step: (c.drift - 0.5 * c.volatility * c.volatility) * DT,
            vol_step: c.volatility * DT.sqrt(),
        }
    }

    /// Turns the cloud shocks `z(t)` into the steps `ln C(t+1) - ln C(t) =
    /// (mu - s^2/2) dt + s sqrt(dt) z(t)`.
    #[inline(always)] // into the caller's `simd::widest` variant
    pub fn innovations(&self, shocks: &mut [f64]) {
        for z in shocks.iter_mut() {
            *z = self.drift_step + self.vol_step * *z;
        }
    }
}
