//! Exact summation of doubles: a 320-bit fixed-point accumulator with its lowest bit worth
//! 2^-160. Adding is exact (for magnitudes below 2^150) and therefore associative, so sums
//! formed in any order, on any thread or machine, or split across shards and merged, are
//! identical to the last bit.

const LIMBS: usize = 5;
/// Weight of the lowest bit: 2^-FRACTION_BITS.
const FRACTION_BITS: i32 = 160;

/// An exact sum of doubles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExactSum {
    /// Two's complement, little-endian limbs.
    limbs: [u64; LIMBS],
}

impl ExactSum {
    /// Adds `x` exactly (bits below 2^-160 are dropped; non-finite values are ignored).
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() || x == 0.0 {
            return;
        }
        let bits = x.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        let (mantissa, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), exp - 1075)
        };
        let shift = e + FRACTION_BITS;
        let mut m = [0u64; LIMBS];
        if shift >= 0 {
            let (limb, bit) = ((shift / 64) as usize, (shift % 64) as u32);
            if limb >= LIMBS {
                return;
            }
            m[limb] = mantissa << bit;
            if bit > 0 && limb + 1 < LIMBS {
                m[limb + 1] = mantissa >> (64 - bit);
            }
        } else if shift > -53 {
            m[0] = mantissa >> (-shift);
        } else {
            return;
        }
        if x < 0.0 {
            negate(&mut m);
        }
        self.add_limbs(&m);
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        self.add_limbs(&other.limbs);
    }

    fn add_limbs(&mut self, m: &[u64; LIMBS]) {
        let mut carry = 0u64;
        for (a, &b) in self.limbs.iter_mut().zip(m) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(carry);
            *a = s2;
            carry = u64::from(c1) + u64::from(c2);
        }
    }

    /// The sum, rounded to a double.
    pub fn value(&self) -> f64 {
        let negative = self.limbs[LIMBS - 1] >> 63 == 1;
        let mut m = self.limbs;
        if negative {
            negate(&mut m);
        }
        let magnitude = m.iter().enumerate().rev().fold(0.0, |acc, (i, &limb)| {
            acc + limb as f64 * 2f64.powi(64 * i as i32 - FRACTION_BITS)
        });
        if negative { -magnitude } else { magnitude }
    }

    /// The limbs, for partial result files.
    pub fn to_words(self) -> [u64; LIMBS] {
        self.limbs
    }

    /// From limbs written by [`ExactSum::to_words`].
    pub fn from_words(limbs: [u64; LIMBS]) -> Self {
        ExactSum { limbs }
    }
}

fn negate(m: &mut [u64; LIMBS]) {
    let mut carry = 1u64;
    for limb in m.iter_mut() {
        let (v, c) = (!*limb).overflowing_add(carry);
        *limb = v;
        carry = u64::from(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_order_free() {
        let values = [1e16, 1.0, -1e16, 3.25, -0.125, 1e-30, 7.5e10, -2.0];
        let mut a = ExactSum::default();
        values.iter().for_each(|&v| a.add(v));
        let mut b = ExactSum::default();
        values.iter().rev().for_each(|&v| b.add(v));
        assert_eq!(a, b);
        // Naive f64 summation loses the 1.0; the exact sum keeps it.
        assert_eq!(a.value(), 1.0 + 3.25 - 0.125 + 7.5e10 - 2.0 + 1e-30);
        let mut split = ExactSum::default();
        let mut rest = ExactSum::default();
        values[..3].iter().for_each(|&v| split.add(v));
        values[3..].iter().for_each(|&v| rest.add(v));
        split.merge(&rest);
        assert_eq!(split, a);
    }

    #[test]
    fn negative_totals_and_round_trip() {
        let mut s = ExactSum::default();
        s.add(-5.5);
        s.add(2.0);
        assert_eq!(s.value(), -3.5);
        assert_eq!(ExactSum::from_words(s.to_words()), s);
        assert_eq!(ExactSum::default().value(), 0.0);
    }
}
