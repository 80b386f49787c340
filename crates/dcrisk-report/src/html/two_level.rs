//! The uncertain-inputs section of a two-level run's report.html: what drives mean
//! savings (drivers.csv's savings rows with their intervals), how far mean savings move
//! over the outer samples, and the two charts (drivers.png, uncertainty.png).

use std::fmt::Write as _;

use dcrisk_core::Metric;
use dcrisk_core::uncertain::DriverRow;

use crate::charts::sweep::ValueKind;
use crate::decisions::TwoLevel;
use crate::report::chart_caption;

use super::{escape, figure, show};

/// An index with its 95% interval, `n/a` where it does not exist.
fn index(estimate: f64, lo: f64, hi: f64) -> String {
    match estimate.is_finite() {
        true => format!("{estimate:.2} [{lo:.2}, {hi:.2}]"),
        false => "n/a".to_string(),
    }
}

/// A number as drivers.csv's inputs read (four significant digits), `n/a` when absent.
fn input_value(x: f64) -> String {
    match x.is_finite() {
        true => crate::format::format_number(x, 4 - digits(x)),
        false => "n/a".to_string(),
    }
}

/// Decimals to show for four significant digits (none for large numbers).
fn digits(x: f64) -> usize {
    match x.abs() {
        a if a >= 1000.0 => 4,
        a if a >= 100.0 => 3,
        a if a >= 10.0 => 2,
        a if a >= 1.0 => 1,
        _ => 0,
    }
}

/// The section: spread, charts, drivers table.
pub fn section(t: &TwoLevel) -> String {
    let [mean, std, p05, p50, p95] = t.savings_spread;
    let money = ValueKind::Money;
    let mut out = format!(
        "<section id=\"uncertainty\" class=\"charts\"><h2>Uncertain inputs</h2><p>The run's \
         figures above pool every outer sample: they include the uncertainty about the \
         inputs. Mean savings over the outer samples: mean {}, standard deviation {}, P5 {}, \
         P50 {}, P95 {}.</p><p class=\"note\">{}</p>",
        show(money, mean),
        show(money, std),
        show(money, p05),
        show(money, p50),
        show(money, p95),
        escape(&t.method)
    );
    for c in t.charts {
        let (heading, caption) = chart_caption(c.file_name);
        out.push_str(&figure(c, heading, caption));
    }
    out.push_str(&drivers_table(t));
    out + "</section>"
}

/// drivers.csv's rows for mean savings, the strongest first-order index first.
fn drivers_table(t: &TwoLevel) -> String {
    let mut rows: Vec<&DriverRow> = t
        .drivers
        .iter()
        .filter(|r| r.metric == Metric::SavingsPv)
        .collect();
    rows.sort_by(|a, b| {
        let key = |r: &DriverRow| match r.first_order.estimate.is_finite() {
            true => r.first_order.estimate,
            false => f64::NEG_INFINITY,
        };
        key(b).total_cmp(&key(a))
    });
    let totals = rows.iter().any(|r| r.total.is_some());
    let mut out = String::from(
        "<h3>What drives mean savings</h3><div class=\"wide\"><table><tr><th>input</th>\
         <th class=\"num\">first-order index [95%]</th>",
    );
    if totals {
        out.push_str("<th class=\"num\">total effect [95%]</th>");
    }
    out.push_str(
        "<th class=\"num\">Spearman</th><th class=\"num\">input in the worst 5%</th>\
         <th class=\"num\">input overall</th></tr>",
    );
    for r in rows {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td>",
            escape(t.keys[r.input]),
            index(r.first_order.estimate, r.first_order.lo, r.first_order.hi)
        );
        if totals {
            let total = r
                .total
                .map_or("n/a".to_string(), |x| index(x.estimate, x.lo, x.hi));
            let _ = write!(out, "<td class=\"num\">{total}</td>");
        }
        let spearman = match r.spearman.is_finite() {
            true => format!("{:+.2}", r.spearman),
            false => "n/a".to_string(),
        };
        let _ = write!(
            out,
            "<td class=\"num\">{spearman}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            input_value(r.worst5_mean),
            input_value(r.overall_mean)
        );
    }
    out + "</table></div><p class=\"note\">First-order index: the share of the variance of \
           mean savings over the outer samples explained by the input alone (0 to 1), with \
           its 95% bootstrap interval. Total effect (with <code>--sobol</code>): alone and in \
           interactions. Input in the worst 5%: the input's mean over the outer samples with \
           the lowest 5% of mean savings, against its mean over all of them. Every metric's \
           rows are in drivers.csv and report.xlsx.</p>"
}
