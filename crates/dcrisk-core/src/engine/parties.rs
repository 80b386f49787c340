//! Every party's outcome over a run (docs/MODEL.md 4.1): each landlord's default, whether
//! it was paid in full, its share of the shortfall; and the month of the tenant's default,
//! for its cumulative default curve.
//!
//! The accumulators hold integer counts, fixed-point sums and integer-bucket summaries
//! only, so they merge exactly, in any order: the same results for any thread count and
//! across shards.

use super::model::Model;
use super::party_book::PartyBook;
use super::scratch::Scratch;
use crate::guarantee::{claim_of, unrecovered_of};
use crate::kernels::codec::{DecodeResult, Reader, Writer};
use crate::kernels::sketch::{Precision, QuantileSketch};
use crate::results::{LandlordOutcome, PartyResults};

/// Fixed-point scale of the shortfall sums: 2^32 units per dollar.
const FIXED_SCALE: f64 = 4_294_967_296.0;

/// One landlord's counts over a set of paths.
#[derive(Clone, Debug, PartialEq)]
struct LandlordTally {
    name: String,
    annual_pd: f64,
    /// Paths where it defaulted inside the horizon.
    defaults: u64,
    /// Paths where it recovered all the rent it was owed (directly or from the guarantor).
    paid_in_full: u64,
    /// Sum of its shortfall over paths, in units of 2^-32 dollars.
    shortfall_sum: i128,
    /// Its shortfall's distribution (zeros included).
    shortfall: QuantileSketch,
}

/// The parties' accumulators over a set of paths.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyAccumulator {
    paths: u64,
    tenant_annual_pd: f64,
    /// Paths whose tenant defaulted in month `t`, for each month of the horizon.
    tenant_defaults: Vec<u64>,
    landlords: Vec<LandlordTally>,
}

/// A worker's accumulators and the working memory each path's record needs.
#[derive(Clone, Debug)]
pub struct PartySink {
    pub acc: PartyAccumulator,
    work: PartyScratch,
}

impl PartySink {
    pub fn new(model: &Model) -> Self {
        PartySink {
            acc: PartyAccumulator::new(&model.parties, model.months),
            work: PartyScratch::default(),
        }
    }

    /// Records one path (see [`PartyAccumulator::record`]).
    #[inline]
    pub(super) fn record(&mut self, model: &Model, s: &Scratch, tau: usize, payout: f64) {
        self.acc.record(model, s, tau, payout, &mut self.work);
    }
}

/// A worker's per-path working memory for the shortfall split.
#[derive(Clone, Debug, Default)]
struct PartyScratch {
    /// Each landlord's part of the claim `G(tau) df(tau)`.
    claim: Vec<f64>,
    /// Each landlord's unrecovered rent, present value.
    unrecovered: Vec<f64>,
}

/// The summaries' precision: 2^-10 relative (0.1%) for the landlords' P95 shortfall.
const PRECISION: Precision = Precision::FINE;

impl PartyAccumulator {
    /// Empty accumulators for `book`'s parties over a horizon of `months`.
    pub fn new(book: &PartyBook, months: usize) -> Self {
        PartyAccumulator {
            paths: 0,
            tenant_annual_pd: book.tenant_annual_pd,
            tenant_defaults: vec![0; months],
            landlords: book
                .landlords
                .iter()
                .map(|(name, pd)| LandlordTally {
                    name: name.clone(),
                    annual_pd: *pd,
                    defaults: 0,
                    paid_in_full: 0,
                    shortfall_sum: 0,
                    shortfall: QuantileSketch::new(PRECISION),
                })
                .collect(),
        }
    }

    /// Records one path: the tenant's default month `tau` (`T` when none), the guarantor's
    /// `payout` (present value), and from the scratch each landlord's default month and the
    /// sites' leases.
    fn record(
        &mut self,
        model: &Model,
        s: &Scratch,
        tau: usize,
        payout: f64,
        work: &mut PartyScratch,
    ) {
        self.paths += 1;
        let horizon = model.months;
        if let Some(count) = self.tenant_defaults.get_mut(tau) {
            *count += 1;
        }
        let n = self.landlords.len();
        work.claim.clear();
        work.claim.resize(n, 0.0);
        work.unrecovered.clear();
        work.unrecovered.resize(n, 0.0);
        if tau < horizon {
            split_by_landlord(model, s, tau, work);
        }
        let claim: f64 = work.claim.iter().sum();
        for (l, tally) in self.landlords.iter_mut().enumerate() {
            tally.defaults += u64::from(s.default_month[l] < horizon as f64);
            // The guarantor's payout, pro rata to the landlord's part of the claim.
            let paid = if claim > 0.0 {
                payout * (work.claim[l] / claim)
            } else {
                0.0
            };
            let unrecovered = work.unrecovered[l];
            let shortfall = unrecovered - paid;
            // Paid in full up to rounding (a billionth of what was owed).
            tally.paid_in_full += u64::from(shortfall <= 1e-9 * unrecovered);
            tally.shortfall_sum += (shortfall * FIXED_SCALE).round() as i128;
            tally.shortfall.add(shortfall);
        }
    }

