//! Turns a scenario [`Value`] tree into a checked [`Scenario`], reporting every problem.

use std::collections::HashMap;

use super::contracts::{self, Contracts};
use super::correlation;
use super::error::ScenarioError;
use super::limits::*;
use super::model::*;
use super::reader::*;
use super::value::{Table, Value, format_number};

/// Default path count when the file gives none.
pub const DEFAULT_PATHS: u64 = 100_000;
/// Default seed when the file gives none.
pub const DEFAULT_SEED: u64 = 42;

/// Checks a scenario tree: every field present, typed and in range, every name resolved.
///
/// All problems are reported at once, each with its field path and value.
pub fn validate(root: &Table) -> Result<Scenario, ScenarioError> {
    let mut e = Errors::default();
    let mut f = Fields::new("", root);
    let name = f.string(&mut e, "name");
    check_name(&mut e, &name);
    let description = f.string_or(&mut e, "description", "");
    let horizon_years = f.int(&mut e, "horizon_years", 1, MAX_YEARS) as u32;
    let start_month = f.int_or(&mut e, "start_month", 1, 1, 12) as u32;
    let discount_rate = f.number(&mut e, "discount_rate", DISCOUNT_RATE);
    let paths = f.int_or(&mut e, "paths", DEFAULT_PATHS as i64, 1, MAX_PATHS as i64) as u64;
    let seed = f.int_or(&mut e, "seed", DEFAULT_SEED as i64, 0, i64::MAX) as u64;

    let (regions, capacity_charge): (Vec<Region>, Vec<f64>) = f
        .tables(&mut e, "regions")
        .into_iter()
        .map(|t| region(&mut e, t, horizon_years))
        .unzip();
    if regions.len() > MAX_REGIONS {
        e.push(
            "regions",
            format!(
                "at most {MAX_REGIONS} regions (the correlation matrix has a row and a column \
                 for each), got {}",
                regions.len()
            ),
        );
    }
    let region_index = unique_names(&mut e, "regions", regions.iter().map(|r| r.name.as_str()));
    for (i, r) in regions.iter().enumerate() {
        if r.name == "demand" || r.name == "cloud" {
            e.push(
                format!("regions[{i}].name"),
                format!("{:?} is reserved for a correlation factor", r.name),
            );
        }
    }
    let demand = f
        .table(&mut e, "demand")
        .map(|t| demand(&mut e, t, horizon_years));
    let cloud = f
        .table(&mut e, "cloud")
        .map(|t| cloud(&mut e, t, horizon_years));
    let hardware = f.table(&mut e, "hardware").map(|t| hardware(&mut e, t));
    let landlords: Vec<Landlord> = f
        .tables(&mut e, "landlords")
        .into_iter()
        .map(|t| landlord(&mut e, t))
        .collect();
    let landlord_index = unique_names(
        &mut e,
        "landlords",
        landlords.iter().map(|l| l.name.as_str()),
    );
    let landlord_default = f
        .table(&mut e, "landlord_default")
        .map(|t| landlord_default(&mut e, t));
    let (sites, site_contracts): (Vec<Site>, Vec<_>) = f
        .tables(&mut e, "sites")
        .into_iter()
        .map(|t| site(&mut e, t, &region_index, &landlord_index))
        .unzip();
    unique_names(&mut e, "sites", sites.iter().map(|s| s.name.as_str()));
    let tenant = f.table(&mut e, "tenant").map(|t| tenant(&mut e, t));
    let guarantee = f.table(&mut e, "guarantee").map(|t| guarantee(&mut e, t));
    let conversion_table = f.optional_table(&mut e, "conversion");
    let demand_link = contracts::conversion(&mut e, conversion_table);

    let market_rent_table = f.optional_table(&mut e, "market_rent");
    let market_rent = contracts::market_rent(&mut e, market_rent_table, horizon_years);
    for (i, (s, c)) in sites.iter().zip(&site_contracts).enumerate() {
        if c.renewal.is_some() && market_rent.is_none() {
            e.push(
                format!("sites[{i}].renewal"),
                format!(
                    "needs a [market_rent] table (the renewal rent follows it): site {}",
                    short(&s.name)
                ),
            );
        }
    }
    for (i, r) in regions.iter().enumerate() {
        if market_rent.is_some() && r.name == MARKET_RENT_FACTOR {
            e.push(
                format!("regions[{i}].name"),
                format!("{:?} is reserved for a correlation factor", r.name),
            );
        }
    }
    let factor_names: Vec<String> = regions
        .iter()
        .map(|r| r.name.clone())
        .chain(["demand".into(), "cloud".into()])
        .chain(market_rent.map(|_| MARKET_RENT_FACTOR.to_string()))
        .collect();
    let corr_table = f.optional_table(&mut e, "correlation");
    if regions.len() > MAX_REGIONS {
        // Too many factors to even hold the matrix: refused above, nothing more to check.
        f.finish(&mut e);
        return Err(e.into_error());
    }
    let correlation = correlation::read(&mut e, corr_table, &factor_names);
    let cholesky = match correlation::cholesky(&correlation, factor_names.len()) {
        Ok(l) => l,
        Err(j) => {
            e.push(
                "correlation",
                format!(
                    "not a valid correlation matrix: not positive semi-definite (fails at factor {:?}); \
                     the correlations given cannot hold together",
                    factor_names[j]
                ),
            );
            Vec::new()
        }
    };
    f.finish(&mut e);

    match (demand, cloud, hardware, landlord_default, tenant, guarantee) {
        (
            Some(demand),
            Some(cloud),
            Some(hardware),
            Some(landlord_default),
            Some(tenant),
            Some((guarantee, guarantor)),
        ) if e.is_empty() => Ok(Scenario {
            name,
            description,
            horizon_years,
            start_month,
            discount_rate,
            paths,
            seed,
            regions,
            demand,
            cloud,
            hardware,
            landlords,
            landlord_default,
            sites,
            tenant,
            guarantee,
            correlation,
            cholesky,
            contracts: Contracts {
                demand_link,
                capacity_charge,
                sites: site_contracts,
                guarantor,
                market_rent,
            },
        }),
        _ => Err(e.into_error()),
    }
}

