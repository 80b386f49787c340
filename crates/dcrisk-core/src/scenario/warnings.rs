//! Plausibility warnings: values the model accepts (validation refuses only the
//! impossible) but a reviewer would flag, mostly unit mistakes such as a percentage typed
//! as a number (`volatility = 9` for 90%), $/kW-year typed as $/kW-month, kW typed as MW.
//! Each check has a documented plausible range (docs/PARAMETERS.md, "Plausibility
//! warnings"); none fires for the shipped scenarios or the starter template.

use std::fmt;

use super::model::Scenario;
use super::value::format_number;

/// One implausible value: the field's path (`regions[0].volatility`), its value, and why it
/// looks wrong, with the plausible range.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldWarning {
    pub path: String,
    pub value: f64,
    pub message: String,
}

impl fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {}: {}",
            self.path,
            format_number(self.value),
            self.message
        )
    }
}

/// Plausible power prices, $/MWh (shipped: $62 to $90 delivered industrial prices).
pub const POWER_PRICE_RANGE: (f64, f64) = (10.0, 1000.0);
/// Plausible rent, $ per kW of IT a month (shipped: $130 to $154).
pub const RENT_RANGE: (f64, f64) = (30.0, 600.0);
/// Plausible cloud price, $ per MW of IT a month (shipped: $0.97M to $1.4M).
pub const CLOUD_PRICE_RANGE: (f64, f64) = (1e5, 1e7);
/// Plausible hardware cost, $ per MW of IT (shipped: $22M to $25M).
pub const CAPEX_RANGE: (f64, f64) = (1e6, 1e8);