    /// Before pooling the paths of outer samples whose PDs differ (a two-level run with an
    /// uncertain PD): every PD that differs between `self` and `other` becomes NaN in
    /// both, as the pool has no one value for it (its outputs then leave it empty).
    pub fn forget_differing_pds(&mut self, other: &mut PartyAccumulator) {
        let forget = |a: &mut f64, b: &mut f64| {
            if a.to_bits() != b.to_bits() {
                (*a, *b) = (f64::NAN, f64::NAN);
            }
        };
        forget(&mut self.tenant_annual_pd, &mut other.tenant_annual_pd);
        for (a, b) in self.landlords.iter_mut().zip(other.landlords.iter_mut()) {
            forget(&mut a.annual_pd, &mut b.annual_pd);
        }
    }

    /// Adds another set of paths' accumulators (exact, order-free). Both must be for the
    /// same parties and horizon.
    pub fn merge(&mut self, other: &PartyAccumulator) -> Result<(), String> {
        let names = |a: &PartyAccumulator| -> Vec<(String, u64)> {
            a.landlords
                .iter()
                .map(|l| (l.name.clone(), l.annual_pd.to_bits()))
                .collect()
        };
        if names(self) != names(other)
            || self.tenant_defaults.len() != other.tenant_defaults.len()
            || self.tenant_annual_pd.to_bits() != other.tenant_annual_pd.to_bits()
        {
            return Err("the parts' landlords, tenant or horizon differ".to_string());
        }
        self.paths += other.paths;
        for (a, b) in self.tenant_defaults.iter_mut().zip(&other.tenant_defaults) {
            *a += b;
        }
        for (a, b) in self.landlords.iter_mut().zip(&other.landlords) {
            a.defaults += b.defaults;
            a.paid_in_full += b.paid_in_full;
            a.shortfall_sum = a.shortfall_sum.saturating_add(b.shortfall_sum);
            a.shortfall.merge(&b.shortfall);
        }
        Ok(())
    }

    /// The summaries, for a run's results.
    pub fn results(&self) -> PartyResults {
        let n = self.paths.max(1) as f64;
        let mut seen = 0;
        let tenant_default_curve = self
            .tenant_defaults
            .iter()
            .map(|&c| {
                seen += c;
                seen as f64 / n
            })
            .collect();
        let landlords = self
            .landlords
            .iter()
            .map(|l| LandlordOutcome {
                name: l.name.clone(),
                annual_pd: l.annual_pd,
                default_probability: l.defaults as f64 / n,
                paid_in_full_probability: l.paid_in_full as f64 / n,
                shortfall_pv_mean: l.shortfall_sum as f64 / FIXED_SCALE / n,
                shortfall_pv_p95: l.shortfall.quantile(0.95),
            })
            .collect();
        PartyResults {
            tenant_annual_pd: self.tenant_annual_pd,
            tenant_default_curve,
            landlords,
        }
    }

    /// The summaries of the landlords' shortfalls (for a merge's memory bound).
    pub fn sketches(&self) -> impl Iterator<Item = &QuantileSketch> {
        self.landlords.iter().map(|l| &l.shortfall)
    }

    /// Appends the accumulators to a partial result.
    pub fn encode(&self, w: &mut Writer) {
        w.u64(self.paths);
        w.f64(self.tenant_annual_pd);
        w.u64(self.tenant_defaults.len() as u64);
        for &c in &self.tenant_defaults {
            w.u64(c);
        }
        w.u64(self.landlords.len() as u64);
        for l in &self.landlords {
            w.str(&l.name);
            w.f64(l.annual_pd);
            w.u64(l.defaults);
            w.u64(l.paid_in_full);
            w.i128(l.shortfall_sum);
            l.shortfall.encode(w);
        }
    }

