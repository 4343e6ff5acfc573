//! The template contract: the view structs templates see (see
//! `docs/templates.md`). Every template gets `site` and `page`;
//! `index.html` gets `edition` (absent on an empty site) and `recent`;
//! `edition.html` gets `edition`; `article.html` gets `article` and
//! `edition` (a link to its edition); `404.html` only `site` and `page`.

use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::content::{Article, Edition, Photo, Site};

#[derive(Debug, Serialize, Hash)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub publication: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_url: &'a str,
    pub root: &'a str,
    pub extra: Extra<'a>,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> Self {
        let c = &site.config;
        SiteView {
            title: &c.title,
            publication: c.publication(),
            description: &c.description,
            language: &c.language,
            base_url: &site.base.absolute,
            root: &site.base.root,
            extra: Extra(&c.extra),
        }
    }
}

#[derive(Debug, Serialize, Hash)]
pub struct PageView {
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub kind: &'static str,
    pub og_type: &'static str,
    pub image: Option<String>,
}

/// A photo. `width` and `height` are those of `src` (absent for remote
/// photos and images whose size cannot be read); `srcset` lists every size
/// made of a local JPEG or PNG (absent when there is only one).
#[derive(Debug, Clone, Serialize, Hash)]
pub struct PhotoView<'a> {
    pub src: &'a str,
    pub alt: &'a str,
    pub credit: Option<&'a str>,
    pub caption: Option<&'a str>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub srcset: Option<String>,
}

impl<'a> From<&'a Photo> for PhotoView<'a> {
    fn from(p: &'a Photo) -> Self {
        let size = p.size.as_deref();
        PhotoView {
            src: &p.src,
            alt: &p.alt,
            credit: p.credit.as_deref(),
            caption: p.caption.as_deref(),
            width: size.map(|s| s.src().width),
            height: size.map(|s| s.src().height),
            srcset: size.and_then(|s| s.srcset()),
        }
    }
}

/// `Serialize` for the views whose fields are written out by their
/// `serialize_fields` (see [`ArticleCardView::serialize_fields`]), with the
/// number of fields each writes.
macro_rules! serialize_by_fields {
    ($($view:ident: $len:literal),* $(,)?) => {$(
        impl Serialize for $view<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut s = serializer.serialize_struct(stringify!($view), $len)?;
                self.serialize_fields(&mut s)?;
                s.end()
            }
        }
    )*};
}

serialize_by_fields!(
    EditionLinkView: 5,
    ArticleCardView: 9,
    EditionView: 14,
    ListedArticleView: 10,
    ArchiveEditionView: 7,
    ArticleView: 22,
);

#[derive(Debug, Clone, Hash)]
pub struct EditionLinkView<'a> {
    pub date: String,
    pub date_display: String,
    pub short_date: String,
    pub title: &'a str,
    pub url: &'a str,
}

impl<'a> EditionLinkView<'a> {
    pub fn new(site: &Site, e: &'a Edition) -> Self {
        EditionLinkView {
            date: e.date.to_string(),
            date_display: site.display_date(e.date),
            short_date: format!("{:02}/{:02}", e.date.month(), e.date.day()),
            title: &e.title,
            url: &e.url,
        }
    }

    /// Writes the link's fields into `s`; see [`ArticleCardView::serialize_fields`].
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        s.serialize_field("date", &self.date)?;
        s.serialize_field("date_display", &self.date_display)?;
        s.serialize_field("short_date", &self.short_date)?;
        s.serialize_field("title", self.title)?;
        s.serialize_field("url", self.url)
    }
}

/// An article as listings show it. Its `Hash` is a hash of all its fields
/// computed once per article ([`ArticleCardView::new`]), so pages listing
/// many articles fingerprint cheaply.
#[derive(Debug, Clone)]
pub struct ArticleCardView<'a> {
    pub title: &'a str,
    pub url: &'a str,
    pub summary: &'a str,
    pub byline: &'a str,
    pub authors: &'a [String],
    pub section: Option<&'a str>,
    pub tags: &'a [String],
    pub photo: Option<PhotoView<'a>>,
    pub draft: bool,
    hash: u64,
}

impl<'a> ArticleCardView<'a> {
    pub fn new(a: &'a Article) -> Self {
        let mut card = ArticleCardView {
            title: &a.title,
            url: &a.url,
            summary: &a.summary,
            byline: &a.byline,
            authors: &a.authors,
            section: a.section.as_deref(),
            tags: &a.tags,
            photo: a.photo.as_ref().map(PhotoView::from),
            draft: a.draft,
            hash: 0,
        };
        let mut hasher = crate::fingerprint::hasher();
        (card.title, card.url, card.summary, card.byline, card.authors, card.section, card.tags).hash(&mut hasher);
        (&card.photo, card.draft).hash(&mut hasher);
        card.hash = hasher.finish();
        card
    }
}

