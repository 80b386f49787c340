//! The v2 contract fields (docs/MODEL.md section 8): preliminary leases and their
//! conversion, capacity charges and take-or-pay minimums, the guarantor's own credit.
//!
//! Every field is optional, and its default reproduces v1 exactly, so a scenario without
//! them keeps its numbers. They are read here, beside the v1 readers of `validate.rs`,
//! which call in for the fields of their tables.

use super::limits::{
    CAPACITY_CHARGE, DRIFT, FRACTION, MAX_LOG_DRIFT, MAX_LOG_SD, MAX_MONTHS, MAX_YEARS,
    PROBABILITY, VOLATILITY, spread,
};
use super::reader::{Errors, Fields, Range, int_value, number_value};
use super::value::{Value, format_number};

/// A lease the tenant may still walk away from (docs/MODEL.md 8.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preliminary {
    /// `p_i`: the probability of signing at the average demand path (`Y = 0`).
    pub conversion_probability: f64,
    /// `m_i`: the month the tenant decides, at most the planned delivery.
    pub decision_month: u32,
    /// `B_i`, $: paid in the decision month when the tenant walks away.
    pub break_fee: f64,
}

/// A site's contract terms beyond v1 (defaults: signed, delivered whole, no minimum bill).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteContract {
    /// `None` for a signed lease (`status = "signed"`, the default).
    pub preliminary: Option<Preliminary>,
    /// `phi_i`: the share of available capacity billed for energy at least (take-or-pay).
    pub min_bill_fraction: f64,
    /// `(offset_months, fraction)` of each tranche (docs/MODEL.md 8.2); empty means one
    /// tranche, `[[0, 1.0]]`, delivered whole.
    pub tranches: Vec<(u32, f64)>,
    /// Renewals at the market rent (docs/MODEL.md 8.3); `None`: the lease ends with its
    /// term.
    pub renewal: Option<Renewal>,
}

/// A site's renewal option (docs/MODEL.md 8.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Renewal {
    /// `N`: the most renewals.
    pub terms: u32,
    /// `Y`: each renewal's length.
    pub term_years: u32,
    /// `q`: the chance of each renewal (default 1).
    pub probability: f64,
    /// `s`: the renewal rent's spread over the market rent (default 0).
    pub spread: f64,
    /// `f`: the renewal rent's floor, a share of the expiring rent (default 0).
    pub floor: f64,
}

/// The market rent for renewals, a geometric Brownian motion (docs/MODEL.md 8.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MarketRent {
    /// $/kW-month at month 0.
    pub rent0: f64,
    pub drift: f64,
    pub volatility: f64,
}

/// The guarantor's own default (docs/MODEL.md 8.5); `annual_pd = 0` never defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Guarantor {
    pub annual_pd: f64,
    /// `rho_G`: its loading on the landlords' systemic factor.
    pub correlation: f64,
}

/// Every v2 contract field of a scenario. The default is v1: no preliminary leases, no
/// capacity charges or minimum bills, a guarantor that never fails.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contracts {
    /// `[conversion] demand_link` beta_c.
    pub demand_link: f64,
    /// Per region (in `regions` order), `capacity_charge` in $/kW-month; empty means 0.
    pub capacity_charge: Vec<f64>,
    /// Per site (in `sites` order); empty means every site's default.
    pub sites: Vec<SiteContract>,
    pub guarantor: Guarantor,
    /// `[market_rent]`, when given: then also the last correlation factor.
    pub market_rent: Option<MarketRent>,
}

impl Contracts {
    /// Region `k`'s capacity charge, $/kW-month.
    pub fn capacity_charge(&self, k: usize) -> f64 {
        self.capacity_charge.get(k).copied().unwrap_or(0.0)
    }

    /// Site `i`'s contract terms.
    pub fn site(&self, i: usize) -> SiteContract {
        self.sites.get(i).cloned().unwrap_or_default()
    }
}

/// The demand link of a conversion: a loading on the log demand factor.
const DEMAND_LINK: Range = Range::closed(-100.0, 100.0);
/// Most renewals of one lease.
const MAX_RENEWALS: i64 = 20;
/// A renewal rent's spread over the market: -100% (nothing) to +1000%.
const SPREAD: Range = Range::closed(-1.0, 10.0);
/// A renewal rent's floor, as a share of the expiring rent.
const RENT_FLOOR: Range = Range::closed(0.0, 10.0);
/// The market rent, $ per kW a month: positive, at most $100,000.
const MARKET_RENT: Range = Range::above(0.0, 1e5);
/// A tranche's share of the site: more than 0, at most 1.
const TRANCHE_FRACTION: Range = Range::above(0.0, 1.0);
/// A break fee, $: at most 1e13.
const BREAK_FEE: Range = Range::closed(0.0, 1e13);

