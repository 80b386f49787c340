//! A path's random draws and the random states they drive (docs/MODEL.md section 2):
//! the once-per-path draws (delays, the landlord copula, the tenant's clock), the monthly
//! draws, the correlated shocks, the state recurrences of power prices, demand and cloud
//! price, and the tenant's default month.
//!
//! The order of the draws is the common-random-numbers contract (docs/MODEL.md,
//! "Random streams"): the main stream takes a fixed number of draws per path whatever the
//! parameters, and [`draw_path_events`] and [`draw_monthly`] are the only places that
//! take them. The random-number floor calls the same two functions.

use super::model::Model;
use super::scratch::Scratch;
use crate::kernels::exp::exp_in_place;
use crate::process::delivery::delivery_month;
use crate::random::{Draws, Stream, exponential};

/// A path's random streams: see [`Stream`].
pub struct PathStreams {
    pub main: Draws,
    pub jumps: Draws,
    pub busts: Draws,
    /// The v2 contract draws (`super::contracts`).
    pub contracts: Draws,
}

impl PathStreams {
    pub fn new(seed: u64, path: u64, antithetic: bool) -> Self {
        let draws = |stream| Draws::new(seed, path, stream, antithetic);
        PathStreams {
            main: draws(Stream::Main),
            jumps: draws(Stream::Jumps),
            busts: draws(Stream::Busts),
            contracts: draws(Stream::Contracts),
        }
    }
}

/// What a path's once-per-path draws decide besides the scratch's delivery and landlord
/// default months.
#[derive(Clone, Copy, Debug)]
pub struct PathEvents {
    /// Landlords that default inside the horizon.
    pub landlord_defaults: u32,
    /// The tenant's clock `E ~ Exp(1)`: it defaults when its cumulative hazard reaches it.
    pub tenant_threshold: f64,
    /// The landlord copula's systemic factor `M` (the guarantor loads on it too).
    pub systemic: f64,
}

/// The main stream's once-per-path draws, in their fixed order: one uniform per site for
/// its delivery delay (into `s.delivery`), the landlord copula's systemic normal and one
/// normal per landlord (default months into `s.default_month`), one uniform for the
/// tenant's clock.
pub fn draw_path_events(model: &Model, main: &mut Draws, s: &mut Scratch) -> PathEvents {
    for (d, site) in s.delivery.iter_mut().zip(&model.sites) {
        *d = delivery_month(site.planned_delivery, &site.delay, main.uniform());
    }
    let (landlord_defaults, systemic) = draw_landlord_defaults(model, main, s);
    PathEvents {
        landlord_defaults,
        tenant_threshold: exponential(main.uniform()),
        systemic,
    }
}

/// Draws the systemic factor and each landlord's own factor; returns the count of
/// landlords that default inside the horizon, and the systemic factor.
fn draw_landlord_defaults(model: &Model, main: &mut Draws, s: &mut Scratch) -> (u32, f64) {
    let systemic = main.normal();
    let mut count = 0;
    for (j, slot) in s.default_month.iter_mut().enumerate() {
        let own = main.normal();
        *slot = model.landlords.default_month(j, systemic, own);
        count += u32::from(*slot < model.months as f64);
    }
    (count, systemic)
}

/// A path's monthly draws, into `s`: every region's jumps (jump stream), the demand busts
/// (busts stream), then the independent normals (main stream, factor by factor).
pub fn draw_monthly(model: &Model, s: &mut Scratch, streams: &mut PathStreams) {
    let t_end = model.months;
    let steps = t_end.saturating_sub(1);
    for (k, p) in model.power.iter().enumerate() {
        p.jumps(
            &mut streams.jumps,
            &mut s.jumps[k * t_end..k * t_end + steps],
        );
    }
    model
        .demand
        .bust_drops(&mut streams.busts, &mut s.drops[..steps]);
    // The market rent's factor, last when present, draws from the contracts stream
    // (docs/MODEL.md 8.3), so the main stream's draws are v1's.
    let main_factors = model.regions() + 2;
    for j in 0..model.shocks.factors() {
        let stream = if j < main_factors {
            &mut streams.main
        } else {
            &mut streams.contracts
        };
        stream.fill_normals(&mut s.shocks[s.layout.row(j)][..steps]);
    }
}

