//! Tenant default with wrong-way risk: a hazard that rises as demand falls (docs/MODEL.md 2.6).

use super::DT;
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct TenantClock {
    /// `-ln(1 - annual_pd) dt`, the monthly hazard at `Y = 0`.
    base_hazard: f64,
    wrong_way: f64,
}

impl TenantClock {
    pub fn new(s: &Scenario) -> Self {
        TenantClock {
            base_hazard: -(-s.tenant.annual_pd).ln_1p() * DT,
            wrong_way: s.tenant.wrong_way,
        }
    }

    /// Whether the tenant can default at all.
    pub fn active(&self) -> bool {
        self.base_hazard > 0.0
    }

    /// The exponent of the hazard's wrong-way factor, `-beta Y(t)`; the engine takes the
    /// exponentials of a whole path's exponents at once.
    #[inline]
    pub fn hazard_exponent(&self, y: f64) -> f64 {
        -self.wrong_way * y
    }

    /// `h(t) = base exp(-beta Y(t))`, given the factor `exp(-beta Y(t))` (1 without
    /// wrong-way risk).
    #[inline]
    pub fn hazard(&self, factor: f64) -> f64 {
        self.base_hazard * factor
    }
}
