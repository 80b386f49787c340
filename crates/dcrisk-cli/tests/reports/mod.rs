//! `--report`: report.html (self-contained, escaped, rendered by headless Chromium where
//! it is installed), report.xlsx (read back with calamine: every metric's statistics
//! equal summary.json's), a batch's comparison reports, and the same bytes for the same
//! run.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};

use super::*;

mod decisions;

/// A site name that would run a script if the report did not escape it.
const HOSTILE: &str = "<script>alert(1)</script> & \"Site\"";

/// Runs the starter scenario (two years) with a hostile site name and `extra` flags,
/// into `dir`/out; returns the run's folder.
fn run_report(dir: &Path, extra: &[&str]) -> PathBuf {
    let f = scenario(dir, |t| t);
    let set = format!("sites[0].name={HOSTILE:?}");
    let mut args = vec![
        "run",
        f.to_str().unwrap(),
        "--paths",
        "400",
        "--seed",
        "5",
        "--set",
        &set,
        "--set",
        "guarantee.cap=0",
        "--out",
        "out",
    ];
    args.extend(extra);
    let o = dcrisk(&args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join("out/t")
}

/// The report's markup loads nothing: no scripts, no external sources or links, no
/// style sheet imports; every image is a data URI and every link an in-page anchor.
fn assert_self_contained(html: &str) {
    let lower = html.to_lowercase();
    for banned in [
        "<script", "<link", "@import", "url(", "<iframe", "<object", "<embed",
    ] {
        assert!(!lower.contains(banned), "report has {banned:?}");
    }
    for (attr, allowed) in [("src=\"", "data:image/png;base64,"), ("href=\"", "#")] {
        for (i, _) in lower.match_indices(attr) {
            let value = &lower[i + attr.len()..];
            assert!(
                value.starts_with(allowed),
                "{attr}{}...: not {allowed}",
                &value[..value.len().min(40)]
            );
        }
    }
}

#[test]
fn html_is_self_contained_escaped_and_marks_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_report(dir.path(), &["--chart-size", "640x400"]);
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Site&quot;"),
        "the site name is not escaped"
    );
    let charts = html.matches("<img ").count();
    let pngs = std::fs::read_dir(&run)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .count();
    assert_eq!(charts, pngs, "one embedded image per chart of the folder");
    // The two overridden fields are marked, and nothing else.
    assert_eq!(html.matches("<td class=\"override\"").count(), 2);
    for section in [
        "Tenant",
        "Guarantor",
        "Landlords",
        "id=\"metrics\"",
        "docs/MODEL.md",
    ] {
        assert!(html.contains(section), "report lacks {section}");
    }
    for m in ["savings_pv", "guarantor_payout_pv", "landlord_shortfall_pv"] {
        assert!(
            html.contains(&format!("<code>{m}</code>")),
            "metrics table lacks {m}"
        );
    }
    assert!(html.contains("@media print"), "no print style sheet");
}

/// The default is report.html alone; --report none and --no-report write none; a bad
/// format is refused before anything runs.
#[test]
fn report_flag_chooses_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let has = |run: &Path, name: &str| run.join(name).exists();
    let run = run_report(dir.path(), &["--no-charts"]);
    assert!(has(&run, "report.html") && !has(&run, "report.xlsx"));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("--no-charts") && !html.contains("<img "));
    for flags in [&["--report", "none"][..], &["--no-report"][..]] {
        let mut args = vec!["--no-charts"];
        args.extend(flags);
        let run = run_report(dir.path(), &args);
        assert!(
            !has(&run, "report.html") && !has(&run, "report.xlsx"),
            "{flags:?}"
        );
    }
    let run = run_report(dir.path(), &["--no-charts", "--report", "xlsx"]);
    assert!(!has(&run, "report.html") && has(&run, "report.xlsx"));
    let f = scenario(dir.path(), |t| t);
    let o = dcrisk(
        &[
            "run",
            f.to_str().unwrap(),
            "--report",
            "pdf",
            "--out",
            "bad",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown report format \"pdf\""),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("bad").exists());
}

