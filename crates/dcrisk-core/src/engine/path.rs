//! One Monte Carlo path: draws, the site schedules, the monthly cash flows of MODEL.md
//! section 3, and the guarantee of section 4.

use super::model::Model;
use crate::exp::exp_in_place;
use crate::guarantee;
use crate::process::delivery::delivery_month;
use crate::random::{Draws, Stream, exponential};
use crate::results::{Metric, PathMetrics};

/// Number of per-path metrics.
pub const METRICS: usize = Metric::ALL.len();
/// Per-path values: the metrics, then the control variates.
pub const COLUMNS: usize = PathMetrics::COLUMNS;

/// Receives the monthly series of a path: `values[t]` of series `series` for each month.
pub trait MonthSink {
    fn record(&mut self, series: usize, values: &[f64]);
}

/// Working memory for one path, reused across paths so the path loop never allocates.
#[derive(Clone, Debug)]
pub struct Scratch {
    delivery: Vec<i64>,
    /// Outage `[start, end)` per site, empty when none.
    outage: Vec<(i64, i64)>,
    default_month: Vec<f64>,
    /// Owed rent per month to the schedule's end (outages only inside the horizon).
    rent: Vec<f64>,
    /// Per month, row by row (see [`Row`]): available capacity, opex, hardware, then each
    /// region's MWh per $/MWh drawn at full load. Each row is followed by [`VECTOR`] values
    /// of slack, which [`write_monthly`] may write past the row's end. Rows other than
    /// capacity hold only the months before the tenant's default.
    monthly: Vec<f64>,
    /// The energy bill at full load per month, summed over regions.
    bill: Vec<f64>,
    /// Prefix sums of discounted owed rent.
    w: Vec<f64>,
    /// Each site's lease on this path.
    leases: Vec<Lease>,
    /// Months of the horizon where the set of covering sites may change, as bits (month
    /// `t` is bit `t % 64` of word `t / 64`).
    change: Vec<u64>,
    /// The same months in increasing order: where each run of equal schedules starts.
    starts: Vec<usize>,
    /// Each run's first month (as `f64`), then infinity to a whole vector of runs.
    run_starts: Vec<f64>,
    /// Each run's capacity, opex, hardware and energy per region, row after row (`[row *
    /// runs + run]`, `runs` counting the padding of `run_starts`).
    run_sums: Vec<f64>,
    exposure: Vec<f64>,
    /// Each month's independent normals, `[factor * T + t]`, correlated in place into
    /// shocks, then turned into the parts of the steps that do not depend on the state.
    shocks: Vec<f64>,
    /// Log drop of demand from busts per month.
    drops: Vec<f64>,
    /// The states (log prices, log demand factor, log cloud price) and how each decays
    /// from one month to the next.
    x: Vec<f64>,
    decay: Vec<f64>,
    /// Per month, row by row: each region's spot price, the demand factor, the cloud
    /// price and the tenant's hazard factor (logarithms until the `exp` sweep).
    levels: Vec<f64>,
    /// Each region's log jump per month, `[k * T + t]`.
    jumps: Vec<f64>,
    demand: Vec<f64>,
    /// Program and cloud cost per month while the tenant is alive, 0 after.
    program: Vec<f64>,
    cloud: Vec<f64>,
    /// Per month, row by row: see [`FLOWS`].
    flows: Vec<f64>,
}

impl Scratch {
    pub fn new(model: &Model) -> Self {
        let t = model.months;
        let k = model.regions();
        Scratch {
            delivery: vec![0; model.sites.len()],
            outage: vec![(0, 0); model.sites.len()],
            default_month: vec![0.0; model.landlords.len()],
            rent: vec![0.0; model.schedule_len],
            monthly: vec![0.0; (Row::ENERGY + k) * row_stride(t)],
            bill: vec![0.0; t],
            w: vec![0.0; model.schedule_len + 1],
            leases: vec![Lease::default(); model.sites.len()],
            change: vec![0; t.div_ceil(64)],
            starts: Vec::with_capacity(4 * model.sites.len() + 1),
            run_starts: vec![0.0; max_runs(model)],
            run_sums: vec![0.0; max_runs(model) * (Row::ENERGY + k)],
            exposure: vec![0.0; t],
            shocks: vec![0.0; (k + 2) * t],
            drops: vec![0.0; t],
            x: vec![0.0; k + 2],
            decay: vec![0.0; k + 2],
            levels: vec![0.0; (k + 3) * t],
            jumps: vec![0.0; k * t],
            demand: vec![0.0; t],
            program: vec![0.0; t],
            cloud: vec![0.0; t],
            flows: vec![0.0; FLOWS * t],
        }
    }

