//! The v2 contract terms on a path (docs/MODEL.md section 8): which preliminary leases the
//! tenant signs (8.1) and the break fees of those it does not, renewals at the market rent
//! (8.3), the power bill's capacity charge and take-or-pay minimum (8.4), and the
//! guarantor's own default (8.5). Tranches (8.2) are lease units: `super::tranches`.
//!
//! Their draws come from the path's `contracts` stream, never the main one, so every v1
//! driver (power, demand, cloud, delays, landlord and tenant defaults) keeps its draws when
//! a scenario gains these terms, and a scenario without them takes none: its numbers are
//! v1's bit for bit. The stream's order is fixed whatever the parameters: the market
//! rent's `T - 1` normals (when the scenario has `[market_rent]`), the guarantor's own
//! normal `eps_G`, one uniform per site in site order (a signed site's is unused), then
//! `terms` uniforms per site with a renewal option, in site order.

use super::model::Model;
use super::scratch::{ScheduleRows, Scratch};
use crate::math::{norm_cdf, norm_ppf, norm_sf};
use crate::process::market_rent::MarketRentProcess;
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

/// A site's renewal option and what its rent needs (docs/MODEL.md 8.3).
#[derive(Clone, Copy, Debug)]
struct RenewalTerms {
    terms: usize,
    /// `12 Y`.
    months: i64,
    probability: f64,
    spread: f64,
    floor: f64,
    /// The original term in months.
    term_months: i64,
    /// The rent per kW-month of the original term's last year.
    last_rent: f64,
    /// `1 + rent_escalator`.
    escalation: f64,
    /// `capacity_mw 1000`: kW.
    kw: f64,
    /// Where the site's draws and rents start in the flat per-path buffers.
    slot: usize,
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
    /// The market rent process, when the scenario has one.
    pub market_rent: Option<MarketRentProcess>,
    /// Per site, its renewal option.
    renewals: Vec<Option<RenewalTerms>>,
    /// Renewal slots (uniforms, rents) a path needs: the sum of the sites' `terms`.
    slots: usize,
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
    fn draws(&self) -> bool {
        self.converts || self.guarantor.is_some() || self.slots > 0
    }

    /// Renewal slots a path needs (see [`Scratch`]'s renewal buffers).
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
    for u in s.renewal_draws.iter_mut() {
        *u = draws.uniform();
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

/// Each site's renewal option, with its slots in the flat per-path buffers.
fn renewal_terms(s: &Scenario) -> (Vec<Option<RenewalTerms>>, usize) {
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

/// Decides each signed site's renewals (docs/MODEL.md 8.3), once its delivery is final:
/// renewal k starts at `e_k = d_i + 12 term_years + 12 Y (k - 1)` and happens, while the
/// ones before it did, when its uniform is below q. Its first-year rent per kW-month is
/// `max(f r_last, (1 + s) R(e_k))`; the market rent is read inside the horizon only (a
/// renewal from the horizon on changes no figure: its rent is not owed under the
/// guarantee). A landlord default inside a renewed term (and the horizon) is an outage.
pub(super) fn renew(model: &Model, s: &mut Scratch) {
    let c = &model.contracts;
    if c.slots == 0 {
        return;
    }
    let t_end = model.months as i64;
    let rents = s.layout.market_rent();
    for (i, terms) in c.renewals.iter().enumerate() {
        s.renewed_months[i] = 0;
        let Some(r) = terms else { continue };
        if !s.signed[i] {
            continue;
        }
        let d = s.delivery[i];
        let mut last = r.last_rent;
        let mut start = d + r.term_months;
        for k in 0..r.terms {
            if start >= t_end || s.renewal_draws[r.slot + k] >= r.probability {
                break;
            }
            let market = s.levels[rents.start + start as usize].exp();
            let first = (r.floor * last).max((1.0 + r.spread) * market);
            s.renewal_rents[r.slot + k] = first;
            s.renewed_months[i] += r.months;
            last = first * r.escalation.powi((r.months / 12 - 1) as i32);
            start += r.months;
        }
        outage_in_renewal(model, s, i, d + r.term_months);
    }
}

/// A landlord default in site `i`'s renewed months (from `original_end`), inside the
/// horizon, takes the site out as one during the original term would.
fn outage_in_renewal(model: &Model, s: &mut Scratch, i: usize, original_end: i64) {
    let when = s.default_month[model.sites[i].landlord];
    let end = original_end + s.renewed_months[i];
    if when >= original_end as f64 && when < end as f64 && when < model.months as f64 {
        let start = when.floor() as i64;
        s.outage[i] = (start, start + model.outage_months);
    }
}

/// The renewed terms' rent inside the horizon, into the month's rent (after the owed
/// rent's prefix sums are taken: a renewal is not owed under the guarantee), month by
/// month where the site is available.
pub(super) fn add_renewal_rents(model: &Model, s: &mut Scratch) {
    let c = &model.contracts;
    if c.slots == 0 {
        return;
    }
    let t_end = model.months as i64;
    for (i, terms) in c.renewals.iter().enumerate() {
        let Some(r) = terms else { continue };
        let (out_start, out_end) = s.outage[i];
        let mut start = s.delivery[i] + r.term_months;
        for k in 0..(s.renewed_months[i] / r.months.max(1)) as usize {
            let first = s.renewal_rents[r.slot + k] * r.kw;
            for t in start.max(0)..(start + r.months).min(t_end) {
                if t >= out_start && t < out_end {
                    continue;
                }
                let year = ((t - start) / 12) as i32;
                s.rent[t as usize] += first * r.escalation.powi(year);
            }
            start += r.months;
        }
    }
}