impl ArticleCardView<'_> {
    /// Writes the card's fields into `s`, for the card's own serialisation
    /// and for the views that hold a card's fields and more. (Written out
    /// rather than with `#[serde(flatten)]`, which makes the view a map whose
    /// keys Tera allocates one by one: on taxonomy pages that cost as much as
    /// the cards themselves.)
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        s.serialize_field("title", self.title)?;
        s.serialize_field("url", self.url)?;
        s.serialize_field("summary", self.summary)?;
        s.serialize_field("byline", self.byline)?;
        s.serialize_field("authors", self.authors)?;
        s.serialize_field("section", &self.section)?;
        s.serialize_field("tags", self.tags)?;
        s.serialize_field("photo", &self.photo)?;
        s.serialize_field("draft", &self.draft)
    }
}

impl Hash for ArticleCardView<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// An edition page's edition: its link's fields and the rest. Its
/// fields are written out in `serialize_fields`: a new field goes there too.
#[derive(Debug, Hash)]
pub struct EditionView<'a> {
    pub link: EditionLinkView<'a>,
    pub summary: &'a str,
    pub permalink: String,
    pub note_html: &'a str,
    pub photo: Option<PhotoView<'a>>,
    pub scheduled: bool,
    pub article_count: usize,
    pub articles: Vec<ArticleCardView<'a>>,
    pub prev: Option<EditionLinkView<'a>>,
    pub next: Option<EditionLinkView<'a>>,
}

impl EditionView<'_> {
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        self.link.serialize_fields(s)?;
        s.serialize_field("summary", self.summary)?;
        s.serialize_field("permalink", &self.permalink)?;
        s.serialize_field("note_html", self.note_html)?;
        s.serialize_field("photo", &self.photo)?;
        s.serialize_field("scheduled", &self.scheduled)?;
        s.serialize_field("article_count", &self.article_count)?;
        s.serialize_field("articles", &self.articles)?;
        s.serialize_field("prev", &self.prev)?;
        s.serialize_field("next", &self.next)?;
        Ok(())
    }
}

/// An article in a listing (taxonomy pages): its card's fields and its edition.
#[derive(Debug, Hash)]
pub struct ListedArticleView<'a> {
    pub card: ArticleCardView<'a>,
    pub edition: EditionLinkView<'a>,
}

impl ListedArticleView<'_> {
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        self.card.serialize_fields(s)?;
        s.serialize_field("edition", &self.edition)?;
        Ok(())
    }
}

/// A taxonomy (`sections`, `tags`, `authors`).
#[derive(Debug, Serialize, Hash)]
pub struct TaxonomyView {
    pub kind: &'static str,
    pub name: &'static str,
    pub singular: &'static str,
    pub url: String,
}

/// A term of a taxonomy.
#[derive(Debug, Serialize, Hash)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: String,
    pub count: usize,
}

/// Where a paginated listing is.
#[derive(Debug, Serialize, Hash)]
pub struct PaginationView {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// A year of the archive, for navigation.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct YearView {
    pub year: i16,
    pub url: String,
    pub edition_count: usize,
    pub article_count: usize,
}

/// A month of the archive with its editions, newest first.
#[derive(Debug, Serialize, Hash)]
pub struct MonthView<'a> {
    pub name: String,
    pub anchor: String,
    pub editions: Vec<ArchiveEditionView<'a>>,
}

#[derive(Debug, Hash)]
pub struct ArchiveEditionView<'a> {
    pub link: EditionLinkView<'a>,
    pub summary: &'a str,
    pub article_count: usize,
}

impl ArchiveEditionView<'_> {
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        self.link.serialize_fields(s)?;
        s.serialize_field("summary", self.summary)?;
        s.serialize_field("article_count", &self.article_count)?;
        Ok(())
    }
}

#[derive(Debug, Serialize, Hash)]
pub struct LinkView<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// An article page's article: its card's fields and the rest. Its
/// fields are written out in `serialize_fields`: a new field goes there too.
#[derive(Debug, Hash)]
pub struct ArticleView<'a> {
    pub card: ArticleCardView<'a>,
    pub slug: &'a str,
    pub permalink: String,
    pub body_html: Html<'a>,
    pub published: String,
    pub updated: Option<&'a str>,
    pub json_ld: String,
    pub extra: Extra<'a>,
    pub scheduled: bool,
    pub prev: Option<LinkView<'a>>,
    pub next: Option<LinkView<'a>>,
    /// The section's page, when there is a section.
    pub section_url: Option<String>,
    /// Tags with the URLs of their pages.
    pub tag_links: Vec<TermLinkView<'a>>,
    /// Authors with the URLs of their pages.
    pub author_links: Vec<TermLinkView<'a>>,
}

