//! What made an output folder: `run.json` (the command, the scenario file and its
//! SHA-256, the overrides, seed, paths, threads, techniques, start time and wall time) and
//! `scenario.toml` (the scenario tree after the overrides, which `dcrisk run` reads back
//! to the same run). Written with the run's other files; kept out of every other file, so
//! summary.json and the charts stay byte-identical from run to run.
//!
//! A folder is another scenario file's when its run.json names a different file (compared
//! as absolute, canonical paths), or, for a folder a merge wrote (no file, only the
//! scenario's hash), a scenario with another hash: `run`, `run --shard`, `batch` and
//! `merge` then refuse to replace it without `--force` (a merge's parts name no file: it
//! compares the hash). The check runs before the work and again under the folder's lock,
//! as the files are swapped in, so a run started meanwhile cannot slip in between. A
//! folder without run.json (older versions) is replaced as before.
//!
//! `run --shard`, `sweep` and `sensitivity` write their record beside the run's files,
//! under names of their own (`part-IIII-of-NNNN.run.json`, `sweep.run.json`,
//! `sensitivity.run.json`), so a folder's run.json stays the record of its summary.json.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dcrisk_core::RunResults;
use dcrisk_core::scenario::{Table, parse_toml, validate, write_toml};
use dcrisk_core::shard::scenario_hash;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::atomic::OutputFile;
use crate::cli::RunArgs;
use crate::load::InputError;

/// The record of a run's making.
pub const RUN_JSON: &str = "run.json";
/// The resolved scenario of a run.
pub const SCENARIO_TOML: &str = "scenario.toml";

/// What a run's folder records of its making; [`Record::files`] turns it into run.json
/// and scenario.toml once the run is done.
#[derive(Clone, Debug)]
pub struct Record {
    /// run.json's fields before `seed`, `paths`, the timing and what the caller adds.
    head: Value,
    /// Fields the caller adds ([`Record::with`]), after `seed` and `paths`.
    extra: Vec<(String, Value)>,
    overrides: Vec<String>,
    /// The flags that reproduce the run besides `--seed`, when not `--paths N` and the
    /// variance-reduction flags (a run to a precision).
    flags: Option<String>,
    scenario_toml: Option<String>,
    /// The scenario as run (after the overrides), for the reports' inputs.
    tree: Option<Table>,
    /// The scenario file's own tree, when overrides changed it: the reports mark the
    /// fields that differ.
    original: Option<Table>,
    source: String,
    started: SystemTime,
    clock: Instant,
    /// What the folder's results are of, for the replacement check.
    claim: Claim,
    /// `--force`: replace another scenario's results.
    force: bool,
}

/// What a folder's results are of: a scenario file (its canonical path, and the scenario's
/// hash when it is valid), or a merge's parts (the scenario's hash only).
#[derive(Clone, Debug)]
enum Claim {
    File { path: PathBuf, hash: Option<String> },
    Parts { hash: String },
}

/// What a folder's run.json says its results are of.
struct Recorded {
    path: Option<PathBuf>,
    hash: Option<String>,
}

