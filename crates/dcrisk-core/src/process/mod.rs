//! The random drivers of docs/MODEL.md section 2, each precomputed from a scenario once and
//! stepped per path with the path's own generators.

pub mod cloud;
pub mod delivery;
pub mod demand;
pub mod landlord;
pub mod market_rent;
pub mod power;
pub mod shocks;
pub mod tenant;

/// Length of a monthly step in years.
pub const DT: f64 = 1.0 / 12.0;

/// Calendar month (1..=12) of step `t`: `m(t) = ((start_month - 1 + t) mod 12) + 1`.
pub fn calendar_month(start_month: u32, t: usize) -> u32 {
    ((start_month as usize - 1 + t) % 12) as u32 + 1
}
