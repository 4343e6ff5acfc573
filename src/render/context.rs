//! The template contract: the view structs templates see (see
//! `docs/templates.md`). Every template gets `site` and `page`;
//! `index.html` gets `edition` (absent on an empty site) and `recent`;
//! `edition.html` gets `edition`; `article.html` gets `article` and
//! `edition` (a link to its edition); `404.html` only `site` and `page`.

use std::hash::{Hash, Hasher};

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

use crate::content::{Article, Edition, Photo, Site};
use crate::packed::Text;

#[derive(Debug, Serialize, Hash)]
pub(crate) struct SiteView<'a> {
    pub(crate) title: &'a str,
    pub(crate) publication: &'a str,
    /// `publication` as a sentence names it: "the Ledger", "The Daily".
    pub(crate) the_publication: String,
    pub(crate) description: &'a str,
    pub(crate) language: &'a str,
    pub(crate) base_url: &'a str,
    pub(crate) root: &'a str,
    /// The search page's URL, when the site has search.
    pub(crate) search: Option<String>,
    pub(crate) extra: Extra<'a>,
}

impl<'a> SiteView<'a> {
    pub(crate) fn new(site: &'a Site) -> Self {
        let c = &site.config;
        SiteView {
            title: &c.title,
            publication: c.publication(),
            the_publication: c.the_publication(),
            description: &c.description,
            language: &c.language,
            base_url: &site.base.absolute,
            root: &site.base.root,
            search: crate::search::page_url(site),
            extra: Extra(&c.extra),
        }
    }
}

#[derive(Debug, Serialize, Hash)]
pub(crate) struct PageView {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) canonical: String,
    pub(crate) kind: &'static str,
    pub(crate) og_type: &'static str,
    pub(crate) image: Option<String>,
}

/// A photo. `width` and `height` are those of `src` (absent for remote
/// photos and images whose size cannot be read); `srcset` lists every size
/// made of a local JPEG or PNG (absent when there is only one).
#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct PhotoView<'a> {
    pub(crate) src: &'a str,
    pub(crate) alt: &'a str,
    pub(crate) credit: Option<&'a str>,
    pub(crate) caption: Option<&'a str>,
    pub(crate) width: Option<u32>,
    pub(crate) height: Option<u32>,
    pub(crate) srcset: Option<String>,
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

/// `serialize_fields` and `Serialize` for a view whose fields are written
/// out one by one, each under its own name: first the fields of the view it
/// `embeds` (if any), then its own. (Written out rather than with
/// `#[serde(flatten)]`, which makes the view a map whose keys Tera allocates
/// one by one: on taxonomy pages that cost as much as the cards themselves.)
/// A new field of such a view goes into its list here, or into `skip` if
/// templates never see it; a field in neither does not compile (`listed`
/// names every field, without `..`).
macro_rules! view_fields {
    ($view:ident $(embeds $inner:ident: $inner_view:ident)? { $($field:ident),+ $(,)? } $(skip { $($skip:ident),+ })?) => {
        impl $view<'_> {
            /// How many fields `serialize_fields` writes.
            const FIELDS: usize = 0 $(+ $inner_view::FIELDS)? $(+ { let _ = stringify!($field); 1 })+;

            /// Never called: fails to compile when the list above misses a
            /// field of the view.
            #[allow(dead_code)]
            fn listed(&self) {
                let $view { $($inner: _,)? $($field: _,)+ $($($skip: _),+)? } = self;
            }

            fn serialize_fields<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
                $(self.$inner.serialize_fields(s)?;)?
                $(s.serialize_field(stringify!($field), &self.$field)?;)+
                Ok(())
            }
        }

        impl Serialize for $view<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut s = serializer.serialize_struct(stringify!($view), Self::FIELDS)?;
                self.serialize_fields(&mut s)?;
                s.end()
            }
        }
    };
}

#[derive(Debug, Clone, Hash)]
pub(crate) struct EditionLinkView<'a> {
    pub(crate) date: String,
    pub(crate) date_display: String,
    pub(crate) short_date: String,
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
}

