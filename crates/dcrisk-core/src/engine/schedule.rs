//! The site schedules of one path (docs/MODEL.md sections 2.4, 2.5 and 3): when each site
//! is delivered, in lease and out for an outage, and from that the owed rent per month
//! (to each lease's end, for the guarantee), the available capacity, opex, hardware and
//! energy coefficients per month, and the prefix sums of discounted owed rent.
//!
//! Every month's figure is the sum over the sites that cover it, added in site order from
//! 0.0; that order is part of the results (floating-point addition does not associate),
//! so any faster way of building these must keep it.

use super::model::Model;
use super::scratch::{Lease, ScheduleRows, Scratch, VECTOR};

/// A landlord default before delivery (`s < d_i`) slips the site by
/// `pre_delivery_delay_months`; during the lease, and inside the horizon, it takes the
/// site out for `outage_months` from `floor(s)`.
pub(super) fn apply_landlord_effects(model: &Model, s: &mut Scratch) {
    for (i, site) in model.sites.iter().enumerate() {
        let when = s.default_month[site.landlord];
        let d = s.delivery[i];
        s.outage[i] = (0, 0);
        if when < d as f64 {
            s.delivery[i] = d + model.pre_delivery_delay;
        } else if when < (d + site.term_months as i64) as f64 && when < model.months as f64 {
            let start = when.floor() as i64;
            s.outage[i] = (start, start + model.outage_months);
        }
    }
}

/// Per-month rent (to the schedule's end), the runs' sums of capacity, opex, hardware and
/// energy, and the prefix sums of discounted rent for the guarantee. [`write_monthly`]
/// later spells the runs out month by month, once the tenant's default month is known.
pub(super) fn build_schedules(model: &Model, s: &mut Scratch) {
    set_leases(model, s);
    crate::kernels::simd::widest(
        #[inline(always)]
        || {
            add_rents(model, s);
            sum_runs(model, s);
        },
    );
    let n = model.schedule_len;
    discounted_prefix_sums(&s.rent[..n], &model.df[..n], &mut s.w[..=n]);
}

