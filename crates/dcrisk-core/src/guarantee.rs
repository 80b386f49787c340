//! The rent guarantee: claims, payout, the landlords' shortfall and the exposure profile
//! (docs/MODEL.md 4), computed from the prefix sums of a path's discounted owed rent.
//!
//! `w[u] = sum_{v < u} owed(v) df(v)`, for `u` up to the last lease month, so any window of
//! discounted rent is a difference of two entries.

use crate::scenario::Guarantee;

/// Discounted owed rent over months `[a, b)`, clipped to the schedule.
#[inline]
fn window(w: &[f64], a: usize, b: usize) -> f64 {
    let end = w.len() - 1;
    let (a, b) = (a.min(end), b.min(end));
    if b > a { w[b] - w[a] } else { 0.0 }
}

/// `G(t) df(t)`: the claim at a default in month `t`, as present value at month 0.
///
/// Rent is unrecovered in full for `u < t + R`, and `(1 - rf)` of it after, over the
/// `Gm` months from `t`.
#[inline]
pub fn claim_pv(w: &[f64], t: usize, g: &Guarantee) -> f64 {
    claim_of(|a, b| window(w, a, b), t, g)
}

/// The claim `G(t) df(t)` from `rent(a, b)`, the discounted owed rent of months `[a, b)`
/// however it is summed (all sites' prefix sums here; one landlord's leases in
/// `engine::parties`): the full rent until the re-let, `1 - rf` of it after, over the
/// `Gm` months from `t`.
#[inline(always)]
pub fn claim_of(rent: impl Fn(usize, usize) -> f64, t: usize, g: &Guarantee) -> f64 {
    let full_end = t + (g.relet_months.min(g.max_months) as usize);
    let end = t + g.max_months as usize;
    rent(t, full_end) + (1.0 - g.relet_fraction) * rent(full_end, end)
}

/// The rent left unrecovered by a default in month `t`, present value at month 0, from
/// `rent(a, b)` as in [`claim_of`]: all of it until the re-let, `1 - rf` of it after, to
/// the leases' end.
#[inline(always)]
pub fn unrecovered_of(rent: impl Fn(usize, usize) -> f64, t: usize, g: &Guarantee) -> f64 {
    let relet = t + g.relet_months as usize;
    rent(t, relet) + (1.0 - g.relet_fraction) * rent(relet, usize::MAX)
}

/// `min(cap, G(t))` in month-t dollars: what the guarantor would pay at a default in month t.
#[inline]
pub fn exposure(w: &[f64], df: &[f64], t: usize, g: &Guarantee) -> f64 {
    g.cap.min(claim_pv(w, t, g) / df[t])
}

/// [`exposure`] of every month `t < out.len()`, into `out`. The months whose windows lie
/// inside the schedule go together, element by element (so they vectorise, with the same
/// bits); the last few, whose windows are clipped, one by one.
#[inline(always)]
pub fn exposure_profile(w: &[f64], df: &[f64], g: &Guarantee, out: &mut [f64]) {
    let end = w.len() - 1;
    let full = g.relet_months.min(g.max_months) as usize;
    let span = g.max_months as usize;
    // Months `t` with `t + span <= end`.
    let inside = (end + 1).saturating_sub(span).min(out.len());
    let keep = 1.0 - g.relet_fraction;
    let window = |at: usize| w.get(at..at + inside).unwrap_or_default();
    let (from, relet, to) = (window(0), window(full), window(span));
    for (((o, &a), (&b, &c)), &d) in out[..inside]
        .iter_mut()
        .zip(from)
        .zip(relet.iter().zip(to))
        .zip(&df[..inside])
    {
        // `claim_pv`'s two windows; an empty one is `x - x = 0`, as `window` has it.
        let claim = (b - a) + keep * (c - b);
        *o = g.cap.min(claim / d);
    }
    for (t, o) in out.iter_mut().enumerate().skip(inside) {
        *o = exposure(w, df, t, g);
    }
}

