//! The v2 contract terms (docs/MODEL.md section 8) against their closed forms, money on
//! hand-computed cases, common random numbers with v1, and the new fields' validation.

use super::{assert_close, base, mean, run};
use dcrisk_core::engine::RunConfig;
use dcrisk_core::math::{norm_cdf, norm_ppf};
use dcrisk_core::scenario::*;
use dcrisk_core::{Metric, NoProgress, RunResults, simulate};

/// The base scenario's one site made preliminary.
fn preliminary(s: &mut Scenario, p: f64, month: u32, fee: f64) {
    s.contracts.sites = vec![SiteContract {
        preliminary: Some(Preliminary {
            conversion_probability: p,
            decision_month: month,
            break_fee: fee,
        }),
        min_bill_fraction: 0.0,
        tranches: Vec::new(),
        renewal: None,
    }];
}

/// 8.1: with a demand link, `P(signed) = Phi((Phi^-1(p) + beta mu_Y) / sqrt(1 + beta^2
/// s_Y^2))`, `mu_Y = (mu_D - sigma_D^2/2) m dt`, `s_Y^2 = sigma_D^2 m dt` (no busts).
#[test]
fn conversion_probability_follows_the_demand_link() {
    let (p, beta, m, mu, sigma) = (0.15, 1.5, 24u32, 0.05, 0.4);
    let mut s = base();
    s.horizon_years = 3;
    s.demand.drift = mu;
    s.demand.volatility = sigma;
    s.sites[0].planned_delivery = 30;
    preliminary(&mut s, p, m, 0.0);
    s.contracts.demand_link = beta;
    let n = 40_000;
    let r = run(s, n);
    let t = f64::from(m) / 12.0;
    let (mu_y, var_y) = ((mu - sigma * sigma / 2.0) * t, sigma * sigma * t);
    let want = norm_cdf((norm_ppf(p) + beta * mu_y) / (1.0 + beta * beta * var_y).sqrt());
    let got = mean(&r, Metric::SignedCapacityMw) / 10.0;
    let se = (want * (1.0 - want) / n as f64).sqrt();
    assert_close(got, want, 5.0 * se, "P(signed) with a demand link");
    // Without the link it is p itself, on the same paths.
    assert!((want - p).abs() > 10.0 * se, "the link must matter here");
}

/// 8.1 money: a lease never signed costs its break fee in its decision month and nothing
/// else; one always signed costs no fee and is the v1 lease.
#[test]
fn break_fee_is_paid_in_the_decision_month() {
    let fee = 2.5e6;
    let mut s = base();
    s.discount_rate = 0.08;
    s.sites[0].planned_delivery = 5;
    preliminary(&mut s, 0.0, 3, fee);
    let r = run(s.clone(), 5);
    let df3 = 1.08f64.powf(-4.0 / 12.0);
    assert_close(mean(&r, Metric::BreakFeesPv), fee * df3, 1e-6, "break fee");
    assert_eq!(mean(&r, Metric::SignedCapacityMw), 0.0);
    assert_eq!(mean(&r, Metric::RentPv), 0.0);
    assert_eq!(mean(&r, Metric::PowerCostPv), 0.0);
    assert_eq!(mean(&r, Metric::HardwarePv), 0.0);
    // Demand (5 MW) all served by cloud, plus the fee.
    let overflow = mean(&r, Metric::OverflowCostPv);
    assert_close(
        mean(&r, Metric::ProgramCostPv),
        overflow + fee * df3,
        1e-3,
        "program cost",
    );
    // A tenant that defaults in month 0 pays no fee.
    let mut dead = s.clone();
    dead.tenant.annual_pd = 0.999_999_999;
    assert_eq!(mean(&run(dead, 5), Metric::BreakFeesPv), 0.0);
    // Always signed: the v1 numbers.
    preliminary(&mut s, 1.0, 3, fee);
    let signed = run(s.clone(), 5);
    s.contracts = Contracts::default();
    let v1 = run(s, 5);
    for m in Metric::ALL {
        assert_eq!(signed.metrics.get(m), v1.metrics.get(m), "{}", m.name());
    }
}

