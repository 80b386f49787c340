//! Sharded runs: each shard simulates a slice of the global path index range and its
//! partial result is written as bytes; merging the shards gives exactly the single run.
//!
//! Shards are aligned to the engine's chunks of [`CHUNK`] paths, so every per-month sum is
//! formed over the same paths in the same order as in one run, and every other reduction
//! is exact; per-path metrics are kept whole. Merging N shards is therefore bit-identical to
//! the single-machine run of the same scenario, seed and total paths.
//!
//! # Part files and their integrity
//!
//! A part file (`part-IIII-of-NNNN.dcrisk`) is a 28-byte header and a payload:
//!
//! | bytes  | content                                                          |
//! |--------|------------------------------------------------------------------|
//! | 0..15  | `DCRISK-PARTIAL\n`                                               |
//! | 15     | the format version, [`FORMAT_VERSION`]                           |
//! | 16..24 | the payload's length in bytes (u64, little-endian)               |
//! | 24..28 | CRC-32 (IEEE) of bytes 0..24 and of the payload (u32, little-endian) |
//! | 28..   | the payload: run identity, shard, per-path values, summaries     |
//!
//! [`Partial::decode`] guarantees, in this order, before it decodes any field:
//! - the magic and the version match (older or newer formats are named and refused);
//! - the announced payload length is exactly what follows the header (truncated or
//!   extended files are refused);
//! - the checksum matches: every single-bit flip, every burst of up to 32 flipped bits,
//!   and all but one in 2^32 of other corruptions are refused.
//!
//! Then, because a checksum does not stop a crafted file, every field is checked against
//! what `dcrisk run --shard` can write: the scenario name as `run` checks it
//! ([`crate::scenario::name_problem`], so a merge writes only inside its `--out` folder),
//! the shard (a count of 1 to [`MAX_SHARDS`], the index below it) and its path range, the
//! total paths (1 to [`MAX_TOTAL_PATHS`]), the horizon, the series, the flags; every length
//! and offset is bounded by the bytes left in the file (or by the header) before anything
//! is allocated for it, and every summary's bucket range by the keys a value can have. A
//! file that fails any check is refused with a message naming what is wrong; decoding never
//! panics and allocates at most a small multiple of the file's size.
//!
//! [`merge`] then refuses parts of different runs (scenario, its hash, seed, paths, shard
//! count, dcrisk version), overlapping and missing shards (listing at most ten), and parts
//! whose merged quantile summaries would take more than 4 GB, before it merges anything.

use std::ops::Range;

use crate::engine::parties::PartyAccumulator;
use crate::engine::series::{Resolution, SeriesAccumulator};
use crate::engine::{CHUNK, PartialRun, RunMeta, finish};
use crate::kernels::codec::{DecodeResult, Reader, Writer, fnv1a};
use crate::kernels::sketch::QuantileSketch;
use crate::metrics::{CONTROL_NAMES, Metric, PathMetrics, Techniques};
use crate::results::{RunResults, SeriesKind};
use crate::scenario::{Scenario, name_problem};
use crate::summaries::MetricSummaries;
use crate::text::thousands;

