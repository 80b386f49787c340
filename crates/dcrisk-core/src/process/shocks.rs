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
