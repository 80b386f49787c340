//! Sharded runs: each shard simulates a slice of the global path index range and its
//! partial result is written as bytes; merging the shards gives exactly the single run.
//!
//! Shards are aligned to the engine's chunks of [`CHUNK`] paths, so every per-month sum is
//! formed over the same paths in the same order as in one run, and every other reduction
//! is exact; per-path metrics are kept whole. Merging N shards is therefore bit-identical to
//! the single-machine run of the same scenario, seed and total paths.

use std::ops::Range;

use crate::engine::series::SeriesAccumulator;
use crate::engine::{CHUNK, PartialRun, RunMeta, finish};
use crate::kernels::codec::{DecodeResult, Reader, Writer, fnv1a};
use crate::metrics::{CONTROL_NAMES, Metric, PathMetrics, Techniques};
use crate::results::{RunResults, SeriesKind};
use crate::scenario::Scenario;
use crate::summaries::MetricSummaries;

const MAGIC: &[u8] = b"DCRISK-PARTIAL\n\x01";

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The global path indices of this shard: a contiguous, chunk-aligned slice. Every
    /// path belongs to exactly one shard; shards past the last chunk are empty.
    ///
    /// # Examples
    /// ```
    /// use dcrisk_core::shard::Shard;
    /// let parts: Vec<_> = (0..3).map(|i| Shard { index: i, count: 3 }.paths(5000)).collect();
    /// assert_eq!(parts, vec![0..1024, 1024..3072, 3072..5000]);
    /// ```
    pub fn paths(self, total: u64) -> Range<u64> {
        let chunks = total.div_ceil(CHUNK);
        let at = |i: u64| (i * chunks / self.count as u64 * CHUNK).min(total);
        at(self.index as u64)..at(self.index as u64 + 1)
    }
}

/// A stable fingerprint of a validated scenario (all its fields, after any overrides).
pub fn scenario_hash(s: &Scenario) -> u64 {
    fnv1a(format!("{s:?}").as_bytes())
}

/// Identifies the run a partial result belongs to, and which slice it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialHeader {
    pub version: String,
    pub scenario_hash: u64,
    pub total_paths: u64,
    pub shard: Shard,
    pub meta: RunMeta,
}

/// One shard's result, ready to be written or merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    pub header: PartialHeader,
    pub run: PartialRun,
}

impl Partial {
    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes.extend_from_slice(MAGIC);
        let h = &self.header;
        w.str(&h.version);
        w.u64(h.scenario_hash);
        w.u64(h.total_paths);
        w.u32(h.shard.index);
        w.u32(h.shard.count);
        w.str(&h.meta.scenario);
        w.u64(h.meta.seed);
        w.u64(h.meta.horizon_months as u64);
        w.u32(h.meta.start_month);
        w.u64(h.meta.series.len() as u64);
        for (name, _) in &h.meta.series {
            w.str(name);
        }
        w.u32(
            u32::from(h.meta.techniques.antithetic)
                | u32::from(h.meta.techniques.control_variates) << 1,
        );
        w.f64s(&h.meta.control_expectations);
        w.u32(u32::from(self.run.summaries.is_some()));
        w.u64(self.run.paths.start);
        w.u64(self.run.paths.end);
        w.u64(self.run.metrics.columns.len() as u64);
        for (name, col) in column_names().zip(&self.run.metrics.columns) {
            w.str(name);
            w.f64s(col);
        }
        self.run.series.encode(&mut w);
        if let Some(s) = &self.run.summaries {
            s.encode(&mut w);
        }
        w.bytes
    }

    /// Reads a partial result, rejecting anything truncated, corrupt or foreign.
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        let mut r = Reader::new(bytes);
        r.expect_bytes(MAGIC)?;
        let version = r.str()?;
        let (scenario_hash, total_paths) = (r.u64()?, r.u64()?);
        let shard = Shard {
            index: r.u32()?,
            count: r.u32()?,
        };
        let scenario = r.str()?;
        let (seed, horizon_months, start_month) = (r.u64()?, r.u64()? as usize, r.u32()?);
        let n_series = r.len(8)?;
        let series = (0..n_series)
            .map(|_| r.str().map(|name| (name.clone(), kind_of(&name))))
            .collect::<DecodeResult<Vec<_>>>()?;
        let flags = r.u32()?;
        let techniques = Techniques {
            antithetic: flags & 1 != 0,
            control_variates: flags & 2 != 0,
        };
        let control_expectations = r.f64s()?;
        let summaries_only = r.u32()? == 1;
        let paths = r.u64()?..r.u64()?;
        let n_columns = r.len(8)?;
        if n_columns != PathMetrics::COLUMNS {
            return Err(format!(
                "{n_columns} columns, this dcrisk has {}",
                PathMetrics::COLUMNS
            ));
        }
        let mut metrics = PathMetrics::default();
        for want in column_names() {
            let name = r.str()?;
            if name != want {
                return Err(format!("column {name:?} where {want:?} was expected"));
            }
            let col = r.f64s()?;
            let want = if summaries_only {
                0
            } else {
                paths.end.saturating_sub(paths.start)
            };
            if col.len() as u64 != want {
                return Err(format!(
                    "column {name} has {} values for paths {paths:?}",
                    col.len()
                ));
            }
            metrics.columns.push(col);
        }
        let series_acc = SeriesAccumulator::decode(&mut r)?;
        if series_acc.len() != series.len() * horizon_months {
            return Err(format!(
                "{} series-months where {} series x {horizon_months} months were announced",
                series_acc.len(),
                series.len()
            ));
        }
        let summaries = if summaries_only {
            Some(MetricSummaries::decode(&mut r)?)
        } else {
            None
        };
        r.finished()?;
        let meta = RunMeta {
            scenario,
            seed,
            horizon_months,
            start_month,
            series,
            techniques,
            control_expectations,
        };
        Ok(Partial {
            header: PartialHeader {
                version,
                scenario_hash,
                total_paths,
                shard,
                meta,
            },
            run: PartialRun {
                paths,
                metrics,
                series: series_acc,
                summaries,
            },
        })
    }
}

