//! `exp` over whole slices: branch-free, so the compiler vectorises it, and built from
//! IEEE additions, multiplications, fused multiply-adds and one division, each rounded once
//! as IEEE 754 defines, so it gives the same bits on every machine and at every vector
//! width.
//!
//! The platform's `exp` is a scalar call (about a quarter of a path's time when every
//! month's prices go through it), and glibc picks an FMA or a non-FMA variant by CPU, which
//! may differ in the last bit. This is fdlibm's algorithm (error below 1 ulp): reduce
//! `x = k ln2 + r` with `|r| <= ln2 / 2`, take `e^r` from a degree-5 rational form, and scale
//! by `2^k` through the exponent bits. Results below `e^-708` (the subnormal range) are
//! flushed to 0.
//!
//! The polynomial and the reduction's first steps are fused multiply-adds (`mul_add`):
//! a quarter fewer operations, and `exp` is bound by their count (a path takes some 1,400).
//! Run in [`crate::kernels::simd::widest`] code, each is one instruction; elsewhere, a call to the
//! library's `fma`, with the same result.

// fdlibm's published constants, digit for digit.
#![allow(clippy::excessive_precision)]

/// `1.5 * 2^52`: adding it rounds to the nearest integer and leaves that integer in the
/// low bits of the sum (exact for `|k| < 2^51`).
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// `ln 2` split so that `k * LN2_HI` is exact for the `|k| <= 1024` met here.
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const P1: f64 = 1.666_666_666_666_660_190_37e-1;
const P2: f64 = -2.777_777_777_701_559_338_42e-3;
const P3: f64 = 6.613_756_321_437_934_361_17e-5;
const P4: f64 = -1.653_390_220_546_525_153_90e-6;
const P5: f64 = 4.138_136_797_057_238_460_39e-8;
/// Above this `e^x` overflows.
const MAX_ARG: f64 = 709.782_712_893_384;
/// Below this `e^x` is subnormal; it is returned as 0.
const MIN_ARG: f64 = -708.0;

/// `e^x` to within 1 ulp; `+inf` above 709.78, 0 below -708, NaN for NaN (the unit tests
/// check each, and the ulp bound against the standard library over the normal range).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let (y, k_int) = reduce(x.clamp(MIN_ARG, MAX_ARG));
    // 2^k in two factors, each a normal number for k in [-1022, 1024].
    let half = k_int.wrapping_add(1023 << 1) >> 1; // (k + 2046) / 2, k + 2046 >= 0
    let first = f64::from_bits(half << 52); // 2^(floor((k + 2046) / 2) - 1023)
    let second_exp = k_int.wrapping_add(2046).wrapping_sub(half);
    let second = f64::from_bits(second_exp << 52); // the rest of 2^k
    let result = y * first * second;
    let result = if x > MAX_ARG { f64::INFINITY } else { result };
    let result = if x < MIN_ARG { 0.0 } else { result };
    if x.is_nan() { x } else { result }
}

/// Largest `|x|` that [`exp_moderate`] takes: `2^k` is then a normal number.
const MODERATE: f64 = 700.0;

/// [`exp`] for `|x| <= MODERATE`, with the same bits: `2^k` is one normal factor, and
/// multiplying by a power of two is exact whether in one factor or two (the result stays
/// normal), so none of [`exp`]'s range handling is needed.
#[inline(always)]
fn exp_moderate(x: f64) -> f64 {
    let (y, k_int) = reduce(x);
    y * f64::from_bits(k_int.wrapping_add(1023) << 52)
}

/// `e^x = y 2^k`: returns `y = e^r` and `k` (as the bits of an `i64`) for `x` inside
/// `[MIN_ARG, MAX_ARG]`.
#[inline(always)]
fn reduce(x: f64) -> (f64, u64) {
    let shifted = x.mul_add(LOG2_E, SHIFTER);
    let k = shifted - SHIFTER;
    let hi = (-k).mul_add(LN2_HI, x);
    let lo = k * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let p = t.mul_add(P5, P4);
    let p = t.mul_add(p, P3);
    let p = t.mul_add(p, P2);
    let p = t.mul_add(p, P1);
    let c = (-t).mul_add(p, r);
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    (y, shifted.to_bits().wrapping_sub(SHIFTER.to_bits()))
}