/// An optional number in `range` with a default.
fn number_or(e: &mut Errors, t: &mut Fields<'_>, key: &'static str, default: f64, r: Range) -> f64 {
    match t.get(key) {
        Some(v) => number_value(e, &t.path_of(key), v, r),
        None => default,
    }
}

/// A region's `capacity_charge` ($/kW-month, default 0).
pub(crate) fn region_charge(e: &mut Errors, t: &mut Fields<'_>) -> f64 {
    number_or(e, t, "capacity_charge", 0.0, CAPACITY_CHARGE)
}

/// A site's `status`, `conversion_probability`, `decision_month`, `break_fee` and
/// `min_bill_fraction`. A signed site refuses the preliminary fields (they would be
/// silently ignored otherwise); a preliminary one needs its probability and month, and
/// decides no later than its planned delivery.
pub(crate) fn site(
    e: &mut Errors,
    t: &mut Fields<'_>,
    planned_delivery: u32,
    term_years: u32,
) -> SiteContract {
    let min_bill_fraction = number_or(e, t, "min_bill_fraction", 0.0, FRACTION);
    let tranches_path = t.path_of("tranches");
    let tranches = match t.get("tranches") {
        Some(v) => tranches(e, &tranches_path, v, term_years),
        None => Vec::new(),
    };
    let status = t.string_or(e, "status", "signed");
    let preliminary = match status.as_str() {
        "signed" => {
            for key in ["conversion_probability", "decision_month", "break_fee"] {
                if t.get(key).is_some() {
                    e.push(
                        t.path_of(key),
                        "only for a preliminary lease (set status = \"preliminary\")",
                    );
                }
            }
            None
        }
        "preliminary" => Some(preliminary(e, t, planned_delivery)),
        other => {
            e.push(
                t.path_of("status"),
                format!("must be \"signed\" or \"preliminary\", got {other:?}"),
            );
            // Taken, so that a mistyped status is one error, not one per field.
            for key in ["conversion_probability", "decision_month", "break_fee"] {
                let _ = t.get(key);
            }
            None
        }
    };
    let renewal = t.optional_table(e, "renewal").map(|r| renewal(e, r));
    SiteContract {
        preliminary,
        min_bill_fraction,
        tranches,
        renewal,
    }
}

/// `renewal = { terms, term_years, probability, spread, floor }`.
fn renewal(e: &mut Errors, mut t: Fields<'_>) -> Renewal {
    let r = Renewal {
        terms: t.int(e, "terms", 0, MAX_RENEWALS) as u32,
        term_years: t.int(e, "term_years", 1, MAX_YEARS) as u32,
        probability: number_or(e, &mut t, "probability", 1.0, FRACTION),
        spread: number_or(e, &mut t, "spread", 0.0, SPREAD),
        floor: number_or(e, &mut t, "floor", 0.0, RENT_FLOOR),
    };
    t.finish(e);
    r
}

/// The optional `[market_rent]` table.
pub(crate) fn market_rent(e: &mut Errors, t: Option<Fields<'_>>, years: u32) -> Option<MarketRent> {
    let mut t = t?;
    let m = MarketRent {
        rent0: t.number(e, "rent0", MARKET_RENT),
        drift: t.number(e, "drift", DRIFT),
        volatility: t.number(e, "volatility", VOLATILITY),
    };
    let years = f64::from(years);
    if DRIFT.contains(m.drift) {
        spread(
            e,
            t.path_of("drift"),
            "the growth over the horizon, drift x horizon_years,",
            m.drift * years,
            MAX_LOG_DRIFT,
        );
    }
    if VOLATILITY.contains(m.volatility) {
        spread(
            e,
            t.path_of("volatility"),
            "the standard deviation at the horizon, volatility x sqrt(horizon_years),",
            m.volatility * years.sqrt(),
            MAX_LOG_SD,
        );
    }
    t.finish(e);
    Some(m)
}