/// The first bytes of every part file.
const MAGIC: &[u8] = b"DCRISK-PARTIAL\n";
/// The part-file format this dcrisk writes and reads. Version 1 had no length and no
/// checksum; version 2 added them; version 3 added the contract columns (docs/MODEL.md 8),
/// resolves the guarantor's exposure finely (its summaries have another precision) and
/// carries the parties' accumulators (each landlord's outcomes, the tenant's default months).
pub const FORMAT_VERSION: u8 = 3;
/// Bytes before the payload: magic, version, payload length, checksum.
const HEADER_BYTES: usize = MAGIC.len() + 1 + 8 + 4;
/// The most shards a run may be split into.
pub const MAX_SHARDS: u32 = 1_000_000;
/// The most paths a sharded run may have: a quantile summary's counts are 32-bit.
pub const MAX_TOTAL_PATHS: u64 = u32::MAX as u64;
/// The longest horizon a scenario may have, in months (100 years).
const MAX_HORIZON_MONTHS: u64 = 1200;
/// The series every run records after its power prices, in order.
const FIXED_SERIES: [&str; 5] = [
    "demand_mw",
    "capacity_mw",
    "program_cost",
    "cloud_cost",
    "guarantor_exposure",
];

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Shard `index` of `count`, with `count` from 1 to [`MAX_SHARDS`] and `index` below it.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "a shard count must be 1 to {MAX_SHARDS}, got {count}"
            ));
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the shard count {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The global path indices of this shard: a contiguous, chunk-aligned slice. Every
    /// path belongs to exactly one shard; shards past the last chunk are empty (and so is
    /// every shard of a count of 0, which [`Shard::new`] refuses).
    ///
    /// # Examples
    /// ```
    /// use dcrisk_core::shard::Shard;
    /// let parts: Vec<_> = (0..3).map(|i| Shard { index: i, count: 3 }.paths(5000)).collect();
    /// assert_eq!(parts, vec![0..1024, 1024..3072, 3072..5000]);
    /// ```
    pub fn paths(self, total: u64) -> Range<u64> {
        if self.count == 0 {
            return 0..0;
        }
        let chunks = u128::from(total.div_ceil(CHUNK));
        // In u128: `i * chunks` overflows u64 for large counts and totals.
        let at = |i: u32| {
            let chunk = u128::from(i) * chunks / u128::from(self.count);
            u64::try_from(chunk * u128::from(CHUNK)).map_or(total, |p| p.min(total))
        };
        at(self.index)..at(self.index.saturating_add(1))
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
    /// The file's bytes: the header with the payload's length and checksum, then the
    /// payload.
    pub fn encode(&self) -> Vec<u8> {
        seal(&self.payload())
    }

    /// The payload, without the header.
    fn payload(&self) -> Vec<u8> {
        let mut w = Writer::default();
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
        w.f64s(&h.meta.demand_plan);
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
        self.run.parties.encode(&mut w);
        w.bytes
    }

    /// Reads a part file, refusing anything truncated, corrupt, foreign or crafted (see
    /// the module's documentation for what is checked); the error says what is wrong.
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        let mut r = Reader::new(unseal(bytes)?);
        let header = decode_header(&mut r)?;
        let summaries_only = match r.u32()? {
            0 => false,
            1 => true,
            other => return Err(format!("corrupt summaries flag {other}")),
        };
        if summaries_only && header.meta.techniques != Techniques::default() {
            return Err("a --sketch part cannot use variance reduction".to_string());
        }
        let paths = r.u64()?..r.u64()?;
        let want = header.shard.paths(header.total_paths);
        if paths != want {
            return Err(format!(
                "holds paths {paths:?}, but shard {} of {} over {} paths is {want:?}",
                header.shard.index, header.shard.count, header.total_paths
            ));
        }
        let n_paths = paths.end - paths.start;
        let n_columns = r.u64()?;
        if n_columns != PathMetrics::COLUMNS as u64 {
            return Err(format!(
                "{n_columns} columns, this dcrisk has {}",
                PathMetrics::COLUMNS
            ));
        }
        let per_column = if summaries_only { 0 } else { n_paths };
        let mut metrics = PathMetrics::default();
        for want in column_names() {
            let name = r.str()?;
            if name != want {
                return Err(format!("column {name:?} where {want:?} was expected"));
            }
            let n = r.len(8)?;
            if n as u64 != per_column {
                return Err(format!("column {name} has {n} values for paths {paths:?}"));
            }
            metrics
                .columns
                .push((0..n).map(|_| r.f64()).collect::<DecodeResult<_>>()?);
        }
        let meta = &header.meta;
        let resolutions: Vec<Resolution> =
            meta.series.iter().map(|(_, k)| Resolution::of(k)).collect();
        let series = SeriesAccumulator::decode(&mut r, &resolutions, meta.horizon_months, n_paths)?;
        let summaries = match summaries_only {
            true => Some(MetricSummaries::decode(&mut r, n_paths)?),
            false => None,
        };
        let parties = PartyAccumulator::decode(&mut r, n_paths, meta.horizon_months)?;
        r.finished()?;
        Ok(Partial {
            header,
            run: PartialRun {
                paths,
                metrics,
                series,
                summaries,
                parties,
            },
        })
    }
}

