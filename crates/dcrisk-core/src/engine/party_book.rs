//! Who a run reports on one by one (`landlords.csv`, `default_curve.csv`): fixed per run,
//! apart from `parties.rs`'s per-path accumulators so that the model holds it without
//! importing them.

use super::site_model::SiteModel;
use crate::scenario::Scenario;

/// The parties a run reports on: each landlord's name and `annual_pd`, and the tenant's
/// `annual_pd` (for the curve's closed-form column).
#[derive(Clone, Debug, PartialEq)]
pub struct PartyBook {
    pub landlords: Vec<(String, f64)>,
    pub tenant_annual_pd: f64,
    /// Per lease unit, `P[k] = sum_{j < k} rent_by_month[j] q^j` with `q = (1 + r)^(-1/12)`:
    /// the unit's rent from its delivery `d` over months `[d + i, d + k)` is worth
    /// `df(d) (P[k] - P[i])` at month 0 (`df(u) = df(d) q^(u - d)`), for the landlords'
    /// shortfall split. Empty until [`PartyBook::with_units`].
    pub rent_prefix: Vec<Vec<f64>>,
}

impl PartyBook {
    pub fn new(s: &Scenario) -> Self {
        PartyBook {
            landlords: s
                .landlords
                .iter()
                .map(|l| (l.name.clone(), l.annual_pd))
                .collect(),
            tenant_annual_pd: s.tenant.annual_pd,
            rent_prefix: Vec::new(),
        }
    }

    /// The book with the lease units' discounted rent prefix sums at `discount_rate`.
    pub fn with_units(mut self, units: &[SiteModel], discount_rate: f64) -> Self {
        let q = (1.0 + discount_rate).powf(-1.0 / 12.0);
        self.rent_prefix = units
            .iter()
            .map(|u| {
                let mut prefix = Vec::with_capacity(u.rent_by_month.len() + 1);
                let (mut sum, mut factor) = (0.0, 1.0);
                prefix.push(sum);
                for &rent in &u.rent_by_month {
                    sum += rent * factor;
                    factor *= q;
                    prefix.push(sum);
                }
                prefix
            })
            .collect();
        self
    }
}
