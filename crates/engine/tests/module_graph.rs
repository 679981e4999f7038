//! The engine's top-level modules must not import each other in a circle:
//! the layers (calendar, column, filter ... funnel, segment ... chart,
//! report) only import downwards. This test reads every file under
//! crates/engine/src, collects the `crate::X` references of each top-level
//! module (a directory module is one node; `super::` paths that climb to the
//! crate root count too; comments do not) and fails, printing the circle and
//! the files behind each of its edges, if the graph has one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's code without comments (line comments, doc comments and block
/// comments); string contents are kept, so a `//` inside a string is kept.
fn strip_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            // a raw string r"..." or r#"..."#: copy it whole
            let raw_hashes = raw_string_hashes(b, i);
            if let Some(h) = raw_hashes {
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', h))
                    .collect();
                let start = i;
                i += 1;
                while i < b.len() && !b[i..].starts_with(&close) {
                    i += 1;
                }
                i = (i + close.len()).min(b.len());
                out.extend_from_slice(&b[start..i]);
                continue;
            }
            in_str = true;
            out.push(c);
            i += 1;
            continue;
        }
        if c == b'\'' {
            // a char literal such as '"' must not open a string
            if i + 2 < b.len() && b[i + 2] == b'\'' && b[i + 1] != b'\\' {
                out.extend_from_slice(&b[i..i + 3]);
                i += 3;
                continue;
            }
            if i + 3 < b.len() && b[i + 1] == b'\\' && b[i + 3] == b'\'' {
                out.extend_from_slice(&b[i..i + 4]);
                i += 4;
                continue;
            }
        }
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(b' ');
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// If a `"` at `i` closes the prefix of a raw string (`r"`, `r#"`, `br"`),
/// the number of `#`s.
fn raw_string_hashes(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    let mut h = 0;
    while j > 0 && b[j - 1] == b'#' {
        j -= 1;
        h += 1;
    }
    if j > 0 && b[j - 1] == b'r' {
        let before = if j >= 2 { b[j - 2] } else { b' ' };
        if !(before.is_ascii_alphanumeric() || before == b'_') || before == b'b' {
            return Some(h);
        }
    }
    None
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first names of the paths in a `{...}` group that starts at `s`
/// (just after the `{`): `a::X, b, c::{..}` gives a, b, c.
fn group_heads(s: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect = true;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => expect = true,
            c if expect && depth == 0 && (c.is_ascii_alphabetic() || c == '_') => {
                heads.push(ident_at(rest).to_string());
                expect = false;
            }
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    heads
}

/// The names a path starting at `s` (after `crate::`) may refer to first.
fn heads_at(s: &str) -> Vec<String> {
    let s = s.trim_start();
    match s.strip_prefix('{') {
        Some(g) => group_heads(g),
        None => vec![ident_at(s).to_string()],
    }
}

/// The crate root's re-exports (`pub use error::{Error, Result};`,
/// `pub use model::*;`): name -> module, and the modules glob-exported.
fn root_exports(lib: &str) -> (BTreeMap<String, String>, Vec<String>) {
    let mut named = BTreeMap::new();
    let mut globs = Vec::new();
    for stmt in lib.split(';') {
        let stmt = stmt.trim();
        let Some(rest) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let rest = rest
            .trim_start_matches("self::")
            .trim_start_matches("crate::");
        let module = ident_at(rest).to_string();
        let after = rest[module.len()..].trim_start_matches("::").trim();
        if after == "*" {
            globs.push(module);
        } else if let Some(g) = after.strip_prefix('{') {
            for name in g.trim_end_matches('}').split(',') {
                let name = name.trim();
                if !name.is_empty() {
                    named.insert(ident_at(name).to_string(), module.clone());
                }
            }
        } else if !after.is_empty() {
            named.insert(ident_at(after).to_string(), module.clone());
        }
    }
    (named, globs)
}

fn module_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("lib.rs");
    let lib = strip_comments(&lib);
    let (exports, globs) = root_exports(&lib);
    // the top-level modules: `mod x;` declarations of lib.rs
    let modules: BTreeSet<String> = lib
        .split(';')
        .filter_map(|s| {
            let s = s.trim();
            let s = s.strip_prefix("pub ").unwrap_or(s);
            let s = s.strip_prefix("pub(crate) ").unwrap_or(s);
            s.strip_prefix("mod ").map(|m| m.trim().to_string())
        })
        .collect();
    let resolve = |name: &str| -> Option<String> {
        if modules.contains(name) {
            return Some(name.to_string());
        }
        if let Some(m) = exports.get(name) {
            return Some(m.clone());
        }
        // a name from a glob re-export (`pub use model::*`)
        if name.starts_with(|c: char| c.is_ascii_uppercase()) && globs.len() == 1 {
            return Some(globs[0].clone());
        }
        None
    };
    let mut graph: Graph = BTreeMap::new();
    for m in &modules {
        graph.entry(m.clone()).or_default();
    }
    for f in &files {
        let rel = f.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts == ["lib"] {
            continue;
        }
        let node = parts[0].clone();
        // the file's depth below its top-level module: `super::` climbs one
        // module (`mod.rs` is its directory's module)
        let mut depth = parts.len() - 1;
        if parts.last().is_some_and(|p| p == "mod") {
            depth -= 1;
        }
        let text = strip_comments(&std::fs::read_to_string(f).unwrap());
        let mut heads: Vec<String> = Vec::new();
        for (i, _) in text.match_indices("crate::") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue; // e.g. `$crate::` in a macro, or `my_crate::`
            }
            heads.extend(heads_at(&text[i + "crate::".len()..]));
        }
        for (i, _) in text.match_indices("super::") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue; // counted with the first `super::` of the chain
            }
            let mut rest = &text[i..];
            let mut climbs = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                climbs += 1;
                rest = r;
            }
            if climbs > depth {
                heads.extend(heads_at(rest));
            }
        }
        for h in heads {
            if let Some(target) = resolve(&h) {
                if target != node {
                    graph
                        .entry(node.clone())
                        .or_default()
                        .entry(target)
                        .or_default()
                        .insert(rel.display().to_string());
                }
            }
        }
    }
    graph
}

