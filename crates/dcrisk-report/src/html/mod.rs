//! report.html and comparison.html: one self-contained file each, which opens from an
//! e-mail attachment. The charts are the run's PNGs embedded as `data:` URIs, the style
//! sheet is inline, and there are no scripts, fonts or links to anything outside the
//! file. Every piece of text from the scenario (names are user input) goes through
//! [`escape`].

mod decide;
mod page;
mod two_level;

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dcrisk_core::Headline;
use dcrisk_core::stats::QUANTILE_LEVELS;

use crate::Chart;
use crate::charts::sweep::ValueKind;
use crate::format::{format_money, format_number, format_percent};
use crate::inputs::{Block, blocks};
use crate::report::{ASSUMPTIONS, Party, ReportInput, chart_caption, figures, metric_kind};

pub use decide::{render_frontier, render_solve};
pub use page::escape;

/// report.html of one run: headline figures per party, the charts, the metrics table,
/// the inputs with overrides marked, how the run was made and the model's assumptions.
pub fn render_run(input: &ReportInput) -> String {
    let r = input.results;
    let title = format!("{}: risk report", r.scenario);
    let subtitle = format!(
        "{} paths, seed {}, {} months; dcrisk {}{}",
        format_number(r.paths as f64, 0),
        r.seed,
        r.horizon_months,
        env!("CARGO_PKG_VERSION"),
        input
            .started
            .map(|s| format!("; run started {s}"))
            .unwrap_or_default()
    );
    let mut body = String::new();
    if let Some(text) = description(input) {
        let _ = write!(body, "<p class=\"lead\">{}</p>", escape(text));
    }
    body.push_str(&headline_section(input.headline));
    if let Some(t) = input.two_level {
        body.push_str(&two_level::section(t));
    }
    body.push_str(&charts_section(input.charts));
    body.push_str(&metrics_section(input));
    body.push_str(&inputs_section(input));
    body.push_str(&making_section(input.making));
    body.push_str(&assumptions_section());
    let mut sections = vec![("headline", "Headline")];
    if input.two_level.is_some() {
        sections.push(("uncertainty", "Uncertain inputs"));
    }
    sections.extend([
        ("charts", "Charts"),
        ("metrics", "Metrics"),
        ("inputs", "Inputs"),
        ("making", "How it was made"),
        ("assumptions", "Assumptions"),
    ]);
    page::document(&title, &subtitle, &sections, &body)
}

/// The scenario's `description`, if it has one.
fn description<'a>(input: &ReportInput<'a>) -> Option<&'a str> {
    input
        .scenario?
        .iter()
        .find_map(|(k, v)| match (k.as_str(), v) {
            ("description", dcrisk_core::scenario::Value::Str(s)) if !s.is_empty() => {
                Some(s.as_str())
            }
            _ => None,
        })
}

/// One scenario of a batch, for comparison.html.
pub struct ComparisonRow<'a> {
    pub headline: &'a Headline,
    /// The scenario file it was read from.
    pub file: &'a str,
}

/// comparison.html of a batch: the scenarios' headline figures side by side, the
/// comparison charts, and a pointer to each scenario's own report.
pub fn render_comparison(
    rows: &[ComparisonRow],
    base: Option<usize>,
    charts: &[Chart],
    reports: bool,
) -> String {
    let (paths, seed) = rows
        .first()
        .map_or((0, 0), |r| (r.headline.paths, r.headline.seed));
    let subtitle = format!(
        "{} scenarios, {} paths each, seed {} (common random numbers); dcrisk {}",
        rows.len(),
        format_number(paths as f64, 0),
        seed,
        env!("CARGO_PKG_VERSION")
    );
    let mut body = String::from("<section id=\"table\"><h2>Headline figures</h2>");
    body.push_str(&comparison_table(rows, base));
    body.push_str("</section>");
    body.push_str(&charts_section(charts));
    body.push_str("<section id=\"scenarios\"><h2>Scenarios</h2><table><tr><th>scenario</th><th>file</th><th>folder</th></tr>");
    for r in rows {
        let name = escape(&r.headline.scenario);
        let folder = match reports {
            true => format!("<a href=\"{name}/report.html\">{name}/report.html</a>"),
            false => format!("{name}/"),
        };
        let _ = write!(
            body,
            "<tr><td>{name}</td><td><code>{}</code></td><td>{folder}</td></tr>",
            escape(r.file)
        );
    }
    body.push_str("</table></section>");
    body.push_str(&assumptions_section());
    page::document(
        "Scenario comparison",
        &subtitle,
        &[
            ("table", "Figures"),
            ("charts", "Charts"),
            ("scenarios", "Scenarios"),
            ("assumptions", "Assumptions"),
        ],
        &body,
    )
}

