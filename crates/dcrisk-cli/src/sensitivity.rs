//! `dcrisk sensitivity`: which input moves the answer most? Each input group goes down and
//! up by the swing, the others stay at base, every run with the same seed (common random
//! numbers); mean savings and the 5% expected shortfall of each run make a tornado (or,
//! with `--metric M`, M's mean and its risk tail: the 99% expected shortfall of a cost or
//! a loss). sensitivity.csv has both tails of the metric (P95, P99, ES 99% appended).
//!
//! How inputs move:
//! - levels (prices, volatilities, rent, PUE, hardware cost, default rates, correlation,
//!   guarantee cap) multiplicatively, `x (1 ± swing)`;
//! - drifts, which can be zero or negative, additively, `x ± swing max(|x|, 0.1)`;
//! - probabilities (`annual_pd`, `asset_correlation`) are capped at 0.99 and PUE floored
//!   at 1, so every variant is a valid scenario (and is validated like a file).

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use dcrisk_core::scenario::Value;
use dcrisk_core::{Metric, MetricStats, Scenario};
use dcrisk_report::{ChartOptions, Tornado, TornadoPanel, render_tornado};

use crate::atomic::{OutputFile, no_guard, write_beside};
use crate::cli::SensitivityArgs;
use crate::csv::csv_field;
use crate::decimal::{round6, round12};
use crate::load::plausible;
use crate::provenance::Record;
use crate::publish::say;
use crate::study::{self, Study, Variant};
use crate::table::{metric_kind, show, show_signed, text_table};
use serde_json::json;

/// Highest probability a move up gives (`annual_pd`, `asset_correlation` must stay < 1).
pub const PROBABILITY_CAP: f64 = 0.99;
/// Smallest scale of an additive move: a drift of 0 still moves by ±swing × 0.1.
pub const ADDITIVE_FLOOR: f64 = 0.1;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Move {
    /// `x (1 ± swing)`.
    Relative,
    /// `x ± swing max(|x|, ADDITIVE_FLOOR)`.
    Additive,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Clamp {
    None,
    /// At most [`PROBABILITY_CAP`] (or the value itself if already above).
    Probability,
    /// At least 1.
    Pue,
}

/// One field of an input group: its key (by index, `--set` syntax) and base value.
struct Field {
    key: String,
    value: f64,
}

/// An input group: every field in it moves together.
struct Group {
    id: &'static str,
    label: &'static str,
    fields_desc: &'static str,
    how: Move,
    clamp: Clamp,
    fields: Vec<Field>,
}

impl Group {
    /// The field's value moved down (`dir = -1`) or up (`dir = 1`), clamped.
    fn moved(&self, x: f64, swing: f64, dir: f64) -> f64 {
        let v = round12(match self.how {
            Move::Relative => x * (1.0 + dir * swing),
            Move::Additive => x + dir * swing * x.abs().max(ADDITIVE_FLOOR),
        });
        match self.clamp {
            Clamp::None => v,
            Clamp::Probability => v.min(PROBABILITY_CAP.max(x)).max(0.0),
            Clamp::Pue => v.max(1.0),
        }
    }

    /// How the group moved, for the CSV and the table: `x0.8`, `+0.024`, with a note when
    /// a clamp bit.
    fn setting(&self, swing: f64, dir: f64) -> String {
        let mut text = match self.how {
            Move::Relative => format!("x{}", round6(1.0 + dir * swing)),
            Move::Additive => {
                let shifts: Vec<f64> = self
                    .fields
                    .iter()
                    .map(|f| round6(self.moved(f.value, swing, dir) - f.value))
                    .collect();
                if shifts.windows(2).all(|w| w[0] == w[1]) {
                    format!("{:+}", shifts.first().copied().unwrap_or(0.0))
                } else {
                    format!(
                        "{}{swing}*max(|x|,{ADDITIVE_FLOOR})",
                        if dir < 0.0 { "-" } else { "+" }
                    )
                }
            }
        };
        let clamped = self.how == Move::Relative
            && self.fields.iter().any(|f| {
                let free = round12(f.value * (1.0 + dir * swing));
                self.moved(f.value, swing, dir) != free
            });
        if clamped {
            text.push_str(match self.clamp {
                Clamp::Probability => " (capped at 0.99)",
                Clamp::Pue => " (floored at 1)",
                Clamp::None => "",
            });
        }
        text
    }

    /// The row label of the tornado: the group, with the shift of an additive move.
    fn chart_label(&self, swing: f64) -> String {
        match self.how {
            Move::Relative => self.label.to_string(),
            Move::Additive => {
                let up = self.setting(swing, 1.0);
                format!("{} ±{}", self.label, up.trim_start_matches('+'))
            }
        }
    }
}

/// What names a group: its id (sensitivity.csv), its label (table and chart) and, in
/// words, the fields it moves.
type Names = (&'static str, &'static str, &'static str);

fn group(names: Names, how: Move, clamp: Clamp, fields: Vec<Field>) -> Group {
    let (id, label, fields_desc) = names;
    Group {
        id,
        label,
        fields_desc,
        how,
        clamp,
        fields,
    }
}

/// `field` of every entry of the scenario list `list` (keys by index, `--set` syntax).
fn each<T>(list: &str, items: &[T], field: &str, value: impl Fn(&T) -> f64) -> Vec<Field> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Field {
            key: format!("{list}[{i}].{field}"),
            value: value(item),
        })
        .collect()
}

