//! The simulation against closed forms, on purpose-built scenarios, with fixed seeds and
//! tolerances derived from standard errors; and money arithmetic on hand-computed cases.

mod contracts;
mod decide;
mod fuzz;

use dcrisk_core::engine::RunConfig;
use dcrisk_core::math::{norm_cdf, norm_pdf, norm_ppf};
use dcrisk_core::scenario::*;
use dcrisk_core::{Metric, NoProgress, RunResults, simulate};

/// A minimal deterministic scenario: one region, site and landlord; no randomness, no
/// defaults, no discounting. Tests switch on the part they check.
fn base() -> Scenario {
    Scenario {
        name: "test".into(),
        description: String::new(),
        horizon_years: 1,
        start_month: 1,
        discount_rate: 0.0,
        paths: 1000,
        seed: 1,
        regions: vec![Region {
            name: "R".into(),
            price0: 50.0,
            long_run_mean: 50.0,
            escalation: 0.0,
            reversion: 2.0,
            volatility: 0.0,
            seasonal_amplitude: 0.0,
            peak_month: 1,
            jump_rate: 0.0,
            jump_mean: 0.0,
            jump_std: 0.0,
            hedge_fraction: 0.0,
            hedge_price: 0.0,
        }],
        demand: Demand {
            plan: vec![(0.0, 5.0)],
            drift: 0.0,
            volatility: 0.0,
            bust_rate: 0.0,
            bust_size: 0.0,
        },
        cloud: Cloud {
            price0: 1.4e6,
            drift: 0.0,
            volatility: 0.0,
        },
        hardware: Hardware {
            capex_per_mw: 2.2e7,
            life_years: 5.0,
            price_trend: 0.0,
        },
        landlords: vec![Landlord {
            name: "L".into(),
            annual_pd: 0.0,
        }],
        landlord_default: LandlordDefault {
            asset_correlation: 0.0,
            pre_delivery_delay_months: 0,
            outage_months: 0,
        },
        sites: vec![Site {
            name: "S".into(),
            region: 0,
            landlord: 0,
            capacity_mw: 10.0,
            rent_per_kw_month: 100.0,
            rent_escalator: 0.0,
            planned_delivery: 0,
            term_years: 1,
            pue: 1.2,
            opex_per_kw_month: 15.0,
            delay: Delay {
                min: 0.0,
                mode: 0.0,
                max: 0.0,
            },
        }],
        tenant: Tenant {
            annual_pd: 0.0,
            wrong_way: 0.0,
        },
        guarantee: Guarantee {
            cap: 1e12,
            max_months: 6,
            relet_months: 2,
            relet_fraction: 0.5,
        },
        correlation: vec![],
        cholesky: vec![],
        contracts: Contracts::default(),
    }
}

/// Fills in the identity correlation for the scenario's factors.
fn finish(mut s: Scenario) -> Scenario {
    let n = s.factors();
    s.correlation = (0..n * n)
        .map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 })
        .collect();
    s.cholesky = s.correlation.clone();
    s
}

fn run(s: Scenario, paths: u64) -> RunResults {
    simulate(&finish(s), &RunConfig::new(paths, 7), &NoProgress)
}

fn mean(r: &RunResults, m: Metric) -> f64 {
    let v = r.metrics.get(m);
    v.iter().sum::<f64>() / v.len() as f64
}

fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

mod money {
    use super::*;

    /// Month: rent 10 MW * 1000 * $100 = 1e6; power 5 MW * 1.2 * 730 h * $50 = 219,000;
    /// opex 10 * 1000 * 15 = 150,000; hardware 10 * 2.2e7 / 60 = 3,666,666.67;
    /// cloud 5 MW * 1.4e6 = 7e6. Twelve months, no discounting.
    #[test]
    fn hand_computed_month() {
        let r = run(base(), 3);
        let hardware = 10.0 * 2.2e7 / 60.0;
        let program = 1e6 + 219_000.0 + 150_000.0 + hardware;
        assert_close(mean(&r, Metric::RentPv), 12e6, 1e-6, "rent");
        assert_close(
            mean(&r, Metric::PowerCostPv),
            12.0 * 219_000.0,
            1e-6,
            "power",
        );
        assert_close(mean(&r, Metric::OpexPv), 12.0 * 150_000.0, 1e-6, "opex");
        assert_close(
            mean(&r, Metric::HardwarePv),
            12.0 * hardware,
            1e-6,
            "hardware",
        );
        assert_close(
            mean(&r, Metric::ProgramCostPv),
            12.0 * program,
            1e-5,
            "program",
        );
        assert_close(mean(&r, Metric::CloudCostPv), 12.0 * 7e6, 1e-5, "cloud");
        assert_close(
            mean(&r, Metric::SavingsPv),
            12.0 * (7e6 - program),
            1e-5,
            "savings",
        );
        assert_close(mean(&r, Metric::IdleMwMonths), 12.0 * 5.0, 1e-9, "idle");
        assert_eq!(mean(&r, Metric::OverflowMwMonths), 0.0);
    }

    /// Demand 15 MW on 10 MW: power on the 10 MW used, 5 MW overflow to cloud; a 50% hedge
    /// at $40 makes the effective price 0.5 * 40 + 0.5 * 50 = $45; discounting at 12%/yr.
    #[test]
    fn overflow_hedge_and_discounting() {
        let mut s = base();
        s.demand.plan = vec![(0.0, 15.0)];
        s.regions[0].hedge_fraction = 0.5;
        s.regions[0].hedge_price = 40.0;
        s.discount_rate = 0.12;
        let r = run(s, 2);
        let df = |t: usize| 1.12f64.powf(-((t + 1) as f64) / 12.0);
        let dsum: f64 = (0..12).map(df).sum();
        assert_close(
            mean(&r, Metric::PowerCostPv),
            dsum * 10.0 * 1.2 * 730.0 * 45.0,
            1e-5,
            "power",
        );
        assert_close(
            mean(&r, Metric::OverflowCostPv),
            dsum * 5.0 * 1.4e6,
            1e-4,
            "overflow",
        );
        assert_close(
            mean(&r, Metric::OverflowMwMonths),
            60.0,
            1e-9,
            "overflow MW-months",
        );
        assert_close(
            mean(&r, Metric::CloudCostPv),
            dsum * 15.0 * 1.4e6,
            1e-4,
            "cloud",
        );
    }

    /// Escalator and delivery: a site delivered at month 3 with a 2-year term and 10% yearly
    /// escalator pays 1e6 for months 3..14 and 1.1e6 for months 15..23 of a 2-year horizon;
    /// its hardware is bought at (1 - 0.2)^(3/12) of today's price.
    #[test]
    fn escalator_and_delivery_month() {
        let mut s = base();
        s.horizon_years = 2;
        s.sites[0].planned_delivery = 3;
        s.sites[0].term_years = 2;
        s.sites[0].rent_escalator = 0.1;
        s.hardware.price_trend = -0.2;
        let r = run(s, 2);
        assert_close(
            mean(&r, Metric::RentPv),
            12.0 * 1e6 + 9.0 * 1.1e6,
            1e-5,
            "rent",
        );
        let hw = 10.0 * 2.2e7 / 60.0 * 0.8f64.powf(0.25);
        assert_close(mean(&r, Metric::HardwarePv), 21.0 * hw, 1e-4, "hardware");
        // Months 0..2: no capacity, all 5 MW overflow.
        assert_close(mean(&r, Metric::OverflowMwMonths), 15.0, 1e-9, "overflow");
    }

    /// The exposure profile on the deterministic lease: rent 1e6 for months 0..11, 6 months
    /// covered, re-let after 2 at 50%: at month 0, 2e6 + 4 * 0.5e6 = 4e6; at month 9,
    /// months 9, 10 full and 11 at half = 2.5e6; a cap of 3e6 binds at month 0.
    #[test]
    fn exposure_profile_by_hand() {
        let r = run(base(), 3);
        let e = r.series("guarantor_exposure").unwrap();
        assert_close(e.months[0].mean, 4e6, 1e-6, "EE at 0");
        assert_close(e.months[9].mean, 2.5e6, 1e-6, "EE at 9");
        assert_close(
            e.months[11].p95,
            1e6,
            1e-6,
            "PFE at 11: its own month, in full",
        );
        let mut capped = base();
        capped.guarantee.cap = 3e6;
        let r = run(capped, 3);
        assert_close(
            r.series("guarantor_exposure").unwrap().months[0].p50,
            3e6,
            1e-6,
            "capped",
        );
    }
}

mod processes {
    use super::*;

