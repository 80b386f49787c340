//! `--set KEY=VALUE`: edits a scenario tree before validation, so an override is checked
//! exactly like the file. Keys are dotted paths; list entries are addressed by their `name`
//! (quoted when it has spaces or dots) or by index: `regions.ERCOT.volatility`,
//! `sites."Phoenix AZ 1".capacity_mw`, `sites[2].pue`, `guarantee.cap`.

use super::reader::nearest;
use super::value::{Table, Value};

/// Sets the field at `key` to `value`; the error names what exists nearby.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{Value, apply_override};
/// let site = vec![("name".to_string(), Value::Str("A 1".into())), ("pue".to_string(), Value::Float(1.2))];
/// let mut root = vec![("sites".to_string(), Value::Array(vec![Value::Table(site)]))];
/// apply_override(&mut root, "sites.\"A 1\".pue", Value::Float(1.3)).unwrap();
/// apply_override(&mut root, "sites[0].pue", Value::Float(1.4)).unwrap();
/// assert!(apply_override(&mut root, "sites.B.pue", Value::Float(1.0)).unwrap_err().contains("\"A 1\""));
/// ```
pub fn apply_override(root: &mut Table, key: &str, value: Value) -> Result<(), String> {
    let segments = parse_key(key)?;
    set_in(root, &segments, value, key, "")
}

/// One part of a key: a name (table key or list entry name) or a list index.
#[derive(Debug, PartialEq)]
enum Segment {
    Name(String),
    Index(usize),
}

fn set_in(
    table: &mut Table,
    segs: &[Segment],
    value: Value,
    key: &str,
    here: &str,
) -> Result<(), String> {
    let at = if here.is_empty() {
        "the top level".to_string()
    } else {
        format!("`{here}`")
    };
    let Segment::Name(name) = &segs[0] else {
        return Err(format!(
            "--set {key}: an index needs a list before it, at {at}"
        ));
    };
    let path = if here.is_empty() {
        name.clone()
    } else {
        format!("{here}.{name}")
    };
    if segs.len() == 1 {
        match table.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => table.push((name.clone(), value)),
        }
        return Ok(());
    }
    let keys: Vec<String> = table.iter().map(|(k, _)| k.clone()).collect();
    let Some((_, entry)) = table.iter_mut().find(|(k, _)| k == name) else {
        return Err(unknown(key, name, &at, &keys));
    };
    match entry {
        Value::Table(t) => set_in(t, &segs[1..], value, key, &path),
        Value::Array(items) => {
            let (index, label) = choose_entry(items, &segs[1], key, &path)?;
            if segs.len() == 2 {
                return Err(format!("--set {key}: name a field of `{path}{label}`"));
            }
            match &mut items[index] {
                Value::Table(t) => set_in(t, &segs[2..], value, key, &format!("{path}{label}")),
                other => Err(format!(
                    "--set {key}: `{path}{label}` is {}, not a table",
                    other.kind()
                )),
            }
        }
        other => Err(format!(
            "--set {key}: `{path}` is {}, not a table",
            other.kind()
        )),
    }
}

/// The entry of a list of tables chosen by index or by its `name` field.
fn choose_entry(
    items: &[Value],
    seg: &Segment,
    key: &str,
    path: &str,
) -> Result<(usize, String), String> {
    let names: Vec<String> = items.iter().map(entry_name).collect();
    match seg {
        Segment::Index(i) if *i < items.len() => Ok((*i, format!("[{i}]"))),
        Segment::Index(i) => Err(format!(
            "--set {key}: `{path}` has {} entries, no [{i}]",
            items.len()
        )),
        Segment::Name(n) => match names.iter().position(|x| x == n) {
            Some(i) => Ok((i, format!("[{i}]"))),
            None => {
                let listed: Vec<String> = names.iter().map(|x| format!("{x:?}")).collect();
                Err(format!(
                    "--set {key}: no entry named {n:?} in `{path}`; names: {}",
                    listed.join(", ")
                ))
            }
        },
    }
}

fn entry_name(v: &Value) -> String {
    match v {
        Value::Table(t) => match t.iter().find(|(k, _)| k == "name") {
            Some((_, Value::Str(s))) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

fn unknown(key: &str, name: &str, at: &str, keys: &[String]) -> String {
    let known: Vec<&str> = keys.iter().map(String::as_str).collect();
    match nearest(name, &known) {
        Some(k) => format!("--set {key}: no `{name}` at {at} (did you mean `{k}`?)"),
        None => format!(
            "--set {key}: no `{name}` at {at}; there: {}",
            known.join(", ")
        ),
    }
}

/// Splits `a.b."c d"[2].e` into segments.
fn parse_key(key: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut chars = key.chars().peekable();
    let bad = |why: &str| format!("--set {key}: {why}");
    while chars.peek().is_some() {
        match chars.peek() {
            Some('"') => {
                chars.next();
                let name: String = chars.by_ref().take_while(|&c| c != '"').collect();
                out.push(Segment::Name(name));
            }
            Some('[') => {
                chars.next();
                let digits: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(Segment::Index(
                    digits
                        .trim()
                        .parse()
                        .map_err(|_| bad("an index must be a whole number"))?,
                ));
            }
            _ => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                if name.is_empty() {
                    return Err(bad("empty part in the key"));
                }
                out.push(Segment::Name(name));
            }
        }
        if chars.peek() == Some(&'.') {
            chars.next();
            if chars.peek().is_none() {
                return Err(bad("key ends with a dot"));
            }
        }
    }
    if out.is_empty() {
        return Err(bad("empty key"));
    }
    Ok(out)
}
