//! Phased delivery (docs/MODEL.md 8.2): each site's tranches as lease units, the pieces
//! the schedules add up month by month.
//!
//! A unit is a tranche of a site: its share of the site's capacity, rent, opex, energy
//! and hardware, online from the site's delivery plus its offset, to the site's lease
//! end. A site delivered whole is one unit equal to the site itself (a clone, not a
//! product by 1.0), so a scenario without tranches keeps v1's bits.

use super::site_model::SiteModel;
use crate::scenario::Scenario;

/// Where a unit sits in its site.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitPlace {
    /// Index of the unit's site in `Model::sites`.
    pub site: usize,
    /// Months from the site's delivery to the unit's.
    pub offset: i64,
    /// The unit's share of its site.
    pub fraction: f64,
}

/// The lease units of every site, in site order and, within a site, tranche order.
pub fn units(s: &Scenario, sites: &[SiteModel]) -> (Vec<SiteModel>, Vec<UnitPlace>) {
    let mut models = Vec::with_capacity(sites.len());
    let mut places = Vec::with_capacity(sites.len());
    for (i, site) in sites.iter().enumerate() {
        let tranches = s.contracts.site(i).tranches;
        if tranches.is_empty() {
            models.push(site.clone());
            places.push(UnitPlace {
                site: i,
                offset: 0,
                fraction: 1.0,
            });
            continue;
        }
        for (offset, fraction) in tranches {
            models.push(tranche(site, offset as usize, fraction));
            places.push(UnitPlace {
                site: i,
                offset: i64::from(offset),
                fraction,
            });
        }
    }
    (models, places)
}

/// Tranche `(offset, fraction)` of `site`: online `offset` months after the site, to the
/// site's lease end; its rent is the site's escalated rent of those months (the lease
/// years count from the site's delivery) times the fraction; its hardware is priced at
/// its own online month (the table is indexed by that month).
fn tranche(site: &SiteModel, offset: usize, fraction: f64) -> SiteModel {
    let hardware_base = site.hardware_base * fraction;
    let last = site.hardware_by_delivery.len() + offset;
    SiteModel {
        capacity_mw: site.capacity_mw * fraction,
        rent_by_year: site.rent_by_year.iter().map(|r| r * fraction).collect(),
        rent_by_month: site.rent_by_month[offset..]
            .iter()
            .map(|r| r * fraction)
            .collect(),
        opex: site.opex * fraction,
        energy: site.energy * fraction,
        hardware_base,
        hardware_by_delivery: (0..last)
            .map(|d| hardware_base * site.hardware_growth.powf(d as f64 / 12.0))
            .collect(),
        term_months: site.term_months - offset,
        ..site.clone()
    }
}
