//! A scenario tree laid out for a report: its top-level settings, its sections (tables
//! such as `[guarantee]`) and its lists (`[[regions]]`, `[[sites]]`, `[[landlords]]`),
//! with every field whose value differs from the scenario file's marked as overridden.

use std::collections::BTreeSet;

use dcrisk_core::scenario::{Table, Value, format_number};

/// One block of the inputs: a table of `field | value` rows, or a list of entries with a
/// column per field.
pub enum Block<'a> {
    /// Top-level settings or a section: its name ("" for the top level) and its fields.
    Fields(&'a str, Vec<Cell<'a>>),
    /// A list of tables: its name, the union of its entries' fields (in first-seen order)
    /// and each entry's cells in that order (`None` where an entry lacks a field).
    List(&'a str, Vec<&'a str>, Vec<Vec<Option<Cell<'a>>>>),
}

/// One field's value as text, and whether an override set it.
pub struct Cell<'a> {
    pub field: &'a str,
    pub text: String,
    /// The value as a number, when it is one (for the workbook's cells).
    pub number: Option<f64>,
    pub overridden: bool,
}

/// The blocks of `tree`, marking the fields that differ from `original` (none when there
/// is no original): top-level settings first, then sections and lists in file order.
pub fn blocks<'a>(tree: &'a Table, original: Option<&Table>) -> Vec<Block<'a>> {
    let mut changed = BTreeSet::new();
    if let Some(o) = original {
        diff_tables(o, tree, "", &mut changed);
    }
    let cell = |field: &'a str, v: &Value, path: String| Cell {
        field,
        text: show(v),
        number: match v {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        },
        overridden: changed.contains(&path),
    };
    let settings: Vec<Cell> = tree
        .iter()
        .filter(|(_, v)| !is_block(v))
        .map(|(k, v)| cell(k, v, k.clone()))
        .collect();
    let mut out = vec![Block::Fields("", settings)];
    for (k, v) in tree {
        match v {
            Value::Table(t) => out.push(Block::Fields(
                k,
                t.iter()
                    .map(|(f, x)| cell(f, x, format!("{k}.{f}")))
                    .collect(),
            )),
            Value::Array(items) if is_block(v) => out.push(list(k, items, &cell)),
            _ => {}
        }
    }
    out
}

/// A list of tables as columns (the union of fields) and rows.
fn list<'a>(
    name: &'a str,
    items: &'a [Value],
    cell: &dyn Fn(&'a str, &Value, String) -> Cell<'a>,
) -> Block<'a> {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        if let Value::Table(t) = item {
            for (f, _) in t {
                if !columns.contains(&f.as_str()) {
                    columns.push(f);
                }
            }
        }
    }
    // The entry's name first: it is what a reader looks a row up by.
    if let Some(i) = columns.iter().position(|c| *c == "name") {
        let name = columns.remove(i);
        columns.insert(0, name);
    }
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::Table(t) = item else {
                return Vec::new();
            };
            columns
                .iter()
                .map(|c| {
                    t.iter()
                        .find(|(f, _)| f == c)
                        .map(|(f, v)| cell(f, v, format!("{name}[{i}].{f}")))
                })
                .collect()
        })
        .collect();
    Block::List(name, columns, rows)
}

/// A section (a table) or a non-empty list of tables: shown as its own block.
fn is_block(v: &Value) -> bool {
    match v {
        Value::Table(_) => true,
        Value::Array(a) => !a.is_empty() && a.iter().all(|x| matches!(x, Value::Table(_))),
        _ => false,
    }
}

