//! Turns a scenario [`Value`] tree into a checked [`Scenario`], reporting every problem.

use super::correlation;
use super::error::ScenarioError;
use super::model::*;
use super::reader::*;
use super::value::{Table, Value, format_number};

/// Default path count when the file gives none.
pub const DEFAULT_PATHS: u64 = 100_000;
/// Default seed when the file gives none.
pub const DEFAULT_SEED: u64 = 42;
/// Longest horizon and lease term accepted, in years (bounds memory per path).
const MAX_YEARS: i64 = 100;
/// Longest delay, slip or outage accepted, in months.
const MAX_MONTHS: i64 = 1200;

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
    let discount_rate = f.number(&mut e, "discount_rate", rate);
    let paths = f.int_or(&mut e, "paths", DEFAULT_PATHS as i64, 1, i64::MAX) as u64;
    let seed = f.int_or(&mut e, "seed", DEFAULT_SEED as i64, 0, i64::MAX) as u64;

    let regions: Vec<Region> = f
        .tables(&mut e, "regions")
        .into_iter()
        .map(|t| region(&mut e, t))
        .collect();
    unique_names(&mut e, "regions", regions.iter().map(|r| r.name.as_str()));
    for (i, r) in regions.iter().enumerate() {
        if r.name == "demand" || r.name == "cloud" {
            e.push(
                format!("regions[{i}].name"),
                format!("{:?} is reserved for a correlation factor", r.name),
            );
        }
    }
    let demand = f.table(&mut e, "demand").map(|t| demand(&mut e, t));
    let cloud = f.table(&mut e, "cloud").map(|t| cloud(&mut e, t));
    let hardware = f.table(&mut e, "hardware").map(|t| hardware(&mut e, t));
    let landlords: Vec<Landlord> = f
        .tables(&mut e, "landlords")
        .into_iter()
        .map(|t| landlord(&mut e, t))
        .collect();
    unique_names(
        &mut e,
        "landlords",
        landlords.iter().map(|l| l.name.as_str()),
    );
    let landlord_default = f
        .table(&mut e, "landlord_default")
        .map(|t| landlord_default(&mut e, t));
    let sites: Vec<Site> = f
        .tables(&mut e, "sites")
        .into_iter()
        .map(|t| site(&mut e, t, &regions, &landlords))
        .collect();
    unique_names(&mut e, "sites", sites.iter().map(|s| s.name.as_str()));
    let tenant = f.table(&mut e, "tenant").map(|t| tenant(&mut e, t));
    let guarantee = f.table(&mut e, "guarantee").map(|t| guarantee(&mut e, t));

    let factor_names: Vec<String> = regions
        .iter()
        .map(|r| r.name.clone())
        .chain(["demand".into(), "cloud".into()])
        .collect();
    let corr_table = f.optional_table(&mut e, "correlation");
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
            Some(guarantee),
        ) if e.0.is_empty() => Ok(Scenario {
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
        }),
        _ => Err(ScenarioError::Invalid(e.0)),
    }
}

/// The name becomes an output folder: it must be a plain, non-empty file name.
fn check_name(e: &mut Errors, name: &str) {
    if let Some(problem) = name_problem(name) {
        e.push("name", problem);
    }
}

/// What is wrong with a scenario name as an output folder's name, if anything. Every
/// place a name becomes a path (a scenario file, a shard part's header) checks it here.
pub fn name_problem(name: &str) -> Option<String> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control());
    bad.then(|| format!("must be a plain folder name (no slashes), got {name:?}"))
}

fn unique_names<'a>(e: &mut Errors, list: &str, names: impl Iterator<Item = &'a str>) {
    let names: Vec<&str> = names.collect();
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            e.push(format!("{list}[{i}].name"), "must not be empty");
        } else if names[..i].contains(n) {
            e.push(format!("{list}[{i}].name"), format!("duplicate name {n:?}"));
        }
    }
}

fn region(e: &mut Errors, mut t: Fields<'_>) -> Region {
    let r = Region {
        name: t.string(e, "name"),
        price0: t.number(e, "price0", positive),
        long_run_mean: t.number(e, "long_run_mean", positive),
        escalation: t.number(e, "escalation", rate),
        reversion: t.number(e, "reversion", positive),
        volatility: t.number(e, "volatility", non_negative),
        seasonal_amplitude: t.number(e, "seasonal_amplitude", non_negative),
        peak_month: t.int(e, "peak_month", 1, 12) as u32,
        jump_rate: t.number(e, "jump_rate", non_negative),
        jump_mean: t.number(e, "jump_mean", any),
        jump_std: t.number(e, "jump_std", non_negative),
        hedge_fraction: t.number(e, "hedge_fraction", fraction),
        hedge_price: t.number(e, "hedge_price", non_negative),
    };
    t.finish(e);
    r
}

fn demand(e: &mut Errors, mut t: Fields<'_>) -> Demand {
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
        drift: t.number(e, "drift", any),
        volatility: t.number(e, "volatility", non_negative),
        bust_rate: t.number(e, "bust_rate", non_negative),
        bust_size: t.number(e, "bust_size", non_negative),
    };
    t.finish(e);
    d
}

