//! Per-path random streams and the few exact samplers the model needs.
//!
//! Every path owns its generators, seeded from `(seed, path index)` by a non-additive mix,
//! so a path's numbers do not depend on which thread ran it or on which other paths ran.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// The generator behind every stream.
pub type PathRng = Xoshiro256PlusPlus;

/// Which stream of a path. The main stream has a fixed number of draws per path whatever
/// the parameters, so scenarios run with the same seed share common random numbers; draws
/// whose count varies (price jumps, demand busts) come from their own streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Main = 0,
    Jumps = 1,
    Busts = 2,
    /// The v2 contract draws (docs/MODEL.md section 8): the guarantor's own factor, then
    /// one conversion uniform per site, in site order.
    Contracts = 3,
}

/// SplitMix64's finaliser: a bijective, well-mixing map of 64-bit words.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The draws of one stream of one path, optionally the antithetic partner of another path.
///
/// With antithetic pairs, paths `2k` and `2k + 1` share the generator of pair `k`; the odd
/// path negates every normal and mirrors every uniform (`1 - u`), which keeps each draw's
/// law exact while making the pair's outcomes negatively correlated.
pub struct Draws {
    rng: PathRng,
    mirror: bool,
}

impl Draws {
    /// The draws of `stream` for `path`.
    pub fn new(seed: u64, path: u64, stream: Stream, antithetic: bool) -> Self {
        if antithetic {
            Draws {
                rng: path_rng(seed ^ ANTITHETIC_SALT, path / 2, stream),
                mirror: path % 2 == 1,
            }
        } else {
            Draws {
                rng: path_rng(seed, path, stream),
                mirror: false,
            }
        }
    }

    /// A standard normal variate (ziggurat), negated on a mirrored path.
    #[inline(always)]
    pub fn normal(&mut self) -> f64 {
        let z = normal(&mut self.rng);
        if self.mirror { -z } else { z }
    }

    /// Fills `out` with standard normal variates: the same as calling [`Self::normal`] for
    /// each in turn, in a loop that keeps the generator in registers.
    pub fn fill_normals(&mut self, out: &mut [f64]) {
        let mut rng = self.rng.clone();
        for z in out.iter_mut() {
            *z = normal(&mut rng);
        }
        self.rng = rng;
        if self.mirror {
            out.iter_mut().for_each(|z| *z = -*z);
        }
    }

    /// A uniform variate in [0, 1), or `1 - u` in (0, 1] on a mirrored path.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        let u = uniform(&mut self.rng);
        if self.mirror { 1.0 - u } else { u }
    }

    /// The raw generator, for samplers that cannot be mirrored (large Poisson rates).
    pub fn rng(&mut self) -> &mut PathRng {
        &mut self.rng
    }
}

/// Keeps antithetic runs' pair generators apart from plain runs' path generators.
const ANTITHETIC_SALT: u64 = 0xA5A5_5A5A_F00D_CAFE;

/// The generator of one stream of one path.
pub fn path_rng(seed: u64, path: u64, stream: Stream) -> PathRng {
    let key = splitmix64(splitmix64(seed ^ 0xD1B5_4A32_D192_ED03) ^ path) ^ ((stream as u64) << 56);
    PathRng::seed_from_u64(splitmix64(key))
}

/// A standard normal variate (ziggurat).
#[inline(always)]
pub fn normal(rng: &mut PathRng) -> f64 {
    crate::kernels::ziggurat::standard_normal(rng)
}

/// A uniform variate in [0, 1).
#[inline]
pub fn uniform(rng: &mut PathRng) -> f64 {
    rng.random::<f64>()
}

/// Exp(1) by inversion of one uniform: `-ln(1 - U)` (finite even for `u = 1`).
#[inline]
pub fn exponential(u: f64) -> f64 {
    -(1.0 - u).max(f64::MIN_POSITIVE).ln()
}

/// Triangular(min, mode, max) by inversion of one uniform `u` in [0, 1).
///
/// # Examples
/// ```
/// use dcrisk_core::random::triangular;
/// assert_eq!(triangular(0.0, 0.0, 0.0, 0.7), 0.0);
/// assert_eq!(triangular(0.0, 5.0, 10.0, 0.5), 5.0);
/// ```
pub fn triangular(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let width = max - min;
    if width <= 0.0 {
        return min;
    }
    let split = (mode - min) / width;
    if u < split {
        min + (u * width * (mode - min)).sqrt()
    } else {
        max - ((1.0 - u) * width * (max - mode)).sqrt()
    }
}