impl ArticleView<'_> {
    fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        self.card.serialize_fields(s)?;
        s.serialize_field("slug", self.slug)?;
        s.serialize_field("permalink", &self.permalink)?;
        s.serialize_field("body_html", &self.body_html)?;
        s.serialize_field("published", &self.published)?;
        s.serialize_field("updated", &self.updated)?;
        s.serialize_field("json_ld", &self.json_ld)?;
        s.serialize_field("extra", &self.extra)?;
        s.serialize_field("scheduled", &self.scheduled)?;
        s.serialize_field("prev", &self.prev)?;
        s.serialize_field("next", &self.next)?;
        s.serialize_field("section_url", &self.section_url)?;
        s.serialize_field("tag_links", &self.tag_links)?;
        s.serialize_field("author_links", &self.author_links)?;
        Ok(())
    }
}

/// A term name and its page.
#[derive(Debug, Serialize, Hash)]
pub struct TermLinkView<'a> {
    pub name: &'a str,
    pub url: String,
}

/// Links to the term pages of `names` in taxonomy folder `folder`.
pub fn term_links<'a>(site: &Site, folder: &str, names: &'a [String]) -> Vec<TermLinkView<'a>> {
    names
        .iter()
        .filter_map(|n| {
            let slug = crate::content::slug::slugify(n);
            (!slug.is_empty()).then(|| TermLinkView { name: n, url: format!("{}{folder}/{slug}/", site.base.root) })
        })
        .collect()
}

/// Free data from YAML (`extra:`): serialized as is, hashed through its JSON text.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(transparent)]
pub struct Extra<'a>(pub &'a serde_json::Map<String, serde_json::Value>);

impl std::hash::Hash for Extra<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if !self.0.is_empty() {
            serde_json::to_string(self.0).unwrap_or_default().hash(state);
        }
    }
}

/// Rendered HTML with a hash computed when it was rendered, so a page's
/// fingerprint need not hash a whole article body again.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(transparent)]
pub struct Html<'a> {
    pub text: &'a str,
    #[serde(skip)]
    pub hash: u64,
}

impl std::hash::Hash for Html<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// An absolute URL for a root-relative one, as feeds and meta tags need.
pub fn absolute(site: &Site, url: &str) -> String {
    if url.starts_with('/') { site.base.absolute_of(url) } else { url.to_string() }
}

/// schema.org `NewsArticle` as JSON text that is safe inside `<script>`.
pub fn json_ld(site: &Site, a: &Article) -> String {
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.summary,
        "datePublished": a.date.to_string(),
        "dateModified": a.updated.clone().unwrap_or_else(|| a.date.to_string()),
        "mainEntityOfPage": absolute(site, &a.url),
        "publisher": { "@type": "Organization", "name": site.config.title },
        "author": a.authors.iter().map(|n| serde_json::json!({"@type": "Person", "name": n})).collect::<Vec<_>>(),
    });
    if let Some(section) = &a.section {
        value["articleSection"] = section.as_str().into();
    }
    if let Some(p) = &a.photo {
        let mut image = serde_json::json!({ "@type": "ImageObject", "url": absolute(site, &p.src) });
        if let Some(size) = &p.size {
            image["width"] = size.src().width.into();
            image["height"] = size.src().height.into();
        }
        if let Some(c) = &p.caption {
            image["caption"] = c.as_str().into();
        }
        if let Some(c) = &p.credit {
            image["creditText"] = c.as_str().into();
        }
        value["image"] = image;
    }
    super::escape::json_for_script(&value)
}

/// Escapes text for HTML text and quoted attributes (pages written without a
/// template). XML's escaping is also valid HTML, so both share one function.
pub fn html_escape(text: &str) -> String {
    super::feeds::xml_escape(text)
}

#[cfg(test)]
mod tests {
    use crate::content::byline;

    #[test]
    fn bylines_read_naturally() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(byline(&[]), "");
        assert_eq!(byline(&names(&["Ana"])), "By Ana");
        assert_eq!(byline(&names(&["Ana", "Tom"])), "By Ana and Tom");
        assert_eq!(byline(&names(&["A", "B", "C"])), "By A, B and C");
    }
}
