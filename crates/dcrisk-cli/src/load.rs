//! Reading scenario files: file errors, TOML syntax errors with line numbers, and the
//! core's field validation, all as [`InputError`]s (exit code 2).

use std::path::Path;

use dcrisk_core::Scenario;
use dcrisk_core::scenario::{
    FieldError, FieldWarning, Table, Value, apply_override, parse_toml, validate, warnings,
};
use dcrisk_core::uncertain::{UncertainScenario, has_distributions};

/// A problem with what the user gave us: exit code 2, message names the file and field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Reads, parses and validates a scenario file, with `--set` overrides applied first, and
/// prints its plausibility warnings on stderr.
pub fn load_scenario(path: &Path, sets: &[(String, String)]) -> Result<Scenario, InputError> {
    load_checked(path, sets, false)
}

/// [`load_scenario`], with `strict` (`--strict`) refusing a scenario that has plausibility
/// warnings instead of printing them.
pub fn load_checked(
    path: &Path,
    sets: &[(String, String)],
    strict: bool,
) -> Result<Scenario, InputError> {
    load_checked_tree(path, sets, strict).map(|(_, scenario)| scenario)
}

/// [`load_checked`], also returning the value tree the scenario was validated from (a
/// run records it as its resolved scenario).
pub fn load_checked_tree(
    path: &Path,
    sets: &[(String, String)],
    strict: bool,
) -> Result<(Table, Scenario), InputError> {
    let label = path.display().to_string();
    let tree = load_tree(path, sets)?;
    let scenario = validate_tree(&label, &tree)?;
    plausible(path, sets, &scenario, strict)?;
    Ok((tree, scenario))
}

/// Refuses a tree with uncertain inputs where a command takes only fixed numbers.
fn refuse_uncertain(label: &str, tree: &Table) -> Result<(), InputError> {
    if !has_distributions(tree) {
        return Ok(());
    }
    Err(InputError(format!(
        "{label}: has uncertain inputs (fields given as distributions): only `dcrisk run` \
         and `dcrisk validate` take them; fix them with --set KEY=VALUE"
    )))
}

/// Prints the plausibility warnings (values validation accepts but a reviewer would flag,
/// docs/PARAMETERS.md "Plausibility warnings") of `scenario`, read from `path` with the
/// `--set` overrides `sets`, on stderr, one line each after what gave the value: the file,
/// or the `--set KEY=VALUE` flag that brought the warning in. With `strict`, refuses the
/// scenario listing them instead (exit 2).
pub fn plausible(
    path: &Path,
    sets: &[(String, String)],
    scenario: &Scenario,
    strict: bool,
) -> Result<(), InputError> {
    let found = warnings(scenario);
    if found.is_empty() {
        return Ok(());
    }
    let label = path.display().to_string();
    let blamed = blame_sets(path, sets);
    let source = |w: &FieldWarning| {
        let text = w.to_string();
        blamed
            .iter()
            .find(|(_, t)| *t == text)
            .map_or(label.clone(), |(flag, _)| flag.clone())
    };
    if strict {
        let lines: Vec<String> = found
            .iter()
            .map(|w| match source(w) {
                s if s == label => format!("  {w}"),
                flag => format!("  {flag}: {w}"),
            })
            .collect();
        return Err(InputError(format!(
            "{label}: {} plausibility warning(s), refused by --strict:\n{}",
            found.len(),
            lines.join("\n")
        )));
    }
    for w in &found {
        eprintln!("warning: {}: {w}", source(w));
    }
    Ok(())
}

