//! A path's working memory and its named layout: where each monthly row lives in the
//! flat buffers, so the path's code says `layout.cloud()` rather than an offset.
//!
//! The buffers are allocated once per worker and reused for every path, so the path loop
//! never allocates. They are flat (row after row) rather than one `Vec` per row so that a
//! vectorised loop can run over several rows at once and the rows share cache lines.

use std::ops::Range;

use super::model::Model;

/// The rows of `Scratch::levels` (and of `Scratch::shocks`, whose first rows are the
/// same factors): each a horizon of months.
///
/// ```text
/// levels:  spot(0) .. spot(K-1) | demand | cloud | hazard
/// shocks:  region 0 .. region K-1 | demand | cloud          (one row per factor)
/// ```
///
/// The first [`Layout::states`] rows hold the states the recurrences step (log spot
/// prices, the log demand factor, the log cloud price); the last holds the exponent of the
/// tenant's hazard factor. All are logarithms until the `exp` sweep turns them into levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    months: usize,
    regions: usize,
    /// Correlated factors: the regions, demand, cloud (and any factor added after them).
    factors: usize,
}

impl Layout {
    pub fn new(model: &Model) -> Self {
        Layout {
            months: model.months,
            regions: model.regions(),
            factors: model.shocks.factors(),
        }
    }

    /// Row `r` of a buffer laid out a horizon per row.
    #[inline]
    pub fn row(&self, r: usize) -> Range<usize> {
        r * self.months..(r + 1) * self.months
    }

    /// Region `k`'s spot price `P_k(t)` (log `x_k(t)` before the sweep).
    #[inline]
    pub fn spot(&self, k: usize) -> Range<usize> {
        self.row(k)
    }

    /// The demand factor `exp(Y(t))` (log `Y(t)` before the sweep).
    #[inline]
    pub fn demand(&self) -> Range<usize> {
        self.row(self.regions)
    }

    /// The cloud price `C(t)` (log before the sweep).
    #[inline]
    pub fn cloud(&self) -> Range<usize> {
        self.row(self.regions + 1)
    }

    /// The log market rent `ln R(t)` (docs/MODEL.md 8.3), the factor after `cloud`, when
    /// the scenario has one.
    #[inline]
    pub fn market_rent(&self) -> Range<usize> {
        self.row(self.regions + 2)
    }

    /// The tenant's hazard factor `exp(-beta Y(t))` (its exponent before the sweep), after
    /// the states.
    #[inline]
    pub fn hazard(&self) -> Range<usize> {
        self.row(self.states())
    }

    /// The states the recurrences step, one per correlated factor: the regions' log
    /// prices, log demand, log cloud price (a factor added later goes after these).
    #[inline]
    pub fn states(&self) -> usize {
        self.factors
    }

    /// Values in `Scratch::levels`.
    pub fn levels_len(&self) -> usize {
        (self.states() + 1) * self.months
    }
}

/// Values one vector store writes.
pub(super) const VECTOR: usize = 8;

/// The rows of `Scratch::monthly`, the per-month schedule figures summed over the sites
/// that cover each month: available capacity (MW), opex ($), hardware ($), then each
/// region's energy coefficient (MWh drawn at full load, per $/MWh of price).
///
/// Each row is followed by `VECTOR` values of slack, which the schedule's vectorised
/// writer may write past the row's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduleRows {
    months: usize,
    regions: usize,
}

impl ScheduleRows {
    pub const CAPACITY: usize = 0;
    pub const OPEX: usize = 1;
    pub const HARDWARE: usize = 2;
    /// The first region's energy; region `k` is row `ENERGY + k`.
    pub const ENERGY: usize = 3;

    pub fn new(model: &Model) -> Self {
        ScheduleRows {
            months: model.months,
            regions: model.regions(),
        }
    }

    /// Rows: capacity, opex, hardware and one energy row per region.
    #[inline]
    pub fn count(&self) -> usize {
        Self::ENERGY + self.regions
    }

    /// Distance between the starts of two rows: the horizon and the slack.
    #[inline]
    pub fn stride(&self) -> usize {
        self.months + VECTOR
    }

    /// Row `r`'s months (without the slack).
    #[inline]
    pub fn row(&self, r: usize) -> Range<usize> {
        let at = r * self.stride();
        at..at + self.months
    }

    /// Values in `Scratch::monthly`.
    pub fn buffer_len(&self) -> usize {
        self.count() * self.stride()
    }
}

/// The rows of [`Scratch::flows`]: power cost, overflow cost, idle MW and overflow MW per
/// month while the tenant is alive.
pub(super) const FLOWS: usize = 4;

/// One site's lease on one path: rent and capacity for months `[begin, end)` except the
/// outage months `[out_start, out_end)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lease {
    pub(super) begin: i64,
    pub(super) end: i64,
    pub(super) out_start: i64,
    pub(super) out_end: i64,
    /// Monthly hardware charge, priced at the delivery month.
    pub(super) hardware: f64,
    /// The end of the original term: rent to here is owed under the guarantee; a renewed
    /// term runs from here to `end` (docs/MODEL.md 8.3).
    pub(super) rent_end: i64,
}

impl Lease {
    /// Months `[from, to)` (inside the lease) less the outage, as two runs; either may be
    /// empty (`from >= to`).
    #[inline]
    pub(super) fn runs(&self, from: i64, to: i64) -> [(i64, i64); 2] {
        [(from, to.min(self.out_start)), (from.max(self.out_end), to)]
    }
}