/// The name becomes an output folder: it must be a plain, non-empty file name.
fn check_name(e: &mut Errors, name: &str) {
    if let Some(problem) = name_problem(name) {
        e.push("name", problem);
    }
}

/// Longest scenario name, in bytes of UTF-8. File systems take names of up to 255 bytes;
/// the name also goes into staging names such as `.NAME.partial-PID-N` and `.NAME.old-...`,
/// which need room for their additions.
pub const MAX_NAME_BYTES: usize = 100;

/// What is wrong with a scenario name as an output folder's name, if anything. Every
/// place a name becomes a path (a scenario file, a shard part's header) checks it here.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::name_problem;
/// assert_eq!(name_problem("gigawatt-program"), None);
/// assert!(name_problem("../x").is_some());
/// assert!(name_problem(&"n".repeat(101)).unwrap().contains("at most 100 bytes"));
/// ```
pub fn name_problem(name: &str) -> Option<String> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control());
    if bad {
        return Some(format!(
            "must be a plain folder name (no slashes), got {}",
            short(name)
        ));
    }
    (name.len() > MAX_NAME_BYTES).then(|| {
        format!(
            "must be at most {MAX_NAME_BYTES} bytes (it names the output folder), got {} bytes: {}",
            name.len(),
            short(name)
        )
    })
}

/// A name quoted for a message, cut to its first 40 characters.
fn short(name: &str) -> String {
    if name.chars().count() > 40 {
        let head: String = name.chars().take(40).collect();
        format!("{head:?}...")
    } else {
        format!("{name:?}")
    }
}

