//! A small, format-neutral tree of scenario values.
//!
//! The CLI parses TOML into this tree; validation walks it and reports every problem at
//! once with its field path. Keeping the tree here (not `toml::Value`) keeps the core free
//! of file formats, and lets `--set key=value` edit a scenario before it is validated.

/// A value read from a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    Table(Table),
}

/// A table's entries in file order.
pub type Table = Vec<(String, Value)>;

impl Value {
    /// What kind of value this is, for error messages ("expected a number, got a string").
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// A short rendering of the value for error messages.
    pub fn show(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_number(*f),
            Value::Str(s) => format!("{s:?}"),
            Value::Array(a) => format!("an array of {}", a.len()),
            Value::Table(_) => "a table".to_string(),
        }
    }
}

/// Numbers in error messages: as written, without a trailing `.0` on whole numbers
/// (`got -5`, `got 0.25`, `got NaN`).
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
