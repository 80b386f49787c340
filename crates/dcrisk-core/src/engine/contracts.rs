//! The v2 contract terms on a path (docs/MODEL.md section 8): which preliminary leases the
//! tenant signs (8.1) and the break fees of those it does not, the power bill's capacity
//! charge and take-or-pay minimum (8.4), and the guarantor's own default (8.5).
//!
//! Their draws come from the path's `contracts` stream, never the main one, so every v1
//! driver (power, demand, cloud, delays, landlord and tenant defaults) keeps its draws when
//! a scenario gains these terms, and a scenario without them takes none: its numbers are
//! v1's bit for bit. The stream's order is fixed whatever the parameters: the guarantor's
//! own normal `eps_G`, then one uniform per site in site order (a signed site's is unused),
//! so changing one site's terms never moves another site's draw.

use super::model::Model;
use super::scratch::{ScheduleRows, Scratch};
use crate::math::{norm_cdf, norm_ppf, norm_sf};
use crate::random::Draws;
use crate::scenario::Scenario;

/// A preliminary lease's conversion (docs/MODEL.md 8.1).
#[derive(Clone, Copy, Debug)]
struct Conversion {
    /// `p_i`; 0 and 1 mean never and always, whatever the demand.
    probability: f64,
    /// `Phi^-1(p_i)`.
    quantile: f64,
    month: usize,
    break_fee: f64,
}

impl Conversion {
    /// Whether the tenant signs, given the log demand factor `y` at the decision month
    /// and the path's uniform `u`: `u < Phi(Phi^-1(p) + beta_c y)`.
    fn signs(&self, link: f64, y: f64, u: f64) -> bool {
        if self.probability <= 0.0 || self.probability >= 1.0 {
            return self.probability >= 1.0;
        }
        u < norm_cdf(self.quantile + link * y)
    }
}

/// A site's per-run contract figures.
#[derive(Clone, Copy, Debug)]
struct SiteTerms {
    conversion: Option<Conversion>,
    /// `phi_i`.
    min_bill: f64,
    /// `cap_i 1000 pue_i capacity_charge_k`: the capacity charge of a month available.
    charge: f64,
}

/// The guarantor's default clock (docs/MODEL.md 8.5).
#[derive(Clone, Copy, Debug)]
struct GuarantorClock {
    /// `lambda_G = -ln(1 - p_G)`, per year.
    lambda: f64,
    sqrt_rho: f64,
    sqrt_1m_rho: f64,
}

impl GuarantorClock {
    /// `12 tau_G` in months from the systemic factor `m` and the guarantor's own `eps`.
    fn default_month(&self, m: f64, eps: f64) -> f64 {
        let a = self.sqrt_rho * m + self.sqrt_1m_rho * eps;
        -norm_sf(a).ln() / self.lambda * 12.0
    }
}

