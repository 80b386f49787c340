//! The standard normal distribution's functions, to full double precision.

use std::f64::consts::SQRT_2;

/// Standard normal CDF `Phi(x)`.
///
/// # Examples
/// ```
/// use dcrisk_core::math::norm_cdf;
/// assert!((norm_cdf(1.959963984540054) - 0.975).abs() < 1e-15);
/// ```
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / SQRT_2)
}

/// Upper tail `1 - Phi(x)`, accurate far into the tail (no cancellation).
pub fn norm_sf(x: f64) -> f64 {
    0.5 * libm::erfc(x / SQRT_2)
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Inverse of the standard normal CDF, `Phi^-1(p)` for `p` in (0, 1).
///
/// Acklam's rational approximation refined by one Halley step (relative error ~1e-15).
///
/// # Examples
/// ```
/// use dcrisk_core::math::norm_ppf;
/// assert!((norm_ppf(0.975) - 1.959963984540054).abs() < 1e-12);
/// assert_eq!(norm_ppf(0.5), 0.0);
/// ```
pub fn norm_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    let x = acklam(p);
    // One Halley step on Phi(x) - p.
    let err = norm_cdf(x) - p;
    let u = err * (2.0 * std::f64::consts::PI).sqrt() * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

fn acklam(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// `x.ceil() as i64`, without a call: the release build targets plain x86-64, which has no
/// rounding instruction, so `ceil` is a library call (one per site and path). Truncation
/// rounds up for negative values already, and down for positive ones unless exact.
#[inline]
pub fn ceil_to_i64(x: f64) -> i64 {
    let whole = x as i64;
    whole.saturating_add(i64::from((whole as f64) < x))
}

/// Smallest and largest of the values, NaN ignored; four independent lanes so the
/// comparisons do not form one long dependency chain.
#[inline]
pub fn min_max(values: &[f64]) -> (f64, f64) {
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [f64::NEG_INFINITY; 4];
    let chunks = values.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    for &x in tail {
        lo[0] = if x < lo[0] { x } else { lo[0] };
        hi[0] = if x > hi[0] { x } else { hi[0] };
    }
    (
        lo[0].min(lo[1]).min(lo[2].min(lo[3])),
        hi[0].max(hi[1]).max(hi[2].max(hi[3])),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_to_i64_matches_ceil() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            23.999_999_999,
            1e15 + 0.5,
        ];
        cases.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300]);
        cases.extend((0..10_000).map(|i| (f64::from(i) - 5000.0) * 0.013_7));
        for x in cases {
            assert_eq!(ceil_to_i64(x), x.ceil() as i64, "x = {x}");
        }
    }

    #[test]
    fn ppf_inverts_cdf() {
        for &p in &[1e-10, 1e-4, 0.01, 0.2, 0.5, 0.7, 0.99, 1.0 - 1e-9] {
            let x = norm_ppf(p);
            assert!((norm_cdf(x) - p).abs() < 1e-14 * p.max(1e-3), "p={p}");
        }
    }

    #[test]
    fn known_values() {
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-16);
        assert!((norm_sf(5.0) - 2.866515718791939e-7).abs() < 1e-20);
        assert!((norm_ppf(0.999) - 3.090232306167813).abs() < 1e-12);
    }
}
