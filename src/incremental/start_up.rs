//! The order in which the preview renders a site's pages at start-up.

use crate::render::Page;

/// The order in which the preview server renders pages at start-up: it
/// serves as soon as the pages a browser opens first are ready, and renders
/// the rest while it answers, the editions people are working on first and
/// the newsletters (slow: CSS inlining, and rarely opened) last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum StartUp {
    /// The front page and the not-found page.
    BeforeServing,
    /// Edition pages, articles and their redirects.
    Editions,
    /// Archives, taxonomy pages, feeds, the sitemap and `robots.txt`.
    Listings,
    Newsletters,
}

/// When the preview server renders `page` at start-up, lowest first (see
/// [`StartUp`]); the edition's index orders pages of one rank newest edition
/// first.
pub(super) fn start_up(page: &Page) -> (StartUp, std::cmp::Reverse<usize>) {
    let newest_first = std::cmp::Reverse;
    match *page {
        Page::Front | Page::NotFound => (StartUp::BeforeServing, newest_first(0)),
        Page::Edition(e) | Page::Article(e, _) | Page::Alias(e, _, _) => (StartUp::Editions, newest_first(e)),
        Page::Newsletter(e, _) => (StartUp::Newsletters, newest_first(e)),
        Page::Archive(_)
        | Page::TaxonomyIndex(_)
        | Page::Term(..)
        | Page::SectionFeed(_)
        | Page::Atom
        | Page::JsonFeed
        | Page::Sitemap
        | Page::Robots
        | Page::Search
        | Page::SitemapPart(_) => (StartUp::Listings, newest_first(0)),
    }
}