    /// The first value of each kind of monthly draw, for the random-number floor to return
    /// (any read of the buffers keeps their writes from being optimised away).
    pub fn checksum(&self) -> f64 {
        let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
        first(&self.shocks) + first(&self.jumps) + first(&self.drops)
    }
}

/// Number of per-month series: a power price per region, then demand, capacity, program
/// cost, cloud cost and guarantor exposure.
pub fn series_count(model: &Model) -> usize {
    model.regions() + 5
}

/// Simulates path `path` of a run seeded with `seed`; returns its metrics in
/// [`Metric::ALL`] order and feeds its monthly series to `sink`.
pub fn simulate_path(
    model: &Model,
    seed: u64,
    path: u64,
    s: &mut Scratch,
    sink: &mut impl MonthSink,
) -> [f64; COLUMNS] {
    let mut streams = PathStreams::new(model, seed, path);
    let main = &mut streams.main;
    let t_end = model.months;

    for (d, site) in s.delivery.iter_mut().zip(&model.sites) {
        *d = delivery_month(site.planned_delivery, &site.delay, main.uniform());
    }
    let landlord_defaults = draw_landlord_defaults(model, main, s);
    let tenant_threshold = exponential(main.uniform());
    apply_landlord_effects(model, s);
    build_schedules(model, s);
    crate::simd::widest(
        #[inline(always)]
        || guarantee::exposure_profile(&s.w, &model.df, &model.guarantee, &mut s.exposure),
    );

    let (m, tau) = MonthLoop::run(model, s, tenant_threshold, &mut streams, sink);

    let (payout, shortfall) = if tau < t_end {
        guarantee::payout_and_shortfall(&s.w, &model.df, tau, &model.guarantee)
    } else {
        (0.0, 0.0)
    };
    let mut out = [0.0; COLUMNS];
    out[Metric::SavingsPv.index()] = m.cloud_pv - m.program_pv;
    out[Metric::ProgramCostPv.index()] = m.program_pv;
    out[Metric::CloudCostPv.index()] = m.cloud_pv;
    out[Metric::RentPv.index()] = m.rent_pv;
    out[Metric::PowerCostPv.index()] = m.power_pv;
    out[Metric::OpexPv.index()] = m.opex_pv;
    out[Metric::HardwarePv.index()] = m.hardware_pv;
    out[Metric::OverflowCostPv.index()] = m.overflow_pv;
    out[Metric::IdleMwMonths.index()] = m.idle_mw_months;
    out[Metric::OverflowMwMonths.index()] = m.overflow_mw_months;
    out[Metric::LandlordDefaults.index()] = landlord_defaults as f64;
    out[Metric::TenantDefault.index()] = f64::from(u8::from(tau < t_end));
    out[Metric::GuarantorPayoutPv.index()] = payout;
    out[Metric::LandlordShortfallPv.index()] = shortfall;
    out[METRICS..].copy_from_slice(&m.controls);
    out
}

/// A path's random streams: see [`Stream`].
pub struct PathStreams {
    pub main: Draws,
    pub jumps: Draws,
    pub busts: Draws,
}

impl PathStreams {
    pub fn new(model: &Model, seed: u64, path: u64) -> Self {
        let draws = |stream| Draws::new(seed, path, stream, model.antithetic);
        PathStreams {
            main: draws(Stream::Main),
            jumps: draws(Stream::Jumps),
            busts: draws(Stream::Busts),
        }
    }
}

/// Draws the systemic factor and each landlord's own factor; returns the count of
/// landlords that default inside the horizon.
fn draw_landlord_defaults(model: &Model, main: &mut Draws, s: &mut Scratch) -> u32 {
    let systemic = main.normal();
    let mut count = 0;
    for (j, slot) in s.default_month.iter_mut().enumerate() {
        let own = main.normal();
        *slot = model.landlords.default_month(j, systemic, own);
        count += u32::from(*slot < model.months as f64);
    }
    count
}

