//! Landlord default times by the one-factor Gaussian copula (MODEL.md 2.5).

use crate::math::norm_sf;
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct LandlordDefaults {
    /// `lambda_j = -ln(1 - p_j)`, per year.
    lambdas: Vec<f64>,
    sqrt_rho: f64,
    sqrt_1m_rho: f64,
}

impl LandlordDefaults {
    pub fn new(s: &Scenario) -> Self {
        let rho = s.landlord_default.asset_correlation;
        LandlordDefaults {
            lambdas: s
                .landlords
                .iter()
                .map(|l| -(-l.annual_pd).ln_1p())
                .collect(),
            sqrt_rho: rho.sqrt(),
            sqrt_1m_rho: (1.0 - rho).sqrt(),
        }
    }

    pub fn len(&self) -> usize {
        self.lambdas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lambdas.is_empty()
    }

    /// Default time of landlord `j` in months, `12 tau_j`, from the systemic factor `m` and
    /// its own factor `eps`: `tau = -ln(1 - Phi(A)) / lambda` with `A = sqrt(rho) m +
    /// sqrt(1 - rho) eps`. Infinite for a landlord that cannot default.
    #[inline]
    pub fn default_month(&self, j: usize, m: f64, eps: f64) -> f64 {
        let lambda = self.lambdas[j];
        if lambda <= 0.0 {
            return f64::INFINITY;
        }
        let a = self.sqrt_rho * m + self.sqrt_1m_rho * eps;
        // 1 - Phi(A) = Phi(-A), computed without cancellation.
        -norm_sf(a).ln() / lambda * 12.0
    }
}
