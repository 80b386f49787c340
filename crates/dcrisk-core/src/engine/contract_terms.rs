//! The v2 contract terms fixed per run (docs/MODEL.md section 8): each preliminary site's
//! conversion, the guarantor's default clock, each site's renewal option, the market rent
//! and the power charges. `contracts.rs` applies them path by path.

use crate::math::{norm_cdf, norm_ppf, norm_sf};
use crate::process::market_rent::MarketRentProcess;
use crate::scenario::Scenario;

/// A preliminary lease's conversion (docs/MODEL.md 8.1).
#[derive(Clone, Copy, Debug)]
pub(super) struct Conversion {
    /// `p_i`; 0 and 1 mean never and always, whatever the demand.
    pub(super) probability: f64,
    /// `Phi^-1(p_i)`.
    pub(super) quantile: f64,
    pub(super) month: usize,
    pub(super) break_fee: f64,
}

impl Conversion {
    /// Whether the tenant signs, given the log demand factor `y` at the decision month
    /// and the path's uniform `u`: `u < Phi(Phi^-1(p) + beta_c y)`.
    pub(super) fn signs(&self, link: f64, y: f64, u: f64) -> bool {
        if self.probability <= 0.0 || self.probability >= 1.0 {
            return self.probability >= 1.0;
        }
        u < norm_cdf(self.quantile + link * y)
    }
}

/// A site's per-run contract figures.
#[derive(Clone, Copy, Debug)]
pub(super) struct SiteTerms {
    pub(super) conversion: Option<Conversion>,
    /// `phi_i`.
    pub(super) min_bill: f64,
    /// `cap_i 1000 pue_i capacity_charge_k`: the capacity charge of a month available.
    pub(super) charge: f64,
}

/// The guarantor's default clock (docs/MODEL.md 8.5).
#[derive(Clone, Copy, Debug)]
pub(super) struct GuarantorClock {
    /// `lambda_G = -ln(1 - p_G)`, per year.
    pub(super) lambda: f64,
    pub(super) sqrt_rho: f64,
    pub(super) sqrt_1m_rho: f64,
}

impl GuarantorClock {
    /// `12 tau_G` in months from the systemic factor `m` and the guarantor's own `eps`.
    pub(super) fn default_month(&self, m: f64, eps: f64) -> f64 {
        let a = self.sqrt_rho * m + self.sqrt_1m_rho * eps;
        -norm_sf(a).ln() / self.lambda * 12.0
    }
}

/// A site's renewal option and what its rent needs (docs/MODEL.md 8.3).
#[derive(Clone, Copy, Debug)]
pub(super) struct RenewalTerms {
    pub(super) terms: usize,
    /// `12 Y`.
    pub(super) months: i64,
    pub(super) probability: f64,
    pub(super) spread: f64,
    pub(super) floor: f64,
    /// The original term in months.
    pub(super) term_months: i64,
    /// The rent per kW-month of the original term's last year.
    pub(super) last_rent: f64,
    /// `1 + rent_escalator`.
    pub(super) escalation: f64,
    /// `capacity_mw 1000`: kW.
    pub(super) kw: f64,
    /// Where the site's draws and rents start in the flat per-path buffers.
    pub(super) slot: usize,
}

/// Everything about the contract terms that is the same on every path.
#[derive(Clone, Debug)]
pub struct ContractsModel {
    pub(super) sites: Vec<SiteTerms>,
    pub(super) demand_link: f64,
    pub(super) guarantor: Option<GuarantorClock>,
    /// Whether any site is preliminary.
    pub(super) converts: bool,
    /// Whether any capacity charge or minimum bill applies.
    pub(super) power_terms: bool,
    /// `sum_{t < n} df(t)` for `n = 0..=T`: the tenant's annuity to month n.
    pub(super) annuity: Vec<f64>,
    /// Each site's capacity, MW.
    pub(super) capacity: Vec<f64>,
    /// Their sum, in site order: the signed capacity when every lease is signed.
    pub(super) total_capacity: f64,
    /// The market rent process, when the scenario has one.
    pub market_rent: Option<MarketRentProcess>,
    /// Per site, its renewal option.
    pub(super) renewals: Vec<Option<RenewalTerms>>,
    /// Renewal slots (uniforms, rents) a path needs: the sum of the sites' `terms`.
    pub(super) slots: usize,
}