/// The workbook's Metrics sheet holds every statistic of summary.json as a number, equal
/// to it; the Summary figures have defined names; the charts are native.
#[test]
fn xlsx_metrics_equal_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_report(dir.path(), &["--no-charts", "--report", "html,xlsx"]);
    let summary = summary(&run.join("summary.json"));
    let mut book: Xlsx<_> = open_workbook(run.join("report.xlsx")).unwrap();
    let sheets = book.sheet_names();
    for want in [
        "Summary",
        "Metrics",
        "Savings",
        "Time series",
        "Exposure",
        "Inputs",
        "Run",
    ] {
        assert!(
            sheets.iter().any(|s| s == want),
            "no sheet {want}: {sheets:?}"
        );
    }
    let metrics = book.worksheet_range("Metrics").unwrap();
    let rows: Vec<_> = metrics.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let json = summary["metrics"].as_object().unwrap();
    assert_eq!(rows.len() - 1, json.len(), "one row per metric");
    for row in &rows[1..] {
        let name = row[0].to_string();
        let m = &json[&name];
        for (c, column) in header.iter().enumerate().skip(1) {
            let want = m
                .get(column)
                .or_else(|| m["quantiles"].get(column))
                .or_else(|| m["tail"].get(column))
                .and_then(|v| v.as_f64())
                .unwrap_or_else(|| panic!("{name}.{column} not in summary.json"));
            let Data::Float(got) = row[c] else {
                panic!("{name}.{column}: not a number: {:?}", row[c]);
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{name}.{column}");
        }
    }
    let names: BTreeMap<String, String> = book.defined_names().iter().cloned().collect();
    assert_eq!(names["SavingsMean"], "Summary!$C$2");
    let summary_sheet = book.worksheet_range("Summary").unwrap();
    let Some(Data::Float(mean)) = summary_sheet.get_value((1, 2)) else {
        panic!("SavingsMean is not a number");
    };
    let m = summary["metrics"]["savings_pv"]["mean"].as_f64().unwrap();
    assert_eq!(mean.to_bits(), m.to_bits());
    let charts = zip_entries(&run.join("report.xlsx"))
        .keys()
        .filter(|k| k.starts_with("xl/charts/chart"))
        .count();
    assert!(charts >= 2, "native charts: {charts}");
}

/// Every entry of a zip file (an xlsx) by name.
fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.insert(entry.name().unwrap().to_string(), bytes);
    }
    out
}

/// The recorded start time of a run's folder.
/// The start time `record` (a run.json) of the folder `run` holds.
fn started(run: &Path, record: &str) -> String {
    let run_json = summary(&run.join(record));
    run_json["started"].as_str().unwrap().to_string()
}