impl Record {
    /// The record of a run of the scenario file `file` with the `--set` overrides `sets`,
    /// `tree` being the scenario after them. Reads the file again for its SHA-256.
    pub fn for_scenario(
        file: &Path,
        sets: &[(String, String)],
        tree: &Table,
    ) -> Result<Self, InputError> {
        let bytes = std::fs::read(file)
            .map_err(|e| InputError(format!("{}: cannot read the file: {e}", file.display())))?;
        let overrides: Vec<String> = sets.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let hash = validate(tree)
            .ok()
            .map(|s| format!("{:016x}", scenario_hash(&s)));
        let mut head = json!({
            "command": command(),
            "dcrisk_version": env!("CARGO_PKG_VERSION"),
            "scenario_file": file.display().to_string(),
            "scenario_path": canonical(file).display().to_string(),
            "scenario_sha256": hex_sha256(&bytes),
        });
        if let Some(hash) = &hash {
            head["scenario_hash"] = json!(hash);
        }
        head["overrides"] = json!(overrides);
        Ok(Record {
            head,
            extra: Vec::new(),
            overrides,
            flags: None,
            scenario_toml: Some(write_toml(tree)),
            tree: Some(tree.clone()),
            original: match sets.is_empty() {
                true => None,
                false => std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|text| parse_toml(text).ok()),
            },
            source: file.display().to_string(),
            started: SystemTime::now(),
            clock: Instant::now(),
            claim: Claim::File {
                path: canonical(file),
                hash,
            },
            force: false,
        })
    }

    /// The record of a merge: the command, the scenario's hash (`hash`, the parts') and
    /// what each part's header says (`parts`).
    pub fn for_merge(parts: Value, hash: u64) -> Self {
        let hash = format!("{hash:016x}");
        Record {
            head: json!({
                "command": command(),
                "dcrisk_version": env!("CARGO_PKG_VERSION"),
                "scenario_hash": hash,
                "parts": parts,
            }),
            extra: Vec::new(),
            overrides: Vec::new(),
            flags: None,
            scenario_toml: None,
            tree: None,
            original: None,
            source: String::new(),
            started: SystemTime::now(),
            clock: Instant::now(),
            claim: Claim::Parts { hash },
            force: false,
        }
    }

    /// The record with `--force` as given: whether it may replace another scenario's
    /// results.
    pub fn forced(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Refuses (exit 2) to replace `dir` when its run.json records another scenario's
    /// results (see the module's documentation), unless forced; the message names both and
    /// the ways out.
    pub fn check_replacement(&self, dir: &Path) -> Result<(), InputError> {
        if self.force {
            return Ok(());
        }
        let Some(previous) = recorded(dir) else {
            return Ok(());
        };
        let (other, this) = match &self.claim {
            Claim::File { path, hash } => match (&previous.path, &previous.hash) {
                (Some(p), _) if p != path => (
                    format!("another scenario file, {}", p.display()),
                    path.display().to_string(),
                ),
                (None, Some(h)) if Some(h) != hash.as_ref() => (
                    format!("another scenario, merged parts of scenario hash {h}"),
                    path.display().to_string(),
                ),
                _ => return Ok(()),
            },
            Claim::Parts { hash } => match (&previous.hash, &previous.path) {
                (Some(h), path) if h != hash => (
                    match path {
                        Some(p) => {
                            format!("another scenario file, {} (scenario hash {h})", p.display())
                        }
                        None => format!("another scenario, merged parts of scenario hash {h}"),
                    },
                    format!("these parts (scenario hash {hash})"),
                ),
                _ => return Ok(()),
            },
        };
        Err(InputError(format!(
            "{}: holds the results of {other}, not of {this}; choose \
             another folder with --name NAME, or replace those results with --force",
            dir.display()
        )))
    }

    /// The record as a file named `name` (a shard's, a sweep's or a sensitivity analysis'
    /// run.json, kept beside the run's files), for a study of `paths` paths with `seed`.
    pub fn json_file(&self, name: &str, seed: u64, paths: u64) -> OutputFile {
        OutputFile::new(name, self.run_json_text(seed, paths))
    }

    fn run_json_text(&self, seed: u64, paths: u64) -> String {
        let mut run = self.run_value(seed, paths);
        run["wall_seconds"] = json!(self.clock.elapsed().as_secs_f64());
        serde_json::to_string_pretty(&run).expect("serialisable") + "\n"
    }

    /// The record with its start time and wall clock starting now (a batch's scenario,
    /// loaded long before it runs).
    pub fn restarted(mut self) -> Self {
        self.started = SystemTime::now();
        self.clock = Instant::now();
        self
    }

    /// Adds a field to run.json (after `seed` and `paths`, before the timing).
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.push((key.to_string(), value));
        self
    }

    /// The flags that reproduce the run, besides `--seed`, in scenario.toml's comment
    /// (by default `--paths N` and the run's techniques).
    pub fn reproduced_by(mut self, flags: String) -> Self {
        self.flags = Some(flags);
        self
    }

    /// What the charts' subtitles say of the making: the overrides, if any.
    pub fn chart_note(&self) -> String {
        match self.overrides.is_empty() {
            true => String::new(),
            false => format!("overrides: {}", self.overrides.join(", ")),
        }
    }

    /// run.json and (for a run of a scenario file) scenario.toml, for `r`, the run's
    /// results; the wall time is the time since the record was made.
    pub fn files(&self, r: &RunResults) -> Vec<OutputFile> {
        let mut files = vec![OutputFile::new(
            RUN_JSON,
            self.run_json_text(r.seed, r.paths),
        )];
        if let Some(tree) = &self.scenario_toml {
            let set_note = match self.overrides.is_empty() {
                true => String::new(),
                false => format!(" with {}", self.overrides.join(" ")),
            };
            let text = format!(
                "# The scenario of this run: {}{set_note}, resolved by dcrisk {}.\n\
                 # Reproduce the run: dcrisk run scenario.toml {} --seed {}\n\
                 # (with --out DIR or --name NAME: this folder keeps the original file's \
                 results)\n\n{tree}",
                self.source,
                env!("CARGO_PKG_VERSION"),
                self.flags.clone().unwrap_or_else(|| format!(
                    "--paths {}{}",
                    r.paths,
                    techniques_flags(r)
                )),
                r.seed,
            );
            files.push(OutputFile::new(SCENARIO_TOML, text));
        }
        files
    }
}

