//! A site's figures computed once per run (docs/MODEL.md section 3): its rent by lease
//! month, opex, energy and hardware charges. Apart from `model.rs` so that the tranches,
//! which split a site into lease units, build on it without reading the whole model.

use crate::scenario::Delay;

/// A site's per-path-independent figures.
#[derive(Clone, Debug)]
pub struct SiteModel {
    pub region: usize,
    pub landlord: usize,
    pub capacity_mw: f64,
    /// Monthly rent in lease year `y` (0-based): `cap 1000 rent (1 + esc)^y`.
    pub rent_by_year: Vec<f64>,
    /// `rent_by_year` spelled out per month of the lease (`[m] = rent_by_year[m / 12]`), so
    /// a path adds a site's rent as one run of months rather than year by year.
    pub rent_by_month: Vec<f64>,
    /// Monthly opex, `cap 1000 opex`.
    pub opex: f64,
    /// `cap pue HOURS`: MWh drawn per month at full load, per $/MWh of price.
    pub energy: f64,
    /// Monthly hardware charge for delivery at month 0: `cap capex / (12 life)`.
    pub hardware_base: f64,
    /// `1 + price_trend`.
    pub hardware_growth: f64,
    /// [`SiteModel::hardware`] of each month a path can deliver in, priced once per run
    /// rather than with a `powf` per site and path.
    pub hardware_by_delivery: Vec<f64>,
    pub planned_delivery: u32,
    pub term_months: usize,
    pub delay: Delay,
}

impl SiteModel {
    /// Monthly hardware charge of delivery in month `d`:
    /// `hardware_base hardware_growth^(d / 12)`.
    #[inline]
    pub fn hardware(&self, d: i64) -> f64 {
        let priced = usize::try_from(d)
            .ok()
            .and_then(|d| self.hardware_by_delivery.get(d));
        match priced {
            Some(&h) => h,
            None => self.hardware_base * self.hardware_growth.powf(d as f64 / 12.0),
        }
    }
}
