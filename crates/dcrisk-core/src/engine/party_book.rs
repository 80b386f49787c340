//! Who a run reports on one by one (`landlords.csv`, `default_curve.csv`): fixed per run,
//! apart from `parties.rs`'s per-path accumulators so that the model holds it without
//! importing them.

use crate::scenario::Scenario;

/// The parties a run reports on: each landlord's name and `annual_pd`, and the tenant's
/// `annual_pd` (for the curve's closed-form column).
#[derive(Clone, Debug, PartialEq)]
pub struct PartyBook {
    pub landlords: Vec<(String, f64)>,
    pub tenant_annual_pd: f64,
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
        }
    }
}
