//! Units of scenario parameters, for the axes and legends of sweeps: a swept key such
//! as `cloud.drift` is labelled `cloud.drift (per year)`. The unit comes from the key's
//! last component (and, for `price0`, its section: a power price or a cloud price); a
//! key not in the table is shown as given.

/// The unit of the parameter at `key` (as given to `--param`), if known.
pub(crate) fn unit(key: &str) -> Option<&'static str> {
    let last = key.rsplit('.').next().unwrap_or(key);
    let section = key.split('.').next().unwrap_or(key);
    let unit = match last {
        "rent_per_kw_month" | "opex_per_kw_month" => "$/kW-month",
        "volatility" => "per √year",
        "drift" | "escalation" | "rent_escalator" | "price_trend" | "discount_rate" => "per year",
        "reversion" | "jump_rate" | "bust_rate" => "per year",
        "annual_pd" => "probability per year",
        "capacity_mw" => "MW",
        "cap" => "$",
        "capex_per_mw" => "$ per MW",
        "pue" => "ratio",
        "price0" if section == "cloud" => "$ per MW-month",
        "price0" | "long_run_mean" | "hedge_price" => "$/MWh",
        "hedge_fraction" => "share hedged",
        "relet_fraction" => "share of the rent",
        "seasonal_amplitude" => "± share of the price",
        "jump_mean" | "jump_std" => "log size",
        "bust_size" => "log drop",
        "asset_correlation" => "correlation",
        "wrong_way" => "exponent",
        "peak_month" | "start_month" => "month of the year",
        "horizon_years" | "life_years" | "term_years" => "years",
        "planned_delivery" => "months from the start",
        "max_months" | "relet_months" | "outage_months" | "pre_delivery_delay_months" => "months",
        "min" | "mode" | "max" if key.contains(".delay.") => "months",
        "paths" => "paths",
        _ => return None,
    };
    Some(unit)
}

/// `key` with its unit: `cloud.drift (per year)`, or the key alone when the unit is
/// not known.
pub(crate) fn with_unit(key: &str) -> String {
    match unit(key) {
        Some(u) => format!("{key} ({u})"),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_last_component() {
        assert_eq!(with_unit("cloud.drift"), "cloud.drift (per year)");
        assert_eq!(
            with_unit("sites.\"Phoenix AZ 1\".rent_per_kw_month"),
            "sites.\"Phoenix AZ 1\".rent_per_kw_month ($/kW-month)"
        );
        assert_eq!(unit("regions.ERCOT.volatility"), Some("per √year"));
        assert_eq!(unit("guarantee.cap"), Some("$"));
        assert_eq!(unit("tenant.annual_pd"), Some("probability per year"));
        assert_eq!(unit("sites.0.capacity_mw"), Some("MW"));
        assert_eq!(unit("sites.0.pue"), Some("ratio"));
        assert_eq!(unit("discount_rate"), Some("per year"));
    }

    #[test]
    fn price0_depends_on_the_section() {
        assert_eq!(unit("regions.ERCOT.price0"), Some("$/MWh"));
        assert_eq!(unit("regions.0.price0"), Some("$/MWh"));
        assert_eq!(unit("cloud.price0"), Some("$ per MW-month"));
    }

    #[test]
    fn unknown_keys_are_shown_as_given() {
        assert_eq!(unit("something.new"), None);
        assert_eq!(with_unit("something.new"), "something.new");
        assert_eq!(unit("sites.0.delay.max"), Some("months"));
        assert_eq!(unit("max"), None);
    }
}
