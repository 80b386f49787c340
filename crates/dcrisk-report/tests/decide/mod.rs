//! The decision charts (`solve.png`, `frontier.png`): real pictures of the asked size,
//! byte-identical on a second render, and no panic on a single point or no points.

use dcrisk_report::{
    ChartOptions, FRONTIER_FILE, FrontierChart, SOLVE_FILE, SolveChart, render_frontier,
    render_solve,
};

use super::assert_picture;

fn solve_chart() -> SolveChart {
    SolveChart {
        scenario: "gigawatt-program".into(),
        paths: 20_000,
        seed: 42,
        decision: "Factor on sites[*].rent_per_kw_month".into(),
        statistic: "savings_pv.mean".into(),
        money: true,
        target: 0.0,
        multiplier: 1.96,
        points: vec![
            (0.5, 2.0e10, 5e8),
            (3.0, -9.0e9, 5e8),
            (2.2, 1.0e8, 4.9e8),
            (2.25, -4.0e7, 4.9e8),
        ],
        root: 2.24,
        achieved: 1.0,
        interval: [2.16, 2.32],
    }
}

fn frontier_chart() -> FrontierChart {
    FrontierChart {
        scenario: "gigawatt-program".into(),
        key: "sites[*].capacity_mw".into(),
        paths: 20_000,
        seed: 42,
        points: vec![
            (0.25, 6.8e9, -4.9e9),
            (0.5, 1.26e10, -1.09e10),
            (0.75, 1.55e10, -1.97e10),
            (1.0, 1.46e10, -3.1e10),
            (1.5, 4.0e9, -5.5e10),
        ],
        efficient: vec![true, true, true, false, false],
    }
}

#[test]
fn decision_charts_are_real_and_reproducible() {
    let opts = ChartOptions::default();
    let solve = render_solve(&solve_chart(), &opts).unwrap();
    let frontier = render_frontier(&frontier_chart(), &opts).unwrap();
    assert_eq!(
        (solve.file_name, frontier.file_name),
        (SOLVE_FILE, FRONTIER_FILE)
    );
    assert_picture(&solve, &opts);
    assert_picture(&frontier, &opts);
    assert_eq!(render_solve(&solve_chart(), &opts).unwrap(), solve);
    assert_eq!(render_frontier(&frontier_chart(), &opts).unwrap(), frontier);
}

#[test]
fn degenerate_decision_charts_render() {
    let opts = ChartOptions {
        width: 640,
        height: 400,
    };
    let mut s = solve_chart();
    s.points.truncate(1);
    s.interval = [s.root, s.root];
    render_solve(&s, &opts).unwrap();
    let mut f = frontier_chart();
    f.points.truncate(1);
    f.efficient.truncate(1);
    render_frontier(&f, &opts).unwrap();
    f.points.clear();
    f.efficient.clear();
    render_frontier(&f, &opts).unwrap();
}
