//! The hostile-site corpus: sites a newsroom's many hands, wire feeds and copy-paste can
//! produce, each built by the real binary and held to its exact expected outcome. Whatever
//! the input, the build never panics or hangs, never writes outside its output folder,
//! and writes nothing at all when it fails.
//!
//! Checked-in cases live in `tests/fixtures/hostile/<case>/` with an `expect.txt`; cases
//! that cannot be checked in (symlinks, non-UTF-8 names, NUL bytes, huge or deeply nested
//! files) are generated below into a temp dir and use the same expectation language:
//!
//! ```text
//! exit 1                                  the exit code
//! error <path>[:<line>] | <fragment>      an error about <path> (at <line>) whose text has <fragment>
//! warning <path>[:<line>] | <fragment>    the same for a warning
//! no-error <path>                         no error names <path>
//! stderr | <fragment>                     <fragment> appears somewhere in stderr
//! file <rel>  /  no-file <rel>            <rel> is (not) in the output folder
//! contains <rel> | <fragment>             the output file <rel> holds <fragment>
//! ```
//!
//! Every case runs even when an earlier one fails, and the test reports all failures at once.

use std::fs;
use std::path::Path;

use crate::support::{Run, Severity, SiteFixture, entries, repo_root};

/// One line of an `expect.txt`.
#[derive(Debug)]
enum Check {
    Exit(i32),
    Diagnostic { severity: Severity, path: String, line: Option<u32>, fragment: String },
    NoError(String),
    Stderr(String),
    File(String),
    NoFile(String),
    Contains(String, String),
}

fn parse_expect(text: &str) -> Result<Vec<Check>, String> {
    let mut checks = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (head, fragment) = match line.split_once(" | ") {
            Some((head, fragment)) => (head.trim(), Some(fragment.to_string())),
            None => (line, None),
        };
        let (word, arg) = head.split_once(' ').unwrap_or((head, ""));
        let check = match (word, fragment) {
            ("exit", None) => Check::Exit(arg.parse().map_err(|_| format!("bad exit code in `{line}`"))?),
            ("error" | "warning", Some(fragment)) => {
                let severity = if word == "error" { Severity::Error } else { Severity::Warning };
                let (path, line) = match arg.rsplit_once(':') {
                    Some((path, n)) if n.parse::<u32>().is_ok() => (path.to_string(), n.parse().ok()),
                    _ => (arg.to_string(), None),
                };
                Check::Diagnostic { severity, path, line, fragment }
            }
            ("no-error", None) => Check::NoError(arg.to_string()),
            ("stderr", Some(fragment)) => Check::Stderr(fragment),
            ("file", None) => Check::File(arg.to_string()),
            ("no-file", None) => Check::NoFile(arg.to_string()),
            ("contains", Some(fragment)) => Check::Contains(arg.to_string(), fragment),
            _ => return Err(format!("cannot read expectation `{line}`")),
        };
        checks.push(check);
    }
    if !checks.iter().any(|c| matches!(c, Check::Exit(_))) {
        return Err("no `exit` line".into());
    }
    Ok(checks)
}

/// Builds `site` and returns every way the outcome differs from `expect`.
fn verify(site: &SiteFixture, expect: &str) -> Vec<String> {
    let checks = match parse_expect(expect) {
        Ok(checks) => checks,
        Err(e) => return vec![e],
    };
    // masthead's own record of the output's files (for deploy) sits beside it, at a fixed name.
    let outside = |root: &Path| -> Vec<String> {
        let own =
            |e: &String| e.starts_with("site/public/") || e == "site/public/" || e == "site/.public.masthead-files";
        entries(root).into_iter().filter(|e| !own(e)).collect()
    };
    let before = outside(site.root());
    let run = site.build();
    let mut failures = Vec::new();
    if run.stderr.contains("panicked") || run.code.is_none() {
        failures.push("the binary panicked or was killed".to_string());
    }
    if outside(site.root()) != before {
        failures.push("files changed outside the output folder".to_string());
    }
    if run.code == Some(1) && site.out().exists() {
        failures.push("a failed build left an output folder".to_string());
    }
    for error in run.diagnostics().iter().filter(|d| d.severity == Severity::Error) {
        if error.path.is_none() && !error.message.contains(" error") {
            failures.push(format!("an error names no file: {}", error.raw));
        }
    }
    for check in &checks {
        if let Some(failure) = failed(site, &run, check) {
            failures.push(failure);
        }
    }
    if !failures.is_empty() {
        failures.push(run.transcript());
    }
    failures
}

