//! Shards of a two-level run: `dcrisk run --shard I/N` on a scenario with uncertain
//! inputs runs a contiguous slice of the outer samples, and `dcrisk merge` of all the
//! slices writes exactly the folder of the unsharded run.
//!
//! A shard writes two files into the run's folder: `part-IIII-of-NNNN.dcrisk`, the pooled
//! paths of its outer samples in the ordinary part format (as a whole run of its own,
//! shard 0 of 1, so the part decodes with every check of that format), and
//! `samples-IIII-of-NNNN.csv`, a first line `# dcrisk two-level part: {json}` saying which
//! run and slice it is, then its rows of uncertainty.csv at full precision (every float in
//! its shortest round-trip form, so they read back to the same bits). The merge checks
//! that the slices are of one run and cover every outer sample once, pools the paths in
//! sample order and computes the drivers from the rows, as the unsharded run does.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use dcrisk_core::Metric;
use dcrisk_core::engine::finish;
use dcrisk_core::metrics::{METRICS, Probabilities};
use dcrisk_core::scenario::{Table, write_toml};
use dcrisk_core::shard::{Partial, PartialHeader, Shard};
use dcrisk_core::uncertain::{OuterRun, Plan, SampleFigures, Sampling, pooled_meta, run_samples};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::atomic::{OutputFile, prepare, write_beside};
use crate::cli::{MergeArgs, RunArgs};
use crate::load::{InputError, load_tree};
use crate::pool::thread_pool;
use crate::progress::PathBar;
use crate::provenance::Record;
use crate::publish::say;
use crate::two_level::{
    Outcome, prepare_run, publish_two_level, sampling_name, uncertainty_csv, uncertainty_header,
};

const SAMPLES_TAG: &str = "# dcrisk two-level part: ";

/// Whether `run --shard` is of a scenario with uncertain inputs (a file that does not
/// load is left to the ordinary shard command to report).
pub fn wanted(args: &RunArgs) -> bool {
    load_tree(&args.scenario, &args.common.set)
        .is_ok_and(|t| dcrisk_core::uncertain::has_distributions(&t))
}

/// Whether `merge`'s parts are a two-level run's: the first has its samples file.
pub fn is_two_level(args: &MergeArgs) -> bool {
    args.parts
        .first()
        .is_some_and(|p| samples_file(p).is_file())
}

/// `samples-IIII-of-NNNN.csv` beside `part-IIII-of-NNNN.dcrisk`.
fn samples_file(part: &Path) -> PathBuf {
    let name = part
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name.strip_prefix("part-").unwrap_or(&name);
    let stem = stem.strip_suffix(".dcrisk").unwrap_or(stem);
    part.with_file_name(format!("samples-{stem}.csv"))
}

/// The outer samples of shard `index` of `count` among `total`: a contiguous slice.
fn slice(index: u32, count: u32, total: usize) -> (usize, usize) {
    let at = |i: u32| (i as u128 * total as u128 / count as u128) as usize;
    (at(index), at(index + 1))
}

