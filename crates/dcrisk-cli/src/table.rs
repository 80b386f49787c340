//! Text for the terminal: the short summary printed after a run, aligned tables for the
//! commands that compare runs, and the cell formats they share. Money goes through
//! `dcrisk_report::format_money`, so the terminal and the charts write the same figure
//! the same way.

use std::fmt::Write as _;

use dcrisk_core::text::thousands;
use dcrisk_core::{Convergence, Headline, RunResults};
use dcrisk_report::{ValueKind, format_money, format_signed_money};

use crate::cli::RunArgs;
use crate::decimal::round6;

/// A share as a percentage with one decimal.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// `v` for the terminal: money as [`format_money`], shares as percentages, other
/// numbers with up to four decimals.
pub fn show(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Money => format_money(v),
        ValueKind::Share => pct(v),
        ValueKind::Number => format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string(),
    }
}

/// A change of `v`, signed, for the terminal: money as [`format_signed_money`], the
/// others as [`show`] with a `+` or `-` (none for 0).
pub fn show_signed(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Money => format_signed_money(v),
        _ if v < 0.0 => format!("-{}", show(kind, -v)),
        _ if v > 0.0 => format!("+{}", show(kind, v)),
        _ => show(kind, v),
    }
}

/// What a metric measures (money, a share, a plain number), for charts' axes and the
/// cells and lines that show it; the reports use the same.
pub use dcrisk_report::metric_kind;

/// `x` with three significant digits and no exponent (`0.00123`, `1.23`, `1230`).
fn sig3(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.decimals$}")
}

/// A precision run's mean and 95% half-width in the target's units: money as money, a
/// probability as a percentage and its half-width in percentage points, numbers as such.
fn mean_and_half_width(kind: ValueKind, mean: f64, half_width: f64) -> String {
    match kind {
        ValueKind::Money => format!("{} ± {}", format_money(mean), format_money(half_width)),
        ValueKind::Share => format!(
            "{}% ± {} percentage points",
            sig3(100.0 * mean),
            sig3(100.0 * half_width)
        ),
        ValueKind::Number => format!("{} ± {}", sig3(mean), sig3(half_width)),
    }
}

/// The line of a run to a precision: the target's mean and half-width in its units, the
/// half-width relative to the mean, the paths used.
fn precision_text(r: &RunResults, c: &Convergence) -> String {
    let figures = mean_and_half_width(
        metric_kind(c.target),
        r.estimate(c.target).mean,
        c.half_width,
    );
    let relative = match c.relative_half_width.is_finite() {
        true => format!(" (±{}% of the mean)", sig3(100.0 * c.relative_half_width)),
        false => String::new(),
    };
    format!(
        "{} mean {figures}{relative} after {} paths",
        c.target.name(),
        thousands(c.paths_used)
    )
}

/// A run to a precision that used its whole --max-paths budget short of the precision
/// asked: exit code 3 (see `main`), returned once the outputs are written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PrecisionNotMet(pub String);

/// `Err` when `r` is a run to a precision that did not reach the one `args` asked for.
pub fn precision_verdict(r: &RunResults, args: &RunArgs) -> Result<(), PrecisionNotMet> {
    let Some(c) = r.convergence.as_ref().filter(|c| !c.met) else {
        return Ok(());
    };
    let mut asked = Vec::new();
    if let Some(rel) = args.precision {
        asked.push(format!("±{}% (--precision {rel})", round6(100.0 * rel)));
    }
    if let Some(x) = args.precision_abs {
        let within = match metric_kind(c.target) {
            ValueKind::Money => format_money(x),
            _ => sig3(x),
        };
        asked.push(format!("±{within} (--precision-abs {x})"));
    }
    Err(PrecisionNotMet(format!(
        "precision not met within --max-paths {}: {}, asked {}. The outputs are written \
         and valid, only less precise than asked; raise --max-paths or ask less",
        thousands(args.max_paths),
        precision_text(r, c),
        asked.join(" and ")
    )))
}