/// Checks a list's names (non-empty, unique) and returns each name's index (its first
/// entry's): one hash look-up per name, so long lists validate in linear time.
fn unique_names<'a>(
    e: &mut Errors,
    list: &str,
    names: impl Iterator<Item = &'a str>,
) -> HashMap<&'a str, usize> {
    let mut index = HashMap::new();
    for (i, n) in names.enumerate() {
        if n.is_empty() {
            e.push(format!("{list}[{i}].name"), "must not be empty");
        } else if index.contains_key(n) {
            e.push(
                format!("{list}[{i}].name"),
                format!("duplicate name {}", short(n)),
            );
        } else {
            index.insert(n, i);
        }
    }
    index
}

/// A region, and its capacity charge (docs/MODEL.md 8.4).
fn region(e: &mut Errors, mut t: Fields<'_>, years: u32) -> (Region, f64) {
    let r = Region {
        name: t.string(e, "name"),
        price0: t.number(e, "price0", POWER_PRICE),
        long_run_mean: t.number(e, "long_run_mean", POWER_PRICE),
        escalation: t.number(e, "escalation", GROWTH),
        reversion: t.number(e, "reversion", REVERSION),
        volatility: t.number(e, "volatility", VOLATILITY),
        seasonal_amplitude: t.number(e, "seasonal_amplitude", SEASONAL),
        peak_month: t.int(e, "peak_month", 1, 12) as u32,
        jump_rate: t.number(e, "jump_rate", EVENT_RATE),
        jump_mean: t.number(e, "jump_mean", JUMP_MEAN),
        jump_std: t.number(e, "jump_std", JUMP_STD),
        hedge_fraction: t.number(e, "hedge_fraction", FRACTION),
        hedge_price: t.number(e, "hedge_price", HEDGE_PRICE),
    };
    if REVERSION.contains(r.reversion) && r.reversion < MIN_REVERSION {
        e.push(
            t.path_of("reversion"),
            format!(
                "must be >= {MIN_REVERSION} (a half-life of at most 693 years), got {}",
                format_number(r.reversion)
            ),
        );
    } else if REVERSION.contains(r.reversion) {
        // The spreads over the horizon, checked once each input is in its own range.
        let years = f64::from(years);
        if VOLATILITY.contains(r.volatility) {
            spread(
                e,
                t.path_of("volatility"),
                "the log price's standard deviation at the horizon, \
             volatility x sqrt((1 - e^(-2 x reversion x horizon_years)) / (2 x reversion)),",
                ou_sd(r.volatility, r.reversion, years),
                MAX_LOG_SD,
            );
        }
        let (rate, mean, std) = (r.jump_rate, r.jump_mean, r.jump_std);
        if EVENT_RATE.contains(rate) && JUMP_MEAN.contains(mean) && JUMP_STD.contains(std) {
            spread(
                e,
                t.path_of("jump_rate"),
                "the jump load, jump_rate x (|jump_mean| + jump_std) x min(horizon_years, \
             1 / reversion),",
                jump_load(rate, mean, std, r.reversion, years),
                MAX_JUMP_LOAD,
            );
        }
    }
    let charge = contracts::region_charge(e, &mut t);
    t.finish(e);
    (r, charge)
}

/// The checks over the horizon of a geometric Brownian motion's drift and volatility,
/// each once the field is in its own range.
fn gbm_spread(e: &mut Errors, t: &Fields<'_>, drift: f64, volatility: f64, years: u32) {
    let years = f64::from(years);
    if DRIFT.contains(drift) {
        spread(
            e,
            t.path_of("drift"),
            "the growth over the horizon, drift x horizon_years,",
            drift * years,
            MAX_LOG_DRIFT,
        );
    }
    if VOLATILITY.contains(volatility) {
        spread(
            e,
            t.path_of("volatility"),
            "the standard deviation at the horizon, volatility x sqrt(horizon_years),",
            volatility * years.sqrt(),
            MAX_LOG_SD,
        );
    }
}

