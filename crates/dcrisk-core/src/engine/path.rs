//! One Monte Carlo path, as an outline: draw, build the schedules, step the states, find
//! the tenant's default, form the cash flows, record the series, settle the guarantee.
//! Each step lives in the file named for it (`states`, `schedule`, `flows`, and
//! `crate::guarantee`); docs/MODEL.md has the formulas.

use super::config::RunConfig;
use super::contracts;
use super::flows::{PathSums, cash_flows};
use super::model::Model;
use super::monthly_series::{MonthSink, Series};
use super::parties::PartySink;
use super::schedule::{apply_landlord_effects, build_schedules, write_monthly};
use super::scratch::{ScheduleRows, Scratch};
use super::states::{PathStreams, draw_path_events, simulate_states, tenant_default};
use crate::guarantee;
use crate::kernels::exp::exp_in_place;
use crate::kernels::simd::widest;
use crate::metrics::{COLUMNS, METRICS, Metric};

/// Simulates path `path` of a run (its seed and techniques in `config`); returns its metrics in
/// [`Metric::EVERY`] order, then its control variates, feeds its monthly series to `sink`
/// and its parties' outcomes to `parties`.
pub fn simulate_path(
    model: &Model,
    config: &RunConfig,
    path: u64,
    s: &mut Scratch,
    sink: &mut impl MonthSink,
    parties: &mut PartySink,
) -> [f64; COLUMNS] {
    let t_end = model.months;
    let controls = config.techniques.control_variates;
    let mut streams = PathStreams::new(config.seed, path, config.techniques.antithetic);
    let events = draw_path_events(model, &mut streams.main, s);
    // Conversions read the demand path, so it comes first when any lease is preliminary
    // (the states use the scratch's own rows: the order changes no number).
    let demand_first = model.contracts.needs_demand_first();
    if demand_first {
        simulate_states(model, s, &mut streams);
    }
    let terms = contracts::draw_terms(model, &mut streams.contracts, events.systemic, s);
    apply_landlord_effects(model, s);
    contracts::withdraw_unsigned(model, s);
    contracts::renew(model, s);
    build_schedules(model, s);
    contracts::add_renewal_rents(model, s);
    widest(
        #[inline(always)]
        || guarantee::exposure_profile(&s.w, &model.df, &model.guarantee, &mut s.exposure),
    );

    if !demand_first {
        simulate_states(model, s, &mut streams);
    }
    let tau = tenant_default(model, s, events.tenant_threshold);
    let alive = tau.min(t_end);
    widest(
        #[inline(always)]
        || write_monthly(model, s, alive),
    );
    levels_from_logs(model, s, alive, controls);
    let sums = cash_flows(model, s, tau, controls);
    widest(
        #[inline(always)]
        || record_series(model, s, sink),
    );

    let (mut payout, mut shortfall) = if tau < t_end {
        guarantee::payout_and_shortfall(&s.w, &model.df, tau, &model.guarantee)
    } else {
        (0.0, 0.0)
    };
    // docs/MODEL.md 8.5: a guarantor that defaulted by the tenant's default pays nothing.
    let guarantee_fails = tau < t_end && terms.guarantor_default_month <= tau as f64;
    let owed = payout;
    if guarantee_fails {
        (payout, shortfall) = (0.0, shortfall + payout);
    }
    parties.record(model, s, tau, payout);
    let outcome = Outcome {
        sums,
        landlord_defaults: events.landlord_defaults,
        tenant_defaults: tau < t_end,
        payout,
        shortfall,
        signed_capacity_mw: terms.signed_capacity_mw,
        guarantee_fails,
        fee_base: model.guarantee.cap * model.contracts.annuity(alive) / 12.0,
        owed,
    };
    outcome.row()
}

/// One vectorised `exp` over the states' logarithms: prices and demand for every month
/// (they are recorded); the cloud price only where it is read, while the tenant is alive
/// (`alive` months), or everywhere for the control variates.
fn levels_from_logs(model: &Model, s: &mut Scratch, alive: usize, controls: bool) {
    let cloud = s.layout.cloud();
    let cloud_months = if controls { model.months } else { alive };
    exp_in_place(&mut s.levels[..cloud.start + cloud_months]);
}

/// Hands the path's monthly series to `sink`, in [`Series::table`]'s order.
#[inline(always)]
fn record_series(model: &Model, s: &Scratch, sink: &mut impl MonthSink) {
    for (i, &series) in model.series.iter().enumerate() {
        let values = match series {
            Series::PowerPrice(k) => &s.levels[s.layout.spot(k)],
            Series::Demand => &s.demand,
            Series::Capacity => s.schedule_row(ScheduleRows::CAPACITY),
            Series::ProgramCost => &s.program,
            Series::CloudCost => &s.cloud,
            Series::GuarantorExposure => &s.exposure,
        };
        sink.record(i, values);
    }
}

/// What a path ends with, before it is laid out as a row of metrics.
struct Outcome {
    sums: PathSums,
    landlord_defaults: u32,
    tenant_defaults: bool,
    payout: f64,
    shortfall: f64,
    signed_capacity_mw: f64,
    guarantee_fails: bool,
    /// `cap sum_{t < min(tau_T, T)} df(t) / 12`: see [`Metric::FeeBasePv`].
    fee_base: f64,
    /// The payout the guarantee owed, before the guarantor's own default.
    owed: f64,
}

impl Outcome {
    /// The path's row: docs/MODEL.md section 5's and 8's metrics in [`Metric::EVERY`] order, then
    /// the control variates.
    fn row(&self) -> [f64; COLUMNS] {
        let m = &self.sums;
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
        out[Metric::LandlordDefaults.index()] = f64::from(self.landlord_defaults);
        out[Metric::TenantDefault.index()] = f64::from(u8::from(self.tenant_defaults));
        out[Metric::GuarantorPayoutPv.index()] = self.payout;
        out[Metric::LandlordShortfallPv.index()] = self.shortfall;
        out[Metric::BreakFeesPv.index()] = m.break_fees_pv;
        out[Metric::SignedCapacityMw.index()] = self.signed_capacity_mw;
        out[Metric::GuaranteeFails.index()] = f64::from(u8::from(self.guarantee_fails));
        out[Metric::FeeBasePv.index()] = self.fee_base;
        out[Metric::OwedPayoutPv.index()] = self.owed;
        out[METRICS..].copy_from_slice(&m.controls);
        out
    }
}
