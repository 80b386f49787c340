//! `--set KEY=VALUE`: edits a scenario tree before validation, so an override is checked
//! exactly like the file. Keys are dotted paths; list entries are addressed by their `name`
//! (quoted when it has spaces or dots) or by index: `regions.ERCOT.volatility`,
//! `sites."Phoenix AZ 1".capacity_mw`, `sites[2].pue`, `guarantee.cap`; `[*]` stands for
//! every entry of a list (`sites[*].rent_per_kw_month`). `sweep --param`, `batch --set`,
//! `solve` and `frontier` read keys the same way.

use super::reader::nearest;
use super::value::{Table, Value};

/// Sets the field at `key` to `value`; the error names what exists nearby. `[*]` stands
/// for every entry of a list (`sites[*].rent_per_kw_month`).
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{Value, apply_override};
/// let site = vec![("name".to_string(), Value::Str("A 1".into())), ("pue".to_string(), Value::Float(1.2))];
/// let mut root = vec![("sites".to_string(), Value::Array(vec![Value::Table(site)]))];
/// apply_override(&mut root, "sites.\"A 1\".pue", Value::Float(1.3)).unwrap();
/// apply_override(&mut root, "sites[0].pue", Value::Float(1.4)).unwrap();
/// apply_override(&mut root, "sites[*].pue", Value::Float(1.5)).unwrap();
/// assert!(apply_override(&mut root, "sites.B.pue", Value::Float(1.0)).unwrap_err().contains("\"A 1\""));
/// ```
pub fn apply_override(root: &mut Table, key: &str, value: Value) -> Result<(), String> {
    let segments = parse_key(key)?;
    visit(root, &segments, key, "", &mut |table, name, _| {
        match table.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value.clone(),
            None => table.push((name.to_string(), value.clone())),
        }
        Ok(())
    })
}

/// Multiplies every number `key` matches (one field, or with `[*]` that field of every
/// entry of a list) by `factor`; integers become numbers. The field must exist and be a
/// number: scaling a default the file does not write would scale an unseen value.
///
/// # Examples
/// ```
/// use dcrisk_core::scenario::{Value, scale_override};
/// let site = |mw: f64| Value::Table(vec![("capacity_mw".to_string(), Value::Float(mw))]);
/// let mut root = vec![("sites".to_string(), Value::Array(vec![site(100.0), site(50.0)]))];
/// scale_override(&mut root, "sites[*].capacity_mw", 0.5).unwrap();
/// assert_eq!(root[0].1, Value::Array(vec![site(50.0), site(25.0)]));
/// assert!(scale_override(&mut root, "sites[*].pue", 2.0).is_err());
/// ```
pub fn scale_override(root: &mut Table, key: &str, factor: f64) -> Result<(), String> {
    let segments = parse_key(key)?;
    visit(root, &segments, key, "", &mut |table, name, path| {
        let Some((_, v)) = table.iter_mut().find(|(k, _)| k == name) else {
            return Err(format!(
                "--set {key}: `{path}` is not in the scenario, so there is no value to scale"
            ));
        };
        *v = match v {
            Value::Float(x) => Value::Float(*x * factor),
            Value::Int(i) => Value::Float(*i as f64 * factor),
            other => {
                return Err(format!(
                    "--set {key}: `{path}` is {}, not a number to scale",
                    other.describe()
                ));
            }
        };
        Ok(())
    })
}

/// The numbers `key` matches, each with its path (`sites[1].capacity_mw`), in file
/// order: what `--scale` multiplies. Errors as [`scale_override`]'s.
pub fn matched_numbers(root: &Table, key: &str) -> Result<Vec<(String, f64)>, String> {
    let segments = parse_key(key)?;
    let mut found = Vec::new();
    let mut copy = root.clone();
    visit(&mut copy, &segments, key, "", &mut |table, name, path| {
        match table.iter().find(|(k, _)| k == name) {
            Some((_, Value::Float(x))) => found.push((path.to_string(), *x)),
            Some((_, Value::Int(i))) => found.push((path.to_string(), *i as f64)),
            Some((_, other)) => {
                return Err(format!(
                    "--set {key}: `{path}` is {}, not a number",
                    other.describe()
                ));
            }
            None => {
                return Err(format!("--set {key}: `{path}` is not in the scenario"));
            }
        }
        Ok(())
    })?;
    Ok(found)
}

/// One part of a key: a name (table key or list entry name), a list index, or `[*]`
/// (every entry of a list).
#[derive(Debug, PartialEq)]
enum Segment {
    Name(String),
    Index(usize),
    All,
}

/// What a key does at the field it reaches: `(table, field name, the field's path)`.
type Leaf<'a> = dyn FnMut(&mut Table, &str, &str) -> Result<(), String> + 'a;