/// A fingerprint of the run: the tree after `--set`, the design and the inner paths.
fn fingerprint(tree: &Table, run: &Value) -> String {
    let mut h = Sha256::new();
    h.update(write_toml(tree).as_bytes());
    h.update(run.to_string().as_bytes());
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `dcrisk run --shard I/N` of a scenario with uncertain inputs.
pub fn run_shard(args: &RunArgs, shard: Shard, spec: &str) -> Result<()> {
    let tree = load_tree(&args.scenario, &args.common.set)?;
    let p = prepare_run(args, &tree)?;
    let total = p.values.len();
    if shard.count as usize > total {
        return Err(InputError(format!(
            "--shard {spec}: {} shards for {total} outer samples; a two-level run has at most \
             one shard per outer sample",
            shard.count
        ))
        .into());
    }
    let (lo, hi) = slice(shard.index, shard.count, total);
    let pool = thread_pool(args.common.threads)?;
    let paths = p.config.total_paths();
    let what = format!("{} shard {}/{}", p.centre.name, shard.index, shard.count);
    crate::two_level::check_memory(
        &p.centre,
        (hi - lo) as u64 * paths,
        args,
        pool.current_num_threads(),
    )?;
    let dir = args.folder(&p.centre);
    let record = Record::for_scenario(&args.scenario, &args.common.set, &tree)?.forced(args.force);
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let started = Instant::now();
    let bar = PathBar::new((hi - lo) as u64 * paths, &what);
    let (figures, pooled) = pool.install(|| run_samples(&p.scenarios[lo..hi], &p.config, &bar));
    bar.finish();
    let run = json!({
        "samples": p.plan.samples,
        "sampling": sampling_name(p.plan.sampling),
        "sobol": p.plan.sobol,
        "evaluations": total,
        "paths": paths,
        "seed": p.config.seed,
        "antithetic": p.config.techniques.antithetic,
    });
    let head = json!({
        "run": run,
        "fingerprint": fingerprint(&tree, &run),
        "shard": shard.index,
        "count": shard.count,
        "first": lo,
        "end": hi,
    });
    let keys = p.keys();
    let rows = uncertainty_csv(&keys, &p.values[lo..hi], &figures, lo);
    let part = Partial {
        header: PartialHeader {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_hash: u64::from_str_radix(&fingerprint(&tree, &run), 16).unwrap_or(0),
            total_paths: pooled.paths.end,
            shard: Shard::new(0, 1).expect("one shard"),
            meta: pooled_meta(&p.scenarios[0], &p.config),
        },
        run: pooled,
    };
    let tail = format!("{:04}-of-{:04}", shard.index, shard.count);
    write_beside(
        &dir,
        &[
            OutputFile::new(format!("part-{tail}.dcrisk"), part.encode()),
            OutputFile::new(
                format!("samples-{tail}.csv"),
                format!("{SAMPLES_TAG}{head}\n{rows}"),
            ),
        ],
        &|| Ok(record.check_replacement(&dir)?),
    )?;
    say(&format!(
        "{what}: outer samples {lo}..{hi} of {total}, {paths} paths each, {:.2} s\n  wrote {}\n",
        started.elapsed().as_secs_f64(),
        dir.join(format!("part-{tail}.dcrisk")).display()
    ));
    Ok(())
}

/// One shard's files, read back.
struct Slice {
    head: Value,
    keys: Vec<String>,
    values: Vec<Vec<f64>>,
    figures: Vec<SampleFigures>,
    part: Partial,
}

/// `dcrisk merge` of a two-level run's parts.
/// `read_part` reads and checks a part file (the ordinary merge's reader).
pub fn merge(
    args: &MergeArgs,
    read_part: impl Fn(&Path) -> Result<Partial, InputError>,
) -> Result<()> {
    let started = Instant::now();
    let mut slices = Vec::new();
    for path in &args.parts {
        slices.push(read_slice(path, read_part(path)?)?);
    }
    slices.sort_by_key(|s| s.head["first"].as_u64());
    check_slices(&slices, &args.parts)?;
    let first = &slices[0];
    let run = &first.head["run"];
    let per_sample = run["paths"].as_u64().unwrap_or(0);
    let mut values = Vec::new();
    let mut figures = Vec::new();
    let mut pooled: Option<dcrisk_core::engine::PartialRun> = None;
    for s in &slices {
        values.extend(s.values.iter().cloned());
        figures.extend(s.figures.iter().cloned());
        let mut part = s.part.run.clone();
        let offset = s.head["first"].as_u64().unwrap_or(0) * per_sample;
        part.paths = part.paths.start + offset..part.paths.end + offset;
        match &mut pooled {
            None => pooled = Some(part),
            Some(p) => {
                p.parties.forget_differing_pds(&mut part.parties);
                p.append(part)
                    .map_err(|e| InputError(format!("merge: {e}")))?
            }
        }
    }
    let meta = &first.part.header.meta;
    let outer = OuterRun {
        samples: figures,
        pooled: finish(meta, pooled.expect("at least one part")),
    };
    let plan = Plan {
        samples: run["samples"].as_u64().unwrap_or(0) as usize,
        sampling: match run["sampling"].as_str() {
            Some("mc") => Sampling::MonteCarlo,
            _ => Sampling::LatinHypercube,
        },
        sobol: run["sobol"].as_bool().unwrap_or(false),
    };
    let keys: Vec<&str> = first.keys.iter().map(String::as_str).collect();
    let folder = args.name.clone().unwrap_or_else(|| meta.scenario.clone());
    let dir = args.out.join(&folder);
    let headers: Vec<Value> = slices.iter().map(|s| s.head.clone()).collect();
    let record =
        Record::for_merge(json!(headers), first.part.header.scenario_hash).forced(args.force);
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let out = Outcome {
        outer: &outer,
        keys: &keys,
        values: &values,
        plan: &plan,
        seed: meta.seed,
    };
    let pool = thread_pool(None)?;
    let heading = format!("merged {} shard(s) of a two-level run\n", slices.len());
    publish_two_level(
        &out,
        &pool,
        &dir,
        (args.save_paths, &args.charts, args.report.formats()),
        &record,
        started,
        &heading,
    )
}

/// A part and its samples file.
fn read_slice(path: &Path, part: Partial) -> Result<Slice, InputError> {
    let file = samples_file(path);
    let bad = |why: String| InputError(format!("{}: {why}", file.display()));
    let text = std::fs::read_to_string(&file).map_err(|e| bad(format!("cannot read: {e}")))?;
    let mut lines = text.lines();
    let head: Value = lines
        .next()
        .and_then(|l| l.strip_prefix(SAMPLES_TAG))
        .and_then(|j| serde_json::from_str(j).ok())
        .ok_or_else(|| bad("not a dcrisk two-level samples file".into()))?;
    let header = lines.next().ok_or_else(|| bad("no column header".into()))?;
    let columns: Vec<&str> = header.split(',').collect();
    let fixed = 1 + 3 * Metric::OUTPUT.len() + 3;
    if columns.len() < fixed || columns[0] != "sample" {
        return Err(bad("not uncertainty.csv's columns".into()));
    }
    let k = columns.len() - fixed;
    let keys: Vec<String> = columns[1..=k]
        .iter()
        .map(|k| k.trim_matches('"').replace("\"\"", "\""))
        .collect();
    let keys_ref: Vec<&str> = keys.iter().map(String::as_str).collect();
    if uncertainty_header(&keys_ref) != header {
        return Err(bad("not uncertainty.csv's columns".into()));
    }
    let (mut values, mut figures) = (Vec::new(), Vec::new());
    for (n, line) in lines.enumerate() {
        let cells: Vec<f64> = line
            .split(',')
            .skip(1)
            .map(|c| {
                if c.is_empty() {
                    Ok(f64::NAN)
                } else {
                    c.parse::<f64>()
                }
            })
            .collect::<Result<_, _>>()
            .map_err(|_| bad(format!("row {}: not numbers", n + 1)))?;
        if cells.len() != columns.len() - 1 {
            return Err(bad(format!(
                "row {}: {} cells, expected {}",
                n + 1,
                cells.len(),
                columns.len() - 1
            )));
        }
        let (v, rest) = cells.split_at(keys.len());
        values.push(v.to_vec());
        figures.push(figures_of(rest));
    }
    let count = head["end"]
        .as_u64()
        .zip(head["first"].as_u64())
        .map(|(e, f)| e.saturating_sub(f));
    if count != Some(values.len() as u64) {
        return Err(bad(
            "its rows do not match its slice of outer samples".into()
        ));
    }
    Ok(Slice {
        head,
        keys,
        values,
        figures,
        part,
    })
}

/// A sample's figures from its row's cells after the inputs.
fn figures_of(cells: &[f64]) -> SampleFigures {
    let mut f = SampleFigures {
        mean: [0.0; METRICS],
        p05: [0.0; METRICS],
        lower_es_05: [0.0; METRICS],
        // uncertainty.csv has no column for `guarantee_fails`: no sample's figure reads it.
        probabilities: Probabilities {
            savings_negative: cells[3 * Metric::OUTPUT.len()],
            tenant_default: cells[3 * Metric::OUTPUT.len() + 1],
            any_landlord_default: cells[3 * Metric::OUTPUT.len() + 2],
            guarantee_fails: f64::NAN,
        },
    };
    for m in Metric::OUTPUT {
        let i = m.index();
        f.mean[i] = cells[3 * i];
        f.p05[i] = cells[3 * i + 1];
        f.lower_es_05[i] = cells[3 * i + 2];
    }
    f
}

/// The slices (sorted by their first sample) are of one run, one per shard, and cover
/// every outer sample once.
fn check_slices(slices: &[Slice], names: &[PathBuf]) -> Result<(), InputError> {
    let first = &slices[0];
    let count = first.head["count"].as_u64().unwrap_or(0);
    let total = first.head["run"]["evaluations"].as_u64().unwrap_or(0);
    let mut next = 0;
    for s in slices {
        if s.head["fingerprint"] != first.head["fingerprint"]
            || s.head["count"] != first.head["count"]
            || s.keys != first.keys
            || s.part.header.meta != first.part.header.meta
        {
            return Err(InputError(format!(
                "merge: the parts are not of one two-level run (scenario, flags or shard count \
                 differ): {}",
                names
                    .iter()
                    .map(|n| n.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let from = s.head["first"].as_u64().unwrap_or(u64::MAX);
        if from != next {
            return Err(InputError(format!(
                "merge: outer samples {next}..{from} are missing or repeated: give every \
                 shard's part once ({count} shards)"
            )));
        }
        next = s.head["end"].as_u64().unwrap_or(next);
    }
    if next != total || slices.len() as u64 != count {
        return Err(InputError(format!(
            "merge: {} of {count} shards given, covering outer samples 0..{next} of {total}",
            slices.len()
        )));
    }
    Ok(())
}
