//! One function per page kind: builds the template context from views and
//! renders the template. The site-wide parts of every context (`site`, the
//! edition links) are computed once in [`Renderer::new`].

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use tera::{Context, Value};

use super::OutputFile;
use super::catalogue::Entry;
use super::context::{
    ArchiveEditionView, ArticleCardView, ArticleView, EditionLinkView, EditionView, JsonLd, LinkView,
    ListedArticleView, MonthView, PageView, PaginationView, PhotoView, SiteView, TaxonomyView, TermView, YearView,
    absolute, term_links,
};
use super::context::{Extra, Html};
use super::listings::{Kind, Listings, PER_PAGE, term_path};
use super::newsletter::{self, Letter, NewsletterView};
use super::theme::Theme;
use super::{extras, feeds};
use crate::content::slug::output_file;
use crate::content::{Article, Edition, Site};
use crate::diagnostic::Diagnostic;

/// How many earlier editions the front page links to.
const RECENT_EDITIONS: usize = 7;

/// A page to render; indexes point into `Site::editions` and its articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Page {
    Front,
    NotFound,
    Edition(usize),
    Article(usize, usize),
    /// `/archive/` (`None`) or one year's page (index into the years).
    Archive(Option<usize>),
    TaxonomyIndex(Kind),
    /// A page (1-based) of a term's listing.
    Term(Kind, usize, usize),
    /// A section's Atom feed.
    SectionFeed(usize),
    Atom,
    JsonFeed,
    Sitemap,
    Robots,
    /// Alias `k` of an article: a redirect page.
    Alias(usize, usize, usize),
    /// Part `n` (1-based) of a sitemap too long for one file; `sitemap.xml`
    /// is then an index of the parts.
    SitemapPart(usize),
    /// An edition's newsletter, as HTML email or its plain-text alternative.
    Newsletter(usize, Letter),
    /// The search page (when the site has search).
    Search,
}

/// URLs one sitemap file may hold (sitemaps.org protocol).
pub(crate) const SITEMAP_LIMIT: usize = 50_000;

/// Every page the site has, in a stable order.
pub(crate) fn pages(site: &Site, listings: &Listings) -> Vec<Page> {
    let mut pages = vec![Page::Front, Page::NotFound, Page::Atom, Page::JsonFeed, Page::Sitemap];
    // Crawlers read `robots.txt` at the host's root only: under a sub-path it would be
    // published where nothing reads it.
    if site.base.root == "/" {
        pages.push(Page::Robots);
    }
    for (e, edition) in site.editions.iter().enumerate() {
        pages.push(Page::Edition(e));
        for (a, article) in edition.articles.iter().enumerate() {
            pages.push(Page::Article(e, a));
            pages.extend((0..article.aliases.len()).map(|k| Page::Alias(e, a, k)));
        }
        if site.config.newsletter.enabled {
            pages.extend([Page::Newsletter(e, Letter::Html), Page::Newsletter(e, Letter::Text)]);
        }
    }
    if site.config.search.enabled {
        pages.push(Page::Search);
    }
    pages.push(Page::Archive(None));
    pages.extend((0..listings.years.len()).map(|y| Page::Archive(Some(y))));
    for kind in Kind::ALL {
        pages.push(Page::TaxonomyIndex(kind));
        for (t, term) in listings.terms(kind).iter().enumerate() {
            pages.extend((1..=term.pages()).map(|p| Page::Term(kind, t, p)));
            if kind == Kind::Sections {
                pages.push(Page::SectionFeed(t));
            }
        }
    }
    pages
}

/// A page ready to render: a template and its context, or finished text.
pub(crate) enum Prepared<'a> {
    Template { name: &'static str, ctx: Box<Vars<'a>> },
    Plain { text: String },
}

/// What [`Renderer::render_unless`] made of a page.
#[derive(Debug)]
pub(crate) struct Made<R> {
    /// The page's fingerprint (see [`Renderer::fingerprint`]).
    pub(crate) fingerprint: u64,
    pub(crate) output: Output<R>,
}

/// A page's output: what `reuse` kept, or the bytes rendered anew.
#[derive(Debug)]
pub(crate) enum Output<R> {
    Reused(R),
    Rendered(Vec<u8>),
}

