//! What a deploy sends, in what order, and what it deletes: pure decisions
//! from the build's files and the target's manifest, table-tested.
//!
//! The order keeps every page a reader can reach whole: files that pages
//! point at (photos, stylesheets, scripts, the search bundle) go first;
//! then pages that are new to the target, which no page there links to
//! yet; then pages that replace older ones (articles, editions, listings,
//! then feeds, sitemap and the front page), each of which may link to the
//! new ones, now all there; the front page is the last of either group.
//! Deletions come last, after every upload.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::build::record::BuiltFile;
use crate::config::deploy::DeployTarget;

/// The target's manifest, `.masthead-deploy.json` under the prefix.
pub(super) const MANIFEST: &str = ".masthead-deploy.json";
/// The lock object of a deploy under way.
pub(super) const LOCK: &str = ".masthead-deploy.lock";
/// What a manifest says of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Object {
    /// BLAKE3 of the bytes, hex.
    pub(crate) hash: String,
    pub(crate) size: u64,
    pub(crate) content_type: String,
    pub(crate) cache_control: String,
}

/// `.masthead-deploy.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(crate) format: u32,
    /// What the target holds, as last confirmed.
    pub(crate) files: BTreeMap<String, Object>,
    /// Objects a deploy set out to send or delete and has not confirmed:
    /// what they hold is unknown, so the next deploy sends them again (or
    /// deletes them). Their entry in `files`, if any, is what was there
    /// before, which tells a page new to the target from one it replaces.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) pending: Vec<String>,
}

impl Manifest {
    pub(super) fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if manifest.format != 1 {
            return Err(format!("format {} is not one this masthead reads", manifest.format));
        }
        if let Some(bad) = manifest.files.keys().chain(&manifest.pending).find(|k| !is_site_key(k)) {
            return Err(format!("it names `{}`, which is not a path of a site", crate::diagnostic::printable(bad)));
        }
        Ok(manifest)
    }

    pub(super) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// A relative path a site can have: no empty, `.` or `..` segment, no
/// `\`, no control character, and none of deploy's own names.
fn is_site_key(key: &str) -> bool {
    !key.is_empty()
        && !key.split('/').any(|s| s.is_empty() || s == "." || s == "..")
        && !key.chars().any(|c| c.is_control() || c == '\\')
        && !is_own_key(key)
}

/// Deploy's own objects: the manifest, the lock, a folder target's
/// temporary files (all named `.masthead-deploy…` at the top).
pub(super) fn is_own_key(key: &str) -> bool {
    key.starts_with(".masthead-deploy")
}

/// What kind of file a path is, in upload order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    /// What pages point at: photos, stylesheets, scripts, the search index.
    Assets,
    /// Article pages, alias redirects and other pages.
    Articles,
    /// Edition pages and their newsletters.
    Editions,
    /// Archive, tag, section, author and search pages.
    Listings,
    /// Feeds, sitemap, robots.txt and the 404 page.
    Feeds,
    /// The front page, alone and last: every link on it is there by then.
    Front,
}

impl Phase {
    pub(super) fn name(self) -> &'static str {
        match self {
            Phase::Assets => "assets",
            Phase::Articles => "article pages",
            Phase::Editions => "edition pages",
            Phase::Listings => "listings",
            Phase::Feeds => "feeds and sitemap",
            Phase::Front => "front page",
        }
    }

    /// The phase of the output file `path`, given the edition permalink
    /// pattern (`/:year/:month/:day/`).
    pub(super) fn of(path: &str, edition_pattern: &str) -> Phase {
        const FEEDS: &[&str] = &["404.html", "feed.xml", "feed.json", "sitemap.xml", "robots.txt"];
        const LISTINGS: &[&str] = &["archive", "tags", "sections", "authors", "search"];
        if path == "index.html" {
            return Phase::Front;
        }
        if FEEDS.contains(&path) {
            return Phase::Feeds;
        }
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
        if matches!(name, "newsletter.html" | "newsletter.txt")
            || (name == "index.html" && is_edition(folder, edition_pattern))
        {
            return Phase::Editions;
        }
        if !name.ends_with(".html") || path.starts_with("pagefind/") {
            return Phase::Assets;
        }
        if LISTINGS.contains(&path.split('/').next().unwrap_or_default()) {
            return Phase::Listings;
        }
        Phase::Articles
    }
}