/// Poisson(lambda) by inversion of one uniform `u`, given `exp(-lambda)`.
///
/// Exact for the small rates of monthly jumps and busts; the loop runs about
/// `1 + lambda` times. Used for `lambda < POISSON_INVERSION_MAX`.
#[inline]
pub fn poisson_inversion(lambda: f64, exp_neg_lambda: f64, u: f64) -> u32 {
    let mut k = 0u32;
    let mut p = exp_neg_lambda;
    let mut cdf = p;
    while u >= cdf && k < 10_000 {
        k += 1;
        p *= lambda / k as f64;
        let next = cdf + p;
        if next == cdf {
            break;
        }
        cdf = next;
    }
    k
}

/// Largest rate sampled by inversion; larger rates use rand_distr's Poisson.
pub const POISSON_INVERSION_MAX: f64 = 30.0;

/// Largest rate the sampler draws at: above `u32::MAX` counts, within `rand_distr`'s
/// range (it refuses rates above about 1.8e19).
pub const POISSON_MAX: f64 = 1e12;

/// A Poisson sampler for one fixed rate, drawing from `rng`.
#[derive(Clone, Debug)]
pub struct Poisson {
    lambda: f64,
    exp_neg_lambda: f64,
    large: Option<rand_distr::Poisson<f64>>,
}

impl Poisson {
    /// A sampler for `lambda >= 0`.
    ///
    /// Validation keeps rates far below [`POISSON_MAX`] (at most 1e4 events a year); a
    /// larger rate (or an infinite one, from a scenario built in code) is sampled at
    /// [`POISSON_MAX`] instead of panicking in `rand_distr`, whose counts are cut to
    /// `u32::MAX` anyway. Rates below it are sampled exactly as before.
    pub fn new(lambda: f64) -> Self {
        let large = (lambda >= POISSON_INVERSION_MAX).then(|| {
            rand_distr::Poisson::new(lambda.min(POISSON_MAX)).expect("a rate within range")
        });
        Poisson {
            lambda,
            exp_neg_lambda: (-lambda).exp(),
            large,
        }
    }

    /// Whether every draw is 0.
    pub fn is_zero(&self) -> bool {
        self.lambda <= 0.0
    }

    /// The counts of `months` consecutive months: calls `each(month, n, draws)` for every
    /// month with `n > 0` events, in month order.
    ///
    /// At rates up to one a month the events are drawn as the Poisson process itself,
    /// exponential waiting times: one uniform per event (plus one), instead of one per
    /// month. Each month's count is still exactly Poisson(rate), independent across
    /// months. Above one a month, each month's count is drawn directly.
    pub fn monthly_counts(
        &self,
        draws: &mut Draws,
        months: usize,
        mut each: impl FnMut(usize, u32, &mut Draws),
    ) {
        if self.is_zero() {
            return;
        }
        if self.lambda > 1.0 {
            for month in 0..months {
                let n = self.sample(draws);
                if n > 0 {
                    each(month, n, draws);
                }
            }
            return;
        }
        let end = months as f64;
        let mut clock = exponential(draws.uniform()) / self.lambda;
        while clock < end {
            let month = clock.floor();
            let mut n = 0;
            while clock < month + 1.0 {
                n += 1;
                clock += exponential(draws.uniform()) / self.lambda;
            }
            each(month as usize, n, draws);
        }
    }