/// A value in its unit: money as `$1.2B`, shares as percentages, numbers with decimals.
pub fn show(kind: ValueKind, v: f64) -> String {
    match kind {
        ValueKind::Money => format_money(v),
        ValueKind::Share => format_percent(v),
        ValueKind::Number if v.abs() < 100.0 => format_number(v, 2),
        ValueKind::Number => format_number(v, 0),
    }
}

/// The three parties' cards; each leads with its first figure, large.
fn headline_section(h: &Headline) -> String {
    let all = figures(h);
    let mut out =
        String::from("<section id=\"headline\"><h2>Headline figures</h2><div class=\"cards\">");
    for party in [Party::Tenant, Party::Guarantor, Party::Landlords] {
        let mine: Vec<_> = all.iter().filter(|f| f.party == party).collect();
        let _ = write!(
            out,
            "<div class=\"card\"><h3>{}</h3><p class=\"q\">{}</p><p class=\"big\">{} <span class=\"what\">{}</span></p><table>",
            party.title(),
            party.question(),
            show(mine[0].kind, mine[0].value),
            mine[0].label
        );
        for f in &mine[1..] {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
                f.label,
                show(f.kind, f.value)
            );
        }
        out.push_str("</table></div>");
    }
    out.push_str(
        "</div><p class=\"note\">PV: present value at the scenario's discount rate. \
        P5/P95: 5th/95th percentiles over paths. Expected shortfall: the mean of the worst 5% \
        (savings) or 1% (payouts) of paths. PFE: potential future exposure.</p></section>",
    );
    out
}

/// The charts, each with a heading and a caption, embedded as PNG data URIs.
fn charts_section(charts: &[Chart]) -> String {
    let mut out = String::from("<section id=\"charts\" class=\"charts\"><h2>Charts</h2>");
    if charts.is_empty() {
        out.push_str("<p class=\"muted\">No charts in this report: the run was made with <code>--no-charts</code>.</p>");
    }
    for c in charts {
        let (heading, caption) = chart_caption(c.file_name);
        out.push_str(&figure(c, heading, caption));
    }
    out.push_str("</section>");
    out
}

/// One chart as a figure: the PNG as a data URI, its heading, caption and file name.
fn figure(c: &Chart, heading: &str, caption: &str) -> String {
    format!(
        "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption><b>{}.</b> {} <span class=\"muted\">({})</span></figcaption></figure>",
        escape(heading),
        STANDARD.encode(&c.png),
        escape(heading),
        escape(caption),
        escape(c.file_name)
    )
}

/// The quantile columns of the metrics table (the workbook has them all).
const TABLE_QUANTILES: [&str; 5] = ["p05", "p25", "p50", "p75", "p95"];

/// Every metric's statistics, each in its unit.
fn metrics_section(input: &ReportInput) -> String {
    let mut out = String::from(
        "<section id=\"metrics\"><h2>Metrics</h2><div class=\"wide\"><table><tr><th>metric</th>\
         <th class=\"num\">mean</th><th class=\"num\">std. error</th><th class=\"num\">std</th>",
    );
    for q in TABLE_QUANTILES {
        let _ = write!(out, "<th class=\"num\">{}</th>", q.to_uppercase());
    }
    out.push_str("<th class=\"num\">ES 5% (low)</th><th class=\"num\">ES 95% (high)</th><th class=\"num\">min</th><th class=\"num\">max</th></tr>");
    for (m, s) in input.stats {
        let kind = metric_kind(*m);
        let mut cells = vec![s.mean, s.stderr, s.std];
        for q in TABLE_QUANTILES {
            let i = QUANTILE_LEVELS.iter().position(|(n, _)| *n == q);
            cells.push(i.map_or(f64::NAN, |i| s.quantiles[i]));
        }
        cells.extend([s.lower_es_05, s.upper_es_95, s.min, s.max]);
        let _ = write!(out, "<tr><td><code>{}</code></td>", m.name());
        for v in cells {
            let _ = write!(out, "<td class=\"num\">{}</td>", show(kind, v));
        }
        out.push_str("</tr>");
    }
    out.push_str(
        "</table></div><p class=\"note\">Every statistic, unrounded, is in \
        summary.json, metrics.csv and report.xlsx. Money in present-value dollars; \
        tenant_default as a share of paths.</p></section>",
    );
    out
}