/// Whether `folder` (no leading or trailing `/`) is an edition's, by the
/// permalink pattern: `:year` stands for 4 digits, `:month` and `:day` for
/// 2, `:edition` for `YYYY-MM-DD`.
fn is_edition(folder: &str, pattern: &str) -> bool {
    let shape = pattern
        .trim_matches('/')
        .replace(":edition", "####-##-##")
        .replace(":year", "####")
        .replace(":month", "##")
        .replace(":day", "##");
    shape.len() == folder.len()
        && shape.bytes().zip(folder.bytes()).all(|(s, f)| if s == b'#' { f.is_ascii_digit() } else { s == f })
}

/// The `Content-Type` of an output file.
pub(super) fn content_type(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let known = match (name, ext.as_str()) {
        ("feed.xml", _) => "application/atom+xml",
        ("feed.json", _) => "application/feed+json",
        (_, "html" | "htm") => "text/html; charset=utf-8",
        (_, "css") => "text/css; charset=utf-8",
        (_, "js" | "mjs") => "text/javascript; charset=utf-8",
        (_, "txt") => "text/plain; charset=utf-8",
        (_, "xml") => "application/xml",
        (_, "json") => "application/json",
        (_, "wasm") => "application/wasm",
        (_, "svg") => "image/svg+xml",
        // The search index's own files are opaque to browsers.
        (_, "pf_fragment" | "pf_index" | "pf_meta" | "pagefind") => "application/octet-stream",
        _ => "",
    };
    if known.is_empty() {
        mime_guess::from_ext(&ext).first_raw().unwrap_or("application/octet-stream").to_string()
    } else {
        known.to_string()
    }
}

/// One file to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Upload {
    pub(crate) path: String,
    pub(crate) object: Object,
}

/// A group of uploads that all finish before the next starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Step {
    pub(crate) phase: Phase,
    /// Pages new to the target (no page there links to them yet).
    pub(crate) fresh: bool,
    pub(crate) uploads: Vec<Upload>,
}

impl Step {
    pub(super) fn name(&self) -> String {
        match (self.phase, self.fresh) {
            (Phase::Assets, _) => "assets".into(),
            (phase, true) => format!("new {}", phase.name()),
            (phase, false) => format!("changed {}", phase.name()),
        }
    }
}

/// A deploy's work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) deletes: Vec<String>,
    /// Files already on the target as they are.
    pub(crate) unchanged: usize,
}

impl Plan {
    pub(super) fn uploads(&self) -> usize {
        self.steps.iter().map(|s| s.uploads.len()).sum()
    }

    pub(super) fn bytes(&self) -> u64 {
        self.steps.iter().flat_map(|s| &s.uploads).map(|u| u.object.size).sum()
    }
}

