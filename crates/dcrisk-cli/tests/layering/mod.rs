//! The command's modules import each other without circles: arguments (`cli`) at the
//! bottom, helpers above them, commands on top. A circle would make every module of it
//! depend on every other, which is what this layering exists to prevent; this test
//! reads the sources, so a new `use crate::...` that closes a circle fails here.

use std::collections::BTreeMap;
use std::path::Path;

/// Each module of `src/` and the modules it names as `crate::<module>`.
fn imports() -> BTreeMap<String, Vec<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files: Vec<(String, String)> = std::fs::read_dir(&src)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    files
        .iter()
        .map(|(name, text)| {
            let used = names
                .iter()
                .filter(|m| *m != name && names_module(text, m))
                .cloned()
                .collect();
            (name.clone(), used)
        })
        .collect()
}

/// Whether `text` refers to module `m` as `crate::m` or inside `use crate::{..., m, ...}`.
fn names_module(text: &str, m: &str) -> bool {
    let word_end = |rest: &str| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    let direct = text
        .match_indices(&format!("crate::{m}"))
        .any(|(i, s)| word_end(&text[i + s.len()..]));
    let grouped = text.match_indices("use crate::{").any(|(i, s)| {
        let body = &text[i + s.len()..];
        let body = &body[..body.find('}').unwrap_or(body.len())];
        body.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == m)
    });
    direct || grouped
}

/// A circle through `at`, if the graph has one reachable from it.
fn circle(
    graph: &BTreeMap<String, Vec<String>>,
    at: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(i) = path.iter().position(|m| m == at) {
        let mut found = path[i..].to_vec();
        found.push(at.to_string());
        return Some(found);
    }
    path.push(at.to_string());
    for next in graph.get(at).into_iter().flatten() {
        if let Some(found) = circle(graph, next, path) {
            return Some(found);
        }
    }
    path.pop();
    None
}

#[test]
fn modules_form_no_circle() {
    let graph = imports();
    assert!(graph.len() > 10, "{graph:?}");
    for module in graph.keys() {
        if let Some(found) = circle(&graph, module, &mut Vec::new()) {
            panic!("import circle: {}", found.join(" -> "));
        }
    }
}

#[test]
fn arguments_are_at_the_bottom() {
    let graph = imports();
    assert_eq!(
        graph["cli"],
        ["decimal"],
        "cli.rs imports {:?}",
        graph["cli"]
    );
    let commands = [
        "commands",
        "shards",
        "batch",
        "sweep",
        "sensitivity",
        "solve",
        "frontier",
    ];
    for command in commands {
        for (module, used) in &graph {
            assert!(
                module == "main" || !used.iter().any(|u| u == command),
                "{module} imports the command module {command}"
            );
        }
    }
}
