//! Rebuilds for the preview server. The engine keeps parsed files and
//! rendered Markdown (in [`LoadCache`]) and, per output, the fingerprint of
//! its inputs and its bytes: a rebuild re-reads only changed files and
//! re-renders only pages whose fingerprint changed. The result is always
//! the same set of files a fresh `build` writes (tests hold it to that).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::content::cache::{LoadCache, Stamp};
use crate::content::{self, Site};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::{self, CopySource, Renderer, Theme};
use crate::serve::state::{Body, Snapshot};

/// What one rebuild did.
#[derive(Debug)]
pub struct Rebuild {
    pub snapshot: Snapshot,
    /// Output paths that were added, changed or removed.
    pub changed: Vec<String>,
    /// Pages rendered through a template or written anew.
    pub rendered: usize,
    /// Files read and parsed, and Markdown bodies rendered.
    pub parsed: usize,
    pub markdown: usize,
    pub articles: usize,
    /// Photo files encoded, and taken from the cache (the same cache as `build`).
    pub photos: crate::images::Stats,
    pub elapsed: Duration,
    /// How long loading (content) and rendering (fingerprints and pages) took.
    pub load_time: Duration,
    pub render_time: Duration,
}

/// One output as the last rebuild left it.
#[derive(Debug, Clone)]
enum Kept {
    Page { fingerprint: u64, bytes: Arc<[u8]> },
    Copy { source: CopySource, stamp: Option<Stamp> },
}

/// The preview server's builder, owned by its rebuild loop.
pub struct Engine {
    opts: BuildOptions,
    cache: LoadCache,
    theme: Option<Theme>,
    kept: HashMap<String, Kept>,
    generation: u64,
}

