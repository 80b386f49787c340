//! What made an output folder: `run.json` (the command, the scenario file and its
//! SHA-256, the overrides, seed, paths, threads, techniques, start time and wall time) and
//! `scenario.toml` (the scenario tree after the overrides, which `dcrisk run` reads back
//! to the same run). Written with the run's other files; kept out of every other file, so
//! summary.json and the charts stay byte-identical from run to run.
//!
//! A folder is another scenario file's when its run.json names a different file (compared
//! as absolute, canonical paths): `run` and `batch` then refuse to replace it without
//! `--force`. A folder without run.json (older versions, merges) is replaced as before.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dcrisk_core::RunResults;
use dcrisk_core::scenario::{Table, write_toml};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::atomic::OutputFile;
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
    source: String,
    started: SystemTime,
    clock: Instant,
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
        let head = json!({
            "command": command(),
            "dcrisk_version": env!("CARGO_PKG_VERSION"),
            "scenario_file": file.display().to_string(),
            "scenario_path": canonical(file).display().to_string(),
            "scenario_sha256": hex_sha256(&bytes),
            "overrides": overrides,
        });
        Ok(Record {
            head,
            extra: Vec::new(),
            overrides,
            flags: None,
            scenario_toml: Some(write_toml(tree)),
            source: file.display().to_string(),
            started: SystemTime::now(),
            clock: Instant::now(),
        })
    }

    /// The record of a merge: the command and what each part's header says (`parts`).
    pub fn for_merge(parts: Value) -> Self {
        Record {
            head: json!({
                "command": command(),
                "dcrisk_version": env!("CARGO_PKG_VERSION"),
                "parts": parts,
            }),
            extra: Vec::new(),
            overrides: Vec::new(),
            flags: None,
            scenario_toml: None,
            source: String::new(),
            started: SystemTime::now(),
            clock: Instant::now(),
        }
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
        let mut files = vec![self.run_json(RUN_JSON, r.seed, r.paths)];
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
    /// run.json's text under the file name `name`, for runs of `paths` paths with `seed`
    /// (`solve` and `frontier` record theirs beside a run's as `solve.run.json`,
    /// `frontier.run.json`).
    pub fn run_json(&self, name: &str, seed: u64, paths: u64) -> OutputFile {
        let mut run = self.head.clone();
        run["seed"] = json!(seed);
        run["paths"] = json!(paths);
        for (k, v) in &self.extra {
            run[k.as_str()] = v.clone();
        }
        run["started"] = json!(rfc3339(self.started));
        run["wall_seconds"] = json!(self.clock.elapsed().as_secs_f64());
        OutputFile::new(
            name,
            serde_json::to_string_pretty(&run).expect("serialisable") + "\n",
        )
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

/// Refuses (exit 2) to replace `dir` when its run.json records a scenario file other
/// than `file`, unless `force`; the message names both files and the ways out.
pub fn check_replacement(dir: &Path, file: &Path, force: bool) -> Result<(), InputError> {
    if force {
        return Ok(());
    }
    let Some(previous) = recorded_scenario(dir) else {
        return Ok(());
    };
    let this = canonical(file);
    if previous == this {
        return Ok(());
    }
    Err(InputError(format!(
        "{}: holds the results of another scenario file, {}, not of {}; choose another \
         folder with --name NAME, or replace those results with --force",
        dir.display(),
        previous.display(),
        this.display()
    )))
}

/// The canonical path of the scenario file recorded in `dir`/run.json, if there is one.
fn recorded_scenario(dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dir.join(RUN_JSON)).ok()?;
    let run: Value = serde_json::from_str(&text).ok()?;
    run.get("scenario_path")?.as_str().map(PathBuf::from)
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
