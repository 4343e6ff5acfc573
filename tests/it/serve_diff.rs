//! The preview against the real build, on real sites: every fixture site that builds and
//! the demo site. While `serve --watch` runs, a seeded random sequence of the edits
//! editors make is applied to the site on disk (article text and front matter, a photo
//! added to a body and taken out, `_edition.md`, a template, a static file, `site.yaml`
//! with `theme:`, new and deleted articles and edition folders, drafts published); after
//! each step every file that `masthead build --drafts --future --base-url <the preview>`
//! writes must be served byte for byte (bar the live-reload tag), and every file an earlier
//! build had and this one does not must answer 404.
//!
//! Unlike serve_props, which drives one generated site through a model, the edits here
//! read the site as it is on disk, so they run on any site folder.
//! `SERVE_DIFF_SEED=<n>` replays a run; `SERVE_DIFF_STEPS=<n>` changes the steps per site.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::serve::{REBUILD_WAIT, SERVE_DEFAULT_FLAGS, Server, compare_served, fresh_build, poll};
use crate::support::{Rng, SiteFixture, copy_dir, env_number, repo_root, run_masthead};

const DEFAULT_SEED: u64 = 0x0070_7265_7669_6577;
const DEFAULT_STEPS: usize = 12;

/// The fixture sites `build --drafts --future` accepts; the others are there to fail.
/// A test below keeps this list equal to what the fixtures folder holds.
const BUILDING_FIXTURES: &[&str] = &[
    "archive",
    "base_path",
    "commands",
    "edition_order",
    "escaping",
    "hostile_slug",
    "markdown",
    "md_links",
    "minimal",
    "newsletter",
    "newsroom",
    "photo_credit",
    "schedule",
    "search",
    "serve",
    "two_editions",
    "yaml_12",
];

/// A photo to put in article bodies.
fn photo() -> PathBuf {
    repo_root().join("tests/fixtures/serve/content/2026-05-29/harbour.jpg")
}

// Regression: an article body's photo lost its sizes (`srcset`, `width`, `height`) after an
// edit in the preview, and `serve --watch` kept the theme it started with.
#[test]
fn demo_site_preview_equals_a_fresh_build_after_random_edits() {
    let tmp = tempfile::Builder::new().prefix("masthead-it-").tempdir().unwrap();
    let site = tmp.path().join("site");
    fs::create_dir_all(&site).unwrap();
    for entry in ["content", "site.yaml", "templates", "static", "themes"] {
        let from = repo_root().join(entry);
        if from.is_dir() {
            copy_dir(&from, &site.join(entry));
        } else if from.is_file() {
            fs::copy(&from, site.join(entry)).unwrap();
        }
    }
    follow_random_edits(tmp.path(), "the demo site", 0);
}

macro_rules! fixture_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let fixture = SiteFixture::new(stringify!($name));
            follow_random_edits(fixture.root(), stringify!($name), fxhash(stringify!($name)));
        }
    )*};
}

/// Preview equals build after random edits, fixture by fixture (one test each, so they
/// run side by side).
mod fixture {
    use super::{SiteFixture, follow_random_edits, fxhash};
    fixture_tests!(
        archive,
        base_path,
        commands,
        edition_order,
        escaping,
        hostile_slug,
        markdown,
        md_links,
        minimal,
        newsletter,
        newsroom,
        photo_credit,
        schedule,
        search,
        serve,
        two_editions,
        yaml_12,
    );
}

#[test]
fn the_list_of_building_fixtures_is_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let mut building = Vec::new();
    for entry in fs::read_dir(repo_root().join("tests/fixtures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !path.join("site.yaml").is_file() || !path.join("content").is_dir() {
            continue;
        }
        let copy = tmp.path().join(&name);
        copy_dir(&path, &copy);
        let out = tmp.path().join(format!("{name}-out"));
        let args = ["-s", copy.to_str().unwrap(), "--clock", crate::support::CLOCK, "build", "--drafts", "--future"];
        let run = run_masthead(tmp.path(), &[&args[..], &["--output", out.to_str().unwrap()]].concat());
        if run.code == Some(0) {
            building.push(name);
        }
    }
    building.sort();
    assert_eq!(building, BUILDING_FIXTURES, "a fixture site that builds is missing from the differential test");
}