/// The scenario as run: settings, sections and lists, overridden fields marked.
fn inputs_section(input: &ReportInput) -> String {
    let mut out = String::from("<section id=\"inputs\"><h2>Inputs</h2>");
    let Some(tree) = input.scenario else {
        out.push_str(
            "<p class=\"muted\">This run was merged from shard parts; its scenario \
            is recorded in each part's header (see How it was made).</p></section>",
        );
        return out;
    };
    let blocks = blocks(tree, input.original);
    let any_override = blocks.iter().any(|b| match b {
        Block::Fields(_, cells) => cells.iter().any(|c| c.overridden),
        Block::List(_, _, rows) => rows.iter().flatten().flatten().any(|c| c.overridden),
    });
    if any_override {
        out.push_str(
            "<p class=\"note\">Fields marked <span style=\"color:#d55e00\">\u{2020}</span> \
            on a shaded background were set on the command line (<code>--set</code>) and \
            differ from the scenario file.</p>",
        );
    }
    let r = input.results;
    let setting = |key: &str| {
        tree.iter().find_map(|(k, v)| match v {
            dcrisk_core::scenario::Value::Int(i) if k == key => Some(*i),
            _ => None,
        })
    };
    let differs = |key: &str, used: u64| setting(key).is_some_and(|v| v != used as i64);
    if differs("paths", r.paths) || differs("seed", r.seed) {
        let _ = write!(
            out,
            "<p class=\"note\">The file's <code>paths</code> and <code>seed</code> are \
             defaults: this run used {} paths and seed {} (see How it was made).</p>",
            format_number(r.paths as f64, 0),
            r.seed
        );
    }
    for b in &blocks {
        out.push_str(&page::block(b));
    }
    out.push_str("</section>");
    out
}

/// How the run was made: run.json's fields.
fn making_section(making: &[(String, String)]) -> String {
    let mut out = String::from("<section id=\"making\"><h2>How it was made</h2><table>");
    for (k, v) in making {
        let _ = write!(
            out,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            escape(k),
            escape(v)
        );
    }
    out.push_str(
        "</table><p class=\"note\">The same scenario, seed and path count give \
        the same numbers on any machine and thread count: scenario.toml in the run's folder \
        says how to reproduce the run.</p></section>",
    );
    out
}

fn assumptions_section() -> String {
    let mut out = String::from(
        "<section id=\"assumptions\"><h2>Key model assumptions</h2><ul class=\"assume\">",
    );
    for a in ASSUMPTIONS {
        let _ = write!(out, "<li>{}</li>", escape(a));
    }
    out.push_str(
        "</ul><p class=\"note\">The full model, its formulas and the choices \
        behind them: <code>docs/MODEL.md</code> in the dcrisk repository.</p></section>",
    );
    out
}

/// Figures as rows, scenarios as columns; the base case's column is marked.
fn comparison_table(rows: &[ComparisonRow], base: Option<usize>) -> String {
    let mut out = String::from("<div class=\"wide\"><table><tr><th>figure</th>");
    for (i, r) in rows.iter().enumerate() {
        let mark = if base == Some(i) { " (base)" } else { "" };
        let _ = write!(
            out,
            "<th class=\"num\">{}{mark}</th>",
            escape(&r.headline.scenario)
        );
    }
    out.push_str("</tr>");
    let per_row: Vec<_> = rows.iter().map(|r| figures(r.headline)).collect();
    let Some(first) = per_row.first() else {
        return out + "</table></div>";
    };
    for (k, f) in first.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}: {}</td>", f.party.title(), escape(f.label));
        for figs in &per_row {
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                show(f.kind, figs[k].value)
            );
        }
        out.push_str("</tr>");
    }
    out + "</table></div>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
