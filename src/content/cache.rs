//! What a long-running process (the preview server) keeps between loads:
//! parsed files, kept while their stamp (size, times, inode) holds, and rendered
//! Markdown, reused while the body and every link it resolved are the same.
//! A one-off build uses an empty cache, so both paths run the same code.

use crate::fs::FastMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::article::Markdown;
use super::discover::SourceFile;
use super::links::LinkIndex;
use super::markdown::{self, LinkOutcome, Rendered};
use crate::fs::FileStamp;
use crate::packed::Budget;

#[derive(Debug, Clone)]
pub(super) struct CachedMarkdown {
    /// The hash of the Markdown rendered (see [`Markdown`]).
    body: u64,
    body_line: usize,
    smart: bool,
    links: Vec<(String, LinkOutcome)>,
    rendered: Rendered,
}

/// How much work the last load did, for tests and the rebuild line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LoadStats {
    /// Files read and parsed.
    pub(crate) parsed: usize,
    /// Markdown bodies rendered.
    pub(crate) rendered: usize,
}

/// Parsed files and rendered Markdown kept between loads. The default
/// cache keeps nothing (a one-off build has no next load to serve);
/// [`LoadCache::persistent`] keeps everything.
#[derive(Debug, Default)]
pub(crate) struct LoadCache {
    keep: bool,
    /// The Markdown bodies and the renderings this load holds as they are
    /// (see [`LoadCache::reset`]).
    pub(super) sources: Budget,
    pub(super) bodies: Budget,
    pub(super) files: FastMap<PathBuf, (FileStamp, std::sync::Arc<super::edition::ParseResult>)>,
    pub(super) markdown: FastMap<String, CachedMarkdown>,
    pub(super) fresh: Mutex<Vec<(String, CachedMarkdown)>>,
    pub(super) parsed: AtomicUsize,
    pub(super) rendered: AtomicUsize,
    /// Where every page and file of the last load is, for re-rendering
    /// one body without loading the whole site (see `refresh`).
    pub(super) link_index: Option<LinkIndex>,
}

impl LoadCache {
    /// A cache that remembers between loads, for a long-running process.
    pub(crate) fn persistent() -> LoadCache {
        LoadCache { keep: true, ..LoadCache::default() }
    }

    pub(super) fn keeps(&self) -> bool {
        self.keep
    }

    /// Starts a load: its counts at zero, and `plain` bytes each of Markdown
    /// and of rendered bodies to hold as they are before packing the rest.
    /// What was kept from an earlier load stays as it was: either reads the same.
    /// A cache that keeps packs no Markdown: it keeps none past the load
    /// (see [`Markdown`]), and packing what is freed seconds later would
    /// only slow the start (at 100,000 articles the peak is the same).
    pub(super) fn reset(&mut self, plain: usize) {
        self.reset_stats();
        self.sources = Budget::new(if self.keep { usize::MAX } else { plain });
        self.bodies = Budget::new(plain);
    }

    /// Counts of the last load.
    pub(crate) fn stats(&self) -> LoadStats {
        LoadStats { parsed: self.parsed.load(Ordering::Relaxed), rendered: self.rendered.load(Ordering::Relaxed) }
    }

    /// How many files' renderings are kept.
    #[cfg(test)]
    pub(crate) fn cached_bodies(&self) -> usize {
        self.markdown.len()
    }

    /// How many kept parses still hold their Markdown's text (none should).
    #[cfg(test)]
    pub(crate) fn kept_markdown_texts(&self) -> usize {
        use super::edition::Parsed;
        let holds = |(_, parsed): &(FileStamp, std::sync::Arc<super::edition::ParseResult>)| match &**parsed {
            Ok(Parsed::Article(a)) => a.body.text.is_some(),
            Ok(Parsed::Note(n)) => n.body.text.is_some(),
            _ => false,
        };
        self.files.values().filter(|kept| holds(kept)).count()
    }

    pub(super) fn reset_stats(&self) {
        self.parsed.store(0, Ordering::Relaxed);
        self.rendered.store(0, Ordering::Relaxed);
    }

    /// Renders `body` of `file` (in content folder `dir`), or reuses the
    /// last rendering when nothing it depends on changed. A body kept
    /// without its text (see [`Markdown`]) is read from the file again.
    pub(super) fn markdown(
        &self,
        file: &SourceFile,
        body: &Markdown,
        body_line: usize,
        smart: bool,
        dir: &str,
        index: &LinkIndex,
    ) -> Rendered {
        let key = file.site_rel.as_str();
        if let Some(c) = self.markdown.get(key) {
            let same = c.body == body.hash && c.body_line == body_line && c.smart == smart;
            if same && c.links.iter().all(|(dest, outcome)| index.resolve(dir, dest) == *outcome) {
                return c.rendered.clone();
            }
        }
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let read_again;
        let text = match &body.text {
            Some(text) => text.get(),
            None => {
                read_again = super::edition::body_text(file).unwrap_or_default();
                read_again.get()
            }
        };
        let links = Mutex::new(Vec::new());
        let mut rendered = markdown::render(&text, body_line, smart, &|dest| {
            let outcome = index.resolve(dir, dest);
            if let Ok(mut l) = links.lock() {
                l.push((dest.to_string(), outcome.clone()));
            }
            outcome
        });
        rendered.html = self.bodies.hold(rendered.html);
        if !self.keep {
            return rendered;
        }
        let entry = CachedMarkdown {
            // Of the text rendered: a file read again may have changed since.
            body: if body.text.is_some() { body.hash } else { Markdown::hash_of(&text) },
            body_line,
            smart,
            links: links.into_inner().unwrap_or_default(),
            rendered: rendered.clone(),
        };
        if let Ok(mut fresh) = self.fresh.lock() {
            fresh.push((key.to_string(), entry));
        }
        rendered
    }

    /// Moves this load's new renderings into the cache and forgets those of
    /// files that are gone (`live` says which keys still exist).
    pub(super) fn settle(&mut self, live: impl Fn(&str) -> bool) {
        let fresh = std::mem::take(self.fresh.get_mut().unwrap_or_else(|e| e.into_inner()));
        self.markdown.extend(fresh);
        self.markdown.retain(|key, _| live(key));
    }
}