fn fxhash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Starts `serve --watch` on `<cwd>/site`, then applies the random steps and compares the
/// served site with a fresh build after each.
fn follow_random_edits(cwd: &Path, what: &str, salt: u64) {
    let seed = env_number("SERVE_DIFF_SEED").unwrap_or(DEFAULT_SEED) ^ salt;
    let steps = env_number("SERVE_DIFF_STEPS").map_or(DEFAULT_STEPS, |n| n as usize);
    let server = Server::start_in(cwd, "site", &[], crate::support::serve::Ready::Announced);
    let site = server.site.clone();
    let mut rng = Rng::new(seed);
    let mut editor = Editor { site: site.clone(), next: 1 };
    let mut ever = BTreeSet::new();
    let mut done: Vec<String> = Vec::new();
    let check = |done: &[String], ever: &mut BTreeSet<String>| {
        let fresh = fresh_build(server.port, &site, SERVE_DEFAULT_FLAGS);
        let result = poll(REBUILD_WAIT, || compare_served(server.port, &fresh, ever));
        ever.extend(fresh.keys().cloned());
        if let Err(diff) = result {
            panic!(
                "{what}: the preview differs from a fresh build (seed {seed}; replay with \
                 SERVE_DIFF_SEED={})\nedits so far:\n  {}\n{diff}\n{}",
                seed ^ salt,
                done.join("\n  "),
                server.context()
            );
        }
    };
    check(&done, &mut ever);
    for _ in 0..steps {
        done.push(editor.random_edit(&mut rng));
        check(&done, &mut ever);
    }
    eprintln!("{what}: the preview equalled a fresh build after each of:\n  {}", done.join("\n  "));
}

/// Makes editors' changes to a site folder, reading what is there.
struct Editor {
    site: PathBuf,
    /// Makes names and words of each edit unique.
    next: u32,
}

const MARK: &str = "diff-edit";
/// The edition folder the edits make and delete whole.
const OWN_EDITION: &str = "content/2026-02-28";

