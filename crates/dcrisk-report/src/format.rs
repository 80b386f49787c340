//! Number formatting for labels and axes: money as `$1.2M` / `$3.45B`, shares as
//! percentages, counts with thousands separators. One place, so every chart and table
//! writes the same number the same way.

/// A money unit: divisor and suffix.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Unit {
    div: f64,
    suffix: &'static str,
}

const UNITS: [Unit; 5] = [
    Unit {
        div: 1e12,
        suffix: "T",
    },
    Unit {
        div: 1e9,
        suffix: "B",
    },
    Unit {
        div: 1e6,
        suffix: "M",
    },
    Unit {
        div: 1e3,
        suffix: "k",
    },
    Unit {
        div: 1.0,
        suffix: "",
    },
];

/// The largest unit not bigger than `magnitude` (dollars for anything below $1k).
fn unit_for(magnitude: f64) -> Unit {
    UNITS
        .into_iter()
        .find(|u| magnitude >= u.div)
        .unwrap_or(UNITS[UNITS.len() - 1])
}

/// Rounds to three significant digits, so the unit is picked after rounding
/// (999,960 becomes $1M, not $1000k).
fn round_sig3(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let factor = 10f64.powf(2.0 - x.abs().log10().floor());
    (x * factor).round() / factor
}

/// Removes trailing zeros after a decimal point: "1.20" -> "1.2", "3.00" -> "3".
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Money as dcrisk writes it everywhere: charts, legends and the command's tables.
///
/// The rule:
/// - three significant figures, rounded before the unit is chosen, so 999,960 is `$1M`
///   (not `$1000k`);
/// - a unit suffix: none below $1k, then `k`, `M`, `B` (and `T` from $1,000B on, so
///   the figures stay three);
/// - no trailing zeros: `$2.5M`, `$5B`;
/// - the sign before the `$`: `-$250k`;
/// - zero, and anything under half a cent, is `$0`, without a sign;
/// - `n/a` for a value that is not finite.
///
/// # Examples
/// ```
/// use dcrisk_report::format_money;
/// assert_eq!(format_money(1.2e6), "$1.2M");
/// assert_eq!(format_money(3.454e9), "$3.45B");
/// assert_eq!(format_money(-250e3), "-$250k");
/// assert_eq!(format_money(-2.5e6), "-$2.5M");
/// assert_eq!(format_money(999_960.0), "$1M");
/// assert_eq!(format_money(0.0), "$0");
/// ```
pub fn format_money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let rounded = round_sig3(x.abs());
    if rounded == 0.0 {
        return "$0".to_string();
    }
    let unit = unit_for(rounded);
    let v = rounded / unit.div;
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let digits = trim_zeros(format!("{v:.decimals$}"));
    if digits == "0" {
        return "$0".to_string();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}${digits}{}", unit.suffix)
}

/// A change in money, as [`format_money`] with a `+` before a gain, so a table or a bar
/// label of changes reads at a glance which way each one went.
///
/// # Examples
/// ```
/// use dcrisk_report::format_signed_money;
/// assert_eq!(format_signed_money(1.2e6), "+$1.2M");
/// assert_eq!(format_signed_money(-3.5e8), "-$350M");
/// assert_eq!(format_signed_money(0.001), "$0");
/// ```
pub fn format_signed_money(delta: f64) -> String {
    let text = format_money(delta);
    if delta > 0.0 && text != "$0" {
        format!("+{text}")
    } else {
        text
    }
}

/// Money tick labels for one axis: one unit and one number of decimals for every tick,
/// so an axis reads `$0B, $2.5B, $5B` rather than mixing `$800M` and `$1B`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct MoneyTicks {
    unit: Unit,
    decimals: usize,
}

impl MoneyTicks {
    /// The format for ticks `step` apart on an axis reaching `max_abs` in magnitude.
    pub(crate) fn new(max_abs: f64, step: f64) -> Self {
        let unit = unit_for(max_abs.abs());
        MoneyTicks {
            unit,
            decimals: decimals_for_step(step / unit.div),
        }
    }

    /// The label of the tick at `x`.
    pub(crate) fn format(&self, x: f64) -> String {
        let digits = format!("{:.*}", self.decimals, x.abs() / self.unit.div);
        if digits.bytes().all(|b| b == b'0' || b == b'.') {
            return "$0".to_string();
        }
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}${digits}{}", self.unit.suffix)
    }
}

/// Decimals needed to tell apart numbers `step` apart (steps are 1, 2 or 5 times a
/// power of ten, and 2.5 at most needs one more).
pub(crate) fn decimals_for_step(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) {
        return 0;
    }
    let mut decimals = (-step.log10().floor()).max(0.0) as usize;
    let scaled = step * 10f64.powi(decimals as i32);
    if (scaled - scaled.round()).abs() > 1e-6 {
        decimals += 1;
    }
    decimals.min(6)
}