/// Walks `segs` down from `table` and calls `leaf` at each field reached (one, or one
/// per entry under a `[*]`), in file order.
fn visit(
    table: &mut Table,
    segs: &[Segment],
    key: &str,
    here: &str,
    leaf: &mut Leaf<'_>,
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
        return leaf(table, name, &path);
    }
    let keys: Vec<String> = table.iter().map(|(k, _)| k.clone()).collect();
    let Some((_, entry)) = table.iter_mut().find(|(k, _)| k == name) else {
        return Err(unknown(key, name, &at, &keys));
    };
    match entry {
        Value::Table(t) => visit(t, &segs[1..], key, &path, leaf),
        Value::Array(items) => {
            let chosen = choose_entries(items, &segs[1], key, &path)?;
            for (index, label) in chosen {
                if segs.len() == 2 {
                    return Err(format!("--set {key}: name a field of `{path}{label}`"));
                }
                let here = format!("{path}{label}");
                match &mut items[index] {
                    Value::Table(t) => visit(t, &segs[2..], key, &here, leaf)?,
                    other => {
                        return Err(format!(
                            "--set {key}: `{here}` is {}, not a table",
                            other.kind()
                        ));
                    }
                }
            }
            Ok(())
        }
        other => Err(format!(
            "--set {key}: `{path}` is {}, not a table",
            other.kind()
        )),
    }
}

/// The entries a list segment picks: every one for `[*]` (an empty list is an error: the
/// key would set nothing), else the one [`choose_entry`] names.
fn choose_entries(
    items: &[Value],
    seg: &Segment,
    key: &str,
    path: &str,
) -> Result<Vec<(usize, String)>, String> {
    match seg {
        Segment::All if items.is_empty() => Err(format!(
            "--set {key}: `{path}` has no entries for [*] to set"
        )),
        Segment::All => Ok((0..items.len()).map(|i| (i, format!("[{i}]"))).collect()),
        _ => Ok(vec![choose_entry(items, seg, key, path)?]),
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
        Segment::All => Err(format!("--set {key}: [*] picks every entry of `{path}`")),
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
                out.push(match digits.trim() {
                    "*" => Segment::All,
                    d => Segment::Index(d.parse().map_err(|_| {
                        bad("an index must be a whole number, or * for every entry")
                    })?),
                });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn site(name: &str, rent: f64) -> Value {
        Value::Table(vec![
            ("name".to_string(), Value::Str(name.into())),
            ("rent_per_kw_month".to_string(), Value::Float(rent)),
            ("term_years".to_string(), Value::Int(10)),
        ])
    }

    fn root() -> Table {
        vec![
            (
                "sites".to_string(),
                Value::Array(vec![site("A", 100.0), site("B", 120.0)]),
            ),
            ("empty".to_string(), Value::Array(Vec::new())),
            (
                "guarantee".to_string(),
                Value::Table(vec![("cap".to_string(), Value::Float(5.0))]),
            ),
        ]
    }

    fn rents(t: &Table) -> Vec<(String, f64)> {
        matched_numbers(t, "sites[*].rent_per_kw_month").unwrap()
    }

    /// `[*]` sets the field of every entry, and only that field.
    #[test]
    fn star_sets_every_entry() {
        let mut t = root();
        apply_override(&mut t, "sites[*].rent_per_kw_month", Value::Float(150.0)).unwrap();
        let want = vec![
            ("sites[0].rent_per_kw_month".to_string(), 150.0),
            ("sites[1].rent_per_kw_month".to_string(), 150.0),
        ];
        assert_eq!(rents(&t), want);
        // A new field under [*] is added to every entry, as a plain key adds one.
        apply_override(&mut t, "sites[*].pue", Value::Float(1.3)).unwrap();
        let pues = matched_numbers(&t, "sites[*].pue").unwrap();
        assert_eq!(pues.len(), 2);
        assert_eq!(parse_key("a[*].b").unwrap()[1], Segment::All);
    }

    /// `--scale` multiplies each entry's own value; integers become numbers.
    #[test]
    fn scale_multiplies_each_value() {
        let mut t = root();
        scale_override(&mut t, "sites[*].rent_per_kw_month", 1.5).unwrap();
        assert_eq!(rents(&t)[0].1, 150.0);
        assert_eq!(rents(&t)[1].1, 180.0);
        scale_override(&mut t, "sites.B.term_years", 0.5).unwrap();
        let terms = matched_numbers(&t, "sites[*].term_years").unwrap();
        assert_eq!((terms[0].1, terms[1].1), (10.0, 5.0));
        scale_override(&mut t, "guarantee.cap", 2.0).unwrap();
        assert_eq!(matched_numbers(&t, "guarantee.cap").unwrap()[0].1, 10.0);
    }

    /// Each misuse of `[*]` or `--scale` is an error naming the key and the place.
    #[test]
    fn misuse_is_named() {
        let cases: [(&str, &str); 6] = [
            ("sites[*]", "name a field of `sites[0]`"),
            ("empty[*].x", "`empty` has no entries for [*]"),
            ("guarantee[*].cap", "an index needs a list before it"),
            ("sites[x].pue", "or * for every entry"),
            ("sites[*].name", "not a number"),
            ("sites[*].pue", "not in the scenario"),
        ];
        for (key, want) in cases {
            let mut t = root();
            let e = scale_override(&mut t, key, 2.0).unwrap_err();
            assert!(e.starts_with(&format!("--set {key}: ")), "{e}");
            assert!(e.contains(want), "{key}: {e}");
        }
        let mut t = root();
        let e = apply_override(&mut t, "sites[*].x.y", Value::Int(1)).unwrap_err();
        assert!(e.contains("no `x` at `sites[0]`"), "{e}");
    }
}