/// Steps the random states through months `0..T` and writes their logarithms to
/// `s.levels` (see [`super::scratch::Layout`]): each region's log spot price, the log
/// demand factor, the log cloud price and the tenant's hazard exponent.
///
/// The draws come first, each kind in one tight loop ([`draw_monthly`]), and the normals
/// are correlated for all months at once. The recurrences then run month by
/// month, all regions together, so their dependency chains overlap.
pub(super) fn simulate_states(model: &Model, s: &mut Scratch, streams: &mut PathStreams) {
    let (t_end, k_regions) = (model.months, model.regions());
    let steps = t_end.saturating_sub(1);
    draw_monthly(model, s, streams);
    model.shocks.correlate_months(&mut s.shocks, t_end, steps);

    // Every state steps as `x(t+1) = x(t) decay + a(t)`; the parts `a` that do not depend
    // on the state are formed first, row by row (in the widest vectors), in place of the
    // shocks.
    crate::kernels::simd::widest(
        #[inline(always)]
        || innovations(model, s),
    );
    for (k, p) in model.power.iter().enumerate() {
        (s.x[k], s.decay[k]) = (p.x0, p.decay());
    }
    (s.x[k_regions], s.decay[k_regions]) = (0.0, 1.0);
    (s.x[k_regions + 1], s.decay[k_regions + 1]) = (model.cloud.ln_c0, 1.0);
    if let Some(m) = &model.contracts.market_rent {
        (s.x[k_regions + 2], s.decay[k_regions + 2]) = (m.ln_r0, 1.0);
    }

    step_states(s, t_end);
    let (demand, hazard) = (s.layout.demand(), s.layout.hazard());
    let (states, hazards) = s.levels.split_at_mut(hazard.start);
    for (h, &y) in hazards[..t_end].iter_mut().zip(&states[demand]) {
        *h = model.tenant.hazard_exponent(y);
    }
}

/// Each state's step parts that do not depend on the state, from its correlated shocks
/// (and the jumps and busts), in place in `s.shocks`: docs/MODEL.md 2.1 to 2.3.
#[inline(always)]
fn innovations(model: &Model, s: &mut Scratch) {
    let t_end = model.months;
    let steps = t_end.saturating_sub(1);
    let mut rows = s.shocks.chunks_exact_mut(t_end);
    for ((p, row), jumps) in model
        .power
        .iter()
        .zip(&mut rows)
        .zip(s.jumps.chunks_exact(t_end))
    {
        p.innovations(&mut row[..steps], jumps);
    }
    let demand_row = rows.next().expect("a demand factor");
    model.demand.innovations(&mut demand_row[..steps], &s.drops);
    let cloud_row = rows.next().expect("a cloud factor");
    model.cloud.innovations(&mut cloud_row[..steps]);
    if let Some(m) = &model.contracts.market_rent {
        let row = rows.next().expect("a market rent factor");
        m.innovations(&mut row[..steps]);
    }
}

/// Months a block of [`step_states`] takes at a time.
const BLOCK: usize = 8;

/// Runs the recurrences `x(t+1) = x(t) decay + a(t)` (`a` in `s.shocks`) of every state
/// through the months, into the states' rows of `s.levels`.
///
/// A block of months at a time, state after state: each state's steps through the block
/// are a chain of dependent arithmetic on a few local values, and the chains of the
/// states follow each other closely enough for the CPU to run them side by side.
fn step_states(s: &mut Scratch, t_end: usize) {
    let steps = t_end.saturating_sub(1);
    let whole = steps - steps % BLOCK;
    let (levels, shocks) = (&mut s.levels, &s.shocks);
    for first in (0..whole).step_by(BLOCK) {
        for (j, (x, &decay)) in s.x.iter_mut().zip(&s.decay).enumerate() {
            let at = j * t_end + first;
            let out: &mut [f64; BLOCK] = (&mut levels[at..at + BLOCK]).try_into().expect("a block");
            let a: &[f64; BLOCK] = shocks[at..at + BLOCK].try_into().expect("a block");
            let mut x_t = *x;
            for (o, &a) in out.iter_mut().zip(a) {
                *o = x_t;
                x_t = x_t * decay + a;
            }
            *x = x_t;
        }
    }
    for (j, (x, &decay)) in s.x.iter_mut().zip(&s.decay).enumerate() {
        let row = j * t_end;
        for t in whole..steps {
            levels[row + t] = *x;
            *x = *x * decay + shocks[row + t];
        }
        if t_end > 0 {
            levels[row + steps] = *x;
        }
    }
}