/// `[[offset_months, fraction], ...]`: offsets whole, the first 0, strictly increasing
/// and inside the term; fractions > 0 summing to 1 (within 1e-9).
fn tranches(e: &mut Errors, path: &str, v: &Value, term_years: u32) -> Vec<(u32, f64)> {
    let Value::Array(items) = v else {
        e.push(
            path,
            format!(
                "expected an array of [offset_months, fraction] pairs, got {}",
                v.describe()
            ),
        );
        return Vec::new();
    };
    if items.is_empty() {
        e.push(
            path,
            "must have at least one [offset_months, fraction] pair",
        );
        return Vec::new();
    }
    let term_months = 12 * i64::from(term_years);
    let mut out: Vec<(u32, f64)> = Vec::new();
    // A pair that could not be read leaves the sum of fractions meaningless.
    let mut malformed = false;
    for (k, item) in items.iter().enumerate() {
        let p = format!("{path}[{k}]");
        let Value::Array(pair) = item else {
            e.push(
                p,
                format!(
                    "expected an [offset_months, fraction] pair, got {}",
                    item.describe()
                ),
            );
            malformed = true;
            continue;
        };
        if pair.len() != 2 {
            e.push(
                p,
                format!(
                    "expected an [offset_months, fraction] pair, got {} values",
                    pair.len()
                ),
            );
            malformed = true;
            continue;
        }
        let before = e.count();
        let offset = int_value(e, &format!("{p}[0]"), &pair[0], 0, MAX_MONTHS);
        let offset_failed = e.count() > before;
        let fraction = number_value(e, &format!("{p}[1]"), &pair[1], TRANCHE_FRACTION);
        if e.count() > before {
            malformed = true;
        }
        let prev = out.last().map(|&(o, _)| i64::from(o));
        if offset_failed {
            // The offset's own error says it all; its placeholder would fail the order.
        } else if k == 0 && offset != 0 {
            e.push(
                format!("{p}[0]"),
                format!("the first tranche's offset must be 0, got {offset}"),
            );
        } else if let Some(prev) = prev
            && offset <= prev
        {
            e.push(
                format!("{p}[0]"),
                format!("offsets must increase, got {offset} after {prev}"),
            );
        }
        if offset >= term_months {
            e.push(
                format!("{p}[0]"),
                format!("must be < 12 x term_years ({term_months}): a tranche comes online inside the term, got {offset}"),
            );
        }
        out.push((offset as u32, fraction));
    }
    let total: f64 = out.iter().map(|&(_, f)| f).sum();
    if !malformed && (total - 1.0).abs() > 1e-9 {
        e.push(
            path,
            format!("the fractions must sum to 1, got {}", format_number(total)),
        );
    }
    out
}

fn preliminary(e: &mut Errors, t: &mut Fields<'_>, planned_delivery: u32) -> Preliminary {
    let probability_path = t.path_of("conversion_probability");
    let conversion_probability = match t.get("conversion_probability") {
        Some(v) => number_value(e, &probability_path, v, FRACTION),
        None => {
            e.push(
                probability_path,
                "missing field (a preliminary lease needs it)",
            );
            0.0
        }
    };
    let month_path = t.path_of("decision_month");
    let decision_month = match t.get("decision_month") {
        Some(v) => int_value(e, &month_path, v, 0, MAX_MONTHS) as u32,
        None => {
            e.push(
                month_path.clone(),
                "missing field (a preliminary lease needs it)",
            );
            0
        }
    };
    if decision_month > planned_delivery {
        e.push(
            month_path,
            format!(
                "must be <= planned_delivery ({planned_delivery}): the tenant signs before \
                 the site is delivered, got {decision_month}"
            ),
        );
    }
    Preliminary {
        conversion_probability,
        decision_month,
        break_fee: number_or(e, t, "break_fee", 0.0, BREAK_FEE),
    }
}

/// `[guarantee]`'s `guarantor_annual_pd` and `guarantor_correlation` (defaults 0).
pub(crate) fn guarantor(e: &mut Errors, t: &mut Fields<'_>) -> Guarantor {
    Guarantor {
        annual_pd: number_or(e, t, "guarantor_annual_pd", 0.0, PROBABILITY),
        correlation: number_or(e, t, "guarantor_correlation", 0.0, PROBABILITY),
    }
}

/// The optional `[conversion]` table: `demand_link` (default 0).
pub(crate) fn conversion(e: &mut Errors, t: Option<Fields<'_>>) -> f64 {
    let Some(mut t) = t else { return 0.0 };
    let link = number_or(e, &mut t, "demand_link", 0.0, DEMAND_LINK);
    t.finish(e);
    link
}
