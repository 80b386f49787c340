//! The reports of `solve` and `frontier` (solve.html/xlsx, frontier.html/xlsx) and the
//! uncertain-inputs part of a two-level run's report: written beside the run's own files
//! and kept by a later run, self-contained and escaped, the workbooks' numbers equal to
//! solve.json, frontier.csv, drivers.csv and uncertainty.csv bit for bit, the same bytes
//! for the same inputs, none with `--report none`, and each page rendered by Chromium.

use super::*;

/// The hostile site name as a `--set` flag: the command line (in the reports' record)
/// carries it.
fn hostile_set() -> String {
    format!("sites[0].name={HOSTILE:?}")
}

/// The escaped form of [`HOSTILE`], as the record shows it (inside the quoted flag).
const ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt; &amp;";

fn run_ok(dir: &Path, args: &[&str]) {
    let o = dcrisk(args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `dcrisk solve` on the deterministic starter (the breakeven rent factor), in `cwd`.
fn solve(cwd: &Path, file: &Path, extra: &[&str]) {
    let set = hostile_set();
    let mut args = vec![
        "solve",
        file.to_str().unwrap(),
        "--scale",
        "sites[*].rent_per_kw_month=0.5:10",
        "--target",
        "savings_pv.mean=0",
        "--paths",
        "8",
        "--set",
        &set,
        "--chart-size",
        "640x400",
    ];
    args.extend(extra);
    run_ok(cwd, &args);
}

/// `dcrisk frontier` on the starter, three factors and the plan, in `cwd`.
fn frontier(cwd: &Path, file: &Path, extra: &[&str]) {
    let set = hostile_set();
    let mut args = vec![
        "frontier",
        file.to_str().unwrap(),
        "--scale",
        "sites[*].capacity_mw=0.5:1.5:3",
        "--paths",
        "100",
        "--set",
        &set,
        "--chart-size",
        "640x400",
    ];
    args.extend(extra);
    run_ok(cwd, &args);
}

/// A sheet's cells, row by row.
fn sheet(book: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut xlsx: Xlsx<_> = open_workbook(book).unwrap();
    let range = xlsx
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{}: no sheet {name}: {e}", book.display()));
    range.rows().map(|r| r.to_vec()).collect()
}

/// A workbook's defined names and the value each points at on the Summary sheet
/// (column B, as `Summary!$B$n`).
fn named_values(path: &Path) -> BTreeMap<String, f64> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    book.defined_names()
        .iter()
        .map(|(name, at)| {
            let row: u32 = at
                .strip_prefix("Summary!$B$")
                .unwrap_or_else(|| panic!("{name} points at {at}"))
                .parse()
                .unwrap();
            let cell = summary.get_value((row - 1, 1)).unwrap_or(&Data::Empty);
            (name.clone(), float(cell, name))
        })
        .collect()
}

fn float(cell: &Data, what: &str) -> f64 {
    match cell {
        Data::Float(x) => *x,
        other => panic!("{what}: not a number: {other:?}"),
    }
}

fn same(got: f64, want: f64, what: &str) {
    assert_eq!(got.to_bits(), want.to_bits(), "{what}: {got} vs {want}");
}

fn native_charts(path: &Path) -> usize {
    zip_entries(path)
        .keys()
        .filter(|k| k.starts_with("xl/charts/chart"))
        .count()
}

/// An HTML report: self-contained, the hostile name escaped, `images` charts embedded.
fn check_page(path: &Path, images: usize) -> String {
    let html = std::fs::read_to_string(path).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("<script"), "{}: a name ran", path.display());
    assert!(html.contains(ESCAPED), "{}: not escaped", path.display());
    assert_eq!(html.matches("<img ").count(), images, "{}", path.display());
    for part in ["docs/MODEL.md", "id=\"making\"", "@media print"] {
        assert!(html.contains(part), "{} lacks {part}", path.display());
    }
    html
}