/// The variables of one page's template (besides `site`, shared by all).
/// Typed rather than a Tera context so a page's fingerprint is a cheap
/// `Hash` of its views; see [`Renderer::fingerprint`].
#[derive(Default, Hash)]
pub(crate) struct Vars<'a> {
    page: Option<PageView>,
    edition: Option<EditionView<'a>>,
    /// `edition` of article pages: just the link.
    edition_link: Option<EditionLinkView<'a>>,
    recent: Option<Vec<EditionLinkView<'a>>>,
    article: Option<ArticleView<'a>>,
    years: Option<Vec<YearView>>,
    year: Option<YearView>,
    months: Option<Vec<MonthView<'a>>>,
    taxonomy: Option<TaxonomyView>,
    terms: Option<Vec<TermView<'a>>>,
    term: Option<TermView<'a>>,
    articles: Option<Vec<ListedArticleView<'a>>>,
    pagination: Option<PaginationView>,
    newsletter: Option<NewsletterView<'a>>,
    search: Option<crate::search::SearchView>,
}

impl Vars<'_> {
    fn into_context(self: Box<Self>, site: &Value) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", site.clone());
        fn put<T: serde::Serialize>(ctx: &mut Context, key: &'static str, value: Option<T>) {
            if let Some(v) = value {
                ctx.insert(key, &v);
            }
        }
        put(&mut ctx, "page", self.page);
        put(&mut ctx, "edition", self.edition);
        put(&mut ctx, "edition", self.edition_link);
        put(&mut ctx, "recent", self.recent);
        put(&mut ctx, "article", self.article);
        put(&mut ctx, "years", self.years);
        put(&mut ctx, "year", self.year);
        put(&mut ctx, "months", self.months);
        put(&mut ctx, "taxonomy", self.taxonomy);
        put(&mut ctx, "terms", self.terms);
        put(&mut ctx, "term", self.term);
        put(&mut ctx, "articles", self.articles);
        put(&mut ctx, "pagination", self.pagination);
        put(&mut ctx, "newsletter", self.newsletter);
        put(&mut ctx, "search", self.search);
        ctx
    }
}

/// Shared, read-only state for rendering pages in parallel.
pub(crate) struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    site_value: Value,
    /// Hash of everything `site` holds, part of every page's fingerprint.
    site_hash: u64,
    links: Vec<EditionLinkView<'a>>,
    /// Every article's card, built once: listings reuse them. Built on
    /// first use, so a renderer for a few pages skips it.
    cards: OnceLock<Vec<Vec<ArticleCardView<'a>>>>,
    listings: Arc<Listings>,
    /// Every URL of the sitemap with its last change, built once on first
    /// use: each part of a long sitemap takes its slice of the one list.
    sitemap: OnceLock<Vec<(String, jiff::Timestamp)>>,
    /// [`SITEMAP_LIMIT`]; lower in tests.
    sitemap_limit: usize,
    /// The context of an edition's newsletter, made for the first of its
    /// two letters and taken by the second: both see the same context.
    letters: Mutex<HashMap<(usize, u64), Context>>,
}

/// Newsletter contexts held for a second letter at most: a build renders an
/// edition's two letters one after the other, and a rebuild that renders
/// only one of them (its template changed) holds no more than this.
const LETTERS_HELD: usize = 64;

