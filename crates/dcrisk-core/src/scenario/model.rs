//! A validated scenario: every name resolved to an index, every range checked, the
//! correlation's Cholesky factor computed. The engine only ever sees this type.

pub use super::contracts::{Contracts, Guarantor, MarketRent, Preliminary, Renewal, SiteContract};

/// A power market (docs/MODEL.md 2.1).
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub name: String,
    /// Spot price at month 0, $/MWh.
    pub price0: f64,
    /// Stationary mean of the price without jumps and seasonality, $/MWh.
    pub long_run_mean: f64,
    /// Real trend of the mean, per year.
    pub escalation: f64,
    /// Mean-reversion speed kappa, 1/yr.
    pub reversion: f64,
    /// Volatility sigma of the log price, 1/sqrt(yr).
    pub volatility: f64,
    pub seasonal_amplitude: f64,
    /// Calendar month (1..=12) of the seasonal peak.
    pub peak_month: u32,
    /// Jumps per year.
    pub jump_rate: f64,
    /// Mean log size of a jump.
    pub jump_mean: f64,
    /// Standard deviation of the log size of a jump.
    pub jump_std: f64,
    pub hedge_fraction: f64,
    /// Fixed price of the hedged share, $/MWh.
    pub hedge_price: f64,
}

/// The tenant's compute demand (docs/MODEL.md 2.2).
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// `(month, MW)` points, months strictly increasing.
    pub plan: Vec<(f64, f64)>,
    pub drift: f64,
    pub volatility: f64,
    pub bust_rate: f64,
    pub bust_size: f64,
}

/// Cloud price per MW of IT load per month (docs/MODEL.md 2.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Cloud {
    pub price0: f64,
    pub drift: f64,
    pub volatility: f64,
}

/// The tenant's accelerators and servers for leased capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct Hardware {
    pub capex_per_mw: f64,
    pub life_years: f64,
    /// Yearly change of the hardware price (negative: cheaper over time).
    pub price_trend: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Landlord {
    pub name: String,
    pub annual_pd: f64,
}

/// The one-factor copula and the effects of a landlord default (docs/MODEL.md 2.5).
#[derive(Clone, Debug, PartialEq)]
pub struct LandlordDefault {
    pub asset_correlation: f64,
    pub pre_delivery_delay_months: u32,
    pub outage_months: u32,
}

/// Triangular delivery delay in months.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delay {
    pub min: f64,
    pub mode: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub name: String,
    /// Index into [`Scenario::regions`].
    pub region: usize,
    /// Index into [`Scenario::landlords`].
    pub landlord: usize,
    pub capacity_mw: f64,
    pub rent_per_kw_month: f64,
    pub rent_escalator: f64,
    pub planned_delivery: u32,
    pub term_years: u32,
    pub pue: f64,
    pub opex_per_kw_month: f64,
    pub delay: Delay,
}

/// Tenant credit with wrong-way risk (docs/MODEL.md 2.6).
#[derive(Clone, Debug, PartialEq)]
pub struct Tenant {
    pub annual_pd: f64,
    pub wrong_way: f64,
}

/// The rent guarantee (docs/MODEL.md 4).
#[derive(Clone, Debug, PartialEq)]
pub struct Guarantee {
    pub cap: f64,
    pub max_months: u32,
    pub relet_months: u32,
    pub relet_fraction: f64,
}

/// The market rent's correlation factor name, after `cloud`.
pub const MARKET_RENT_FACTOR: &str = "market_rent";

/// A checked scenario, ready to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub horizon_years: u32,
    pub start_month: u32,
    pub discount_rate: f64,
    /// Default path count (the CLI's `--paths` overrides it).
    pub paths: u64,
    /// Default seed (the CLI's `--seed` overrides it).
    pub seed: u64,
    pub regions: Vec<Region>,
    pub demand: Demand,
    pub cloud: Cloud,
    pub hardware: Hardware,
    pub landlords: Vec<Landlord>,
    pub landlord_default: LandlordDefault,
    pub sites: Vec<Site>,
    pub tenant: Tenant,
    pub guarantee: Guarantee,
    /// Correlation over the factors `[regions.., demand, cloud]` (and `market_rent` last with
    /// `[market_rent]`), row-major.
    pub correlation: Vec<f64>,
    /// Lower-triangular Cholesky factor of `correlation`, row-major.
    pub cholesky: Vec<f64>,
    /// The v2 contract terms (docs/MODEL.md section 8); the default is v1.
    pub contracts: Contracts,
}

impl Scenario {
    /// Number of monthly steps `T = 12 * horizon_years`.
    pub fn months(&self) -> usize {
        12 * self.horizon_years as usize
    }

    /// Number of correlated Gaussian factors: one per region, demand, cloud, and the
    /// market rent when the scenario has one (docs/MODEL.md 8.3).
    pub fn factors(&self) -> usize {
        self.regions.len() + 2 + usize::from(self.contracts.market_rent.is_some())
    }

    /// Factor names in matrix order.
    pub fn factor_names(&self) -> Vec<String> {
        self.regions
            .iter()
            .map(|r| r.name.clone())
            .chain(["demand".to_string(), "cloud".to_string()])
            .chain(
                self.contracts
                    .market_rent
                    .map(|_| MARKET_RENT_FACTOR.to_string()),
            )
            .collect()
    }
}