/// Why `check` does not hold for `run`, if it does not.
fn failed(site: &SiteFixture, run: &Run, check: &Check) -> Option<String> {
    let ok = match check {
        Check::Exit(code) => run.code == Some(*code),
        Check::Diagnostic { severity, path, line, fragment } => run
            .about(*severity, path)
            .iter()
            .any(|d| line.is_none_or(|l| d.line == Some(l)) && d.text().contains(fragment.as_str())),
        Check::NoError(path) => run.about(Severity::Error, path).is_empty(),
        Check::Stderr(fragment) => run.stderr.contains(fragment.as_str()),
        Check::File(rel) => site.exists(rel),
        Check::NoFile(rel) => !site.exists(rel),
        Check::Contains(rel, fragment) => {
            site.exists(rel) && String::from_utf8_lossy(&fs::read(site.out().join(rel)).unwrap()).contains(fragment)
        }
    };
    (!ok).then(|| format!("expected {check:?}"))
}

/// Runs every case and fails once, listing every case that went wrong.
fn report(results: Vec<(String, Vec<String>)>) {
    let failed: Vec<String> = results
        .iter()
        .filter(|(_, failures)| !failures.is_empty())
        .map(|(name, failures)| format!("=== case `{name}`\n{}", failures.join("\n")))
        .collect();
    assert!(failed.is_empty(), "{} of {} hostile cases failed:\n{}", failed.len(), results.len(), failed.join("\n\n"));
}

#[test]
fn checked_in_hostile_sites_give_their_expected_outcomes() {
    let dir = repo_root().join("tests/fixtures/hostile");
    let mut names: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert!(names.len() >= 10, "the corpus lost its cases: {names:?}");
    let results = names
        .into_iter()
        .map(|name| {
            let expect = fs::read_to_string(dir.join(&name).join("expect.txt")).unwrap_or_default();
            let site = SiteFixture::new(&format!("hostile/{name}"));
            let failures = verify(&site, &expect);
            (name, failures)
        })
        .collect();
    report(results);
}

const DIR: &str = "content/2026-03-02";

/// A case built in a temp dir: a name, what to write into the empty site, and the outcome.
struct Generated {
    name: &'static str,
    setup: fn(&Path),
    expect: String,
}

fn put(site: &Path, rel: &str, bytes: &[u8]) {
    let path = site.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn article(site: &Path, name: &str, front_matter: &str, body: &str) {
    put(site, &format!("{DIR}/{name}"), format!("---\n{front_matter}---\n{body}").as_bytes());
}

/// `levels` of YAML flow lists: `[[[...]]]`.
fn nested_yaml(levels: usize) -> String {
    format!("{}x{}", "[".repeat(levels), "]".repeat(levels))
}

/// Nine aliases of nine aliases of ..., nine levels deep: a billion `lol`s once expanded.
fn alias_bomb(indent: &str) -> String {
    let mut yaml = format!("{indent}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (prev, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{prev}"); 9].join(", ");
        yaml.push_str(&format!("{indent}{name}: &{name} [{refs}]\n"));
    }
    yaml
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