/// The part file of `payload`: magic, version, the payload's length and checksum, then the
/// payload.
pub fn seal(payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_BYTES + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.push(FORMAT_VERSION);
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let crc = checksum(&bytes, payload);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// The payload of a part file, once its magic, version, length and checksum are checked.
pub fn unseal(bytes: &[u8]) -> DecodeResult<&[u8]> {
    let magic_len = MAGIC.len().min(bytes.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err("not a dcrisk part file (it does not start with DCRISK-PARTIAL)".into());
    }
    if bytes.len() < HEADER_BYTES {
        return match bytes.get(MAGIC.len()) {
            Some(&v) if v != FORMAT_VERSION => Err(old_version(v)),
            _ => Err(format!(
                "truncated: {} bytes, shorter than the {HEADER_BYTES}-byte header",
                bytes.len()
            )),
        };
    }
    let version = bytes[MAGIC.len()];
    if version != FORMAT_VERSION {
        return Err(old_version(version));
    }
    let (head, rest) = bytes.split_at(HEADER_BYTES);
    let announced = u64::from_le_bytes(head[16..24].try_into().expect("8 bytes"));
    let stored = u32::from_le_bytes(head[24..28].try_into().expect("4 bytes"));
    let have = rest.len() as u64;
    if announced != have {
        return Err(match announced > have {
            true => format!(
                "truncated: the header announces {announced} payload bytes, the file has {have}"
            ),
            false => format!(
                "{} bytes past the end of the {announced}-byte payload the header announces",
                have - announced
            ),
        });
    }
    let computed = checksum(&head[..24], rest);
    if stored != computed {
        return Err(format!(
            "checksum mismatch: the file is corrupt (header CRC-32 {stored:08x}, content {computed:08x})"
        ));
    }
    Ok(rest)
}

fn old_version(v: u8) -> String {
    format!(
        "part format version {v}; this dcrisk reads version {FORMAT_VERSION}: re-run the shard with this dcrisk"
    )
}

/// CRC-32 of the header's first 24 bytes and the payload.
fn checksum(head: &[u8], payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&head[..MAGIC.len() + 1 + 8]);
    h.update(payload);
    h.finalize()
}