    /// Log-OU without jumps or seasonality: x(t) ~ N(theta + (x0 - theta) e^(-k t dt),
    /// s^2 (1 - e^(-2 k t dt)) / (2k)). Checks the mean of P(t) and its P5/P50/P95 at
    /// several months, within 5 standard errors plus the summary's 0.39% error.
    #[test]
    fn power_price_matches_ou_closed_form() {
        let mut s = base();
        s.horizon_years = 3;
        s.regions[0] = Region {
            price0: 80.0,
            long_run_mean: 50.0,
            reversion: 1.5,
            volatility: 0.8,
            ..s.regions[0].clone()
        };
        let n = 40_000;
        let r = run(s, n);
        let series = r.series("power_price.R").unwrap();
        let (k, sig) = (1.5f64, 0.8f64);
        let theta = 50f64.ln() - sig * sig / (4.0 * k);
        for t in [1usize, 6, 12, 35] {
            let tt = t as f64 / 12.0;
            let mu = theta + (80f64.ln() - theta) * (-k * tt).exp();
            let var = sig * sig * (1.0 - (-2.0 * k * tt).exp()) / (2.0 * k);
            let sd = var.sqrt();
            let m = (mu + var / 2.0).exp();
            let se_mean = m * (var.exp() - 1.0).sqrt() / (n as f64).sqrt();
            assert_close(
                series.months[t].mean,
                m,
                5.0 * se_mean,
                &format!("mean at {t}"),
            );
            for (q, got) in [
                (0.05, series.months[t].p05),
                (0.5, series.months[t].p50),
                (0.95, series.months[t].p95),
            ] {
                let z = norm_ppf(q);
                let x = (mu + z * sd).exp();
                let density = norm_pdf(z) / (x * sd);
                let se = (q * (1.0 - q) / n as f64).sqrt() / density;
                assert_close(got, x, 5.0 * se + 0.004 * x, &format!("q{q} at {t}"));
            }
        }
    }

    /// With jumps, E[x(t)] gains lambda dt mu_J sum_{s<t} e^(-k dt s); checked on the
    /// median-free log mean through E[P] under a constant theta and zero diffusion:
    /// x(t) = theta + J-terms, and E[e^(J)] per month is exp(lambda dt (e^(mu + s^2/2) - 1)).
    #[test]
    fn power_jumps_match_compound_poisson_mean() {
        let mut s = base();
        // Fast reversion is irrelevant with k -> small; use k tiny so jumps accumulate.
        s.regions[0] = Region {
            reversion: 1e-9,
            jump_rate: 2.0,
            jump_mean: 0.1,
            jump_std: 0.2,
            ..s.regions[0].clone()
        };
        let n = 40_000;
        let r = run(s, n);
        let series = r.series("power_price.R").unwrap();
        let t = 11usize;
        // x(t) = ln 50 + sum of t months of compound Poisson jumps (decay ~ 1).
        let lam = 2.0 / 12.0;
        let mgf1 = (0.1f64 + 0.02).exp();
        let mgf2 = (0.2f64 + 0.08).exp();
        let m1 = 50.0 * (lam * t as f64 * (mgf1 - 1.0)).exp();
        let m2 = 2500.0 * (lam * t as f64 * (mgf2 - 1.0)).exp();
        let se = ((m2 - m1 * m1) / n as f64).sqrt();
        assert_close(series.months[t].mean, m1, 5.0 * se, "jump mean");
    }

    /// Demand: E[D(t)] = plan e^(mu t dt) and median plan e^((mu - s^2/2) t dt); with busts
    /// the mean gains exp(rate t dt (e^(-b) - 1)).
    #[test]
    fn demand_matches_gbm_closed_form() {
        let mut s = base();
        s.horizon_years = 5;
        s.demand = Demand {
            plan: vec![(0.0, 100.0), (24.0, 500.0)],
            drift: 0.1,
            volatility: 0.3,
            bust_rate: 0.5,
            bust_size: 0.3,
        };
        let n = 40_000;
        let r = run(s, n);
        let d = r.series("demand_mw").unwrap();
        for t in [12usize, 30, 59] {
            let tt = t as f64 / 12.0;
            let plan = if t >= 24 {
                500.0
            } else {
                100.0 + 400.0 * t as f64 / 24.0
            };
            let bust = (0.5 * tt * ((-0.3f64).exp() - 1.0)).exp();
            let m = plan * (0.1 * tt).exp() * bust;
            // Second moment of the factor: e^(2 mu t + s^2 t) times the busts' E[e^(-2bN)].
            let bust2 = (0.5 * tt * ((-0.6f64).exp() - 1.0)).exp();
            let m2 = plan * plan * (0.2 * tt + 0.09 * tt).exp() * bust2;
            let se = ((m2 - m * m) / n as f64).sqrt();
            assert_close(
                d.months[t].mean,
                m,
                5.0 * se,
                &format!("demand mean at {t}"),
            );
        }
    }

    #[test]
    fn demand_median_without_busts() {
        let mut s = base();
        s.horizon_years = 3;
        s.demand = Demand {
            plan: vec![(0.0, 200.0)],
            drift: 0.05,
            volatility: 0.4,
            bust_rate: 0.0,
            bust_size: 0.0,
        };
        let n = 40_000;
        let r = run(s, n);
        let d = r.series("demand_mw").unwrap();
        let t = 30usize;
        let tt = t as f64 / 12.0;
        let sd = 0.4 * tt.sqrt();
        let median = 200.0 * ((0.05 - 0.08) * tt).exp();
        let se = (0.25 / n as f64).sqrt() / (norm_pdf(0.0) / (median * sd));
        assert_close(d.months[t].p50, median, 5.0 * se + 0.004 * median, "median");
    }

    /// Cloud price GBM through the counterfactual cost of a fixed demand:
    /// E[D C(t)] = D C0 e^(mu t dt).
    #[test]
    fn cloud_matches_gbm_mean() {
        let mut s = base();
        s.horizon_years = 4;
        s.cloud = Cloud {
            price0: 1e6,
            drift: -0.2,
            volatility: 0.35,
        };
        let n = 40_000;
        let r = run(s, n);
        let c = r.series("cloud_cost").unwrap();
        let t = 40usize;
        let tt = t as f64 / 12.0;
        let m = 5.0 * 1e6 * (-0.2 * tt).exp();
        let se = m * ((0.35f64 * 0.35 * tt).exp() - 1.0).sqrt() / (n as f64).sqrt();
        assert_close(c.months[t].mean, m, 5.0 * se, "cloud cost mean");
    }
}

mod credit {
    use super::*;

    /// Finite-pool Vasicek: the count of one-year defaults among n equal landlords is a
    /// binomial mixed over the systemic factor. Each count's frequency within 5 binomial SEs.
    #[test]
    fn landlord_default_counts_follow_vasicek_mixture() {
        let mut s = base();
        let (n_lords, pd, rho) = (8usize, 0.05, 0.25);
        s.landlords = (0..n_lords)
            .map(|i| Landlord {
                name: format!("L{i}"),
                annual_pd: pd,
            })
            .collect();
        s.landlord_default.asset_correlation = rho;
        let n = 60_000;
        let r = run(s, n);
        let counts = r.metrics.get(Metric::LandlordDefaults);
        for k in 0..=n_lords {
            let p = mixture_pmf(k, n_lords, pd, rho);
            let freq = counts.iter().filter(|&&c| c == k as f64).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert_close(freq, p, 5.0 * se + 1e-5, &format!("P(K = {k})"));
        }
    }