/// A cycle of the graph as a list of nodes (the first repeated at the end).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        n: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(n.to_string(), Mark::Open);
        stack.push(n.to_string());
        for next in graph.get(n).into_iter().flat_map(|e| e.keys()) {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(next, graph, marks, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(n.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for n in graph.keys() {
        if marks.get(n).copied().unwrap_or(Mark::New) == Mark::New {
            if let Some(c) = visit(n, graph, &mut marks, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

/// Files whose upward imports are a known circle, each with the way out.
/// An entry that no longer imports upward fails the test, so the list can
/// only shrink.
const KNOWN_CIRCLES: &[(&str, &str, &str)] = &[];

#[test]
fn engine_modules_import_each_other_without_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = module_graph(&src);
    for (module, file, why) in KNOWN_CIRCLES {
        let edges = graph.get_mut(*module).expect("a known module");
        let mut seen = false;
        for files in edges.values_mut() {
            seen |= files.remove(*file);
        }
        edges.retain(|_, files| !files.is_empty());
        assert!(
            seen,
            "{file} no longer imports other modules: remove it from KNOWN_CIRCLES ({why})"
        );
    }
    let edges: usize = graph.values().map(|e| e.len()).sum();
    // the walk must have found the engine's modules and their imports
    assert!(
        graph.len() >= 15 && edges >= 30,
        "the module graph looks empty: {} modules, {edges} edges",
        graph.len()
    );
    if let Some(cycle) = find_cycle(&graph) {
        let mut msg = format!(
            "the engine's modules import in a circle: {}\n",
            cycle.join(" -> ")
        );
        for w in cycle.windows(2) {
            let files: Vec<&str> = graph[&w[0]][&w[1]].iter().map(String::as_str).collect();
            msg.push_str(&format!("  {} -> {}: {}\n", w[0], w[1], files.join(", ")));
        }
        panic!("{msg}");
    }
}

#[test]
fn the_check_sees_a_circle() {
    let mut g: Graph = BTreeMap::new();
    let edge = |g: &mut Graph, a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .entry(b.into())
            .or_default()
            .insert("x.rs".into());
        g.entry(b.into()).or_default();
    };
    edge(&mut g, "a", "b");
    edge(&mut g, "b", "c");
    assert_eq!(find_cycle(&g), None);
    edge(&mut g, "c", "a");
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn references_are_read_from_code_not_comments() {
    let code = strip_comments(
        "use crate::{a::X, b};\n// crate::c\n/// [`crate::d`]\nlet s = \"//\"; crate::e::f();\n/* crate::g */ let c = '\"'; crate::h::i();",
    );
    let mut heads = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        heads.extend(heads_at(&code[i + 7..]));
    }
    assert_eq!(heads, ["a", "b", "e", "h"]);
}