/// solve.html and solve.xlsx beside the run's files (its report.html untouched): the
/// question, the answer and its interval as solve.json has them, the evaluations as
/// numbers, defined names; a later run keeps them.
#[test]
fn solve_writes_its_reports_beside_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    run_ok(
        dir.path(),
        &["run", file.to_str().unwrap(), "--paths", "8", "--no-charts"],
    );
    let out = dir.path().join("output/t");
    let run_report = std::fs::read(out.join("report.html")).unwrap();
    solve(dir.path(), &file, &["--report", "html,xlsx"]);
    assert_eq!(std::fs::read(out.join("report.html")).unwrap(), run_report);
    let json = summary(&out.join("solve.json"));
    let html = check_page(&out.join("solve.html"), 1);
    for part in [
        "sites[*].rent_per_kw_month",
        "savings_pv.mean",
        "95% interval",
    ] {
        assert!(html.contains(part), "solve.html lacks {part}");
    }
    let points = json["points"].as_array().unwrap();
    assert_eq!(
        html.matches("<tr><td class=\"num\">").count(),
        points.len(),
        "one row per evaluation"
    );
    let book = out.join("solve.xlsx");
    let rows = sheet(&book, "Evaluations");
    assert_eq!(rows.len() - 1, points.len());
    for (row, p) in rows[1..].iter().zip(points) {
        for (c, field) in ["x", "value", "stderr"].iter().enumerate() {
            same(float(&row[c], field), p[field].as_f64().unwrap(), field);
        }
    }
    let names = named_values(&book);
    same(
        names["SolveAnswer"],
        json["value"].as_f64().unwrap(),
        "answer",
    );
    let interval = json["interval"].as_array().unwrap();
    same(
        names["SolveIntervalLo"],
        interval[0].as_f64().unwrap(),
        "lo",
    );
    same(
        names["SolveIntervalHi"],
        interval[1].as_f64().unwrap(),
        "hi",
    );
    same(
        names["SolveAchieved"],
        json["achieved"].as_f64().unwrap(),
        "achieved",
    );
    assert!(native_charts(&book) >= 1);
    let record = sheet(&book, "Run");
    assert!(
        record
            .iter()
            .any(|r| r[0] == Data::String("command".into()))
    );
    // A later run replaces its own files and keeps solve's.
    run_ok(
        dir.path(),
        &["run", file.to_str().unwrap(), "--paths", "8", "--no-charts"],
    );
    for name in ["solve.html", "solve.xlsx", "solve.json", "report.html"] {
        assert!(out.join(name).exists(), "{name} is gone");
    }
}

/// frontier.html and frontier.xlsx: every factor of frontier.csv as numbers (the flags
/// as booleans), the efficient picks named; a later run keeps them.
#[test]
fn frontier_writes_its_reports_beside_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), |t| t);
    frontier(dir.path(), &file, &["--report", "html,xlsx"]);
    let out = dir.path().join("output/t");
    let html = check_page(&out.join("frontier.html"), 1);
    assert!(html.contains("(plan)") && html.contains("<b>yes</b>"));
    let (header, csv) = read_csv(&out.join("frontier.csv"));
    let book = out.join("frontier.xlsx");
    let rows = sheet(&book, "Frontier");
    let titles: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(rows.len() - 1, csv.len());
    for (row, want) in rows[1..].iter().zip(&csv) {
        for column in &header {
            let c = titles.iter().position(|t| t == column).unwrap();
            match column.as_str() {
                "efficient" => assert_eq!(
                    row[c],
                    Data::Bool(cell_text(&header, want, column) == "true")
                ),
                _ => same(float(&row[c], column), cell(&header, want, column), column),
            }
        }
    }
    // The efficient factor with the highest mean, as the CSV says.
    let best = csv
        .iter()
        .filter(|r| cell_text(&header, r, "efficient") == "true")
        .max_by(|a, b| {
            let m = |r: &Vec<String>| cell(&header, r, "savings_pv_mean");
            m(a).total_cmp(&m(b))
        })
        .unwrap();
    let names = named_values(&book);
    same(
        names["FrontierBestFactor"],
        cell(&header, best, "factor"),
        "best",
    );
    same(
        names["FrontierBestMean"],
        cell(&header, best, "savings_pv_mean"),
        "best mean",
    );
    assert!(names["FrontierBestMeanLo"] < names["FrontierBestMean"]);
    assert!(names["FrontierBestMeanHi"] > names["FrontierBestMean"]);
    assert!(native_charts(&book) >= 1);
    run_ok(
        dir.path(),
        &[
            "run",
            file.to_str().unwrap(),
            "--paths",
            "20",
            "--no-charts",
        ],
    );
    for name in ["frontier.html", "frontier.xlsx", "report.html"] {
        assert!(out.join(name).exists(), "{name} is gone");
    }
}

fn cell_text<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    &row[header.iter().position(|h| h == column).unwrap()]
}

/// The default is the HTML report alone; `--report none` and `--no-report` write none.
#[test]
fn decision_reports_follow_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    let has = |out: &str, name: &str| dir.path().join(out).join("t").join(name).exists();
    solve(dir.path(), &file, &["--no-charts", "--out", "a"]);
    assert!(has("a", "solve.html") && !has("a", "solve.xlsx"));
    let html = std::fs::read_to_string(dir.path().join("a/t/solve.html")).unwrap();
    assert!(html.contains("--no-charts") && !html.contains("<img "));
    for (out, flags) in [
        ("b", &["--report", "none"][..]),
        ("c", &["--no-report"][..]),
    ] {
        let mut args = vec!["--no-charts", "--out", out];
        args.extend(flags);
        solve(dir.path(), &file, &args);
        frontier(dir.path(), &file, &args);
        for name in ["solve.html", "solve.xlsx", "frontier.html", "frontier.xlsx"] {
            assert!(!has(out, name), "{flags:?} wrote {name}");
        }
        assert!(has(out, "solve.json") && has(out, "frontier.csv"));
    }
}

