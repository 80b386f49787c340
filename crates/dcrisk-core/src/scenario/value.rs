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

    /// The value with its kind, for "expected ..., got ..." messages: `the string "abc"`,
    /// `the integer 5`, `the number 1.5`, `the boolean true`, `an array of 3 values`,
    /// `a table`. Long strings are cut to their first 40 characters.
    pub fn describe(&self) -> String {
        match self {
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the number {}", format_number(*f)),
            Value::Str(s) if s.chars().count() > 40 => {
                let head: String = s.chars().take(40).collect();
                format!("the string {head:?}... ({} bytes)", s.len())
            }
            Value::Str(s) => format!("the string {s:?}"),
            Value::Array(a) if a.len() == 1 => "an array of 1 value".to_string(),
            Value::Array(a) => format!("an array of {} values", a.len()),
            Value::Table(_) => "a table".to_string(),
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
/// (`got -5`, `got 0.25`, `got NaN`); very large or small ones in exponent form (`got
/// 1e300`, not 301 digits).
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x != 0.0 && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
