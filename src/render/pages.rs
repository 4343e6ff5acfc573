//! One function per page kind: builds the template context from views and
//! renders the template. The site-wide parts of every context (`site`, the
//! edition links) are computed once in [`Renderer::new`].

use tera::{Context, Value};

use super::OutputFile;
use super::context::{
    ArticleCardView, ArticleView, EditionLinkView, EditionView, LinkView, PageView, PhotoView, SiteView, absolute,
    json_ld,
};
use super::theme::Theme;
use crate::content::{Edition, Site};
use crate::diagnostic::Diagnostic;

/// How many earlier editions the front page links to.
const RECENT_EDITIONS: usize = 7;

/// A page to render; indexes point into `Site::editions` and its articles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Page {
    Front,
    NotFound,
    Edition(usize),
    Article(usize, usize),
}

/// Shared, read-only state for rendering pages in parallel.
pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    site_value: Value,
    links: Vec<EditionLinkView<'a>>,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let links = site.editions.iter().map(|e| EditionLinkView::new(site, e)).collect();
        Renderer { site, theme, site_value: Value::from_serializable(&SiteView::new(site)), links }
    }

    pub fn render(&self, page: &Page) -> Result<OutputFile, Diagnostic> {
        match *page {
            Page::Front => self.front(),
            Page::NotFound => self.not_found(),
            Page::Edition(e) => self.edition(e),
            Page::Article(e, a) => self.article(e, a),
        }
    }

    fn context(&self, page: PageView) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert("page", &page);
        ctx
    }

    fn finish(&self, template: &str, ctx: &Context, path: String) -> Result<OutputFile, Diagnostic> {
        let html = self.theme.render(template, ctx)?;
        Ok(OutputFile { path, bytes: html.into_bytes() })
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
            articles: edition.articles.iter().map(ArticleCardView::new).collect(),
            prev: e.checked_sub(1).map(|p| self.links[p].clone()),
            next: self.links.get(e + 1).cloned(),
        }
    }

    fn front(&self) -> Result<OutputFile, Diagnostic> {
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
            ctx.insert("edition", &self.edition_view(e));
        }
        let recent: Vec<&EditionLinkView> = self.links.iter().rev().skip(1).take(RECENT_EDITIONS).collect();
        ctx.insert("recent", &recent);
        self.finish("index.html", &ctx, "index.html".into())
    }

    fn not_found(&self) -> Result<OutputFile, Diagnostic> {
        let site = self.site;
        let page = PageView {
            title: format!("Page not found — {}", site.config.title),
            description: site.config.description.clone(),
            canonical: format!("{}404.html", site.base.absolute),
            kind: "not_found",
            og_type: "website",
            image: None,
        };
        self.finish("404.html", &self.context(page), "404.html".into())
    }

    fn edition(&self, e: usize) -> Result<OutputFile, Diagnostic> {
        let edition = &self.site.editions[e];
        let description =
            if edition.summary.is_empty() { self.site.config.description.clone() } else { edition.summary.clone() };
        let image =
            self.image(edition.photo.as_ref().or_else(|| edition.articles.iter().find_map(|a| a.photo.as_ref())));
        let page = PageView {
            title: edition.title.clone(),
            description,
            canonical: absolute(self.site, &edition.url),
            kind: "edition",
            og_type: "website",
            image,
        };
        let mut ctx = self.context(page);
        ctx.insert("edition", &self.edition_view(e));
        self.finish("edition.html", &ctx, edition.output.clone())
    }

    fn article(&self, e: usize, i: usize) -> Result<OutputFile, Diagnostic> {
        let site = self.site;
        let edition = &site.editions[e];
        let a = &edition.articles[i];
        let link = |j: usize| edition.articles.get(j).map(|b| LinkView { title: &b.title, url: &b.url });
        let view = ArticleView {
            card: ArticleCardView::new(a),
            slug: &a.slug,
            permalink: absolute(site, &a.url),
            body_html: &a.body_html,
            published: a.date.to_string(),
            updated: a.updated.as_deref(),
            json_ld: json_ld(site, a),
            extra: &a.extra,
            scheduled: edition.scheduled,
            prev: i.checked_sub(1).and_then(link),
            next: link(i + 1),
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
        ctx.insert("article", &view);
        ctx.insert("edition", &self.links[e]);
        self.finish("article.html", &ctx, a.output.clone())
    }
}