/// The warnings each `--set` flag brings in, as `("--set KEY=VALUE", warning text)`: the
/// overrides applied one at a time to the file's tree, a warning blamed on the first flag
/// after which it appears (a warning of the file itself, and one whose value a flag
/// changes, show as they stand after the flag).
fn blame_sets(path: &Path, sets: &[(String, String)]) -> Vec<(String, String)> {
    let Ok(mut tree) = read_tree(path) else {
        return Vec::new();
    };
    let texts = |tree: &Table| -> Vec<String> {
        validate(tree)
            .map(|s| warnings(&s).iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    };
    blame_each_flag(&mut tree, sets, texts).map_or_else(|_| Vec::new(), |(blamed, _)| blamed)
}

/// Each item with the `--set KEY=VALUE` flag that brought it in, and the items of the
/// final tree.
type Blamed<T> = (Vec<(String, T)>, Vec<T>);

/// Applies the `--set` overrides `sets` to `tree` one at a time, and pairs each item
/// `measure` finds after a flag but not before it with that flag (`--set KEY=VALUE`);
/// also returns what `measure` finds in the final tree. An override that cannot be
/// applied stops it with the core's message (which starts with `--set KEY`).
fn blame_each_flag<T: PartialEq + Clone>(
    tree: &mut Table,
    sets: &[(String, String)],
    measure: impl Fn(&Table) -> Vec<T>,
) -> Result<Blamed<T>, String> {
    let mut known = measure(tree);
    let mut blamed = Vec::new();
    for (key, value) in sets {
        apply_override(tree, key, parse_value(value))?;
        let now = measure(tree);
        for item in now.iter().filter(|t| !known.contains(t)) {
            blamed.push((format!("--set {key}={value}"), item.clone()));
        }
        known = now;
    }
    Ok((blamed, known))
}

/// Reads a scenario file into the value tree and applies the `--set` overrides, without
/// validating the result (sweeps and sensitivity edit the tree further first). A problem
/// that an override brings in (a mistyped key, a bad value) is blamed on its `--set`
/// flag, not on the file; the file's own problems are left to the validation that follows.
pub fn load_tree(path: &Path, sets: &[(String, String)]) -> Result<Table, InputError> {
    let mut tree = read_tree(path)?;
    if sets.is_empty() {
        return Ok(tree);
    }
    // The last line of a long list only counts the rest ("... and 19 more").
    let listed = |tree: &Table| -> Vec<FieldError> {
        let listed = |p: &FieldError| !(p.path.is_empty() && p.message.starts_with("... and"));
        problems(tree).into_iter().filter(listed).collect()
    };
    let (blamed, known) = blame_each_flag(&mut tree, sets, listed).map_err(InputError)?;
    // Only what is still wrong once every flag is applied: a later flag may mend what an
    // earlier one needed (`status = "preliminary"` wants its conversion fields).
    let mut blamed: Vec<String> = blamed
        .into_iter()
        .filter(|(_, p)| known.contains(p))
        .map(|(flag, p)| format!("{flag}: {p}"))
        .collect();
    match blamed.len() {
        0 => Ok(tree),
        1 => Err(InputError(blamed.remove(0))),
        n => Err(InputError(format!(
            "{n} problem(s) from --set flags:\n  {}",
            blamed.join("\n  ")
        ))),
    }
}

/// The validation problems of a tree, none if it is a valid scenario (with uncertain
/// inputs: valid distributions, each within its field's range).
fn problems(tree: &Table) -> Vec<FieldError> {
    let checked = match has_distributions(tree) {
        true => UncertainScenario::from_tree(tree).err(),
        false => validate(tree).err(),
    };
    checked.map(|e| e.errors().to_vec()).unwrap_or_default()
}

/// Validates a scenario tree; the error lists every problem after `label` (the file, or
/// the file and the edit that made the tree).
pub fn validate_tree(label: &str, tree: &Table) -> Result<Scenario, InputError> {
    refuse_uncertain(label, tree)?;
    validate(tree).map_err(|e| {
        let lines: Vec<String> = e.errors().iter().map(|f| format!("  {f}")).collect();
        InputError(format!(
            "{label}: {} problem(s):\n{}",
            e.total(),
            lines.join("\n")
        ))
    })
}

/// Reads a TOML file into the core's value tree.
pub fn read_tree(path: &Path) -> Result<Table, InputError> {
    let bytes = std::fs::read(path)
        .map_err(|e| InputError(format!("{}: cannot read the file: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        InputError(format!(
            "{}: not a UTF-8 text file (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(InputError(format!(
            "{}: the file is empty; `dcrisk init` writes a starter scenario",
            path.display()
        )));
    }
    parse_toml(&text).map_err(|e| InputError(format!("{}: malformed TOML: {e}", path.display())))
}

/// A `--set` value as TOML (`1.1`, `"PJM"`, `[[0, 300.0]]`, `true`), else a bare string.
pub fn parse_value(text: &str) -> Value {
    dcrisk_core::scenario::parse_value(text)
}
