//! Loading: from `site.yaml` and `content/` to an immutable [`Site`], with
//! every file read and parsed once (in parallel) and every problem of every
//! file collected before giving up.

pub mod article;
pub(crate) mod cache;
pub mod discover;
pub(crate) mod edition;
pub mod links;
pub mod markdown;
pub(crate) mod photos;
pub(crate) mod refresh;
pub mod slug;
pub(crate) mod theme;

use std::path::PathBuf;

use jiff::civil::Date;

use crate::config::{BaseUrl, BuildOptions, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// A loaded site: configuration plus the editions this build publishes.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) base: BaseUrl,
    /// Published editions, oldest first.
    pub(crate) editions: Vec<Edition>,
    /// Files copied from `content/` beside the pages.
    pub(crate) assets: Vec<Asset>,
    /// Local JPEG and PNG files published as resized, stripped copies.
    pub(crate) images: Vec<crate::images::SourceImage>,
    pub(crate) skipped: Skipped,
    pub(crate) warnings: Diagnostics,
}

/// One dated edition and its articles in order.
#[derive(Debug, Clone)]
pub(crate) struct Edition {
    pub(crate) date: Date,
    pub(crate) title: String,
    pub(crate) summary: String,
    pub(crate) note_html: String,
    pub(crate) photo: Option<Photo>,
    /// URL with the site's path prefix: `/daily/2023/09/05/`.
    pub(crate) url: String,
    /// File written, relative to the output folder: `2023/09/05/index.html`.
    pub(crate) output: String,
    pub(crate) scheduled: bool,
    pub(crate) articles: Vec<Article>,
    pub(crate) source: Option<String>,
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

/// An article ready to render.
#[derive(Debug, Clone)]
pub(crate) struct Article {
    /// Path relative to the site folder: `content/2023-09-05/a.md`.
    pub(crate) source: String,
    pub(crate) date: Date,
    pub(crate) title: String,
    pub(crate) slug: String,
    /// The `summary:` written, or else the first paragraph cut short.
    pub(crate) summary: String,
    /// Whether `summary:` was written (a deck of its own, not the body's start).
    pub(crate) summary_written: bool,
    pub(crate) authors: Vec<String>,
    /// "By A, B and C", or empty.
    pub(crate) byline: String,
    pub(crate) section: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) photo: Option<Photo>,
    pub(crate) order: Option<i64>,
    pub(crate) draft: bool,
    pub(crate) updated: Option<String>,
    /// Files written for the article's `aliases` (redirect pages).
    pub(crate) aliases: Vec<String>,
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
    pub(crate) body_html: crate::packed::Text,
    /// Hash of `body_html`.
    pub(crate) body_hash: u64,
    pub(crate) url: String,
    pub(crate) output: String,
}

/// A lead photo with its published URL (for a local JPEG or PNG, the
/// largest size made of it) and, when the file is local, its sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Photo {
    pub(crate) src: String,
    pub(crate) size: Option<std::sync::Arc<crate::images::ImageSizes>>,
    pub(crate) alt: String,
    pub(crate) credit: Option<String>,
    pub(crate) caption: Option<String>,
    /// Where its `src` is written in its file (line, column), for messages.
    pub(crate) place: Option<(usize, usize)>,
}

/// A file copied as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Asset {
    pub(crate) source: PathBuf,
    pub(crate) output: String,
}

/// What this build leaves out, so the summary can name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) drafts: Vec<String>,
    pub(crate) scheduled: Vec<Date>,
}

impl Site {
    /// The date as the site shows it (`date_format`).
    pub(crate) fn display_date(&self, date: Date) -> String {
        display_date(&self.config.date_format, date)
    }

    /// `diags` together with the site's warnings, sorted: a failed run shows both.
    pub(crate) fn with_warnings(&self, mut diags: Diagnostics) -> Diagnostics {
        diags.extend(self.warnings.iter().cloned());
        diags.sort();
        diags
    }

    pub(crate) fn article_count(&self) -> usize {
        self.editions.iter().map(|e| e.articles.len()).sum()
    }
}

/// "By Ana Ruiz", "By Ana Ruiz and Tom Beck", "By A, B and C", or "".
pub(crate) fn byline(authors: &[String]) -> String {
    match authors {
        [] => String::new(),
        [one] => format!("By {one}"),
        [init @ .., last] => format!("By {} and {last}", init.join(", ")),
    }
}

/// Formats with a strftime pattern validated when `site.yaml` was loaded.
pub(crate) fn display_date(format: &str, date: Date) -> String {
    jiff::fmt::strtime::format(format, date).unwrap_or_else(|_| date.to_string())
}

/// Loads the site in `opts.source`. On failure, every error (and warning)
/// found in every file.
pub(crate) fn load(opts: &BuildOptions) -> Result<Site, Diagnostics> {
    load_with(opts, &mut cache::LoadCache::default())
}

/// [`load`], reusing what `cache` kept from the previous load (see
/// [`cache::LoadCache`]); used by the preview server.
pub(crate) fn load_with(opts: &BuildOptions, cache: &mut cache::LoadCache) -> Result<Site, Diagnostics> {
    plan_with(opts, cache)?.finish(cache)
}

/// The first half of [`load_with`]: every file read and parsed and every
/// edition planned, no body rendered yet (see [`edition::Planned`]).
pub(crate) fn plan_with(opts: &BuildOptions, cache: &mut cache::LoadCache) -> Result<edition::Planned, Diagnostics> {
    let config = SiteConfig::load(&opts.source).map_err(Diagnostics)?;
    let base_text = opts.base_url.as_deref().unwrap_or(&config.base_url);
    let base = BaseUrl::parse(base_text).map_err(|m| Diagnostics::from(Diagnostic::error("--base-url", m)))?;
    let today = opts.today(&config);
    Ok(edition::plan(opts, config, base, today, cache))
}
