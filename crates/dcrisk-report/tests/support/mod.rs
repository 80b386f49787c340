//! Synthetic but realistic run results, built by hand from a tiny deterministic
//! generator, so the report can be tested (and looked at) without running the engine.
//! Magnitudes follow a ~1 GW program over 15 years: savings around $5B +- $3B, program
//! cost ~$20B, all-cloud ~$25B, guarantor exposure ~$1-3B, 0-4 landlord defaults.

#![allow(dead_code)]

use dcrisk_core::{Metric, MonthStats, PathMetrics, RunResults, SeriesKind, SeriesSummary};

/// xorshift64* with Box-Muller normals: enough randomness for pictures, fully
/// deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// The standard normal quantiles of MonthStats' percentiles.
const Z: [f64; 6] = [-1.645, -0.674, 0.0, 0.674, 1.645, 2.326];

/// Month statistics of a lognormal with this median and log-sd.
fn lognormal(median: f64, sigma: f64) -> MonthStats {
    let q = |z: f64| median * (sigma * z).exp();
    MonthStats {
        mean: median * (sigma * sigma / 2.0).exp(),
        p05: q(Z[0]),
        p25: q(Z[1]),
        p50: q(Z[2]),
        p75: q(Z[3]),
        p95: q(Z[4]),
        p99: q(Z[5]),
    }
}

fn series(name: &str, kind: SeriesKind, months: Vec<MonthStats>) -> SeriesSummary {
    SeriesSummary {
        name: name.to_string(),
        kind,
        months,
    }
}

/// The demand plan as a series named `demand_plan_mw` (every statistic the plan, as the
/// plan is the same on every path), for a run that records it.
pub fn plan_series(horizon: usize) -> SeriesSummary {
    let months = (0..horizon)
        .map(|t| {
            let v = plan(t as f64);
            MonthStats {
                mean: v,
                p05: v,
                p25: v,
                p50: v,
                p75: v,
                p95: v,
                p99: v,
            }
        })
        .collect();
    series("demand_plan_mw", SeriesKind::DemandMw, months)
}

/// The demand plan: 300 MW ramping to 1,100 MW by month 36.
fn plan(t: f64) -> f64 {
    300.0 + 800.0 * (t / 36.0).min(1.0)
}

fn power_series(region: &str, level: f64, horizon: usize) -> SeriesSummary {
    let months = (0..horizon)
        .map(|t| {
            let years = t as f64 / 12.0;
            let season = 1.0 + 0.15 * (std::f64::consts::TAU * (t as f64 - 7.0) / 12.0).cos();
            let sigma = 0.35 * (1.0 - (-6.0 * years).exp()).sqrt() + 0.02;
            lognormal(level * 1.01f64.powf(years) * season, sigma)
        })
        .collect();
    series(
        &format!("power_price.{region}"),
        SeriesKind::PowerPrice {
            region: region.to_string(),
        },
        months,
    )
}

fn program_series(horizon: usize) -> Vec<SeriesSummary> {
    let demand: Vec<MonthStats> = (0..horizon)
        .map(|t| lognormal(plan(t as f64), 0.25 * (t as f64 / 12.0).sqrt() + 0.01))
        .collect();
    let capacity: Vec<MonthStats> = (0..horizon)
        .map(|t| {
            let delivered = (100.0 * ((t as f64 - 4.0) / 3.0).floor()).clamp(0.0, 1000.0);
            lognormal(delivered.max(1e-3), 0.04)
        })
        .collect();
    let program: Vec<MonthStats> = capacity
        .iter()
        .enumerate()
        .map(|(t, c)| lognormal(c.p50 * 1.25e5 * 1.02f64.powf(t as f64 / 12.0) + 5e6, 0.12))
        .collect();
    let cloud: Vec<MonthStats> = demand
        .iter()
        .enumerate()
        .map(|(t, d)| lognormal(d.p50 * 1.4e5 * (-0.04 * t as f64 / 12.0).exp(), 0.3))
        .collect();
    let exposure: Vec<MonthStats> = (0..horizon)
        .map(|t| {
            let ramp = (t as f64 / 30.0).min(1.0) * (1.0 - t as f64 / horizon as f64 * 0.6);
            let mut m = lognormal(1.4e9 * ramp + 1.0, 0.35);
            m.p99 = m.p99.min(3.5e9);
            m
        })
        .collect();
    vec![
        series("demand_mw", SeriesKind::DemandMw, demand),
        series("capacity_mw", SeriesKind::CapacityMw, capacity),
        series("program_cost", SeriesKind::ProgramCost, program),
        series("cloud_cost", SeriesKind::CloudCost, cloud),
        series(
            "guarantor_exposure",
            SeriesKind::GuarantorExposure,
            exposure,
        ),
    ]
}