impl Record {
    /// run.json's fields for `r` but the wall time: what the reports show of the making,
    /// the same for the same run whenever they are rendered.
    pub fn run_json(&self, r: &RunResults) -> Value {
        self.run_value(r.seed, r.paths)
    }

    /// run.json's fields but the wall time, for a study of `paths` paths with `seed`
    /// (a decision command's record, shown in its report).
    pub fn study_json(&self, seed: u64, paths: u64) -> Value {
        self.run_value(seed, paths)
    }

    /// run.json's fields but the wall time, for a study of `paths` paths with `seed`.
    fn run_value(&self, seed: u64, paths: u64) -> Value {
        let mut run = self.head.clone();
        run["seed"] = json!(seed);
        run["paths"] = json!(paths);
        for (k, v) in &self.extra {
            run[k.as_str()] = v.clone();
        }
        run["started"] = json!(rfc3339(self.started));
        run
    }

    /// The scenario as run, after the overrides (none for a merge).
    pub fn scenario_tree(&self) -> Option<&Table> {
        self.tree.as_ref()
    }

    /// The scenario file's tree before the overrides, when there were overrides.
    pub fn original_tree(&self) -> Option<&Table> {
        self.original.as_ref()
    }
}

/// The flags of the run's variance-reduction techniques, for the reproduce line.
fn techniques_flags(r: &RunResults) -> String {
    let mut flags = String::new();
    if r.techniques.antithetic {
        flags.push_str(" --antithetic");
    }
    if r.techniques.control_variates {
        flags.push_str(" --control-variates");
    }
    if r.summaries.is_some() {
        flags.push_str(" --sketch");
    }
    flags
}

/// run.json's `techniques`: variance reduction, `--sketch` and the precision goal.
pub fn techniques_json(args: &RunArgs) -> serde_json::Value {
    let precision = (args.precision.is_some() || args.precision_abs.is_some()).then(|| {
        json!({
            "target": args.target.name(),
            "relative": args.precision,
            "absolute": args.precision_abs,
            "max_paths": args.max_paths,
        })
    });
    json!({
        "antithetic": args.common.antithetic,
        "control_variates": args.common.control_variates,
        "sketch": args.sketch,
        "precision": precision,
    })
}

/// What `dir`/run.json says its results are of, if it has a run.json.
fn recorded(dir: &Path) -> Option<Recorded> {
    let text = std::fs::read_to_string(dir.join(RUN_JSON)).ok()?;
    let run: Value = serde_json::from_str(&text).ok()?;
    let field = |key: &str| run.get(key).and_then(Value::as_str).map(str::to_string);
    Some(Recorded {
        path: field("scenario_path").map(PathBuf::from),
        hash: field("scenario_hash"),
    })
}

/// `path` made absolute and canonical, or as it is when that fails.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The command line as given.
fn command() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `t` as an RFC 3339 UTC time to the second, e.g. `2026-12-05T00:41:13Z`.
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_in_rfc3339() {
        let at = |s: u64| rfc3339(UNIX_EPOCH + Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_430_073), "2026-12-05T00:21:13Z");
    }

    #[test]
    fn sha256_in_hex() {
        assert_eq!(
            hex_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
