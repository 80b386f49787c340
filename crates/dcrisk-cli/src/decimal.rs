//! Rounding of computed decimals so they read as typed: a grid step or a swing computed
//! in binary floating point (0.1 + 0.2) should print, and reach the scenario, as the
//! decimal a person would have written (0.3).

/// `x` rounded to 12 significant digits, so values computed from a grid or a swing read
/// as typed (0.3, not 0.30000000000000004) and equal what `--set KEY=0.3` gives.
pub fn round12(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// `x` to 6 significant digits, for settings written as text (`x0.8`, `+0.024`).
pub fn round6(x: f64) -> f64 {
    format!("{x:.5e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computed_decimals_read_as_typed() {
        assert_eq!(round12(0.1 + 0.2), 0.3);
        assert_eq!(round12(-0.12 + 0.024), -0.096);
        assert_eq!(round6(1.0 - 0.2 * 1.0000001), 0.8);
    }
}