/// The tenant's default month (docs/MODEL.md 2.6): the first whose cumulative hazard
/// reaches the path's exponential threshold, `T` when none does (or the tenant cannot
/// default). Takes the exponentials of the hazard's exponents (the hazard row of
/// `s.levels`) when it needs them.
///
/// Most paths' thresholds lie beyond even `T` months at the path's largest hazard, which
/// one `exp` tells; the sum the months would give is then below the threshold too (its
/// rounding is far inside the margin allowed), so the answer is the same without them.
pub(super) fn tenant_default(model: &Model, s: &mut Scratch, threshold: f64) -> usize {
    let t_end = model.months;
    if !model.tenant.active() {
        return t_end;
    }
    let factors = &mut s.levels[s.layout.hazard()];
    // NaN is left out, as the sum would: it never reaches the threshold.
    let (_, top) = crate::math::min_max(factors);
    // In the widest vectors' code, where `exp`'s fused multiply-adds are instructions, not
    // calls.
    let top = crate::kernels::simd::widest(
        #[inline(always)]
        || crate::kernels::exp::exp(top),
    );
    let most = model.tenant.hazard(top) * t_end as f64;
    if most * (1.0 + 1e-9) < threshold {
        return t_end;
    }
    // A stretch of months at a time, so a default early in the horizon skips the `exp`
    // of the months after it.
    let mut hazard_sum = 0.0;
    for (stretch, months) in factors.chunks_mut(HAZARD_STRETCH).enumerate() {
        exp_in_place(months);
        for (t, &factor) in months.iter().enumerate() {
            hazard_sum += model.tenant.hazard(factor);
            if hazard_sum >= threshold {
                return stretch * HAZARD_STRETCH + t;
            }
        }
    }
    t_end
}

/// Months of hazards [`tenant_default`] exponentiates at a time.
const HAZARD_STRETCH: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    fn base_model() -> Model {
        Model::new(&crate::scenario::shipped_base_case())
    }

    /// The default month with the shortcut for thresholds out of reach equals a plain scan
    /// of every month's hazard, for thresholds on both sides of the shortcut's bound and
    /// at each month's cumulative hazard exactly.
    #[test]
    fn tenant_default_matches_a_full_scan() {
        let model = base_model();
        let t_end = model.months;
        let mut s = Scratch::new(&model);
        let hazard = s.layout.hazard();
        let mut draws = Draws::new(5, 0, Stream::Main, false);
        let (mut shortcuts, mut defaults) = (0, 0);
        for case in 0..200 {
            let exponents: Vec<f64> = (0..t_end)
                .map(|_| 0.4 * draws.normal() + if case % 2 == 0 { 0.0 } else { 1.0 })
                .collect();
            let factors: Vec<f64> = exponents
                .iter()
                .map(|&e| crate::kernels::exp::exp(e))
                .collect();
            let reference = |threshold: f64| {
                let mut sum = 0.0;
                for (t, &f) in factors.iter().enumerate() {
                    sum += model.tenant.hazard(f);
                    if sum >= threshold {
                        return t;
                    }
                }
                t_end
            };
            let (_, top) = crate::math::min_max(&exponents);
            let most = model.tenant.hazard(crate::kernels::exp::exp(top)) * t_end as f64;
            let total: f64 = factors.iter().map(|&f| model.tenant.hazard(f)).sum();
            let mut thresholds = vec![
                exponential(draws.uniform()),
                most,
                most * (1.0 + 1e-9),
                most * (1.0 + 2e-9),
                total,
                total * (1.0 - 1e-15),
            ];
            // Every 17th month's cumulative hazard, summed as the scan sums it.
            let mut sum = 0.0;
            for (t, &f) in factors.iter().enumerate() {
                sum += model.tenant.hazard(f);
                if t % 17 == 0 {
                    thresholds.push(sum);
                }
            }
            for threshold in thresholds {
                s.levels[hazard.clone()].copy_from_slice(&exponents);
                let tau = tenant_default(&model, &mut s, threshold);
                assert_eq!(
                    tau,
                    reference(threshold),
                    "case {case}, threshold {threshold}"
                );
                shortcuts += usize::from(most * (1.0 + 1e-9) < threshold);
                defaults += usize::from(tau < t_end);
            }
        }
        assert!(
            shortcuts > 100 && defaults > 100,
            "{shortcuts} shortcuts, {defaults} defaults"
        );
    }
}
