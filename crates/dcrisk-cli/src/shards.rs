//! Sharded runs for clusters: `dcrisk run --shard I/N|auto` and `dcrisk merge`.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path};
use std::time::Instant;

use anyhow::Result;
use dcrisk_core::engine::{CHUNK, RunMeta, simulate_part};
use dcrisk_core::shard::{
    MAX_SHARDS, MAX_TOTAL_PATHS, Partial, PartialHeader, Shard, merge as merge_parts, scenario_hash,
};
use serde_json::json;

use crate::atomic::{OutputFile, prepare, write_beside};
use crate::cli::{MergeArgs, RunArgs};
use crate::limits::{Load, check_memory};
use crate::load::{InputError, load_checked_tree};
use crate::pool::thread_pool;
use crate::progress::PathBar;
use crate::provenance::{Record, techniques_json};
use crate::publish::{publish, say};
use crate::two_level_shards;

/// `dcrisk run --shard I/N|auto`: simulates one shard and writes its partial result file.
pub fn run_shard(args: &RunArgs, spec: &str) -> Result<()> {
    if two_level_shards::wanted(args) {
        return two_level_shards::run_shard(args, parse_shard(spec)?, spec);
    }
    let (tree, scenario) = &load_checked_tree(&args.scenario, &args.common.set, args.strict)?;
    crate::two_level::refuse_flags_without_inputs(args)?;
    let shard = parse_shard(spec)?;
    let config = args.common.run_config(scenario).with_sketch(args.sketch);
    let (total, seed, techniques) = (config.total_paths(), config.seed, config.techniques);
    if total > MAX_TOTAL_PATHS {
        return Err(InputError(format!(
            "--shard: a sharded run has at most {MAX_TOTAL_PATHS} paths, got {total}"
        ))
        .into());
    }
    let range = shard.paths(total);
    let pool = thread_pool(args.common.threads)?;
    // The shard's own paths in memory (no charts: a part is only numbers), and its folder
    // writable, both before anything is simulated.
    let load = Load {
        sketch: args.sketch,
        charts: false,
        ..Load::run(range.end - range.start, pool.current_num_threads())
    };
    let what = format!("{} shard {}/{}", scenario.name, shard.index, shard.count);
    check_memory(&load, &what, "add --sketch or use more shards")?;
    let dir = args.folder(scenario);
    let record = Record::for_scenario(&args.scenario, &args.common.set, tree)?
        .forced(args.force)
        .with("threads", json!(pool.current_num_threads()))
        .with("techniques", techniques_json(args))
        .with("shard", json!(format!("{}/{}", shard.index, shard.count)))
        .with("shard_paths", json!([range.start, range.end]));
    // A part beside another scenario file's results would later merge over them.
    record.check_replacement(&dir)?;
    let _prepared = prepare(&dir)?;
    let bar = PathBar::new(range.end - range.start, &what);
    let started = Instant::now();
    let run = pool.install(|| simulate_part(scenario, &config, range.clone(), &bar));
    bar.finish();
    let partial = Partial {
        header: PartialHeader {
            version: env!("CARGO_PKG_VERSION").to_string(),
            scenario_hash: scenario_hash(scenario),
            total_paths: total,
            shard,
            meta: RunMeta::new(scenario, seed).with_techniques(techniques),
        },
        run,
    };
    let stem = format!("part-{:04}-of-{:04}", shard.index, shard.count);
    let name = format!("{stem}.dcrisk");
    let file = dir.join(&name);
    let files = [
        OutputFile::new(name, partial.encode()),
        record.json_file(&format!("{stem}.run.json"), seed, total),
    ];
    write_beside(&dir, &files, &|| Ok(record.check_replacement(&dir)?))?;
    say(&format!(
        "{} shard {}/{}: paths {}..{} of {total}, seed {seed}, {:.2} s\n  wrote {}\n",
        scenario.name,
        shard.index,
        shard.count,
        range.start,
        range.end,
        started.elapsed().as_secs_f64(),
        file.display()
    ));
    if range.is_empty() {
        eprintln!("{}", empty_shard_note(shard, total));
    }
    Ok(())
}

