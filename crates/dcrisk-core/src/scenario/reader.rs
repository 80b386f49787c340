//! Reads fields out of a [`Value`] tree while collecting every error with its path.
//!
//! Readers return a placeholder on error and record the problem, so validation goes on
//! and reports everything at once; the scenario is only built when no error was recorded.

use super::error::{FieldError, MAX_LISTED, ScenarioError, more_line};
use super::value::{Table, Value, format_number};

/// The errors found so far: the first [`MAX_LISTED`] in full, the rest only counted.
#[derive(Default)]
pub(crate) struct Errors {
    listed: Vec<FieldError>,
    total: usize,
}

impl Errors {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.total += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(FieldError {
                path: path.into(),
                message: message.into(),
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many errors were found so far: a reader that grew it failed, and checks that
    /// read its placeholder would only add noise.
    pub fn count(&self) -> usize {
        self.total
    }

    /// Whether the next error will be listed: costly hints (the nearest name) are only
    /// worth computing then.
    pub fn listing(&self) -> bool {
        self.total < MAX_LISTED
    }

    /// The error listing every problem (up to [`MAX_LISTED`], then a count).
    pub fn into_error(self) -> ScenarioError {
        let mut listed = self.listed;
        if self.total > listed.len() {
            listed.push(more_line(self.total - listed.len()));
        }
        ScenarioError::Invalid(listed)
    }
}

/// The range a number must lie in; the message names the side it left.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Range {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
    /// Say "must be in [0, 1)" rather than the side left ("must be >= 0").
    interval: bool,
}

impl Range {
    /// `[lo, hi]`.
    pub const fn closed(lo: f64, hi: f64) -> Self {
        Range {
            lo,
            lo_open: false,
            hi,
            hi_open: false,
            interval: false,
        }
    }

    /// `(lo, hi]`.
    pub const fn above(lo: f64, hi: f64) -> Self {
        Range {
            lo_open: true,
            ..Range::closed(lo, hi)
        }
    }

    /// The same range, reported as an interval (`must be in [0, 1)`).
    pub const fn interval(self) -> Self {
        Range {
            interval: true,
            ..self
        }
    }

    /// The same range with its upper end excluded.
    pub const fn open_above(self) -> Self {
        Range {
            hi_open: true,
            ..self
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        let above_lo = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below_hi = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        above_lo && below_hi
    }

    /// `Ok` or the message after the colon.
    pub fn check(&self, x: f64) -> Result<(), String> {
        if self.contains(x) {
            return Ok(());
        }
        let got = format_number(x);
        let (lo, hi) = (show_bound(self.lo), show_bound(self.hi));
        if self.interval {
            let open = if self.lo_open { '(' } else { '[' };
            let close = if self.hi_open { ')' } else { ']' };
            return Err(format!("must be in {open}{lo}, {hi}{close}, got {got}"));
        }
        let rule = match (x < self.lo || (self.lo_open && x == self.lo), self.lo_open) {
            (true, true) => format!("> {lo}"),
            (true, false) => format!(">= {lo}"),
            (false, _) if self.hi_open => format!("< {hi}"),
            (false, _) => format!("<= {hi}"),
        };
        Err(format!("must be {rule}, got {got}"))
    }
}

/// A bound in a message: `100000`, `1e10`, `0.001`.
pub(crate) fn show_bound(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{x:e}")
    } else {
        format_number(x)
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

    /// A required finite number in `range`.
    pub fn number(&mut self, e: &mut Errors, key: &'static str, range: Range) -> f64 {
        match self.required(e, key) {
            Some(v) => number_value(e, &self.path_of(key), v, range),
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
                    format!("expected a string, got {}", v.describe()),
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
                    format!("expected a string, got {}", v.describe()),
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
                e.push(path, format!("expected a table, got {}", v.describe()));
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
                e.push(path, format!("expected a table, got {}", v.describe()));
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
                format!("expected an array of tables, got {}", v.describe()),
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
                    format!("expected a table, got {}", other.describe()),
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
            if !e.listing() {
                e.push(self.path_of(key), "unknown field");
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

/// A finite number from a value, in `range`.
pub(crate) fn number_value(e: &mut Errors, path: &str, v: &Value, range: Range) -> f64 {
    let x = match v {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        other => {
            e.push(path, format!("expected a number, got {}", other.describe()));
            return 0.0;
        }
    };
    if !x.is_finite() {
        e.push(path, not_finite(x));
        return 0.0;
    }
    if let Err(msg) = range.check(x) {
        e.push(path, msg);
    }
    x
}

/// The message for NaN or an infinity (`1e400` in a `--set` reads as infinity).
fn not_finite(x: f64) -> String {
    let why = if x.is_nan() {
        ""
    } else {
        " (out of range: a number must be below about 1.8e308 in size)"
    };
    format!("must be a finite number, got {}{why}", format_number(x))
}

/// A whole number from a value (a float with no fraction is accepted), in `lo..=hi`.
pub(crate) fn int_value(e: &mut Errors, path: &str, v: &Value, lo: i64, hi: i64) -> i64 {
    let i = match v {
        Value::Int(i) => *i,
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9e15 => *f as i64,
        // A whole number too large for an exact float: out of every range here.
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 => {
            e.push(
                path,
                format!("must be in {lo}..={hi}, got {}", show_bound(*f)),
            );
            return lo;
        }
        Value::Float(f) if !f.is_finite() => {
            e.push(path, not_finite(*f));
            return lo;
        }
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
