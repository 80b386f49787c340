//! Goal seek: the decision `x` in `[lo, hi]` at which a statistic of the run reaches a
//! target, with a 95% interval from the Monte Carlo error (docs/MODEL.md "Decisions").
//!
//! Every evaluation is a whole run with the same seed and paths (common random numbers),
//! so the statistic is a smooth (or, for a share of paths, a fine staircase) function of
//! the decision. The root is found by the Illinois variant of regula falsi, safeguarded:
//! - a step that would not shrink the bracket by half over two steps is a bisection;
//! - a step closer than `tol / 2` to the last point moves `tol / 2` toward the other end
//!   (as Brent's method does), so the bracket closes to `tol` even on a straight line.
//!
//! The interval inverts the statistic's own 95% test: the decisions `x` at which the
//! target lies within `value(x) ± m stderr(x)` (`m` the multiplier of the statistic's
//! interval). The true root is among them exactly when the target is within the estimate's
//! 95% interval at the true root, 95% of the time. Its ends solve `value(x) = target ±
//! m stderr(x)` by the same method; an end beyond `[lo, hi]` is cut there and flagged.

/// One evaluation: the decision, the statistic there and its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eval {
    pub x: f64,
    pub value: f64,
    pub stderr: f64,
}

/// The search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SolveOptions {
    pub lo: f64,
    pub hi: f64,
    pub target: f64,
    /// Tolerance on the decision, relative to `hi - lo`.
    pub tol: f64,
    /// Multiplier of a 95% interval of the statistic (1.96, or a `t` quantile).
    pub multiplier: f64,
}

/// Tolerance, relative to `hi - lo`, of the interval's ends: a statistical statement
/// needs no more digits than this.
pub const INTERVAL_TOL: f64 = 1e-4;
/// Most evaluations of one root (bisection alone halves the bracket 60 times in them).
pub const MAX_STEPS: usize = 200;

/// The goal seek's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    /// The decision reaching the target (within `tol (hi - lo)` of where the statistic
    /// crosses it).
    pub root: Eval,
    /// The 95% interval of the decision from the Monte Carlo error.
    pub interval: [f64; 2],
    /// Whether each end of the interval was cut at `lo` or `hi`.
    pub clipped: [bool; 2],
    /// Every evaluation, in the order made.
    pub evaluations: Vec<Eval>,
}

/// Why there is no answer.
#[derive(Debug)]
pub enum SolveError<E> {
    /// The statistic is on the same side of the target at both ends.
    NotBracketed { lo: Eval, hi: Eval },
    /// An evaluation failed.
    Eval(E),
}

/// Finds the decision in `[lo, hi]` where the statistic `eval` returns (value, standard
/// error) reaches `opts.target`; see the module's documentation for the method.
///
/// # Examples
/// ```
/// use dcrisk_core::decide::{SolveOptions, solve};
/// let opts = SolveOptions { lo: 0.0, hi: 4.0, target: 2.0, tol: 1e-9, multiplier: 1.96 };
/// let s = solve(&opts, |x| Ok::<_, ()>((x * x, 0.01))).unwrap();
/// assert!((s.root.x - 2f64.sqrt()).abs() < 4e-9);
/// assert!(s.interval[0] < s.root.x && s.root.x < s.interval[1]);
/// ```
pub fn solve<E>(
    opts: &SolveOptions,
    mut eval: impl FnMut(f64) -> Result<(f64, f64), E>,
) -> Result<Solution, SolveError<E>> {
    let mut made: Vec<Eval> = Vec::new();
    let mut at = |x: f64| -> Result<Eval, SolveError<E>> {
        let (value, stderr) = eval(x).map_err(SolveError::Eval)?;
        let e = Eval { x, value, stderr };
        made.push(e);
        Ok(e)
    };
    let width = opts.hi - opts.lo;
    let (lo, hi) = (at(opts.lo)?, at(opts.hi)?);
    let miss = |e: &Eval| e.value - opts.target;
    if miss(&lo).signum() == miss(&hi).signum() && miss(&lo) != 0.0 && miss(&hi) != 0.0 {
        return Err(SolveError::NotBracketed { lo, hi });
    }
    let root = find_root(lo, hi, &miss, opts.tol * width, &mut at)?;
    let mut interval = [root.x, root.x];
    let mut clipped = [false, false];
    if root.stderr > 0.0 {
        let rising = hi.value > lo.value;
        for side in [-1.0, 1.0] {
            let shifted = |e: &Eval| e.value - opts.target - side * opts.multiplier * e.stderr;
            // value = target + m se lies where the statistic is above the target: to the
            // right of the root when it rises with x.
            let end = if (side > 0.0) == rising { hi } else { lo };
            let tol = INTERVAL_TOL.max(opts.tol) * width;
            let x = if shifted(&root).signum() == shifted(&end).signum() {
                clipped[usize::from(end.x == opts.hi)] = true;
                end.x
            } else {
                find_root(root, end, &shifted, tol, &mut at)?.x
            };
            interval[usize::from(end.x == opts.hi)] = x;
        }
    }
    interval = [interval[0].min(root.x), interval[1].max(root.x)];
    Ok(Solution {
        root,
        interval,
        clipped,
        evaluations: made,
    })
}

