//! The incremental rebuilds of `serve --watch` against the one thing they must equal: after
//! any sequence of changes, the served site is what a fresh `build --drafts --future`
//! gives. One server watches a generated site while a seeded random generator applies
//! sequences of 1–4 changes (body and front-matter edits, new articles and editions,
//! renames, deletes, draft toggles; saved directly or through an editor's temp file), and
//! after each sequence the served tree must settle on the fresh build's, including 404s
//! for every page that existed before and no longer does.
//!
//! Deterministic per seed: `SERVE_PROPS_SEED=<n>` replays a run (the seed is printed, and
//! named in every failure); `SERVE_PROPS_CASES=<n>` changes the number of sequences.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::serve::{
    REBUILD_WAIT, SERVE_DEFAULT_FLAGS, Server, compare_served, fresh_build, poll, save_via_temp,
};
use crate::support::{Rng, SiteFixture, env_number};

/// The seed when `SERVE_PROPS_SEED` is not set: fixed, so CI runs the same sequences.
const DEFAULT_SEED: u64 = 0x6d61_7374_6865_6164;
/// Sequences per run (at least 100).
const DEFAULT_CASES: usize = 100;
/// Past this many articles no more are created, so the site (and each comparison) stays
/// small enough for the time budget.
const MAX_ARTICLES: usize = 28;

