//! The mean-risk frontier of a scaled decision (docs/MODEL.md "Decisions"): for each
//! factor, mean savings, P5, the 5% expected shortfall and P(savings < 0), and which
//! factors are efficient, no other having both a higher mean and a higher ES 5%.

use crate::results::RunResults;

/// One factor's figures, as the plain run at that factor reports them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrontierPoint {
    pub factor: f64,
    /// Mean savings: the run's estimate (summary.json's `mean` without variance
    /// reduction), as the stdout summary and `comparison.csv` give it.
    pub mean: f64,
    pub p05: f64,
    /// The lower 5% expected shortfall (the mean of the worst 5% of savings).
    pub es05: f64,
    pub p_negative: f64,
}

impl FrontierPoint {
    /// The figures of run `r` at `factor`, read as `dcrisk run` reads them (so factor 1
    /// gives the plain run's figures, bit for bit).
    pub fn of_run(factor: f64, r: &RunResults) -> FrontierPoint {
        let h = r.headline();
        FrontierPoint {
            factor,
            mean: h.savings_mean,
            p05: h.savings_p05(),
            es05: h.savings_es_05(),
            p_negative: h.p_savings_negative,
        }
    }
}

/// Whether each point is efficient: no other point has both a strictly higher mean and a
/// strictly higher ES 5% (a tie in either keeps both). `O(n^2)`, for grids of at most
/// a thousand points.
///
/// # Examples
/// ```
/// use dcrisk_core::decide::efficient_flags;
/// // (mean, ES 5%): the second dominates the first; the third trades mean for risk.
/// let flags = efficient_flags(&[(1.0, -5.0), (2.0, -4.0), (3.0, -6.0)]);
/// assert_eq!(flags, [false, true, true]);
/// ```
pub fn efficient_flags(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(mean, es)| !points.iter().any(|&(m, e)| m > mean && e > es))
        .collect()
}

/// Convenience for [`efficient_flags`] over frontier points.
pub fn flag_points(points: &[FrontierPoint]) -> Vec<bool> {
    let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.mean, p.es05)).collect();
    efficient_flags(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flags are exactly the non-dominated points, checked against the definition
    /// on every subset of a small grid with ties.
    #[test]
    fn flags_are_the_non_dominated_points() {
        let all = [
            (1.0, 1.0),
            (2.0, 0.5),
            (2.0, 1.0),
            (0.5, 3.0),
            (3.0, -1.0),
            (1.5, 0.8),
        ];
        for mask in 0u32..(1 << all.len()) {
            let pts: Vec<(f64, f64)> = (0..all.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| all[i])
                .collect();
            let flags = efficient_flags(&pts);
            for (i, p) in pts.iter().enumerate() {
                let dominated = pts.iter().any(|q| q.0 > p.0 && q.1 > p.1);
                assert_eq!(flags[i], !dominated, "{pts:?} at {i}");
            }
        }
        assert_eq!(efficient_flags(&all), [true, true, true, true, true, false]);
    }
}