/// 8.4 money: 10 MW available, 5 MW used, PUE 1.2, $50/MWh, 12 months undiscounted.
/// A minimum bill of 85% bills 8.5 MW: 8.5 x 1.2 x 730 x 50 = 372,300 a month; a capacity
/// charge of $10/kW-month adds 10 x 1000 x 1.2 x 10 = 120,000. A minimum below the load
/// (30%) bills the load: 219,000.
#[test]
fn capacity_charge_and_take_or_pay_by_hand() {
    let mut s = base();
    s.contracts.sites = vec![SiteContract {
        preliminary: None,
        min_bill_fraction: 0.85,
        tranches: Vec::new(),
        renewal: None,
    }];
    s.contracts.capacity_charge = vec![10.0];
    let r = run(s.clone(), 3);
    let month = 8.5 * 1.2 * 730.0 * 50.0 + 120_000.0;
    assert_close(mean(&r, Metric::PowerCostPv), 12.0 * month, 1e-6, "power");
    let energy_only = 12.0 * 219_000.0;
    s.contracts.sites[0].min_bill_fraction = 0.3;
    s.contracts.capacity_charge = vec![0.0];
    assert_close(
        mean(&run(s, 3), Metric::PowerCostPv),
        energy_only,
        1e-6,
        "minimum below the load",
    );
}

/// 8.2 money: 10 MW in two tranches, 4 MW at month 0 and 6 MW at month 5, 5 MW of
/// demand, a one-year lease and horizon, no discounting. Capacity 4 then 10 MW; rent
/// 0.4 x 1e6 x 12 + 0.6 x 1e6 x 7; opex likewise at 150,000 a month for the whole site;
/// power on 4 MW then 5 MW at 1.2 x 730 x $50; overflow 1 MW x 1.4e6 for five months;
/// hardware per tranche at its own month's price. The guarantee's claim at month 0 owes
/// the tranches' rent: 2 months of 0.4e6 in full, then half of 0.4e6, 0.4e6, 0.4e6, 1e6.
#[test]
fn tranches_by_hand() {
    let mut s = base();
    s.hardware.price_trend = -0.1;
    s.contracts.sites = vec![SiteContract {
        tranches: vec![(0, 0.4), (5, 0.6)],
        ..Default::default()
    }];
    let r = run(s, 3);
    assert_close(
        mean(&r, Metric::RentPv),
        0.4e6 * 12.0 + 0.6e6 * 7.0,
        1e-6,
        "rent",
    );
    assert_close(
        mean(&r, Metric::OpexPv),
        0.4 * 150_000.0 * 12.0 + 0.6 * 150_000.0 * 7.0,
        1e-6,
        "opex",
    );
    let mwh = 1.2 * 730.0 * 50.0;
    assert_close(
        mean(&r, Metric::PowerCostPv),
        4.0 * mwh * 5.0 + 5.0 * mwh * 7.0,
        1e-6,
        "power",
    );
    assert_close(
        mean(&r, Metric::OverflowCostPv),
        1.4e6 * 5.0,
        1e-6,
        "overflow",
    );
    let month = 10.0 * 2.2e7 / 60.0;
    let hardware = 0.4 * month * 12.0 + 0.6 * month * 0.9f64.powf(5.0 / 12.0) * 7.0;
    assert_close(mean(&r, Metric::HardwarePv), hardware, 1e-3, "hardware");
    let capacity = r.series("capacity_mw").expect("capacity series");
    assert_eq!(capacity.months[4].mean, 4.0);
    assert_eq!(capacity.months[5].mean, 10.0);
    let exposure = r.series("guarantor_exposure").expect("exposure series");
    assert_close(
        exposure.months[0].mean,
        2.0 * 0.4e6 + 0.5 * (3.0 * 0.4e6 + 1e6),
        1e-6,
        "claim",
    );
}

/// 8.2 with 8.4: the take-or-pay minimum and the capacity charge follow the delivered
/// fraction. Tranches 0.5 at month 0 and 0.5 at month 6, 2 MW of demand, phi 0.85: the
/// bill is on 4.25 MW for six months, then 8.5 MW; the charge on 5 MW, then 10 MW.
#[test]
fn take_or_pay_follows_the_tranches() {
    let mut s = base();
    s.demand.plan = vec![(0.0, 2.0)];
    s.contracts.sites = vec![SiteContract {
        tranches: vec![(0, 0.5), (6, 0.5)],
        min_bill_fraction: 0.85,
        ..Default::default()
    }];
    s.contracts.capacity_charge = vec![10.0];
    let r = run(s, 3);
    let mwh = 1.2 * 730.0 * 50.0;
    let charge = 1000.0 * 1.2 * 10.0;
    let want = 6.0 * (4.25 * mwh + 5.0 * charge) + 6.0 * (8.5 * mwh + 10.0 * charge);
    assert_close(mean(&r, Metric::PowerCostPv), want, 1e-6, "power");
}