#[test]
fn served_site_equals_a_fresh_build_after_random_change_sequences() {
    let seed = env_number("SERVE_PROPS_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_number("SERVE_PROPS_CASES").map_or(DEFAULT_CASES, |n| n as usize);
    eprintln!("serve_props: seed {seed} ({cases} sequences; replay with SERVE_PROPS_SEED={seed})");
    let started = Instant::now();

    let fixture = SiteFixture::new("serve_props");
    let mut rng = Rng::new(seed);
    let mut model = Model::generate(&mut rng);
    model.write_all(fixture.site());
    let server = Server::start(&fixture, &[]);

    // Every output path any fresh build has had: those missing now must answer 404.
    let mut ever = BTreeSet::new();
    let mut history: Vec<String> = Vec::new();
    let fail = |history: &[String], what: String| -> ! {
        let recent = history.iter().rev().take(8).rev().cloned().collect::<Vec<_>>().join("\n");
        panic!(
            "serve_props failed with seed {seed} (replay: SERVE_PROPS_SEED={seed} cargo test --test it serve_props)\n\
             {what}\nlast sequences:\n{recent}\n{}",
            server.context()
        );
    };

    settle(&server, fixture.site(), &mut ever).unwrap_or_else(|e| fail(&history, format!("initial site: {e}")));
    for case in 0..cases {
        let ops = 1 + rng.below(4);
        let mut log = format!("sequence {case}:");
        for _ in 0..ops {
            let op = model.random_op(&mut rng, fixture.site());
            let _ = write!(log, "\n  {op}");
            // Sometimes let a debounce window pass mid-sequence, so a rebuild can start
            // between two changes.
            if rng.below(4) == 0 {
                thread::sleep(Duration::from_millis(rng.below(200) as u64));
            }
        }
        history.push(log);
        if let Err(e) = settle(&server, fixture.site(), &mut ever) {
            fail(&history, e);
        }
    }
    // Nothing late changes the site after it settled.
    thread::sleep(Duration::from_millis(700));
    if let Err(e) = settle(&server, fixture.site(), &mut ever) {
        fail(&history, format!("after a quiet time: {e}"));
    }
    eprintln!(
        "serve_props: {cases} sequences, {} articles in {} editions at the end, {:.1} s",
        model.article_count(),
        model.editions.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Waits until the served tree equals a fresh build of `site` (and every path of `ever`
/// not in it answers 404); adds the fresh build's paths to `ever`.
fn settle(server: &Server, site: &Path, ever: &mut BTreeSet<String>) -> Result<(), String> {
    let fresh = fresh_build(server.port, site, SERVE_DEFAULT_FLAGS);
    let result = poll(REBUILD_WAIT, || compare_served(server.port, &fresh, ever));
    ever.extend(fresh.keys().cloned());
    result.map_err(|diff| format!("the served site never equalled a fresh build within {REBUILD_WAIT:?}:\n{diff}"))
}

const WORDS: &[&str] = &[
    "harbour",
    "council",
    "ferry",
    "tide",
    "market",
    "budget",
    "storm",
    "pier",
    "school",
    "bridge",
    "festival",
    "library",
    "lighthouse",
    "regatta",
    "quay",
    "bakery",
    "tram",
    "garden",
];
const VERBS: &[&str] = &["reopens", "returns", "closes", "grows", "waits", "votes", "sails", "opens", "moves"];
const SECTIONS: &[&str] = &["City", "Politics", "Sport", "Culture"];
const TAGS: &[&str] = &["harbour", "council", "weather", "sport", "people", "transport"];
const AUTHORS: &[&str] = &["Ada Quay", "Tom Reed", "Lena Brook"];

// ---------------------------------------------------------------------------------------
// The model of the site on disk

#[derive(Clone, Debug)]
struct Article {
    stem: String,
    title: String,
    author: Option<&'static str>,
    section: Option<&'static str>,
    tags: Vec<&'static str>,
    order: Option<u32>,
    draft: bool,
    body: String,
}

impl Article {
    fn random(rng: &mut Rng, id: u32) -> Article {
        let word = *rng.pick(WORDS);
        let mut a = Article {
            stem: format!("{word}-{id}"),
            title: String::new(),
            author: None,
            section: None,
            tags: Vec::new(),
            order: None,
            draft: rng.below(8) == 0,
            body: String::new(),
        };
        a.randomize_meta(rng, id);
        a.body = random_body(rng, id);
        a
    }

    /// New title, author, section, tags and order (each may also be absent).
    fn randomize_meta(&mut self, rng: &mut Rng, salt: u32) {
        let (w, v) = (*rng.pick(WORDS), *rng.pick(VERBS));
        self.title = format!("The {w} {v} again, story {salt}");
        self.author = (rng.below(3) > 0).then(|| *rng.pick(AUTHORS));
        self.section = (rng.below(3) > 0).then(|| *rng.pick(SECTIONS));
        let mut tags: Vec<&'static str> = (0..rng.below(3)).map(|_| *rng.pick(TAGS)).collect();
        tags.sort_unstable();
        tags.dedup();
        self.tags = tags;
        self.order = (rng.below(2) == 0).then(|| 1 + rng.below(5) as u32);
    }

    fn text(&self) -> String {
        let mut s = format!("---\ntitle: \"{}\"\n", self.title);
        if let Some(a) = self.author {
            let _ = writeln!(s, "author: {a}");
        }
        if let Some(sec) = self.section {
            let _ = writeln!(s, "section: {sec}");
        }
        if !self.tags.is_empty() {
            let _ = writeln!(s, "tags: [{}]", self.tags.join(", "));
        }
        if let Some(o) = self.order {
            let _ = writeln!(s, "order: {o}");
        }
        if self.draft {
            s.push_str("draft: true\n");
        }
        let _ = write!(s, "---\n{}\n", self.body);
        s
    }
}

fn random_body(rng: &mut Rng, salt: u32) -> String {
    let mut out = String::new();
    for p in 0..1 + rng.below(3) {
        let words: Vec<&str> = (0..4 + rng.below(10)).map(|_| *rng.pick(WORDS)).collect();
        let _ = write!(out, "Paragraph {p} of version {salt}: the {}.", words.join(" "));
        if rng.below(3) == 0 {
            out.push_str(" It *really* does — \"quoted\" too.");
        }
        out.push_str("\n\n");
    }
    if rng.below(4) == 0 {
        out.push_str("- one point\n- another point\n");
    }
    out.trim_end().to_string()
}

#[derive(Debug)]
struct Edition {
    /// `2026-05-03`: the folder name.
    date: String,
    articles: Vec<Article>,
    /// Whether `_edition.md` exists, with this title.
    meta_title: Option<String>,
}

impl Edition {
    fn dir(&self) -> String {
        format!("content/{}", self.date)
    }

    fn path_of(&self, a: &Article) -> String {
        format!("{}/{}.md", self.dir(), a.stem)
    }
}

struct Model {
    editions: Vec<Edition>,
    /// Makes every file stem, title and body unique.
    next_id: u32,
}

impl Model {
    /// 4 editions × 3 articles in May 2026, the first with an `_edition.md`.
    fn generate(rng: &mut Rng) -> Model {
        let mut m = Model { editions: Vec::new(), next_id: 1 };
        for day in 1..=4 {
            let articles = (0..3).map(|_| Article::random(rng, m.id())).collect();
            let meta_title = (day == 1).then(|| "The first edition".to_string());
            m.editions.push(Edition { date: format!("2026-05-{day:02}"), articles, meta_title });
        }
        m
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id
    }

    fn article_count(&self) -> usize {
        self.editions.iter().map(|e| e.articles.len()).sum()
    }

    fn write_all(&self, site: &Path) {
        for e in &self.editions {
            if let Some(t) = &e.meta_title {
                write_file(
                    site,
                    &format!("{}/_edition.md", e.dir()),
                    &format!("---\ntitle: \"{t}\"\n---\nThe editor's note.\n"),
                );
            }
            for a in &e.articles {
                write_file(site, &e.path_of(a), &a.text());
            }
        }
    }

    /// Applies one random change to the site on disk and the model; returns what it did.
    fn random_op(&mut self, rng: &mut Rng, site: &Path) -> String {
        loop {
            let ei = rng.below(self.editions.len());
            let ai = rng.below(self.editions[ei].articles.len());
            match rng.below(7) {
                0 => {
                    let id = self.id();
                    let e = &mut self.editions[ei];
                    e.articles[ai].body = random_body(rng, id);
                    let a = &e.articles[ai];
                    let how = save(rng, site, &e.path_of(a), &a.text());
                    return format!("edit body of {} ({how})", e.path_of(a));
                }
                1 => {
                    let id = self.id();
                    let e = &mut self.editions[ei];
                    e.articles[ai].randomize_meta(rng, id);
                    let a = &e.articles[ai];
                    let how = save(rng, site, &e.path_of(a), &a.text());
                    return format!(
                        "edit front matter of {} ({how}): title {:?}, author {:?}, section {:?}, tags {:?}, order {:?}",
                        e.path_of(a),
                        a.title,
                        a.author,
                        a.section,
                        a.tags,
                        a.order
                    );
                }
                2 if self.article_count() < MAX_ARTICLES => {
                    let id = self.id();
                    let a = Article::random(rng, id);
                    let e = &mut self.editions[ei];
                    let how = save(rng, site, &e.path_of(&a), &a.text());
                    let done = format!("create {} ({how}, draft: {})", e.path_of(&a), a.draft);
                    e.articles.push(a);
                    return done;
                }
                3 if self.article_count() < MAX_ARTICLES => {
                    let Some(date) = self.free_date(rng) else { continue };
                    let articles: Vec<Article> =
                        (0..1 + rng.below(2)).map(|_| Article::random(rng, self.id())).collect();
                    let meta_title = (rng.below(2) == 0).then(|| format!("Edition of {date}"));
                    let e = Edition { date, articles, meta_title };
                    // Written to a temp folder and renamed into place half the time, as
                    // a tool that makes a whole edition at once would.
                    let staged = rng.below(2) == 0;
                    if staged {
                        let tmp = format!("content/.staging-{}", self.next_id);
                        write_edition(site, &e, &tmp);
                        fs::rename(site.join(&tmp), site.join(e.dir())).expect("rename the staged edition");
                    } else {
                        write_edition(site, &e, &e.dir());
                    }
                    let done = format!(
                        "create edition {} with {} article(s){}{}",
                        e.dir(),
                        e.articles.len(),
                        if e.meta_title.is_some() { " and _edition.md" } else { "" },
                        if staged { ", staged in a dot-folder and renamed" } else { "" }
                    );
                    self.editions.push(e);
                    return done;
                }
                4 => {
                    let new_stem = format!("{}-{}", rng.pick(WORDS), self.id());
                    let e = &mut self.editions[ei];
                    let from = e.path_of(&e.articles[ai]);
                    e.articles[ai].stem = new_stem;
                    let to = e.path_of(&e.articles[ai]);
                    fs::rename(site.join(&from), site.join(&to)).expect("rename an article");
                    return format!("rename {from} → {to}");
                }
                5 if self.editions[ei].articles.len() > 1 => {
                    let e = &mut self.editions[ei];
                    let a = e.articles.remove(ai);
                    let path = e.path_of(&a);
                    fs::remove_file(site.join(&path)).expect("delete an article");
                    return format!("delete {path}");
                }
                // The last article of an edition goes with its folder (an edition holds
                // at least one article); two editions always stay.
                5 if self.editions.len() > 2 => {
                    let e = self.editions.remove(ei);
                    fs::remove_dir_all(site.join(e.dir())).expect("delete an edition folder");
                    return format!("delete edition folder {} (its last article)", e.dir());
                }
                6 => {
                    let e = &mut self.editions[ei];
                    e.articles[ai].draft = !e.articles[ai].draft;
                    let a = &e.articles[ai];
                    let how = save(rng, site, &e.path_of(a), &a.text());
                    return format!("set draft: {} in {} ({how})", a.draft, e.path_of(a));
                }
                _ => continue,
            }
        }
    }

    /// A date in May or June 2026 (after the test clock's 2026-06-01 is scheduled, which
    /// `serve` shows) that no edition has.
    fn free_date(&self, rng: &mut Rng) -> Option<String> {
        for _ in 0..20 {
            let date = format!("2026-{:02}-{:02}", 5 + rng.below(2), 1 + rng.below(30));
            if self.editions.iter().all(|e| e.date != date) {
                return Some(date);
            }
        }
        None
    }
}

fn write_edition(site: &Path, e: &Edition, dir: &str) {
    if let Some(t) = &e.meta_title {
        write_file(site, &format!("{dir}/_edition.md"), &format!("---\ntitle: \"{t}\"\n---\nA note from the desk.\n"));
    }
    for a in &e.articles {
        write_file(site, &format!("{dir}/{}.md", a.stem), &a.text());
    }
}

/// Writes a file the way a random editor would: directly, or through a temp file renamed
/// over it. Returns how.
fn save(rng: &mut Rng, site: &Path, rel: &str, text: &str) -> &'static str {
    let name = PathBuf::from(rel).file_name().unwrap().to_string_lossy().into_owned();
    match rng.below(4) {
        0 => {
            save_via_temp(site, rel, &format!(".{name}.swp"), text);
            "via .swp"
        }
        1 => {
            save_via_temp(site, rel, &format!("{name}~"), text);
            "via ~"
        }
        2 => {
            save_via_temp(site, rel, &format!(".{name}.tmp{}", rng.below(1000)), text);
            "via .tmpN"
        }
        _ => {
            write_file(site, rel, text);
            "direct"
        }
    }
}

fn write_file(site: &Path, rel: &str, text: &str) {
    let path = site.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

#[test]
fn generator_is_deterministic_per_seed() {
    let a: Vec<u64> = {
        let mut r = Rng::new(7);
        (0..5).map(|_| r.next()).collect()
    };
    let b: Vec<u64> = {
        let mut r = Rng::new(7);
        (0..5).map(|_| r.next()).collect()
    };
    assert_eq!(a, b);
    assert_ne!(a, {
        let mut r = Rng::new(8);
        (0..5).map(|_| r.next()).collect::<Vec<_>>()
    });
    let (mut m1, mut m2) = (Model::generate(&mut Rng::new(3)), Model::generate(&mut Rng::new(3)));
    let texts = |m: &Model| m.editions.iter().flat_map(|e| e.articles.iter().map(Article::text)).collect::<Vec<_>>();
    assert_eq!(texts(&m1), texts(&m2));
    // Same ops on two copies give the same files.
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    m1.write_all(d1.path());
    m2.write_all(d2.path());
    let (mut r1, mut r2) = (Rng::new(3), Rng::new(3));
    for _ in 0..30 {
        assert_eq!(m1.random_op(&mut r1, d1.path()), m2.random_op(&mut r2, d2.path()));
    }
    crate::support::assert_same_tree(
        &crate::support::snapshot(d1.path()),
        &crate::support::snapshot(d2.path()),
        "two runs of the same seed",
    );
}