/// A single field.
fn one(key: &str, value: f64) -> Vec<Field> {
    vec![Field {
        key: key.to_string(),
        value,
    }]
}

/// The input groups of docs/MODEL.md's parameters, with their fields in `scenario`: the
/// market's first, then the program's.
fn groups(s: &Scenario) -> Vec<Group> {
    let mut groups = market_groups(s);
    groups.extend(program_groups(s));
    groups
}

/// Power, demand and cloud: what the tenant does not control.
fn market_groups(s: &Scenario) -> Vec<Group> {
    use Clamp::None as Free;
    use Move::{Additive, Relative};
    let mut price = each("regions", &s.regions, "price0", |r| r.price0);
    price.extend(each("regions", &s.regions, "long_run_mean", |r| {
        r.long_run_mean
    }));
    vec![
        group(
            (
                "power_price",
                "Power price level",
                "price0 and long_run_mean of every region",
            ),
            Relative,
            Free,
            price,
        ),
        group(
            (
                "power_volatility",
                "Power volatility",
                "volatility of every region",
            ),
            Relative,
            Free,
            each("regions", &s.regions, "volatility", |r| r.volatility),
        ),
        group(
            ("demand_drift", "Demand drift", "demand.drift"),
            Additive,
            Free,
            one("demand.drift", s.demand.drift),
        ),
        group(
            (
                "demand_volatility",
                "Demand volatility",
                "demand.volatility",
            ),
            Relative,
            Free,
            one("demand.volatility", s.demand.volatility),
        ),
        group(
            ("cloud_price", "Cloud price", "cloud.price0"),
            Relative,
            Free,
            one("cloud.price0", s.cloud.price0),
        ),
        group(
            ("cloud_drift", "Cloud price drift", "cloud.drift"),
            Additive,
            Free,
            one("cloud.drift", s.cloud.drift),
        ),
    ]
}

/// Sites, hardware, counterparties and the guarantee: what the program's terms set.
fn program_groups(s: &Scenario) -> Vec<Group> {
    use Clamp::{None as Free, Probability, Pue};
    use Move::Relative;
    let correlation = s.landlord_default.asset_correlation;
    vec![
        group(
            ("rent", "Rent", "rent_per_kw_month of every site"),
            Relative,
            Free,
            each("sites", &s.sites, "rent_per_kw_month", |x| {
                x.rent_per_kw_month
            }),
        ),
        group(
            ("pue", "PUE", "pue of every site"),
            Relative,
            Pue,
            each("sites", &s.sites, "pue", |x| x.pue),
        ),
        group(
            ("hardware_cost", "Hardware cost", "hardware.capex_per_mw"),
            Relative,
            Free,
            one("hardware.capex_per_mw", s.hardware.capex_per_mw),
        ),
        group(
            (
                "landlord_pd",
                "Landlord default rates",
                "annual_pd of every landlord",
            ),
            Relative,
            Probability,
            each("landlords", &s.landlords, "annual_pd", |l| l.annual_pd),
        ),
        group(
            (
                "asset_correlation",
                "Landlord asset correlation",
                "landlord_default.asset_correlation",
            ),
            Relative,
            Probability,
            one("landlord_default.asset_correlation", correlation),
        ),
        group(
            ("tenant_pd", "Tenant default rate", "tenant.annual_pd"),
            Relative,
            Probability,
            one("tenant.annual_pd", s.tenant.annual_pd),
        ),
        group(
            ("guarantee_cap", "Guarantee cap", "guarantee.cap"),
            Relative,
            Free,
            one("guarantee.cap", s.guarantee.cap),
        ),
    ]
}