/// The run-identifying fields of a payload, each checked against what `dcrisk run
/// --shard` writes.
fn decode_header(r: &mut Reader<'_>) -> DecodeResult<PartialHeader> {
    let version = r.str()?;
    if version.len() > 64 || version.chars().any(char::is_control) {
        return Err(format!("corrupt dcrisk version {version:.64?}"));
    }
    let (scenario_hash, total_paths) = (r.u64()?, r.u64()?);
    if total_paths == 0 || total_paths > MAX_TOTAL_PATHS {
        return Err(format!(
            "total paths {total_paths} out of range 1..={MAX_TOTAL_PATHS}"
        ));
    }
    let shard = Shard::new(r.u32()?, r.u32()?)?;
    let scenario = r.str()?;
    if let Some(problem) = name_problem(&scenario) {
        return Err(format!("scenario name {problem}"));
    }
    let seed = r.u64()?;
    let horizon_months = r.u64()?;
    if horizon_months == 0
        || horizon_months > MAX_HORIZON_MONTHS
        || !horizon_months.is_multiple_of(12)
    {
        return Err(format!(
            "horizon of {horizon_months} months: not a whole number of years from 1 to {}",
            MAX_HORIZON_MONTHS / 12
        ));
    }
    let start_month = r.u32()?;
    if !(1..=12).contains(&start_month) {
        return Err(format!("start month {start_month} is not 1..=12"));
    }
    let n_series = r.len(8)?;
    let series = (0..n_series)
        .map(|_| r.str().map(|name| (name.clone(), kind_of(&name))))
        .collect::<DecodeResult<Vec<_>>>()?;
    check_series(&series)?;
    let flags = r.u32()?;
    if flags > 3 {
        return Err(format!("corrupt technique flags {flags:#x}"));
    }
    let techniques = Techniques {
        antithetic: flags & 1 != 0,
        control_variates: flags & 2 != 0,
    };
    let control_expectations = r.f64s()?;
    if control_expectations.len() != CONTROL_NAMES.len() {
        return Err(format!(
            "{} control expectations, this dcrisk has {}",
            control_expectations.len(),
            CONTROL_NAMES.len()
        ));
    }
    let demand_plan = r.f64s()?;
    if demand_plan.len() as u64 != horizon_months
        || demand_plan.iter().any(|mw| !(mw.is_finite() && *mw >= 0.0))
    {
        return Err(format!(
            "a demand plan of {} months (finite MW at or above 0) where the horizon has {horizon_months}",
            demand_plan.len()
        ));
    }
    Ok(PartialHeader {
        version,
        scenario_hash,
        total_paths,
        shard,
        meta: RunMeta {
            scenario,
            seed,
            horizon_months: horizon_months as usize,
            start_month,
            series,
            techniques,
            control_expectations,
            demand_plan,
        },
    })
}

/// The series of a run: one or more distinct power prices, then [`FIXED_SERIES`].
fn check_series(series: &[(String, SeriesKind)]) -> DecodeResult<()> {
    let names: Vec<&str> = series.iter().map(|(n, _)| n.as_str()).collect();
    let prices = names.len().saturating_sub(FIXED_SERIES.len());
    let regions = &names[..prices];
    let well_formed = prices > 0
        && names[prices..] == FIXED_SERIES
        && regions.iter().all(|n| {
            n.strip_prefix("power_price.")
                .is_some_and(|r| !r.is_empty())
        })
        && {
            let mut sorted = regions.to_vec();
            sorted.sort_unstable();
            sorted.windows(2).all(|w| w[0] != w[1])
        };
    if well_formed {
        Ok(())
    } else {
        let shown: Vec<&str> = names.iter().take(8).copied().collect();
        Err(format!(
            "corrupt series list ({} series: {shown:?}{})",
            names.len(),
            if names.len() > 8 { " ..." } else { "" }
        ))
    }
}