/// The note of a shard that gets no paths: shards split the run in whole chunks of
/// [`CHUNK`] paths, so a run of fewer chunks than shards leaves some shards empty. Their
/// parts are still written, for the merge to find every shard.
fn empty_shard_note(shard: Shard, total: u64) -> String {
    let chunks = total.div_ceil(CHUNK);
    format!(
        "note: shard {}/{} has no paths: shards take whole chunks of up to {CHUNK} paths, \
         and the run's {total} paths make {chunks} chunk(s), fewer than the {} shards. Its \
         part is written (empty) so that the merge is complete; fewer shards or more \
         --paths would give every shard work",
        shard.index, shard.count, shard.count
    )
}

/// `I/N` with 0 <= I < N <= 1,000,000, or `auto` from the scheduler's environment.
fn parse_shard(spec: &str) -> Result<Shard, InputError> {
    if spec == "auto" {
        return shard_from_env(|k| std::env::var(k).ok());
    }
    let bad = |why: &str| {
        InputError(format!(
            "--shard: expected I/N with 0 <= I < N <= {MAX_SHARDS} (or auto), got {spec:?}{why}"
        ))
    };
    let (i, n) = spec.split_once('/').ok_or_else(|| bad(""))?;
    let (index, count): (u32, u32) = (
        i.trim().parse().map_err(|_| bad(""))?,
        n.trim().parse().map_err(|_| bad(""))?,
    );
    Shard::new(index, count).map_err(|e| bad(&format!(": {e}")))
}

/// Slurm job arrays (`SLURM_ARRAY_TASK_ID` less `SLURM_ARRAY_TASK_MIN`, of
/// `SLURM_ARRAY_TASK_COUNT`) or Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX` of
/// `DCRISK_SHARD_COUNT`).
fn shard_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Shard, InputError> {
    let num = |k: &str| -> Result<Option<u32>, InputError> {
        var(k)
            .map(|v| {
                v.trim().parse().map_err(|_| {
                    InputError(format!("--shard auto: {k}={v:?} is not a whole number"))
                })
            })
            .transpose()
    };
    let (index, count, source) = if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
        // With the shard count given, task IDs are shard indices as they stand: re-running
        // one failed task (`sbatch --array=2`) then still computes shard 2 of the whole run.
        if let Some(count) = num("DCRISK_SHARD_COUNT")? {
            return Shard::new(id, count).map_err(|e| {
                InputError(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} of DCRISK_SHARD_COUNT {count}: {e}"
                ))
            });
        }
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let count = num("SLURM_ARRAY_TASK_COUNT")?
            .ok_or_else(|| InputError("--shard auto: SLURM_ARRAY_TASK_COUNT is not set".into()))?;
        (id.checked_sub(min), count, "SLURM_ARRAY_TASK_ID")
    } else if let Some(id) = num("JOB_COMPLETION_INDEX")? {
        let count = num("DCRISK_SHARD_COUNT")?.ok_or_else(|| {
            InputError("--shard auto: JOB_COMPLETION_INDEX is set but DCRISK_SHARD_COUNT (the Job's completions) is not".into())
        })?;
        (Some(id), count, "JOB_COMPLETION_INDEX")
    } else {
        return Err(InputError(
            "--shard auto: neither SLURM_ARRAY_TASK_ID (Slurm) nor JOB_COMPLETION_INDEX (Kubernetes) is set; use --shard I/N".into(),
        ));
    };
    let outside = || {
        InputError(format!(
            "--shard auto: {source} gives a shard outside 0..{count}"
        ))
    };
    let index = index.ok_or_else(outside)?;
    Shard::new(index, count).map_err(|e| InputError(format!("--shard auto: {source}: {e}")))
}

