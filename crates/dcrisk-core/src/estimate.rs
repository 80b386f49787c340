//! Estimates of means and their standard errors under variance reduction.
//!
//! Antithetic runs are summarised over pair means (the two paths of a pair are dependent,
//! so per-path variance would overstate the precision). Control variates regress the metric
//! on quantities with known expectations and remove the explained part:
//! `mean(Y) - beta . (mean(X) - E[X])`, with `beta` the least-squares coefficients estimated
//! from the same run; its standard error comes from the regression residuals.

use crate::metrics::Techniques;
use crate::stats::mean_std;

/// A mean with its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub stderr: f64,
    /// Plain Monte Carlo variance of the mean (`s^2 / n`) over the estimator's variance:
    /// how many times fewer paths the technique needs for the same precision.
    pub variance_reduction: f64,
}

impl Estimate {
    /// Half-width of the 95% confidence interval.
    pub fn half_width(&self) -> f64 {
        crate::stats::Z95 * self.stderr
    }
}

/// The estimate of the mean of `values` given the paths' control variates `controls` (one
/// column per control) and their expectations.
pub fn estimate_with(
    values: &[f64],
    controls: &[Vec<f64>],
    expectations: &[f64],
    techniques: Techniques,
) -> Estimate {
    let n = values.len();
    let (_, plain_sd) = mean_std(values);
    let plain_var = plain_sd * plain_sd / n.max(1) as f64;
    let units = |v: &[f64]| {
        if techniques.antithetic {
            pair_means(v)
        } else {
            v.to_vec()
        }
    };
    let y = units(values);
    let (mean, stderr) = if techniques.control_variates && !expectations.is_empty() {
        let xs: Vec<Vec<f64>> = controls.iter().map(|c| units(c)).collect();
        controlled(&y, &xs, expectations)
    } else {
        let (m, sd) = mean_std(&y);
        (m, sd / (y.len().max(1) as f64).sqrt())
    };
    let variance_reduction = if stderr > 0.0 {
        plain_var / (stderr * stderr)
    } else {
        1.0
    };
    Estimate {
        mean,
        stderr,
        variance_reduction,
    }
}

/// Means of consecutive pairs `(v[2k] + v[2k+1]) / 2` (a trailing odd value stands alone).
pub fn pair_means(v: &[f64]) -> Vec<f64> {
    v.chunks(2)
        .map(|p| p.iter().sum::<f64>() / p.len() as f64)
        .collect()
}

/// Control-variate estimate of the mean of `y` given controls `xs` with means `ex`.
fn controlled(y: &[f64], xs: &[Vec<f64>], ex: &[f64]) -> (f64, f64) {
    let n = y.len();
    let p = xs.len();
    let (my, _) = mean_std(y);
    let mx: Vec<f64> = xs.iter().map(|x| mean_std(x).0).collect();
    // Normal equations on centred data: Sxx beta = Sxy.
    let mut sxx = vec![0.0; p * p];
    let mut sxy = vec![0.0; p];
    for i in 0..n {
        for a in 0..p {
            let da = xs[a][i] - mx[a];
            sxy[a] += da * (y[i] - my);
            for b in 0..p {
                sxx[a * p + b] += da * (xs[b][i] - mx[b]);
            }
        }
    }
    let beta = solve(&mut sxx, &mut sxy, p);
    let mean = my - (0..p).map(|a| beta[a] * (mx[a] - ex[a])).sum::<f64>();
    let residual_ss: f64 = (0..n)
        .map(|i| {
            let fit: f64 = (0..p).map(|a| beta[a] * (xs[a][i] - mx[a])).sum();
            let r = y[i] - my - fit;
            r * r
        })
        .sum();
    let dof = n.saturating_sub(p + 1).max(1) as f64;
    (mean, (residual_ss / dof / n.max(1) as f64).sqrt())
}

/// Solves a small symmetric system by Gaussian elimination with partial pivoting; a
/// singular direction (a constant control) gets a zero coefficient.
fn solve(a: &mut [f64], b: &mut [f64], p: usize) -> Vec<f64> {
    let scale = (0..p)
        .map(|i| a[i * p + i].abs())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut active = vec![true; p];
    for col in 0..p {
        let pivot = (col..p)
            .max_by(|&i, &j| a[i * p + col].abs().total_cmp(&a[j * p + col].abs()))
            .unwrap_or(col);
        if a[pivot * p + col].abs() <= 1e-12 * scale {
            active[col] = false;
            continue;
        }
        for k in 0..p {
            a.swap(col * p + k, pivot * p + k);
        }
        b.swap(col, pivot);
        for row in 0..p {
            if row != col {
                let f = a[row * p + col] / a[col * p + col];
                for k in 0..p {
                    a[row * p + k] -= f * a[col * p + k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    (0..p)
        .map(|i| if active[i] { b[i] / a[i * p + i] } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_means_of_pairs() {
        assert_eq!(pair_means(&[1.0, 3.0, 5.0, 9.0, 4.0]), vec![2.0, 7.0, 4.0]);
    }

    /// y = 2 x + e with E[x] known: the controlled mean recovers E[y] and its standard error
    /// is the residual's, far below the plain one.
    #[test]
    fn control_variate_removes_explained_variance() {
        let n = 10_000;
        let x: Vec<f64> = (0..n)
            .map(|i| ((i as f64) * 0.618_033_988_7).fract() - 0.5)
            .collect();
        let e: Vec<f64> = (0..n)
            .map(|i| 0.01 * (((i * 7919) % 1000) as f64 / 1000.0 - 0.5))
            .collect();
        let y: Vec<f64> = x.iter().zip(&e).map(|(x, e)| 10.0 + 2.0 * x + e).collect();
        let (mean, se) = controlled(&y, std::slice::from_ref(&x), &[0.0]);
        assert!((mean - 10.0).abs() < 1e-3, "{mean}");
        let (_, plain_sd) = mean_std(&y);
        assert!(se < plain_sd / (n as f64).sqrt() / 50.0);
    }

    /// Antithetic standard errors come from pair means: perfectly anti-correlated pairs
    /// average to a constant, so the honest standard error is zero although every path
    /// varies; and in general it is sd(pair means) / sqrt(pairs).
    #[test]
    fn antithetic_stderr_is_computed_from_pairs() {
        let pairs_only = Techniques {
            antithetic: true,
            control_variates: false,
        };
        let mirrored = [3.0, -1.0, 5.0, -3.0, 0.5, 1.5];
        let e = estimate_with(&mirrored, &[], &[], pairs_only);
        assert_eq!((e.mean, e.stderr), (1.0, 0.0));
        let v = [1.0, 2.0, 4.0, 4.0, 0.0, 7.0, 3.0, 3.0];
        let e = estimate_with(&v, &[], &[], pairs_only);
        // Pair means 1.5, 4, 3.5, 3: mean 3, sample variance (2.25 + 1 + 0.25 + 0) / 3.
        assert_eq!(e.mean, 3.0);
        assert!((e.stderr - (3.5f64 / 3.0 / 4.0).sqrt()).abs() < 1e-15);
        let plain = estimate_with(&v, &[], &[], Techniques::default());
        assert!((plain.stderr - mean_std(&v).1 / 8f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn constant_control_is_ignored() {
        let y = [1.0, 2.0, 3.0, 4.0];
        let (mean, _) = controlled(&y, &[vec![5.0; 4]], &[5.0]);
        assert_eq!(mean, 2.5);
    }
}
