//! Reading scenario files: file errors, TOML syntax errors with line numbers, and the
//! core's field validation, all as [`InputError`]s (exit code 2).

use std::path::Path;

use dcrisk_core::Scenario;
use dcrisk_core::scenario::{Table, Value, apply_override, validate};

/// A problem with what the user gave us: exit code 2, message names the file and field.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Reads, parses and validates a scenario file, with `--set` overrides applied first.
pub fn load_scenario(path: &Path, sets: &[(String, String)]) -> Result<Scenario, InputError> {
    let mut tree = read_tree(path)?;
    for (key, value) in sets {
        apply_override(&mut tree, key, parse_value(value))
            .map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    }
    validate(&tree).map_err(|e| {
        let lines: Vec<String> = e.errors().iter().map(|f| format!("  {f}")).collect();
        InputError(format!(
            "{}: {} problem(s):\n{}",
            path.display(),
            lines.len(),
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
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        InputError(format!(
            "{}: malformed TOML: {}",
            path.display(),
            syntax_message(&text, &e)
        ))
    })?;
    Ok(convert_table(table))
}

/// The parser's message with the line number spelled out.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let src = text.lines().nth(line - 1).unwrap_or("").trim();
            format!("line {line}: {msg}\n    {line} | {src}")
        }
        None => msg,
    }
}

/// A `--set` value as TOML (`1.1`, `"PJM"`, `[[0, 300.0]]`, `true`), else a bare string.
pub fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .map(convert)
            .unwrap_or_else(|| Value::Str(text.to_string())),
        Err(_) => Value::Str(text.to_string()),
    }
}

fn convert_table(t: toml::Table) -> Table {
    t.into_iter().map(|(k, v)| (k, convert(v))).collect()
}

fn convert(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::Str(s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::Str(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(convert).collect()),
        toml::Value::Table(t) => Value::Table(convert_table(t)),
    }
}