impl ContractsModel {
    pub fn new(s: &Scenario, df: &[f64]) -> Self {
        let c = &s.contracts;
        let sites: Vec<SiteTerms> = s
            .sites
            .iter()
            .enumerate()
            .map(|(i, site)| {
                let terms = c.site(i);
                SiteTerms {
                    conversion: terms.preliminary.map(|p| Conversion {
                        probability: p.conversion_probability,
                        quantile: norm_ppf(p.conversion_probability),
                        month: p.decision_month as usize,
                        break_fee: p.break_fee,
                    }),
                    min_bill: terms.min_bill_fraction,
                    charge: site.capacity_mw * 1000.0 * site.pue * c.capacity_charge(site.region),
                }
            })
            .collect();
        let g = c.guarantor;
        let mut annuity = vec![0.0; s.months() + 1];
        for t in 0..s.months() {
            annuity[t + 1] = annuity[t] + df[t];
        }
        let (renewals, slots) = renewal_terms(s);
        ContractsModel {
            market_rent: c.market_rent.as_ref().map(MarketRentProcess::new),
            renewals,
            slots,
            converts: sites.iter().any(|t| t.conversion.is_some()),
            power_terms: sites.iter().any(|t| t.min_bill > 0.0 || t.charge > 0.0),
            sites,
            demand_link: c.demand_link,
            guarantor: (g.annual_pd > 0.0).then(|| GuarantorClock {
                lambda: -(-g.annual_pd).ln_1p(),
                sqrt_rho: g.correlation.sqrt(),
                sqrt_1m_rho: (1.0 - g.correlation).sqrt(),
            }),
            annuity,
            capacity: s.sites.iter().map(|site| site.capacity_mw).collect(),
            total_capacity: s.sites.iter().map(|site| site.capacity_mw).sum(),
        }
    }

    /// Whether a path steps its random states before its schedules: to decide
    /// conversions (demand) and renewals (the market rent), and so that the market rent's
    /// normals always come first in the contracts stream.
    pub fn needs_demand_first(&self) -> bool {
        self.converts || self.market_rent.is_some()
    }

    /// Whether the contracts stream's once-per-path draws are taken.
    pub(super) fn draws(&self) -> bool {
        self.converts || self.guarantor.is_some() || self.slots > 0
    }

    /// Renewal slots a path needs (see the scratch's renewal buffers).
    pub fn renewal_slots(&self) -> usize {
        self.slots
    }

    /// Whether the cash flows gain terms (capacity charges, minimum bills, break fees).
    pub fn adds_costs(&self) -> bool {
        self.power_terms || self.converts
    }

    /// `sum_{t < alive} df(t)`.
    pub fn annuity(&self, alive: usize) -> f64 {
        self.annuity[alive.min(self.annuity.len() - 1)]
    }
}

/// Each site's renewal option, with its slots in the flat per-path buffers.
pub(super) fn renewal_terms(s: &Scenario) -> (Vec<Option<RenewalTerms>>, usize) {
    let mut slot = 0;
    let terms = s
        .sites
        .iter()
        .enumerate()
        .map(|(i, site)| {
            let r = s.contracts.site(i).renewal?;
            let escalation = 1.0 + site.rent_escalator;
            let terms = RenewalTerms {
                terms: r.terms as usize,
                months: 12 * i64::from(r.term_years),
                probability: r.probability,
                spread: r.spread,
                floor: r.floor,
                term_months: 12 * i64::from(site.term_years),
                last_rent: site.rent_per_kw_month * escalation.powi(site.term_years as i32 - 1),
                escalation,
                kw: site.capacity_mw * 1000.0,
                slot,
            };
            slot += terms.terms;
            Some(terms)
        })
        .collect();
    (terms, slot)
}