/// Working memory for one path, reused across paths.
#[derive(Clone, Debug)]
pub struct Scratch {
    pub(super) layout: Layout,
    pub(super) rows: ScheduleRows,
    /// Each site's delivery month on this path.
    pub(super) delivery: Vec<i64>,
    /// Outage `[start, end)` per site, empty when none.
    pub(super) outage: Vec<(i64, i64)>,
    /// Each landlord's default month (fractional; beyond the horizon when it survives).
    pub(super) default_month: Vec<f64>,
    /// Owed rent per month to the schedule's end (outages only inside the horizon).
    pub(super) rent: Vec<f64>,
    /// Per month, row by row: see [`ScheduleRows`]. Rows other than capacity hold only the
    /// months before the tenant's default.
    pub(super) monthly: Vec<f64>,
    /// The energy bill at full load per month, summed over regions.
    pub(super) bill: Vec<f64>,
    /// Prefix sums of discounted owed rent: `w[u] = sum_{v < u} rent[v] df[v]`.
    pub(super) w: Vec<f64>,
    /// Each lease unit's lease on this path (a site's, or its tranche's: `Model::units`).
    pub(super) leases: Vec<Lease>,
    /// Months of the horizon where the set of covering sites may change, as bits (month
    /// `t` is bit `t % 64` of word `t / 64`).
    pub(super) change: Vec<u64>,
    /// The same months in increasing order: where each run of equal schedules starts.
    pub(super) starts: Vec<usize>,
    /// Each run's first month (as `f64`), then infinity to a whole vector of runs.
    pub(super) run_starts: Vec<f64>,
    /// Each run's capacity, opex, hardware and energy per region, row after row (`[row *
    /// runs + run]`, `runs` counting the padding of `run_starts`).
    pub(super) run_sums: Vec<f64>,
    /// The guarantor's exposure `min(cap, G(t))` per month.
    pub(super) exposure: Vec<f64>,
    /// Each month's independent normals, one row per factor (see [`Layout`]), correlated in
    /// place into shocks, then turned into the parts of the steps that do not depend on the
    /// state.
    pub(super) shocks: Vec<f64>,
    /// Log drop of demand from busts per month.
    pub(super) drops: Vec<f64>,
    /// The states being stepped, and how each decays from one month to the next.
    pub(super) x: Vec<f64>,
    pub(super) decay: Vec<f64>,
    /// Per month, row by row: see [`Layout`].
    pub(super) levels: Vec<f64>,
    /// Each region's log jump per month, `[k * T + t]`.
    pub(super) jumps: Vec<f64>,
    /// Demand `D(t)` in MW per month.
    pub(super) demand: Vec<f64>,
    /// Program and cloud cost per month while the tenant is alive, 0 after.
    pub(super) program: Vec<f64>,
    pub(super) cloud: Vec<f64>,
    /// Per month, row by row: see [`FLOWS`].
    pub(super) flows: Vec<f64>,
    /// Whether each site is signed on this path (docs/MODEL.md 8.1).
    pub(super) signed: Vec<bool>,
    /// Each site's renewals on this path: the months they add to its lease, and each
    /// renewal's uniform and first-year rent per kW-month (flat, see
    /// `ContractsModel::renewal_slots`) (docs/MODEL.md 8.3).
    pub(super) renewed_months: Vec<i64>,
    pub(super) renewal_draws: Vec<f64>,
    pub(super) renewal_rents: Vec<f64>,
}

impl Scratch {
    pub fn new(model: &Model) -> Self {
        let t = model.months;
        let k = model.regions();
        let layout = Layout::new(model);
        let rows = ScheduleRows::new(model);
        let runs = max_runs(model);
        Scratch {
            layout,
            rows,
            delivery: vec![0; model.sites.len()],
            outage: vec![(0, 0); model.sites.len()],
            default_month: vec![0.0; model.landlords.len()],
            rent: vec![0.0; model.schedule_len],
            monthly: vec![0.0; rows.buffer_len()],
            bill: vec![0.0; t],
            w: vec![0.0; model.schedule_len + 1],
            leases: vec![Lease::default(); model.units.len()],
            change: vec![0; t.div_ceil(64)],
            starts: Vec::with_capacity(4 * model.units.len() + 1),
            run_starts: vec![0.0; runs],
            run_sums: vec![0.0; runs * rows.count()],
            exposure: vec![0.0; t],
            shocks: vec![0.0; layout.states() * t],
            drops: vec![0.0; t],
            x: vec![0.0; layout.states()],
            decay: vec![0.0; layout.states()],
            levels: vec![0.0; layout.levels_len()],
            jumps: vec![0.0; k * t],
            demand: vec![0.0; t],
            program: vec![0.0; t],
            cloud: vec![0.0; t],
            flows: vec![0.0; FLOWS * t],
            signed: vec![true; model.sites.len()],
            renewed_months: vec![0; model.sites.len()],
            renewal_draws: vec![0.0; model.contracts.renewal_slots()],
            renewal_rents: vec![0.0; model.contracts.renewal_slots()],
        }
    }

    /// Schedule row `r` of `Scratch::monthly` (see [`ScheduleRows`]).
    #[inline]
    pub(super) fn schedule_row(&self, r: usize) -> &[f64] {
        &self.monthly[self.rows.row(r)]
    }

    /// The first value of each kind of monthly draw, for the random-number floor to return
    /// (any read of the buffers keeps their writes from being optimised away).
    pub fn checksum(&self) -> f64 {
        let first = |v: &[f64]| v.first().copied().unwrap_or(0.0);
        first(&self.shocks) + first(&self.jumps) + first(&self.drops)
    }
}

/// Runs of equal schedules a path can have (each site's delivery, lease end and outage
/// bounds, and month 0), to a whole vector.
fn max_runs(model: &Model) -> usize {
    (4 * model.units.len() + 1).next_multiple_of(VECTOR)
}
