//! Correlated monthly Gaussian shocks `z = L e` over `[regions.., demand, cloud]`.

use crate::random::Draws;

/// The Cholesky factor, applied to fresh independent normals each month.
#[derive(Clone, Debug)]
pub struct Shocks {
    n: usize,
    /// Lower-triangular factor, row-major.
    l: Vec<f64>,
    /// Whether `L` is the identity, so the product can be skipped.
    identity: bool,
}

impl Shocks {
    pub fn new(cholesky: &[f64], n: usize) -> Self {
        let identity =
            (0..n).all(|i| (0..n).all(|j| cholesky[i * n + j] == if i == j { 1.0 } else { 0.0 }));
        Shocks {
            n,
            l: cholesky.to_vec(),
            identity,
        }
    }

    pub fn factors(&self) -> usize {
        self.n
    }

    /// Draws `e ~ N(0, I)` into `e` and writes `z = L e` into `z` (both of length n).
    #[inline]
    pub fn draw(&self, draws: &mut Draws, e: &mut [f64], z: &mut [f64]) {
        for x in e.iter_mut() {
            *x = draws.normal();
        }
        self.correlate(e, z);
    }

    /// `z = L e` for `len` months at once, factor by factor: `e[j * stride + t]` is
    /// factor `j` in month `t`, and `z` is laid out the same way. Going along the months
    /// in the inner loop lets the compiler vectorise; each `z` sums its terms in the same
    /// order as [`Self::correlate`].
    pub fn correlate_months(&self, e: &[f64], z: &mut [f64], stride: usize, len: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F, checked just above.
                return unsafe { self.correlate_months_avx512(e, z, stride, len) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { self.correlate_months_avx2(e, z, stride, len) };
            }
        }
        self.correlate_rows(e, z, stride, len);
    }

    /// [`Self::correlate_months`] in AVX-512's eight lanes: separate multiplications and
    /// additions (no fused multiply-add), so the same bits as the portable loop.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn correlate_months_avx512(&self, e: &[f64], z: &mut [f64], stride: usize, len: usize) {
        self.correlate_rows(e, z, stride, len);
    }

    /// [`Self::correlate_months`] in AVX2's four lanes (the same bits).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn correlate_months_avx2(&self, e: &[f64], z: &mut [f64], stride: usize, len: usize) {
        self.correlate_rows(e, z, stride, len);
    }

    #[inline(always)]
    fn correlate_rows(&self, e: &[f64], z: &mut [f64], stride: usize, len: usize) {
        for i in 0..self.n {
            let row = &mut z[i * stride..i * stride + len];
            if self.identity {
                row.copy_from_slice(&e[i * stride..i * stride + len]);
                continue;
            }
            row.fill(0.0);
            for j in 0..=i {
                let l = self.l[i * self.n + j];
                for (zt, et) in row.iter_mut().zip(&e[j * stride..j * stride + len]) {
                    *zt += l * et;
                }
            }
        }
    }

    /// `z = L e`.
    #[inline]
    pub fn correlate(&self, e: &[f64], z: &mut [f64]) {
        if self.identity {
            z.copy_from_slice(e);
            return;
        }
        for (i, zi) in z.iter_mut().enumerate() {
            let row = &self.l[i * self.n..i * self.n + i + 1];
            *zi = row.iter().zip(e).map(|(a, b)| a * b).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Draws, Stream};
    use crate::scenario::cholesky;

    /// The month-at-a-time product equals the per-month one.
    #[test]
    fn correlate_months_matches_correlate() {
        let c = [1.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 1.0];
        let s = Shocks::new(&cholesky(&c, 3).unwrap(), 3);
        let (stride, len) = (7, 5);
        let e: Vec<f64> = (0..3 * stride).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut z = vec![0.0; 3 * stride];
        s.correlate_months(&e, &mut z, stride, len);
        for t in 0..len {
            let month: Vec<f64> = (0..3).map(|j| e[j * stride + t]).collect();
            let mut want = [0.0; 3];
            s.correlate(&month, &mut want);
            for i in 0..3 {
                assert_eq!(z[i * stride + t], want[i], "factor {i} month {t}");
            }
        }
    }

    /// Sample correlations of the shocks match the target within 5 standard errors
    /// (the SE of a sample correlation is about (1 - rho^2) / sqrt(n)).
    #[test]
    fn shocks_have_target_correlation() {
        let c = [1.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 1.0];
        let s = Shocks::new(&cholesky(&c, 3).unwrap(), 3);
        let mut rng = Draws::new(11, 0, Stream::Main, false);
        let n = 100_000;
        let (mut e, mut z) = ([0.0; 3], [0.0; 3]);
        let mut sum = [[0.0; 3]; 3];
        for _ in 0..n {
            s.draw(&mut rng, &mut e, &mut z);
            for i in 0..3 {
                for j in 0..3 {
                    sum[i][j] += z[i] * z[j];
                }
            }
        }
        for i in 0..3 {
            for j in 0..3 {
                let got = sum[i][j] / n as f64;
                let rho: f64 = c[i * 3 + j];
                let se = (1.0 + rho * rho) / (n as f64).sqrt();
                assert!((got - rho).abs() < 5.0 * se, "({i},{j}): {got} vs {rho}");
            }
        }
    }
}
