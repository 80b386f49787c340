//! Uncertain inputs against closed forms: each family's sampler against its mean and
//! variance, the sensitivity estimators on functions whose indices are known, the
//! two-level run on deterministic scenarios where a metric is linear in, or the product
//! of, its inputs, and the common-random-numbers promise (an outer sample is a plain run
//! of its scenario, bit for bit, on any thread count).

use dcrisk_core::engine::RunConfig;
use dcrisk_core::scenario::{Value, parse_toml, parse_value};
use dcrisk_core::uncertain::drivers::{
    bins_for, first_order_given_data, first_order_interval, jansen, jansen_intervals, spearman,
};
use dcrisk_core::uncertain::sampling::{design, saltelli};
use dcrisk_core::uncertain::*;
use dcrisk_core::{Metric, NoProgress, simulate};

/// A deterministic program: no volatility, jumps, busts, delays or defaults; two
/// identical sites whose fields `{r1}`, `{r2}`, `{c1}` the tests fill in.
const DETERMINISTIC: &str = r#"
name = "det"
horizon_years = 2
discount_rate = 0.05
[[regions]]
name = "R"
price0 = 50.0
long_run_mean = 50.0
escalation = 0.0
reversion = 2.0
volatility = 0.0
seasonal_amplitude = 0.0
peak_month = 1
jump_rate = 0.0
jump_mean = 0.0
jump_std = 0.0
hedge_fraction = 0.0
hedge_price = 0.0
[demand]
plan = [[0, 15.0]]
drift = 0.0
volatility = 0.0
bust_rate = 0.0
bust_size = 0.0
[cloud]
price0 = 1.4e6
drift = 0.0
volatility = 0.0
[hardware]
capex_per_mw = 2.2e7
life_years = 5
price_trend = 0.0
[[landlords]]
name = "L"
annual_pd = 0.0
[landlord_default]
asset_correlation = 0.0
pre_delivery_delay_months = 0
outage_months = 0
[[sites]]
name = "A"
region = "R"
landlord = "L"
capacity_mw = {c1}
rent_per_kw_month = {r1}
rent_escalator = 0.0
planned_delivery = 0
term_years = 2
pue = 1.2
opex_per_kw_month = 15.0
delay = { min = 0, mode = 0, max = 0 }
[[sites]]
name = "B"
region = "R"
landlord = "L"
capacity_mw = 10.0
rent_per_kw_month = {r2}
rent_escalator = 0.0
planned_delivery = 0
term_years = 2
pue = 1.2
opex_per_kw_month = 15.0
delay = { min = 0, mode = 0, max = 0 }
[tenant]
annual_pd = 0.0
wrong_way = 0.0
[guarantee]
cap = 0.0
max_months = 0
relet_months = 0
relet_fraction = 0.0
"#;

fn deterministic(c1: &str, r1: &str, r2: &str) -> UncertainScenario {
    let text = DETERMINISTIC
        .replace("{c1}", c1)
        .replace("{r1}", r1)
        .replace("{r2}", r2);
    UncertainScenario::from_tree(&parse_toml(&text).unwrap()).unwrap()
}

fn dist(text: &str) -> Distribution {
    match parse_value(text) {
        Value::Table(t) => Distribution::parse(&t).unwrap(),
        other => panic!("{other:?}"),
    }
}

/// Sample mean and (n - 1) variance, and the fourth central moment.
fn moments(x: &[f64]) -> (f64, f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = x.iter().map(|a| (a - m).powi(4)).sum::<f64>() / n;
    (m, v, m4)
}