/// The same command in two folders gives the same report bytes but for the recorded
/// start time (each file's own, from its record).
#[test]
fn decision_reports_are_reproducible() {
    let base = tempfile::tempdir().unwrap();
    let file = deterministic(base.path());
    let mut folders = Vec::new();
    for name in ["a", "b"] {
        let cwd = base.path().join(name);
        std::fs::create_dir(&cwd).unwrap();
        solve(&cwd, &file, &["--report", "html,xlsx"]);
        frontier(&cwd, &file, &["--report", "html,xlsx"]);
        folders.push(cwd.join("output/t"));
    }
    for command in ["solve", "frontier"] {
        assert_same_reports(
            &folders,
            &format!("{command}.run.json"),
            &format!("{command}.html"),
            &format!("{command}.xlsx"),
        );
    }
}

/// A cell of a CSV file against the workbook's: a number equal bit for bit, text equal,
/// an empty cell empty.
fn same_cell(got: &Data, want: &str, what: &str) {
    match (got, want.parse::<f64>()) {
        (Data::Empty, _) => assert_eq!(want, "", "{what}: empty in the workbook"),
        (Data::Float(x), Ok(w)) => same(*x, w, what),
        (Data::String(s), Err(_)) => assert_eq!(s, want, "{what}"),
        (other, _) => panic!("{what}: {other:?} against {want:?}"),
    }
}

/// A two-level run's report.html shows drivers.png and uncertainty.png and the drivers
/// of mean savings with their intervals; its report.xlsx has drivers.csv and
/// uncertainty.csv as sheets, cell for cell.
#[test]
fn two_level_report_shows_the_uncertain_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let file = uncertain(dir.path());
    let set = hostile_set();
    let args = [
        "run",
        file.to_str().unwrap(),
        "--paths",
        "64",
        "--samples",
        "6",
        "--set",
        &set,
        "--chart-size",
        "480x320",
        "--report",
        "html,xlsx",
    ];
    run_ok(dir.path(), &args);
    let out = dir.path().join("output/t");
    let pngs = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("<script"));
    assert_eq!(html.matches("<img ").count(), pngs, "every chart embedded");
    for part in [
        "id=\"uncertainty\"",
        "(drivers.png)",
        "(uncertainty.png)",
        "<code>sites[0].pue</code>",
        "<code>sites[0].rent_per_kw_month</code>",
        "first-order index [95%]",
    ] {
        assert!(html.contains(part), "report.html lacks {part}");
    }
    let book = out.join("report.xlsx");
    for (name, csv) in [
        ("Drivers", "drivers.csv"),
        ("Uncertainty", "uncertainty.csv"),
    ] {
        let rows = sheet(&book, name);
        let (header, lines) = read_csv(&out.join(csv));
        let titles: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(titles[..header.len()], header[..], "{name}'s header");
        assert_eq!(rows.len() - 1, lines.len(), "{name}: one row per line");
        for (row, line) in rows[1..].iter().zip(&lines) {
            for (c, want) in line.iter().enumerate() {
                let got = row.get(c).unwrap_or(&Data::Empty);
                same_cell(got, want, &format!("{name}.{}", header[c]));
            }
        }
    }
}

/// solve.html, frontier.html and a two-level report.html rendered by headless Chromium:
/// not blank, no console message, no request. Skipped where Chromium is absent.
#[test]
fn decision_and_two_level_pages_render_in_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("skipping decision_and_two_level_pages_render_in_chromium: no chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = deterministic(dir.path());
    solve(dir.path(), &file, &[]);
    frontier(dir.path(), &file, &[]);
    let other = dir.path().join("u");
    std::fs::create_dir(&other).unwrap();
    let two = uncertain(&other);
    run_ok(
        dir.path(),
        &[
            "run",
            two.to_str().unwrap(),
            "--paths",
            "32",
            "--samples",
            "4",
            "--chart-size",
            "480x320",
            "--out",
            "u-out",
        ],
    );
    for page in [
        dir.path().join("output/t/solve.html"),
        dir.path().join("output/t/frontier.html"),
        dir.path().join("u-out/t/report.html"),
    ] {
        let place = tempfile::tempdir().unwrap();
        assert_renders(&chromium, place.path(), &page);
    }
}
