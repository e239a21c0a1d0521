//! The README's snippets compile as doctests (`ReadmeDoctests` in
//! `src/lib.rs`), and the manual's (`runtime/docs/*.md`) as the runtime's,
//! where the test crates' dependencies are in scope. A reader has only the
//! dependencies the text shows: in each section that shows a `Cargo.toml`,
//! every crate its Rust snippets use must be declared there.

use std::collections::BTreeSet;

/// The texts with snippets: the README and each file of the manual.
fn texts() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut paths = vec![format!("{root}/README.md")];
    let docs = std::fs::read_dir(format!("{root}/runtime/docs")).expect("runtime/docs");
    paths.extend(docs.map(|entry| entry.unwrap().path().display().to_string()));
    paths.sort();
    let texts: Vec<_> = paths
        .into_iter()
        .filter(|path| path.ends_with(".md"))
        .map(|path| (std::fs::read_to_string(&path).unwrap(), path))
        .collect();
    let paths: Vec<_> = texts.iter().map(|(_, path)| path).collect();
    assert!(
        paths.len() > 5,
        "the README and the manual's files: {paths:?}"
    );
    texts
}

/// A `## ` section: its title, its TOML blocks and its Rust blocks.
struct Section {
    title: String,
    toml: Vec<String>,
    rust: Vec<String>,
}

/// The sections of `text` at its top heading level (`#` in a module's
/// part of the manual, `##` in the crate root's): a deeper heading is part
/// of the section above it, as its snippets are read with the section's
/// `Cargo.toml`.
fn sections(text: &str) -> Vec<Section> {
    let headings = || {
        let mut in_block = false;
        text.lines().filter_map(move |line| {
            in_block ^= line.starts_with("```");
            let level = line.len() - line.trim_start_matches('#').len();
            (!in_block && level > 0 && line[level..].starts_with(' ')).then_some((line, level))
        })
    };
    let top = headings().map(|(_, level)| level).min().unwrap_or(1);
    let mut sections: Vec<Section> = Vec::new();
    let mut block: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some((lang, mut text)) = block.take() {
            if line.starts_with("```") {
                let section = sections.last_mut().expect("a block inside a section");
                match lang.split(',').next() {
                    Some("toml") => section.toml.push(text),
                    Some("rust") => section.rust.push(text),
                    _ => {}
                }
            } else {
                text.push_str(line);
                text.push('\n');
                block = Some((lang, text));
            }
        } else if let Some(lang) = line.strip_prefix("```") {
            block = Some((lang.to_owned(), String::new()));
        } else if let Some(title) = line
            .strip_prefix(&"#".repeat(top))
            .and_then(|rest| rest.strip_prefix(' '))
        {
            sections.push(Section {
                title: title.to_owned(),
                toml: Vec::new(),
                rust: Vec::new(),
            });
        }
    }
    sections
}

/// The crates a TOML block declares under `[dependencies]`, as Rust names.
fn declared(toml: &str) -> BTreeSet<String> {
    let mut in_dependencies = false;
    let mut crates = BTreeSet::new();
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
        } else if in_dependencies && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                crates.insert(name.trim().replace('-', "_"));
            }
        }
    }
    crates
}

/// The crates a Rust snippet (hidden lines included) names: the roots of its
/// `use` paths and of other paths, less the names its `use`s bring in.
fn used(rust: &str) -> BTreeSet<String> {
    let code: String = rust
        .lines()
        .map(|line| line.trim_start().strip_prefix("# ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let mut roots = BTreeSet::new();
    let mut imported = BTreeSet::new();
    for (at, _) in code.match_indices("use ") {
        let line_start = at == 0 || code[..at].ends_with('\n');
        if let (true, Some(end)) = (line_start, code[at..].find(';')) {
            let tree = &code[at + "use ".len()..at + end];
            roots.extend(tree.split("::").next().map(str::to_owned));
            imported.extend(identifiers(tree).skip(1));
        }
    }
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices("::") {
        let start = code[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &code[start..at];
        let after_path = start >= 2 && &bytes[start - 2..start] == b"::";
        // `with_axum_login::<Users>()`: a turbofish, not a path.
        let turbofish = bytes.get(at + 2) == Some(&b'<');
        if !name.is_empty()
            && !after_path
            && !turbofish
            && name.starts_with(|c: char| c.is_ascii_lowercase())
        {
            roots.insert(name.to_owned());
        }
    }
    let builtin = ["std", "core", "alloc", "crate", "self", "super"];
    roots
        .into_iter()
        .filter(|root| !builtin.contains(&root.as_str()) && !imported.contains(root))
        .collect()
}

fn identifiers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
}

#[test]
fn snippets_declare_their_crates() {
    let mut checked = 0;
    let texts = texts();
    let sections = texts.iter().flat_map(|(text, path)| {
        sections(text)
            .into_iter()
            .map(move |section| (path, section))
    });
    for (path, section) in sections.filter(|(_, s)| !s.toml.is_empty()) {
        let declared: BTreeSet<String> = section.toml.iter().flat_map(|t| declared(t)).collect();
        for snippet in &section.rust {
            let missing: Vec<String> = used(snippet).difference(&declared).cloned().collect();
            assert!(
                missing.is_empty(),
                "{path} \"{}\": a snippet uses {missing:?}, which its Cargo.toml does not declare (it declares {declared:?})",
                section.title
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 4,
        "the README's example and the manual's axum-login and Redis snippets are checked ({checked})"
    );
}

#[test]
fn the_checker_sees_crates_and_ignores_imported_modules() {
    let snippet = "use tower_sessions_014::{cookie::time, Expiry};\n\
                   # use axum_login::AuthUser;\n\
                   let _ = time::Duration::minutes(1);\n\
                   let _ = http::StatusCode::OK; let _ = Foo::bar();\n\
                   let _ = options.with_axum_login::<Users>();";
    let expected: BTreeSet<String> = ["axum_login", "http", "tower_sessions_014"]
        .map(String::from)
        .into();
    assert_eq!(used(snippet), expected);
    let toml = "[dependencies]\ntower-sessions-014 = { package = \"tower-sessions\" }\n# x = 1\n[dev-dependencies]\ny = 1\n";
    assert_eq!(declared(toml), ["tower_sessions_014".to_owned()].into());
}