fn demand(e: &mut Errors, mut t: Fields<'_>, years: u32) -> Demand {
    let plan_path = t.path_of("plan");
    let plan = match t.get("plan") {
        Some(v) => plan_points(e, &plan_path, v),
        None => {
            e.push(plan_path, "missing field");
            Vec::new()
        }
    };
    let d = Demand {
        plan,
        drift: t.number(e, "drift", DRIFT),
        volatility: t.number(e, "volatility", VOLATILITY),
        bust_rate: t.number(e, "bust_rate", EVENT_RATE),
        bust_size: t.number(e, "bust_size", BUST_SIZE),
    };
    gbm_spread(e, &t, d.drift, d.volatility, years);
    t.finish(e);
    d
}

/// `[[month, MW], ...]`: months >= 0 and strictly increasing, MW >= 0.
fn plan_points(e: &mut Errors, path: &str, v: &Value) -> Vec<(f64, f64)> {
    let Value::Array(items) = v else {
        e.push(
            path,
            format!(
                "expected an array of [month, MW] points, got {}",
                v.describe()
            ),
        );
        return Vec::new();
    };
    if items.is_empty() {
        e.push(path, "must have at least one [month, MW] point");
    }
    let mut points = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        match item {
            Value::Array(pair) if pair.len() == 2 => {
                let month = number_value(e, &format!("{p}[0]"), &pair[0], PLAN_MONTH);
                let mw = number_value(e, &format!("{p}[1]"), &pair[1], PLAN_MW);
                if let Some(&(prev, _)) = points.last()
                    && month <= prev
                {
                    e.push(
                        format!("{p}[0]"),
                        format!(
                            "months must increase, got {} after {}",
                            format_number(month),
                            format_number(prev)
                        ),
                    );
                }
                points.push((month, mw));
            }
            other => e.push(
                p,
                format!("expected a [month, MW] pair, got {}", other.describe()),
            ),
        }
    }
    points
}

fn cloud(e: &mut Errors, mut t: Fields<'_>, years: u32) -> Cloud {
    let c = Cloud {
        price0: t.number(e, "price0", CLOUD_PRICE),
        drift: t.number(e, "drift", DRIFT),
        volatility: t.number(e, "volatility", VOLATILITY),
    };
    gbm_spread(e, &t, c.drift, c.volatility, years);
    t.finish(e);
    c
}

fn hardware(e: &mut Errors, mut t: Fields<'_>) -> Hardware {
    let h = Hardware {
        capex_per_mw: t.number(e, "capex_per_mw", CAPEX),
        life_years: t.number(e, "life_years", LIFE_YEARS),
        price_trend: t.number(e, "price_trend", GROWTH),
    };
    t.finish(e);
    h
}

fn landlord(e: &mut Errors, mut t: Fields<'_>) -> Landlord {
    let l = Landlord {
        name: t.string(e, "name"),
        annual_pd: t.number(e, "annual_pd", PROBABILITY),
    };
    t.finish(e);
    l
}

fn landlord_default(e: &mut Errors, mut t: Fields<'_>) -> LandlordDefault {
    let l = LandlordDefault {
        asset_correlation: t.number(e, "asset_correlation", PROBABILITY),
        pre_delivery_delay_months: t.int(e, "pre_delivery_delay_months", 0, MAX_MONTHS) as u32,
        outage_months: t.int(e, "outage_months", 0, MAX_MONTHS) as u32,
    };
    t.finish(e);
    l
}