    /// P(K = k) = integral of C(n,k) p(M)^k (1-p(M))^(n-k) phi(M) dM,
    /// p(M) = Phi((Phi^-1(pd) - sqrt(rho) M) / sqrt(1 - rho)); trapezoid on [-8, 8].
    fn mixture_pmf(k: usize, n: usize, pd: f64, rho: f64) -> f64 {
        let steps = 4000;
        let h = 16.0 / steps as f64;
        let binom = (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
        (0..=steps)
            .map(|i| {
                let m = -8.0 + i as f64 * h;
                let p = norm_cdf((norm_ppf(pd) - rho.sqrt() * m) / (1.0 - rho).sqrt());
                let w = if i == 0 || i == steps { 0.5 } else { 1.0 };
                w * h * norm_pdf(m) * binom * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
            })
            .sum()
    }

    /// Without wrong-way risk, P(tenant default within T months) = 1 - (1 - pd)^(T/12).
    #[test]
    fn tenant_default_probability() {
        let mut s = base();
        s.horizon_years = 5;
        s.tenant.annual_pd = 0.06;
        let n = 50_000;
        let r = run(s, n);
        let p = 1.0 - 0.94f64.powf(5.0);
        let got = mean(&r, Metric::TenantDefault);
        assert_close(got, p, 5.0 * (p * (1.0 - p) / n as f64).sqrt(), "tenant PD");
    }

    /// Wrong-way risk on a deterministic demand path Y(t) = mu t dt: the integrated hazard
    /// is H = sum_t lambda dt e^(-beta mu t dt), P = 1 - e^(-H).
    #[test]
    fn tenant_default_with_wrong_way_on_known_demand() {
        let mut s = base();
        s.horizon_years = 4;
        s.tenant = Tenant {
            annual_pd: 0.05,
            wrong_way: 3.0,
        };
        s.demand.drift = -0.15;
        let n = 50_000;
        let r = run(s, n);
        let lam = -(0.95f64.ln()) / 12.0;
        let h: f64 = (0..48)
            .map(|t| lam * (3.0 * 0.15 * t as f64 / 12.0).exp())
            .sum();
        let p = 1.0 - (-h).exp();
        let got = mean(&r, Metric::TenantDefault);
        assert_close(
            got,
            p,
            5.0 * (p * (1.0 - p) / n as f64).sqrt(),
            "wrong-way PD",
        );
    }

    /// Expected guarantor payout on the deterministic lease: E = sum_t P(tau = t) payout(t),
    /// with P(tau = t) = e^(-t l) - e^(-(t+1) l) and payout(t) the hand-computed claim.
    #[test]
    fn expected_payout_matches_default_timing() {
        let mut s = base();
        s.tenant.annual_pd = 0.3;
        let n = 50_000;
        let r = run(s, n);
        let l = -(0.7f64.ln()) / 12.0;
        let claim = |t: usize| -> f64 {
            (t..t + 6)
                .filter(|&u| u < 12)
                .map(|u| if u < t + 2 { 1e6 } else { 0.5e6 })
                .sum()
        };
        let ev: f64 = (0..12)
            .map(|t| ((-(t as f64) * l).exp() - (-((t + 1) as f64) * l).exp()) * claim(t))
            .sum();
        let e2: f64 = (0..12)
            .map(|t| ((-(t as f64) * l).exp() - (-((t + 1) as f64) * l).exp()) * claim(t).powi(2))
            .sum();
        let se = ((e2 - ev * ev) / n as f64).sqrt();
        assert_close(
            mean(&r, Metric::GuarantorPayoutPv),
            ev,
            5.0 * se,
            "expected payout",
        );
        // Landlords lose what is not covered: the re-let gap past the 6 covered months.
        let short = |t: usize| -> f64 {
            let total: f64 = (t..12).map(|u| if u < t + 2 { 1e6 } else { 0.5e6 }).sum();
            total - claim(t)
        };
        let es: f64 = (0..12)
            .map(|t| ((-(t as f64) * l).exp() - (-((t + 1) as f64) * l).exp()) * short(t))
            .sum();
        assert!(
            (mean(&r, Metric::LandlordShortfallPv) - es).abs()
                <= 5.0 * 0.5e6 * 6.0 / (n as f64).sqrt(),
            "shortfall"
        );
    }

    /// A landlord that fails during the lease takes its site out: rent abated and capacity
    /// gone for the outage months (pd near 1: every path defaults in month 0 or so).
    #[test]
    fn landlord_outage_abates_rent() {
        let mut s = base();
        s.landlords[0].annual_pd = 0.999_999;
        s.landlord_default.outage_months = 3;
        let r = run(s, 200);
        // Default within the first month on (almost) every path: outage months 0..2.
        let rent = mean(&r, Metric::RentPv);
        assert_close(rent, 9e6, 2e5, "rent with a 3-month outage");
        assert_eq!(mean(&r, Metric::LandlordDefaults), 1.0);
    }
}

mod determinism {
    use super::*;

    fn with_threads(threads: usize, s: &Scenario) -> RunResults {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| simulate(s, &RunConfig::new(5000, 99), &NoProgress))
    }

    /// Bit-identical results for 1, 2 and 3 threads on a scenario with every driver on.
    #[test]
    fn thread_count_does_not_change_results() {
        let mut s = base();
        s.horizon_years = 3;
        s.regions[0] = Region {
            volatility: 0.9,
            jump_rate: 1.0,
            jump_mean: 0.3,
            jump_std: 0.2,
            ..s.regions[0].clone()
        };
        s.demand.volatility = 0.3;
        s.demand.bust_rate = 0.2;
        s.demand.bust_size = 0.3;
        s.tenant = Tenant {
            annual_pd: 0.1,
            wrong_way: 2.0,
        };
        s.landlords[0].annual_pd = 0.1;
        s.sites[0].delay = Delay {
            min: 0.0,
            mode: 2.0,
            max: 9.0,
        };
        let s = finish(s);
        let one = with_threads(1, &s);
        assert_eq!(one, with_threads(2, &s));
        assert_eq!(one, with_threads(3, &s));
    }
}

mod shards {
    use super::*;
    use dcrisk_core::engine::{RunMeta, simulate_part};
    use dcrisk_core::shard::{Partial, PartialHeader, Shard, merge, scenario_hash};

    fn scenario() -> Scenario {
        let mut s = base();
        s.horizon_years = 2;
        s.regions[0] = Region {
            volatility: 0.9,
            jump_rate: 1.0,
            jump_mean: 0.3,
            jump_std: 0.2,
            ..s.regions[0].clone()
        };
        s.demand.volatility = 0.3;
        s.tenant = Tenant {
            annual_pd: 0.1,
            wrong_way: 2.0,
        };
        s.landlords[0].annual_pd = 0.1;
        finish(s)
    }

    fn shard_parts(s: &Scenario, total: u64, count: u32) -> Vec<Partial> {
        (0..count)
            .map(|index| {
                let shard = Shard { index, count };
                Partial {
                    header: PartialHeader {
                        version: "test".into(),
                        scenario_hash: scenario_hash(s),
                        total_paths: total,
                        shard,
                        meta: RunMeta::new(s, 5),
                    },
                    run: simulate_part(
                        s,
                        &RunConfig::new(total, 5),
                        shard.paths(total),
                        &NoProgress,
                    ),
                }
            })
            // Through bytes, as files would.
            .map(|p| Partial::decode(&p.encode()).unwrap())
            .collect()
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("part{i}")).collect()
    }

    /// Merging N shards equals the single run, bit for bit, for N = 1, 2, 3, 7, with paths
    /// not a multiple of the chunk size and shards given in any order.
    #[test]
    fn merged_shards_equal_the_single_run() {
        let s = scenario();
        let total = 7_500;
        let single = simulate(&s, &RunConfig::new(total, 5), &NoProgress);
        for count in [1, 2, 3, 7] {
            let mut parts = shard_parts(&s, total, count);
            parts.reverse();
            let merged = merge(parts, &names(count as usize)).unwrap();
            assert_eq!(merged, single, "{count} shards");
        }
    }

    #[test]
    fn merge_refuses_missing_overlapping_and_foreign_shards() {
        let s = scenario();
        let mut parts = shard_parts(&s, 3000, 3);
        let err = merge(parts[..2].to_vec(), &names(2)).unwrap_err();
        assert!(err.contains("missing shard(s) 2 of 3"), "{err}");
        parts[1] = parts[0].clone();
        let err = merge(parts.clone(), &names(3)).unwrap_err();
        assert!(err.contains("both shard 0"), "{err}");
        let mut other = scenario();
        other.discount_rate = 0.05;
        let foreign = shard_parts(&other, 3000, 3);
        let err = merge(
            vec![parts[0].clone(), foreign[1].clone(), parts[2].clone()],
            &names(3),
        )
        .unwrap_err();
        assert!(err.contains("different run"), "{err}");
        let bytes = parts[0].encode();
        assert!(Partial::decode(&bytes[..bytes.len() - 3]).is_err());
        assert!(Partial::decode(b"hello").is_err());
    }
}

mod variance_reduction {
    use super::*;
    use dcrisk_core::Techniques;

    fn with(t: Techniques, s: Scenario, n: u64) -> RunResults {
        simulate(
            &finish(s),
            &RunConfig::new(n, 3).with_techniques(t),
            &NoProgress,
        )
    }

    const ANTI: Techniques = Techniques {
        antithetic: true,
        control_variates: false,
    };
    const BOTH: Techniques = Techniques {
        antithetic: true,
        control_variates: true,
    };

