//! Goal seek and frontier on the engine itself: the breakeven rent of a deterministic
//! case to the solver's tolerance, and the coverage of the solver's 95% interval over
//! many seeds of a random case whose root is known.

use super::{base, finish};
use dcrisk_core::decide::{Goal, SolveError, SolveOptions, solve};
use dcrisk_core::engine::RunConfig;
use dcrisk_core::{NoProgress, Scenario, simulate};

/// The base case with its rent scaled by `factor`.
fn at_rent(s: &Scenario, factor: f64) -> Scenario {
    let mut s = s.clone();
    s.sites[0].rent_per_kw_month *= factor;
    s
}

/// Solves `goal` over the rent factor in [lo, hi], `paths` paths of seed `seed`.
fn solve_rent(
    s: &Scenario,
    goal: &str,
    (lo, hi): (f64, f64),
    paths: u64,
    seed: u64,
    tol: f64,
) -> Result<dcrisk_core::decide::Solution, SolveError<()>> {
    let goal = Goal::parse(goal).unwrap();
    let opts = SolveOptions {
        lo,
        hi,
        target: goal.value,
        tol,
        multiplier: goal.statistic.multiplier(),
    };
    let s = finish(s.clone());
    solve(&opts, |f| {
        let r = simulate(&at_rent(&s, f), &RunConfig::new(paths, seed), &NoProgress);
        let reading = goal.statistic.read(&r);
        Ok((reading.value, reading.stderr))
    })
}

/// Month by month (docs: tests/model.rs `hand_computed_month`): cloud 7e6, and the
/// program rent 1e6 f + power 219,000 + opex 150,000 + hardware 2.2e8 / 60; savings are
/// zero at f = (7e6 - 369,000 - 2.2e8 / 60) / 1e6.
fn breakeven_by_hand() -> f64 {
    (7e6 - 369_000.0 - 2.2e8 / 60.0) / 1e6
}

/// No randomness: the breakeven rent factor is exact to the solver's tolerance, with an
/// interval of no width.
#[test]
fn deterministic_breakeven_is_exact_to_the_tolerance() {
    let want = breakeven_by_hand();
    for tol in [1e-6, 1e-9] {
        let s = solve_rent(&base(), "savings_pv.mean=0", (1.0, 5.0), 4, 1, tol).unwrap();
        assert!(
            (s.root.x - want).abs() <= tol * 4.0,
            "tol {tol}: {} vs {want}",
            s.root.x
        );
        assert_eq!(s.interval, [s.root.x, s.root.x]);
        assert!(s.evaluations.len() <= 8, "{}", s.evaluations.len());
    }
}

/// A target outside the range is refused with the statistic at both ends.
#[test]
fn an_unbracketed_target_names_both_ends() {
    match solve_rent(&base(), "savings_pv.mean=0", (0.5, 1.0), 4, 1, 1e-6) {
        Err(SolveError::NotBracketed { lo, hi }) => {
            assert!(lo.value > hi.value && hi.value > 0.0, "{lo:?} {hi:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// The base case with a random cloud price: demand (5 MW) below capacity and no
/// defaults, so savings are the cloud bill less a fixed program cost, and the expected
/// cloud price is its start every month (a martingale): the root of mean savings is the
/// deterministic one.
fn random_cloud() -> Scenario {
    let mut s = base();
    s.cloud.volatility = 0.3;
    s
}

/// Share of seeds whose interval holds `root`, and the mean number of evaluations.
fn coverage(goal: &str, root: f64, range: (f64, f64), seeds: u64, paths: u64) -> (f64, f64) {
    let s = random_cloud();
    let (mut held, mut evals) = (0, 0);
    for seed in 1..=seeds {
        let sol = solve_rent(&s, goal, range, paths, 1000 + seed, 1e-6).unwrap();
        held += usize::from(sol.interval[0] <= root && root <= sol.interval[1]);
        evals += sol.evaluations.len();
    }
    (held as f64 / seeds as f64, evals as f64 / seeds as f64)
}

/// Over 400 seeds the mean's interval holds the known root 95% of the time: a binomial
/// share of 400 with p = 0.95 has standard deviation 1.1%, so [0.92, 0.98] is about
/// ±3 standard deviations.
#[test]
fn mean_interval_covers_the_known_root() {
    let (share, evals) = coverage(
        "savings_pv.mean=0",
        breakeven_by_hand(),
        (1.0, 5.0),
        400,
        100,
    );
    eprintln!("mean coverage {share}, {evals} evaluations");
    assert!((0.92..=0.98).contains(&share), "coverage {share}");
    assert!(evals <= 12.0, "{evals} evaluations a solve");
}

/// The root of P(savings < 0) = 10% (no closed form) from one run of 100,000 paths, then
/// the coverage of 200 runs of 200 paths: the reference's own error is a twentieth of the
/// small runs', so the coverage is still about 95% (±1.5% binomial; [0.90, 0.99]).
#[test]
fn probability_interval_covers_the_reference_root() {
    let s = random_cloud();
    let goal = "probabilities.savings_negative=0.1";
    let reference = solve_rent(&s, goal, (1.0, 5.0), 100_000, 1, 1e-5).unwrap();
    let p = reference.root.value;
    assert!((p - 0.1).abs() <= 1.0 / 100_000.0, "reference achieved {p}");
    let (share, _) = coverage(goal, reference.root.x, (1.0, 5.0), 200, 200);
    eprintln!("probability coverage {share}");
    assert!((0.90..=0.99).contains(&share), "coverage {share}");
}

/// The same for a quantile, whose standard error comes from 20 batches of 20 paths.
#[test]
fn quantile_interval_covers_the_reference_root() {
    let s = random_cloud();
    let goal = "savings_pv.p05=0";
    let reference = solve_rent(&s, goal, (1.0, 5.0), 100_000, 1, 1e-5).unwrap();
    let (share, _) = coverage(goal, reference.root.x, (1.0, 5.0), 200, 400);
    eprintln!("quantile coverage {share}");
    assert!((0.90..=0.99).contains(&share), "coverage {share}");
}