/// What a run contributes: the metric's mean (the run's best estimate of it) and every
/// statistic of it.
#[derive(Clone, Copy, Debug)]
struct Figures {
    mean: f64,
    stats: MetricStats,
}

/// A statistic of [`Figures`].
type Stat = fn(&Figures) -> f64;

/// The statistics of sensitivity.csv, in column order, by column-name suffix: the first
/// two are the original columns, the upper tail is appended after them.
const CSV_STATS: [(&str, Stat); 5] = [
    ("mean", |f| f.mean),
    ("lower_es_05", |f| f.stats.lower_es_05),
    ("p95", |f| f.stats.quantiles[7]),
    ("p99", |f| f.stats.quantiles[8]),
    ("upper_es_99", |f| f.stats.upper_es_99),
];

/// The metric's risk tail, for the tornado and the table: the 5% expected shortfall of
/// savings (a low value is the risk), the 99% expected shortfall of any other metric (a
/// cost, a loss, a count of defaults: a high value is the risk). Short and long names.
fn risk_tail(metric: Metric) -> (&'static str, &'static str, Stat) {
    match metric {
        Metric::SavingsPv => ("ES 5%", "5% expected shortfall", |f| f.stats.lower_es_05),
        _ => ("ES 99%", "99% expected shortfall", |f| f.stats.upper_es_99),
    }
}

/// The metric's name in titles: "savings" for savings_pv, else its summary.json name.
fn subject(metric: Metric) -> &'static str {
    match metric {
        Metric::SavingsPv => "savings",
        m => m.name(),
    }
}

/// One input's outcome.
struct Outcome {
    group: usize,
    low: Figures,
    high: Figures,
}

impl Outcome {
    fn width(&self, base: &Figures, stat: Stat) -> f64 {
        let v = [stat(base), stat(&self.low), stat(&self.high)];
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        hi - lo
    }
}

/// `dcrisk sensitivity`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<()> {
    let started = Instant::now();
    let study = Study::load(
        &args.scenario,
        &args.common.set,
        "--set",
        "sensitivity runs",
    )?;
    let base = study.base()?;
    plausible(&args.scenario, &args.common.set, &base, args.strict)?;
    let groups = groups(&base);
    let scenarios = study.scenarios(&variants(&groups, args.swing))?;
    let common = &args.common;
    let (paths, seed) = (common.paths_for(&base), common.seed_for(&base));
    let label = format!("sensitivity {} ({} runs)", base.name, scenarios.len());
    let metric = args.metric;
    let figures = study::run_all(&scenarios, common, &label, |r| Figures {
        mean: r.estimate(metric).mean,
        stats: r.metric_stat(metric),
    })?;
    let base_fig = figures[0];
    let outcomes = outcomes(&groups, &figures);
    let mut files = vec![OutputFile::new(
        "sensitivity.csv",
        sensitivity_csv(&groups, &outcomes, &base_fig, args),
    )];
    if !args.charts.no_charts {
        let tornado = tornado(&base, &groups, &outcomes, &base_fig, args, paths, seed);
        let (width, height) = args.charts.chart_size;
        let png = render_tornado(&tornado, &ChartOptions { width, height })
            .context("cannot render the tornado chart")?;
        files.push(OutputFile::new(png.file_name, png.png));
    }
    let record = Record::for_scenario(&args.scenario, &common.set, &study.tree)?
        .with("threads", json!(study::threads(common)))
        .with("swing", json!(args.swing))
        .with("metric", json!(metric.name()));
    files.push(record.json_file("sensitivity.run.json", seed, paths));
    let dir = common.out.join(&base.name);
    write_beside(&dir, &files, &no_guard)?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let kind = metric_kind(metric);
    let (_, tail_name, tail) = risk_tail(metric);
    let head = format!(
        "sensitivity {}: ±{}% per input group, {} runs of {paths} paths, seed {seed} (common random numbers), {:.2} s\n  base: mean {} {}, {tail_name} {}\n",
        base.name,
        round6(100.0 * args.swing),
        scenarios.len(),
        started.elapsed().as_secs_f64(),
        subject(metric),
        show(kind, base_fig.mean),
        show(kind, tail(&base_fig))
    );
    say(&format!(
        "{head}{}  wrote {} in {}/\n",
        table(&groups, &outcomes, &base_fig, args),
        names.join(", "),
        dir.display()
    ));
    Ok(())
}