impl<'a> EditionLinkView<'a> {
    pub(crate) fn new(site: &Site, e: &'a Edition) -> Self {
        EditionLinkView {
            date: e.date.to_string(),
            date_display: site.display_date(e.date),
            short_date: format!("{:02}/{:02}", e.date.month(), e.date.day()),
            title: &e.title,
            url: &e.url,
        }
    }
}

view_fields!(EditionLinkView { date, date_display, short_date, title, url });

/// An article as listings show it. Its `Hash` is a hash of all its fields
/// computed once per article ([`ArticleCardView::new`]), so pages listing
/// many articles fingerprint cheaply.
#[derive(Debug, Clone)]
pub(crate) struct ArticleCardView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) byline: &'a str,
    pub(crate) authors: &'a [String],
    pub(crate) section: Option<&'a str>,
    pub(crate) tags: &'a [String],
    pub(crate) photo: Option<PhotoView<'a>>,
    pub(crate) draft: bool,
    hash: u64,
}

impl<'a> ArticleCardView<'a> {
    pub(crate) fn new(a: &'a Article) -> Self {
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

view_fields!(ArticleCardView { title, url, summary, byline, authors, section, tags, photo, draft } skip { hash });

impl Hash for ArticleCardView<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// An edition page's edition: its link's fields and the rest.
#[derive(Debug, Hash)]
pub(crate) struct EditionView<'a> {
    pub(crate) link: EditionLinkView<'a>,
    pub(crate) summary: &'a str,
    pub(crate) permalink: String,
    pub(crate) note_html: &'a str,
    pub(crate) photo: Option<PhotoView<'a>>,
    pub(crate) scheduled: bool,
    pub(crate) article_count: usize,
    pub(crate) articles: Vec<ArticleCardView<'a>>,
    pub(crate) prev: Option<EditionLinkView<'a>>,
    pub(crate) next: Option<EditionLinkView<'a>>,
}

view_fields!(EditionView embeds link: EditionLinkView {
    summary, permalink, note_html, photo, scheduled, article_count, articles, prev, next,
});

/// An article in a listing (taxonomy pages): its card's fields and its edition.
#[derive(Debug, Hash)]
pub(crate) struct ListedArticleView<'a> {
    pub(crate) card: ArticleCardView<'a>,
    pub(crate) edition: EditionLinkView<'a>,
}

view_fields!(ListedArticleView embeds card: ArticleCardView { edition });

/// A taxonomy (`sections`, `tags`, `authors`).
#[derive(Debug, Serialize, Hash)]
pub(crate) struct TaxonomyView {
    pub(crate) kind: &'static str,
    pub(crate) name: &'static str,
    pub(crate) singular: &'static str,
    pub(crate) url: String,
}

/// A term of a taxonomy.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct TermView<'a> {
    pub(crate) name: &'a str,
    pub(crate) slug: &'a str,
    pub(crate) url: String,
    pub(crate) count: usize,
}

/// Where a paginated listing is.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct PaginationView {
    pub(crate) current: usize,
    pub(crate) total: usize,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
}

/// A year of the archive, for navigation.
#[derive(Debug, Clone, Serialize, Hash)]
pub(crate) struct YearView {
    pub(crate) year: i16,
    pub(crate) url: String,
    pub(crate) edition_count: usize,
    pub(crate) article_count: usize,
}

/// A month of the archive with its editions, newest first.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct MonthView<'a> {
    pub(crate) name: String,
    pub(crate) anchor: String,
    pub(crate) editions: Vec<ArchiveEditionView<'a>>,
}

#[derive(Debug, Hash)]
pub(crate) struct ArchiveEditionView<'a> {
    pub(crate) link: EditionLinkView<'a>,
    pub(crate) summary: &'a str,
    pub(crate) article_count: usize,
}

view_fields!(ArchiveEditionView embeds link: EditionLinkView { summary, article_count });

#[derive(Debug, Serialize, Hash)]
pub(crate) struct LinkView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
}