/// What a template page's context holds, as a hash (`None`: a page made
/// without a template). Part of the page's fingerprint.
fn context_hash(prepared: &Prepared<'_>) -> Option<u64> {
    match prepared {
        Prepared::Template { ctx, .. } => Some(hash_of(ctx)),
        Prepared::Plain { .. } => None,
    }
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = crate::fingerprint::hasher();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
thread_local! {
    /// Newsletter contexts this thread made: one an edition, not one a letter.
    static LETTER_CONTEXTS_MADE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let renderer = Renderer::with_listings(site, theme, Arc::new(Listings::new(site)));
        renderer.cards();
        renderer
    }

    /// A renderer reusing `listings`, which must be those of `site` (or of
    /// a site that differs from it only in article bodies, which listings
    /// do not show).
    pub(crate) fn with_listings(site: &'a Site, theme: &'a Theme, listings: Arc<Listings>) -> Self {
        let links = site.editions.iter().map(|e| EditionLinkView::new(site, e)).collect();
        let site_view = SiteView::new(site);
        let site_hash = {
            let mut hasher = crate::fingerprint::hasher();
            serde_json::to_string(&site_view).unwrap_or_default().hash(&mut hasher);
            hasher.finish()
        };
        Renderer {
            site,
            theme,
            site_value: Value::from_serializable(&site_view),
            site_hash,
            links,
            cards: OnceLock::new(),
            listings,
            sitemap: OnceLock::new(),
            sitemap_limit: SITEMAP_LIMIT,
            letters: Mutex::default(),
        }
    }

    /// The listings this renderer uses, to share with a later one.
    pub(crate) fn listings(&self) -> Arc<Listings> {
        Arc::clone(&self.listings)
    }

    fn cards(&self) -> &[Vec<ArticleCardView<'a>>] {
        self.cards.get_or_init(|| {
            self.theme.note_card_set();
            self.site.editions.par_iter().map(|e| e.articles.iter().map(ArticleCardView::new).collect()).collect()
        })
    }

    fn card(&self, e: usize, a: usize) -> ArticleCardView<'a> {
        match self.cards.get() {
            Some(cards) => cards[e][a].clone(),
            None => ArticleCardView::new(&self.site.editions[e].articles[a]),
        }
    }

    /// Whether `page` shows the body of article `a` of edition `e` in full
    /// (not only its card): its own page, and the feeds that list it. The
    /// preview's body shortcut re-renders just these pages after an edit of
    /// a body alone, so every page kind answers here.
    pub(crate) fn shows_body(&self, page: &Page, e: usize, a: usize) -> bool {
        let in_feed = |list: &[(usize, usize)]| list.iter().take(self.site.config.feeds.limit).any(|&x| x == (e, a));
        match *page {
            Page::Article(pe, pa) => (pe, pa) == (e, a),
            Page::Atom | Page::JsonFeed => in_feed(&self.listings.newest),
            Page::SectionFeed(t) => in_feed(&self.listings.terms(Kind::Sections)[t].articles),
            Page::Front
            | Page::NotFound
            | Page::Edition(_)
            | Page::Alias(..)
            | Page::Archive(_)
            | Page::TaxonomyIndex(_)
            | Page::Term(..)
            | Page::Sitemap
            | Page::SitemapPart(_)
            | Page::Robots
            | Page::Newsletter(..)
            | Page::Search => false,
        }
    }

    /// The rendered body an article's own page shows; `None` for other pages.
    /// The preview holds an article page with this very text in it shared
    /// with the site rather than packed a second time (see `Packed::pack_sharing`).
    pub(crate) fn own_body(&self, page: &Page) -> Option<&'a crate::packed::Text> {
        match *page {
            Page::Article(e, a) => Some(&self.site.editions[e].articles[a].body_html),
            _ => None,
        }
    }

    /// Every page of the site, in a stable order.
    pub(crate) fn pages(&self) -> Vec<Page> {
        let mut all = pages(self.site, &self.listings);
        let parts = self.sitemap_parts();
        if parts > 1 {
            all.extend((1..=parts).map(Page::SitemapPart));
        }
        all
    }

    /// How many files the sitemap needs (1: a plain `sitemap.xml`).
    fn sitemap_parts(&self) -> usize {
        // Counted without building the URLs: this runs on every rebuild.
        // Must agree with `listing_urls` (the sitemap test checks it).
        let terms: usize =
            Kind::ALL.iter().map(|&k| 1 + self.listings.terms(k).iter().map(|t| t.pages()).sum::<usize>()).sum();
        let listings = 1 + self.listings.years.len() + terms;
        let urls = 1 + self.site.editions.iter().map(|e| 1 + e.articles.len()).sum::<usize>() + listings;
        urls.div_ceil(self.sitemap_limit).max(1)
    }

    /// The file a page is written to, relative to the output folder.
    pub(crate) fn output(&self, page: &Page) -> String {
        let site = self.site;
        match *page {
            Page::Front => "index.html".into(),
            Page::NotFound => "404.html".into(),
            Page::Edition(e) => site.editions[e].output.clone(),
            Page::Article(e, a) => site.editions[e].articles[a].output.clone(),
            Page::Archive(y) => output_file(&self.archive_path(y)),
            Page::TaxonomyIndex(kind) => format!("{}/index.html", kind.folder()),
            Page::Term(kind, t, p) => output_file(&term_path(kind, &self.listings.terms(kind)[t].slug, p)),
            Page::SectionFeed(t) => format!("sections/{}/feed.xml", self.listings.terms(Kind::Sections)[t].slug),
            Page::Atom => "feed.xml".into(),
            Page::JsonFeed => "feed.json".into(),
            Page::Sitemap => "sitemap.xml".into(),
            Page::SitemapPart(n) => format!("sitemap-{n}.xml"),
            Page::Robots => "robots.txt".into(),
            Page::Search => crate::search::PAGE.into(),
            Page::Alias(e, a, k) => site.editions[e].articles[a].aliases[k].clone(),
            Page::Newsletter(e, letter) => newsletter::output_path(&site.editions[e].output, letter),
        }
    }

    /// Everything a page's output depends on, ready to render.
    pub(crate) fn prepare(&self, page: &Page) -> Prepared<'_> {
        match *page {
            Page::Front => self.front(),
            Page::NotFound => self.not_found(),
            Page::Edition(e) => self.edition(e),
            Page::Article(e, a) => self.article(e, a),
            Page::Archive(y) => self.archive(y),
            Page::TaxonomyIndex(kind) => self.taxonomy_index(kind),
            Page::Term(kind, t, p) => self.term(kind, t, p),
            Page::Newsletter(e, letter) => self.newsletter(e, letter),
            Page::Search => self.search(),
            _ => Prepared::Plain { text: self.plain(page) },
        }
    }

    /// `page` with its output path, as the catalogue lists it.
    pub(crate) fn entry(&self, page: Page) -> Entry {
        Entry { path: self.output(&page), page }
    }

    /// The page of `entry` rendered, whatever its output holds now.
    pub(crate) fn render(&self, entry: &Entry) -> Result<OutputFile, Diagnostic> {
        let bytes = self.render_prepared(entry, self.prepare(&entry.page), None)?;
        Ok(OutputFile { path: entry.path.clone(), bytes })
    }

    /// The page of `entry` rendered, unless `reuse` finds its output already
    /// holding what the page's fingerprint stands for. The one keep-or-render
    /// step of `build` (whose recycled folder holds the last build's files)
    /// and of the preview (which holds the last rebuild's pages in memory):
    /// `reuse` gets the fingerprint, from the preparation that renders the
    /// page, and returns what stands for the kept output (`None`: render).
    pub(crate) fn render_unless<R>(
        &self,
        entry: &Entry,
        reuse: impl FnOnce(u64) -> Option<R>,
    ) -> Result<Made<R>, Diagnostic> {
        let prepared = self.prepare(&entry.page);
        let context = context_hash(&prepared);
        let fingerprint = self.hash_prepared(&entry.path, &prepared, context);
        if let Some(kept) = reuse(fingerprint) {
            return Ok(Made { fingerprint, output: Output::Reused(kept) });
        }
        let bytes = self.render_prepared(entry, prepared, context)?;
        Ok(Made { fingerprint, output: Output::Rendered(bytes) })
    }

    /// Renders what [`Renderer::prepare`] made of the page of `entry`
    /// (`context`: its [`context_hash`], if known).
    fn render_prepared(
        &self,
        entry: &Entry,
        prepared: Prepared<'_>,
        context: Option<u64>,
    ) -> Result<Vec<u8>, Diagnostic> {
        match prepared {
            Prepared::Template { name, ctx } => {
                let Page::Newsletter(e, letter) = entry.page else {
                    return Ok(self.theme.render(name, &ctx.into_context(&self.site_value))?.into_bytes());
                };
                // Keyed by what the context holds too: the letters share it
                // only while they are given the same one.
                let key = (e, context.unwrap_or_else(|| hash_of(&ctx)));
                let letters = || self.letters.lock().unwrap_or_else(|p| p.into_inner());
                let held = letters().remove(&key);
                let first = held.is_none();
                let context = held.unwrap_or_else(|| {
                    #[cfg(test)]
                    LETTER_CONTEXTS_MADE.with(|n| n.set(n.get() + 1));
                    ctx.into_context(&self.site_value)
                });
                let html = self.theme.render(name, &context)?;
                if first {
                    let mut letters = letters();
                    if letters.len() < LETTERS_HELD {
                        letters.insert(key, context);
                    }
                }
                Ok(newsletter::finish(letter, html, self.theme.inliner())
                    .map_err(|m| Diagnostic::error(name, m))?
                    .into_bytes())
            }
            Prepared::Plain { text } => Ok(text.into_bytes()),
        }
    }

    /// A hash of everything the page's bytes depend on: its template (with
    /// what it extends and includes), its context and its path. Equal
    /// fingerprints mean an unchanged page, so a rebuild renders only the
    /// others.
    pub(crate) fn fingerprint(&self, page: &Page) -> u64 {
        let prepared = self.prepare(page);
        self.hash_prepared(&self.output(page), &prepared, context_hash(&prepared))
    }

    /// The fingerprint of `prepared` for `path`; `context` is its [`context_hash`].
    fn hash_prepared(&self, path: &str, prepared: &Prepared<'_>, context: Option<u64>) -> u64 {
        let mut hasher = crate::fingerprint::hasher();
        match prepared {
            Prepared::Template { name, ctx } => {
                let context = context.unwrap_or_else(|| hash_of(ctx));
                (self.site_hash, name, self.theme.template_hash(name), path, context).hash(&mut hasher);
            }
            Prepared::Plain { text } => (path, text).hash(&mut hasher),
        }
        hasher.finish()
    }

    /// Pages made without templates: feeds, sitemap, robots.txt, redirects.
    fn plain(&self, page: &Page) -> String {
        let site = self.site;
        let newest = |list: &[(usize, usize)]| -> Vec<&Article> {
            list.iter().take(site.config.feeds.limit).map(|&(e, a)| &site.editions[e].articles[a]).collect()
        };
        match *page {
            Page::Atom => feeds::atom(site, &site.config.title, "/feed.xml", &newest(&self.listings.newest)),
            Page::JsonFeed => feeds::json_feed(site, &newest(&self.listings.newest)),
            Page::SectionFeed(t) => {
                let term = &self.listings.terms(Kind::Sections)[t];
                let title = format!("{} — {}", site.config.title, term.name);
                feeds::atom(site, &title, &format!("/sections/{}/feed.xml", term.slug), &newest(&term.articles))
            }
            Page::Sitemap => match self.sitemap_parts() {
                1 => extras::sitemap(site, self.sitemap_entries()),
                parts => extras::sitemap_index(site, parts),
            },
            Page::SitemapPart(n) => {
                let entries = self.sitemap_entries();
                let start = ((n - 1) * self.sitemap_limit).min(entries.len());
                let end = (start + self.sitemap_limit).min(entries.len());
                extras::sitemap(site, &entries[start..end])
            }
            Page::Robots => extras::robots(site),
            Page::Alias(e, a, _) => extras::redirect(site, &site.editions[e].articles[a].url),
            _ => String::new(),
        }
    }

    fn sitemap_entries(&self) -> &[(String, jiff::Timestamp)] {
        self.sitemap.get_or_init(|| extras::sitemap_entries(self.site, &self.listing_urls()))
    }

    /// URLs (with prefix) of the archive and taxonomy pages, for the sitemap.
    fn listing_urls(&self) -> Vec<String> {
        let root = &self.site.base.root;
        let mut urls = vec![self.url(&self.archive_path(None))];
        urls.extend((0..self.listings.years.len()).map(|y| self.url(&self.archive_path(Some(y)))));
        for kind in Kind::ALL {
            urls.push(format!("{root}{}/", kind.folder()));
            for term in self.listings.terms(kind) {
                urls.extend((1..=term.pages()).map(|p| self.url(&term_path(kind, &term.slug, p))));
            }
        }
        urls
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.site.base.root, path.trim_start_matches('/'))
    }

    fn archive_path(&self, year: Option<usize>) -> String {
        match year {
            None => "/archive/".into(),
            Some(y) => format!("/archive/{}/", self.listings.years[y].0),
        }
    }

    fn context(&self, page: PageView) -> Box<Vars<'_>> {
        Box::new(Vars { page: Some(page), ..Vars::default() })
    }

    fn image(&self, photo: Option<&crate::content::Photo>) -> Option<String> {
        photo.map(|p| absolute(self.site, &p.src))
    }

    fn edition_view(&self, e: usize) -> EditionView<'a> {
        let edition: &'a Edition = &self.site.editions[e];
        EditionView {
            link: self.links[e].clone(),
            summary: &edition.summary,
            permalink: absolute(self.site, &edition.url),
            note_html: &edition.note_html,
            photo: edition.photo.as_ref().map(PhotoView::from),
            scheduled: edition.scheduled,
            article_count: edition.articles.len(),
            articles: self.cards()[e].clone(),
            prev: e.checked_sub(1).map(|p| self.links[p].clone()),
            next: self.links.get(e + 1).cloned(),
        }
    }

    fn front(&self) -> Prepared<'_> {
        let site = self.site;
        let latest = site.editions.len().checked_sub(1);
        let description = match latest {
            Some(e) if site.config.description.is_empty() => site.editions[e].summary.clone(),
            _ => site.config.description.clone(),
        };
        let image = latest.and_then(|e| {
            let ed = &site.editions[e];
            self.image(ed.photo.as_ref().or_else(|| ed.articles.iter().find_map(|a| a.photo.as_ref())))
        });
        let page = PageView {
            title: site.config.title.clone(),
            description,
            canonical: site.base.absolute.clone(),
            kind: "front",
            og_type: "website",
            image,
        };
        let mut ctx = self.context(page);
        if let Some(e) = latest {
            ctx.edition = Some(self.edition_view(e));
        }
        ctx.recent = Some(self.links.iter().rev().skip(1).take(RECENT_EDITIONS).cloned().collect());
        Prepared::Template { name: "index.html", ctx }
    }

    fn not_found(&self) -> Prepared<'_> {
        let site = self.site;
        let page = PageView {
            title: format!("Page not found — {}", site.config.title),
            description: site.config.description.clone(),
            canonical: format!("{}404.html", site.base.absolute),
            kind: "not_found",
            og_type: "website",
            image: None,
        };
        Prepared::Template { name: "404.html", ctx: self.context(page) }
    }

    fn edition(&self, e: usize) -> Prepared<'_> {
        let edition = &self.site.editions[e];
        let description =
            if edition.summary.is_empty() { self.site.config.description.clone() } else { edition.summary.clone() };
        let image =
            self.image(edition.photo.as_ref().or_else(|| edition.articles.iter().find_map(|a| a.photo.as_ref())));
        // The browser tab and search results name the site, as article pages do (the
        // default title already holds the publication's name).
        let config = &self.site.config;
        let named = edition.title.contains(&config.title) || edition.title.contains(config.publication());
        let title = if named { edition.title.clone() } else { format!("{} — {}", edition.title, config.title) };
        let page = PageView {
            title,
            description,
            canonical: absolute(self.site, &edition.url),
            kind: "edition",
            og_type: "website",
            image,
        };
        let mut ctx = self.context(page);
        ctx.edition = Some(self.edition_view(e));
        Prepared::Template { name: "edition.html", ctx }
    }

    fn newsletter(&self, e: usize, letter: Letter) -> Prepared<'_> {
        let edition = &self.site.editions[e];
        let view = newsletter::view(self.site, edition);
        let page = PageView {
            title: format!("{} — {}", edition.title, self.site.config.publication()),
            description: view.preheader.clone(),
            canonical: view.web_url.clone(),
            kind: "newsletter",
            og_type: "website",
            image: None,
        };
        let mut ctx = self.context(page);
        ctx.newsletter = Some(view);
        Prepared::Template { name: letter.template(), ctx }
    }

    fn archive(&self, year: Option<usize>) -> Prepared<'_> {
        let site = self.site;
        let years: Vec<YearView> = self
            .listings
            .years
            .iter()
            .enumerate()
            .map(|(y, (year, eds))| YearView {
                year: *year,
                url: self.url(&self.archive_path(Some(y))),
                edition_count: eds.len(),
                article_count: eds.iter().map(|&e| site.editions[e].articles.len()).sum(),
            })
            .collect();
        // `/archive/` shows the newest year in full; each year has its own page.
        let shown = year.or((!self.listings.years.is_empty()).then_some(0));
        let months = shown.map(|y| self.months(&self.listings.years[y].1)).unwrap_or_default();
        let path = self.archive_path(year);
        let title = match year {
            None => format!("Archive — {}", site.config.title),
            Some(y) => format!("Archive {} — {}", self.listings.years[y].0, site.config.title),
        };
        let page = PageView {
            title,
            description: format!("Every edition of {}, newest first.", site.config.the_publication()),
            canonical: absolute(site, &self.url(&path)),
            kind: "archive",
            og_type: "website",
            image: None,
        };
        let mut ctx = self.context(page);
        ctx.year = shown.map(|y| years[y].clone());
        ctx.years = Some(years);
        ctx.months = Some(months);
        Prepared::Template { name: "archive.html", ctx }
    }

    fn months(&self, editions: &[usize]) -> Vec<MonthView<'a>> {
        let mut months: Vec<MonthView<'a>> = Vec::new();
        for &e in editions {
            let ed: &'a Edition = &self.site.editions[e];
            let anchor = format!("{:04}-{:02}", ed.date.year(), ed.date.month());
            if months.last().is_none_or(|m| m.anchor != anchor) {
                let name = crate::content::display_date("%B %Y", ed.date);
                months.push(MonthView { name, anchor, editions: Vec::new() });
            }
            if let Some(m) = months.last_mut() {
                m.editions.push(ArchiveEditionView {
                    link: self.links[e].clone(),
                    summary: &ed.summary,
                    article_count: ed.articles.len(),
                });
            }
        }
        months
    }

    fn taxonomy_view(&self, kind: Kind) -> TaxonomyView {
        TaxonomyView {
            kind: kind.folder(),
            name: kind.label(),
            singular: kind.singular(),
            url: format!("{}{}/", self.site.base.root, kind.folder()),
        }
    }

    fn search(&self) -> Prepared<'_> {
        let site = self.site;
        let view = crate::search::view(site);
        let page = PageView {
            title: format!("Search — {}", site.config.title),
            description: format!("Search the archive of {}.", site.config.the_publication()),
            canonical: absolute(site, &view.url),
            kind: "search",
            og_type: "website",
            image: None,
        };
        let mut ctx = self.context(page);
        ctx.search = Some(view);
        Prepared::Template { name: "search.html", ctx }
    }

    fn taxonomy_index(&self, kind: Kind) -> Prepared<'_> {
        let site = self.site;
        let taxonomy = self.taxonomy_view(kind);
        let terms: Vec<TermView> = self
            .listings
            .terms(kind)
            .iter()
            .map(|t| TermView {
                name: &t.name,
                slug: &t.slug,
                url: self.url(&term_path(kind, &t.slug, 1)),
                count: t.articles.len(),
            })
            .collect();
        let page = PageView {
            title: format!("{} — {}", kind.label(), site.config.title),
            description: format!("{} of {}.", kind.label(), site.config.the_publication()),
            canonical: absolute(site, &taxonomy.url),
            kind: "taxonomy",
            og_type: "website",
            image: None,
        };
        let mut ctx = self.context(page);
        ctx.taxonomy = Some(taxonomy);
        ctx.terms = Some(terms);
        Prepared::Template { name: "taxonomy.html", ctx }
    }

    fn term(&self, kind: Kind, t: usize, number: usize) -> Prepared<'_> {
        let site = self.site;
        let term = &self.listings.terms(kind)[t];
        let path = term_path(kind, &term.slug, number);
        let articles: Vec<ListedArticleView> = term.articles[(number - 1) * PER_PAGE..]
            .iter()
            .take(PER_PAGE)
            .map(|&(e, a)| ListedArticleView { card: self.card(e, a), edition: self.links[e].clone() })
            .collect();
        let total = term.pages();
        let pagination = PaginationView {
            current: number,
            total,
            prev: (number > 1).then(|| self.url(&term_path(kind, &term.slug, number - 1))),
            next: (number < total).then(|| self.url(&term_path(kind, &term.slug, number + 1))),
        };
        let page_note = if number > 1 { format!(" (page {number})") } else { String::new() };
        let page = PageView {
            title: format!("{}{page_note} — {}", term.name, site.config.title),
            description: match kind {
                Kind::Authors => format!("Articles by {} in {}.", term.name, site.config.the_publication()),
                _ => format!("Articles filed under {} in {}.", term.name, site.config.the_publication()),
            },
            canonical: absolute(site, &self.url(&path)),
            kind: "term",
            og_type: "website",
            image: None,
        };
        let mut ctx = self.context(page);
        ctx.taxonomy = Some(self.taxonomy_view(kind));
        ctx.term = Some(TermView {
            name: &term.name,
            slug: &term.slug,
            url: self.url(&term_path(kind, &term.slug, 1)),
            count: term.articles.len(),
        });
        ctx.articles = Some(articles);
        ctx.pagination = Some(pagination);
        Prepared::Template { name: "term.html", ctx }
    }

    fn article(&self, e: usize, i: usize) -> Prepared<'_> {
        let site = self.site;
        let edition = &site.editions[e];
        let a = &edition.articles[i];
        let link = |j: usize| edition.articles.get(j).map(|b| LinkView { title: &b.title, url: &b.url });
        let view = ArticleView {
            card: self.card(e, i),
            dek: a.summary_written.then_some(a.summary.as_str()),
            slug: &a.slug,
            permalink: absolute(site, &a.url),
            body_html: Html { text: &a.body_html, hash: a.body_hash },
            published: a.date.to_string(),
            updated: a.updated.as_deref(),
            json_ld: JsonLd(site, a),
            extra: Extra(&a.extra),
            scheduled: edition.scheduled,
            prev: i.checked_sub(1).and_then(link),
            next: link(i + 1),
            section_url: a
                .section
                .as_ref()
                .and_then(|s| term_links(site, Kind::Sections.folder(), std::slice::from_ref(s)).pop().map(|l| l.url)),
            tag_links: term_links(site, Kind::Tags.folder(), &a.tags),
            author_links: term_links(site, Kind::Authors.folder(), &a.authors),
        };
        let page = PageView {
            title: format!("{} — {}", a.title, site.config.title),
            description: a.summary.clone(),
            canonical: view.permalink.clone(),
            kind: "article",
            og_type: "article",
            image: self.image(a.photo.as_ref()),
        };
        let mut ctx = self.context(page);
        ctx.article = Some(view);
        ctx.edition_link = Some(self.links[e].clone());
        Prepared::Template { name: "article.html", ctx }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BuildOptions;

    fn site_with_articles(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "title: T\nbase_url: https://x.org/d/\n").unwrap();
        let folder = dir.path().join("content/2023-09-05");
        std::fs::create_dir_all(&folder).unwrap();
        for i in 0..n {
            std::fs::write(folder.join(format!("a{i}.md")), format!("---\ntitle: A{i}\n---\nBody.\n")).unwrap();
        }
        dir
    }

    #[test]
    fn an_editions_two_letters_share_one_context_and_few_are_held() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "title: T\nbase_url: https://x.org/d/\n").unwrap();
        let editions = LETTERS_HELD + 6;
        for day in 0..editions {
            let folder = dir.path().join(format!("content/2023-{:02}-{:02}", 1 + day / 28, 1 + day % 28));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("a.md"), format!("---\ntitle: Story {day}\n---\nBody {day}.\n")).unwrap();
        }
        let site = crate::content::load(&BuildOptions::new(dir.path())).unwrap();
        let theme = Theme::compile(crate::content::theme::ThemeFiles::read(dir.path(), &site.config).unwrap()).unwrap();
        let made = || LETTER_CONTEXTS_MADE.with(std::cell::Cell::get);
        let letter =
            |renderer: &Renderer, e, letter| renderer.render(&renderer.entry(Page::Newsletter(e, letter))).unwrap();

        let renderer = Renderer::new(&site, &theme);
        let before = made();
        for e in 0..editions {
            let (html, text) = (letter(&renderer, e, Letter::Html), letter(&renderer, e, Letter::Text));
            // Each letter alone, from a renderer of its own, is the same.
            let alone = Renderer::new(&site, &theme);
            assert_eq!(text.bytes, letter(&alone, e, Letter::Text).bytes, "edition {e}: text");
            assert_eq!(html.bytes, letter(&Renderer::new(&site, &theme), e, Letter::Html).bytes, "edition {e}: html");
        }
        assert_eq!(made() - before, editions * 3, "one context for both letters, one for each letter alone");
        assert!(renderer.letters.lock().unwrap().is_empty(), "a context is held only until its second letter");

        // A rebuild that renders one letter of each edition holds a bounded few.
        let renderer = Renderer::new(&site, &theme);
        for e in 0..editions {
            letter(&renderer, e, Letter::Html);
        }
        assert_eq!(renderer.letters.lock().unwrap().len(), LETTERS_HELD);

        // A letter given another context than its partner's renders its own.
        let entry = renderer.entry(Page::Newsletter(0, Letter::Text));
        let mut prepared = renderer.prepare(&entry.page);
        if let Prepared::Template { ctx, .. } = &mut prepared {
            ctx.newsletter.as_mut().unwrap().footer = "A footer of its own".into();
        }
        let text = String::from_utf8(renderer.render_prepared(&entry, prepared, None).unwrap()).unwrap();
        assert!(text.contains("A footer of its own"), "{text}");
    }

    #[test]
    fn long_sitemaps_become_an_index_of_parts() {
        let dir = site_with_articles(5);
        let site = crate::content::load(&BuildOptions::new(dir.path())).unwrap();
        let theme = Theme::compile(crate::content::theme::ThemeFiles::read(dir.path(), &site.config).unwrap()).unwrap();
        let mut renderer = Renderer::new(&site, &theme);
        let built = || super::extras::ENTRIES_BUILT.with(std::cell::Cell::get);
        let before = built();
        let single = renderer.render(&renderer.entry(Page::Sitemap)).unwrap();
        let urls = String::from_utf8(single.bytes).unwrap().matches("<url>").count();
        assert!(urls > 5, "{urls}");

        renderer.sitemap_limit = 4;
        let parts = urls.div_ceil(4);
        let pages = renderer.pages();
        assert_eq!(pages.iter().filter(|p| matches!(p, Page::SitemapPart(_))).count(), parts);
        let index = String::from_utf8(renderer.render(&renderer.entry(Page::Sitemap)).unwrap().bytes).unwrap();
        assert!(index.contains("<sitemapindex"));
        assert!(index.contains("<loc>https://x.org/d/sitemap-1.xml</loc>"));
        let mut listed = 0;
        for n in 1..=parts {
            let part = renderer.render(&renderer.entry(Page::SitemapPart(n))).unwrap();
            assert_eq!(part.path, format!("sitemap-{n}.xml"));
            let count = String::from_utf8(part.bytes).unwrap().matches("<url>").count();
            assert!((1..=4).contains(&count));
            listed += count;
        }
        assert_eq!(listed, urls, "every URL is in exactly one part");
        // A site of N pages in N / limit parts must not list its URLs per part.
        assert_eq!(built() - before, 1, "the sitemap and its parts share one list of URLs");
    }
}