/// Every plausibility warning of a checked scenario, in file order.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{parse_toml, validate, warnings};
/// let text = std::fs::read_to_string(concat!(
///     env!("CARGO_MANIFEST_DIR"),
///     "/../../scenarios/gigawatt-program.toml"
/// ))
/// .unwrap();
/// let mut s = validate(&parse_toml(&text).unwrap()).unwrap();
/// assert!(warnings(&s).is_empty());
/// s.discount_rate = 0.8;
/// assert_eq!(warnings(&s)[0].path, "discount_rate");
/// ```
pub fn warnings(s: &Scenario) -> Vec<FieldWarning> {
    let mut w = Warnings::default();
    let pct = |typical: &str| format!("a percentage? ({typical})");

    w.outside(
        "discount_rate",
        s.discount_rate,
        0.0,
        0.3,
        "a yearly discount rate is plausible from 0 to 0.3 (30%); a percentage? (0.08 is 8%)",
    );

    for (i, r) in s.regions.iter().enumerate() {
        let p = |f: &str| format!("regions[{i}].{f}");
        for (field, v) in [("price0", r.price0), ("long_run_mean", r.long_run_mean)] {
            w.outside(
                &p(field),
                v,
                POWER_PRICE_RANGE.0,
                POWER_PRICE_RANGE.1,
                "a power price is plausible from $10 to $1,000/MWh; a price in cents/kWh or \
                 $/kWh? (6.6 cents/kWh is $66/MWh)",
            );
        }
        w.outside(
            &p("escalation"),
            r.escalation,
            -0.1,
            0.1,
            &format!("plausible from -0.1 to 0.1 a year; {}", pct("0.02 is 2%")),
        );
        w.above(
            &p("reversion"),
            r.reversion,
            50.0,
            "above 50 a year (a half-life under 5 days, finer than the monthly grid); \
             plausible up to 50 (shipped: 6)",
        );
        w.above(
            &p("volatility"),
            r.volatility,
            5.0,
            "above 5 a year (plausible up to 5; shipped 0.8 to 1.2); a percentage? \
             (0.9 is 90%)",
        );
        w.above(
            &p("seasonal_amplitude"),
            r.seasonal_amplitude,
            1.0,
            "a seasonal swing of the log price above 1 (e^1 = 2.7 times); plausible up to 1; \
             a percentage? (0.15 is 15%)",
        );
        w.above(
            &p("jump_rate"),
            r.jump_rate,
            1.0,
            "more than 1 price-spike month a year (plausible up to 1; shipped 0.1 to 0.2): \
             spikes are then the normal state",
        );
        w.outside(
            &p("jump_mean"),
            r.jump_mean,
            -2.0,
            2.0,
            "a spike's mean log size beyond 2 in size (e^2 = 7.4 times the monthly price); \
             plausible from -2 to 2 (shipped 0.4 to 0.8)",
        );
        if r.hedge_fraction > 0.0 {
            w.outside(
                &p("hedge_price"),
                r.hedge_price,
                POWER_PRICE_RANGE.0,
                POWER_PRICE_RANGE.1,
                &format!(
                    "hedge_fraction is {} but the hedge price is outside $10 to $1,000/MWh \
                     (at 0 the hedged power is free)",
                    format_number(r.hedge_fraction)
                ),
            );
        }
    }

    let d = &s.demand;
    let peak = d.plan.iter().map(|&(_, mw)| mw).fold(0.0, f64::max);
    let leased: f64 = s.sites.iter().map(|x| x.capacity_mw).sum();
    if leased > 0.0 && (peak > 10.0 * leased || peak < 0.1 * leased) {
        w.push(
            "demand.plan",
            peak,
            format!(
                "the plan peaks at {} MW against {} MW leased; plausible from a tenth to 10 \
                 times the leased capacity; kW typed as MW?",
                format_number(peak),
                format_number(leased)
            ),
        );
    }
    w.outside(
        "demand.drift",
        d.drift,
        -0.3,
        0.3,
        &format!("plausible from -0.3 to 0.3 a year; {}", pct("-0.03 is -3%")),
    );
    w.above(
        "demand.volatility",
        d.volatility,
        1.0,
        "above 1 a year (plausible up to 1; shipped 0.2); a percentage? (0.2 is 20%)",
    );
    w.above(
        "demand.bust_rate",
        d.bust_rate,
        1.0,
        "more than 1 demand bust a year (plausible up to 1; shipped 0.05 to 0.1)",
    );
    w.above(
        "demand.bust_size",
        d.bust_size,
        2.0,
        "a bust's log drop above 2 (demand falls by 86%); plausible up to 2 (shipped 0.4 \
         to 0.5)",
    );

    let c = &s.cloud;
    w.outside(
        "cloud.price0",
        c.price0,
        CLOUD_PRICE_RANGE.0,
        CLOUD_PRICE_RANGE.1,
        "a cloud price per MW of IT a month is plausible from $100,000 to $10,000,000 \
         (shipped: $0.97M to $1.4M, $1.70 to $2.35 per GPU-hour x 784 GPUs x 730 h); \
         per kW or per GPU-hour?",
    );
    w.outside(
        "cloud.drift",
        c.drift,
        -0.5,
        0.5,
        &format!("plausible from -0.5 to 0.5 a year; {}", pct("-0.05 is -5%")),
    );
    w.above(
        "cloud.volatility",
        c.volatility,
        1.0,
        "above 1 a year (plausible up to 1; shipped 0.2); a percentage? (0.2 is 20%)",
    );

    let h = &s.hardware;
    w.outside(
        "hardware.capex_per_mw",
        h.capex_per_mw,
        CAPEX_RANGE.0,
        CAPEX_RANGE.1,
        "hardware per MW of IT is plausible from $1M to $100M (shipped: $22M to $25M); \
         per kW?",
    );
    w.outside(
        "hardware.life_years",
        h.life_years,
        1.0,
        15.0,
        "an accelerator life is plausible from 1 to 15 years (shipped: 5); months typed \
         as years?",
    );
    w.outside(
        "hardware.price_trend",
        h.price_trend,
        -0.3,
        0.3,
        &format!("plausible from -0.3 to 0.3 a year; {}", pct("-0.05 is -5%")),
    );

    for (i, l) in s.landlords.iter().enumerate() {
        w.above(
            &format!("landlords[{i}].annual_pd"),
            l.annual_pd,
            0.2,
            "a one-year default probability above 0.2 (20%; the 2009 speculative-grade \
             peak was 13%); plausible up to 0.2",
        );
    }
    let ld = &s.landlord_default;
    w.above(
        "landlord_default.asset_correlation",
        ld.asset_correlation,
        0.5,
        "above 0.5 (Basel: 0.12 to 0.30); plausible up to 0.5",
    );
    for (field, v) in [
        ("pre_delivery_delay_months", ld.pre_delivery_delay_months),
        ("outage_months", ld.outage_months),
    ] {
        w.above(
            &format!("landlord_default.{field}"),
            f64::from(v),
            60.0,
            "more than 60 months (plausible up to 60; shipped 3 to 12); days typed as \
             months?",
        );
    }

    let months = s.months() as f64;
    for (i, x) in s.sites.iter().enumerate() {
        let p = |f: &str| format!("sites[{i}].{f}");
        w.outside(
            &p("capacity_mw"),
            x.capacity_mw,
            1.0,
            5000.0,
            "a site's capacity is plausible from 1 to 5,000 MW of IT (shipped: 40 to 150); \
             kW typed as MW?",
        );
        w.outside(
            &p("rent_per_kw_month"),
            x.rent_per_kw_month,
            RENT_RANGE.0,
            RENT_RANGE.1,
            "rent is plausible from $30 to $600 per kW-month (shipped: $130 to $154); \
             $/kW-year or $/MW-month typed as $/kW-month?",
        );
        w.outside(
            &p("rent_escalator"),
            x.rent_escalator,
            -0.1,
            0.1,
            &format!("plausible from -0.1 to 0.1 a year; {}", pct("0.03 is 3%")),
        );
        if f64::from(x.planned_delivery) >= months {
            w.push(
                &p("planned_delivery"),
                f64::from(x.planned_delivery),
                format!(
                    "the site is planned for delivery at or after the horizon (month {}): it \
                     never enters the simulated program",
                    format_number(months)
                ),
            );
        }
        if x.term_years > s.horizon_years {
            w.push(
                &p("term_years"),
                f64::from(x.term_years),
                format!(
                    "the lease is longer than the {}-year horizon: the tenant's sums stop at \
                     the horizon, so its last {} years of rent count only in the guarantee \
                     (raise horizon_years to the longest term)",
                    s.horizon_years,
                    x.term_years - s.horizon_years
                ),
            );
        }
        w.above(
            &p("pue"),
            x.pue,
            3.0,
            "a power usage effectiveness above 3 (new large builds: about 1.1 to 1.5); \
             plausible up to 3",
        );
        w.above(
            &p("opex_per_kw_month"),
            x.opex_per_kw_month,
            100.0,
            "opex above $100 per kW-month (shipped: $10); plausible up to $100; \
             $/kW-year typed as $/kW-month?",
        );
        w.above(
            &p("delay.max"),
            x.delay.max,
            60.0,
            "a delivery delay of more than 60 months (shipped: up to 36); plausible up to 60",
        );
    }

    w.above(
        "tenant.annual_pd",
        s.tenant.annual_pd,
        0.2,
        "a one-year default probability above 0.2 (20%; over 15 years that is a 96% \
         chance of default); plausible up to 0.2",
    );
    w.above(
        "tenant.wrong_way",
        s.tenant.wrong_way,
        5.0,
        "above 5 (shipped: 1); plausible up to 5",
    );

    let g = &s.guarantee;
    if g.cap > 0.0 && g.cap < 1e6 {
        w.push(
            "guarantee.cap",
            g.cap,
            "a guarantee cap below $1,000,000 (plausible: 0 for none, else at least $1M; \
             shipped $15.4 billion); in millions or billions of dollars?"
                .to_string(),
        );
    }
    if g.cap > 0.0 && g.max_months == 0 {
        w.push(
            "guarantee.max_months",
            0.0,
            "a guarantee with a cap but no months covered pays nothing (use cap = 0 for no \
             guarantee)"
                .to_string(),
        );
    }
    w.above(
        "guarantee.relet_months",
        f64::from(g.relet_months),
        60.0,
        "more than 60 months to re-let (shipped: 12); plausible up to 60",
    );
    contract_warnings(s, &mut w);
    w.0
}