/// A landlord default before delivery slips the site; during the lease (and inside the
/// horizon) it takes the site out for `outage_months` from `floor(s)`.
fn apply_landlord_effects(model: &Model, s: &mut Scratch) {
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

/// One site's lease on one path: rent and capacity for months `[begin, end)` except the
/// outage months `[out_start, out_end)`.
#[derive(Clone, Copy, Debug, Default)]
struct Lease {
    begin: i64,
    end: i64,
    out_start: i64,
    out_end: i64,
    /// Monthly hardware charge, priced at the delivery month.
    hardware: f64,
}

impl Lease {
    /// Months `[from, to)` (inside the lease) less the outage, as two runs; either may be
    /// empty (`from >= to`).
    #[inline]
    fn runs(&self, from: i64, to: i64) -> [(i64, i64); 2] {
        [(from, to.min(self.out_start)), (from.max(self.out_end), to)]
    }
}

/// Per-month rent (to the schedule's end), available capacity, opex, hardware and energy
/// coefficients, and the prefix sums of discounted rent for the guarantee.
///
/// Every month's figure is the sum over the sites that cover it, added in site order from
/// 0.0; that order is part of the results (floating-point addition does not associate),
/// so any faster way of building these must keep it.
fn build_schedules(model: &Model, s: &mut Scratch) {
    set_leases(model, s);
    crate::simd::widest(
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
    for (i, site) in model.sites.iter().enumerate() {
        let d = s.delivery[i];
        let end = (d + site.term_months as i64).min(model.schedule_len as i64);
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
            hardware: site.hardware(d),
        };
        for month in [lease.begin, lease.end, lease.out_start, lease.out_end] {
            mark(month);
        }
        s.leases[i] = lease;
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
/// of its month-by-month rent: before and after its outage.
#[inline(always)]
fn add_rents(model: &Model, s: &mut Scratch) {
    s.rent.fill(0.0);
    for (lease, site) in s.leases.iter().zip(&model.sites) {
        for (a, b) in lease.runs(lease.begin.max(0), lease.end) {
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
    let width = Row::ENERGY + model.regions();
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
fn write_monthly(model: &Model, s: &mut Scratch, alive: usize) {
    let t_end = model.months;
    let width = Row::ENERGY + model.regions();
    let runs = padded_runs(s);
    let sums = &s.run_sums[..width * runs];
    let stride = row_stride(t_end);
    let monthly = &mut s.monthly[..width * stride];
    for (i, &a) in s.starts.iter().enumerate() {
        let b = s.starts.get(i + 1).map_or(t_end, |&b| b);
        for at in (a..b).step_by(VECTOR) {
            let rows = if at < alive { width } else { Row::CAPACITY + 1 };
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
    for (lease, site) in leases.iter().zip(&model.sites) {
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

/// Runs of equal schedules a path can have (each site's delivery, lease end and outage
/// bounds, and month 0), to a whole vector.
fn max_runs(model: &Model) -> usize {
    (4 * model.sites.len() + 1).next_multiple_of(VECTOR)
}

/// Values one vector store writes.
const VECTOR: usize = 8;

/// Distance between the starts of two rows of [`Scratch::monthly`]: the horizon and
/// [`VECTOR`] values of slack.
fn row_stride(t_end: usize) -> usize {
    t_end + VECTOR
}

/// The rows of [`Scratch::monthly`].
struct Row;

impl Row {
    const CAPACITY: usize = 0;
    const OPEX: usize = 1;
    const HARDWARE: usize = 2;
    /// The first region's energy; region `k` is row `ENERGY + k`.
    const ENERGY: usize = 3;
}

/// Row `r` of [`Scratch::monthly`].
fn monthly_row(monthly: &[f64], r: usize, t_end: usize) -> &[f64] {
    let at = r * row_stride(t_end);
    &monthly[at..at + t_end]
}

/// The tenant's running sums over the months before its default.
#[derive(Default)]
struct MonthLoop {
    program_pv: f64,
    cloud_pv: f64,
    rent_pv: f64,
    power_pv: f64,
    opex_pv: f64,
    hardware_pv: f64,
    overflow_pv: f64,
    idle_mw_months: f64,
    overflow_mw_months: f64,
    /// Control variates, over the whole horizon whatever the tenant does.
    controls: [f64; 3],
}

impl MonthLoop {
    /// Runs months `0..T` in sweeps: the random states (log prices, log demand and the
    /// tenant's hazard exponent), the tenant's default month (see [`tenant_default`]), one
    /// vectorised `exp` over the states, then the cash flows. Returns the tenant's default
    /// month (`T` when none).
    fn run(
        model: &Model,
        s: &mut Scratch,
        threshold: f64,
        streams: &mut PathStreams,
        sink: &mut impl MonthSink,
    ) -> (Self, usize) {
        simulate_states(model, s, streams);
        let tau = tenant_default(model, s, threshold);
        let (t_end, k_regions) = (model.months, model.regions());
        let alive = tau.min(t_end);
        crate::simd::widest(
            #[inline(always)]
            || write_monthly(model, s, alive),
        );
        // Prices and demand for every month (they are recorded); the cloud price only
        // where it is read: while the tenant is alive, or everywhere for the control
        // variates.
        let cloud_months = if model.control_variates { t_end } else { alive };
        let cloud_end = (k_regions + 1) * t_end + cloud_months;
        exp_in_place(&mut s.levels[..cloud_end]);
        let mut m = MonthLoop::default();
        m.cash_flows(model, s, tau);
        crate::simd::widest(
            #[inline(always)]
            || record_series(model, s, sink),
        );
        (m, tau)
    }

    /// The monthly cash flows of MODEL.md 3, summed while the tenant is alive (`t < tau`);
    /// leaves the demand and the live program and cloud costs per month in `s`.
    ///
    /// Each month's flows are formed first, all months at once in the widest vectors
    /// (element by element, so the same bits at any width); the present values are then
    /// summed in month order, the sums' chains running side by side.
    fn cash_flows(&mut self, model: &Model, s: &mut Scratch, tau: usize) {
        let t_end = model.months;
        crate::simd::widest(
            #[inline(always)]
            || monthly_flows(model, s, tau),
        );
        let df = &model.df[..t_end];
        let [power, overflow_cost, idle, overflow] = flow_rows(&s.flows, t_end);
        let (demand, cloud_prices) = (&s.demand[..t_end], cloud_prices(model, s));
        let (program, cloud) = (&s.program[..t_end], &s.cloud[..t_end]);
        let rent = &s.rent[..t_end];
        let opex = monthly_row(&s.monthly, Row::OPEX, t_end);
        let hardware = monthly_row(&s.monthly, Row::HARDWARE, t_end);
        // The sums run while the tenant is alive, in month order.
        for t in 0..tau.min(t_end) {
            let df = df[t];
            self.program_pv += df * program[t];
            self.cloud_pv += df * cloud[t];
            self.rent_pv += df * rent[t];
            self.power_pv += df * power[t];
            self.opex_pv += df * opex[t];
            self.hardware_pv += df * hardware[t];
            self.overflow_pv += df * overflow_cost[t];
            self.idle_mw_months += idle[t];
            self.overflow_mw_months += overflow[t];
        }
        // The control variates, only for runs that use them, over the whole horizon
        // whatever the tenant does (each in month order).
        if model.control_variates {
            for t in 0..t_end {
                let df = df[t];
                self.controls[0] += df * (demand[t] * cloud_prices[t]);
                self.controls[1] += df * demand[t];
                self.controls[2] += df * cloud_prices[t];
            }
        }
    }
}

/// Hands the path's monthly series to `sink`, in [`series_count`]'s order.
#[inline(always)]
fn record_series(model: &Model, s: &Scratch, sink: &mut impl MonthSink) {
    let (t_end, k_regions) = (model.months, model.regions());
    for k in 0..k_regions {
        sink.record(k, &s.levels[k * t_end..(k + 1) * t_end]);
    }
    sink.record(k_regions, &s.demand);
    sink.record(k_regions + 1, monthly_row(&s.monthly, Row::CAPACITY, t_end));
    sink.record(k_regions + 2, &s.program);
    sink.record(k_regions + 3, &s.cloud);
    sink.record(k_regions + 4, &s.exposure);
}

/// Rows of [`Scratch::flows`]: power cost, overflow cost, idle MW and overflow MW per month.
const FLOWS: usize = 4;

fn flow_rows(flows: &[f64], t_end: usize) -> [&[f64]; FLOWS] {
    std::array::from_fn(|i| &flows[i * t_end..(i + 1) * t_end])
}

/// The cloud price per month (after the `exp` sweep).
fn cloud_prices<'a>(model: &Model, s: &'a Scratch) -> &'a [f64] {
    let t_end = model.months;
    let at = (model.regions() + 1) * t_end;
    &s.levels[at..at + t_end]
}

/// Each month's flows: demand, and the program and cloud costs (zero from the tenant's
/// default month `tau`); while the tenant is alive, the energy bill at full load (region by
/// region, each month's terms added in region order), the power and overflow costs, idle
/// and overflow MW (the rows of [`Scratch::flows`] keep stale values from `tau` on: only
/// the months before it are summed).
#[inline(always)]
fn monthly_flows(model: &Model, s: &mut Scratch, tau: usize) {
    let (t_end, k_regions) = (model.months, model.regions());
    let alive = tau.min(t_end);
    let (spots, rest) = s.levels.split_at(k_regions * t_end);
    let (demand_factor, rest) = rest.split_at(t_end);
    let cloud_prices = &rest[..t_end];
    let bill = &mut s.bill[..alive];
    for (k, p) in model.power.iter().enumerate() {
        let spot = &spots[k * t_end..k * t_end + alive];
        let energy = &monthly_row(&s.monthly, Row::ENERGY + k, t_end)[..alive];
        for ((b, &x), &e) in bill.iter_mut().zip(spot).zip(energy) {
            // The first region's term is added to 0.0, as a sum from zero would.
            let sum = if k == 0 { 0.0 } else { *b };
            *b = sum + p.effective(x) * e;
        }
    }
    // Every input cut to the horizon, so the loop's indexing needs no checks.
    let plan = &model.demand.plan[..t_end];
    let (demand_factor, bill) = (&demand_factor[..t_end], &s.bill[..alive]);
    let rents = &s.rent[..t_end];
    let capacities = monthly_row(&s.monthly, Row::CAPACITY, t_end);
    let opexes = monthly_row(&s.monthly, Row::OPEX, t_end);
    let hardwares = monthly_row(&s.monthly, Row::HARDWARE, t_end);
    let demand_at = |t: usize| plan[t] * demand_factor[t];
    let demand_out = &mut s.demand[..t_end];
    let program_out = &mut s.program[..t_end];
    let cloud_out = &mut s.cloud[..t_end];
    let (power_out, rest) = s.flows.split_at_mut(t_end);
    let (overflow_cost_out, rest) = rest.split_at_mut(t_end);
    let (idle_out, rest) = rest.split_at_mut(t_end);
    let overflow_out = &mut rest[..t_end];
    for t in 0..alive {
        let demand = demand_at(t);
        let cloud_price = cloud_prices[t];
        let capacity = capacities[t];
        let used = demand.min(capacity);
        let power = if capacity > 0.0 {
            used / capacity * bill[t]
        } else {
            0.0
        };
        let overflow = (demand - capacity).max(0.0);
        let overflow_cost = overflow * cloud_price;
        demand_out[t] = demand;
        program_out[t] = rents[t] + power + opexes[t] + hardwares[t] + overflow_cost;
        cloud_out[t] = demand * cloud_price;
        power_out[t] = power;
        overflow_cost_out[t] = overflow_cost;
        idle_out[t] = capacity - used;
        overflow_out[t] = overflow;
    }
    for t in alive..t_end {
        demand_out[t] = demand_at(t);
        program_out[t] = 0.0;
        cloud_out[t] = 0.0;
    }
}

/// Steps the random states through months `0..T` and writes their logarithms to
/// `s.levels`: a row per region's log spot price, then log demand factor, log cloud price
/// and the tenant's hazard exponent.
///
/// The draws come first, each kind in one tight loop ([`draw_monthly`]), and the normals
/// are correlated for all months at once. The recurrences then run month by
/// month, all regions together, so their dependency chains overlap.
fn simulate_states(model: &Model, s: &mut Scratch, streams: &mut PathStreams) {
    let (t_end, k_regions) = (model.months, model.regions());
    let steps = t_end.saturating_sub(1);
    draw_monthly(model, s, streams);
    model.shocks.correlate_months(&mut s.shocks, t_end, steps);

    // Every state steps as `x(t+1) = x(t) decay + a(t)`; the parts `a` that do not depend
    // on the state are formed first, row by row (in the widest vectors), in place of the
    // shocks.
    crate::simd::widest(
        #[inline(always)]
        || innovations(model, s),
    );
    for (k, p) in model.power.iter().enumerate() {
        (s.x[k], s.decay[k]) = (p.x0, p.decay());
    }
    (s.x[k_regions], s.decay[k_regions]) = (0.0, 1.0);
    (s.x[k_regions + 1], s.decay[k_regions + 1]) = (model.cloud.ln_c0, 1.0);

    step_states(s, t_end);
    let (states, hazard) = s.levels.split_at_mut((k_regions + 2) * t_end);
    let demand = &states[k_regions * t_end..(k_regions + 1) * t_end];
    for (h, &y) in hazard[..t_end].iter_mut().zip(demand) {
        *h = model.tenant.hazard_exponent(y);
    }
}

/// Each state's step parts that do not depend on the state, from its correlated shocks
/// (and the jumps and busts), in place in `s.shocks`.
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

/// A path's monthly draws, into `s`: every region's jumps (jump stream), the demand busts
/// (busts stream), then the independent normals (main stream, factor by factor).
/// The random-number floor runs exactly this.
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
    for j in 0..model.shocks.factors() {
        streams
            .main
            .fill_normals(&mut s.shocks[j * t_end..j * t_end + steps]);
    }
}

/// The tenant's default month: the first whose cumulative hazard reaches the path's
/// exponential threshold, `T` when none does (or the tenant cannot default). Takes the
/// exponentials of the hazard's exponents (the last row of `s.levels`) when it needs them.
///
/// Most paths' thresholds lie beyond even `T` months at the path's largest hazard, which
/// one `exp` tells; the sum the months would give is then below the threshold too (its
/// rounding is far inside the margin allowed), so the answer is the same without them.
fn tenant_default(model: &Model, s: &mut Scratch, threshold: f64) -> usize {
    let t_end = model.months;
    if !model.tenant.active() {
        return t_end;
    }
    let at = (model.regions() + 2) * t_end;
    let factors = &mut s.levels[at..at + t_end];
    // NaN is left out, as the sum would: it never reaches the threshold.
    let (_, top) = crate::math::min_max(factors);
    // In the widest vectors' code, where `exp`'s fused multiply-adds are instructions, not
    // calls.
    let top = crate::simd::widest(
        #[inline(always)]
        || crate::exp::exp(top),
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
    use crate::engine::model::SiteModel;

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
            let at = |row: usize| row * row_stride(model.months) + t;
            s.monthly[at(Row::CAPACITY)] += site.capacity_mw;
            s.monthly[at(Row::OPEX)] += site.opex;
            s.monthly[at(Row::HARDWARE)] += hardware;
            s.monthly[at(Row::ENERGY + site.region)] += site.energy;
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
        for r in 0..Row::ENERGY + model.regions() {
            let row = |s: &Scratch| bits(monthly_row(&s.monthly, r, model.months));
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

    /// The default month with the shortcut for thresholds out of reach equals a plain scan
    /// of every month's hazard, for thresholds on both sides of the shortcut's bound and
    /// at each month's cumulative hazard exactly.
    #[test]
    fn tenant_default_matches_a_full_scan() {
        let model = base_model();
        let t_end = model.months;
        let at = (model.regions() + 2) * t_end;
        let mut s = Scratch::new(&model);
        let mut draws = Draws::new(5, 0, Stream::Main, false);
        let (mut shortcuts, mut defaults) = (0, 0);
        for case in 0..200 {
            let exponents: Vec<f64> = (0..t_end)
                .map(|_| 0.4 * draws.normal() + if case % 2 == 0 { 0.0 } else { 1.0 })
                .collect();
            let factors: Vec<f64> = exponents.iter().map(|&e| crate::exp::exp(e)).collect();
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
            let most = model.tenant.hazard(crate::exp::exp(top)) * t_end as f64;
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
                s.levels[at..at + t_end].copy_from_slice(&exponents);
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

    #[test]
    fn schedules_match_site_by_site_sums_on_drawn_paths() {
        let model = base_model();
        let mut s = Scratch::new(&model);
        let mut reference = Scratch::new(&model);
        let (mut outages, mut slips) = (0, 0);
        for path in 0..400 {
            // The draws of simulate_path, up to the schedules.
            let mut main = Draws::new(7, path, Stream::Main, false);
            for (d, site) in s.delivery.iter_mut().zip(&model.sites) {
                *d = delivery_month(site.planned_delivery, &site.delay, main.uniform());
            }
            draw_landlord_defaults(&model, &mut main, &mut s);
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
