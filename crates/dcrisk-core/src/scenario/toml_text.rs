//! Scenario text in TOML to the value tree and back: no file access.

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
/// A number too large for TOML's 64-bit integers or floats is still a number: a whole
/// number past 2^63 becomes the nearest float, a float past 1.8e308 an infinity, so that
/// validation says it is out of range rather than that it is a string.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{Value, parse_value};
/// assert_eq!(parse_value("1.5"), Value::Float(1.5));
/// assert_eq!(parse_value("PJM"), Value::Str("PJM".into()));
/// assert_eq!(parse_value("1e400"), Value::Float(f64::INFINITY));
/// assert_eq!(parse_value("99999999999999999999"), Value::Float(1e20));
/// ```
pub fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .map(convert)
            .unwrap_or_else(|| Value::Str(text.to_string())),
        Err(_) => match too_large_number(text) {
            Some(x) => Value::Float(x),
            None => Value::Str(text.to_string()),
        },
    }
}

/// A plain decimal number (`-12`, `1e400`, `3_000.5`) that TOML cannot hold, as the
/// nearest double (an infinity past 1.8e308); `None` for anything else.
fn too_large_number(text: &str) -> Option<f64> {
    let t = text.trim().replace('_', "");
    let plain = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && t.chars().any(|c| c.is_ascii_digit());
    let x: f64 = t.parse().ok().filter(|_| plain)?;
    (x.is_infinite() || x.abs() >= 9.2e18).then_some(x)
}

/// The parser's message with the line number spelled out and the line shown; a number
/// too large for TOML is said so in plain words, not in the parser's terms.
fn syntax_message(text: &str, e: &toml::de::Error) -> String {
    let literal = e
        .span()
        .and_then(|s| text.get(s))
        .map(str::trim)
        .unwrap_or("");
    let msg = match too_large_number(literal) {
        Some(x) if x.is_finite() => format!(
            "the whole number {literal} is out of range: whole numbers must lie between \
             -9223372036854775808 and 9223372036854775807 (write {x:e} for a number)"
        ),
        Some(_) => format!(
            "the number {literal} is out of range: numbers must be below about 1.8e308 in size"
        ),
        None => e.message().trim().to_string(),
    };
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let src = text.lines().nth(line - 1).unwrap_or("").trim();
            format!("line {line}: {msg}\n    {line} | {src}")
        }
        None => msg,
    }
}

/// The value tree as TOML text that [`parse_toml`] reads back to the same tree (numbers
/// in their shortest round-trip form), e.g. the resolved scenario of a run after its
/// `--set` overrides.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{parse_toml, write_toml};
/// let tree = parse_toml("name = \"a\"\n[cloud]\nprice0 = 0.1\n").unwrap();
/// assert_eq!(parse_toml(&write_toml(&tree)).unwrap(), tree);
/// ```
pub fn write_toml(tree: &Table) -> String {
    to_toml_table(tree).to_string()
}

fn to_toml_table(t: &Table) -> toml::Table {
    t.iter().map(|(k, v)| (k.clone(), to_toml(v))).collect()
}

fn to_toml(v: &Value) -> toml::Value {
    match v {
        Value::Str(s) => toml::Value::String(s.clone()),
        Value::Int(i) => toml::Value::Integer(*i),
        Value::Float(f) => toml::Value::Float(*f),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Array(a) => toml::Value::Array(a.iter().map(to_toml).collect()),
        Value::Table(t) => toml::Value::Table(to_toml_table(t)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shipped scenario and the starter read back from their written form as the
    /// same tree.
    #[test]
    fn written_trees_read_back_the_same() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut seen = 0;
        for entry in std::fs::read_dir(root).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let tree = parse_toml(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let text = write_toml(&tree);
            assert_eq!(parse_toml(&text).unwrap(), tree, "{}", path.display());
            seen += 1;
        }
        assert!(seen > 0);
        let odd =
            parse_toml("x = 1e300\ny = -0.1\nz = [[0, 1.5]]\n\"a b\" = { c = 5e-324 }\n").unwrap();
        assert_eq!(parse_toml(&write_toml(&odd)).unwrap(), odd);
    }
}