/// A share in [0, 1] as a percentage with as many decimals as a small share needs.
///
/// # Examples
/// ```
/// use dcrisk_report::format::format_percent;
/// assert_eq!(format_percent(0.0483), "4.8%");
/// assert_eq!(format_percent(0.0042), "0.42%");
/// assert_eq!(format_percent(0.0), "0%");
/// assert_eq!(format_percent(1.0), "100%");
/// ```
pub fn format_percent(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_string();
    }
    let pct = p * 100.0;
    let a = pct.abs();
    if a == 0.0 {
        return "0%".to_string();
    }
    if a < 0.01 {
        return if pct < 0.0 { ">-0.01%" } else { "<0.01%" }.to_string();
    }
    let decimals = if a >= 1.0 {
        1
    } else if a >= 0.1 {
        2
    } else {
        3
    };
    format!("{}%", trim_zeros(format!("{pct:.decimals$}")))
}

/// A number with thousands separators and a fixed number of decimals.
///
/// # Examples
/// ```
/// use dcrisk_report::format::format_number;
/// assert_eq!(format_number(1234567.0, 0), "1,234,567");
/// assert_eq!(format_number(-1234.5, 1), "-1,234.5");
/// ```
pub fn format_number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let zero = text.bytes().all(|b| b == b'0' || b == b'.');
    let sign = if x < 0.0 && !zero { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// The English name of a calendar month (1..=12), for time-axis captions.
pub(crate) fn month_name(month: u32) -> Option<&'static str> {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.get((month as usize).checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_units_and_rounding() {
        assert_eq!(format_money(950.0), "$950");
        assert_eq!(format_money(12_345.0), "$12.3k");
        assert_eq!(format_money(5.0e9), "$5B");
        assert_eq!(format_money(12.5e9), "$12.5B");
        assert_eq!(format_money(125.4e9), "$125B");
        assert_eq!(format_money(14_412_000_000.0), "$14.4B");
        assert_eq!(format_money(1.5e12), "$1.5T");
        assert_eq!(format_money(-3.0e6), "-$3M");
        assert_eq!(format_money(f64::NAN), "n/a");
        assert_eq!(format_money(f64::INFINITY), "n/a");
    }

    /// Three significant figures, whatever the unit, and no trailing zeros.
    #[test]
    fn money_has_three_significant_figures() {
        assert_eq!(format_money(1_234_567.0), "$1.23M");
        assert_eq!(format_money(12_345_678.0), "$12.3M");
        assert_eq!(format_money(123_456_789.0), "$123M");
        assert_eq!(format_money(-2_500_000.0), "-$2.5M");
        assert_eq!(format_money(1.006), "$1.01");
        assert_eq!(format_money(0.5), "$0.5");
        // Rounding can carry into the next unit.
        assert_eq!(format_money(999.6), "$1k");
        assert_eq!(format_money(-999_600_000.0), "-$1B");
    }

    /// Zero has no sign and no decimals, however it is reached.
    #[test]
    fn money_zero() {
        assert_eq!(format_money(0.0), "$0");
        assert_eq!(format_money(-0.0), "$0");
        assert_eq!(format_money(-1e-9), "$0");
        assert_eq!(format_money(0.004), "$0");
    }

    #[test]
    fn signed_money_marks_gains() {
        assert_eq!(format_signed_money(1.2e9), "+$1.2B");
        assert_eq!(format_signed_money(301_000.0), "+$301k");
        assert_eq!(format_signed_money(-3.5e8), "-$350M");
        assert_eq!(format_signed_money(0.0), "$0");
        assert_eq!(format_signed_money(1e-9), "$0");
        assert_eq!(format_signed_money(f64::NAN), "n/a");
    }

    #[test]
    fn money_ticks_share_a_unit() {
        let t = MoneyTicks::new(1.2e9, 0.2e9);
        assert_eq!(t.format(0.0), "$0");
        assert_eq!(t.format(0.8e9), "$0.8B");
        assert_eq!(t.format(1.0e9), "$1.0B");
        let t = MoneyTicks::new(5.1e9, 0.005e9);
        assert_eq!(t.format(4.995e9), "$4.995B");
        assert_eq!(MoneyTicks::new(30e9, 5e9).format(-5e9), "-$5B");
        assert_eq!(MoneyTicks::new(1e9, 0.25e9).format(0.75e9), "$0.75B");
    }

    #[test]
    fn step_decimals() {
        assert_eq!(decimals_for_step(5.0), 0);
        assert_eq!(decimals_for_step(0.5), 1);
        assert_eq!(decimals_for_step(0.25), 2);
        assert_eq!(decimals_for_step(0.02), 2);
        assert_eq!(decimals_for_step(0.0), 0);
    }

    #[test]
    fn numbers_and_months() {
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1000.0, 0), "1,000");
        assert_eq!(format_number(-0.01, 1), "0.0");
        assert_eq!(month_name(1), Some("January"));
        assert_eq!(month_name(0), None);
        assert_eq!(month_name(13), None);
    }
}
