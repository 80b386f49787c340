//! Scenario text in TOML to the value tree: parsing only, no file access.

use super::value::{Table, Value};

/// Parses TOML text; a syntax error names the line and shows it.
pub fn parse_toml(text: &str) -> Result<Table, String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| syntax_message(text, &e))?;
    Ok(convert_table(table))
}

/// A `--set` value as TOML (`1.1`, `"PJM"`, `[[0, 300.0]]`, `true`), else a bare string.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{Value, parse_value};
/// assert_eq!(parse_value("1.5"), Value::Float(1.5));
/// assert_eq!(parse_value("PJM"), Value::Str("PJM".into()));
/// ```
pub fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .map(convert)
            .unwrap_or_else(|| Value::Str(text.to_string())),
        Err(_) => Value::Str(text.to_string()),
    }
}

/// The parser's message with the line number spelled out and the line shown.
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
