//! The module stack of lib.rs, checked: a module may use only the modules
//! below it, so a change to `render` never needs `serve` and `config` never
//! reaches into `content`. The ranks here are the stack; a new module gets
//! one, and an upward `crate::` path anywhere in `src/` fails the test.

use std::collections::BTreeSet;
use std::path::Path;

/// Each top-level module and its layer, lowest first. A module may use
/// modules of lower layers only (not its own layer's other modules).
const LAYERS: &[(&str, u8)] = &[
    ("diagnostic", 0),
    ("fs", 1),
    ("fingerprint", 1),
    ("packed", 1),
    ("yaml", 1),
    ("config", 2),
    ("images", 3),
    ("content", 4),
    ("search", 5),
    ("render", 6),
    ("build", 7),
    ("incremental", 7),
    ("watch", 7),
    ("deploy", 8),
    ("newsletter", 8),
    ("scaffold", 8),
    ("serve", 8),
    ("cli", 9),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The top-level modules a source file names through `crate::` paths,
/// including each first segment of a `use crate::{a, b::c}` group.
fn modules_used(source: &str) -> BTreeSet<String> {
    let code: String = source.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `masthead::crate::` cannot occur; skip `$crate::` in macros.
        if code[..i].ends_with('$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut at_item = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_item = true,
                    c if at_item && depth == 0 && !c.is_whitespace() => {
                        out.insert(ident(&group[j..]));
                        at_item = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "layering") {
            continue;
        }
        let own = rank(module).unwrap_or_else(|| panic!("src/{module}: give the module a layer in LAYERS"));
        for used in modules_used(&std::fs::read_to_string(file).unwrap()) {
            if used == module {
                continue;
            }
            let theirs = rank(&used).unwrap_or_else(|| panic!("{}: `crate::{used}` has no layer", rel.display()));
            if theirs >= own {
                upward.push(format!("{} uses crate::{used} (layer {theirs} ≥ its own {own})", rel.display()));
            }
        }
    }
    assert!(upward.is_empty(), "imports against the module stack:\n{}", upward.join("\n"));
}

#[test]
fn use_groups_and_paths_are_both_seen() {
    let source = "use crate::{config::SiteConfig, content::{self, Site}};\n\
                  // crate::serve in a comment\n\
                  fn f() { crate::render::collect(); }\n";
    let found: Vec<String> = modules_used(source).into_iter().collect();
    assert_eq!(found, ["config", "content", "render"]);
}