/// The v2 contract fields' plausibility (docs/MODEL.md section 8).
fn contract_warnings(s: &Scenario, w: &mut Warnings) {
    let c = &s.contracts;
    for (k, &charge) in c.capacity_charge.iter().enumerate() {
        w.above(
            &format!("regions[{k}].capacity_charge"),
            charge,
            50.0,
            "a capacity charge above $50/kW-month (plausible up to 50; PJM's record \
             $333/MW-day is $10/kW-month); $/MW-day typed as $/kW-month?",
        );
    }
    for (i, (site, terms)) in s.sites.iter().zip(&c.sites).enumerate() {
        if let Some(p) = terms.preliminary {
            let monthly_rent = site.capacity_mw * 1000.0 * site.rent_per_kw_month;
            w.above(
                &format!("sites[{i}].break_fee"),
                p.break_fee,
                24.0 * monthly_rent,
                "a break fee above two years of the site's rent (plausible: a few months'); \
                 in another unit?",
            );
        }
        if let Some(r) = terms.renewal {
            w.outside(
                &format!("sites[{i}].renewal.spread"),
                r.spread,
                -0.5,
                0.5,
                "a renewal spread plausible from -0.5 to 0.5 (renewal spreads ran -2% to \
                 +12%); a percentage? (0.05 is 5%)",
            );
        }
    }
    w.above(
        "guarantee.guarantor_annual_pd",
        c.guarantor.annual_pd,
        0.05,
        "a guarantor one-year PD above 5% (S&P B is 4.9%; a rated guarantor's is far \
         lower: AA about 0.02%); a percentage? (0.0002 is 0.02%)",
    );
    if let Some(m) = c.market_rent {
        w.outside(
            "market_rent.rent0",
            m.rent0,
            RENT_RANGE.0,
            RENT_RANGE.1,
            "a market rent plausible from $30 to $600/kW-month; $/kW-year typed as \
             $/kW-month?",
        );
        w.above(
            "market_rent.volatility",
            m.volatility,
            1.0,
            "above 1 a year (plausible up to 1); a percentage? (0.1 is 10%)",
        );
    }
}