    /// Reads accumulators written by [`Self::encode`] for a part of `paths` paths over a
    /// horizon of `months`, refusing counts a part of that many paths cannot have and
    /// lengths past the bytes left.
    pub fn decode(r: &mut Reader<'_>, paths: u64, months: usize) -> DecodeResult<Self> {
        let counted = r.u64()?;
        if counted > paths {
            return Err(format!(
                "the parties' accumulators count {counted} paths, the part holds {paths}"
            ));
        }
        let paths = counted;
        let tenant_annual_pd = probability(r.f64()?, "tenant annual_pd")?;
        let n = r.u64()?;
        if n != months as u64 {
            return Err(format!(
                "{n} months of tenant defaults where the horizon has {months}"
            ));
        }
        let tenant_defaults = (0..n).map(|_| r.u64()).collect::<DecodeResult<Vec<_>>>()?;
        let total = tenant_defaults
            .iter()
            .fold(0u64, |a, &b| a.saturating_add(b));
        if total > paths {
            return Err(format!(
                "{total} tenant defaults in a part of {paths} paths"
            ));
        }
        let landlords = r.u64()?;
        // Each landlord takes at least its fixed fields and an empty summary.
        if landlords.saturating_mul(8 + 8 + 8 + 8 + 16 + 68) > r.remaining() as u64 {
            return Err(format!(
                "truncated: {landlords} landlords announced, {} bytes left",
                r.remaining()
            ));
        }
        let landlords = (0..landlords)
            .map(|_| decode_landlord(r, paths))
            .collect::<DecodeResult<Vec<_>>>()?;
        Ok(PartyAccumulator {
            paths,
            tenant_annual_pd,
            tenant_defaults,
            landlords,
        })
    }
}

/// One landlord's tally, its counts checked against the part's `paths`.
fn decode_landlord(r: &mut Reader<'_>, paths: u64) -> DecodeResult<LandlordTally> {
    let name = r.str()?;
    let annual_pd = probability(r.f64()?, "landlord annual_pd")?;
    let (defaults, paid_in_full) = (r.u64()?, r.u64()?);
    if defaults > paths || paid_in_full > paths {
        return Err(format!(
            "landlord {name:?}: {defaults} defaults, {paid_in_full} paid in full in a part of {paths} paths"
        ));
    }
    let shortfall_sum = r.i128()?;
    let shortfall = QuantileSketch::decode(r, PRECISION, paths)?;
    if shortfall.count() != paths {
        return Err(format!(
            "landlord {name:?}: a shortfall summary of {} paths in a part of {paths}",
            shortfall.count()
        ));
    }
    Ok(LandlordTally {
        name,
        annual_pd,
        defaults,
        paid_in_full,
        shortfall_sum,
        shortfall,
    })
}

/// `p` when it is a probability in `[0, 1)`, or NaN: the pool of a two-level run's outer
/// samples whose PDs differ (see [`PartyAccumulator::forget_differing_pds`]).
fn probability(p: f64, what: &str) -> DecodeResult<f64> {
    if (0.0..1.0).contains(&p) || p.is_nan() {
        Ok(p)
    } else {
        Err(format!("corrupt {what} {p}"))
    }
}

/// Each landlord's part of the claim `G(tau) df(tau)` and its unrecovered rent, both
/// present values, summed over its sites: docs/MODEL.md 4's windows, site by site (the
/// guarantee's own figures read the same rent summed over all sites). Each window's sum
/// is a difference of the unit's discounted prefix sums ([`PartyBook::rent_prefix`]), not
/// a loop over months: this runs on every path where the tenant defaults.
fn split_by_landlord(model: &Model, s: &Scratch, tau: usize, work: &mut PartyScratch) {
    let g = &model.guarantee;
    // Lease units (a site's tranches) and the original term only, as the guarantee's owed
    // rent (docs/MODEL.md 8.2, 8.3).
    let units = s
        .leases
        .iter()
        .zip(&model.units)
        .zip(&model.parties.rent_prefix);
    for ((lease, site), prefix) in units {
        let (mut claim, mut unrecovered) = (0.0, 0.0);
        for (a, b) in lease.runs(lease.begin.max(tau as i64), lease.rent_end) {
            let (a, b) = (a.max(0), b);
            if a >= b {
                continue;
            }
            // Present value of the rent of months [lo, hi) within this run.
            let rent = |lo: usize, hi: usize| {
                let (lo, hi) = (
                    (lo as i64).max(a),
                    (hi.min(i64::MAX as usize) as i64).min(b),
                );
                match lo < hi {
                    true => {
                        let k = |u: i64| (u - lease.begin) as usize;
                        model.df[lease.begin as usize] * (prefix[k(hi)] - prefix[k(lo)])
                    }
                    false => 0.0,
                }
            };
            claim += claim_of(rent, tau, g);
            unrecovered += unrecovered_of(rent, tau, g);
        }
        work.claim[site.landlord] += claim;
        work.unrecovered[site.landlord] += unrecovered;
    }
}