/// Names of the per-path columns: metrics, then control variates.
fn column_names() -> impl Iterator<Item = &'static str> {
    Metric::EVERY.iter().map(|m| m.name()).chain(CONTROL_NAMES)
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
/// missing shards, and a run whose name or shard count [`Partial::decode`] would refuse.
/// `names[i]` names `parts[i]` in error messages.
pub fn merge(parts: Vec<Partial>, names: &[String]) -> Result<RunResults, String> {
    let Some(first) = parts.first() else {
        return Err("no partial results to merge".to_string());
    };
    let h0 = first.header.clone();
    let name0 = names.first().map_or("the first part", String::as_str);
    if let Some(problem) = name_problem(&h0.meta.scenario) {
        return Err(format!("{name0}: scenario name {problem}"));
    }
    for (p, name) in parts.iter().zip(names) {
        let h = &p.header;
        Shard::new(h.shard.index, h.shard.count).map_err(|e| format!("{name}: {e}"))?;
        let same = h.version == h0.version
            && h.scenario_hash == h0.scenario_hash
            && h.total_paths == h0.total_paths
            && h.shard.count == h0.shard.count
            && h.meta == h0.meta;
        if !same {
            return Err(format!(
                "{name} is from a different run: scenario {:?} (hash {:016x}), seed {}, {} paths in {} shards, dcrisk {}; \
                 {name0} is scenario {:?} (hash {:016x}), seed {}, {} paths in {} shards, dcrisk {}",
                h.meta.scenario,
                h.scenario_hash,
                h.meta.seed,
                h.total_paths,
                h.shard.count,
                h.version,
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
    let label = |i: usize| names.get(i).map_or("a part", String::as_str);
    for w in order.windows(2) {
        if parts[w[0]].header.shard.index == parts[w[1]].header.shard.index {
            return Err(format!(
                "{} and {} are both shard {} (overlap)",
                label(w[0]),
                label(w[1]),
                parts[w[0]].header.shard.index
            ));
        }
    }
    // `order` now holds distinct indices below the count, in increasing order.
    let count = h0.shard.count;
    let missing = count as usize - order.len();
    if missing > 0 {
        let mut have = order
            .iter()
            .map(|&i| parts[i].header.shard.index)
            .peekable();
        let shown: Vec<String> = (0..count)
            .filter(|&i| {
                let present = have.peek() == Some(&i);
                if present {
                    have.next();
                }
                !present
            })
            .take(MISSING_SHOWN)
            .map(|i| i.to_string())
            .collect();
        let more = match missing - shown.len() {
            0 => String::new(),
            n => format!(" ... and {} more", thousands(n as u64)),
        };
        return Err(format!(
            "missing shard(s) {}{more} of {count}",
            shown.join(", ")
        ));
    }
    let need = merged_summary_bytes(&parts);
    if need > MAX_MERGED_SUMMARY_BYTES {
        return Err(format!(
            "the parts' quantile summaries would take {:.1} GB merged (their values spread over \
             {} buckets), more than the {} GB a merge allows: a corrupt or crafted part?",
            need as f64 / 1e9,
            thousands(need / BUCKET_BYTES),
            MAX_MERGED_SUMMARY_BYTES / 1_000_000_000
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

/// The most memory the merged quantile summaries of a merge may take. A run keeps a few
/// thousand buckets per summary (hundreds of MB in all); a crafted part could spread each
/// of thousands of summaries over the whole key space.
const MAX_MERGED_SUMMARY_BYTES: u64 = 4_000_000_000;
/// Bytes of one bucket of a summary in memory (a 32-bit and a 16-bit count).
const BUCKET_BYTES: u64 = 6;

/// Memory the merged summaries will take: for each summary, the union of the parts'
/// counted key ranges, side by side.
fn merged_summary_bytes(parts: &[Partial]) -> u64 {
    fn sketches(p: &Partial) -> impl Iterator<Item = [Option<(u64, u64)>; 2]> + '_ {
        let metrics = p.run.summaries.iter().flat_map(|s| &s.metrics);
        let all = p.run.series.sketches().iter();
        all.chain(metrics.map(|m| &m.sketch))
            .chain(p.run.parties.sketches())
            .map(QuantileSketch::counted_keys)
    }
    let mut spans: Vec<[Option<(u64, u64)>; 2]> = sketches(&parts[0]).collect();
    for p in &parts[1..] {
        for (span, keys) in spans.iter_mut().zip(sketches(p)) {
            for (a, b) in span.iter_mut().zip(keys) {
                *a = match (*a, b) {
                    (Some((lo, hi)), Some((l, h))) => Some((lo.min(l), hi.max(h))),
                    (x, y) => x.or(y),
                };
            }
        }
    }
    spans
        .iter()
        .flatten()
        .flatten()
        .map(|(lo, hi)| (hi - lo + 1).saturating_mul(BUCKET_BYTES))
        .fold(0u64, u64::saturating_add)
}

/// How many missing shard numbers a refused merge lists before "... and N more".
const MISSING_SHOWN: usize = 10;