/// One path's metrics, in `Metric::ALL` order.
fn path(rng: &mut Rng) -> [f64; 14] {
    let (zc, zp, zd) = (rng.normal(), rng.normal(), rng.normal());
    let cloud = 25e9 * (0.12 * zc + 0.08 * zd).exp();
    let rent = 9e9 * (1.0 + 0.02 * rng.normal());
    let power = 4e9 * (0.25 * zp).exp();
    let opex = 1.5e9 * (1.0 + 0.03 * rng.normal());
    let hardware = 5e9 * (1.0 + 0.05 * rng.normal());
    let overflow = (1e9 * (0.8 * zd).exp() - 0.6e9).max(0.0);
    let program = rent + power + opex + hardware + overflow;
    let idle = (20_000.0 * (-0.6 * zd).exp()).max(0.0);
    let overflow_mw = overflow / 1.2e6;
    let u = rng.uniform();
    let landlord_defaults = [0.70, 0.90, 0.97, 0.995].iter().filter(|&&c| u > c).count() as f64;
    // Wrong-way risk: the tenant fails more often when demand is weak.
    let tenant_default = if rng.uniform() < 0.06 * (-0.8 * zd).exp() {
        1.0
    } else {
        0.0
    };
    let payout = tenant_default * (1e9 + 2e9 * rng.uniform());
    let shortfall = tenant_default * 0.4e9 * (0.9 * rng.normal()).exp();
    [
        cloud - program,
        program,
        cloud,
        rent,
        power,
        opex,
        hardware,
        overflow,
        idle,
        overflow_mw,
        landlord_defaults,
        tenant_default,
        payout,
        shortfall,
    ]
}

/// A realistic run: `paths` paths, 180 months, the given regions.
pub fn realistic_with(paths: usize, regions: &[&str]) -> RunResults {
    let mut rng = Rng::new(7);
    let mut metrics = PathMetrics::with_capacity(paths);
    for _ in 0..paths {
        for (col, v) in metrics.columns.iter_mut().zip(path(&mut rng)) {
            col.push(v);
        }
    }
    // The control-variate columns are not charted: zeros.
    for col in metrics.columns.iter_mut().skip(Metric::ALL.len()) {
        col.resize(paths, 0.0);
    }
    let horizon = 180;
    let mut all_series: Vec<SeriesSummary> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| power_series(r, 40.0 + 12.0 * i as f64, horizon))
        .collect();
    all_series.extend(program_series(horizon));
    RunResults {
        techniques: Default::default(),
        control_expectations: Vec::new(),
        convergence: None,
        summaries: None,
        parties: Default::default(),
        scenario: "synthetic-1gw".to_string(),
        paths: paths as u64,
        seed: 42,
        horizon_months: horizon,
        start_month: 1,
        metrics,
        series: all_series,
    }
}

/// 20,000 paths and three regions.
pub fn realistic() -> RunResults {
    realistic_with(20_000, &["ERCOT", "PJM", "CAISO"])
}

/// One path where every metric and every month is zero: no defaults, a guarantee cap
/// of zero, no overflow, one region.
pub fn degenerate() -> RunResults {
    let mut metrics = PathMetrics::with_capacity(1);
    for col in &mut metrics.columns {
        col.push(0.0);
    }
    let horizon = 180;
    let zero = vec![MonthStats::default(); horizon];
    let kinds = [
        (
            "power_price.ERCOT",
            SeriesKind::PowerPrice {
                region: "ERCOT".into(),
            },
        ),
        ("demand_mw", SeriesKind::DemandMw),
        ("capacity_mw", SeriesKind::CapacityMw),
        ("program_cost", SeriesKind::ProgramCost),
        ("cloud_cost", SeriesKind::CloudCost),
        ("guarantor_exposure", SeriesKind::GuarantorExposure),
    ];
    RunResults {
        techniques: Default::default(),
        control_expectations: Vec::new(),
        convergence: None,
        summaries: None,
        parties: Default::default(),
        scenario: "degenerate".to_string(),
        paths: 1,
        seed: 1,
        horizon_months: horizon,
        start_month: 7,
        metrics,
        series: kinds
            .into_iter()
            .map(|(name, kind)| series(name, kind, zero.clone()))
            .collect(),
    }
}

/// A run with no paths and no series at all.
pub fn empty() -> RunResults {
    RunResults {
        techniques: Default::default(),
        control_expectations: Vec::new(),
        convergence: None,
        summaries: None,
        parties: Default::default(),
        scenario: "empty".to_string(),
        paths: 0,
        seed: 0,
        horizon_months: 0,
        start_month: 0,
        metrics: PathMetrics::with_capacity(0),
        series: Vec::new(),
    }
}

/// Metric values of `metric` in a run, for assertions.
pub fn column(results: &RunResults, metric: Metric) -> &[f64] {
    results.metrics.get(metric)
}
