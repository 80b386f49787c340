//! report.html and report.xlsx from synthetic results: hostile names escaped, overrides
//! marked, the same input giving the same bytes, degenerate runs rendering without panic.

use dcrisk_core::RunResults;
use dcrisk_core::scenario::{Table, Value, apply_override, parse_toml};
use dcrisk_report::{Chart, ReportInput, html, xlsx};

use crate::support;

const SCENARIO: &str = "name = \"s\"\npaths = 10\n[guarantee]\ncap = 5.0\n\
    [[sites]]\nname = \"A\"\npue = 1.2\n[[sites]]\nname = \"B\"\npue = 1.3\n";

/// The file's tree and the tree as run: site B renamed to a script, the cap set to 0.
fn trees() -> (Table, Table) {
    let original = parse_toml(SCENARIO).unwrap();
    let mut tree = original.clone();
    let script = Value::Str("<script>alert('x')</script>".into());
    apply_override(&mut tree, "sites[1].name", script).unwrap();
    apply_override(&mut tree, "guarantee.cap", Value::Float(0.0)).unwrap();
    (original, tree)
}

/// Renders both reports of `r` with the trees, one tiny chart and a fixed start time.
fn render(r: &RunResults) -> (String, Vec<u8>) {
    let (original, tree) = trees();
    let stats = r.metric_stats();
    let headline = r.headline_from(&stats);
    let charts = [Chart {
        file_name: "savings_histogram.png",
        png: vec![0x89, b'P', b'N', b'G'],
    }];
    let making = [("seed".to_string(), "7 <b>".to_string())];
    let input = ReportInput {
        results: r,
        stats: &stats,
        headline: &headline,
        charts: &charts,
        making: &making,
        started: Some("2026-01-02T03:04:05Z"),
        scenario: Some(&tree),
        original: Some(&original),
        two_level: None,
    };
    let book = xlsx::render_run(&input).expect("workbook");
    (html::render_run(&input), book)
}

#[test]
fn names_are_escaped_and_overrides_marked() {
    let (page, _) = render(&support::realistic());
    assert!(!page.contains("<script"), "a name ran as a script");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(page.contains("7 &lt;b&gt;"), "making rows are escaped");
    // The renamed site and the cap: two marked cells, the rest plain.
    assert_eq!(page.matches("class=\"override\"").count(), 2);
    assert!(page.contains("src=\"data:image/png;base64,iVBORw==\""));
    assert!(page.contains("run started 2026-01-02T03:04:05Z"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let r = support::realistic();
    let (page_a, book_a) = render(&r);
    let (page_b, book_b) = render(&r);
    assert!(page_a == page_b, "report.html differs between two renders");
    assert!(book_a == book_b, "report.xlsx differs between two renders");
    assert!(book_a.starts_with(b"PK"), "not a zip file");
}

#[test]
fn degenerate_and_empty_runs_render() {
    for r in [support::degenerate(), support::empty()] {
        let (page, book) = render(&r);
        assert!(page.ends_with("</html>\n") && !book.is_empty());
    }
}

/// The decision reports of degenerate inputs render without panic: a goal seek of one
/// evaluation without a chart, a frontier of no factors (no efficient pick, the
/// workbook's named cells left empty), hostile text escaped.
#[test]
fn degenerate_decision_reports_render() {
    use dcrisk_report::{FrontierChart, FrontierReport, SolveChart, SolveReport, ValueKind};
    let making = [("command".to_string(), "dcrisk solve '<b>'".to_string())];
    let chart = SolveChart {
        scenario: "s".into(),
        paths: 1,
        seed: 7,
        decision: "Factor on <k>".into(),
        statistic: "savings_pv.mean".into(),
        money: true,
        target: 0.0,
        multiplier: 1.96,
        points: vec![(1.0, 0.0, 0.0)],
        root: 1.0,
        achieved: 0.0,
        interval: [f64::NEG_INFINITY, f64::INFINITY],
    };
    let solve = SolveReport {
        chart: &chart,
        key: "sites[*].name<x>",
        mode: "scale",
        range: [0.5, 2.0],
        answer: "x1".into(),
        kind: ValueKind::Money,
        achieved_stderr: 0.0,
        clipped: [true, true],
        tol: 1e-6,
        method: "m",
        png: None,
        making: &making,
        started: None,
    };
    let page = html::render_solve(&solve);
    assert!(page.contains("sites[*].name&lt;x&gt;") && page.contains("&lt;b&gt;"));
    assert!(page.contains("cut at the searched range") && !page.contains("<img"));
    assert!(!xlsx::render_solve(&solve).unwrap().is_empty());
    let empty = FrontierChart {
        scenario: "s".into(),
        key: "k".into(),
        paths: 1,
        seed: 7,
        points: Vec::new(),
        efficient: Vec::new(),
    };
    let frontier = FrontierReport {
        chart: &empty,
        rows: &[],
        png: None,
        making: &making,
        started: None,
    };
    assert!(frontier.best_mean().is_none() && frontier.plan().is_none());
    assert!(html::render_frontier(&frontier).contains("No chart"));
    assert!(!xlsx::render_frontier(&frontier).unwrap().is_empty());
}
