//! solve.html and frontier.html: the decision commands' reports, in report.html's page
//! and style (self-contained, every text escaped). Each says the question, the answer
//! and how it was computed, shows the chart and every evaluation, how it was made and
//! the model's key assumptions.

use std::fmt::Write as _;

use crate::charts::sweep::ValueKind;
use crate::decisions::{FrontierReport, FrontierRow, SolveReport};
use crate::format::format_number;

use super::{assumptions_section, escape, figure, making_section, page, show};

/// A decision value or factor to six significant digits, trailing zeros dropped (the
/// files have every digit).
fn decision(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 12) as usize;
    let text = format!("{x:.decimals$}");
    match text.contains('.') {
        true => text.trim_end_matches('0').trim_end_matches('.').to_string(),
        false => text,
    }
}

fn subtitle(paths: u64, seed: u64, per: &str, started: Option<&str>) -> String {
    format!(
        "{} paths per {per}, seed {} at every {per} (common random numbers); dcrisk {}{}",
        format_number(paths as f64, 0),
        seed,
        env!("CARGO_PKG_VERSION"),
        started
            .map(|s| format!("; started {s}"))
            .unwrap_or_default()
    )
}

/// solve.html: the goal seek's question, answer, chart, evaluations and making.
pub fn render_solve(s: &SolveReport) -> String {
    let c = s.chart;
    let kind = s.kind;
    let mut body = String::new();
    let what = match s.mode {
        "scale" => format!(
            "a factor on every value <code>{}</code> matches",
            escape(s.key)
        ),
        _ => format!("the value of <code>{}</code>", escape(s.key)),
    };
    let _ = write!(
        body,
        "<section id=\"question\"><h2>The question</h2><p class=\"lead\">At which {what} \
         does <code>{}</code> reach {}?</p><table>\
         <tr><th>decision</th><td><code>{}</code> ({})</td></tr>\
         <tr><th>searched range</th><td>{} to {}</td></tr>\
         <tr><th>target</th><td><code>{}</code> = {}</td></tr>\
         <tr><th>tolerance</th><td>{:e} of the range</td></tr></table></section>",
        escape(&c.statistic),
        show(kind, c.target),
        escape(s.key),
        if s.mode == "scale" {
            "--scale: a factor"
        } else {
            "--vary: the value"
        },
        decision(s.range[0]),
        decision(s.range[1]),
        escape(&c.statistic),
        show(kind, c.target),
        s.tol
    );
    let half = c.multiplier * s.achieved_stderr;
    let clipped = match s.clipped {
        [false, false] => String::new(),
        _ => "<p class=\"note\">The interval is cut at the searched range: the Monte Carlo \
              error is wider than the range on that side. Widen the range or add paths.</p>"
            .to_string(),
    };
    let _ = write!(
        body,
        "<section id=\"answer\"><h2>The answer</h2><div class=\"cards\"><div class=\"card\">\
         <h3>Answer</h3><p class=\"big\">{} <span class=\"what\">{}</span></p></div>\
         <div class=\"card\"><h3>95% interval</h3><p class=\"big\">[{}, {}] \
         <span class=\"what\">from the Monte Carlo error of the statistic</span></p></div>\
         <div class=\"card\"><h3>At the answer</h3><p class=\"big\">{} \
         <span class=\"what\"><code>{}</code> ± {} (95%)</span></p></div></div>{clipped}\
         <p class=\"note\"><b>How it was computed.</b> {}. Every evaluation is a whole run \
         with the same seed and {} paths (common random numbers), so the statistic moves \
         smoothly with the decision; {} evaluations.</p></section>",
        decision(c.root),
        escape(&s.answer),
        decision(c.interval[0]),
        decision(c.interval[1]),
        show(kind, c.achieved),
        escape(&c.statistic),
        show(kind, half),
        escape(s.method),
        format_number(c.paths as f64, 0),
        c.points.len()
    );
    body.push_str(&chart_section(
        s.png,
        "Goal seek",
        "The statistic at each evaluation with its 95% interval, the target, and the answer with its interval.",
    ));
    body.push_str(&solve_points(s));
    body.push_str(&making_section(s.making));
    body.push_str(&assumptions_section());
    page::document(
        &format!("{}: goal seek", c.scenario),
        &subtitle(c.paths, c.seed, "evaluation", s.started),
        &[
            ("question", "Question"),
            ("answer", "Answer"),
            ("chart", "Chart"),
            ("evaluations", "Evaluations"),
            ("making", "How it was made"),
            ("assumptions", "Assumptions"),
        ],
        &body,
    )
}

/// The chart's section: the PNG embedded, or a note that charts were off.
fn chart_section(png: Option<&crate::Chart>, heading: &str, caption: &str) -> String {
    let mut out = String::from("<section id=\"chart\" class=\"charts\"><h2>Chart</h2>");
    match png {
        Some(c) => out.push_str(&figure(c, heading, caption)),
        None => out.push_str(
            "<p class=\"muted\">No chart in this report: it was made with \
             <code>--no-charts</code>.</p>",
        ),
    }
    out + "</section>"
}

/// Every evaluation, in the order made.
fn solve_points(s: &SolveReport) -> String {
    let c = s.chart;
    let mut out = format!(
        "<section id=\"evaluations\"><h2>Evaluations</h2><table><tr><th class=\"num\">#</th>\
         <th class=\"num\">{}</th><th class=\"num\"><code>{}</code></th>\
         <th class=\"num\">std. error</th><th class=\"num\">± 95%</th>\
         <th class=\"num\">minus target</th></tr>",
        if s.mode == "scale" { "factor" } else { "value" },
        escape(&c.statistic)
    );
    for (i, (x, v, se)) in c.points.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            i + 1,
            decision(*x),
            show(s.kind, *v),
            show(s.kind, *se),
            show(s.kind, c.multiplier * se),
            show(s.kind, v - c.target)
        );
    }
    out + "</table><p class=\"note\">Unrounded in solve.json and solve.xlsx.</p></section>"
}