fn site(
    e: &mut Errors,
    mut t: Fields<'_>,
    regions: &HashMap<&str, usize>,
    landlords: &HashMap<&str, usize>,
) -> (Site, contracts::SiteContract) {
    let name = t.string(e, "name");
    let region = reference(e, &mut t, "region", regions);
    let landlord = reference(e, &mut t, "landlord", landlords);
    let s = Site {
        name,
        region,
        landlord,
        capacity_mw: t.number(e, "capacity_mw", CAPACITY),
        rent_per_kw_month: t.number(e, "rent_per_kw_month", PER_KW_MONTH),
        rent_escalator: t.number(e, "rent_escalator", GROWTH),
        planned_delivery: t.int(e, "planned_delivery", 0, MAX_MONTHS) as u32,
        term_years: t.int(e, "term_years", 1, MAX_YEARS) as u32,
        pue: t.number(e, "pue", PUE),
        opex_per_kw_month: t.number(e, "opex_per_kw_month", PER_KW_MONTH),
        delay: t.table(e, "delay").map(|d| delay(e, d)).unwrap_or(Delay {
            min: 0.0,
            mode: 0.0,
            max: 0.0,
        }),
    };
    let contract = contracts::site(e, &mut t, s.planned_delivery, s.term_years);
    t.finish(e);
    (s, contract)
}

/// A name that must point at an entry of another list; the index, or 0 after an error.
/// One hash look-up; the nearest name is only looked for when the error will be listed.
fn reference(
    e: &mut Errors,
    t: &mut Fields<'_>,
    key: &'static str,
    names: &HashMap<&str, usize>,
) -> usize {
    let value = t.string(e, key);
    if value.is_empty() && t.get(key).is_none() {
        return 0;
    }
    if let Some(&i) = names.get(value.as_str()) {
        return i;
    }
    let hint = if e.listing() {
        let mut known: Vec<(&str, usize)> = names.iter().map(|(n, i)| (*n, *i)).collect();
        known.sort_unstable_by_key(|&(_, i)| i);
        let known: Vec<&str> = known.into_iter().map(|(n, _)| n).collect();
        match nearest(&value, &known) {
            Some(n) => format!(" (did you mean {n:?}?)"),
            None if known.len() <= 10 => format!("; known: {}", known.join(", ")),
            None => format!(
                "; known: {}, ... ({} in all)",
                known[..10].join(", "),
                known.len()
            ),
        }
    } else {
        String::new()
    };
    e.push(
        t.path_of(key),
        format!("no {key} named {}{hint}", short(&value)),
    );
    0
}

fn delay(e: &mut Errors, mut t: Fields<'_>) -> Delay {
    let d = Delay {
        min: t.number(e, "min", DELAY),
        mode: t.number(e, "mode", DELAY),
        max: t.number(e, "max", Range::closed(0.0, f64::MAX)),
    };
    if d.max > MAX_MONTHS as f64 {
        e.push(
            t.path_of("max"),
            format!(
                "must be <= {MAX_MONTHS} months, got {}",
                format_number(d.max)
            ),
        );
    }
    if !(d.min <= d.mode && d.mode <= d.max) {
        e.push(
            t.path_of("mode"),
            format!(
                "need min <= mode <= max, got min {}, mode {}, max {}",
                format_number(d.min),
                format_number(d.mode),
                format_number(d.max)
            ),
        );
    }
    t.finish(e);
    d
}

fn tenant(e: &mut Errors, mut t: Fields<'_>) -> Tenant {
    let x = Tenant {
        annual_pd: t.number(e, "annual_pd", PROBABILITY),
        wrong_way: t.number(e, "wrong_way", WRONG_WAY),
    };
    t.finish(e);
    x
}

/// The guarantee, and its guarantor's credit (docs/MODEL.md 8.5).
fn guarantee(e: &mut Errors, mut t: Fields<'_>) -> (Guarantee, contracts::Guarantor) {
    let g = Guarantee {
        cap: t.number(e, "cap", CAP),
        max_months: t.int(e, "max_months", 0, MAX_MONTHS) as u32,
        relet_months: t.int(e, "relet_months", 0, MAX_MONTHS) as u32,
        relet_fraction: t.number(e, "relet_fraction", FRACTION),
    };
    let guarantor = contracts::guarantor(e, &mut t);
    t.finish(e);
    (g, guarantor)
}