/// The base site renewing at the market rent: a one-year lease from month 0, a horizon of
/// three years, no discounting.
fn renewing(renewal: Renewal, market: MarketRent) -> Scenario {
    let mut s = base();
    s.horizon_years = 3;
    s.contracts.market_rent = Some(market);
    s.contracts.sites = vec![SiteContract {
        renewal: Some(renewal),
        ..Default::default()
    }];
    s
}

fn one_renewal(probability: f64, spread: f64, floor: f64) -> Renewal {
    Renewal {
        terms: 1,
        term_years: 1,
        probability,
        spread,
        floor,
    }
}

/// 8.3: with no floor, the renewal's rent is the market rent at month 12, lognormal with
/// `E[R(12)] = rent0 e^(mu_R)`: rent_pv = 12 x 1e6 + 12 x 10,000 kW x R(12). Renewed months
/// are not owed under the guarantee: the exposure is 0 from month 12 on.
#[test]
fn renewal_rent_follows_the_lognormal_market_rent() {
    let (rent0, mu, sigma) = (120.0, 0.04, 0.3);
    let market = MarketRent {
        rent0,
        drift: mu,
        volatility: sigma,
    };
    let n = 40_000;
    let r = run(renewing(one_renewal(1.0, 0.0, 0.0), market), n);
    let mean_r = rent0 * mu.exp();
    let sd_r = mean_r * (sigma * sigma).exp_m1().sqrt();
    let want = 12e6 + 120_000.0 * mean_r;
    let se = 120_000.0 * sd_r / (n as f64).sqrt();
    assert_close(mean(&r, Metric::RentPv), want, 5.0 * se, "renewal rent");
    let exposure = r.series("guarantor_exposure").expect("exposure");
    assert_eq!(exposure.months[12].mean, 0.0);
    assert!(exposure.months[11].mean > 0.0);
    let capacity = r.series("capacity_mw").expect("capacity");
    assert_eq!(
        (capacity.months[23].mean, capacity.months[24].mean),
        (10.0, 0.0)
    );
}

