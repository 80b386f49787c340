//! One runner for the commands that study variants of a single scenario (`sweep`,
//! `sensitivity`): the scenario file's value tree (with `--set`), a list of variants each
//! made by a set of overrides, every variant validated before anything runs, then all of
//! them simulated on one pool with common random numbers, results in variant order.
//!
//! Validating up front matters: a grid of 100 points whose 97th is invalid should fail in
//! a second, naming the point, not after 96 runs. Common random numbers (each variant
//! with the same seed, so path i sees the same draws) make the differences between
//! variants the effect of the overrides, not sampling noise.

use std::path::Path;

use anyhow::{Result, anyhow};
use dcrisk_core::engine::{RunConfig, simulate};
use dcrisk_core::scenario::{Table, Value, apply_override};
use dcrisk_core::{RunResults, Scenario};

use crate::atomic::prepare;
use crate::cli::CommonArgs;
use crate::finite;
use crate::limits::{self, Load};
use crate::load::{InputError, load_tree, validate_tree};
use crate::pool::{par_map, thread_pool};
use crate::progress::PathBar;

/// A variant of the base scenario: the overrides that make it, and how errors name it.
pub struct Variant {
    /// E.g. `sweep point cloud.drift=-0.1` or `sensitivity of rent x0.8`.
    pub label: String,
    /// `(key, value)` in `--set`'s key syntax, applied in order to a copy of the base tree.
    pub overrides: Vec<(String, Value)>,
}

/// A scenario file read for a study: its value tree, with `--set` applied.
pub struct Study {
    /// The file as errors name it.
    pub file: String,
    /// The value tree, overrides from `--set` applied, not validated.
    pub tree: Table,
    /// The flag the overrides come from (`--param`), named in errors about a key.
    flag: &'static str,
    /// The variants, plural, for the count of failures (`sweep points`).
    noun: &'static str,
}

impl Study {
    /// Reads `path` and applies `sets`; `flag` and `noun` word the errors.
    pub fn load(
        path: &Path,
        sets: &[(String, String)],
        flag: &'static str,
        noun: &'static str,
    ) -> Result<Self, InputError> {
        Ok(Study {
            file: path.display().to_string(),
            tree: load_tree(path, sets)?,
            flag,
            noun,
        })
    }

    /// The base scenario: the tree as it is, validated like the file.
    pub fn base(&self) -> Result<Scenario, InputError> {
        validate_tree(&self.file, &self.tree)
    }

    /// Every variant as a validated scenario, in order. A key that does not exist fails
    /// at once (it would fail for every variant); otherwise every variant is validated and
    /// the first failure is reported with the count of failing ones. Nothing has run yet.
    pub fn scenarios(&self, variants: &[Variant]) -> Result<Vec<Scenario>, InputError> {
        let mut scenarios = Vec::with_capacity(variants.len());
        let mut failures: Vec<InputError> = Vec::new();
        for v in variants {
            let tree = self.apply(&v.overrides)?;
            match validate_tree(&format!("{}: {}", self.file, v.label), &tree) {
                Ok(s) => scenarios.push(s),
                Err(e) => failures.push(e),
            }
        }
        match failures.len() {
            0 => Ok(scenarios),
            1 => Err(failures.remove(0)),
            n => Err(InputError(format!(
                "{}\n({n} {} fail in all; nothing ran)",
                failures[0].0, self.noun
            ))),
        }
    }

    /// A copy of the tree with `overrides` applied; a bad key names this study's flag.
    fn apply(&self, overrides: &[(String, Value)]) -> Result<Table, InputError> {
        let mut tree = self.tree.clone();
        for (key, value) in overrides {
            apply_override(&mut tree, key, value.clone()).map_err(|e| {
                let e = e
                    .strip_prefix("--set ")
                    .map_or(e.clone(), |rest| format!("{} {rest}", self.flag));
                InputError(format!("{}: {e}", self.file))
            })?;
        }
        Ok(tree)
    }
}