impl Editor {
    fn id(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.site).unwrap().to_string_lossy().replace('\\', "/")
    }

    /// Every article file (Markdown under `content/`, not `_edition.md`).
    fn articles(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk(&self.site.join("content"), &mut |p| {
            let name = p.file_name().unwrap().to_string_lossy();
            if name.ends_with(".md") && !name.starts_with('_') && !name.starts_with('.') {
                out.push(p.to_path_buf());
            }
        });
        out.sort();
        out
    }

    /// Every edition folder (named by a date) under `content/`.
    fn edition_folders(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        walk_dirs(&self.site.join("content"), &mut |p| {
            if is_date(&p.file_name().unwrap().to_string_lossy()) {
                out.push(p.to_path_buf());
            }
        });
        out.sort();
        out
    }

    /// The theme `site.yaml` names, if any.
    fn theme_line(&self) -> Option<String> {
        let config = fs::read_to_string(self.site.join("site.yaml")).unwrap();
        config.lines().find_map(|l| l.strip_prefix("theme:").map(|t| t.trim().to_string()))
    }

    /// Applies one random edit; returns what it did.
    fn random_edit(&mut self, rng: &mut Rng) -> String {
        loop {
            let articles = self.articles();
            let editions = self.edition_folders();
            let done = match rng.below(11) {
                0 => {
                    let a = rng.pick(&articles).clone();
                    let id = self.id();
                    let text = fs::read_to_string(&a).unwrap();
                    write(
                        &a,
                        &format!("{}\n\nA sentence added by edit {id} about the {MARK} quay.\n", text.trim_end()),
                    );
                    format!("append a sentence to {}", self.rel(&a))
                }
                1 => {
                    let a = rng.pick(&articles).clone();
                    let id = self.id();
                    let text = fs::read_to_string(&a).unwrap();
                    let Some(new) =
                        replace_key(&text, "title", &format!("\"Retitled by edit {id}: the quay's “news”\""))
                    else {
                        continue;
                    };
                    write(&a, &new);
                    format!("retitle {}", self.rel(&a))
                }
                2 => {
                    let a = rng.pick(&articles).clone();
                    let text = fs::read_to_string(&a).unwrap();
                    let line = format!("![A photo the {MARK} added](diff-photo.jpg)");
                    if text.contains(&line) {
                        write(&a, &text.replace(&format!("\n\n{line}\n"), "\n"));
                        format!("take the body photo out of {}", self.rel(&a))
                    } else {
                        let dir = a.parent().unwrap();
                        if !dir.join("diff-photo.jpg").exists() {
                            fs::copy(photo(), dir.join("diff-photo.jpg")).unwrap();
                        }
                        write(&a, &format!("{}\n\n{line}\n", text.trim_end()));
                        format!("put a photo in the body of {}", self.rel(&a))
                    }
                }
                3 => {
                    let e = rng.pick(&editions).clone();
                    let id = self.id();
                    let note = e.join("_edition.md");
                    if note.exists() {
                        let text = fs::read_to_string(&note).unwrap();
                        write(&note, &format!("{}\n\nThe desk adds note {id}.\n", text.trim_end()));
                        format!("edit {}", self.rel(&note))
                    } else {
                        write(&note, &format!("---\ntitle: \"Edition note {id}\"\n---\nThe desk's note {id}.\n"));
                        format!("create {}", self.rel(&note))
                    }
                }
                4 => {
                    let id = self.id();
                    let own = match self.theme_line() {
                        Some(theme) => self.site.join("themes").join(theme).join("templates/article.html"),
                        None => self.site.join("templates/article.html"),
                    };
                    if own.exists() && rng.below(3) == 0 && self.theme_line().is_none() {
                        fs::remove_file(&own).unwrap();
                        format!("delete {} (back to the theme's)", self.rel(&own))
                    } else {
                        let source = if own.exists() {
                            fs::read_to_string(&own).unwrap()
                        } else {
                            fs::read_to_string(repo_root().join("themes/daily/templates/article.html")).unwrap()
                        };
                        let Some(at) = source.find("{% block content %}") else { continue };
                        let at = at + "{% block content %}".len();
                        let text = format!("{}<!-- template edit {id} -->{}", &source[..at], &source[at..]);
                        write(&own, &text);
                        format!("edit the template {}", self.rel(&own))
                    }
                }
                5 => {
                    let id = self.id();
                    let dir = self.site.join("static/diff");
                    let existing = files_in(&dir);
                    match (rng.below(3), existing.is_empty()) {
                        (0, false) => {
                            fs::remove_dir_all(&dir).unwrap();
                            "delete the folder static/diff".to_string()
                        }
                        (1, false) => {
                            let f = rng.pick(&existing).clone();
                            write(&f, &format!("changed by edit {id}\n"));
                            format!("edit {}", self.rel(&f))
                        }
                        _ => {
                            let f = dir.join(format!("note-{id}.txt"));
                            write(&f, &format!("made by edit {id}\n"));
                            format!("create {}", self.rel(&f))
                        }
                    }
                }
                6 => {
                    // Another theme, made while serving: the daily theme with a mark.
                    let config = fs::read_to_string(self.site.join("site.yaml")).unwrap();
                    match self.theme_line().as_deref() {
                        Some("alt") => {
                            let kept: Vec<&str> = config.lines().filter(|l| !l.starts_with("theme:")).collect();
                            write(&self.site.join("site.yaml"), &format!("{}\n", kept.join("\n")));
                            "site.yaml: back to the daily theme".to_string()
                        }
                        Some(_) => continue,
                        None => {
                            let alt = self.site.join("themes/alt");
                            if !alt.exists() {
                                copy_dir(&repo_root().join("themes/daily"), &alt);
                                let base = alt.join("templates/base.html");
                                let text = fs::read_to_string(&base).unwrap();
                                write(&base, &text.replacen("<main id=\"main\">", "<main id=\"main\"><p>alt</p>", 1));
                            }
                            write(&self.site.join("site.yaml"), &format!("{}\ntheme: alt\n", config.trim_end()));
                            "site.yaml: theme: alt".to_string()
                        }
                    }
                }
                7 => {
                    let e = rng.pick(&editions).clone();
                    let id = self.id();
                    let draft = if rng.below(3) == 0 { "draft: true\n" } else { "" };
                    let a = e.join(format!("{MARK}-{id}.md"));
                    write(
                        &a,
                        &format!(
                            "---\ntitle: \"Story {id} from the {MARK} desk\"\n{draft}---\nStory {id}: the ferry's \"late\" run.\n"
                        ),
                    );
                    format!("create {}{}", self.rel(&a), if draft.is_empty() { "" } else { " (a draft)" })
                }
                8 => {
                    // Only what the edits made goes: other pages may link to the fixture's own.
                    let ours: Vec<PathBuf> = articles
                        .iter()
                        .filter(|a| a.file_name().unwrap().to_string_lossy().starts_with(MARK))
                        .cloned()
                        .collect();
                    if ours.is_empty() {
                        continue;
                    }
                    let a = rng.pick(&ours).clone();
                    let dir = a.parent().unwrap().to_path_buf();
                    if dir == self.site.join(OWN_EDITION) {
                        fs::remove_dir_all(&dir).unwrap();
                        format!("delete the edition folder {}", self.rel(&dir))
                    } else {
                        fs::remove_file(&a).unwrap();
                        format!("delete {}", self.rel(&a))
                    }
                }
                9 => {
                    let dir = self.site.join(OWN_EDITION);
                    if dir.exists() {
                        continue;
                    }
                    let id = self.id();
                    write(
                        &dir.join(format!("{MARK}-{id}.md")),
                        &format!("---\ntitle: \"An edition made by edit {id}\"\n---\nThe {MARK} edition.\n"),
                    );
                    format!("create the edition folder {}", self.rel(&dir))
                }
                _ => {
                    let drafts: Vec<PathBuf> = articles
                        .iter()
                        .filter(|a| fs::read_to_string(a).unwrap().lines().any(|l| l.trim() == "draft: true"))
                        .cloned()
                        .collect();
                    if drafts.is_empty() {
                        continue;
                    }
                    let a = rng.pick(&drafts).clone();
                    let text = fs::read_to_string(&a).unwrap();
                    let kept: Vec<&str> = text.lines().filter(|l| l.trim() != "draft: true").collect();
                    write(&a, &format!("{}\n", kept.join("\n")));
                    format!("publish the draft {}", self.rel(&a))
                }
            };
            return done;
        }
    }
}

/// `text` with the front matter's `key:` line set to `value`, or `None` if it has none.
fn replace_key(text: &str, key: &str, value: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut found = false;
    let mut dashes = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            dashes += 1;
        }
        if dashes == 1 && !found && line.starts_with(&format!("{key}:")) {
            out.push_str(&format!("{key}: {value}\n"));
            found = true;
        } else {
            out.push_str(line);
        }
    }
    found.then_some(out)
}

fn is_date(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, f);
        } else {
            f(&path);
        }
    }
}

fn walk_dirs(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            f(&path);
            walk_dirs(&path, f);
        }
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut |p| out.push(p.to_path_buf()));
    out.sort();
    out
}