    /// Antithetic pairs keep the GBM demand mean and the tenant default probability
    /// unbiased: each checked against its closed form within 5 honest standard errors.
    #[test]
    fn antithetic_estimates_stay_unbiased() {
        let mut s = base();
        s.horizon_years = 3;
        s.demand = Demand {
            plan: vec![(0.0, 100.0)],
            drift: 0.1,
            volatility: 0.4,
            bust_rate: 0.0,
            bust_size: 0.0,
        };
        s.tenant.annual_pd = 0.08;
        let n = 40_000;
        let r = with(ANTI, s, n);
        let p = 1.0 - 0.92f64.powi(3);
        let e = r.estimate(Metric::TenantDefault);
        assert_close(
            e.mean,
            p,
            5.0 * e.stderr.max((p * (1.0 - p) / n as f64).sqrt()),
            "tenant PD",
        );
        // Demand mean at month 24 from the series (exact mean), plain SE as a bound.
        let t = 24.0 / 12.0;
        let m = 100.0 * (0.1f64 * t).exp();
        let se = m * ((0.16 * t).exp() - 1.0f64).sqrt() / (n as f64).sqrt();
        assert_close(
            r.series("demand_mw").unwrap().months[24].mean,
            m,
            5.0 * se,
            "demand mean",
        );
    }

    /// On a scenario whose savings are linear in the controls (demand always below capacity,
    /// fixed power price, no defaults), the controlled mean hits the closed form:
    /// E[savings] = sum df (E[D C] - fixed costs - k E[D]) with k = pue HOURS price.
    #[test]
    fn control_variates_are_unbiased_and_reduce_variance() {
        let mut s = base();
        s.horizon_years = 2;
        s.discount_rate = 0.06;
        s.sites[0].capacity_mw = 1000.0;
        s.sites[0].term_years = 2;
        s.demand = Demand {
            plan: vec![(0.0, 50.0)],
            drift: 0.05,
            volatility: 0.3,
            bust_rate: 0.3,
            bust_size: 0.2,
        };
        s.cloud = Cloud {
            price0: 1e6,
            drift: -0.1,
            volatility: 0.25,
        };
        let r = with(BOTH, s.clone(), 20_000);
        let model = dcrisk_core::engine::Model::new(&finish(s));
        let ex = &model.control_expectations;
        let fixed: f64 = (0..24).map(|t| model.df[t]).sum::<f64>()
            * (1000.0 * 1000.0 * 100.0 + 1000.0 * 1000.0 * 15.0 + 1000.0 * 2.2e7 / 60.0);
        let k = 1.2 * 730.0 * 50.0;
        let want = ex[0] - fixed - k * ex[1];
        let e = r.estimate(Metric::SavingsPv);
        assert_close(e.mean, want, 1e-6 * want.abs(), "controlled mean");
        assert!(
            e.variance_reduction > 100.0,
            "variance reduction {}",
            e.variance_reduction
        );
        // The plain sample mean agrees within its own standard error.
        let plain = r.estimate(Metric::SavingsPv);
        let stats = r.metric_stats();
        let sd = stats[0].1.std;
        assert_close(
            mean(&r, Metric::SavingsPv),
            want,
            5.0 * sd / (20_000f64 / 2.0).sqrt(),
            "plain mean",
        );
        assert!(plain.stderr <= sd);
    }

    /// A run to a precision stops at the same path on 1 and 2 threads, with the bound met.
    #[test]
    fn precision_run_is_deterministic_and_meets_the_bound() {
        use dcrisk_core::engine::PrecisionGoal;
        let mut s = base();
        s.demand.volatility = 0.5;
        s.cloud.volatility = 0.3;
        let s = finish(s);
        let goal = PrecisionGoal {
            target: Metric::SavingsPv,
            relative: Some(0.002),
            absolute: None,
            max_paths: 200_000,
        };
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let config = RunConfig::new(0, 8)
                    .with_techniques(ANTI)
                    .with_precision(Some(goal));
                simulate(&s, &config, &NoProgress)
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        let c = one.convergence.clone().unwrap();
        assert!(c.met, "{c:?}");
        assert!(c.relative_half_width <= 0.002);
        assert_eq!(c.paths_used, one.paths);
        assert!(
            c.paths_used > 16_384,
            "the bound should need more than one block: {c:?}"
        );
    }
}

mod sketch_mode {
    use super::*;
    use dcrisk_core::engine::{RunMeta, finish as finish_run, simulate_part};
    use dcrisk_core::shard::{Partial, PartialHeader, Shard, merge, scenario_hash};

    fn sketch_run(s: &Scenario, range: std::ops::Range<u64>) -> dcrisk_core::engine::PartialRun {
        let config = RunConfig::new(range.end, 11).with_sketch(true);
        simulate_part(s, &config, range, &NoProgress)
    }

    /// Without per-path values: the same means and probabilities as the exact run (to
    /// rounding), quantiles within 0.1%, and shards that merge bit for bit.
    #[test]
    fn summaries_only_runs_match_exact_runs_and_merge_exactly() {
        let mut s = base();
        s.horizon_years = 2;
        s.demand.volatility = 0.4;
        s.tenant = Tenant {
            annual_pd: 0.2,
            wrong_way: 1.0,
        };
        s.landlords[0].annual_pd = 0.2;
        let s = finish(s);
        let total = 6000;
        let exact = simulate(&s, &RunConfig::new(total, 11), &NoProgress);
        let single = finish_run(&RunMeta::new(&s, 11), sketch_run(&s, 0..total));
        assert!(single.metrics.is_empty());
        for (m, e) in exact.metric_stats() {
            let g = single.metric_stat(m);
            assert!(
                (g.mean - e.mean).abs() <= 1e-9 * e.std.max(1.0),
                "{m:?} mean"
            );
            assert!((g.std - e.std).abs() <= 1e-6 * e.std.max(1.0), "{m:?} std");
            for (a, b) in g.quantiles.iter().zip(e.quantiles) {
                assert!(
                    (a - b).abs() <= 1.001e-3 * b.abs() + 1e-9,
                    "{m:?} quantile {a} vs {b}"
                );
            }
        }
        assert_eq!(single.probabilities(), exact.probabilities());
        let parts: Vec<Partial> = (0..3)
            .map(|index| {
                let shard = Shard { index, count: 3 };
                let p = Partial {
                    header: PartialHeader {
                        version: "test".into(),
                        scenario_hash: scenario_hash(&s),
                        total_paths: total,
                        shard,
                        meta: RunMeta::new(&s, 11),
                    },
                    run: sketch_run(&s, shard.paths(total)),
                };
                Partial::decode(&p.encode()).unwrap()
            })
            .collect();
        let merged = merge(parts, &["a".into(), "b".into(), "c".into()]).unwrap();
        assert_eq!(merged, single);
    }
}

/// The v1 model's numbers, pinned: a digest of every statistic summary.json reports for
/// two shipped scenarios. A change that moves any of them by one bit fails here; such a
/// change must be deliberate, said in its commit, and the digests updated with it.
mod pinned {
    use dcrisk_core::engine::RunConfig;
    use dcrisk_core::scenario::{parse_toml, validate};
    use dcrisk_core::{Metric, NoProgress, simulate};