/// frontier.html: the factors' mean savings against their ES 5%, the efficient ones.
pub fn render_frontier(f: &FrontierReport) -> String {
    let c = f.chart;
    let money = ValueKind::Money;
    let mut body = String::new();
    let factors: Vec<String> = f.rows.iter().map(|r| decision(r.factor)).collect();
    let _ = write!(
        body,
        "<section id=\"question\"><h2>The question</h2><p class=\"lead\">Scaling every value \
         <code>{}</code> matches, which factors give the most mean savings for their tail \
         risk?</p><table><tr><th>factors</th><td>{}</td></tr><tr><th>efficient</th><td>no \
         other factor has both higher mean savings and a higher (less bad) 5% expected \
         shortfall</td></tr></table></section>",
        escape(&c.key),
        factors.join(", ")
    );
    body.push_str("<section id=\"answer\"><h2>The answer</h2><div class=\"cards\">");
    let card = |title: &str, r: Option<&FrontierRow>, lead: &str| match r {
        Some(r) => format!(
            "<div class=\"card\"><h3>{title}</h3><p class=\"big\">x{} <span class=\"what\">\
             {lead}</span></p><table><tr><td>Mean savings</td><td class=\"num\">{}</td></tr>\
             <tr><td>95% interval of the mean</td><td class=\"num\">[{}, {}]</td></tr>\
             <tr><td>ES 5%</td><td class=\"num\">{}</td></tr><tr><td>P(leasing loses)</td>\
             <td class=\"num\">{}</td></tr></table></div>",
            decision(r.factor),
            show(money, r.mean),
            show(money, r.mean - r.half_width),
            show(money, r.mean + r.half_width),
            show(money, r.es05),
            show(ValueKind::Share, r.p_negative)
        ),
        None => String::new(),
    };
    body.push_str(&card(
        "Most mean savings",
        f.best_mean(),
        "the efficient factor with the highest mean",
    ));
    body.push_str(&card(
        "Least tail risk",
        f.safest(),
        "the efficient factor with the highest ES 5%",
    ));
    body.push_str(&card(
        "The plan",
        f.plan(),
        "factor 1, the scenario as written",
    ));
    let efficient: Vec<String> = f
        .rows
        .iter()
        .filter(|r| r.efficient)
        .map(|r| format!("x{}", decision(r.factor)))
        .collect();
    let _ = write!(
        body,
        "</div><p class=\"note\"><b>How it was computed.</b> One whole run per factor, every \
         one with seed {} and {} paths (common random numbers, so the differences between \
         factors are not noise of different draws). Efficient factors: {}. The choice \
         between them is the committee's: more mean savings cost more tail risk. The \
         interval is the mean's 95% confidence interval; ES 5% is the mean of the worst 5% \
         of paths' savings.</p></section>",
        c.seed,
        format_number(c.paths as f64, 0),
        efficient.join(", ")
    );
    body.push_str(&chart_section(
        f.png,
        "Mean-risk frontier",
        "Mean savings against their 5% expected shortfall at each factor; the efficient factors joined.",
    ));
    body.push_str(&frontier_rows(f));
    body.push_str(&making_section(f.making));
    body.push_str(&assumptions_section());
    page::document(
        &format!("{}: mean-risk frontier", c.scenario),
        &subtitle(c.paths, c.seed, "factor", f.started),
        &[
            ("question", "Question"),
            ("answer", "Answer"),
            ("chart", "Chart"),
            ("evaluations", "Factors"),
            ("making", "How it was made"),
            ("assumptions", "Assumptions"),
        ],
        &body,
    )
}

/// Every factor's row, efficient ones marked.
fn frontier_rows(f: &FrontierReport) -> String {
    let money = ValueKind::Money;
    let mut out = String::from(
        "<section id=\"evaluations\"><h2>Factors</h2><table><tr><th class=\"num\">factor</th>\
         <th class=\"num\">mean savings</th><th class=\"num\">± 95%</th><th class=\"num\">P5\
         </th><th class=\"num\">ES 5%</th><th class=\"num\">P(savings &lt; 0)</th>\
         <th>efficient</th></tr>",
    );
    for r in f.rows {
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td>{}</td></tr>",
            decision(r.factor),
            if r.factor == 1.0 { " (plan)" } else { "" },
            show(money, r.mean),
            show(money, r.half_width),
            show(money, r.p05),
            show(money, r.es05),
            show(ValueKind::Share, r.p_negative),
            if r.efficient { "<b>yes</b>" } else { "" }
        );
    }
    out + "</table><p class=\"note\">Unrounded in frontier.csv and frontier.xlsx.</p></section>"
}

#[cfg(test)]
mod tests {
    use super::decision;

    #[test]
    fn decisions_show_six_significant_digits() {
        assert_eq!(decision(2.247701022), "2.2477");
        assert_eq!(decision(1.0), "1");
        assert_eq!(decision(1_234_567.0), "1234567");
        assert_eq!(decision(0.000123456789), "0.000123457");
        assert_eq!(decision(-0.5), "-0.5");
        assert_eq!(decision(f64::NAN), "n/a");
    }
}