fn generated_cases() -> Vec<Generated> {
    let page = "2026/03/02/story/index.html";
    let mut cases = vec![
        Generated {
            name: "nul byte in front matter",
            setup: |s| put(s, &format!("{DIR}/story.md"), b"---\ntitle: Wire\0copy\n---\nBody.\n"),
            expect: format!("exit 1\nerror {DIR}/story.md:2 | control character (such as a NUL byte)"),
        },
        Generated {
            name: "nul byte in the body",
            setup: |s| article(s, "story.md", "title: Wire copy\n", "Before\0after.\n"),
            expect: format!("exit 0\ncontains {page} | Before\u{fffd}after"),
        },
        Generated {
            name: "invalid UTF-8",
            setup: |s| put(s, &format!("{DIR}/story.md"), b"---\ntitle: Caf\xe9\n---\nBody.\n"),
            expect: format!("exit 1\nerror {DIR}/story.md:2 | the file is not valid UTF-8 text"),
        },
        Generated {
            name: "lone surrogate in CESU/WTF-8 bytes",
            setup: |s| put(s, &format!("{DIR}/story.md"), b"---\ntitle: T\n---\nBody \xed\xa0\x80 here.\n"),
            expect: format!("exit 1\nerror {DIR}/story.md:4 | the file is not valid UTF-8 text"),
        },
        Generated {
            name: "lone surrogate as a YAML escape",
            setup: |s| article(s, "story.md", "title: \"Half \\ud800 a pair\"\n", "Body.\n"),
            expect: format!("exit 1\nerror {DIR}/story.md:2 | escape in a quoted value is not a character"),
        },
        Generated {
            name: "surrogate pair as YAML escapes",
            setup: |s| article(s, "story.md", "title: \"Smile \\ud83d\\ude00\"\n", "Body.\n"),
            expect: format!("exit 1\nerror {DIR}/story.md:2 | `\\U0001F600`"),
        },
        Generated {
            name: "astral character as a YAML escape",
            setup: |s| article(s, "story.md", "title: \"Smile \\U0001F600\"\n", "Body.\n"),
            expect: format!("exit 0\ncontains {page} | Smile \u{1F600}"),
        },
        Generated {
            name: "YAML nested 10,000 levels in an article",
            setup: |s| article(s, "story.md", &format!("title: T\nextra:\n  deep: {}\n", nested_yaml(10_000)), ""),
            expect: format!("exit 1\nerror {DIR}/story.md:4 | the YAML is nested too deeply"),
        },
        Generated {
            name: "YAML block lists nested 10,000 levels in an article",
            setup: |s| {
                article(s, "story.md", &format!("title: T\nextra:\n  deep:\n    {}x\n", "- ".repeat(10_000)), "")
            },
            expect: format!("exit 1\nerror {DIR}/story.md | the YAML is nested too deeply"),
        },
        Generated {
            name: "YAML lists nested 1,000,000 levels in an article",
            setup: |s| article(s, "story.md", &format!("title: T\nextra:\n  deep: {}\n", "[".repeat(1_000_000)), ""),
            expect: format!("exit 1\nerror {DIR}/story.md:4 | the YAML is nested too deeply"),
        },
        Generated {
            name: "YAML maps nested 10,000 levels in site.yaml",
            setup: |s| {
                let deep = format!("{}x: 1{}", "{a: ".repeat(10_000), "}".repeat(10_000));
                put(s, "site.yaml", format!("title: T\nbase_url: https://x.example/\nextra: {deep}\n").as_bytes());
            },
            expect: "exit 1\nerror site.yaml:3 | the YAML is nested too deeply".into(),
        },
        Generated {
            name: "alias bomb in an article",
            setup: |s| article(s, "story.md", &format!("title: T\nextra:\n{}", alias_bomb("  ")), ""),
            expect: format!("exit 1\nerror {DIR}/story.md:3 | `extra` expands through anchors and aliases"),
        },
        Generated {
            name: "alias bomb in site.yaml",
            setup: |s| {
                let text = format!("title: T\nbase_url: https://x.example/\nextra:\n{}", alias_bomb("  "));
                put(s, "site.yaml", text.as_bytes());
            },
            expect: "exit 1\nerror site.yaml:3 | `extra` expands through anchors and aliases".into(),
        },
        Generated {
            name: "Markdown block quotes 10,000 deep",
            setup: |s| article(s, "story.md", "title: T\n", &format!("{} deepest quote\n", ">".repeat(10_000))),
            expect: format!("exit 0\ncontains {page} | deepest quote"),
        },
        Generated {
            name: "Markdown lists 10,000 deep",
            setup: |s| article(s, "story.md", "title: T\n", &format!("{}deepest item\n", "- ".repeat(10_000))),
            expect: format!("exit 0\ncontains {page} | deepest item"),
        },
        Generated {
            name: "Markdown brackets and emphasis 10,000 deep",
            setup: |s| {
                let (open, close) = ("[".repeat(10_000), "](x.png)".repeat(10_000));
                let stars = "*".repeat(10_000);
                article(s, "story.md", "title: T\n", &format!("{open}link{close}\n\n{stars}strong{stars}\n"));
            },
            expect: format!("exit 1\nerror {DIR}/story.md:4 | the link `x.png` points at `{DIR}/x.png`"),
        },
        Generated {
            name: "a 50 MB article",
            setup: |s| {
                let paragraph = "The council met at seven and voted on the harbour budget. ".repeat(16) + "\n\n";
                let body = paragraph.repeat(50 * 1024 * 1024 / paragraph.len() + 1);
                article(s, "story.md", "title: T\n", &body);
            },
            expect: format!(
                "exit 1\nerror {DIR}/story.md | the file is 50.0 MB; masthead reads Markdown files of up to 8 MB"
            ),
        },
        Generated {
            name: "a 2 MB article",
            setup: |s| {
                let paragraph = "The council met at seven and voted on the *harbour* budget. ".repeat(16) + "\n\n";
                let body = paragraph.repeat(2 * 1024 * 1024 / paragraph.len()) + "The last line.\n";
                article(s, "story.md", "title: T\n", &body);
            },
            expect: format!("exit 0\ncontains {page} | The last line."),
        },
        Generated {
            name: "a 1 MB title",
            setup: |s| article(s, "story.md", &format!("title: {}end\n", "Headline ".repeat(116_509)), "Body.\n"),
            expect: format!("exit 0\ncontains {page} | Headline Headline end</h1>\ncontains feed.xml | Headline end"),
        },
        Generated {
            name: "file name that is not UTF-8",
            setup: |s| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
                let dir = s.join(DIR);
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join(name), "---\ntitle: T\n---\n").unwrap();
            },
            expect: format!("exit 1\nerror {DIR}/caf\u{fffd}.md | the file name is not valid UTF-8"),
        },
        Generated {
            name: "symbolic links out of the site",
            setup: |s| {
                symlink(Path::new("/etc/passwd"), &s.join(DIR).join("passwd.md"));
                symlink(Path::new("/etc"), &s.join(DIR).join("etc"));
                symlink(&s.join("../outside.jpg"), &s.join(DIR).join("lead.jpg"));
                put(s, "../outside.jpg", b"not for publication");
            },
            expect: format!(
                "exit 1\nerror {DIR}/passwd.md | points outside the site folder\n\
                 error {DIR}/etc/ | points outside the site folder\n\
                 error {DIR}/lead.jpg | points outside the site folder"
            ),
        },
        Generated {
            name: "symbolic link loops",
            setup: |s| {
                symlink(Path::new("self.md"), &s.join(DIR).join("self.md"));
                symlink(Path::new("b.md"), &s.join(DIR).join("a.md"));
                symlink(Path::new("a.md"), &s.join(DIR).join("b.md"));
                symlink(Path::new(".."), &s.join(DIR).join("up"));
                article(s, "story.md", "title: Still here\n", "Body.\n");
            },
            expect: format!(
                "exit 1\nerror {DIR}/self.md | broken or forms a loop\nerror {DIR}/a.md | broken or forms a loop\n\
                 error {DIR}/b.md | broken or forms a loop\nno-error {DIR}/up\nno-error {DIR}/story.md"
            ),
        },
        Generated {
            name: "symbolic link inside the site",
            setup: |s| {
                article(s, "story.md", "title: The original\n", "Body.\n");
                symlink(Path::new("../../shared/copy.md"), &s.join(DIR).join("copy.md"));
                put(s, "shared/copy.md", b"---\ntitle: Linked copy\n---\nBody.\n");
            },
            expect: "exit 0\ncontains 2026/03/02/copy/index.html | Linked copy".into(),
        },
    ];
    for case in &mut cases {
        case.expect.push('\n');
    }
    cases
}

#[test]
fn generated_hostile_sites_give_their_expected_outcomes() {
    let results = generated_cases()
        .into_iter()
        .map(|case| {
            let site = SiteFixture::new("hostile/empty_content");
            (case.setup)(site.site());
            (case.name.to_string(), verify(&site, &case.expect))
        })
        .collect();
    report(results);
}

#[test]
fn a_file_that_vanishes_after_discovery_is_an_error_naming_it() {
    use masthead::content::discover::{discover, read_source};
    let site = SiteFixture::new("hostile/only_drafts");
    let (files, problems) = discover(site.site(), &site.out());
    assert!(problems.is_empty(), "{problems:?}");
    let first = files.iter().find(|f| f.site_rel.ends_with("a.md")).expect("a.md is discovered");
    fs::remove_file(&first.path).unwrap();
    let err = read_source(first).unwrap_err();
    assert_eq!(err.path, format!("{DIR}/a.md"));
    assert!(err.message.starts_with("cannot read the file: "), "{}", err.message);
    assert!(err.message.contains("No such file"), "{}", err.message);
}