/// `values[i] = e^values[i]` for every element (see [`exp`]), in the widest vectors the
/// CPU has: the same bits whichever is used.
pub fn exp_in_place(values: &mut [f64]) {
    crate::kernels::simd::widest(
        #[inline(always)]
        || exp_loop(values),
    );
}

/// The slice's exponentials: by [`exp_moderate`] when every value allows (a path's
/// log-prices and log-factors always do), which skips a third of the arithmetic.
#[inline(always)]
fn exp_loop(values: &mut [f64]) {
    // NaN fails the comparison too; no early exit, so the check vectorises.
    let moderate = values.iter().fold(true, |ok, v| ok & (v.abs() <= MODERATE));
    if moderate {
        for v in values.iter_mut() {
            *v = exp_moderate(*v);
        }
    } else {
        for v in values.iter_mut() {
            *v = exp(*v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two positive finite doubles.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn within_one_ulp_of_std_over_the_normal_range() {
        let mut worst = 0;
        let n = 400_000;
        for i in 0..=n {
            let x = -708.0 + 1417.78 * i as f64 / n as f64;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        // Both are within 1 ulp of the true value, so they differ by at most 1 ulp (and
        // usually agree).
        assert!(worst <= 1, "worst {worst} ulp");
        let mut small = 0;
        for i in 0..=n {
            let x = -2.0 + 4.0 * i as f64 / n as f64;
            small = small.max(ulps(exp(x), x.exp()));
        }
        assert!(small <= 1, "worst {small} ulp on [-2, 2]");
    }

    #[test]
    fn edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert!(ulps(exp(709.78), 709.78f64.exp()) <= 1);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-708.5), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert!(exp(-707.9) > 0.0);
    }

    #[test]
    fn moderate_matches_exp_bit_for_bit() {
        let n = 1_000_000;
        for i in 0..=n {
            let x = -MODERATE + 2.0 * MODERATE * i as f64 / n as f64;
            assert_eq!(exp_moderate(x).to_bits(), exp(x).to_bits(), "x = {x}");
        }
        for x in [-MODERATE, MODERATE, 0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5] {
            assert_eq!(exp_moderate(x).to_bits(), exp(x).to_bits(), "x = {x}");
        }
    }

    #[test]
    fn slices_with_extreme_values_take_the_full_range_handling() {
        for extreme in [f64::NAN, f64::INFINITY, -800.0, 709.0, -700.5] {
            let mut v = vec![0.5, -1.0, extreme, 2.0];
            let expected: Vec<u64> = v.iter().map(|&x| exp(x).to_bits()).collect();
            exp_in_place(&mut v);
            let got: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, expected, "slice with {extreme}");
        }
    }

    #[test]
    fn slice_matches_scalar_bit_for_bit() {
        let mut v: Vec<f64> = (0..1001).map(|i| (i as f64 - 500.0) * 0.37).collect();
        let expected: Vec<f64> = v.iter().map(|&x| exp(x)).collect();
        exp_in_place(&mut v);
        assert_eq!(v, expected);
        let fresh = || {
            (0..1001)
                .map(|i| (i as f64 - 500.0) * 0.37)
                .collect::<Vec<f64>>()
        };
        let mut sse2 = fresh();
        exp_loop(&mut sse2);
        assert_eq!(sse2, expected);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                let mut avx2 = fresh();
                // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                unsafe { crate::kernels::simd::avx2(|| exp_loop(&mut avx2)) };
                assert_eq!(avx2, expected);
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("fma")
            {
                let mut avx512 = fresh();
                // SAFETY: the CPU supports AVX-512F and FMA, checked just above.
                unsafe { crate::kernels::simd::avx512(|| exp_loop(&mut avx512)) };
                assert_eq!(avx512, expected);
            }
        }
    }
}
