//! Everything about a scenario that is the same on every path, computed once per run.

use super::contract_terms::ContractsModel;
use super::monthly_series::Series;
use super::party_book::PartyBook;
pub use super::site_model::SiteModel;
use crate::process::cloud::CloudProcess;
use crate::process::demand::DemandProcess;
use crate::process::landlord::LandlordDefaults;
use crate::process::power::PowerProcess;
use crate::process::shocks::Shocks;
use crate::process::tenant::TenantClock;
use crate::scenario::{Guarantee, Scenario};

/// `HOURS = 730` hours in a month.
pub const HOURS: f64 = 730.0;

/// The precomputed model the paths run on.
#[derive(Clone, Debug)]
pub struct Model {
    /// `T`, months in the horizon.
    pub months: usize,
    /// Months from 0 to the latest possible lease end on any path (the guarantee's reach).
    pub schedule_len: usize,
    /// `df(t)` for `t = 0..=schedule_len`.
    pub df: Vec<f64>,
    pub shocks: Shocks,
    pub power: Vec<PowerProcess>,
    pub demand: DemandProcess,
    pub cloud: CloudProcess,
    pub landlords: LandlordDefaults,
    pub pre_delivery_delay: i64,
    pub outage_months: i64,
    pub tenant: TenantClock,
    pub sites: Vec<SiteModel>,
    /// The lease units the schedules add up: each site's tranches (docs/MODEL.md 8.2), in
    /// site order; one per site, equal to it, when delivered whole.
    pub units: Vec<SiteModel>,
    /// Each unit's site, offset and share.
    pub unit_places: Vec<super::tranches::UnitPlace>,
    pub guarantee: Guarantee,
    /// The monthly series a path records, in recording order.
    pub series: Vec<Series>,
    /// Closed-form expectations of the control variates.
    pub control_expectations: Vec<f64>,
    /// The parties reported on one by one (`landlords.csv`, `default_curve.csv`).
    pub parties: PartyBook,
    /// The v2 contract terms (docs/MODEL.md section 8).
    pub contracts: ContractsModel,
}

impl Model {
    pub fn new(s: &Scenario) -> Self {
        let months = s.months();
        let sites: Vec<SiteModel> = s.sites.iter().map(|site| site_model(s, site)).collect();
        let schedule_len = sites
            .iter()
            .map(|m| m.planned_delivery as usize + m.delay.max.ceil() as usize + m.term_months)
            .max()
            .unwrap_or(0)
            + s.landlord_default.pre_delivery_delay_months as usize
            + 1;
        let schedule_len = schedule_len.max(months);
        let df: Vec<f64> = (0..=schedule_len)
            .map(|t| (1.0 + s.discount_rate).powf(-((t + 1) as f64) / 12.0))
            .collect();
        let demand = DemandProcess::new(s);
        let control_expectations = control_expectations(s, &df, &demand.plan);
        let (units, unit_places) = super::tranches::units(s, &sites);
        let parties = PartyBook::new(s).with_units(&units, s.discount_rate);
        Model {
            units,
            unit_places,
            contracts: ContractsModel::new(s, &df),
            months,
            schedule_len,
            df,
            shocks: Shocks::new(&s.cholesky, s.factors()),
            power: s.regions.iter().map(|r| PowerProcess::new(r, s)).collect(),
            demand,
            cloud: CloudProcess::new(s),
            landlords: LandlordDefaults::new(s),
            pre_delivery_delay: s.landlord_default.pre_delivery_delay_months as i64,
            outage_months: s.landlord_default.outage_months as i64,
            tenant: TenantClock::new(s),
            sites,
            guarantee: s.guarantee.clone(),
            series: Series::table(s.regions.len()),
            control_expectations,
            parties,
        }
    }

    pub fn regions(&self) -> usize {
        self.power.len()
    }
}

fn site_model(s: &Scenario, site: &crate::scenario::Site) -> SiteModel {
    let monthly_rent = site.capacity_mw * 1000.0 * site.rent_per_kw_month;
    let hw = &s.hardware;
    let hardware_base = site.capacity_mw * hw.capex_per_mw / (12.0 * hw.life_years);
    let hardware_growth = 1.0 + hw.price_trend;
    // Deliveries slip by at most the delay's maximum and one landlord default.
    let last_delivery = site.planned_delivery as usize
        + site.delay.max.ceil() as usize
        + s.landlord_default.pre_delivery_delay_months as usize;
    let rent_by_year: Vec<f64> = (0..site.term_years)
        .map(|y| monthly_rent * (1.0 + site.rent_escalator).powi(y as i32))
        .collect();
    SiteModel {
        region: site.region,
        landlord: site.landlord,
        capacity_mw: site.capacity_mw,
        rent_by_month: rent_by_year.iter().flat_map(|&r| [r; 12]).collect(),
        rent_by_year,
        opex: site.capacity_mw * 1000.0 * site.opex_per_kw_month,
        energy: site.capacity_mw * site.pue * HOURS,
        hardware_base,
        hardware_growth,
        hardware_by_delivery: (0..=last_delivery)
            .map(|d| hardware_base * hardware_growth.powf(d as f64 / 12.0))
            .collect(),
        planned_delivery: site.planned_delivery,
        term_months: 12 * site.term_years as usize,
        delay: site.delay,
    }
}

/// `E[X]` of the control variates `sum_t df(t) D(t) C(t)`, `sum_t df(t) D(t)` and
/// `sum_t df(t) C(t)` over the horizon, in closed form. Each month's step of the log demand
/// and log cloud price has a known joint law (correlated normals plus compound-Poisson
/// busts), so `E[e^(Y(t))] = e^(mu_D t dt) B^t`, `E[C(t)] = C0 e^(mu_C t dt)` and
/// `E[e^(Y(t)) C(t)] = C0 e^((mu_D + mu_C + rho sigma_D sigma_C) t dt) B^t`, with
/// `B = exp(bust_rate dt (e^(-bust_size) - 1))` and rho the demand-cloud correlation.
fn control_expectations(s: &Scenario, df: &[f64], plan: &[f64]) -> Vec<f64> {
    let dt = crate::process::DT;
    let (d, c) = (&s.demand, &s.cloud);
    // Demand and cloud are the factors after the regions (the market rent, if any, after
    // them).
    let n = s.factors();
    let (demand, cloud) = (s.regions.len(), s.regions.len() + 1);
    let rho = s
        .correlation
        .get(demand * n + cloud)
        .copied()
        .unwrap_or(0.0);
    let bust = d.bust_rate * dt * ((-d.bust_size).exp() - 1.0);
    let mut e = vec![0.0; 3];
    for (t, (&w, &p)) in df.iter().zip(plan).enumerate() {
        let t = t as f64;
        let demand = p * (t * (d.drift * dt + bust)).exp();
        let cloud = c.price0 * (t * c.drift * dt).exp();
        let joint = p
            * c.price0
            * (t * ((d.drift + c.drift + rho * d.volatility * c.volatility) * dt + bust)).exp();
        e[0] += w * joint;
        e[1] += w * demand;
        e[2] += w * cloud;
    }
    e
}
