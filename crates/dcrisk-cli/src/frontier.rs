//! `dcrisk frontier`: mean savings against their 5% expected shortfall over factors on a
//! key (docs/MODEL.md "Decisions"), every factor with the same seed and paths (common
//! random numbers); the efficient factors are those no other beats on both. Writes
//! `OUT/<name>/frontier.csv`, `frontier.png`, `frontier.run.json` and the reports
//! `frontier.html` / `frontier.xlsx` (`--report`).
//!
//! Factor 1 (the plan as written) joins the grid when it lies between LO and HI and is
//! not on it, so the current plan is always among the points it could be; its figures
//! are the plain run's, bit for bit.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::decide::{FrontierPoint, flag_points};
use dcrisk_report::{ChartOptions, FrontierChart, FrontierReport, FrontierRow, render_frontier};
use serde_json::json;

use crate::atomic::{OutputFile, write_beside};
use crate::cli::FrontierArgs;
use crate::decision::{Decision, Mode};
use crate::load::InputError;
use crate::provenance::Record;
use crate::publish::say;
use crate::report::{frontier_files, making_rows};
use crate::study;
use crate::table::{pct, show, text_table};

/// `dcrisk frontier`.
pub fn frontier(args: &FrontierArgs) -> Result<()> {
    let started = Instant::now();
    let d = Decision::load(
        &args.scenario,
        &args.run.common.set,
        &args.scale.key,
        Mode::Scale,
        args.run.strict,
    )?;
    let factors = factors(&args.scale.values);
    let scenarios = factors
        .iter()
        .map(|&f| d.scenario(f))
        .collect::<Result<Vec<_>, InputError>>()?;
    let dir = args.run.common.out.join(&d.base.name);
    let record =
        Record::for_scenario(&args.scenario, &args.run.common.set, &d.tree)?.forced(args.run.force);
    record.check_replacement(&dir)?;
    let label = format!("frontier {} ({} factors)", d.base.name, factors.len());
    let runs = study::run_all(&scenarios, &args.run.common, &label, |r| {
        (
            FrontierPoint::of_run(0.0, r),
            r.scenario.clone(),
            r.seed,
            r.paths,
            r.headline().savings_half_width(),
        )
    })?;
    let points: Vec<FrontierPoint> = runs
        .iter()
        .zip(&factors)
        .map(|((p, ..), &factor)| FrontierPoint { factor, ..*p })
        .collect();
    let efficient = flag_points(&points);
    let mut files = vec![OutputFile::new(
        "frontier.csv",
        frontier_csv(&points, &efficient),
    )];
    let (_, scenario, seed, paths, _) = &runs[0];
    let chart = FrontierChart {
        scenario: scenario.clone(),
        key: d.key.clone(),
        paths: *paths,
        seed: *seed,
        points: points.iter().map(|p| (p.factor, p.mean, p.es05)).collect(),
        efficient: efficient.clone(),
    };
    let png = match args.run.charts.no_charts {
        true => None,
        false => {
            let (width, height) = args.run.charts.chart_size;
            Some(
                render_frontier(&chart, &ChartOptions { width, height })
                    .context("cannot render the frontier chart")?,
            )
        }
    };
    let record = record.with("factors", json!(factors.len()));
    let run = record.study_json(*seed, *paths);
    let making = making_rows(&run);
    let rows: Vec<FrontierRow> = points
        .iter()
        .zip(&efficient)
        .zip(&runs)
        .map(|((p, &efficient), run)| FrontierRow {
            factor: p.factor,
            mean: p.mean,
            half_width: run.4,
            p05: p.p05,
            es05: p.es05,
            p_negative: p.p_negative,
            efficient,
        })
        .collect();
    let committee = FrontierReport {
        chart: &chart,
        rows: &rows,
        png: png.as_ref(),
        making: &making,
        started: run.get("started").and_then(serde_json::Value::as_str),
    };
    files.extend(frontier_files(&committee, args.run.report.formats())?);
    files.extend(png.map(|c| OutputFile::new(c.file_name, c.png)));
    let run_json = record.json_file("frontier.run.json", *seed, *paths);
    files.push(run_json);
    write_beside(&dir, &files, &|| Ok(record.check_replacement(&dir)?))?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    say(&format!(
        "{}  wrote {} in {}/\n",
        report(&d, &points, &efficient, *paths, *seed, started),
        names.join(", "),
        dir.display()
    ));
    Ok(())
}

/// The grid's factors, with 1 added in order when it lies within them and is not one.
fn factors(values: &[f64]) -> Vec<f64> {
    let mut out = values.to_vec();
    let (lo, hi) = out
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if lo <= 1.0 && 1.0 <= hi && !out.contains(&1.0) {
        out.push(1.0);
        out.sort_by(f64::total_cmp);
    }
    out
}

/// frontier.csv: one row per factor, every float in its shortest round-trip form.
fn frontier_csv(points: &[FrontierPoint], efficient: &[bool]) -> String {
    let mut out = String::from(
        "factor,savings_pv_mean,savings_pv_p05,savings_pv_lower_es_05,p_savings_negative,efficient\n",
    );
    for (p, e) in points.iter().zip(efficient) {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{e}",
            p.factor, p.mean, p.p05, p.es05, p.p_negative
        );
    }
    out
}

fn report(
    d: &Decision,
    points: &[FrontierPoint],
    efficient: &[bool],
    paths: u64,
    seed: u64,
    started: Instant,
) -> String {
    let kind = dcrisk_report::ValueKind::Money;
    let mut rows = vec![vec![
        format!("factor on {}", d.key),
        "mean savings".to_string(),
        "P5".to_string(),
        "ES 5%".to_string(),
        "P(savings < 0)".to_string(),
        "efficient".to_string(),
    ]];
    for (p, e) in points.iter().zip(efficient) {
        rows.push(vec![
            format!(
                "{}{}",
                p.factor,
                if p.factor == 1.0 { " (plan)" } else { "" }
            ),
            show(kind, p.mean),
            show(kind, p.p05),
            show(kind, p.es05),
            pct(p.p_negative),
            if *e { "yes" } else { "" }.to_string(),
        ]);
    }
    format!(
        "frontier {}: {} factors, {paths} paths each, seed {seed} at every factor (common \
         random numbers), {:.2} s\n{}",
        d.base.name,
        points.len(),
        started.elapsed().as_secs_f64(),
        text_table(&rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_one_joins_the_grid_inside_it() {
        assert_eq!(factors(&[0.5, 0.9, 1.3]), [0.5, 0.9, 1.0, 1.3]);
        assert_eq!(factors(&[0.5, 1.0, 1.5]), [0.5, 1.0, 1.5]);
        assert_eq!(factors(&[1.5, 2.0]), [1.5, 2.0]);
    }
}