/// What the target holds, as far as deploy knows it.
pub(super) enum Remote<'a> {
    /// Its manifest, believed.
    Manifest(&'a Manifest),
    /// `--force`: a listing of the target; everything is sent again and
    /// what the site does not have is deleted.
    Listed(&'a BTreeSet<String>),
}

/// The plan that makes the target hold `files`.
pub(super) fn plan(files: &[BuiltFile], remote: &Remote<'_>, target: &DeployTarget, edition_pattern: &str) -> Plan {
    let mut steps: BTreeMap<(bool, Phase), Vec<Upload>> = BTreeMap::new();
    let mut unchanged = 0;
    for file in files {
        let object = Object {
            hash: file.hash.clone(),
            size: file.size,
            content_type: content_type(&file.path),
            cache_control: target.cache_control(&file.path).to_string(),
        };
        let (there, same) = match remote {
            Remote::Manifest(m) => (
                m.files.contains_key(&file.path),
                m.files.get(&file.path) == Some(&object) && !m.pending.contains(&file.path),
            ),
            Remote::Listed(keys) => (keys.contains(&file.path), false),
        };
        if same {
            unchanged += 1;
            continue;
        }
        let phase = Phase::of(&file.path, edition_pattern);
        // Assets all go first, new or not; pages new to the target before
        // the pages that replace older ones.
        let replaces = there && phase != Phase::Assets;
        steps.entry((replaces, phase)).or_default().push(Upload { path: file.path.clone(), object });
    }
    let site: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let on_target: BTreeSet<&String> = match remote {
        Remote::Manifest(m) => m.files.keys().chain(&m.pending).collect(),
        Remote::Listed(keys) => keys.iter().collect(),
    };
    let deletes = on_target
        .into_iter()
        .filter(|k| !site.contains(k.as_str()) && !is_own_key(k) && is_site_key(k))
        .cloned()
        .collect();
    let steps = steps
        .into_iter()
        .map(|((replaces, phase), uploads)| Step { phase, fresh: !replaces && phase != Phase::Assets, uploads })
        .collect();
    Plan { steps, deletes, unchanged }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::deploy::CacheRules;

    const EDITION: &str = "/:year/:month/:day/";

    #[test]
    fn files_are_put_in_their_phase() {
        for (path, phase) in [
            ("index.html", Phase::Front),
            ("feed.xml", Phase::Feeds),
            ("feed.json", Phase::Feeds),
            ("sitemap.xml", Phase::Feeds),
            ("robots.txt", Phase::Feeds),
            ("404.html", Phase::Feeds),
            ("2023/09/05/index.html", Phase::Editions),
            ("2023/09/05/newsletter.html", Phase::Editions),
            ("2023/09/05/newsletter.txt", Phase::Editions),
            ("2023/09/05/story/index.html", Phase::Articles),
            ("old/url/index.html", Phase::Articles),
            ("archive/index.html", Phase::Listings),
            ("tags/port/index.html", Phase::Listings),
            ("search/index.html", Phase::Listings),
            ("2023/09/05/pier-480w.jpg", Phase::Assets),
            ("static/style.css", Phase::Assets),
            ("pagefind/pagefind-entry.json", Phase::Assets),
            ("pagefind/pagefind-ui.html", Phase::Assets),
            ("2023/09/05/chart.csv", Phase::Assets),
        ] {
            assert_eq!(Phase::of(path, EDITION), phase, "{path}");
        }
        assert_eq!(Phase::of("editions/2023-09-05/index.html", "/editions/:edition/"), Phase::Editions);
        assert_eq!(Phase::of("editions/2023-09-05/index.html", EDITION), Phase::Articles);
    }

    #[test]
    fn content_types_are_the_webs() {
        for (path, expected) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("feed.xml", "application/atom+xml"),
            ("feed.json", "application/feed+json"),
            ("sitemap.xml", "application/xml"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("pagefind/pagefind.js", "text/javascript; charset=utf-8"),
            ("pagefind/wasm.en.pagefind", "application/octet-stream"),
            ("x.wasm", "application/wasm"),
            ("a/pier.JPG", "image/jpeg"),
            ("a/b.png", "image/png"),
            ("a/chart.csv", "text/csv"),
            ("LICENSE", "application/octet-stream"),
        ] {
            assert_eq!(content_type(path), expected, "{path}");
        }
    }

    fn built(path: &str, hash: &str) -> BuiltFile {
        BuiltFile { path: path.into(), hash: hash.into(), size: 1 }
    }

    fn target() -> DeployTarget {
        DeployTarget { name: "p".into(), url: "s3://b/".into(), cache_control: CacheRules::default(), concurrency: 16 }
    }

    fn names(plan: &Plan) -> Vec<(String, Vec<&str>)> {
        plan.steps.iter().map(|s| (s.name(), s.uploads.iter().map(|u| u.path.as_str()).collect())).collect()
    }

    #[test]
    fn new_pages_go_before_the_pages_that_link_to_them_and_deletions_last() {
        let old = [
            built("index.html", "1"),
            built("style.css", "1"),
            built("2023/09/05/index.html", "1"),
            built("2023/09/05/a/index.html", "1"),
            built("2023/09/05/gone/index.html", "1"),
        ];
        let first = plan(&old, &Remote::Manifest(&Manifest::default()), &target(), EDITION);
        assert_eq!(
            names(&first),
            [
                ("assets".to_string(), vec!["style.css"]),
                ("new article pages".to_string(), vec!["2023/09/05/a/index.html", "2023/09/05/gone/index.html"]),
                ("new edition pages".to_string(), vec!["2023/09/05/index.html"]),
                ("new front page".to_string(), vec!["index.html"]),
            ]
        );
        let mut manifest = Manifest { format: 1, ..Manifest::default() };
        for step in &first.steps {
            for u in &step.uploads {
                manifest.files.insert(u.path.clone(), u.object.clone());
            }
        }
        let new = [
            built("index.html", "2"),
            built("style.css", "1"),
            built("2023/09/05/index.html", "2"),
            built("2023/09/05/a/index.html", "2"),
            built("2023/09/05/b/index.html", "1"),
            built("2023/09/06/index.html", "1"),
            built("2023/09/06/p.jpg", "1"),
        ];
        let next = plan(&new, &Remote::Manifest(&manifest), &target(), EDITION);
        assert_eq!(
            names(&next),
            [
                ("assets".to_string(), vec!["2023/09/06/p.jpg"]),
                ("new article pages".to_string(), vec!["2023/09/05/b/index.html"]),
                ("new edition pages".to_string(), vec!["2023/09/06/index.html"]),
                ("changed article pages".to_string(), vec!["2023/09/05/a/index.html"]),
                ("changed edition pages".to_string(), vec!["2023/09/05/index.html"]),
                ("changed front page".to_string(), vec!["index.html"]),
            ]
        );
        assert_eq!(next.deletes, ["2023/09/05/gone/index.html"]);
        assert_eq!(next.unchanged, 1);
    }

    #[test]
    fn a_pending_or_retitled_object_is_sent_again() {
        let files = [built("a.html", "1"), built("b.html", "1")];
        let pending = vec!["a.html".to_string(), "pending-gone.html".to_string()];
        let mut manifest = Manifest { format: 1, files: BTreeMap::new(), pending };
        let object = |hash: &str, cache: &str| Object {
            hash: hash.into(),
            size: 1,
            content_type: "text/html; charset=utf-8".into(),
            cache_control: cache.into(),
        };
        manifest.files.insert("a.html".into(), object("1", "public, max-age=60"));
        manifest.files.insert("b.html".into(), object("1", "no-store"));
        let plan = plan(&files, &Remote::Manifest(&manifest), &target(), EDITION);
        assert_eq!(plan.uploads(), 2, "a pending upload and a new Cache-Control");
        assert_eq!(plan.deletes, ["pending-gone.html"]);
    }

    #[test]
    fn forced_plans_send_everything_and_delete_what_the_listing_has_beyond_the_site() {
        let files = [built("a.html", "1")];
        let listed: BTreeSet<String> = ["a.html", "stray.html", MANIFEST, LOCK, ".masthead-deploy-tmp/1-2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let plan = plan(&files, &Remote::Listed(&listed), &target(), EDITION);
        assert_eq!((plan.uploads(), plan.unchanged), (1, 0));
        assert_eq!(plan.deletes, ["stray.html"], "deploy's own objects are never deleted as strays");
    }

    #[test]
    fn a_manifest_naming_paths_out_of_the_prefix_is_refused() {
        let ok = br#"{"format":1,"files":{"a/b.html":{"hash":"1","size":1,"content_type":"t","cache_control":""}}}"#;
        assert_eq!(Manifest::parse(ok).unwrap().files.len(), 1);
        for bad in ["../x", "/abs", "a//b", "a/./b"] {
            let text = format!(
                r#"{{"format":1,"files":{{"{bad}":{{"hash":"1","size":1,"content_type":"t","cache_control":""}}}}}}"#
            );
            assert!(Manifest::parse(text.as_bytes()).is_err(), "{bad}");
        }
        assert!(Manifest::parse(br#"{"format":2,"files":{}}"#).is_err());
    }
}