/// Guarantor payout and landlords' shortfall, both present values at month 0, for a tenant
/// default in month `tau`.
pub fn payout_and_shortfall(w: &[f64], df: &[f64], tau: usize, g: &Guarantee) -> (f64, f64) {
    let payout = exposure(w, df, tau, g) * df[tau];
    let unrecovered = unrecovered_of(|a, b| window(w, a, b), tau, g);
    (payout, unrecovered - payout)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rent 100 a month for 10 months, no discounting (df = 1).
    fn flat() -> (Vec<f64>, Vec<f64>) {
        let w: Vec<f64> = (0..=10).map(|u| 100.0 * u as f64).collect();
        (w, vec![1.0; 11])
    }

    #[test]
    fn hand_computed_claim() {
        let (w, df) = flat();
        // Default at 2; 4 months covered; re-let after 1 month at 70%.
        // Months 2: 100; 3, 4, 5: 30 each -> 190.
        let g = Guarantee {
            cap: 1e9,
            max_months: 4,
            relet_months: 1,
            relet_fraction: 0.7,
        };
        assert!((claim_pv(&w, 2, &g) - 190.0).abs() < 1e-9);
        // Cap binds.
        let capped = Guarantee {
            cap: 150.0,
            ..g.clone()
        };
        assert_eq!(exposure(&w, &df, 2, &capped), 150.0);
        // Shortfall: months 2..10 unrecovered = 100 + 7 * 30 = 310; minus payout 190.
        let (pay, short) = payout_and_shortfall(&w, &df, 2, &g);
        assert!((pay - 190.0).abs() < 1e-9 && (short - 120.0).abs() < 1e-9);
        // Near the end of the lease the window is clipped: at 8, months 8, 9 only.
        assert!((claim_pv(&w, 8, &g) - 130.0).abs() < 1e-9);
    }

    /// The profile equals month-by-month `exposure`, bit for bit, whether the windows fit
    /// the schedule, are clipped, or are empty.
    #[test]
    fn profile_matches_each_month() {
        let w: Vec<f64> = (0..=40)
            .scan(0.0, |acc, u| {
                *acc += 100.0 + (u as f64 * 0.7).sin() * 30.0;
                Some(*acc * 0.99f64.powi(u))
            })
            .collect();
        let df: Vec<f64> = (0..=40).map(|u| 0.995f64.powi(u + 1)).collect();
        for (max_months, relet_months, cap) in
            [(6, 2, 1e9), (6, 0, 1e9), (4, 9, 500.0), (60, 3, 1e9)]
        {
            let g = Guarantee {
                cap,
                max_months,
                relet_months,
                relet_fraction: 0.6,
            };
            let mut out = vec![0.0; 38];
            exposure_profile(&w, &df, &g, &mut out);
            for (t, &got) in out.iter().enumerate() {
                assert_eq!(
                    got.to_bits(),
                    exposure(&w, &df, t, &g).to_bits(),
                    "{g:?} month {t}"
                );
            }
        }
    }

    #[test]
    fn hand_computed_discounting() {
        // owed 100 at months 0 and 1, df = 1, 0.5, 0.25: w = [0, 100, 150, 150].
        let w = vec![0.0, 100.0, 150.0, 150.0];
        let df = vec![1.0, 0.5, 0.25];
        let g = Guarantee {
            cap: 1e9,
            max_months: 12,
            relet_months: 12,
            relet_fraction: 0.0,
        };
        // At month 1: only month 1's rent, 50 PV, worth 100 in month-1 dollars.
        assert!((exposure(&w, &df, 1, &g) - 100.0).abs() < 1e-9);
        let (pay, short) = payout_and_shortfall(&w, &df, 1, &g);
        assert!((pay - 50.0).abs() < 1e-9 && short.abs() < 1e-9);
        // A zero cap pays nothing and leaves the whole claim to the landlords.
        let none = Guarantee { cap: 0.0, ..g };
        let (pay, short) = payout_and_shortfall(&w, &df, 0, &none);
        assert_eq!(pay, 0.0);
        assert!((short - 150.0).abs() < 1e-9);
    }
}
