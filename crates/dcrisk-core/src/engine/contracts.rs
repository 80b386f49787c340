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
use crate::random::Draws;

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