impl Engine {
    pub fn new(opts: BuildOptions) -> Engine {
        Engine { opts, cache: LoadCache::persistent(), theme: None, kept: HashMap::new(), generation: 0 }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Forgets everything cached (after `site.yaml` changed).
    pub fn reset(&mut self) {
        self.cache = LoadCache::persistent();
        self.theme = None;
    }

    /// Reloads templates on the next rebuild.
    pub fn reload_theme(&mut self) {
        self.theme = None;
    }

    /// Brings the site up to date with the files on disk.
    pub fn rebuild(&mut self) -> Result<Rebuild, Diagnostics> {
        let started = Instant::now();
        let site = content::load_with(&self.opts, &mut self.cache)?;
        let t_load = started.elapsed();
        let stats = self.cache.stats();
        if self.theme.is_none() {
            self.theme = Some(Theme::load(&self.opts.source, &site.config).map_err(|d| site.with_warnings(d))?);
        }
        let Some(theme) = self.theme.as_ref() else { return Err(Diagnostics::new()) };
        let photo_cache = crate::images::Cache::in_site(&self.opts.source);
        let settings = &site.config.images;
        let (pages, photos) = rayon::join(
            || render_changed(&site, theme, &self.kept),
            || crate::images::make_all(&site.images, settings, &photo_cache).map_err(|d| site.with_warnings(d)),
        );
        let ((mut outputs, rendered), photos) = (pages?, photos?);
        for (output, entry) in crate::images::entries(&site.images, settings, &photo_cache) {
            // The entry's name is a hash of the photo and the settings: a new name is a new picture.
            outputs.insert(output.to_string(), Kept::Copy { source: CopySource::File(entry), stamp: None });
        }
        let t_render = started.elapsed();
        let changed = changed_paths(&self.kept, &outputs);
        self.kept = outputs;
        self.generation += 1;
        let files = self
            .kept
            .iter()
            .map(|(path, kept)| {
                let body = match kept {
                    Kept::Page { bytes, .. } => Body::Bytes(Arc::clone(bytes)),
                    Kept::Copy { source: CopySource::Builtin(b), .. } => Body::Bytes(Arc::from(*b)),
                    Kept::Copy { source: CopySource::File(p), .. } => Body::File(p.clone()),
                };
                (path.clone(), body)
            })
            .collect();
        Ok(Rebuild {
            snapshot: Snapshot { files, generation: self.generation },
            changed,
            rendered,
            parsed: stats.parsed,
            markdown: stats.rendered,
            articles: site.article_count(),
            photos,
            elapsed: started.elapsed(),
            load_time: t_load,
            render_time: t_render - t_load,
        })
    }
}

/// Fingerprints every page, renders those that changed, and lists copies.
fn render_changed(
    site: &Site,
    theme: &Theme,
    kept: &HashMap<String, Kept>,
) -> Result<(HashMap<String, Kept>, usize), Diagnostics> {
    let renderer = Renderer::new(site, theme);
    let pages = renderer.pages();
    let results: Vec<Result<(String, Kept, bool), Diagnostic>> = pages
        .par_iter()
        .map(|page| {
            let path = renderer.output(page);
            let fingerprint = renderer.fingerprint(page);
            if let Some(Kept::Page { fingerprint: old, bytes }) = kept.get(&path) {
                if *old == fingerprint {
                    return Ok((path, Kept::Page { fingerprint, bytes: Arc::clone(bytes) }, false));
                }
            }
            let file = renderer.render(page)?;
            Ok((path, Kept::Page { fingerprint, bytes: Arc::from(file.bytes) }, true))
        })
        .collect();
    let results = render::collect(results).map_err(|d| site.with_warnings(d))?;
    let rendered = results.iter().filter(|(_, _, fresh)| *fresh).count();
    let mut outputs: HashMap<String, Kept> = results.into_iter().map(|(p, k, _)| (p, k)).collect();
    for copy in render::copies(site, theme, |p| outputs.contains_key(p))? {
        let stamp = match &copy.source {
            CopySource::File(p) => Stamp::of(p),
            CopySource::Builtin(_) => None,
        };
        outputs.insert(copy.path, Kept::Copy { source: copy.source, stamp });
    }
    Ok((outputs, rendered))
}

/// Outputs added, removed, or whose bytes or source changed, sorted.
fn changed_paths(old: &HashMap<String, Kept>, new: &HashMap<String, Kept>) -> Vec<String> {
    let mut changed = BTreeSet::new();
    for (path, kept) in new {
        let same = match (old.get(path), kept) {
            (Some(Kept::Page { bytes: a, .. }), Kept::Page { bytes: b, .. }) => Arc::ptr_eq(a, b) || a == b,
            (Some(Kept::Copy { source: a, stamp: sa }), Kept::Copy { source: b, stamp: sb }) => a == b && sa == sb,
            _ => false,
        };
        if !same {
            changed.insert(path.clone());
        }
    }
    changed.extend(old.keys().filter(|p| !new.contains_key(*p)).cloned());
    changed.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("site.yaml"), "title: T\nbase_url: https://x.org/\n").unwrap();
        for (date, name, body) in [
            ("2023-09-05", "a", "A body links [b](b.md)."),
            ("2023-09-05", "b", "B body.\n\nSecond paragraph."),
            ("2023-09-06", "c", "C body."),
        ] {
            let folder = root.join("content").join(date);
            std::fs::create_dir_all(&folder).unwrap();
            let text = format!("---\ntitle: {name}\ntags: [t]\n---\n{body}\n");
            std::fs::write(folder.join(format!("{name}.md")), text).unwrap();
        }
        dir
    }

    #[test]
    fn an_unchanged_site_reads_and_renders_nothing() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        let first = engine.rebuild().unwrap();
        assert_eq!((first.parsed, first.markdown), (3, 3));
        let copies = first.snapshot.files.values().filter(|b| !matches!(b, Body::Bytes(_))).count()
            + crate::render::theme::BUILTIN_STATIC.len();
        assert_eq!(first.rendered, first.snapshot.files.len() - copies, "every page once; static files are copied");
        let second = engine.rebuild().unwrap();
        assert_eq!((second.parsed, second.markdown, second.rendered), (0, 0, 0));
        assert!(second.changed.is_empty(), "{:?}", second.changed);
    }

    #[test]
    fn a_body_edit_rerenders_only_the_pages_that_show_it() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        let path = dir.path().join("content/2023-09-05/b.md");
        std::fs::write(&path, "---\ntitle: b\ntags: [t]\n---\nB body.\n\nSecond paragraph, longer now.\n").unwrap();
        let r = engine.rebuild().unwrap();
        assert_eq!((r.parsed, r.markdown), (1, 1));
        // The summary (first paragraph) is the same, so only the article
        // page and the feeds, which carry the whole body, change.
        assert_eq!(r.changed, vec!["2023/09/05/b/index.html", "feed.json", "feed.xml"]);
        assert_eq!(r.rendered, 3);
    }

    #[test]
    fn deleting_an_article_removes_its_page() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        std::fs::remove_file(dir.path().join("content/2023-09-06/c.md")).unwrap();
        let r = engine.rebuild().unwrap();
        assert_eq!(engine.cache.cached_bodies(), 2, "the deleted body is forgotten");
        assert!(!r.snapshot.files.contains_key("2023/09/06/c/index.html"));
        assert!(r.changed.contains(&"2023/09/06/c/index.html".to_string()));
    }
}
