//! One path's monthly cash flows (docs/MODEL.md section 3) and their present values.
//!
//! For month `t` while the tenant is alive (`t < tau_T`), with `Cap(t)` the available
//! capacity, `D(t) = plan(t) exp(Y(t))` the demand and `C(t)` the cloud price:
//!
//! ```text
//! U(t)        = min(D(t), Cap(t))                          used load, MW
//! power(t)    = U(t) / Cap(t) * sum_i cap_i pue_i HOURS P_eff,region(i)(t)
//!             (the load spread over the available sites in proportion to capacity)
//! O(t)        = max(D(t) - Cap(t), 0)                      overflow served by cloud, MW
//! program(t)  = rent(t) + power(t) + opex(t) + hardware(t) + O(t) C(t)
//! cloud(t)    = D(t) C(t)                                  the all-cloud counterfactual
//! savings_pv  = sum_t df(t) (cloud(t) - program(t))
//! ```
//!
//! `P_eff = h K + (1 - h) P` is the hedged price; rent, opex, hardware and capacity come
//! from the schedules (`super::schedule`). Nothing is summed from the tenant's default on.

use super::model::Model;
use super::scratch::{FLOWS, ScheduleRows, Scratch};

/// The tenant's running sums over the months before its default.
#[derive(Debug, Default)]
pub(super) struct PathSums {
    pub program_pv: f64,
    pub cloud_pv: f64,
    pub rent_pv: f64,
    pub power_pv: f64,
    pub opex_pv: f64,
    pub hardware_pv: f64,
    pub overflow_pv: f64,
    pub idle_mw_months: f64,
    pub overflow_mw_months: f64,
    /// Break fees of the leases not signed (docs/MODEL.md 8.1), also in `program_pv`.
    pub break_fees_pv: f64,
    /// Control variates, over the whole horizon whatever the tenant does:
    /// `sum df D C`, `sum df D`, `sum df C` (their expectations are in closed form).
    pub controls: [f64; 3],
}

/// The monthly flows and their present values, summed while the tenant is alive
/// (`t < tau`); leaves the demand and the live program and cloud costs per month in `s`.
///
/// Each month's flows are formed first, all months at once in the widest vectors
/// (element by element, so the same bits at any width); the present values are then
/// summed in month order, the sums' chains running side by side.
pub(super) fn cash_flows(model: &Model, s: &mut Scratch, tau: usize, controls: bool) -> PathSums {
    let t_end = model.months;
    crate::kernels::simd::widest(
        #[inline(always)]
        || monthly_flows(model, s, tau),
    );
    let mut m = PathSums::default();
    if model.contracts.adds_costs() {
        m.break_fees_pv = super::contracts::add_costs(model, s, tau);
    }
    let df = &model.df[..t_end];
    let [power, overflow_cost, idle, overflow] = flow_rows(&s.flows, t_end);
    // Every input cut to the horizon, so the loops' indexing needs no checks.
    let (demand, cloud_prices) = (&s.demand[..t_end], &s.levels[s.layout.cloud()][..t_end]);
    let (program, cloud) = (&s.program[..t_end], &s.cloud[..t_end]);
    let rent = &s.rent[..t_end];
    let opex = &s.schedule_row(ScheduleRows::OPEX)[..t_end];
    let hardware = &s.schedule_row(ScheduleRows::HARDWARE)[..t_end];
    // The sums run while the tenant is alive, in month order.
    for t in 0..tau.min(t_end) {
        let df = df[t];
        m.program_pv += df * program[t];
        m.cloud_pv += df * cloud[t];
        m.rent_pv += df * rent[t];
        m.power_pv += df * power[t];
        m.opex_pv += df * opex[t];
        m.hardware_pv += df * hardware[t];
        m.overflow_pv += df * overflow_cost[t];
        m.idle_mw_months += idle[t];
        m.overflow_mw_months += overflow[t];
    }
    // The control variates, only for runs that use them, over the whole horizon
    // whatever the tenant does (each in month order).
    if controls {
        for t in 0..t_end {
            let df = df[t];
            m.controls[0] += df * (demand[t] * cloud_prices[t]);
            m.controls[1] += df * demand[t];
            m.controls[2] += df * cloud_prices[t];
        }
    }
    m
}

fn flow_rows(flows: &[f64], t_end: usize) -> [&[f64]; FLOWS] {
    std::array::from_fn(|i| &flows[i * t_end..(i + 1) * t_end])
}

/// Each month's flows: demand, and the program and cloud costs (zero from the tenant's
/// default month `tau`); while the tenant is alive, the energy bill at full load (region by
/// region, each month's terms added in region order), the power and overflow costs, idle
/// and overflow MW (the rows of [`Scratch::flows`] keep stale values from `tau` on: only
/// the months before it are summed).
#[inline(always)]
fn monthly_flows(model: &Model, s: &mut Scratch, tau: usize) {
    let t_end = model.months;
    let alive = tau.min(t_end);
    let layout = s.layout;
    let bill = &mut s.bill[..alive];
    for (k, p) in model.power.iter().enumerate() {
        let spot = &s.levels[layout.spot(k)][..alive];
        let energy = &s.monthly[s.rows.row(ScheduleRows::ENERGY + k)][..alive];
        for ((b, &x), &e) in bill.iter_mut().zip(spot).zip(energy) {
            // The first region's term is added to 0.0, as a sum from zero would.
            let sum = if k == 0 { 0.0 } else { *b };
            *b = sum + p.effective(x) * e;
        }
    }
    // Every input cut to the horizon, so the loop's indexing needs no checks.
    let plan = &model.demand.plan[..t_end];
    let demand_factor = &s.levels[layout.demand()][..t_end];
    let cloud_prices = &s.levels[layout.cloud()][..t_end];
    let bill = &s.bill[..alive];
    let rents = &s.rent[..t_end];
    let capacities = &s.monthly[s.rows.row(ScheduleRows::CAPACITY)][..t_end];
    let opexes = &s.monthly[s.rows.row(ScheduleRows::OPEX)][..t_end];
    let hardwares = &s.monthly[s.rows.row(ScheduleRows::HARDWARE)][..t_end];
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
