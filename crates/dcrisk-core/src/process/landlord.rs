//! Landlord default times by the one-factor Gaussian copula (docs/MODEL.md 2.5).

use crate::math::{norm_ppf, norm_sf};
use crate::scenario::Scenario;

#[derive(Clone, Debug)]
pub struct LandlordDefaults {
    /// `lambda_j = -ln(1 - p_j)`, per year.
    lambdas: Vec<f64>,
    sqrt_rho: f64,
    sqrt_1m_rho: f64,
    /// Per landlord, the copula variable `A` from which on its default comes too late to
    /// matter on any path (see [`Self::default_month`]); infinity when none is known.
    late: Vec<f64>,
}

impl LandlordDefaults {
    pub fn new(s: &Scenario) -> Self {
        let rho = s.landlord_default.asset_correlation;
        let mut defaults = LandlordDefaults {
            lambdas: s
                .landlords
                .iter()
                .map(|l| -(-l.annual_pd).ln_1p())
                .collect(),
            sqrt_rho: rho.sqrt(),
            sqrt_1m_rho: (1.0 - rho).sqrt(),
            late: Vec::new(),
        };
        defaults.late = (0..s.landlords.len())
            .map(|j| defaults.late_from(j, irrelevant_after(s, j)))
            .collect();
        defaults
    }

    /// The `A` from which landlord `j`'s default month is at least `bound`, found by
    /// inverting the default month for a quarter-month more and checked by computing it
    /// there: `default_month` rises with `A`, so every larger `A` gives at least `bound`
    /// as well (its rounding is far inside the quarter month). Infinity when the check
    /// fails, as it can where the inversion loses precision.
    fn late_from(&self, j: usize, bound: f64) -> f64 {
        let lambda = self.lambdas[j];
        if lambda <= 0.0 {
            return f64::INFINITY;
        }
        let target = bound + 0.5;
        let a = -norm_ppf((-lambda * target / 12.0).exp());
        if a.is_finite() && self.month_of(lambda, a) >= bound + 0.25 {
            a
        } else {
            f64::INFINITY
        }
    }

    /// The copula variable `A = sqrt(rho) m + sqrt(1 - rho) eps`.
    #[inline]
    fn copula(&self, m: f64, eps: f64) -> f64 {
        self.sqrt_rho * m + self.sqrt_1m_rho * eps
    }

    /// `12 tau` for copula variable `a`: `-ln(1 - Phi(a)) / lambda`, in months.
    fn month_of(&self, lambda: f64, a: f64) -> f64 {
        // 1 - Phi(A) = Phi(-A), computed without cancellation.
        -norm_sf(a).ln() / lambda * 12.0
    }

    pub fn len(&self) -> usize {
        self.lambdas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lambdas.is_empty()
    }

    /// Default time of landlord `j` in months, `12 tau_j`, from the systemic factor `m` and
    /// its own factor `eps`: `tau = -ln(1 - Phi(A)) / lambda` with `A = sqrt(rho) m +
    /// sqrt(1 - rho) eps`. Infinite for a landlord that cannot default, and for a default
    /// that would come after the horizon and after every month its sites can be delivered
    /// in: such a default changes nothing on a path, and most landlords' defaults are
    /// such, so their `erfc` and logarithm are skipped.
    #[inline]
    pub fn default_month(&self, j: usize, m: f64, eps: f64) -> f64 {
        let lambda = self.lambdas[j];
        let a = self.copula(m, eps);
        if lambda <= 0.0 || a >= self.late[j] {
            return f64::INFINITY;
        }
        self.month_of(lambda, a)
    }
}

/// The month from which landlord `j`'s default can change nothing on a path: the end of
/// the horizon, or the last month any of its sites can be delivered in (a default before
/// delivery delays the site) if later.
fn irrelevant_after(s: &Scenario, j: usize) -> f64 {
    s.sites
        .iter()
        .filter(|site| site.landlord == j)
        .map(|site| f64::from(site.planned_delivery) + site.delay.max.ceil())
        .fold(s.months() as f64, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::shipped_base_case as base_scenario;

    /// A default month skipped as too late is at least the month from which it changes
    /// nothing, and one not skipped is the formula's, bit for bit: over annual PDs from
    /// negligible to near certain, and copula variables through and far past the cut.
    #[test]
    fn skipped_defaults_are_those_that_change_nothing() {
        let mut s = base_scenario();
        let pds = [1e-15, 1e-9, 1e-4, 0.0097, 0.041, 0.3, 0.9, 0.999_999];
        s.landlords.truncate(1);
        s.sites.iter_mut().for_each(|site| site.landlord = 0);
        let mut skipped = 0;
        for pd in pds {
            s.landlords[0].annual_pd = pd;
            let d = LandlordDefaults::new(&s);
            let bound = irrelevant_after(&s, 0);
            let lambda = d.lambdas[0];
            let cut = if d.late[0].is_finite() {
                d.late[0]
            } else {
                0.0
            };
            for i in -4000..=4000 {
                let eps = (f64::from(i) * 0.002 + cut) / d.sqrt_1m_rho;
                let a = d.copula(0.0, eps);
                let (month, exact) = (d.default_month(0, 0.0, eps), d.month_of(lambda, a));
                if month == f64::INFINITY {
                    skipped += 1;
                    assert!(exact >= bound, "pd {pd}, A {a}: {exact} < {bound}");
                } else {
                    assert_eq!(month.to_bits(), exact.to_bits(), "pd {pd}, A {a}");
                }
            }
        }
        assert!(skipped > 10_000, "only {skipped} skipped");
        // The base case's landlords all have a cut, below which their defaults matter.
        let base = LandlordDefaults::new(&base_scenario());
        assert!(base.late.iter().all(|l| l.is_finite()), "{:?}", base.late);
    }
}