    /// FNV-1a over the little-endian bits of each metric's mean, std, stderr, min, max,
    /// nine quantiles and four tail means (summary.json's order), then the three
    /// probabilities.
    fn digest(name: &str, paths: u64, seed: u64) -> u64 {
        let path = format!("{}/../../scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).expect("shipped scenario");
        let scenario = validate(&parse_toml(&text).expect("TOML")).expect("valid");
        let run = simulate(&scenario, &RunConfig::new(paths, seed), &NoProgress);
        let mut values = Vec::new();
        for m in Metric::ALL {
            let s = run.metric_stat(m);
            values.extend([s.mean, s.std, s.stderr, s.min, s.max]);
            values.extend(s.quantiles);
            values.extend([s.lower_es_05, s.lower_es_01, s.upper_es_95, s.upper_es_99]);
        }
        let p = run.probabilities();
        values.extend([p.savings_negative, p.tenant_default, p.any_landlord_default]);
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in values.iter().flat_map(|v| v.to_le_bytes()) {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    }

    /// The digests of `dcrisk run scenarios/NAME.toml --paths 4096 --seed 42`, computed
    /// from that command's summary.json before the engine was split into modules (a script
    /// parsing the JSON's exact decimal numbers and hashing their bits the same way).
    #[test]
    fn shipped_scenarios_keep_their_numbers_bit_for_bit() {
        assert_eq!(digest("gigawatt-program", 4096, 42), 0xf9b8_7ae1_61b2_c201);
        assert_eq!(digest("landlord-stress", 4096, 42), 0x030c_23e5_5a11_ae9a);
    }
}

/// Hostile and extreme numbers (issue 16): every field's bounds refuse what would overflow
/// or panic, with the field and value named; a scenario at the bounds' extremes runs to
/// finite figures; validation stays linear in the file's size.
mod limits {
    use dcrisk_core::engine::RunConfig;
    use dcrisk_core::scenario::*;
    use dcrisk_core::{Metric, NoProgress, simulate};

    fn base_text() -> String {
        let path = format!(
            "{}/../../scenarios/gigawatt-program.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).expect("shipped scenario")
    }

    fn tree() -> Table {
        parse_toml(&base_text()).expect("TOML")
    }

    /// The base case with `key` set to `value` (as `--set` would), validated.
    fn with(sets: &[(&str, &str)]) -> Result<Scenario, ScenarioError> {
        let mut t = tree();
        for (key, value) in sets {
            apply_override(&mut t, key, parse_value(value)).expect("a known key");
        }
        validate(&t)
    }

    fn refused(sets: &[(&str, &str)], want: &str) {
        let e = with(sets).expect_err(&format!("{sets:?} should be refused"));
        let text = e.to_string();
        assert!(
            text.contains(want),
            "{sets:?}: expected {want:?} in:\n{text}"
        );
    }

    #[test]
    fn every_shipped_scenario_is_within_the_bounds() {
        let dir = format!("{}/../../scenarios", env!("CARGO_MANIFEST_DIR"));
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let tree = parse_toml(&text).unwrap();
                // A scenario with uncertain inputs: every value of every distribution
                // within its field's bounds, and the scenario at the medians valid.
                let checked = match dcrisk_core::uncertain::has_distributions(&tree) {
                    true => dcrisk_core::uncertain::UncertainScenario::from_tree(&tree).map(|_| ()),
                    false => validate(&tree).map(|_| ()),
                };
                checked.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                n += 1;
            }
        }
        assert!(n >= 6);
    }

    /// The reported failures: each was accepted, then panicked or gave NaN and infinities.
    #[test]
    fn reported_overflows_are_refused() {
        refused(
            &[("regions.ERCOT.jump_rate", "3e20")],
            "regions[0].jump_rate: must be <= 10000, got 3e20",
        );
        // One problem, not also the jump load it implies.
        let e = with(&[("regions.ERCOT.jump_rate", "3e20")]).unwrap_err();
        assert_eq!(e.total(), 1, "{e}");
        refused(
            &[("demand.bust_rate", "2.5e20")],
            "demand.bust_rate: must be <= 10000, got",
        );
        refused(
            &[("regions.ERCOT.jump_rate", "1e6")],
            "regions[0].jump_rate: must be <= 10000, got 1000000",
        );
        refused(
            &[("sites[0].rent_per_kw_month", "1e300")],
            "sites[0].rent_per_kw_month: must be <= 100000, got 1e300",
        );
        refused(
            &[("discount_rate", "-0.999"), ("horizon_years", "100")],
            "discount_rate: must be >= -0.2, got -0.999",
        );
        refused(
            &[("paths", "9223372036854775807")],
            "paths: must be in 1..=1000000000, got 9223372036854775807",
        );
        refused(
            &[("name", &format!("{:?}", "n".repeat(245)))],
            "name: must be at most 100 bytes (it names the output folder), got 245 bytes",
        );
    }

    /// Every bounded field refuses a value past its end, naming the field and the value.
    #[test]
    fn each_bound_names_the_field_and_value() {
        let cases = [
            (
                "regions.ERCOT.price0",
                "1e6",
                "regions[0].price0: must be <= 100000, got 1000000",
            ),
            (
                "regions.ERCOT.long_run_mean",
                "2e5",
                "regions[0].long_run_mean: must be <= 100000",
            ),
            (
                "regions.ERCOT.escalation",
                "1.5",
                "regions[0].escalation: must be <= 1, got 1.5",
            ),
            (
                "regions.ERCOT.reversion",
                "1e-6",
                "regions[0].reversion: must be >= 0.001",
            ),
            (
                "regions.ERCOT.reversion",
                "1e4",
                "regions[0].reversion: must be <= 1000",
            ),
            (
                "regions.ERCOT.volatility",
                "11",
                "regions[0].volatility: must be <= 10, got 11",
            ),
            (
                "regions.ERCOT.seasonal_amplitude",
                "6",
                "regions[0].seasonal_amplitude: must be <= 5",
            ),
            (
                "regions.ERCOT.jump_mean",
                "700",
                "regions[0].jump_mean: must be <= 5, got 700",
            ),
            (
                "regions.ERCOT.jump_mean",
                "-6",
                "regions[0].jump_mean: must be >= -5, got -6",
            ),
            (
                "regions.ERCOT.jump_std",
                "6",
                "regions[0].jump_std: must be <= 5, got 6",
            ),
            (
                "regions.ERCOT.hedge_price",
                "1e300",
                "regions[0].hedge_price: must be <= 100000",
            ),
            (
                "demand.plan",
                "[[0, 2e6]]",
                "demand.plan[0][1]: must be <= 1e6, got 2000000",
            ),
            (
                "demand.plan",
                "[[1e9, 5]]",
                "demand.plan[0][0]: must be <= 100000",
            ),
            ("demand.drift", "11", "demand.drift: must be <= 10, got 11"),
            (
                "demand.volatility",
                "5",
                "demand.volatility: too wide over the horizon",
            ),
            (
                "demand.bust_size",
                "1e3",
                "demand.bust_size: must be <= 10, got 1000",
            ),
            (
                "cloud.price0",
                "1e300",
                "cloud.price0: must be <= 1e9, got 1e300",
            ),
            ("cloud.drift", "-20", "cloud.drift: must be >= -10, got -20"),
            (
                "cloud.drift",
                "3",
                "cloud.drift: too wide over the horizon: the growth",
            ),
            (
                "cloud.volatility",
                "2",
                "cloud.volatility: too wide over the horizon",
            ),
            (
                "hardware.capex_per_mw",
                "1e300",
                "hardware.capex_per_mw: must be <= 1e10",
            ),
            (
                "hardware.life_years",
                "1e-300",
                "hardware.life_years: must be >= 0.0833",
            ),
            (
                "hardware.price_trend",
                "5",
                "hardware.price_trend: must be <= 1, got 5",
            ),
            (
                "sites[0].capacity_mw",
                "1e300",
                "sites[0].capacity_mw: must be <= 100000",
            ),
            (
                "sites[0].rent_escalator",
                "2",
                "sites[0].rent_escalator: must be <= 1, got 2",
            ),
            (
                "sites[0].pue",
                "1e300",
                "sites[0].pue: must be <= 10, got 1e300",
            ),
            (
                "sites[0].opex_per_kw_month",
                "1e300",
                "sites[0].opex_per_kw_month: must be <= 100000",
            ),
            (
                "sites[0].delay.min",
                "1e300",
                "sites[0].delay.min: must be <= 1200",
            ),
            (
                "tenant.wrong_way",
                "1e300",
                "tenant.wrong_way: must be <= 100, got 1e300",
            ),
            (
                "guarantee.cap",
                "1e300",
                "guarantee.cap: must be <= 1e15, got 1e300",
            ),
            ("discount_rate", "2", "discount_rate: must be <= 1, got 2"),
        ];
        for (key, value, want) in cases {
            refused(&[(key, value)], want);
        }
    }

    /// The bounds over the horizon: volatility, upward drift and jumps that would take a
    /// log-state out of a double's range.
    #[test]
    fn spreads_over_the_horizon_are_bounded() {
        // A region's volatility with slow reversion over a long horizon.
        refused(
            &[
                ("horizon_years", "100"),
                ("regions.ERCOT.reversion", "0.001"),
                ("regions.ERCOT.volatility", "1"),
            ],
            "regions[0].volatility: too wide over the horizon: the log price's standard \
             deviation",
        );
        // The same volatility with the base case's reversion is fine.
        with(&[("horizon_years", "100"), ("regions.ERCOT.volatility", "1")]).unwrap();
        // Frequent large jumps.
        refused(
            &[("regions.ERCOT.jump_rate", "1000")],
            "regions[0].jump_rate: too wide over the horizon: the jump load",
        );
        refused(
            &[("horizon_years", "100"), ("demand.drift", "0.5")],
            "demand.drift: too wide over the horizon: the growth over the horizon, drift x \
             horizon_years, must be <= 30, got 50",
        );
        // A falling cloud price over 100 years is fine (it only goes to zero).
        with(&[("horizon_years", "100"), ("cloud.drift", "-0.35")]).unwrap();
    }

    /// Every field at the end of its range that makes figures largest (and the horizon's
    /// bounds at theirs): the run's metrics and their statistics stay finite.
    #[test]
    fn a_scenario_at_the_bounds_runs_to_finite_figures() {
        let mut sets: Vec<(String, String)> = [
            ("horizon_years", "100"),
            ("discount_rate", "-0.2"),
            ("demand.plan", "[[0, 1e6]]"),
            ("demand.drift", "0.3"),
            ("demand.volatility", "0.4"),
            ("demand.bust_rate", "1e4"),
            ("demand.bust_size", "10"),
            ("cloud.price0", "1e9"),
            ("cloud.drift", "0.3"),
            ("cloud.volatility", "0.4"),
            ("hardware.capex_per_mw", "1e10"),
            ("hardware.life_years", "0.08333333333333334"),
            ("hardware.price_trend", "1"),
            ("tenant.wrong_way", "100"),
            // No tenant default, so every month is summed.
            ("tenant.annual_pd", "0"),
            ("guarantee.cap", "1e15"),
            ("guarantee.max_months", "1200"),
            ("guarantee.relet_months", "1200"),
            ("landlord_default.pre_delivery_delay_months", "1200"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (i, region) in ["ERCOT", "PJM"].into_iter().enumerate() {
            // One slowly reverting region with rare jumps, one fast with frequent ones.
            let (reversion, volatility, rate) = if i == 0 {
                ("0.001", "0.4", "0.002")
            } else {
                ("1000", "10", "24")
            };
            for (field, value) in [
                ("price0", "1e5"),
                ("long_run_mean", "1e5"),
                ("escalation", "1"),
                ("reversion", reversion),
                ("volatility", volatility),
                ("seasonal_amplitude", "5"),
                ("jump_rate", rate),
                ("jump_mean", "5"),
                ("jump_std", "5"),
                ("hedge_fraction", "0.5"),
                ("hedge_price", "1e5"),
            ] {
                sets.push((format!("regions.{region}.{field}"), value.to_string()));
            }
        }
        for site in 0..3 {
            for (field, value) in [
                ("capacity_mw", "1e5"),
                ("rent_per_kw_month", "1e5"),
                ("rent_escalator", "1"),
                ("pue", "10"),
                ("opex_per_kw_month", "1e5"),
                ("planned_delivery", "1100"),
                ("term_years", "100"),
            ] {
                sets.push((format!("sites[{site}].{field}"), value.to_string()));
            }
        }
        let refs: Vec<(&str, &str)> = sets.iter().map(|(k, v)| (&**k, &**v)).collect();
        let scenario = with(&refs).unwrap_or_else(|e| panic!("{e}"));
        let run = simulate(&scenario, &RunConfig::new(256, 3), &NoProgress);
        for m in Metric::ALL {
            let s = run.metric_stat(m);
            let all = [s.mean, s.std, s.stderr, s.min, s.max, s.upper_es_99];
            assert!(all.iter().all(|x| x.is_finite()), "{m:?}: {s:?}");
        }
        // The path with the costliest month: rent alone is about 1e5 MW x 1e8 $/MW x
        // 2^100 a month at the end of a lease, far below a double's range.
        let cost = run.metric_stat(Metric::ProgramCostPv);
        assert!(cost.max > 1e20 && cost.max < 1e150, "{cost:?}");
    }

    /// A file with 200,000 landlords (and as many sites naming them) validates in linear
    /// time. Quadratic look-ups would make 4e10 string comparisons (minutes); the bound
    /// here is generous for a slow machine.
    #[test]
    fn validation_is_linear_in_the_list_lengths() {
        let n = 200_000;
        let mut text = base_text();
        for i in 0..n {
            text.push_str(&format!(
                "\n[[landlords]]\nname = \"L{i}\"\nannual_pd = 0.01\n"
            ));
        }
        let tree = parse_toml(&text).unwrap();
        let mut t = tree.clone();
        // Every site names the last landlord: a linear scan per site would be slow too.
        for site in 0..14 {
            apply_override(
                &mut t,
                &format!("sites[{site}].landlord"),
                Value::Str(format!("L{}", n - 1)),
            )
            .unwrap();
        }
        let s = validate(&t).unwrap();
        assert_eq!(s.landlords.len(), n + 7);
        assert_eq!(s.sites[0].landlord, n + 6);
        // Every landlord duplicated: 200,000 errors, counted, 20 listed.
        let mut dup = tree;
        let Some((_, Value::Array(list))) = dup.iter_mut().find(|(k, _)| k == "landlords") else {
            panic!("landlords")
        };
        let copy = list.clone();
        list.extend(copy);
        let e = validate(&dup).unwrap_err();
        assert_eq!(e.total(), n + 7);
        assert_eq!(e.errors().len(), MAX_LISTED + 1);
        assert!(e.to_string().contains("... and 199,987 more"), "{e}");
    }

    /// Type errors show the value; numbers too large for TOML are said to be out of range.
    #[test]
    fn messages_show_values_and_ranges() {
        refused(
            &[("sites[0].pue", "\"abc\"")],
            "sites[0].pue: expected a number, got the string \"abc\"",
        );
        refused(
            &[("cloud.price0", "true")],
            "cloud.price0: expected a number, got the boolean true",
        );
        refused(
            &[("cloud.price0", "1e400")],
            "cloud.price0: must be a finite number, got inf (out of range",
        );
        refused(
            &[("paths", "99999999999999999999")],
            "paths: must be in 1..=1000000000, got 1e20",
        );
        let text = base_text().replace("seed = 42", "seed = 99999999999999999999");
        let text = if text.contains("seed = 9999") {
            text
        } else {
            format!("seed = 99999999999999999999\n{text}")
        };
        let e = parse_toml(&text).unwrap_err();
        assert!(
            e.contains("the whole number 99999999999999999999 is out of range")
                && !e.contains("i128"),
            "{e}"
        );
        let e = parse_toml("x = 1e400").unwrap_err();
        assert!(
            e.starts_with("line 1: the number 1e400 is out of range"),
            "{e}"
        );
    }

    /// The CLI's `--paths` limit is the file's.
    #[test]
    fn paths_limit_is_shared() {
        assert_eq!(MAX_PATHS, 1_000_000_000);
        assert!(with(&[("paths", "1000000000")]).is_ok());
        refused(
            &[("paths", "1000000001")],
            "paths: must be in 1..=1000000000",
        );
    }
}

/// Hostile part files (issue 16): every truncated, corrupted, foreign or crafted part is
/// refused by the decoder with a message, never a panic, never an allocation the file
/// cannot back; a merge never takes a name that would leave its output folder.
mod part_files {
    use super::*;
    use dcrisk_core::engine::{RunMeta, simulate_part};
    use dcrisk_core::shard::{
        MAX_SHARDS, Partial, PartialHeader, Shard, merge, scenario_hash, seal, unseal,
    };
    use dcrisk_core::summaries::MetricSummaries;

    /// The parts of a small run: `count` shards of `total` paths, per-path or `--sketch`.
    fn parts(total: u64, count: u32, sketch: bool) -> Vec<Partial> {
        (0..count)
            .map(|index| part(total, Shard { index, count }, sketch))
            .collect()
    }

    fn part(total: u64, shard: Shard, sketch: bool) -> Partial {
        let mut s = base();
        s.demand.volatility = 0.4;
        s.landlords[0].annual_pd = 0.2;
        let s = finish(s);
        let config = RunConfig::new(total, 5).with_sketch(sketch);
        Partial {
            header: PartialHeader {
                version: "test".into(),
                scenario_hash: scenario_hash(&s),
                total_paths: total,
                shard,
                meta: RunMeta::new(&s, 5),
            },
            run: simulate_part(&s, &config, shard.paths(total), &NoProgress),
        }
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("part{i}")).collect()
    }

    /// A small deterministic generator (SplitMix64), so every run tries the same cases.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Names that would leave `--out/<name>/` (or replace `--out`) are refused, in the
    /// decoder and in an in-memory merge alike.
    #[test]
    fn names_that_are_not_one_plain_folder_are_refused() {
        let good = parts(2048, 1, false).remove(0);
        for bad in ["", ".", "..", "../../x", "/tmp/abs", "a/b", "a\\b", "x\0y"] {
            let mut p = good.clone();
            p.header.meta.scenario = bad.to_string();
            let err = Partial::decode(&p.encode()).unwrap_err();
            assert!(err.contains("scenario name"), "{bad:?}: {err}");
            let err = merge(vec![p], &names(1)).unwrap_err();
            assert!(err.contains("scenario name"), "{bad:?}: {err}");
        }
        assert_eq!(Partial::decode(&good.encode()).unwrap(), good);
    }

    /// Shard counts of 0 (a division by zero before) and above the bound, and indices at or
    /// past the count, are refused; `paths` never divides by zero nor overflows.
    #[test]
    fn shard_counts_are_bounded_and_never_zero() {
        let good = parts(2048, 1, false).remove(0);
        for (index, count) in [(0, 0), (0, MAX_SHARDS + 1), (0, u32::MAX), (1, 1), (7, 3)] {
            let mut p = good.clone();
            p.header.shard = Shard { index, count };
            let err = Partial::decode(&p.encode()).unwrap_err();
            assert!(err.contains("shard"), "{index}/{count}: {err}");
            let err = merge(vec![p], &names(1)).unwrap_err();
            assert!(err.contains("shard"), "{index}/{count}: {err}");
        }
        assert!(Shard::new(0, 0).is_err() && Shard::new(0, u32::MAX).is_err());
        assert_eq!(Shard { index: 0, count: 0 }.paths(1000), 0..0);
        let last = Shard::new(MAX_SHARDS - 1, MAX_SHARDS).unwrap();
        assert_eq!(last.paths(u64::from(u32::MAX)).end, u64::from(u32::MAX));
        assert_eq!(Shard { index: 8, count: 9 }.paths(u64::MAX).end, u64::MAX);
    }

    /// A refused merge of a run of a million shards lists ten missing numbers, not
    /// 999,999.
    #[test]
    fn missing_shards_are_listed_briefly() {
        let p = part(2048, Shard::new(3, MAX_SHARDS).unwrap(), false);
        let p = Partial::decode(&p.encode()).unwrap();
        let err = merge(vec![p], &names(1)).unwrap_err();
        assert!(
            err.contains(
                "missing shard(s) 0, 1, 2, 4, 5, 6, 7, 8, 9, 10 ... and 999,989 more of 1000000"
            ),
            "{err}"
        );
        assert!(err.len() < 200, "{err}");
    }

    /// Huge length and offset fields, under a valid checksum, are refused before anything
    /// is allocated for them (an allocation of 2^60 bytes would abort the test).
    #[test]
    fn huge_lengths_and_offsets_are_refused() {
        let mut p = parts(2048, 2, true).remove(1);
        // Empty summaries: the payload ends with the last store's offset and length.
        p.run.summaries = Some(MetricSummaries::default());
        let sealed = p.encode();
        let payload = unseal(&sealed).unwrap().to_vec();
        let n = payload.len();
        let craft = |at: usize, value: u64| {
            let mut bytes = payload.clone();
            bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
            Partial::decode(&seal(&bytes))
        };
        assert_eq!(craft(n - 16, 0).unwrap(), p);
        for (at, value, want) in [
            (n - 16, 1 << 32, "bucket range"),
            (n - 16, u64::MAX, "bucket range"),
            (n - 8, 1 << 60, "corrupt length"),
            (n - 8, u64::MAX, "corrupt length"),
            (0, 1 << 60, "corrupt length"),
            (0, u64::MAX, "corrupt length"),
        ] {
            let err = craft(at, value).unwrap_err();
            assert!(err.contains(want), "{value} at {at}: {err}");
        }
        // The header's payload length.
        let mut long = sealed.clone();
        long[16..24].copy_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(Partial::decode(&long).unwrap_err().contains("truncated"));
    }

    /// Other files: too short, foreign, an older format, trailing bytes.
    #[test]
    fn foreign_old_and_extended_files_are_refused() {
        let bytes = parts(2048, 1, false).remove(0).encode();
        for (file, want) in [
            (&b""[..], "truncated"),
            (b"DCRISK", "truncated"),
            (
                b"hello, world, this is not a part",
                "not a dcrisk part file",
            ),
            (b"DCRISK-PARTIAL\n\x01\x05\0\0\0\0\0\0\0", "version 1"),
        ] {
            let err = Partial::decode(file).unwrap_err();
            assert!(err.contains(want), "{file:?}: {err}");
        }
        let mut old = bytes.clone();
        old[15] = 1;
        assert!(Partial::decode(&old).unwrap_err().contains("version 1"));
        let mut extended = bytes.clone();
        extended.push(0);
        assert!(
            Partial::decode(&extended)
                .unwrap_err()
                .contains("past the end")
        );
    }

    /// 1,000 random single-bit flips and 1,000 random truncations of a valid part: every
    /// one is refused (the checksum catches every single-bit flip, the length every cut).
    #[test]
    fn bit_flips_and_truncations_are_all_refused() {
        let bytes = parts(3000, 2, false).remove(1).encode();
        let mut rng = Rng(16);
        for _ in 0..1000 {
            let bit = rng.below(bytes.len() * 8);
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            let err = Partial::decode(&flipped).expect_err("a flipped bit was accepted");
            assert!(!err.is_empty());
        }
        for _ in 0..1000 {
            let cut = rng.below(bytes.len());
            assert!(Partial::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    /// The decoder fuzzed behind a valid checksum (crafted files): thousands of random
    /// mutations of the payload, each resealed. None panics; each part that decodes also
    /// merges with its sibling, or is refused, without a panic, and its statistics compute.
    #[test]
    fn crafted_mutations_never_panic() {
        let mut rng = Rng(42);
        let interesting = [
            0,
            1,
            2,
            12,
            1024,
            1 << 31,
            1 << 32,
            1 << 60,
            u64::MAX,
            u64::MAX - 1,
            u32::MAX as u64,
        ];
        let (mut decoded, mut refused) = (0, 0);
        for sketch in [false, true] {
            let both = parts(1100, 2, sketch);
            let payload = unseal(&both[1].encode()).unwrap().to_vec();
            for case in 0..2500 {
                let mut m = payload.clone();
                // Most cases near the front, where the header, lengths and layout are.
                let span = if case % 2 == 0 {
                    600.min(m.len())
                } else {
                    m.len()
                };
                let at = rng.below(span);
                match rng.below(5) {
                    0 => m[at] ^= 1 << rng.below(8),
                    1 => m[at] = rng.next() as u8,
                    2 => {
                        let at = at.min(m.len() - 8);
                        let v = interesting[rng.below(interesting.len())];
                        m[at..at + 8].copy_from_slice(&v.to_le_bytes());
                    }
                    3 => m.truncate(at),
                    _ => {
                        let n = 1 + rng.below(16);
                        m.drain(at..(at + n).min(m.len()));
                    }
                }
                let outcome = std::panic::catch_unwind(|| match Partial::decode(&seal(&m)) {
                    Ok(p) => {
                        if let Ok(r) = merge(vec![both[0].clone(), p], &names(2)) {
                            let _ = (r.metric_stats(), r.probabilities());
                        }
                        true
                    }
                    Err(_) => false,
                });
                match outcome {
                    Ok(true) => decoded += 1,
                    Ok(false) => refused += 1,
                    Err(_) => panic!("case {case} (sketch {sketch}) panicked"),
                }
            }
        }
        // Both outcomes were exercised: values changed in place decode, layouts do not.
        assert!(
            decoded > 100 && refused > 1000,
            "{decoded} decoded, {refused} refused"
        );
    }
}

/// A merge whose summaries would take more memory than a merge allows is refused before
/// it allocates: two parts whose values, month by month, lie at the two ends of the `f32`
/// range, over many series-months (a crafted pair: a real run keeps its values together).
mod part_memory {
    use dcrisk_core::engine::monthly_series::MonthSink;
    use dcrisk_core::engine::parties::PartyAccumulator;
    use dcrisk_core::engine::party_book::PartyBook;
    use dcrisk_core::engine::series::{BatchSink, Resolution};
    use dcrisk_core::engine::{PartialRun, RunMeta};
    use dcrisk_core::shard::{Partial, PartialHeader, Shard, merge};
    use dcrisk_core::{PathMetrics, SeriesKind, Techniques};

    fn part(index: u32, value: f64) -> Partial {
        let regions = 5;
        let months = 1200;
        let mut series: Vec<(String, SeriesKind)> = (0..regions)
            .map(|r| {
                let region = format!("R{r}");
                (
                    format!("power_price.{region}"),
                    SeriesKind::PowerPrice { region },
                )
            })
            .collect();
        series.extend([
            ("demand_mw".into(), SeriesKind::DemandMw),
            ("capacity_mw".into(), SeriesKind::CapacityMw),
            ("program_cost".into(), SeriesKind::ProgramCost),
            ("cloud_cost".into(), SeriesKind::CloudCost),
            ("guarantor_exposure".into(), SeriesKind::GuarantorExposure),
        ]);
        let resolutions: Vec<Resolution> = series.iter().map(|(_, k)| Resolution::of(k)).collect();
        let mut sink = BatchSink::new(&resolutions, months);
        sink.start_chunk();
        for sign in [1.0, -1.0] {
            for k in 0..series.len() {
                sink.record(k, &vec![sign * value; months]);
            }
            sink.end_path();
        }
        sink.end_chunk();
        let shard = Shard::new(index, 2).unwrap();
        let paths = shard.paths(2048);
        let p = Partial {
            header: PartialHeader {
                version: "test".into(),
                scenario_hash: 1,
                total_paths: 2048,
                shard,
                meta: RunMeta {
                    scenario: "spread".into(),
                    seed: 1,
                    horizon_months: months,
                    start_month: 1,
                    series,
                    techniques: Techniques::default(),
                    control_expectations: vec![0.0; 3],
                    demand_plan: vec![100.0; months],
                },
            },
            run: PartialRun {
                metrics: PathMetrics::zeroed((paths.end - paths.start) as usize),
                paths,
                series: sink.acc,
                summaries: None,
                parties: PartyAccumulator::new(
                    &PartyBook {
                        landlords: vec![("L".into(), 0.01)],
                        tenant_annual_pd: 0.02,
                        rent_prefix: Vec::new(),
                    },
                    months,
                ),
            },
        };
        // A valid part on its own.
        Partial::decode(&p.encode()).unwrap()
    }

    #[test]
    fn merges_past_the_memory_bound_are_refused() {
        let (tiny, huge) = (part(0, 1e-44), part(1, 3e38));
        let err = merge(vec![tiny.clone(), huge], &["a".into(), "b".into()]).unwrap_err();
        assert!(err.contains("more than the 4 GB a merge allows"), "{err}");
        // The same values together merge.
        assert!(merge(vec![tiny, part(1, 2e-44)], &["a".into(), "b".into()]).is_ok());
    }
}

/// The guarantor's exposure percentiles are resolved finely enough to see a 0.1% change
/// (issue 17): every rent 0.1% higher moves each month's PFE 99% by 0.1%, within the
/// documented bound of the fine summaries (docs/MODEL.md 6.3).
mod exposure_precision {
    use dcrisk_core::engine::RunConfig;
    use dcrisk_core::engine::series::Resolution;
    use dcrisk_core::scenario::{Scenario, parse_toml, validate};
    use dcrisk_core::{NoProgress, SeriesKind, simulate};

    fn pfe_99(s: &Scenario) -> Vec<f64> {
        let run = simulate(s, &RunConfig::new(2048, 42), &NoProgress);
        let series = run
            .series
            .iter()
            .find(|x| x.kind == SeriesKind::GuarantorExposure)
            .expect("exposure series");
        series.months.iter().map(|m| m.p99).collect()
    }

    #[test]
    fn a_tenth_of_a_percent_on_every_rent_moves_each_months_pfe_99_by_as_much() {
        let path = format!(
            "{}/../../scenarios/gigawatt-program.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("shipped scenario");
        let mut base = validate(&parse_toml(&text).expect("TOML")).expect("valid");
        // A cap that does not bind, so the exposure is the claim, linear in the rents.
        base.guarantee.cap = 1e15;
        let mut raised = base.clone();
        for site in &mut raised.sites {
            site.rent_per_kw_month *= 1.001;
        }
        let (a, b) = (pfe_99(&base), pfe_99(&raised));
        // Each figure within the bound of its true value; the true values differ by the
        // factor 1.001 (up to rounding far below the bound).
        let bound = 2.0 * Resolution::Fine.relative_error() + 1e-9;
        assert!(Resolution::Fine.relative_error() <= 1e-4);
        let mut checked = 0;
        for (t, (&x, &y)) in a.iter().zip(&b).enumerate() {
            if x > 0.0 {
                let moved = y / x / 1.001 - 1.0;
                assert!(moved.abs() <= bound, "month {t}: {x} -> {y} ({moved:e})");
                checked += 1;
            }
        }
        assert!(checked > a.len() / 2, "only {checked} months with exposure");
    }
}

/// Every party's outcomes (issue 17): `landlords.csv` and `default_curve.csv`.
mod parties {
    use super::*;

    /// Three landlords with a site each, leases past the 5-year horizon, a tenant that
    /// defaults often, and a guarantee whose cap binds on some paths.
    fn three_landlords() -> Scenario {
        let mut s = base();
        s.horizon_years = 5;
        s.discount_rate = 0.08;
        s.tenant.annual_pd = 0.15;
        s.landlord_default.asset_correlation = 0.3;
        s.landlord_default.outage_months = 3;
        s.landlords = [0.05, 0.1, 0.2]
            .iter()
            .enumerate()
            .map(|(i, &pd)| Landlord {
                name: format!("L{i}"),
                annual_pd: pd,
            })
            .collect();
        s.sites = (0..3)
            .map(|i| Site {
                name: format!("S{i}"),
                landlord: i,
                capacity_mw: 10.0 * (i + 1) as f64,
                rent_per_kw_month: 100.0 + 20.0 * i as f64,
                planned_delivery: 6 * i as u32,
                term_years: 8,
                delay: Delay {
                    min: 0.0,
                    mode: 2.0,
                    max: 8.0,
                },
                ..s.sites[0].clone()
            })
            .collect();
        s.guarantee = Guarantee {
            cap: 3e7,
            max_months: 12,
            relet_months: 6,
            relet_fraction: 0.6,
        };
        s
    }

    /// Each landlord's default probability in the horizon is the copula's marginal,
    /// `1 - (1 - p)^(T/12)`, within 5 standard errors, and equals the share of paths the
    /// `landlord_defaults` count implies (its sum over landlords, exactly).
    #[test]
    fn landlord_default_probability_matches_the_closed_form() {
        let n = 6000;
        let r = run(three_landlords(), n);
        let lords = &r.parties.landlords;
        assert_eq!(lords.len(), 3);
        for l in lords {
            let p = 1.0 - (1.0 - l.annual_pd).powf(5.0);
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert_close(l.default_probability, p, 5.0 * se, &l.name);
        }
        let total: f64 = lords.iter().map(|l| l.default_probability).sum();
        assert_close(total, mean(&r, Metric::LandlordDefaults), 1e-12, "sum");
    }

    /// The landlords' mean shortfalls add up to `landlord_shortfall_pv`'s mean (the payout
    /// is split pro rata to the claim, so nothing is lost or counted twice).
    #[test]
    fn shortfall_means_add_up_to_the_metric() {
        let r = run(three_landlords(), 4000);
        let want = mean(&r, Metric::LandlordShortfallPv);
        assert!(want > 1e6, "a test with shortfalls: {want}");
        let got: f64 = r
            .parties
            .landlords
            .iter()
            .map(|l| l.shortfall_pv_mean)
            .sum();
        assert_close(got, want, 1e-9 * want, "sum of landlord shortfall means");
        for l in &r.parties.landlords {
            assert!(l.shortfall_pv_mean > 0.0, "{l:?}");
            assert!(l.shortfall_pv_p95 >= 0.0, "{l:?}");
        }
    }

    /// With one landlord, its shortfall is the metric, path by path: its P95 is the
    /// metric's exact P95 within the summary's 2^-10; without a guarantee it is paid in
    /// full exactly on the paths without a tenant default (leases outlast the horizon);
    /// with a guarantee covering everything, on every path.
    #[test]
    fn one_landlord_is_the_whole_metric() {
        let mut s = three_landlords();
        for site in &mut s.sites {
            site.landlord = 0;
        }
        s.landlords.truncate(1);
        s.guarantee.cap = 0.0;
        let n = 4000;
        let r = run(s.clone(), n);
        let l = &r.parties.landlords[0];
        let mut values = r.metrics.get(Metric::LandlordShortfallPv).to_vec();
        values.sort_by(f64::total_cmp);
        let h = 0.95 * (n - 1) as f64;
        let (i, frac) = (h.floor() as usize, h - h.floor());
        let exact = values[i] + frac * (values[i + 1] - values[i]);
        assert!(exact > 0.0);
        assert_close(l.shortfall_pv_p95, exact, exact / 1024.0, "P95");
        let survives = 1.0 - mean(&r, Metric::TenantDefault);
        assert_eq!(l.paid_in_full_probability, survives);
        s.guarantee = Guarantee {
            cap: 1e15,
            max_months: 1200,
            relet_months: 1200,
            relet_fraction: 0.0,
        };
        let r = run(s, 1000);
        assert_eq!(r.parties.landlords[0].paid_in_full_probability, 1.0);
    }

    /// The tenant's cumulative default curve, without wrong-way risk, is
    /// `1 - (1 - pd)^((t + 1) / 12)` within 5 standard errors each month, rises, and ends
    /// at the `tenant_default` probability exactly.
    #[test]
    fn default_curve_matches_the_closed_form() {
        let mut s = base();
        s.horizon_years = 5;
        s.tenant.annual_pd = 0.1;
        let n = 20_000;
        let r = run(s, n);
        let curve = &r.parties.tenant_default_curve;
        assert_eq!(curve.len(), 60);
        for (t, &got) in curve.iter().enumerate() {
            let p = 1.0 - 0.9f64.powf((t + 1) as f64 / 12.0);
            assert_close(got, p, 5.0 * (p * (1.0 - p) / n as f64).sqrt(), "curve");
        }
        assert!(curve.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(curve[59], mean(&r, Metric::TenantDefault));
        assert_eq!(r.parties.tenant_annual_pd, 0.1);
    }
}