/// Every family sampled by inversion (plain Monte Carlo and Latin hypercube) matches its
/// closed-form mean and variance within 5 standard errors (the variance's from the
/// sample's fourth moment).
#[test]
fn samplers_match_their_means_and_variances() {
    let families = [
        r#"{ dist = "uniform", min = 120, max = 175 }"#,
        r#"{ dist = "triangular", min = 1.0, mode = 1.1, max = 1.6 }"#,
        r#"{ dist = "pert", min = 120, mode = 140, max = 175 }"#,
        r#"{ dist = "pert", min = 0, mode = 0, max = 1 }"#,
        r#"{ dist = "normal", mean = 0.05, sd = 0.02 }"#,
        r#"{ dist = "lognormal", mean = 1.4e6, sd = 4e5 }"#,
        r#"{ dist = "discrete", values = [6, 12, 24], weights = [0.5, 0.3, 0.2] }"#,
    ];
    let n = 40_000;
    for text in families {
        let d = dist(text);
        let (mean, var) = d.moments();
        for sampling in [Sampling::MonteCarlo, Sampling::LatinHypercube] {
            let x: Vec<f64> = design(sampling, n, 1, 3)
                .iter()
                .map(|u| d.quantile(u[0]))
                .collect();
            let (m, v, m4) = moments(&x);
            let se_mean = (var / n as f64).sqrt();
            let se_var = ((m4 - v * v) / n as f64).sqrt();
            assert!(
                (m - mean).abs() <= 5.0 * se_mean,
                "{text} {sampling:?}: mean {m} vs {mean}"
            );
            assert!(
                (v - var).abs() <= 5.0 * se_var,
                "{text} {sampling:?}: var {v} vs {var}"
            );
        }
    }
    // A uniform on an integer field takes each whole number min..=max equally often.
    let d = dist(r#"{ dist = "uniform", min = 1, max = 4 }"#);
    let mut counts = [0usize; 4];
    for u in design(Sampling::LatinHypercube, 400, 1, 5) {
        counts[d.integer_quantile(u[0]) as usize - 1] += 1;
    }
    assert_eq!(counts, [100; 4]);
    assert_eq!(d.integer_moments(), (2.5, 15.0 / 12.0));
}

/// Uniform inputs on [0, 1) from a design of `n` rows (or a Saltelli design).
fn columns(rows: &[Vec<f64>], j: usize) -> Vec<f64> {
    rows.iter().map(|r| r[j]).collect()
}

/// `Y = sum a_i X_i` with independent uniforms: `S_i = T_i = a_i^2 / sum a_j^2`; Jansen's
/// estimators on a Saltelli design and the given-data estimator agree within a few
/// hundredths at 8,192 samples, and the bootstrap intervals contain the truth.
#[test]
fn linear_model_indices() {
    let a = [1.0, 2.0, 3.0];
    let truth: Vec<f64> = a.iter().map(|x| x * x / 14.0).collect();
    let f = |r: &Vec<f64>| a.iter().zip(r).map(|(c, x)| c * x).sum::<f64>() + 5.0;
    let base = 8192;
    let rows = saltelli(Sampling::LatinHypercube, base, 3, 21);
    let y: Vec<f64> = rows.iter().map(f).collect();
    let block = |b: usize| y[b * base..(b + 1) * base].to_vec();
    for (i, &want) in truth.iter().enumerate() {
        let (s, t) = jansen(&block(0), &block(1), &block(2 + i));
        assert!((s - want).abs() < 0.03, "S{i} {s} vs {}", want);
        assert!((t - want).abs() < 0.03, "T{i} {t} vs {}", want);
        let (si, ti) = jansen_intervals(
            &block(0)[..1024],
            &block(1)[..1024],
            &block(2 + i)[..1024],
            1,
            i as u64,
        );
        assert!(si.lo <= want && want <= si.hi, "{si:?} vs {}", want);
        assert!(ti.lo <= want && want <= ti.hi, "{ti:?} vs {}", want);
        let x = columns(&rows[..2 * base], i);
        let g = first_order_given_data(&x, &y[..2 * base], bins_for(2 * base));
        assert!((g - want).abs() < 0.03, "given-data S{i} {g} vs {}", want);
        let gi = first_order_interval(&x[..1024], &y[..1024], 2, i as u64);
        assert!(gi.lo <= want && want <= gi.hi, "{gi:?} vs {}", want);
        assert!(gi.lo <= gi.estimate && gi.estimate <= gi.hi);
    }
    // Spearman of a monotone function of one input is 1.
    let x = columns(&rows[..100], 0);
    let y: Vec<f64> = x.iter().map(|v| v.powi(3)).collect();
    assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
}

/// The indices of `Y = X1 X2` for independent uniforms with means `m` and variances `v`:
/// `Var Y = E[X1^2] E[X2^2] - m1^2 m2^2`, `S_1 = m2^2 v1 / Var Y`,
/// `T_1 = E[X2^2] v1 / Var Y` (and symmetrically).
fn product_indices(m: [f64; 2], v: [f64; 2]) -> ([f64; 2], [f64; 2]) {
    let e2 = [v[0] + m[0] * m[0], v[1] + m[1] * m[1]];
    let var = e2[0] * e2[1] - (m[0] * m[1]).powi(2);
    (
        [m[1] * m[1] * v[0] / var, m[0] * m[0] * v[1] / var],
        [e2[1] * v[0] / var, e2[0] * v[1] / var],
    )
}

/// A site's rent PV is its capacity times its rent times a fixed annuity: with both
/// uncertain, the run's indices are those of a product; the engine sees no other
/// randomness (every process deterministic). Jansen's first-order estimator is the
/// noisier: 2,048 base samples bring both within 0.04.
#[test]
fn product_of_two_inputs_through_the_engine() {
    let u = deterministic(
        r#"{ dist = "uniform", min = 5, max = 15 }"#,
        r#"{ dist = "uniform", min = 100, max = 300 }"#,
        "0.0",
    );
    let plan = Plan {
        samples: 2048,
        sampling: Sampling::LatinHypercube,
        sobol: true,
    };
    let values = plan.values(&u, 8);
    let scenarios: Vec<_> = values.iter().map(|v| u.scenario_at(v).unwrap()).collect();
    let run = run_outer(&scenarios, &RunConfig::new(2, 1), &NoProgress);
    let rows = driver_rows(&plan, &values, &run.samples, 8);
    let (s, t) = product_indices([10.0, 200.0], [100.0 / 12.0, 40_000.0 / 12.0]);
    for (i, key) in ["sites[0].capacity_mw", "sites[0].rent_per_kw_month"]
        .iter()
        .enumerate()
    {
        assert_eq!(&u.inputs[i].key, key);
        let row = rows
            .iter()
            .find(|r| r.input == i && r.metric == Metric::RentPv)
            .unwrap();
        let total = row.total.unwrap();
        assert!(
            (row.first_order.estimate - s[i]).abs() < 0.06,
            "{row:?} vs S {}",
            s[i]
        );
        assert!(
            (total.estimate - t[i]).abs() < 0.06,
            "{row:?} vs T {}",
            t[i]
        );
        assert!(
            row.first_order.lo <= s[i] && s[i] <= row.first_order.hi,
            "{row:?}"
        );
        assert!(total.lo <= t[i] && t[i] <= total.hi, "{row:?}");
    }
}

/// Rent PV is linear in the two sites' rents with equal weights (identical sites):
/// `S_i = T_i = Var(r_i) / (Var(r_1) + Var(r_2))`, here 0.2 and 0.8, by both estimators.
#[test]
fn linear_in_two_rents_through_the_engine() {
    let u = deterministic(
        "10.0",
        r#"{ dist = "uniform", min = 100, max = 200 }"#,
        r#"{ dist = "uniform", min = 100, max = 300 }"#,
    );
    let truth = [0.2, 0.8];
    for sobol in [false, true] {
        let plan = Plan {
            samples: 512,
            sampling: Sampling::LatinHypercube,
            sobol,
        };
        let values = plan.values(&u, 3);
        let scenarios: Vec<_> = values.iter().map(|v| u.scenario_at(v).unwrap()).collect();
        let run = run_outer(&scenarios, &RunConfig::new(2, 1), &NoProgress);
        for row in driver_rows(&plan, &values, &run.samples, 3)
            .iter()
            .filter(|r| r.metric == Metric::RentPv)
        {
            let want = truth[row.input];
            assert!(
                (row.first_order.estimate - want).abs() < 0.05,
                "{sobol}: {row:?}"
            );
            assert!(
                row.first_order.lo <= want && want <= row.first_order.hi,
                "{row:?}"
            );
            if let Some(t) = row.total {
                assert!((t.estimate - want).abs() < 0.05, "{row:?}");
            }
            assert!(row.spearman > 0.0);
        }
    }
}

/// Every outer sample's figures are those of a plain run of its scenario with the same
/// paths and seed, bit for bit; and the two-level run is the same on 1 and 2 threads.
#[test]
fn an_outer_sample_is_a_plain_run_on_any_thread_count() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/gigawatt-program.toml"
    );
    let mut tree = parse_toml(&std::fs::read_to_string(path).unwrap()).unwrap();
    for (key, text) in [
        (
            "sites[0].rent_per_kw_month",
            r#"{ dist = "pert", min = 120, mode = 140, max = 175 }"#,
        ),
        (
            "tenant.annual_pd",
            r#"{ dist = "uniform", min = 0.01, max = 0.05 }"#,
        ),
        (
            "sites[1].term_years",
            r#"{ dist = "discrete", values = [10, 15] }"#,
        ),
    ] {
        dcrisk_core::scenario::apply_override(&mut tree, key, parse_value(text)).unwrap();
    }
    let u = UncertainScenario::from_tree(&tree).unwrap();
    let term = u
        .inputs
        .iter()
        .find(|i| i.key == "sites[1].term_years")
        .unwrap();
    assert!(term.integer);
    let plan = Plan {
        samples: 3,
        sampling: Sampling::LatinHypercube,
        sobol: false,
    };
    let values = plan.values(&u, 5);
    let scenarios: Vec<_> = values.iter().map(|v| u.scenario_at(v).unwrap()).collect();
    let config = RunConfig::new(300, 9);
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let one = pool(1).install(|| run_outer(&scenarios, &config, &NoProgress));
    let two = pool(2).install(|| run_outer(&scenarios, &config, &NoProgress));
    assert_eq!(one.samples, two.samples);
    // Compared as text: the pool's PDs that differ between samples are NaN (no one value),
    // which `==` never equates.
    assert_eq!(format!("{:?}", one.pooled), format!("{:?}", two.pooled));
    assert!(one.pooled.parties.tenant_annual_pd.is_nan());
    assert_eq!(one.pooled.paths, 900);
    for (s, scenario) in scenarios.iter().enumerate() {
        let plain = simulate(scenario, &config, &NoProgress);
        for m in Metric::ALL {
            let stat = plain.metric_stat(m);
            assert_eq!(
                one.samples[s].mean[m.index()].to_bits(),
                stat.mean.to_bits()
            );
            assert_eq!(
                one.samples[s].lower_es_05[m.index()].to_bits(),
                stat.lower_es_05.to_bits()
            );
        }
        assert_eq!(one.samples[s].probabilities, plain.probabilities());
    }
}

