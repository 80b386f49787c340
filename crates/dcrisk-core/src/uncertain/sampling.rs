//! The outer samples of a two-level run, as probabilities `u` in (0, 1) per input: Latin
//! hypercube (default) or plain Monte Carlo, and the Saltelli design of `--sobol`.
//!
//! Outer sample `s` draws from its own generator, seeded from `(seed, s)`; the hypercube's
//! stratum of each input comes from a permutation drawn from a generator seeded from
//! `(seed, input)`. So a design is the same on any machine and thread count, and adding
//! an input never moves another input's strata.

use rand::{Rng, SeedableRng};

use crate::random::{PathRng, splitmix64};

/// How the outer samples are drawn (`--sampling`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// One sample in each of S equal-probability strata of every input.
    LatinHypercube,
    /// Independent uniforms.
    MonteCarlo,
}

const OUTER_SALT: u64 = 0x6F75_7465_725F_7331;
const STRATA_SALT: u64 = 0x6C68_735F_7065_726D;

/// The generator of outer sample (or Saltelli base sample) `s`.
pub fn outer_rng(seed: u64, s: u64) -> PathRng {
    PathRng::seed_from_u64(splitmix64(splitmix64(seed ^ OUTER_SALT) ^ s))
}

/// The least and greatest probabilities a design holds: every quantile function is
/// finite there, and these bound what a distribution can produce in a run.
pub const U_MIN: f64 = 0.5 / (1u64 << 52) as f64;
pub const U_MAX: f64 = 1.0 - U_MIN;

/// A uniform in the open interval (0, 1): 52 random bits and a half (so that the
/// largest, `1 - 2^-53`, is a double below 1), in
/// [`U_MIN`, `U_MAX`].
pub fn open_uniform(rng: &mut PathRng) -> f64 {
    ((rng.next_u64() >> 12) as f64 + 0.5) / (1u64 << 52) as f64
}

/// `samples` rows of `dims` probabilities each.
pub fn design(sampling: Sampling, samples: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rows: Vec<Vec<f64>> = (0..samples as u64)
        .map(|s| {
            let mut rng = outer_rng(seed, s);
            (0..dims).map(|_| open_uniform(&mut rng)).collect()
        })
        .collect();
    if sampling == Sampling::LatinHypercube {
        for j in 0..dims {
            let strata = permutation(samples, seed, j as u64);
            for (row, stratum) in rows.iter_mut().zip(strata) {
                row[j] = ((stratum as f64 + row[j]) / samples as f64).clamp(U_MIN, U_MAX);
            }
        }
    }
    rows
}

/// A uniformly random permutation of `0..n` (Fisher-Yates) for input `j`.
fn permutation(n: usize, seed: u64, j: u64) -> Vec<usize> {
    let mut rng = PathRng::seed_from_u64(splitmix64(splitmix64(seed ^ STRATA_SALT) ^ j));
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let k = (rng.next_u64() % (i as u64 + 1)) as usize;
        p.swap(i, k);
    }
    p
}

/// The Saltelli design for `k` inputs and `base` base samples: a design of `2k`
/// columns, whose first `k` are the matrix A and last `k` the matrix B; then the rows
/// `A`, `B`, and for each input `i` the rows `AB_i` (A with column `i` taken from B).
/// Row order: all of A, all of B, then AB_0, AB_1, ... each in base-sample order, so
/// evaluation `r` is base sample `r % base` of block `r / base`.
pub fn saltelli(sampling: Sampling, base: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let both = design(sampling, base, 2 * k, seed);
    let a: Vec<Vec<f64>> = both.iter().map(|r| r[..k].to_vec()).collect();
    let b: Vec<Vec<f64>> = both.iter().map(|r| r[k..].to_vec()).collect();
    let mut rows = a.clone();
    rows.extend(b.iter().cloned());
    for i in 0..k {
        rows.extend(a.iter().zip(&b).map(|(ra, rb)| {
            let mut r = ra.clone();
            r[i] = rb[i];
            r
        }));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly one sample in each of the S strata of every input, and every `u` inside
    /// (0, 1).
    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        for (samples, dims) in [(1, 3), (7, 2), (256, 5)] {
            let rows = design(Sampling::LatinHypercube, samples, dims, 11);
            for j in 0..dims {
                let mut seen = vec![0u32; samples];
                for r in &rows {
                    assert!(r[j] > 0.0 && r[j] < 1.0);
                    seen[(r[j] * samples as f64) as usize] += 1;
                }
                assert!(seen.iter().all(|&c| c == 1), "input {j}: {seen:?}");
            }
        }
    }

    /// Sample s of a design depends only on (seed, s) and the strata: the plain design's
    /// rows are prefixes of each other's whatever S.
    #[test]
    fn plain_rows_depend_only_on_seed_and_index() {
        let short = design(Sampling::MonteCarlo, 5, 3, 9);
        let long = design(Sampling::MonteCarlo, 50, 3, 9);
        assert_eq!(short[..], long[..5]);
        assert_ne!(design(Sampling::MonteCarlo, 5, 3, 10), short);
    }

    #[test]
    fn saltelli_rows_mix_a_and_b_one_column_at_a_time() {
        let (base, k) = (8, 3);
        let rows = saltelli(Sampling::LatinHypercube, base, k, 4);
        assert_eq!(rows.len(), base * (k + 2));
        for i in 0..k {
            for s in 0..base {
                let ab = &rows[(2 + i) * base + s];
                for j in 0..k {
                    let from = if j == i { base + s } else { s };
                    assert_eq!(ab[j], rows[from][j]);
                }
            }
        }
    }
}