/// The runs to make: the base, then each group down and up (group g's at 1 + 2g and
/// 2 + 2g).
fn variants(groups: &[Group], swing: f64) -> Vec<Variant> {
    let mut out = vec![Variant {
        label: "base".to_string(),
        overrides: Vec::new(),
    }];
    for group in groups {
        for dir in [-1.0, 1.0] {
            out.push(Variant {
                label: format!("sensitivity of {} {}", group.id, group.setting(swing, dir)),
                overrides: group
                    .fields
                    .iter()
                    .map(|f| {
                        (
                            f.key.clone(),
                            Value::Float(group.moved(f.value, swing, dir)),
                        )
                    })
                    .collect(),
            });
        }
    }
    out
}

/// Each group's outcome from the figures of [`variants`]' runs, widest first (ties keep
/// the groups' order).
fn outcomes(groups: &[Group], figures: &[Figures]) -> Vec<Outcome> {
    let base = figures[0];
    let mut outcomes: Vec<Outcome> = (0..groups.len())
        .map(|g| Outcome {
            group: g,
            low: figures[1 + 2 * g],
            high: figures[2 + 2 * g],
        })
        .collect();
    outcomes.sort_by(|a, b| {
        let w = |o: &Outcome| o.width(&base, |f| f.mean);
        w(b).total_cmp(&w(a))
    });
    outcomes
}

/// sensitivity.csv: per input group (widest first), its settings, then for each of
/// [`CSV_STATS`] the metric's statistic in the base run, down, up, and the width.
fn sensitivity_csv(
    groups: &[Group],
    outcomes: &[Outcome],
    base: &Figures,
    args: &SensitivityArgs,
) -> String {
    let (m, swing) = (args.metric.name(), args.swing);
    let mut out = String::from("input,label,fields,low_setting,high_setting");
    for (stat, _) in CSV_STATS {
        for end in ["base", "low", "high", "width"] {
            let _ = write!(out, ",{m}_{stat}_{end}");
        }
    }
    out.push('\n');
    for o in outcomes {
        let g = &groups[o.group];
        let _ = write!(
            out,
            "{},{},{},{},{}",
            g.id,
            csv_field(g.label),
            csv_field(g.fields_desc),
            csv_field(&g.setting(swing, -1.0)),
            csv_field(&g.setting(swing, 1.0)),
        );
        for (_, stat) in CSV_STATS {
            let _ = write!(
                out,
                ",{},{},{},{}",
                stat(base),
                stat(&o.low),
                stat(&o.high),
                o.width(base, stat)
            );
        }
        out.push('\n');
    }
    out
}

fn tornado(
    base: &Scenario,
    groups: &[Group],
    outcomes: &[Outcome],
    base_fig: &Figures,
    args: &SensitivityArgs,
    paths: u64,
    seed: u64,
) -> Tornado {
    let panel = |title: String, stat: Stat| TornadoPanel {
        title,
        base: stat(base_fig),
        low: outcomes.iter().map(|o| stat(&o.low)).collect(),
        high: outcomes.iter().map(|o| stat(&o.high)).collect(),
    };
    let mut notes = vec![format!(
        "Drifts move additively: ±{} × max(|drift|, {ADDITIVE_FLOOR}) a year.",
        args.swing
    )];
    let clamped: Vec<&str> = groups
        .iter()
        .filter(|g| {
            g.setting(args.swing, 1.0).contains('(') || g.setting(args.swing, -1.0).contains('(')
        })
        .map(|g| g.label)
        .collect();
    if !clamped.is_empty() {
        notes.push(format!(
            "Clamped to stay valid (probabilities ≤ 0.99, PUE ≥ 1): {}.",
            clamped.join(", ")
        ));
    }
    Tornado {
        scenario: base.name.clone(),
        subject: subject(args.metric).to_string(),
        paths,
        seed,
        horizon_months: base.months(),
        swing: args.swing,
        inputs: outcomes
            .iter()
            .map(|o| groups[o.group].chart_label(args.swing))
            .collect(),
        panels: match args.metric {
            Metric::SavingsPv => vec![
                panel("Mean savings vs all-cloud".to_string(), |f| f.mean),
                panel("5% expected shortfall of savings".to_string(), |f| {
                    f.stats.lower_es_05
                }),
            ],
            // A probability is its own mean: no tail to show beside it.
            Metric::TenantDefault => vec![panel(
                "Probability of the tenant's default".to_string(),
                |f| f.mean,
            )],
            m => {
                let (tail_label, _, tail) = risk_tail(m);
                vec![
                    panel(format!("Mean {}", m.name()), |f| f.mean),
                    panel(format!("{tail_label} of {}", m.name()), tail),
                ]
            }
        },
        notes,
        kind: metric_kind(args.metric),
        unit: axis_unit(args.metric).to_string(),
    }
}

