//! Reads fields out of a [`Value`] tree while collecting every error with its path.
//!
//! Readers return a placeholder on error and record the problem, so validation goes on
//! and reports everything at once; the scenario is only built when no error was recorded.

use super::error::FieldError;
use super::value::{Table, Value, format_number};

/// The errors found so far.
#[derive(Default)]
pub(crate) struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            path: path.into(),
            message: message.into(),
        });
    }
}

/// A range check on a number: `Ok` or the message after the colon.
pub(crate) type Check = fn(f64) -> Result<(), String>;

pub(crate) fn positive(x: f64) -> Result<(), String> {
    bound(x > 0.0, "must be > 0", x)
}
pub(crate) fn non_negative(x: f64) -> Result<(), String> {
    bound(x >= 0.0, "must be >= 0", x)
}
pub(crate) fn any(_: f64) -> Result<(), String> {
    Ok(())
}
/// A probability of an event that may not be certain: `[0, 1)`.
pub(crate) fn probability(x: f64) -> Result<(), String> {
    bound((0.0..1.0).contains(&x), "must be in [0, 1)", x)
}
/// A fraction: `[0, 1]`.
pub(crate) fn fraction(x: f64) -> Result<(), String> {
    bound((0.0..=1.0).contains(&x), "must be in [0, 1]", x)
}
/// A growth rate: more than -100% a year.
pub(crate) fn rate(x: f64) -> Result<(), String> {
    bound(x > -1.0, "must be > -1", x)
}
pub(crate) fn at_least_one(x: f64) -> Result<(), String> {
    bound(x >= 1.0, "must be >= 1", x)
}

fn bound(ok: bool, rule: &str, x: f64) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{rule}, got {}", format_number(x)))
    }
}

/// The fields of one table, with the path that prefixes their errors.
pub(crate) struct Fields<'a> {
    path: String,
    table: &'a Table,
    known: Vec<&'static str>,
}

impl<'a> Fields<'a> {
    pub fn new(path: impl Into<String>, table: &'a Table) -> Self {
        Fields {
            path: path.into(),
            table,
            known: Vec::new(),
        }
    }

    /// The full path of a field of this table.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of a field, marking the key as known.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.table.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn required(&mut self, e: &mut Errors, key: &'static str) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            e.push(self.path_of(key), "missing field");
        }
        v
    }

    /// A required finite number that passes `check`.
    pub fn number(&mut self, e: &mut Errors, key: &'static str, check: Check) -> f64 {
        match self.required(e, key) {
            Some(v) => number_value(e, &self.path_of(key), v, check),
            None => 0.0,
        }
    }

    /// A required whole number in `lo..=hi`.
    pub fn int(&mut self, e: &mut Errors, key: &'static str, lo: i64, hi: i64) -> i64 {
        match self.required(e, key) {
            Some(v) => int_value(e, &self.path_of(key), v, lo, hi),
            None => lo,
        }
    }

    /// An optional whole number in `lo..=hi` with a documented default.
    pub fn int_or(
        &mut self,
        e: &mut Errors,
        key: &'static str,
        default: i64,
        lo: i64,
        hi: i64,
    ) -> i64 {
        match self.get(key) {
            Some(v) => int_value(e, &self.path_of(key), v, lo, hi),
            None => default,
        }
    }

    /// A required string.
    pub fn string(&mut self, e: &mut Errors, key: &'static str) -> String {
        match self.required(e, key) {
            Some(Value::Str(s)) => s.clone(),
            Some(v) => {
                e.push(
                    self.path_of(key),
                    format!("expected a string, got {}", v.kind()),
                );
                String::new()
            }
            None => String::new(),
        }
    }

    /// An optional string with a default.
    pub fn string_or(&mut self, e: &mut Errors, key: &'static str, default: &str) -> String {
        match self.get(key) {
            None => default.to_string(),
            Some(Value::Str(s)) => s.clone(),
            Some(v) => {
                e.push(
                    self.path_of(key),
                    format!("expected a string, got {}", v.kind()),
                );
                default.to_string()
            }
        }
    }

    /// A required sub-table.
    pub fn table(&mut self, e: &mut Errors, key: &'static str) -> Option<Fields<'a>> {
        let path = self.path_of(key);
        match self.required(e, key)? {
            Value::Table(t) => Some(Fields::new(path, t)),
            v => {
                e.push(path, format!("expected a table, got {}", v.kind()));
                None
            }
        }
    }

    /// An optional sub-table.
    pub fn optional_table(&mut self, e: &mut Errors, key: &'static str) -> Option<Fields<'a>> {
        let path = self.path_of(key);
        match self.get(key)? {
            Value::Table(t) => Some(Fields::new(path, t)),
            v => {
                e.push(path, format!("expected a table, got {}", v.kind()));
                None
            }
        }
    }

    /// A required, non-empty array of tables (`[[sites]]`).
    pub fn tables(&mut self, e: &mut Errors, key: &'static str) -> Vec<Fields<'a>> {
        let path = self.path_of(key);
        let Some(v) = self.required(e, key) else {
            return Vec::new();
        };
        let Value::Array(items) = v else {
            e.push(
                path,
                format!("expected an array of tables, got {}", v.kind()),
            );
            return Vec::new();
        };
        if items.is_empty() {
            e.push(path.clone(), "must have at least one entry");
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Table(t) => out.push(Fields::new(format!("{path}[{i}]"), t)),
                other => e.push(
                    format!("{path}[{i}]"),
                    format!("expected a table, got {}", other.kind()),
                ),
            }
        }
        out
    }

    /// Reports every key that no reader asked for, with the nearest known key.
    pub fn finish(self, e: &mut Errors) {
        for (key, _) in self.table {
            if self.known.iter().any(|k| k == key) {
                continue;
            }
            let hint = match nearest(key, &self.known) {
                Some(k) => format!("unknown field (did you mean `{k}`?)"),
                None => format!("unknown field; expected one of: {}", self.known.join(", ")),
            };
            e.push(self.path_of(key), hint);
        }
    }
}

/// A finite number from a value, checked.
pub(crate) fn number_value(e: &mut Errors, path: &str, v: &Value, check: Check) -> f64 {
    let x = match v {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        other => {
            e.push(path, format!("expected a number, got {}", other.kind()));
            return 0.0;
        }
    };
    if !x.is_finite() {
        e.push(
            path,
            format!("must be a finite number, got {}", format_number(x)),
        );
        return 0.0;
    }
    if let Err(msg) = check(x) {
        e.push(path, msg);
    }
    x
}

/// A whole number from a value (a float with no fraction is accepted), in `lo..=hi`.
pub(crate) fn int_value(e: &mut Errors, path: &str, v: &Value, lo: i64, hi: i64) -> i64 {
    let i = match v {
        Value::Int(i) => *i,
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9e15 => *f as i64,
        other => {
            e.push(
                path,
                format!("expected a whole number, got {}", other.show()),
            );
            return lo;
        }
    };
    if i < lo || i > hi {
        e.push(path, format!("must be in {lo}..={hi}, got {i}"));
        return lo;
    }
    i
}

/// The known key closest to `key` by edit distance, if it is close enough to be a typo.
pub fn nearest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