/// `[[month, MW], ...]`: months >= 0 and strictly increasing, MW >= 0.
fn plan_points(e: &mut Errors, path: &str, v: &Value) -> Vec<(f64, f64)> {
    let Value::Array(items) = v else {
        e.push(
            path,
            format!("expected an array of [month, MW] points, got {}", v.kind()),
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
                let month = number_value(e, &format!("{p}[0]"), &pair[0], non_negative);
                let mw = number_value(e, &format!("{p}[1]"), &pair[1], non_negative);
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
                format!("expected a [month, MW] pair, got {}", other.show()),
            ),
        }
    }
    points
}

fn cloud(e: &mut Errors, mut t: Fields<'_>) -> Cloud {
    let c = Cloud {
        price0: t.number(e, "price0", positive),
        drift: t.number(e, "drift", any),
        volatility: t.number(e, "volatility", non_negative),
    };
    t.finish(e);
    c
}

fn hardware(e: &mut Errors, mut t: Fields<'_>) -> Hardware {
    let h = Hardware {
        capex_per_mw: t.number(e, "capex_per_mw", non_negative),
        life_years: t.number(e, "life_years", positive),
        price_trend: t.number(e, "price_trend", rate),
    };
    t.finish(e);
    h
}

fn landlord(e: &mut Errors, mut t: Fields<'_>) -> Landlord {
    let l = Landlord {
        name: t.string(e, "name"),
        annual_pd: t.number(e, "annual_pd", probability),
    };
    t.finish(e);
    l
}

fn landlord_default(e: &mut Errors, mut t: Fields<'_>) -> LandlordDefault {
    let l = LandlordDefault {
        asset_correlation: t.number(e, "asset_correlation", probability),
        pre_delivery_delay_months: t.int(e, "pre_delivery_delay_months", 0, MAX_MONTHS) as u32,
        outage_months: t.int(e, "outage_months", 0, MAX_MONTHS) as u32,
    };
    t.finish(e);
    l
}

fn site(e: &mut Errors, mut t: Fields<'_>, regions: &[Region], landlords: &[Landlord]) -> Site {
    let name = t.string(e, "name");
    let region = reference(e, &mut t, "region", regions.iter().map(|r| r.name.as_str()));
    let landlord = reference(
        e,
        &mut t,
        "landlord",
        landlords.iter().map(|l| l.name.as_str()),
    );
    let s = Site {
        name,
        region,
        landlord,
        capacity_mw: t.number(e, "capacity_mw", positive),
        rent_per_kw_month: t.number(e, "rent_per_kw_month", non_negative),
        rent_escalator: t.number(e, "rent_escalator", rate),
        planned_delivery: t.int(e, "planned_delivery", 0, MAX_MONTHS) as u32,
        term_years: t.int(e, "term_years", 1, MAX_YEARS) as u32,
        pue: t.number(e, "pue", at_least_one),
        opex_per_kw_month: t.number(e, "opex_per_kw_month", non_negative),
        delay: t.table(e, "delay").map(|d| delay(e, d)).unwrap_or(Delay {
            min: 0.0,
            mode: 0.0,
            max: 0.0,
        }),
    };
    t.finish(e);
    s
}

/// A name that must point at an entry of another list; the index, or 0 after an error.
fn reference<'a>(
    e: &mut Errors,
    t: &mut Fields<'_>,
    key: &'static str,
    names: impl Iterator<Item = &'a str>,
) -> usize {
    let value = t.string(e, key);
    let names: Vec<&str> = names.collect();
    if value.is_empty() && t.get(key).is_none() {
        return 0;
    }
    match names.iter().position(|n| *n == value) {
        Some(i) => i,
        None => {
            let hint = match nearest(&value, &names) {
                Some(n) => format!(" (did you mean {n:?}?)"),
                None => format!("; known: {}", names.join(", ")),
            };
            e.push(t.path_of(key), format!("no {key} named {value:?}{hint}"));
            0
        }
    }
}

fn delay(e: &mut Errors, mut t: Fields<'_>) -> Delay {
    let d = Delay {
        min: t.number(e, "min", non_negative),
        mode: t.number(e, "mode", non_negative),
        max: t.number(e, "max", non_negative),
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
        annual_pd: t.number(e, "annual_pd", probability),
        wrong_way: t.number(e, "wrong_way", non_negative),
    };
    t.finish(e);
    x
}

fn guarantee(e: &mut Errors, mut t: Fields<'_>) -> Guarantee {
    let g = Guarantee {
        cap: t.number(e, "cap", non_negative),
        max_months: t.int(e, "max_months", 0, MAX_MONTHS) as u32,
        relet_months: t.int(e, "relet_months", 0, MAX_MONTHS) as u32,
        relet_fraction: t.number(e, "relet_fraction", fraction),
    };
    t.finish(e);
    g
}
