//! Loading: from `site.yaml` and `content/` to an immutable [`Site`], with
//! every file read and parsed once (in parallel) and every problem of every
//! file collected before giving up.

pub mod article;
pub mod cache;
pub mod discover;
pub mod edition;
pub mod links;
pub mod markdown;
pub mod photos;
pub mod refresh;
pub mod slug;
pub mod theme;

use std::path::PathBuf;

use jiff::civil::Date;

use crate::config::{BaseUrl, BuildOptions, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// A loaded site: configuration plus the editions this build publishes.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub base: BaseUrl,
    pub today: Date,
    /// Published editions, oldest first.
    pub editions: Vec<Edition>,
    /// Files copied from `content/` beside the pages.
    pub assets: Vec<Asset>,
    /// Local JPEG and PNG files published as resized, stripped copies.
    pub images: Vec<crate::images::SourceImage>,
    pub skipped: Skipped,
    pub warnings: Diagnostics,
}

/// One dated edition and its articles in order.
#[derive(Debug, Clone)]
pub struct Edition {
    pub date: Date,
    pub title: String,
    pub summary: String,
    pub note_html: String,
    pub photo: Option<Photo>,
    /// URL with the site's path prefix: `/daily/2023/09/05/`.
    pub url: String,
    /// File written, relative to the output folder: `2023/09/05/index.html`.
    pub output: String,
    pub scheduled: bool,
    pub articles: Vec<Article>,
    pub source: Option<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An article ready to render.
#[derive(Debug, Clone)]
pub struct Article {
    /// Path relative to the site folder: `content/2023-09-05/a.md`.
    pub source: String,
    pub date: Date,
    pub title: String,
    pub slug: String,
    /// The `summary:` written, or else the first paragraph cut short.
    pub summary: String,
    /// Whether `summary:` was written (a deck of its own, not the body's start).
    pub summary_written: bool,
    pub authors: Vec<String>,
    /// "By A, B and C", or empty.
    pub byline: String,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub photo: Option<Photo>,
    pub order: Option<i64>,
    pub draft: bool,
    pub updated: Option<String>,
    /// Files written for the article's `aliases` (redirect pages).
    pub aliases: Vec<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub body_html: std::sync::Arc<str>,
    /// Hash of `body_html`.
    pub body_hash: u64,
    pub url: String,
    pub output: String,
}

/// A lead photo with its published URL (for a local JPEG or PNG, the
/// largest size made of it) and, when the file is local, its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub src: String,
    pub size: Option<std::sync::Arc<crate::images::ImageSizes>>,
    pub alt: String,
    pub credit: Option<String>,
    pub caption: Option<String>,
    /// Where its `src` is written in its file (line, column), for messages.
    pub place: Option<(usize, usize)>,
}

/// A file copied as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub source: PathBuf,
    pub output: String,
}

/// What this build leaves out, so the summary can name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    pub drafts: Vec<String>,
    pub scheduled: Vec<Date>,
}

impl Site {
    /// The date as the site shows it (`date_format`).
    pub fn display_date(&self, date: Date) -> String {
        display_date(&self.config.date_format, date)
    }

    /// `diags` together with the site's warnings, sorted: a failed run shows both.
    pub fn with_warnings(&self, mut diags: Diagnostics) -> Diagnostics {
        diags.extend(self.warnings.iter().cloned());
        diags.sort();
        diags
    }

    pub fn article_count(&self) -> usize {
        self.editions.iter().map(|e| e.articles.len()).sum()
    }
}

/// "By Ana Ruiz", "By Ana Ruiz and Tom Beck", "By A, B and C", or "".
pub fn byline(authors: &[String]) -> String {
    match authors {
        [] => String::new(),
        [one] => format!("By {one}"),
        [init @ .., last] => format!("By {} and {last}", init.join(", ")),
    }
}

/// Formats with a strftime pattern validated when `site.yaml` was loaded.
pub fn display_date(format: &str, date: Date) -> String {
    jiff::fmt::strtime::format(format, date).unwrap_or_else(|_| date.to_string())
}

/// Loads the site in `opts.source`. On failure, every error (and warning)
/// found in every file.
pub fn load(opts: &BuildOptions) -> Result<Site, Diagnostics> {
    load_with(opts, &mut cache::LoadCache::default())
}

/// [`load`], reusing what `cache` kept from the previous load (see
/// [`cache::LoadCache`]); used by the preview server.
pub fn load_with(opts: &BuildOptions, cache: &mut cache::LoadCache) -> Result<Site, Diagnostics> {
    let config = SiteConfig::load(&opts.source).map_err(Diagnostics)?;
    let base_text = opts.base_url.as_deref().unwrap_or(&config.base_url);
    let base = BaseUrl::parse(base_text).map_err(|m| Diagnostics::from(Diagnostic::error("--base-url", m)))?;
    let today = opts.today(&config);
    edition::assemble(opts, config, base, today, cache)
}