/// Names of the per-path columns: metrics, then control variates.
fn column_names() -> impl Iterator<Item = &'static str> {
    Metric::ALL.iter().map(|m| m.name()).chain(CONTROL_NAMES)
}

/// The kind of a series from its output name.
fn kind_of(name: &str) -> SeriesKind {
    match name {
        "demand_mw" => SeriesKind::DemandMw,
        "capacity_mw" => SeriesKind::CapacityMw,
        "program_cost" => SeriesKind::ProgramCost,
        "cloud_cost" => SeriesKind::CloudCost,
        "guarantor_exposure" => SeriesKind::GuarantorExposure,
        other => SeriesKind::PowerPrice {
            region: other.trim_start_matches("power_price.").to_string(),
        },
    }
}

/// Merges the shards of one run into its results, refusing mismatched, overlapping or
/// missing shards. `names[i]` names `parts[i]` in error messages.
pub fn merge(parts: Vec<Partial>, names: &[String]) -> Result<RunResults, String> {
    let Some(first) = parts.first() else {
        return Err("no partial results to merge".to_string());
    };
    let h0 = first.header.clone();
    for (p, name) in parts.iter().zip(names) {
        let h = &p.header;
        let same = h.version == h0.version
            && h.scenario_hash == h0.scenario_hash
            && h.total_paths == h0.total_paths
            && h.shard.count == h0.shard.count
            && h.meta == h0.meta;
        if !same {
            return Err(format!(
                "{name} is from a different run: scenario {:?} (hash {:016x}), seed {}, {} paths in {} shards, dcrisk {}; \
                 {} is scenario {:?} (hash {:016x}), seed {}, {} paths in {} shards, dcrisk {}",
                h.meta.scenario,
                h.scenario_hash,
                h.meta.seed,
                h.total_paths,
                h.shard.count,
                h.version,
                names[0],
                h0.meta.scenario,
                h0.scenario_hash,
                h0.meta.seed,
                h0.total_paths,
                h0.shard.count,
                h0.version
            ));
        }
        if p.run.paths != h.shard.paths(h.total_paths) {
            return Err(format!(
                "{name}: holds paths {:?}, not shard {}'s",
                p.run.paths, h.shard.index
            ));
        }
    }
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].header.shard.index);
    for w in order.windows(2) {
        if parts[w[0]].header.shard.index == parts[w[1]].header.shard.index {
            return Err(format!(
                "{} and {} are both shard {} (overlap)",
                names[w[0]], names[w[1]], parts[w[0]].header.shard.index
            ));
        }
    }
    let have: Vec<u32> = order.iter().map(|&i| parts[i].header.shard.index).collect();
    let missing: Vec<String> = (0..h0.shard.count)
        .filter(|i| !have.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing shard(s) {} of {}",
            missing.join(", "),
            h0.shard.count
        ));
    }
    let mut slots: Vec<Option<Partial>> = parts.into_iter().map(Some).collect();
    let mut merged: Option<PartialRun> = None;
    for i in order {
        let run = slots[i].take().expect("each shard once").run;
        match &mut merged {
            None => merged = Some(run),
            Some(m) => m.append(run)?,
        }
    }
    Ok(finish(&h0.meta, merged.expect("at least one shard")))
}