/// Each site's lease on this path, and the months of the horizon where the set of
/// covering sites may change (month 0, deliveries, outage starts and ends, lease ends).
fn set_leases(model: &Model, s: &mut Scratch) {
    let t_end = model.months as i64;
    s.change.fill(0);
    let mut mark = |month: i64| {
        if month < t_end {
            let t = month.max(0) as usize;
            s.change[t / 64] |= 1 << (t % 64);
        }
    };
    mark(0);
    for (u, (unit, place)) in model.units.iter().zip(&model.unit_places).enumerate() {
        // A tranche comes online `offset` months after its site and leases to the site's
        // end (docs/MODEL.md 8.2); a whole site is its one unit, with offset 0.
        let i = place.site;
        let d = s.delivery[i] + place.offset;
        let rent_end = (d + unit.term_months as i64).min(model.schedule_len as i64);
        let end =
            (d + unit.term_months as i64 + s.renewed_months[i]).min(model.schedule_len as i64);
        // The outage only abates months inside the horizon; an empty one moves to the
        // lease's end, where it cuts nothing out.
        let (out_start, out_end) = match s.outage[i] {
            (a, b) if a < b.min(t_end) => (a, b.min(t_end)),
            _ => (end, end),
        };
        let lease = Lease {
            begin: d,
            end,
            out_start,
            out_end,
            hardware: unit.hardware(d),
            rent_end,
        };
        for month in [lease.begin, lease.end, lease.out_start, lease.out_end] {
            mark(month);
        }
        s.leases[u] = lease;
    }
    s.starts.clear();
    for (w, &word) in s.change.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            s.starts.push(64 * w + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
}

/// `w[u] = sum_{v < u} rent[v] df[v]` for `u = 0..=n` (`w` one longer than `rent`).
///
/// The two halves are summed side by side, each in month order from 0.0 (two chains of
/// dependent additions, each half as long as one), and the first half's total is then
/// added to every sum of the second.
fn discounted_prefix_sums(rent: &[f64], df: &[f64], w: &mut [f64]) {
    let n = rent.len();
    let half = n / 2;
    let discounted = |u: usize| rent[u] * df[u];
    let (first, second) = w[..=n].split_at_mut(half + 1);
    first[0] = 0.0;
    let (mut a, mut b) = (0.0, 0.0);
    for u in 0..half {
        a += discounted(u);
        b += discounted(half + u);
        first[u + 1] = a;
        second[u] = b;
    }
    for u in 2 * half..n {
        b += discounted(u);
        second[u - half] = b;
    }
    for w in second.iter_mut() {
        *w += a;
    }
}

/// Owed rent per month, site by site (so in site order), each site's as at most two runs
/// of its month-by-month rent, `capacity_mw 1000 rent_per_kw_month (1 +
/// rent_escalator)^floor((t - d_i) / 12)`: before and after its outage.
#[inline(always)]
fn add_rents(model: &Model, s: &mut Scratch) {
    s.rent.fill(0.0);
    for (lease, site) in s.leases.iter().zip(&model.units) {
        for (a, b) in lease.runs(lease.begin.max(0), lease.rent_end) {
            if a < b {
                let (from, to) = ((a - lease.begin) as usize, (b - lease.begin) as usize);
                let rents = &site.rent_by_month[from..to];
                for (r, &rent) in s.rent[a as usize..b as usize].iter_mut().zip(rents) {
                    *r += rent;
                }
            }
        }
    }
}

/// Capacity, opex, hardware and energy of each run of months.
///
/// The covering sites only change at `s.starts`, so the site-order sums are formed once
/// per run, all runs side by side (see [`add_covering_sites`]); [`write_monthly`] then
/// spells them out month by month.
#[inline(always)]
fn sum_runs(model: &Model, s: &mut Scratch) {
    let width = s.rows.count();
    let runs = padded_runs(s);
    // Past the last run, a month no lease covers.
    let starts = &mut s.run_starts[..runs];
    for (i, start) in starts.iter_mut().enumerate() {
        *start = s.starts.get(i).map_or(f64::INFINITY, |&t| t as f64);
    }
    let sums = &mut s.run_sums[..width * runs];
    add_covering_sites(model, &s.leases, starts, sums);
}

/// Runs counted to a whole vector (the length of each row of `s.run_sums`).
fn padded_runs(s: &Scratch) -> usize {
    s.starts.len().next_multiple_of(VECTOR)
}

/// The rows of [`Scratch::monthly`] from the runs' sums: capacity for every month (it is
/// recorded), the rest for months `0..alive` (the tenant's; only those are read).
///
/// Run after run, each over the rows a whole vector of months at a time, so possibly over
/// up to `VECTOR - 1` months after the run's end: the next run writes over them, or they
/// fall in the row's slack. (One loop per run, not per row and run: its trip count is what
/// the branch predictor misses.)
#[inline(always)]
pub(super) fn write_monthly(model: &Model, s: &mut Scratch, alive: usize) {
    let t_end = model.months;
    let width = s.rows.count();
    let runs = padded_runs(s);
    let sums = &s.run_sums[..width * runs];
    let stride = s.rows.stride();
    let monthly = &mut s.monthly[..width * stride];
    for (i, &a) in s.starts.iter().enumerate() {
        let b = s.starts.get(i + 1).map_or(t_end, |&b| b);
        for at in (a..b).step_by(VECTOR) {
            let rows = if at < alive {
                width
            } else {
                ScheduleRows::CAPACITY + 1
            };
            for r in 0..rows {
                let at = r * stride + at;
                monthly[at..at + VECTOR].copy_from_slice(&[sums[r * runs + i]; VECTOR]);
            }
        }
    }
}

/// The runs' sums, given their first months, into `sums` (row after row, `[row * runs +
/// run]`): each run's over the sites whose lease covers it, in site order.
///
/// Every site is added to every run, as its value times 1 where it covers the run and
/// times 0 where not, so the loop over the runs has no branches (a select compiled to
/// scalar code); adding 0.0 leaves a sum's bits as they were (a sum starts at +0.0 and so
/// is never -0.0). The values are finite, as the scenario's numbers are checked to be (a
/// scenario whose monthly figures overflowed would give infinities elsewhere anyway).
#[inline(always)]
fn add_covering_sites(model: &Model, leases: &[Lease], starts: &[f64], sums: &mut [f64]) {
    let runs = starts.len();
    sums.fill(0.0);
    let (capacity, rest) = sums.split_at_mut(runs);
    let (opex, rest) = rest.split_at_mut(runs);
    let (hardware, energy) = rest.split_at_mut(runs);
    for (lease, site) in leases.iter().zip(&model.units) {
        // Months are small integers, exact as f64.
        let [(a, b), (c, d)] = lease
            .runs(lease.begin, lease.end)
            .map(|(from, to)| (from as f64, to as f64));
        let region = &mut energy[site.region * runs..(site.region + 1) * runs];
        for ((((capacity, opex), hardware), energy), &m) in capacity
            .iter_mut()
            .zip(opex.iter_mut())
            .zip(hardware.iter_mut())
            .zip(region.iter_mut())
            .zip(starts)
        {
            // 1 where `a <= m < b` or `c <= m < d`, else 0.
            let inside = |from: f64, to: f64| (m - from + 1.0).min(to - m).clamp(0.0, 1.0);
            let covered = inside(a, b).max(inside(c, d));
            *capacity += site.capacity_mw * covered;
            *opex += site.opex * covered;
            *hardware += lease.hardware * covered;
            *energy += site.energy * covered;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::site_model::SiteModel;
    use crate::engine::states::draw_path_events;
    use crate::random::{Draws, Stream};

    fn base_model() -> Model {
        Model::new(&crate::scenario::shipped_base_case())
    }

    /// The schedules as first written: every site added into every month it covers.
    fn reference_schedules(model: &Model, s: &mut Scratch) {
        s.rent.fill(0.0);
        s.monthly.fill(0.0);
        for (i, site) in model.sites.iter().enumerate() {
            let d = s.delivery[i];
            let lease_end = (d + site.term_months as i64).min(model.schedule_len as i64);
            let (out_start, out_end) = s.outage[i];
            let out_end = out_end.min(model.months as i64);
            let hardware = site.hardware_base * site.hardware_growth.powf(d as f64 / 12.0);
            if out_start < out_end {
                add_months(model, s, site, d, d, out_start.min(lease_end), hardware);
                add_months(model, s, site, d, out_end.max(d), lease_end, hardware);
            } else {
                add_months(model, s, site, d, d, lease_end, hardware);
            }
        }
        s.w[0] = 0.0;
        for u in 0..model.schedule_len {
            s.w[u + 1] = s.w[u] + s.rent[u] * model.df[u];
        }
    }

    fn add_months(
        model: &Model,
        s: &mut Scratch,
        site: &SiteModel,
        d: i64,
        from: i64,
        to: i64,
        hardware: f64,
    ) {
        let mut u = from.max(0);
        while u < to {
            let year = (u - d) / 12;
            let year_end = (d + 12 * (year + 1)).min(to);
            let rent = site.rent_by_year[year as usize];
            for r in &mut s.rent[u as usize..year_end as usize] {
                *r += rent;
            }
            u = year_end;
        }
        let (a, b) = (from.max(0) as usize, (to.max(0) as usize).min(model.months));
        if a >= b {
            return;
        }
        for t in a..b {
            let at = |row: usize| row * s.rows.stride() + t;
            s.monthly[at(ScheduleRows::CAPACITY)] += site.capacity_mw;
            s.monthly[at(ScheduleRows::OPEX)] += site.opex;
            s.monthly[at(ScheduleRows::HARDWARE)] += hardware;
            s.monthly[at(ScheduleRows::ENERGY + site.region)] += site.energy;
        }
    }

    /// Builds the schedules of `s`'s deliveries and outages both ways (each on scratch
    /// left dirty by earlier paths) and asserts they agree bit for bit.
    fn assert_same(model: &Model, s: &mut Scratch, reference: &mut Scratch, what: &str) {
        reference.delivery.clone_from(&s.delivery);
        reference.outage.clone_from(&s.outage);
        build_schedules(model, s);
        write_monthly(model, s, model.months);
        reference_schedules(model, reference);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&s.rent), bits(&reference.rent), "rent differs: {what}");
        // `w` is summed in two halves, so its last bits may differ from one month-order sum.
        for (u, (&new, &old)) in s.w.iter().zip(&reference.w).enumerate() {
            assert!(
                (new - old).abs() <= 1e-14 * old.abs(),
                "w[{u}] = {new}, month-order sum {old}: {what}"
            );
        }
        // The rows, not the slack after them.
        for r in 0..s.rows.count() {
            let row = |s: &Scratch| bits(s.schedule_row(r));
            assert_eq!(row(s), row(reference), "monthly row {r} differs: {what}");
        }
    }

    /// The prefix sums in two halves equal one month-order sum: bit for bit over the first
    /// half, within rounding after it, for schedules of odd and even lengths.
    #[test]
    fn discounted_prefix_sums_match_one_running_sum() {
        for n in 0..40 {
            let rent: Vec<f64> = (0..n)
                .map(|u| 1e6 * (1.0 + (u as f64 * 0.7).sin()))
                .collect();
            let df: Vec<f64> = (0..n).map(|u| 0.99f64.powi(u as i32)).collect();
            let mut w = vec![f64::NAN; n + 1];
            discounted_prefix_sums(&rent, &df, &mut w);
            let mut sum = 0.0;
            for u in 0..=n {
                if u > 0 {
                    sum += rent[u - 1] * df[u - 1];
                }
                if u <= n / 2 {
                    assert_eq!(w[u].to_bits(), sum.to_bits(), "n = {n}, u = {u}");
                } else {
                    assert!((w[u] - sum).abs() <= 1e-14 * sum, "n = {n}, u = {u}");
                }
            }
        }
    }

    #[test]
    fn schedules_match_site_by_site_sums_on_drawn_paths() {
        let model = base_model();
        let mut s = Scratch::new(&model);
        let mut reference = Scratch::new(&model);
        let (mut outages, mut slips) = (0, 0);
        for path in 0..400 {
            // The draws of simulate_path, up to the schedules.
            let mut main = Draws::new(7, path, Stream::Main, false);
            draw_path_events(&model, &mut main, &mut s);
            let planned = s.delivery.clone();
            apply_landlord_effects(&model, &mut s);
            outages += s.outage.iter().filter(|(a, b)| a < b).count();
            slips += planned
                .iter()
                .zip(&s.delivery)
                .filter(|(a, b)| a != b)
                .count();
            assert_same(&model, &mut s, &mut reference, &format!("path {path}"));
        }
        // The paths exercised what they should: outages and slipped deliveries.
        assert!(
            outages > 100 && slips > 100,
            "{outages} outages, {slips} slips"
        );
    }

    #[test]
    fn schedules_match_site_by_site_sums_on_edge_cases() {
        let model = base_model();
        let (t_end, n) = (model.months as i64, model.sites.len());
        let mut s = Scratch::new(&model);
        let mut reference = Scratch::new(&model);
        // Site 2 has a 10-year term, site 0 a 15-year one.
        assert_eq!(model.sites[2].term_months, 120);
        assert_eq!(model.sites[0].term_months, 180);
        let cases: [(&str, usize, i64, (i64, i64)); 9] = [
            ("outage overlapping the lease end", 2, 20, (138, 141)),
            ("outage past the horizon", 0, 10, (178, 181)),
            ("outage from delivery", 0, 15, (15, 18)),
            ("delivery after the horizon", 0, t_end + 5, (0, 0)),
            ("delivery in the horizon's last month", 2, t_end - 1, (0, 0)),
            ("lease ending before the horizon", 2, 6, (0, 0)),
            (
                "lease ending before the horizon, with outage",
                2,
                6,
                (50, 53),
            ),
            ("delivery at month 0", 0, 0, (0, 3)),
            (
                "outage starting in the last month",
                0,
                30,
                (t_end - 1, t_end + 2),
            ),
        ];
        for (what, site, d, outage) in cases {
            for (i, p) in model.sites.iter().enumerate() {
                s.delivery[i] = i64::from(p.planned_delivery);
                s.outage[i] = (0, 0);
            }
            s.delivery[site] = d;
            s.outage[site] = outage;
            assert_same(&model, &mut s, &mut reference, what);
        }
        // Every site at once, at random: deliveries from before month 0 (which the model's
        // non-negative delays never give, but the schedules allow) to past the horizon,
        // outages anywhere from delivery to beyond the lease end.
        let mut draws = Draws::new(11, 0, Stream::Main, false);
        for case in 0..300 {
            for i in 0..n {
                let d = (draws.uniform() * (t_end + 60) as f64) as i64 - 20;
                let start = d + (draws.uniform() * (model.sites[i].term_months + 6) as f64) as i64;
                s.delivery[i] = d;
                s.outage[i] = if draws.uniform() < 0.5 {
                    (start, start + model.outage_months)
                } else {
                    (0, 0)
                };
            }
            assert_same(
                &model,
                &mut s,
                &mut reference,
                &format!("random case {case}"),
            );
        }
    }
}