/// The support of each distribution is checked against its field: refused with the
/// field named, accepted where every value is valid.
#[test]
fn supports_are_checked_against_fields() {
    let refused = |c1: &str, want: &str| {
        let text = DETERMINISTIC
            .replace("{c1}", c1)
            .replace("{r1}", "100.0")
            .replace("{r2}", "100.0");
        let e = UncertainScenario::from_tree(&parse_toml(&text).unwrap()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("sites[0].capacity_mw") && msg.contains(want),
            "{msg}"
        );
    };
    refused(r#"{ dist = "normal", mean = 10, sd = 1 }"#, "must be > 0");
    refused(r#"{ dist = "uniform", min = 0, max = 1 }"#, "must be > 0");
    refused(r#"{ dist = "discrete", values = [5, -1] }"#, "-1");
    refused(r#"{ dist = "gamma", mean = 10 }"#, "unknown distribution");
    let ok = deterministic(
        r#"{ dist = "lognormal", mean = 10, sd = 3 }"#,
        "100.0",
        "100.0",
    );
    assert_eq!(ok.inputs.len(), 1);
    let text = DETERMINISTIC
        .replace("{c1}", "10.0")
        .replace("{r1}", "100.0")
        .replace("{r2}", "100.0")
        .replace(
            "term_years = 2\npue",
            "term_years = { dist = \"pert\", min = 1, mode = 2, max = 3 }\npue",
        );
    let msg = UncertainScenario::from_tree(&parse_toml(&text).unwrap())
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("sites[0].term_years") && msg.contains("whole numbers"),
        "{msg}"
    );
}

/// Our samplers (inversion of the quantile function, which the Latin hypercube needs)
/// draw the same laws as rand_distr's samplers of the families it has: a two-sample
/// Kolmogorov-Smirnov test at the 0.1% level on 20,000 draws each.
#[test]
fn inversion_matches_rand_distr() {
    use rand::SeedableRng;
    use rand_distr::Distribution as _;
    let n = 20_000;
    let mut rng = dcrisk_core::random::PathRng::seed_from_u64(17);
    let theirs: Vec<(&str, Vec<f64>)> = vec![
        (
            r#"{ dist = "triangular", min = 1.0, mode = 1.1, max = 1.6 }"#,
            {
                let t = rand_distr::Triangular::new(1.0, 1.6, 1.1).unwrap();
                (0..n).map(|_| t.sample(&mut rng)).collect()
            },
        ),
        (r#"{ dist = "pert", min = 120, mode = 140, max = 175 }"#, {
            let p = rand_distr::Pert::new(120.0, 175.0)
                .with_mode(140.0)
                .unwrap();
            (0..n).map(|_| p.sample(&mut rng)).collect()
        }),
        (r#"{ dist = "normal", mean = 0.05, sd = 0.02 }"#, {
            let d = rand_distr::Normal::new(0.05, 0.02).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }),
        (r#"{ dist = "lognormal", mean = 1.4e6, sd = 4e5 }"#, {
            let d = rand_distr::LogNormal::from_mean_cv(1.4e6, 4e5 / 1.4e6).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }),
    ];
    for (text, mut other) in theirs {
        let d = dist(text);
        let mut ours: Vec<f64> = design(Sampling::MonteCarlo, n, 1, 23)
            .iter()
            .map(|u| d.quantile(u[0]))
            .collect();
        ours.sort_by(f64::total_cmp);
        other.sort_by(f64::total_cmp);
        // The largest gap between the two empirical CDFs, over both samples' points.
        let cdf = |s: &[f64], x: f64| s.partition_point(|v| *v <= x) as f64 / s.len() as f64;
        let gap = ours
            .iter()
            .chain(&other)
            .map(|&x| (cdf(&ours, x) - cdf(&other, x)).abs())
            .fold(0.0, f64::max);
        let critical = 1.95 * (2.0 / n as f64).sqrt();
        assert!(gap < critical, "{text}: KS distance {gap} >= {critical}");
    }
}