/// The worker threads a study runs on (`--threads`, else every core), for its record.
pub fn threads(common: &CommonArgs) -> usize {
    common
        .threads
        .map_or_else(rayon::current_num_threads, usize::from)
}

/// Simulates every scenario (each with the flags' paths and seed, else its own) on one
/// pool, `summarize` keeping what the study needs of each run so its per-path data can
/// go; results in scenario order. `label` heads the progress bar. Before anything runs,
/// the memory the runs held at once need is checked (see `limits`), and the output folder
/// `OUT/<first scenario's name>` is checked writable; a run whose results are not finite
/// fails the study (see `finite`).
pub fn run_all<R, F>(
    scenarios: &[Scenario],
    common: &CommonArgs,
    label: &str,
    summarize: F,
) -> Result<Vec<R>>
where
    R: Send,
    F: Fn(&RunResults) -> R + Sync + Send,
{
    let runs: Vec<(&Scenario, RunConfig)> = scenarios
        .iter()
        .map(|s| (s, common.run_config(s)))
        .collect();
    let paths: Vec<u64> = runs.iter().map(|(_, c)| c.total_paths()).collect();
    let pool = thread_pool(common.threads)?;
    let threads = pool.current_num_threads();
    let load = Load {
        runs_at_once: scenarios.len().min(2 * threads) as u64,
        charts: false,
        ..Load::run(paths.iter().copied().max().unwrap_or(0), threads)
    };
    let advice = "lower --paths, or --threads (each thread holds two runs at once)";
    limits::check_memory(&load, label, advice)?;
    let _prepared = match scenarios.first() {
        Some(first) => Some(prepare(&common.out.join(&first.name))?),
        None => None,
    };
    let bar = PathBar::new(paths.iter().sum(), label);
    let results = par_map(&pool, &runs, |(s, config)| {
        let r = simulate(s, config, &bar);
        finite::check(&r, None).map(|()| summarize(&r))
    });
    bar.finish();
    let n = scenarios.len();
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| anyhow!("{label}: run {} of {n}: {e}", i + 1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcrisk_core::scenario::parse_toml;

    fn study() -> Study {
        let text = include_str!("../templates/starter.toml").replace("{{NAME}}", "t");
        Study {
            file: "t.toml".into(),
            tree: parse_toml(&text).unwrap(),
            flag: "--param",
            noun: "sweep points",
        }
    }

    fn volatility(v: f64) -> Variant {
        Variant {
            label: format!("point v={v}"),
            overrides: vec![("regions.ERCOT.volatility".into(), Value::Float(v))],
        }
    }

    #[test]
    fn variants_validate_in_order() {
        let s = study()
            .scenarios(&[volatility(0.5), volatility(1.5)])
            .unwrap();
        let got: Vec<f64> = s.iter().map(|s| s.regions[0].volatility).collect();
        assert_eq!(got, [0.5, 1.5]);
    }

    /// Every variant is validated before any runs; the first failure is named, with the
    /// count of all of them.
    #[test]
    fn failures_name_the_first_variant_and_count_them() {
        let variants = [volatility(-1.0), volatility(0.5), volatility(-2.0)];
        let e = study().scenarios(&variants).unwrap_err().0;
        assert!(e.starts_with("t.toml: point v=-1: 1 problem(s):"), "{e}");
        assert!(
            e.ends_with("(2 sweep points fail in all; nothing ran)"),
            "{e}"
        );
        let one = study().scenarios(&[volatility(-1.0)]).unwrap_err().0;
        assert!(!one.contains("fail in all"), "{one}");
    }

    /// A key that does not exist is named with the study's flag.
    #[test]
    fn bad_keys_name_the_flag() {
        let bad = Variant {
            label: "x".into(),
            overrides: vec![("regions.NOPE.volatility".into(), Value::Float(1.0))],
        };
        let e = study().scenarios(&[bad]).unwrap_err().0;
        assert!(e.starts_with("t.toml: --param regions.NOPE"), "{e}");
    }
}