/// A value as it reads in the scenario file: strings unquoted, arrays in brackets, an
/// inline table as `{ key = value, ... }`.
pub fn show(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_number(*f),
        Value::Str(s) => s.clone(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(show_inner).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Table(t) => {
            let items: Vec<String> = t
                .iter()
                .map(|(k, x)| format!("{k} = {}", show_inner(x)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
    }
}

/// A value inside an array or inline table: strings quoted, so commas in them stay clear.
fn show_inner(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{s:?}"),
        other => show(other),
    }
}

/// Collects into `changed` the path of every field of `new` that `old` lacks or holds
/// with another value (paths as in [`blocks`]: `key`, `section.key`, `list[i].key`).
/// A field whose value is a table or array is compared whole: `[guarantee]` changed in
/// one field marks that field; a list entry changed marks its changed fields.
fn diff_tables(old: &Table, new: &Table, prefix: &str, changed: &mut BTreeSet<String>) {
    for (k, v) in new {
        let path = match prefix.is_empty() {
            true => k.clone(),
            false => format!("{prefix}.{k}"),
        };
        let before = old.iter().find(|(o, _)| o == k).map(|(_, x)| x);
        match (before, v) {
            (Some(Value::Table(a)), Value::Table(b)) => diff_tables(a, b, &path, changed),
            (Some(Value::Array(a)), Value::Array(b)) if is_block(v) => {
                for (i, item) in b.iter().enumerate() {
                    match (a.get(i), item) {
                        (Some(Value::Table(x)), Value::Table(y)) => {
                            diff_tables(x, y, &format!("{path}[{i}]"), changed)
                        }
                        _ => mark_all(item, &format!("{path}[{i}]"), changed),
                    }
                }
            }
            (Some(old), new) if old == new => {}
            _ => mark_all(v, &path, changed),
        }
    }
}

/// Marks `v` at `path` as changed, and every field under it when it is a table.
fn mark_all(v: &Value, path: &str, changed: &mut BTreeSet<String>) {
    changed.insert(path.to_string());
    if let Value::Table(t) = v {
        for (k, x) in t {
            mark_all(x, &format!("{path}.{k}"), changed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dcrisk_core::scenario::parse_toml;

    const FILE: &str = "name = \"a\"\nseed = 1\n[guarantee]\ncap = 5.0\nmax_months = 3\n\
        [[sites]]\nname = \"s1\"\npue = 1.2\n[[sites]]\nname = \"s2\"\npue = 1.3\n";

    fn overridden(blocks: &[Block]) -> Vec<String> {
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Fields(name, cells) => out.extend(
                    cells
                        .iter()
                        .filter(|c| c.overridden)
                        .map(|c| format!("{name}:{}={}", c.field, c.text)),
                ),
                Block::List(name, _, rows) => {
                    for (i, row) in rows.iter().enumerate() {
                        out.extend(
                            row.iter()
                                .flatten()
                                .filter(|c| c.overridden)
                                .map(|c| format!("{name}[{i}]:{}={}", c.field, c.text)),
                        );
                    }
                }
            }
        }
        out
    }

    #[test]
    fn only_the_overridden_fields_are_marked() {
        let original = parse_toml(FILE).unwrap();
        let mut tree = original.clone();
        let set = |t: &mut Table, k: &str, v: Value| {
            dcrisk_core::scenario::apply_override(t, k, v).unwrap()
        };
        set(&mut tree, "seed", Value::Int(7));
        set(&mut tree, "guarantee.cap", Value::Float(0.0));
        set(&mut tree, "sites.s2.pue", Value::Float(1.4));
        let b = blocks(&tree, Some(&original));
        assert_eq!(
            overridden(&b),
            [":seed=7", "guarantee:cap=0", "sites[1]:pue=1.4"]
        );
        assert!(overridden(&blocks(&original, Some(&original))).is_empty());
        assert!(overridden(&blocks(&tree, None)).is_empty());
    }

    #[test]
    fn lists_take_the_union_of_their_fields() {
        let tree = parse_toml("[[x]]\na = 1\n[[x]]\nb = [1, 2]\n").unwrap();
        let b = blocks(&tree, None);
        let Block::List(name, cols, rows) = &b[1] else {
            panic!("expected a list");
        };
        assert_eq!((*name, cols.clone()), ("x", vec!["a", "b"]));
        assert!(rows[0][1].is_none() && rows[1][0].is_none());
        assert_eq!(rows[1][1].as_ref().unwrap().text, "[1, 2]");
    }
}