/// Everything about the contract terms that is the same on every path.
#[derive(Clone, Debug)]
pub struct ContractsModel {
    sites: Vec<SiteTerms>,
    demand_link: f64,
    guarantor: Option<GuarantorClock>,
    /// Whether any site is preliminary.
    converts: bool,
    /// Whether any capacity charge or minimum bill applies.
    power_terms: bool,
    /// `sum_{t < n} df(t)` for `n = 0..=T`: the tenant's annuity to month n.
    annuity: Vec<f64>,
    /// Each site's capacity, MW.
    capacity: Vec<f64>,
    /// Their sum, in site order: the signed capacity when every lease is signed.
    total_capacity: f64,
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
        ContractsModel {
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

    /// Whether a path must know its demand before its schedules (to decide conversions).
    pub fn needs_demand_first(&self) -> bool {
        self.converts
    }

    /// Whether the contracts stream is drawn at all.
    fn draws(&self) -> bool {
        self.converts || self.guarantor.is_some()
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

/// What a path's contract draws decided.
#[derive(Clone, Copy, Debug)]
pub struct PathTerms {
    /// `12 tau_G`: the guarantor's default month (infinite when it cannot default).
    pub guarantor_default_month: f64,
    /// The capacity of the signed sites, MW.
    pub signed_capacity_mw: f64,
}

/// Draws the path's contract terms: the guarantor's default month and, from the log
/// demand factor in `s.levels` (so after the states are stepped, when any site is
/// preliminary), which sites are signed (into `s.signed`).
pub(super) fn draw_terms(
    model: &Model,
    draws: &mut Draws,
    systemic: f64,
    s: &mut Scratch,
) -> PathTerms {
    let c = &model.contracts;
    s.signed.fill(true);
    if !c.draws() {
        return PathTerms {
            guarantor_default_month: f64::INFINITY,
            signed_capacity_mw: c.total_capacity,
        };
    }
    let eps = draws.normal();
    let guarantor_default_month = c
        .guarantor
        .map_or(f64::INFINITY, |g| g.default_month(systemic, eps));
    let demand = &s.levels[s.layout.demand()];
    let last = model.months.saturating_sub(1);
    for (signed, terms) in s.signed.iter_mut().zip(&c.sites) {
        let u = draws.uniform();
        if let Some(conv) = terms.conversion {
            *signed = conv.signs(c.demand_link, demand[conv.month.min(last)], u);
        }
    }
    let signed_capacity_mw = c
        .capacity
        .iter()
        .zip(&s.signed)
        .map(|(&cap, &signed)| if signed { cap } else { 0.0 })
        .sum();
    PathTerms {
        guarantor_default_month,
        signed_capacity_mw,
    }
}

/// A site the tenant does not sign is never delivered: its delivery moves to the end of
/// the schedule (an empty lease) and no landlord default touches it.
pub(super) fn withdraw_unsigned(model: &Model, s: &mut Scratch) {
    let never = model.schedule_len as i64;
    for (i, &signed) in s.signed.iter().enumerate() {
        if !signed {
            s.delivery[i] = never;
            s.outage[i] = (0, 0);
        }
    }
}

/// Adds the contract terms to the months' power and program costs while the tenant is
/// alive (`t < tau`): each available site's capacity charge and take-or-pay top-up
/// `(phi_i cap_i - U_i)^+ pue_i HOURS P_eff` (docs/MODEL.md 8.4), site by site in site
/// order, and each unsigned site's break fee in its decision month (8.1). Returns the
/// break fees' present value.
pub(super) fn add_costs(model: &Model, s: &mut Scratch, tau: usize) -> f64 {
    let alive = tau.min(model.months);
    let c = &model.contracts;
    let mut fees_pv = 0.0;
    for (terms, &signed) in c.sites.iter().zip(&s.signed) {
        if let Some(conv) = terms.conversion
            && !signed
            && conv.month < alive
            && conv.break_fee > 0.0
        {
            s.program[conv.month] += conv.break_fee;
            fees_pv += conv.break_fee * model.df[conv.month];
        }
    }
    if c.power_terms {
        add_power_terms(model, s, alive);
    }
    fees_pv
}

/// Each available lease unit's capacity charge and take-or-pay top-up, unit by unit (so
/// site by site, tranche by tranche), into the months' power and program costs.
fn add_power_terms(model: &Model, s: &mut Scratch, alive: usize) {
    let c = &model.contracts;
    let capacity = &s.monthly[s.rows.row(ScheduleRows::CAPACITY)];
    let (power, _) = s.flows.split_at_mut(model.months);
    for ((unit, place), lease) in model.units.iter().zip(&model.unit_places).zip(&s.leases) {
        let terms = &c.sites[place.site];
        if terms.min_bill <= 0.0 && terms.charge <= 0.0 {
            continue;
        }
        let charge = terms.charge * place.fraction;
        let spot = &s.levels[s.layout.spot(unit.region)];
        let price = &model.power[unit.region];
        for (a, b) in lease.runs(lease.begin.max(0), lease.end) {
            for t in (a.max(0) as usize)..(b.max(0) as usize).min(alive) {
                // `U_i / cap_i`: the load is spread in proportion to capacity.
                let used_share = (s.demand[t] / capacity[t]).min(1.0);
                let top_up = (terms.min_bill - used_share).max(0.0) * unit.energy;
                let extra = top_up * price.effective(spot[t]) + charge;
                power[t] += extra;
                s.program[t] += extra;
            }
        }
    }
}