/// The reports `html` and `xlsx` of the two folders are the same bytes but for each
/// folder's start time (read from its `record`), which they hold.
fn assert_same_reports(folders: &[PathBuf], record: &str, html: &str, xlsx: &str) {
    let neutral = |run: &Path, bytes: &[u8]| {
        String::from_utf8_lossy(bytes).replace(&started(run, record), "START")
    };
    let pages: Vec<String> = folders
        .iter()
        .map(|r| neutral(r, &std::fs::read(r.join(html)).unwrap()))
        .collect();
    assert!(pages[0].contains("START"), "{html}: no start time");
    assert!(pages[0] == pages[1], "{html} differs between the runs");
    let books: Vec<_> = folders.iter().map(|r| zip_entries(&r.join(xlsx))).collect();
    assert_eq!(
        books[0].keys().collect::<Vec<_>>(),
        books[1].keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &books[0] {
        assert!(
            neutral(&folders[0], bytes) == neutral(&folders[1], &books[1][name]),
            "{xlsx}: {name} differs between the runs"
        );
    }
}

/// Two runs of the same scenario, seed and paths, by the same command line, give the
/// same report bytes but for the recorded start time (the only time in them): the
/// start-time strings replaced, report.html and every entry of report.xlsx are equal.
#[test]
fn same_run_same_report_bytes() {
    let base = tempfile::tempdir().unwrap();
    let f = scenario(base.path(), |t| t);
    let f = f.to_str().unwrap();
    let mut folders = Vec::new();
    for name in ["a", "b"] {
        let cwd = base.path().join(name);
        std::fs::create_dir(&cwd).unwrap();
        let args = [
            "run",
            f,
            "--paths",
            "300",
            "--chart-size",
            "480x320",
            "--report",
            "html,xlsx",
        ];
        let o = dcrisk(&args, &cwd);
        assert!(o.status.success(), "{}", stderr(&o));
        folders.push(cwd.join("output/t"));
    }
    assert_same_reports(&folders, "run.json", "report.html", "report.xlsx");
    let book = zip_entries(&folders[0].join("report.xlsx"));
    let core = String::from_utf8_lossy(&book["docProps/core.xml"]).to_string();
    assert!(
        core.contains(&started(&folders[0], "run.json")),
        "creation date is the start time"
    );
    // The zip entries' own dates are fixed: the same run at another time, same bytes
    // once the start time is the same (both files' entries compared above).
}

/// A batch writes comparison.html (self-contained, linking each scenario's report) and
/// comparison.xlsx with the scenarios side by side.
#[test]
fn batch_writes_comparison_reports() {
    let dir = tempfile::tempdir().unwrap();
    let a = scenario(dir.path(), |t| t);
    let b = dir.path().join("b.toml");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(&b, text.replacen("name = \"t\"", "name = \"u\"", 1)).unwrap();
    let o = dcrisk(
        &[
            "batch",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--paths",
            "300",
            "--chart-size",
            "480x320",
            "--report",
            "html,xlsx",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("output");
    let html = std::fs::read_to_string(out.join("comparison.html")).unwrap();
    let without_links = html.replace("href=\"t/report.html\"", "href=\"#\"");
    let without_links = without_links.replace("href=\"u/report.html\"", "href=\"#\"");
    assert_self_contained(&without_links);
    assert_eq!(
        html.matches("<img ").count(),
        dcrisk_report::COMPARISON_FILES.len()
    );
    assert!(html.contains("t (base)") && html.contains(">u<"));
    for run in ["t", "u"] {
        assert!(out.join(run).join("report.html").exists());
        assert!(out.join(run).join("report.xlsx").exists());
    }
    let mut book: Xlsx<_> = open_workbook(out.join("comparison.xlsx")).unwrap();
    let sheet = book.worksheet_range("Comparison").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[2..], ["t (base)".to_string(), "u".to_string()]);
    let t = summary(&out.join("t/summary.json"));
    let Some(Data::Float(mean)) = sheet.get_value((1, 2)) else {
        panic!("not a number");
    };
    assert_eq!(
        mean.to_bits(),
        t["metrics"]["savings_pv"]["mean"]
            .as_f64()
            .unwrap()
            .to_bits()
    );
}

/// The chromium binary, if one is installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// report.html rendered by headless Chromium: a screenshot that is not blank, no console
/// message (an error, or a failed load), and no request from the page (Chromium's
/// network log lists every URL request; the browser's own background requests carry no
/// page origin as initiator). The proxy and resolver point nowhere, so nothing could
/// leave the machine anyway. Skipped, with a message, where Chromium is not installed.
#[test]
fn html_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!("skipping html_renders_in_headless_chromium: chromium is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = run_report(dir.path(), &["--chart-size", "640x400"]);
    assert_renders(&chromium, dir.path(), &run.join("report.html"));
}

/// `page` rendered by headless Chromium (see [`html_renders_in_headless_chromium`]):
/// a screenshot that is not blank, no console message, no request from the page. The
/// screenshot is left in `dir` as `shot.png`.
fn assert_renders(chromium: &Path, dir: &Path, page: &Path) {
    let shot = dir.join("shot.png");
    let netlog = dir.join("net.json");
    let o = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--proxy-server=http://127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let log = stderr(&o);
    assert!(shot.exists(), "no screenshot; chromium said: {log}");
    let consoles: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(consoles.is_empty(), "console messages: {consoles:?}");
    let net = std::fs::read_to_string(&netlog).unwrap();
    let from_page: Vec<&str> = net
        .split("\"initiator\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|origin| *origin != "not an origin")
        .collect();
    assert!(
        from_page.is_empty(),
        "the page made requests: {from_page:?}"
    );
    assert_not_blank(&shot);
}

/// The screenshot has ink on a good share of it and many colours (text, charts).
fn assert_not_blank(shot: &Path) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let inked = pixels
        .iter()
        .filter(|p| p[..3].iter().any(|&c| c < 200))
        .count();
    let colours: std::collections::BTreeSet<&[u8]> = pixels.iter().map(|p| &p[..3]).collect();
    let share = inked as f64 / pixels.len() as f64;
    assert!(share > 0.01, "screenshot nearly blank: {:.4} inked", share);
    assert!(
        colours.len() > 50,
        "screenshot has {} colours",
        colours.len()
    );
}

/// `merge` writes the reports too: its inputs say the scenario is in the parts' headers,
/// its figures are the merged run's.
#[test]
fn merge_writes_reports() {
    let dir = tempfile::tempdir().unwrap();
    let f = scenario(dir.path(), |t| t);
    for i in ["0/2", "1/2"] {
        let args = ["run", f.to_str().unwrap(), "--paths", "300", "--shard", i];
        let o = dcrisk(&args, dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let parts: Vec<String> = (0..2)
        .map(|i| format!("output/t/part-{i:04}-of-0002.dcrisk"))
        .collect();
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--out", "merged", "--no-charts", "--report", "html,xlsx"]);
    let o = dcrisk(&args, dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let run = dir.path().join("merged/t");
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("merged from shard parts"));
    let mut book: Xlsx<_> = open_workbook(run.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("Summary").unwrap();
    let Some(Data::Float(mean)) = sheet.get_value((1, 2)) else {
        panic!("SavingsMean is not a number");
    };
    let s = summary(&run.join("summary.json"));
    let want = s["metrics"]["savings_pv"]["mean"].as_f64().unwrap();
    assert_eq!(mean.to_bits(), want.to_bits());
}