/// The tornado's value axis, in the metric's unit.
fn axis_unit(metric: Metric) -> &'static str {
    match metric {
        Metric::TenantDefault => "probability of the tenant's default (%)",
        Metric::IdleMwMonths | Metric::OverflowMwMonths => "MW x months per path",
        Metric::LandlordDefaults => "landlord defaults per path",
        _ => "US$, present value at month 0",
    }
}

/// The stdout table: each input's setting and the changes it makes, widest first.
fn table(groups: &[Group], outcomes: &[Outcome], base: &Figures, args: &SensitivityArgs) -> String {
    let (swing, kind) = (args.swing, metric_kind(args.metric));
    let (tail_label, _, tail) = risk_tail(args.metric);
    let mut rows = vec![vec![
        "input".to_string(),
        "down / up".to_string(),
        format!("mean {}: down", subject(args.metric)),
        "up".to_string(),
        format!("{tail_label}: down"),
        "up".to_string(),
    ]];
    let change = |f: &Figures, stat: Stat| show_signed(kind, stat(f) - stat(base));
    for o in outcomes {
        let g = &groups[o.group];
        rows.push(vec![
            g.label.to_string(),
            format!("{} / {}", g.setting(swing, -1.0), g.setting(swing, 1.0)),
            change(&o.low, |f| f.mean),
            change(&o.high, |f| f.mean),
            change(&o.low, tail),
            change(&o.high, tail),
        ]);
    }
    text_table(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(how: Move, clamp: Clamp, values: &[f64]) -> Group {
        Group {
            id: "g",
            label: "G",
            fields_desc: "",
            how,
            clamp,
            fields: values
                .iter()
                .map(|&value| Field {
                    key: "k".into(),
                    value,
                })
                .collect(),
        }
    }

    #[test]
    fn moves_and_clamps() {
        let g = group(Move::Relative, Clamp::None, &[100.0]);
        assert_eq!(g.moved(100.0, 0.2, -1.0), 80.0);
        assert_eq!(g.moved(100.0, 0.2, 1.0), 120.0);
        assert_eq!(g.setting(0.2, -1.0), "x0.8");
        let g = group(Move::Additive, Clamp::None, &[-0.12]);
        assert_eq!(g.moved(-0.12, 0.2, 1.0), -0.096);
        assert_eq!(g.setting(0.2, 1.0), "+0.024");
        assert_eq!(g.chart_label(0.2), "G ±0.024");
        let g = group(Move::Additive, Clamp::None, &[0.0]);
        assert_eq!(g.moved(0.0, 0.2, -1.0), -0.02);
        let g = group(Move::Relative, Clamp::Probability, &[0.9]);
        assert_eq!(g.moved(0.9, 0.2, 1.0), PROBABILITY_CAP);
        assert_eq!(g.setting(0.2, 1.0), "x1.2 (capped at 0.99)");
        assert_eq!(g.moved(0.995, 0.2, 1.0), 0.995);
        let g = group(Move::Relative, Clamp::Pue, &[1.1]);
        assert_eq!(g.moved(1.1, 0.2, -1.0), 1.0);
        assert_eq!(g.setting(0.2, -1.0), "x0.8 (floored at 1)");
        assert_eq!(g.setting(0.2, 1.0), "x1.2");
    }
}