    /// One draw: a single (possibly mirrored) uniform for small rates.
    #[inline]
    pub fn sample(&self, draws: &mut Draws) -> u32 {
        match &self.large {
            None => poisson_inversion(self.lambda, self.exp_neg_lambda, draws.uniform()),
            Some(p) => draws.rng().sample(p) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_repeat() {
        let a = normal(&mut path_rng(1, 7, Stream::Main));
        let b = normal(&mut path_rng(1, 7, Stream::Main));
        let c = normal(&mut path_rng(1, 8, Stream::Main));
        let d = normal(&mut path_rng(1, 7, Stream::Jumps));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    /// Poisson by inversion against its closed-form pmf: counts within 5 binomial SEs.
    #[test]
    fn poisson_matches_pmf() {
        for &lambda in &[0.05, 1.0, 7.5, 45.0] {
            let p = Poisson::new(lambda);
            let mut rng = Draws::new(3, 0, Stream::Main, false);
            let n = 200_000;
            let mut counts = vec![0u32; 200];
            for _ in 0..n {
                counts[(p.sample(&mut rng) as usize).min(199)] += 1;
            }
            let mut pmf = (-lambda).exp();
            for (k, &c) in counts.iter().enumerate().take(120) {
                if k > 0 {
                    pmf *= lambda / k as f64;
                }
                let se = (pmf * (1.0 - pmf) / n as f64).sqrt();
                let got = c as f64 / n as f64;
                assert!(
                    (got - pmf).abs() <= 5.0 * se + 1e-6,
                    "lambda {lambda} k {k}: {got} vs {pmf}"
                );
            }
        }
    }

    /// Monthly counts follow the Poisson(rate) pmf (within 5 binomial SEs), for rates
    /// drawn by waiting times and by direct sampling, and neighbouring months are
    /// uncorrelated (within 5 SEs of 0).
    #[test]
    fn monthly_counts_are_independent_poisson() {
        for &rate in &[0.02, 0.7, 3.0] {
            let p = Poisson::new(rate);
            let mut draws = Draws::new(17, 0, Stream::Jumps, false);
            let (paths, months) = (20_000, 12);
            let mut out = vec![0u32; months];
            let mut counts = [0u64; 40];
            let (mut cross, mut total) = (0.0, 0.0);
            for _ in 0..paths {
                out.fill(0);
                p.monthly_counts(&mut draws, months, |t, n, _| out[t] = n);
                for w in out.windows(2) {
                    cross += (f64::from(w[0]) - rate) * (f64::from(w[1]) - rate);
                }
                for &n in &out {
                    counts[(n as usize).min(39)] += 1;
                    total += f64::from(n);
                }
            }
            let samples = (paths * months) as f64;
            let mut pmf = (-rate).exp();
            for (k, &c) in counts.iter().enumerate().take(20) {
                if k > 0 {
                    pmf *= rate / k as f64;
                }
                let se = (pmf * (1.0 - pmf) / samples).sqrt();
                let got = c as f64 / samples;
                assert!(
                    (got - pmf).abs() <= 5.0 * se + 1e-9,
                    "rate {rate} k {k}: {got} vs {pmf}"
                );
            }
            let mean = total / samples;
            assert!(
                (mean - rate).abs() < 5.0 * (rate / samples).sqrt(),
                "rate {rate}: mean {mean}"
            );
            let pairs = (paths * (months - 1)) as f64;
            let cov = cross / pairs;
            assert!(
                cov.abs() < 5.0 * rate / pairs.sqrt(),
                "rate {rate}: covariance {cov}"
            );
        }
    }

    /// Triangular: mean (a + b + c) / 3 and CDF at the mode (c - a) / (b - a).
    #[test]
    fn triangular_matches_closed_form() {
        let (a, c, b) = (1.0, 3.0, 18.0);
        let mut rng = path_rng(9, 0, Stream::Main);
        let n = 200_000;
        let draws: Vec<f64> = (0..n)
            .map(|_| triangular(a, c, b, uniform(&mut rng)))
            .collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        assert!((mean - (a + b + c) / 3.0).abs() < 5.0 * (var / n as f64).sqrt());
        let below = draws.iter().filter(|&&x| x <= c).count() as f64 / n as f64;
        let p = (c - a) / (b - a);
        assert!((below - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt());
    }

    #[test]
    fn fill_normals_matches_normal() {
        for mirror in [false, true] {
            let mut one = Draws::new(6, 3, Stream::Main, mirror);
            let mut bulk = Draws::new(6, 3, Stream::Main, mirror);
            let want: Vec<f64> = (0..100).map(|_| one.normal()).collect();
            let mut got = vec![0.0; 100];
            bulk.fill_normals(&mut got);
            assert_eq!(got, want);
            assert_eq!(bulk.normal(), one.normal());
        }
    }

    #[test]
    fn antithetic_partners_mirror_each_other() {
        let mut even = Draws::new(4, 10, Stream::Main, true);
        let mut odd = Draws::new(4, 11, Stream::Main, true);
        assert_eq!(even.normal(), -odd.normal());
        assert_eq!(even.uniform(), 1.0 - odd.uniform());
        assert!(exponential(1.0).is_finite());
    }

    /// Rates validation refuses, or a scenario built in code could hold, draw without
    /// panicking (`rand_distr` refuses rates above about 1.8e19).
    #[test]
    fn huge_rates_do_not_panic() {
        for lambda in [2e20 / 12.0, 1e300, f64::INFINITY, f64::MAX] {
            let p = Poisson::new(lambda);
            let mut draws = Draws::new(1, 0, Stream::Jumps, false);
            assert!(p.sample(&mut draws) > 1_000_000, "lambda {lambda}");
            let mut months = 0;
            p.monthly_counts(&mut draws, 3, |_, n, _| months += usize::from(n > 0));
            assert_eq!(months, 3);
        }
    }

    #[test]
    fn exponential_mean_is_one() {
        let mut rng = path_rng(5, 0, Stream::Main);
        let n = 200_000;
        let mean = (0..n).map(|_| exponential(uniform(&mut rng))).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 5.0 / (n as f64).sqrt());
    }
}