/// 8.3 with a floor: the first-year rent `max(f r_last, (1 + s) R)` has
/// `E = a + b E[(R - a/b)^+]`, `a = f r_last`, `b = 1 + s`, and Black's formula for the
/// call on the lognormal R.
#[test]
fn renewal_floor_follows_blacks_formula() {
    let (rent0, sigma, f, spread) = (100.0, 0.35, 0.95, 0.05);
    let market = MarketRent {
        rent0,
        drift: 0.0,
        volatility: sigma,
    };
    let n = 40_000;
    let r = run(renewing(one_renewal(1.0, spread, f), market), n);
    let (a, b) = (f * 100.0, 1.0 + spread);
    let (forward, strike) = (rent0, a / b);
    let d1 = ((forward / strike).ln() + sigma * sigma / 2.0) / sigma;
    let call = forward * norm_cdf(d1) - strike * norm_cdf(d1 - sigma);
    let first_rent = a + b * call;
    let want = 12e6 + 120_000.0 * first_rent;
    let v = r.metrics.get(Metric::RentPv);
    let mu = v.iter().sum::<f64>() / n as f64;
    let sd = (v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    assert_close(
        mu,
        want,
        5.0 * sd / (n as f64).sqrt(),
        "floored renewal rent",
    );
    // The floor binds on some paths and not on others.
    let floored = v
        .iter()
        .filter(|&&x| (x - (12e6 + 120_000.0 * a)).abs() < 1e-3)
        .count();
    assert!(
        floored > n as usize / 10 && floored < n as usize * 9 / 10,
        "{floored}"
    );
}

/// 8.3: each renewal happens with probability q while the ones before did: with a flat
/// market rent of 100, rent_pv = 12e6 (1 + 1{first} + 1{second}), so its mean is
/// `12e6 (1 + q + q^2)`.
#[test]
fn renewals_chain_with_their_probability() {
    let q = 0.6;
    let market = MarketRent {
        rent0: 100.0,
        drift: 0.0,
        volatility: 0.0,
    };
    let renewal = Renewal {
        terms: 2,
        ..one_renewal(q, 0.0, 0.0)
    };
    let n = 40_000;
    let r = run(renewing(renewal, market), n);
    let k = r.metrics.get(Metric::RentPv).iter().map(|x| x / 12e6 - 1.0);
    let (mut ones, mut twos) = (0usize, 0usize);
    for x in k {
        assert!(
            x == 0.0 || (x - 1.0).abs() < 1e-9 || (x - 2.0).abs() < 1e-9,
            "{x}"
        );
        ones += usize::from(x > 0.5);
        twos += usize::from(x > 1.5);
    }
    let se = |p: f64| (p * (1.0 - p) / n as f64).sqrt();
    assert_close(ones as f64 / n as f64, q, 5.0 * se(q), "first renewal");
    assert_close(
        twos as f64 / n as f64,
        q * q,
        5.0 * se(q * q),
        "second renewal",
    );
}

/// 8.3: a renewed term is part of the lease for landlord defaults: a default in month s
/// of the first two years (original term, then the renewal at a flat market rent of 100,
/// so 1e6 a month throughout) abates the rent of months `floor(s) .. floor(s) + 3` inside
/// the two years. `P(floor(12 tau) = k) = e^(-l k/12) - e^(-l (k+1)/12)`.
#[test]
fn landlord_default_in_a_renewal_is_an_outage() {
    let pd = 0.3;
    let market = MarketRent {
        rent0: 100.0,
        drift: 0.0,
        volatility: 0.0,
    };
    let mut s = renewing(one_renewal(1.0, 0.0, 0.0), market);
    s.landlords[0].annual_pd = pd;
    s.landlord_default.outage_months = 3;
    let n = 40_000;
    let r = run(s, n);
    let l = -((1.0f64 - pd).ln());
    let p = |k: usize| (-l * k as f64 / 12.0).exp() - (-l * (k + 1) as f64 / 12.0).exp();
    let lost = |k: usize| 1e6 * 3.0f64.min((24 - k) as f64);
    let ev: f64 = 24e6 - (0..24).map(|k| p(k) * lost(k)).sum::<f64>();
    let e2: f64 = (0..24)
        .map(|k| p(k) * (24e6 - lost(k)).powi(2))
        .sum::<f64>()
        + (1.0 - (0..24).map(p).sum::<f64>()) * 24e6f64.powi(2);
    let se = ((e2 - ev * ev) / n as f64).sqrt();
    assert_close(mean(&r, Metric::RentPv), ev, 5.0 * se, "rent with outages");
    // Were renewals out of the landlord's reach, only the first year's outages would
    // count: a mean the test tells apart.
    let first_year: f64 = 24e6
        - (0..12)
            .map(|k| p(k) * 1e6 * 3.0f64.min((12 - k) as f64))
            .sum::<f64>();
    assert!(
        (first_year - ev).abs() > 20.0 * se,
        "{first_year} {ev} {se}"
    );
}

/// The deterministic lease's claim at a default in month t (as in the v1 test
/// `expected_payout_matches_default_timing`): 6 months covered, 2 in full, then half.
fn claim(t: usize) -> f64 {
    (t..t + 6)
        .filter(|&u| u < 12)
        .map(|u| if u < t + 2 { 1e6 } else { 0.5e6 })
        .sum()
}

/// 8.5 with rho_G = 0: `E[payout] = E[payout_v1 (1 - p_G)^(tau_T/12)]`, and
/// `P(guarantee fails) = E[1{tau_T < T} (1 - (1 - p_G)^(tau_T/12))]`; on each path the
/// payout is v1's or nothing (the same tenant default).
#[test]
fn guarantor_default_scales_the_payout_by_its_survival() {
    let (pd, pg) = (0.3, 0.25);
    let mut s = base();
    s.tenant.annual_pd = pd;
    let v1 = run(s.clone(), 50_000);
    s.contracts.guarantor = Guarantor {
        annual_pd: pg,
        correlation: 0.0,
    };
    let n = 50_000;
    let r = run(s, n);
    let l = -((1.0f64 - pd).ln()) / 12.0;
    let p_tau = |t: usize| (-(t as f64) * l).exp() - (-((t + 1) as f64) * l).exp();
    let survive = |t: usize| (1.0 - pg).powf(t as f64 / 12.0);
    let ev: f64 = (0..12).map(|t| p_tau(t) * claim(t) * survive(t)).sum();
    let e2: f64 = (0..12)
        .map(|t| p_tau(t) * claim(t).powi(2) * survive(t))
        .sum();
    let se = ((e2 - ev * ev) / n as f64).sqrt();
    assert_close(mean(&r, Metric::GuarantorPayoutPv), ev, 5.0 * se, "payout");
    let fails: f64 = (0..12).map(|t| p_tau(t) * (1.0 - survive(t))).sum();
    let got = r.probabilities().guarantee_fails;
    let se = (fails * (1.0 - fails) / n as f64).sqrt();
    assert_close(got, fails, 5.0 * se, "P(guarantee fails)");
    // Path by path: v1's payout, or none with the loss moved to the landlords.
    let (pay, pay1) = (
        r.metrics.get(Metric::GuarantorPayoutPv),
        v1.metrics.get(Metric::GuarantorPayoutPv),
    );
    let (short, short1) = (
        r.metrics.get(Metric::LandlordShortfallPv),
        v1.metrics.get(Metric::LandlordShortfallPv),
    );
    for i in 0..n as usize {
        assert!(pay[i] == pay1[i] || pay[i] == 0.0, "path {i}");
        assert_close(short[i] + pay[i], short1[i] + pay1[i], 1e-6, "loss");
    }
}

/// 8.5 with rho_G > 0 ties the guarantor to the landlords: with landlords and guarantor
/// both loading on M, the guarantor fails more often on paths where landlords default.
#[test]
fn guarantor_correlation_ties_it_to_the_landlords() {
    let share = |rho: f64| {
        let mut s = base();
        s.tenant.annual_pd = 0.5;
        s.landlords[0].annual_pd = 0.2;
        s.landlord_default.asset_correlation = 0.5;
        s.contracts.guarantor = Guarantor {
            annual_pd: 0.2,
            correlation: rho,
        };
        let r = run(s, 20_000);
        let fails = r.metrics.get(Metric::GuaranteeFails);
        let landlord = r.metrics.get(Metric::LandlordDefaults);
        let both = fails
            .iter()
            .zip(landlord)
            .filter(|(f, l)| **f > 0.0 && **l > 0.0)
            .count();
        both as f64 / fails.iter().filter(|f| **f > 0.0).count() as f64
    };
    let (independent, tied) = (share(0.0), share(0.8));
    assert!(
        tied > independent + 0.1,
        "P(landlord default | guarantee fails): {independent} at rho_G 0, {tied} at 0.8"
    );
}

/// Section 10's fair fee, exactly in a constant-hazard case: `P(tau_T > t) =
/// e^(-(t+1) l)`, so `E[sum_{t < min(tau_T, T)} df(t)] = sum_t df(t) e^(-(t+1) l)` and
/// `E[payout_pv] = sum_t P(tau_T = t) min(cap, G(t)) df(t)`.
#[test]
fn fair_fee_in_a_constant_hazard_case() {
    let (pd, cap, rate) = (0.2, 3e6, 0.06);
    let mut s = base();
    s.tenant.annual_pd = pd;
    s.discount_rate = rate;
    s.guarantee.cap = cap;
    let n = 60_000;
    let r = run(s, n);
    let l = -((1.0f64 - pd).ln()) / 12.0;
    let df = |t: usize| (1.0 + rate).powf(-((t + 1) as f64) / 12.0);
    let p_tau = |t: usize| (-(t as f64) * l).exp() - (-((t + 1) as f64) * l).exp();
    // The claim in month-t dollars, discounted within its window.
    let g = |t: usize| -> f64 {
        let owed: f64 = (t..t + 6)
            .filter(|&u| u < 12)
            .map(|u| if u < t + 2 { 1e6 } else { 0.5e6 } * df(u))
            .sum();
        cap.min(owed / df(t))
    };
    let payout: f64 = (0..12).map(|t| p_tau(t) * g(t) * df(t)).sum();
    let annuity: f64 = (0..12).map(|t| df(t) * (-((t + 1) as f64) * l).exp()).sum();
    let want = 1e4 * 12.0 * payout / (cap * annuity);
    // Tolerance: the payout's and the base's relative standard errors.
    let rel_se = |m: Metric| {
        let v = r.metrics.get(m);
        let mu = v.iter().sum::<f64>() / n as f64;
        let var = v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64;
        (var / n as f64).sqrt() / mu
    };
    let tol = 5.0 * want * (rel_se(Metric::GuarantorPayoutPv) + rel_se(Metric::FeeBasePv));
    assert_close(r.fair_fee_bps(), want, tol, "fair fee, bps");
    // No cap, no fee.
    let mut none = base();
    none.tenant.annual_pd = pd;
    none.guarantee.cap = 0.0;
    assert_eq!(run(none, 100).fair_fee_bps(), 0.0);
}

/// The shipped base case, its sites with the given contract terms.
fn shipped_with(terms: SiteContract, charge: f64, guarantor: Guarantor, link: f64) -> Scenario {
    let path = format!(
        "{}/../../scenarios/gigawatt-program.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("shipped scenario");
    let mut s = validate(&parse_toml(&text).expect("TOML")).expect("valid");
    s.contracts = Contracts {
        demand_link: link,
        capacity_charge: vec![charge; s.regions.len()],
        sites: vec![terms; s.sites.len()],
        guarantor,
        market_rent: None,
    };
    s
}

/// The market rent of the renewal variants: on the CBRE 2025 level, with some drift.
const MARKET: MarketRent = MarketRent {
    rent0: 195.0,
    drift: 0.02,
    volatility: 0.15,
};

fn shipped_run(s: &Scenario) -> RunResults {
    simulate(s, &RunConfig::new(400, 11), &NoProgress)
}

/// The scenario's correlation with the market rent's factor added last, correlated 0.3
/// with demand (so its Cholesky row mixes v1 factors: their shocks must not change).
fn with_market_factor(mut s: Scenario) -> Scenario {
    let n = s.factors();
    let old = n - 1;
    let mut c = vec![0.0; n * n];
    for i in 0..old {
        for j in 0..old {
            c[i * n + j] = s.correlation[i * old + j];
        }
    }
    c[(n - 1) * n + (n - 1)] = 1.0;
    let demand = s.regions.len();
    c[(n - 1) * n + demand] = 0.3;
    c[demand * n + (n - 1)] = 0.3;
    s.cholesky = cholesky(&c, n).expect("a valid correlation");
    s.correlation = c;
    s
}

/// Common random numbers: v2 terms that change nothing (every lease preliminary with
/// p = 1, no charges, a guarantor that cannot fail) give v1's per-path metrics bit for
/// bit; with the terms on, every v1 driver is unchanged path by path.
#[test]
fn v2_variants_share_every_v1_draw() {
    let v1 = {
        let mut s = shipped_with(SiteContract::default(), 0.0, Guarantor::default(), 0.0);
        s.contracts = Contracts::default();
        shipped_run(&s)
    };
    let sure = SiteContract {
        preliminary: Some(Preliminary {
            conversion_probability: 1.0,
            decision_month: 0,
            break_fee: 1e6,
        }),
        min_bill_fraction: 0.0,
        tranches: vec![(0, 1.0)],
        renewal: None,
    };
    let mut trivial = shipped_with(sure, 0.0, Guarantor::default(), 2.0);
    // A market rent (a correlation factor after the v1 ones) and renewals that never
    // happen.
    trivial.contracts.market_rent = Some(MARKET);
    for site in &mut trivial.contracts.sites {
        site.renewal = Some(Renewal {
            terms: 2,
            term_years: 5,
            probability: 0.0,
            spread: 0.0,
            floor: 1.0,
        });
    }
    let trivial = shipped_run(&with_market_factor(trivial));
    for m in Metric::ALL {
        assert_eq!(trivial.metrics.get(m), v1.metrics.get(m), "{}", m.name());
    }
    let live = SiteContract {
        preliminary: Some(Preliminary {
            conversion_probability: 0.6,
            decision_month: 0,
            break_fee: 1e6,
        }),
        min_bill_fraction: 0.85,
        tranches: vec![(0, 0.3), (4, 0.7)],
        renewal: None,
    };
    let guarantor = Guarantor {
        annual_pd: 0.05,
        correlation: 0.3,
    };
    let mut on = shipped_with(live, 10.0, guarantor, 1.0);
    on.contracts.market_rent = Some(MARKET);
    for site in &mut on.contracts.sites {
        site.renewal = Some(Renewal {
            terms: 1,
            term_years: 5,
            probability: 0.8,
            spread: 0.05,
            floor: 0.9,
        });
    }
    let on = shipped_run(&with_market_factor(on));
    for m in [
        Metric::CloudCostPv,
        Metric::LandlordDefaults,
        Metric::TenantDefault,
    ] {
        assert_eq!(on.metrics.get(m), v1.metrics.get(m), "{}", m.name());
    }
    // The demand, power and cloud series' means are path sums of unchanged draws.
    for name in ["demand_mw", "power_price.ERCOT"] {
        let (a, b) = (on.series(name).unwrap(), v1.series(name).unwrap());
        assert_eq!(a.months, b.months, "{name}");
    }
    // And the terms did act.
    assert!(mean(&on, Metric::SignedCapacityMw) < mean(&v1, Metric::SignedCapacityMw));
    assert!(mean(&on, Metric::BreakFeesPv) > 0.0);
}

/// The thread count changes no bit of a v2 run either.
#[test]
fn v2_runs_are_thread_independent() {
    let live = SiteContract {
        preliminary: Some(Preliminary {
            conversion_probability: 0.5,
            decision_month: 0,
            break_fee: 1e6,
        }),
        min_bill_fraction: 0.85,
        tranches: Vec::new(),
        renewal: None,
    };
    let g = Guarantor {
        annual_pd: 0.05,
        correlation: 0.3,
    };
    let s = shipped_with(live, 10.0, g, 1.0);
    let with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| shipped_run(&s))
    };
    assert_eq!(with(1).metrics, with(2).metrics);
}