/// The point where `g` crosses zero between `a` and `b` (of opposite signs, or one of
/// them zero), to within `tol`: the evaluated point of the final bracket with the smaller
/// `|g|`.
fn find_root<E>(
    a: Eval,
    b: Eval,
    g: &dyn Fn(&Eval) -> f64,
    tol: f64,
    at: &mut dyn FnMut(f64) -> Result<Eval, SolveError<E>>,
) -> Result<Eval, SolveError<E>> {
    let (mut a, mut b) = (a, b);
    let (mut ga, mut gb) = (g(&a), g(&b));
    if ga == 0.0 {
        return Ok(a);
    }
    if gb == 0.0 {
        return Ok(b);
    }
    // Widths of the last two brackets, for the bisection safeguard.
    let mut widths = [f64::INFINITY; 2];
    for _ in 0..MAX_STEPS {
        let width = (b.x - a.x).abs();
        if width <= tol {
            break;
        }
        let x = next_point(&a, &b, ga, gb, tol, width > 0.5 * widths[1]);
        widths = [width, widths[0]];
        let c = at(x)?;
        let gc = g(&c);
        if gc == 0.0 {
            return Ok(c);
        }
        if gc.signum() == gb.signum() {
            // `a` stays for a second time: Illinois halves its weight.
            ga *= 0.5;
        } else {
            (a, ga) = (b, gb);
        }
        (b, gb) = (c, gc);
    }
    Ok(if g(&a).abs() < g(&b).abs() { a } else { b })
}

/// The next point inside the bracket: regula falsi on the weighted ends, a bisection
/// when `bisect` or when the step falls outside, nudged `tol / 2` from `b` toward `a`
/// when it would land closer than that to `b` (the last point).
fn next_point(a: &Eval, b: &Eval, ga: f64, gb: f64, tol: f64, bisect: bool) -> f64 {
    let mid = 0.5 * (a.x + b.x);
    let (low, high) = (a.x.min(b.x), a.x.max(b.x));
    let secant = b.x - gb * (b.x - a.x) / (gb - ga);
    let x = if bisect || !(secant > low && secant < high) {
        mid
    } else {
        secant
    };
    if (x - b.x).abs() < 0.5 * tol {
        b.x + 0.5 * tol * (a.x - b.x).signum()
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(lo: f64, hi: f64, target: f64) -> SolveOptions {
        SolveOptions {
            lo,
            hi,
            target,
            tol: 1e-6,
            multiplier: 2.0,
        }
    }

    /// A straight line closes in a handful of evaluations; its interval is the line's
    /// inverse of target ± 2 se.
    #[test]
    fn a_line_closes_fast_with_its_exact_interval() {
        let s = solve(&opts(0.0, 10.0, 3.0), |x| Ok::<_, ()>((2.0 * x - 1.0, 0.5))).unwrap();
        assert!((s.root.x - 2.0).abs() <= 1e-5, "{:?}", s.root);
        assert!(s.evaluations.len() <= 12, "{}", s.evaluations.len());
        // value = 3 ± 1 at x = 1.5 and 2.5.
        assert!((s.interval[0] - 1.5).abs() < 1e-3, "{:?}", s.interval);
        assert!((s.interval[1] - 2.5).abs() < 1e-3, "{:?}", s.interval);
        assert_eq!(s.clipped, [false, false]);
    }

    /// Falling statistics, staircases and exact zeros work; no standard error, no width.
    #[test]
    fn falling_steps_and_exact_values() {
        let s = solve(&opts(0.0, 1.0, 0.25), |x| {
            Ok::<_, ()>(((1.0 - x) * 0.5, 0.0))
        })
        .unwrap();
        assert!((s.root.x - 0.5).abs() <= 1e-6, "{:?}", s.root);
        assert_eq!(s.interval, [s.root.x, s.root.x]);
        // A staircase of 1000 steps: the root is the step's edge, to the tolerance.
        let stairs = |x: f64| Ok::<_, ()>(((x * 1000.0).floor() / 1000.0, 0.01));
        let s = solve(&opts(0.0, 1.0, 0.4005), stairs).unwrap();
        assert!((s.root.x - 0.401).abs() <= 1e-6, "{:?}", s.root);
        assert!(s.evaluations.len() < 80, "{}", s.evaluations.len());
        // A wide error: the interval is cut at both ends.
        let s = solve(&opts(0.0, 1.0, 0.5), |x| Ok::<_, ()>((x, 1.0))).unwrap();
        assert_eq!(s.interval, [0.0, 1.0]);
        assert_eq!(s.clipped, [true, true]);
    }

    /// No crossing: both ends are returned; an evaluation's error passes through.
    #[test]
    fn not_bracketed_and_failures() {
        match solve(&opts(0.0, 1.0, 5.0), |x| Ok::<_, ()>((x, 0.1))) {
            Err(SolveError::NotBracketed { lo, hi }) => {
                assert_eq!((lo.value, hi.value), (0.0, 1.0))
            }
            other => panic!("{other:?}"),
        }
        let failed = solve(&opts(0.0, 1.0, 0.5), |x| {
            if x > 0.5 { Err("bad") } else { Ok((x, 0.0)) }
        });
        assert!(matches!(failed, Err(SolveError::Eval("bad"))));
    }
}
