//! Correlated monthly Gaussian shocks `z = L e` over `[regions.., demand, cloud]`.

/// The Cholesky factor, applied to each month's independent normals.
#[derive(Clone, Debug)]
pub struct Shocks {
    n: usize,
    /// Whether `L` is the identity, so the product can be skipped.
    identity: bool,
    /// Each row's non-zero entries `(j, L[i][j])`, in factor order: a zero entry adds
    /// nothing to a sum that starts from zero, so it is skipped (uncorrelated factors
    /// leave many).
    rows: Vec<Vec<(usize, f64)>>,
}

impl Shocks {
    pub fn new(cholesky: &[f64], n: usize) -> Self {
        let identity =
            (0..n).all(|i| (0..n).all(|j| cholesky[i * n + j] == if i == j { 1.0 } else { 0.0 }));
        let rows = (0..n)
            .map(|i| {
                (0..=i)
                    .map(|j| (j, cholesky[i * n + j]))
                    .filter(|&(_, l)| l != 0.0)
                    .collect()
            })
            .collect();
        Shocks { n, identity, rows }
    }

    pub fn factors(&self) -> usize {
        self.n
    }

    /// `z = L e` for `len` months at once, in place: `v[j * stride + t]` is factor `j`'s
    /// independent normal in month `t`, and becomes its correlated shock. Each `z` sums its
    /// terms in factor order; the factors go from the last, so the normals a sum reads
    /// (its own and those before it) are still there. Going along the months in the inner
    /// loop vectorises, in the widest vectors the CPU has (the same bits whichever is
    /// used).
    pub fn correlate_months(&self, v: &mut [f64], stride: usize, len: usize) {
        if !self.identity {
            crate::kernels::simd::widest(
                #[inline(always)]
                || self.correlate_rows(v, stride, len),
            );
        }
    }

    #[inline(always)]
    fn correlate_rows(&self, v: &mut [f64], stride: usize, len: usize) {
        // A few vectors of months at a time, their sums kept in registers across the
        // terms rather than read and written back once per term.
        let whole = len - len % MONTHS;
        for at in (0..whole).step_by(MONTHS) {
            for (i, terms) in self.rows.iter().enumerate().rev() {
                let mut sums = [0.0; MONTHS];
                for &(j, l) in terms {
                    let from = j * stride + at;
                    let e: &[f64; MONTHS] = v[from..from + MONTHS].try_into().expect("months");
                    for (z, &e) in sums.iter_mut().zip(e) {
                        *z += l * e;
                    }
                }
                v[i * stride + at..][..MONTHS].copy_from_slice(&sums);
            }
        }
        for t in whole..len {
            for (i, terms) in self.rows.iter().enumerate().rev() {
                v[i * stride + t] = terms
                    .iter()
                    .fold(0.0, |z, &(j, l)| z + l * v[j * stride + t]);
            }
        }
    }
}

/// Months [`Shocks::correlate_months`] sums at a time: two AVX-512 vectors.
const MONTHS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Draws, Stream};
    use crate::scenario::cholesky;

    /// `z = L e` by its definition (`L` row-major, `n` by `n`), one month and one factor at
    /// a time, summed in factor order over every entry, zeros included.
    fn product(l: &[f64], n: usize, e: &[f64], stride: usize, i: usize, t: usize) -> f64 {
        (0..=i).fold(0.0, |z, j| z + l[i * n + j] * e[j * stride + t])
    }

    /// The month-at-a-time product equals the definition, bit for bit.
    #[test]
    fn correlate_months_matches_the_product() {
        // The last factor is uncorrelated with the first, which leaves a zero in `L`.
        let c = [
            1.0, 0.6, -0.3, 0.0, 0.6, 1.0, 0.2, 0.0, -0.3, 0.2, 1.0, 0.4, 0.0, 0.0, 0.4, 1.0,
        ];
        let n = 4;
        let l = cholesky(&c, n).unwrap();
        assert!(
            l.iter()
                .enumerate()
                .any(|(k, &v)| k % n < k / n && v == 0.0)
        );
        let s = Shocks::new(&l, n);
        // Fewer months than one block, and whole blocks with a remainder.
        for (stride, len) in [(7, 5), (40, 37)] {
            let e: Vec<f64> = (0..n * stride).map(|i| (i as f64 * 0.37).sin()).collect();
            let mut z = e.clone();
            s.correlate_months(&mut z, stride, len);
            for t in 0..len {
                for i in 0..n {
                    assert_eq!(
                        z[i * stride + t].to_bits(),
                        product(&l, n, &e, stride, i, t).to_bits(),
                        "factor {i} month {t} of {len}"
                    );
                }
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
        let mut z = vec![0.0; 3 * n];
        for row in z.chunks_exact_mut(n) {
            rng.fill_normals(row);
        }
        s.correlate_months(&mut z, n, n);
        let mut sum = [[0.0; 3]; 3];
        for t in 0..n {
            for i in 0..3 {
                for j in 0..3 {
                    sum[i][j] += z[i * n + t] * z[j * n + t];
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
