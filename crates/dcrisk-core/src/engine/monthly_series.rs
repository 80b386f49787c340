//! The table of monthly series a path records (docs/MODEL.md section 6's
//! `timeseries.csv`): their order, output names and kinds, in one place. The path records
//! them in this order into a [`MonthSink`], the accumulators are laid out in it, and the
//! results name them from it.

use crate::results::SeriesKind;

/// Receives the monthly series of a path: `values[t]` of series `series` (its index in
/// [`Series::table`]) for each month.
pub trait MonthSink {
    fn record(&mut self, series: usize, values: &[f64]);
}

/// One monthly series, as the engine knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    /// Region `k`'s spot power price, $/MWh.
    PowerPrice(usize),
    /// The tenant's demand, MW.
    Demand,
    /// Available capacity, MW.
    Capacity,
    /// The tenant's program cost in the month (0 after its default), month-t dollars.
    ProgramCost,
    /// The all-cloud counterfactual cost in the month (0 after the tenant's default).
    CloudCost,
    /// The guarantor's exposure `min(cap, G(t))`, month-t dollars.
    GuarantorExposure,
}

impl Series {
    /// Every series of a scenario with `regions` power regions, in recording order.
    pub fn table(regions: usize) -> Vec<Series> {
        (0..regions)
            .map(Series::PowerPrice)
            .chain([
                Series::Demand,
                Series::Capacity,
                Series::ProgramCost,
                Series::CloudCost,
                Series::GuarantorExposure,
            ])
            .collect()
    }

    /// The output name (`power_price.<region>`, `demand_mw`, ...) and kind, given the
    /// regions' names.
    pub fn named(self, region_names: &[String]) -> (String, SeriesKind) {
        match self {
            Series::PowerPrice(k) => {
                let region = region_names[k].clone();
                (
                    format!("power_price.{region}"),
                    SeriesKind::PowerPrice { region },
                )
            }
            Series::Demand => ("demand_mw".to_string(), SeriesKind::DemandMw),
            Series::Capacity => ("capacity_mw".to_string(), SeriesKind::CapacityMw),
            Series::ProgramCost => ("program_cost".to_string(), SeriesKind::ProgramCost),
            Series::CloudCost => ("cloud_cost".to_string(), SeriesKind::CloudCost),
            Series::GuarantorExposure => (
                "guarantor_exposure".to_string(),
                SeriesKind::GuarantorExposure,
            ),
        }
    }
}

/// Names and kinds of a scenario's series, in recording order.
pub fn series_kinds(s: &crate::scenario::Scenario) -> Vec<(String, SeriesKind)> {
    let names: Vec<String> = s.regions.iter().map(|r| r.name.clone()).collect();
    Series::table(names.len())
        .into_iter()
        .map(|series| series.named(&names))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_prices_come_first_then_the_fixed_series() {
        let names = vec!["ERCOT".to_string(), "PJM".to_string()];
        let table: Vec<String> = Series::table(2)
            .into_iter()
            .map(|s| s.named(&names).0)
            .collect();
        assert_eq!(
            table,
            [
                "power_price.ERCOT",
                "power_price.PJM",
                "demand_mw",
                "capacity_mw",
                "program_cost",
                "cloud_cost",
                "guarantor_exposure"
            ]
        );
    }
}