/// The run's headline figures as a small two-column table.
pub fn render(r: &RunResults, h: &Headline, seconds: f64) -> String {
    let mut rows: Vec<(&str, String)> = vec![
        ("Savings vs cloud (PV), mean", mean_savings(r, h)),
        (
            "  P5 / P50 / P95",
            format!(
                "{} / {} / {}",
                format_money(h.savings_p05()),
                format_money(h.savings_p50()),
                format_money(h.savings_p95())
            ),
        ),
        ("  5% expected shortfall", format_money(h.savings_es_05())),
        ("  P(leasing loses)", pct(h.p_savings_negative)),
        ("Program cost (PV), mean", format_money(h.program_cost_mean)),
        ("All-cloud cost (PV), mean", format_money(h.cloud_cost_mean)),
        ("Tenant default probability", pct(h.tenant_default)),
        (
            "Guarantor expected loss (PV)",
            format_money(h.guarantor_expected_loss),
        ),
        (
            "  payout P95 / P99 / ES 99%",
            format!(
                "{} / {} / {}",
                format_money(h.guarantor_payout_p95()),
                format_money(h.guarantor_payout_p99()),
                format_money(h.guarantor_payout_es_99())
            ),
        ),
        (
            "Guarantor peak PFE 99%",
            format_money(h.guarantor_pfe99_peak),
        ),
        ("P(any landlord default)", pct(h.any_landlord_default)),
        (
            "Landlord shortfall (PV), mean",
            format_money(h.landlord_shortfall_mean),
        ),
    ];
    contract_rows(h, &mut rows);
    if let Some(c) = &r.convergence {
        let verdict = if c.met {
            "met"
        } else {
            "NOT met within --max-paths"
        };
        rows.push(("Precision", format!("{}: {verdict}", precision_text(r, c))));
    }
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{}: {} paths, seed {}, {} months, {:.2} s\n",
        r.scenario, r.paths, r.seed, r.horizon_months, seconds
    );
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:<width$}  {v}");
    }
    out
}

/// The contract figures (docs/MODEL.md 8 and 10), where they apply: the fair fee when
/// there is a guarantee, signing and break fees when some lease is preliminary, the
/// guarantee's failure when the guarantor can default.
fn contract_rows(h: &Headline, rows: &mut Vec<(&str, String)>) {
    let c = &h.contracts;
    if c.fair_fee_bps > 0.0 {
        rows.push((
            "Fair guarantee fee",
            format!("{:.1} bps a year", c.fair_fee_bps),
        ));
    }
    if c.guarantee_fails > 0.0 {
        // A rated guarantor fails rarely: enough digits to show it.
        rows.push((
            "P(guarantor fails first)",
            format!("{:.3}%", 100.0 * c.guarantee_fails),
        ));
    }
    if c.signing_uncertain || c.break_fees_mean > 0.0 {
        rows.push((
            "Signed capacity, mean",
            format!("{:.0} MW", c.signed_capacity_mean),
        ));
        rows.push(("Break fees (PV), mean", format_money(c.break_fees_mean)));
    }
}

/// Mean savings with its 95% interval, and the variance reduction when a technique made
/// the interval narrower than plain Monte Carlo would.
fn mean_savings(r: &RunResults, h: &Headline) -> String {
    let interval = format!(
        "{} ± {}",
        format_money(h.savings_mean),
        format_money(h.savings_half_width())
    );
    let t = r.techniques;
    if t.antithetic || t.control_variates {
        format!(
            "{interval} (95% CI; variance reduction x{:.1})",
            h.savings_variance_reduction
        )
    } else {
        format!("{interval} (95% CI)")
    }
}

/// Rows of cells as an aligned text table (first column left-aligned, the others
/// right-aligned), each line indented by two spaces.
pub fn text_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        out.push(' ');
        for (c, cell) in row.iter().enumerate() {
            let w = widths[c];
            if c == 0 {
                let _ = write!(out, " {cell:<w$}");
            } else {
                let _ = write!(out, "  {cell:>w$}");
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcrisk_core::Metric;

    #[test]
    fn tables_align() {
        let t = text_table(&[
            vec!["name".into(), "x".into()],
            vec!["longer name".into(), "12.5".into()],
        ]);
        assert_eq!(t, "  name            x\n  longer name  12.5\n");
    }

    #[test]
    fn cells_by_kind() {
        assert_eq!(show(ValueKind::Money, -2_500_000.0), "-$2.5M");
        assert_eq!(show(ValueKind::Money, 0.0), "$0");
        assert_eq!(show(ValueKind::Share, 0.0483), "4.8%");
        assert_eq!(show(ValueKind::Number, 1.5), "1.5");
        assert_eq!(show(ValueKind::Number, 2.0), "2");
        assert_eq!(show_signed(ValueKind::Money, -2_500_000.0), "-$2.5M");
        assert_eq!(show_signed(ValueKind::Share, 0.0483), "+4.8%");
        assert_eq!(show_signed(ValueKind::Number, -1.5), "-1.5");
    }

    /// A precision line shows the target in its own units: a probability is no money.
    #[test]
    fn precision_figures_by_kind() {
        assert_eq!(metric_kind(Metric::TenantDefault), ValueKind::Share);
        assert_eq!(metric_kind(Metric::IdleMwMonths), ValueKind::Number);
        assert_eq!(metric_kind(Metric::GuarantorPayoutPv), ValueKind::Money);
        assert_eq!(
            mean_and_half_width(ValueKind::Share, 0.0731, 0.001234),
            "7.31% ± 0.123 percentage points"
        );
        assert_eq!(
            mean_and_half_width(ValueKind::Money, 2.5e6, 1.2e4),
            "$2.5M ± $12k"
        );
        assert_eq!(
            mean_and_half_width(ValueKind::Number, 1234.25, 0.5),
            "1234 ± 0.500"
        );
        assert_eq!(sig3(0.0), "0");
    }
}
