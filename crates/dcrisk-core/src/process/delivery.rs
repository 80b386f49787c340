//! Delivery delays: `ceil(Triangular(min, mode, max))` months per site (docs/MODEL.md 2.4).

use crate::math::ceil_to_i64;
use crate::random::triangular;
use crate::scenario::Delay;

/// The site's delivery month before any landlord effect, from one uniform `u`.
#[inline]
pub fn delivery_month(planned: u32, delay: &Delay, u: f64) -> i64 {
    planned as i64 + ceil_to_i64(triangular(delay.min, delay.mode, delay.max, u))
}