/// `dcrisk merge`: read every part, check they form one whole run, write the outputs.
/// Every part is read and checked, and the shard set too, before anything is written.
pub fn merge(args: &MergeArgs) -> Result<()> {
    if two_level_shards::is_two_level(args) {
        return two_level_shards::merge(args, read_part);
    }
    let started = Instant::now();
    let mut parts = Vec::new();
    let names: Vec<String> = args.parts.iter().map(|p| p.display().to_string()).collect();
    for path in &args.parts {
        parts.push(read_part(path)?);
    }
    let headers = part_headers(&parts, &names);
    let hash = parts.first().map_or(0, |p| p.header.scenario_hash);
    let results = merge_parts(parts, &names).map_err(|e| InputError(format!("merge: {e}")))?;
    // The name was checked like `run` checks it (core's `Partial::decode` and `merge`);
    // checked again here, where it becomes a path: one plain folder inside --out.
    let folder = args.name.as_deref().unwrap_or(&results.scenario);
    let mut components = Path::new(folder).components();
    let plain = matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    );
    if !plain {
        return Err(InputError(format!(
            "merge: scenario name {:?} is not a plain folder name",
            results.scenario
        ))
        .into());
    }
    let heading = format!("merged {} shard(s)\n", names.len());
    let dir = args.out.join(folder);
    let record = Record::for_merge(headers, hash).forced(args.force);
    record.check_replacement(&dir)?;
    publish(
        &results,
        &dir,
        args.save_paths,
        &args.charts,
        args.report.formats(),
        &record,
        started,
        &heading,
    )
}

/// What each part's header says, for the merge's run.json.
fn part_headers(parts: &[Partial], names: &[String]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = parts
        .iter()
        .zip(names)
        .map(|(p, file)| {
            let h = &p.header;
            serde_json::json!({
                "file": file,
                "dcrisk_version": h.version,
                "scenario": h.meta.scenario,
                "scenario_hash": format!("{:016x}", h.scenario_hash),
                "seed": h.meta.seed,
                "total_paths": h.total_paths,
                "shard": format!("{}/{}", h.shard.index, h.shard.count),
                "antithetic": h.meta.techniques.antithetic,
                "control_variates": h.meta.techniques.control_variates,
            })
        })
        .collect();
    serde_json::Value::Array(list)
}

/// Reads and decodes one part file: a regular file, read to its size as it was opened.
fn read_part(path: &Path) -> Result<Partial, InputError> {
    let cannot = |e: std::io::Error| InputError(format!("{}: cannot read: {e}", path.display()));
    let file = File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(InputError(format!(
            "{}: not a regular file, so not a dcrisk part file",
            path.display()
        )));
    }
    // Never more than the size it had when opened (plus one byte, to tell it grew): a
    // file that grows while read is refused by its length check, not read without end.
    let mut bytes = Vec::new();
    file.take(meta.len().saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    Partial::decode(&bytes).map_err(|e| {
        InputError(format!(
            "{}: not a valid dcrisk partial result: {e}",
            path.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shard_specs() {
        assert_eq!(parse_shard("2/4").unwrap(), Shard { index: 2, count: 4 });
        assert_eq!(
            parse_shard("999999/1000000").unwrap(),
            Shard {
                index: 999_999,
                count: 1_000_000
            }
        );
        for bad in [
            "4/4",
            "1/0",
            "0/0",
            "x/2",
            "3",
            "-1/2",
            "0/4294967295",
            "0/1000001",
            "0/4294967296",
        ] {
            assert!(parse_shard(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_from_scheduler_environment() {
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(
            shard_from_env(env(&slurm)).unwrap(),
            Shard { index: 1, count: 4 }
        );
        let k8s = [("JOB_COMPLETION_INDEX", "3"), ("DCRISK_SHARD_COUNT", "8")];
        assert_eq!(
            shard_from_env(env(&k8s)).unwrap(),
            Shard { index: 3, count: 8 }
        );
        assert!(shard_from_env(env(&[("JOB_COMPLETION_INDEX", "3")])).is_err());
        // A re-run of one task of a Slurm array keeps its place in the whole run.
        let rerun = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
            ("DCRISK_SHARD_COUNT", "4"),
        ];
        assert_eq!(
            shard_from_env(env(&rerun)).unwrap(),
            Shard { index: 2, count: 4 }
        );
        assert!(shard_from_env(env(&[])).is_err());
        // Shard counts of 0 and past 1,000,000 are refused from the environment too.
        for count in ["0", "1000001", "4294967295"] {
            let k8s = [("JOB_COMPLETION_INDEX", "0"), ("DCRISK_SHARD_COUNT", count)];
            assert!(shard_from_env(env(&k8s)).is_err(), "{count}");
            let slurm = [
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", count),
            ];
            assert!(shard_from_env(env(&slurm)).is_err(), "{count}");
        }
        assert!(
            shard_from_env(env(&[
                ("SLURM_ARRAY_TASK_ID", "9"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ]))
            .is_err()
        );
    }
}
