//! Renders every chart of a synthetic run into a directory, to look at them.
//!
//! `cargo run --release -p dcrisk-report --example render_synthetic -- charts [WIDTHxHEIGHT] [realistic|degenerate|empty|regions=N]`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use dcrisk_report::{ChartOptions, render_all};

const REGIONS: [&str; 8] = [
    "ERCOT", "PJM", "CAISO", "MISO", "SPP", "NYISO", "ISO-NE", "BPA",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map_or("charts", String::as_str);
    let mut opts = ChartOptions::default();
    if let Some((w, h)) = args.get(1).and_then(|s| s.split_once('x')) {
        opts = ChartOptions {
            width: w.parse()?,
            height: h.parse()?,
        };
    }
    let results = match args.get(2).map(String::as_str) {
        Some("degenerate") => support::degenerate(),
        Some("empty") => support::empty(),
        Some(other) if other.starts_with("regions=") => {
            let n: usize = other["regions=".len()..].parse()?;
            support::realistic_with(20_000, &REGIONS[..n.clamp(1, 8)])
        }
        Some(other) if other.starts_with("paths=") => {
            let n: usize = other["paths=".len()..].parse()?;
            support::realistic_with(n, &REGIONS[..3])
        }
        _ => support::realistic(),
    };
    std::fs::create_dir_all(dir)?;
    let start = Instant::now();
    let stats = results.metric_stats();
    println!(
        "for scale: RunResults::metric_stats() over {} metrics takes {:.2?}",
        stats.len(),
        start.elapsed()
    );
    let start = Instant::now();
    let charts = render_all(&results, &opts)?;
    let elapsed = start.elapsed();
    for chart in &charts {
        std::fs::write(format!("{dir}/{}", chart.file_name), &chart.png)?;
        println!("{dir}/{} ({} bytes)", chart.file_name, chart.png.len());
    }
    println!("{} charts in {elapsed:.2?}", charts.len());
    Ok(())
}