/// An article page's article: its card's fields and the rest.
#[derive(Debug, Hash)]
pub(crate) struct ArticleView<'a> {
    pub(crate) card: ArticleCardView<'a>,
    /// The deck under the headline: `summary:` as written, never the
    /// body's first paragraph (which the page shows just below).
    pub(crate) dek: Option<&'a str>,
    pub(crate) slug: &'a str,
    pub(crate) permalink: String,
    pub(crate) body_html: Html<'a>,
    pub(crate) published: String,
    pub(crate) updated: Option<&'a str>,
    pub(crate) json_ld: JsonLd<'a>,
    pub(crate) extra: Extra<'a>,
    pub(crate) scheduled: bool,
    pub(crate) prev: Option<LinkView<'a>>,
    pub(crate) next: Option<LinkView<'a>>,
    /// The section's page, when there is a section.
    pub(crate) section_url: Option<String>,
    /// Tags with the URLs of their pages.
    pub(crate) tag_links: Vec<TermLinkView<'a>>,
    /// Authors with the URLs of their pages.
    pub(crate) author_links: Vec<TermLinkView<'a>>,
}

view_fields!(ArticleView embeds card: ArticleCardView {
    dek, slug, permalink, body_html, published, updated, json_ld, extra, scheduled, prev, next, section_url, tag_links,
    author_links,
});

/// A term name and its page.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct TermLinkView<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
}

/// Links to the term pages of `names` in taxonomy folder `folder`.
pub(crate) fn term_links<'a>(site: &Site, folder: &str, names: &'a [String]) -> Vec<TermLinkView<'a>> {
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
pub(crate) struct Extra<'a>(pub(crate) &'a serde_json::Map<String, serde_json::Value>);

impl std::hash::Hash for Extra<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        if !self.0.is_empty() {
            serde_json::to_string(self.0).unwrap_or_default().hash(state);
        }
    }
}

/// Rendered HTML with a hash computed when it was rendered, so a page's
/// fingerprint need not hash a whole article body again. When it is held
/// packed, it is unpacked only when a template is given it, never for a
/// fingerprint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Html<'a> {
    pub(crate) text: &'a Text,
    pub(crate) hash: u64,
}

impl Serialize for Html<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text.get())
    }
}

impl std::hash::Hash for Html<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// An absolute URL for a root-relative one, as feeds and meta tags need.
pub(crate) fn absolute(site: &Site, url: &str) -> String {
    if url.starts_with('/') { site.base.absolute_of(url) } else { url.to_string() }
}

/// An article's `json_ld` as templates see it: the text of [`json_ld`],
/// made only when a template is rendered. It adds nothing to a page's hash:
/// every value in it (headline, summary, dates, URL, authors, section, the
/// photo with its size, caption and credit, the site's title) is in the
/// article's card and page views beside it, which the hash covers; so a
/// page prepared to be fingerprinted costs no JSON.
#[derive(Clone, Copy)]
pub(crate) struct JsonLd<'a>(pub(crate) &'a Site, pub(crate) &'a Article);

impl Serialize for JsonLd<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&json_ld(self.0, self.1))
    }
}

impl std::hash::Hash for JsonLd<'_> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for JsonLd<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("JsonLd").field(&self.1.url).finish()
    }
}

/// schema.org `NewsArticle` as JSON text that is safe inside `<script>`.
pub(crate) fn json_ld(site: &Site, a: &Article) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::byline;

    #[test]
    fn bylines_read_naturally() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(byline(&[]), "");
        assert_eq!(byline(&names(&["Ana"])), "By Ana");
        assert_eq!(byline(&names(&["Ana", "Tom"])), "By Ana and Tom");
        assert_eq!(byline(&names(&["A", "B", "C"])), "By A, B and C");
    }

    #[test]
    fn written_out_views_count_their_fields_with_those_they_embed() {
        // Each key once: an embedded view's field is never also the view's own.
        assert_eq!(EditionLinkView::FIELDS, 5);
        assert_eq!(ArticleCardView::FIELDS, 9);
        assert_eq!(EditionView::FIELDS, 14);
        assert_eq!(ListedArticleView::FIELDS, 10);
        assert_eq!(ArchiveEditionView::FIELDS, 7);
        assert_eq!(ArticleView::FIELDS, 23);
    }
}