/// The list being built.
#[derive(Default)]
struct Warnings(Vec<FieldWarning>);

impl Warnings {
    fn push(&mut self, path: &str, value: f64, message: String) {
        self.0.push(FieldWarning {
            path: path.to_string(),
            value,
            message,
        });
    }

    /// Warns when `value > max`.
    fn above(&mut self, path: &str, value: f64, max: f64, message: &str) {
        if value > max {
            self.push(path, value, message.to_string());
        }
    }

    /// Warns when `value` is outside `[min, max]`.
    fn outside(&mut self, path: &str, value: f64, min: f64, max: f64, message: &str) {
        if !(min..=max).contains(&value) {
            self.push(path, value, message.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{parse_toml, shipped_base_case, validate};

    fn read(rel: &str) -> String {
        std::fs::read_to_string(format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))).expect(rel)
    }

    fn checked(text: &str) -> Scenario {
        validate(&parse_toml(text).expect("TOML")).expect("valid")
    }

    fn paths(s: &Scenario) -> Vec<String> {
        warnings(s).into_iter().map(|w| w.path).collect()
    }

    #[test]
    fn none_for_the_shipped_scenarios_and_the_starter() {
        for name in [
            "cloud-collapse",
            "demand-bust",
            "gigawatt-program",
            "landlord-stress",
            "no-guarantee",
            "power-hedged-50",
        ] {
            let s = checked(&read(&format!("scenarios/{name}.toml")));
            assert_eq!(warnings(&s), vec![], "{name}");
        }
        let starter = read("crates/dcrisk-cli/templates/starter.toml").replace("{{NAME}}", "x");
        assert_eq!(warnings(&checked(&starter)), vec![], "starter");
    }

    #[test]
    fn each_unit_mistake_is_named_with_its_field_and_range() {
        let base = shipped_base_case();
        type Edit = fn(&mut Scenario);
        let cases: [(Edit, &str, &str); 30] = [
            (|s| s.discount_rate = 0.8, "discount_rate", "0 to 0.3"),
            (|s| s.discount_rate = -0.01, "discount_rate", "0 to 0.3"),
            (
                |s| s.regions[0].price0 = 6.6,
                "regions[0].price0",
                "cents/kWh",
            ),
            (
                |s| s.regions[1].long_run_mean = 89200.0,
                "regions[1].long_run_mean",
                "$1,000/MWh",
            ),
            (
                |s| s.regions[0].escalation = 0.5,
                "regions[0].escalation",
                "0.02 is 2%",
            ),
            (
                |s| s.regions[0].reversion = 100.0,
                "regions[0].reversion",
                "up to 50",
            ),
            (
                |s| s.regions[0].volatility = 9.0,
                "regions[0].volatility",
                "above 5 a year",
            ),
            (
                |s| s.regions[0].seasonal_amplitude = 3.0,
                "regions[0].seasonal_amplitude",
                "0.15 is 15%",
            ),
            (
                |s| s.regions[2].jump_rate = 2.0,
                "regions[2].jump_rate",
                "up to 1",
            ),
            (
                |s| s.regions[0].jump_mean = -3.0,
                "regions[0].jump_mean",
                "-2 to 2",
            ),
            (
                |s| s.regions[0].hedge_fraction = 0.5,
                "regions[0].hedge_price",
                "free",
            ),
            (
                |s| s.demand.plan = vec![(0.0, 1.15e6)],
                "demand.plan",
                "kW typed as MW",
            ),
            (|s| s.demand.drift = -3.0, "demand.drift", "-0.3 to 0.3"),
            (
                |s| s.demand.volatility = 2.0,
                "demand.volatility",
                "up to 1",
            ),
            (|s| s.demand.bust_rate = 5.0, "demand.bust_rate", "up to 1"),
            (|s| s.demand.bust_size = 4.0, "demand.bust_size", "up to 2"),
            (|s| s.cloud.price0 = 2.35, "cloud.price0", "per GPU-hour"),
            (|s| s.cloud.drift = -0.9, "cloud.drift", "-0.5 to 0.5"),
            (
                |s| s.hardware.capex_per_mw = 25000.0,
                "hardware.capex_per_mw",
                "per kW",
            ),
            (
                |s| s.hardware.life_years = 60.0,
                "hardware.life_years",
                "months typed",
            ),
            (
                |s| s.landlords[3].annual_pd = 0.41,
                "landlords[3].annual_pd",
                "up to 0.2",
            ),
            (
                |s| s.landlord_default.asset_correlation = 0.9,
                "landlord_default.asset_correlation",
                "0.5",
            ),
            (
                |s| s.sites[0].capacity_mw = 6000.0,
                "sites[0].capacity_mw",
                "kW typed as MW",
            ),
            (
                |s| s.sites[0].rent_per_kw_month = 1680.0,
                "sites[0].rent_per_kw_month",
                "$30 to $600",
            ),
            (
                |s| s.sites[1].rent_per_kw_month = 14.0,
                "sites[1].rent_per_kw_month",
                "$30 to $600",
            ),
            (|s| s.sites[0].pue = 3.5, "sites[0].pue", "up to 3"),
            (
                |s| s.sites[0].term_years = 20,
                "sites[0].term_years",
                "only in the guarantee",
            ),
            (
                |s| s.sites[0].planned_delivery = 200,
                "sites[0].planned_delivery",
                "never enters",
            ),
            (
                |s| s.tenant.annual_pd = 0.4,
                "tenant.annual_pd",
                "up to 0.2",
            ),
            (
                |s| s.guarantee.cap = 15400.0,
                "guarantee.cap",
                "in millions",
            ),
        ];
        for (edit, path, says) in cases {
            let mut s = base.clone();
            edit(&mut s);
            let w = warnings(&s);
            assert_eq!(w.len(), 1, "{path}: {w:?}");
            assert_eq!(w[0].path, path);
            assert!(w[0].message.contains(says), "{path}: {}", w[0].message);
        }
    }

    #[test]
    fn the_rest_and_the_line_printed() {
        let mut s = shipped_base_case();
        s.regions[0].volatility = 9.0;
        assert_eq!(
            warnings(&s)[0].to_string(),
            "regions[0].volatility = 9: above 5 a year (plausible up to 5; shipped 0.8 to \
             1.2); a percentage? (0.9 is 90%)"
        );
        s = shipped_base_case();
        s.cloud.volatility = 1.5;
        s.hardware.price_trend = 0.5;
        s.landlord_default.outage_months = 90;
        s.sites[2].rent_escalator = 0.5;
        s.sites[2].opex_per_kw_month = 120.0;
        s.sites[2].delay.max = 100.0;
        s.tenant.wrong_way = 8.0;
        s.guarantee.max_months = 0;
        s.guarantee.relet_months = 72;
        assert_eq!(
            paths(&s),
            [
                "cloud.volatility",
                "hardware.price_trend",
                "landlord_default.outage_months",
                "sites[2].rent_escalator",
                "sites[2].opex_per_kw_month",
                "sites[2].delay.max",
                "tenant.wrong_way",
                "guarantee.max_months",
                "guarantee.relet_months",
            ]
        );
        // Hedging at a plausible price, and no guarantee at all, are fine.
        s = shipped_base_case();
        s.regions[0].hedge_fraction = 0.5;
        s.regions[0].hedge_price = 66.0;
        s.guarantee.cap = 0.0;
        s.guarantee.max_months = 0;
        assert!(paths(&s).is_empty());
    }
}