/// Validation: every new field named with its value, and the rules between fields.
#[test]
fn contract_fields_are_validated() {
    let text = std::fs::read_to_string(format!(
        "{}/../../scenarios/gigawatt-program.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("shipped scenario");
    let with_text = |text: &str, sets: &[(&str, &str)]| {
        let mut t = parse_toml(text).expect("TOML");
        for (key, value) in sets {
            apply_override(&mut t, key, parse_value(value)).expect("a key");
        }
        validate(&t)
    };
    let with = |sets: &[(&str, &str)]| with_text(&text, sets);
    let refused = |sets: &[(&str, &str)], want: &[&str]| {
        let text = with(sets)
            .expect_err(&format!("{sets:?} should be refused"))
            .to_string();
        for w in want {
            assert!(text.contains(w), "{sets:?}: expected {w:?} in:\n{text}");
        }
    };
    let prelim = [
        ("sites[0].status", "\"preliminary\""),
        ("sites[0].conversion_probability", "0.5"),
    ];
    let with_prelim = |extra: &[(&'static str, &'static str)]| {
        let mut v: Vec<(&str, &str)> = prelim.to_vec();
        v.extend_from_slice(extra);
        v
    };
    refused(
        &[("sites[0].status", "\"maybe\"")],
        &["sites[0].status", "\"maybe\""],
    );
    // One problem, one error: no follow-on errors from a placeholder.
    let errors = |sets: &[(&str, &str)]| match with(sets) {
        Err(ScenarioError::Invalid(list)) => list.len(),
        other => panic!("{sets:?} should be refused: {other:?}"),
    };
    let maybe_with_fields = [
        ("sites[0].status", "\"maybe\""),
        ("sites[0].conversion_probability", "0.5"),
        ("sites[0].decision_month", "2"),
    ];
    assert_eq!(errors(&maybe_with_fields), 1);
    assert_eq!(errors(&[("sites[0].tranches", "[[0]]")]), 1);
    assert_eq!(
        errors(&[("sites[0].tranches", "[[0, 0.5], [99999999999, 0.5]]")]),
        1
    );
    refused(&with_prelim(&[]), &["sites[0].decision_month", "missing"]);
    refused(
        &with_prelim(&[("sites[0].decision_month", "7")]),
        &["sites[0].decision_month", "planned_delivery (6)", "got 7"],
    );
    refused(
        &with_prelim(&[
            ("sites[0].decision_month", "2"),
            ("sites[0].conversion_probability", "1.5"),
        ]),
        &["sites[0].conversion_probability", "1.5"],
    );
    refused(
        &with_prelim(&[
            ("sites[0].decision_month", "2"),
            ("sites[0].break_fee", "-1"),
        ]),
        &["sites[0].break_fee", "-1"],
    );
    refused(
        &[("sites[1].conversion_probability", "0.5")],
        &["sites[1].conversion_probability", "only for a preliminary"],
    );
    refused(
        &[("sites[0].tranches", "[[1, 1.0]]")],
        &[
            "sites[0].tranches[0][0]",
            "first tranche's offset must be 0",
        ],
    );
    refused(
        &[("sites[0].tranches", "[[0, 0.5], [0, 0.5]]")],
        &["sites[0].tranches[1][0]", "must increase"],
    );
    refused(
        &[("sites[0].tranches", "[[0, 0.5], [6, 0.4]]")],
        &["sites[0].tranches", "sum to 1, got 0.9"],
    );
    refused(
        &[("sites[0].tranches", "[[0, 0.5], [180, 0.5]]")],
        &[
            "sites[0].tranches[1][0]",
            "< 12 x term_years (180)",
            "got 180",
        ],
    );
    refused(
        &[("sites[0].tranches", "[[0, 0.0], [6, 1.0]]")],
        &["sites[0].tranches[0][1]", "got 0"],
    );
    refused(
        &[("sites[0].tranches", "[[0, 1.0, 3]]")],
        &["sites[0].tranches[0]", "got 3 values"],
    );
    refused(
        &[("sites[0].renewal", "{ terms = 1, term_years = 5 }")],
        &["sites[0].renewal", "needs a [market_rent] table"],
    );
    let market = format!("{text}\n[market_rent]\nrent0 = 195.0\ndrift = 0.02\nvolatility = 0.15\n");
    let refused_with_market = |sets: &[(&str, &str)], want: &[&str]| {
        let got = with_text(&market, sets).expect_err("refused").to_string();
        for w in want {
            assert!(got.contains(w), "{sets:?}: expected {w:?} in:\n{got}");
        }
    };
    refused_with_market(
        &[("sites[0].renewal", "{ terms = 1, term_years = 0 }")],
        &["sites[0].renewal.term_years", "got 0"],
    );
    refused_with_market(
        &[(
            "sites[0].renewal",
            "{ terms = 1, term_years = 5, probability = 2 }",
        )],
        &["sites[0].renewal.probability", "got 2"],
    );
    refused_with_market(
        &[(
            "sites[0].renewal",
            "{ terms = 1, term_years = 5, spred = 0.1 }",
        )],
        &["sites[0].renewal.spred", "spread"],
    );
    refused_with_market(
        &[("market_rent.rent0", "0")],
        &["market_rent.rent0", "got 0"],
    );
    refused_with_market(
        &[("market_rent.volatility", "3")],
        &["market_rent.volatility", "too wide over the horizon"],
    );
    // The factor exists only with the table.
    refused(
        &[("correlation.pairs", "[[\"market_rent\", \"demand\", 0.3]]")],
        &["unknown factor \"market_rent\""],
    );
    let renewing = with_text(
        &market,
        &[
            (
                "sites[0].renewal",
                "{ terms = 2, term_years = 5, floor = 0.9 }",
            ),
            ("correlation.pairs", "[[\"market_rent\", \"demand\", 0.3]]"),
        ],
    )
    .expect("valid");
    assert_eq!(renewing.factors(), renewing.regions.len() + 3);
    assert_eq!(
        renewing
            .contracts
            .site(0)
            .renewal
            .map(|r| (r.terms, r.probability, r.floor)),
        Some((2, 1.0, 0.9))
    );
    refused(
        &[("sites[0].min_bill_fraction", "1.2")],
        &["sites[0].min_bill_fraction", "1.2"],
    );
    refused(
        &[("regions[0].capacity_charge", "-3")],
        &["regions[0].capacity_charge", "-3"],
    );
    refused(
        &[("guarantee.guarantor_annual_pd", "1")],
        &["guarantee.guarantor_annual_pd", "got 1"],
    );
    refused(
        &[("guarantee.guarantor_correlation", "1")],
        &["guarantee.guarantor_correlation", "got 1"],
    );
    let typo = with_text(&format!("{text}\n[conversion]\ndemand_lnk = 1\n"), &[])
        .expect_err("a typo")
        .to_string();
    assert!(
        typo.contains("conversion.demand_lnk") && typo.contains("demand_link"),
        "{typo}"
    );
    let linked = format!("{text}\n[conversion]\ndemand_link = 1.5\n");
    // And a valid set is read as given.
    let s = with_text(
        &linked,
        &with_prelim(&[
            ("sites[0].decision_month", "2"),
            ("sites[0].break_fee", "3e6"),
            ("regions[1].capacity_charge", "9.9"),
            ("guarantee.guarantor_annual_pd", "0.0004"),
        ]),
    )
    .expect("valid");
    let p = s.contracts.site(0).preliminary.expect("preliminary");
    assert_eq!(
        (p.conversion_probability, p.decision_month, p.break_fee),
        (0.5, 2, 3e6)
    );
    assert_eq!(s.contracts.demand_link, 1.5);
    assert_eq!(s.contracts.capacity_charge(1), 9.9);
    assert_eq!(s.contracts.guarantor.annual_pd, 0.0004);
}
