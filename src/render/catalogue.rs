//! The catalogue of a loaded site: every file its output holds besides the
//! search index (which `search` makes from the article pages). It is the one
//! place that says which pages a site has, where each is written, which
//! files are copied as they are, which photo files are published from the
//! photo cache, and which pages show an article's body in full. `build`,
//! `check`, the preview and `newsletter` take their work from it; a page's
//! fingerprint (what its bytes depend on) comes from the same preparation
//! that renders it ([`Renderer::render_unless`]).

use std::collections::HashSet;

use rayon::prelude::*;

use super::pages::{Page, Renderer};
use super::{CopyFile, CopySource, Theme};
use crate::content::Site;
use crate::diagnostic::Diagnostics;
use crate::images;

/// One page of the catalogue and the file it is written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) page: Page,
    /// Relative to the output folder.
    pub(crate) path: String,
}

/// Every page and every copied file of a site.
#[derive(Debug)]
pub(crate) struct Catalogue {
    /// Every page, in a stable order.
    pub(crate) pages: Vec<Entry>,
    /// Static files and the theme's files, none of them at a page's path.
    pub(crate) copies: Vec<CopyFile>,
    /// The photos' published files, each from its entry in the photo cache
    /// (made by `images::make_all` before they are copied).
    pub(crate) photos: Vec<CopyFile>,
}

impl Catalogue {
    /// The catalogue of the site `renderer` renders, its photos made in
    /// `photo_cache`. Fails when a static file would take a page's place.
    pub(crate) fn new(
        renderer: &Renderer<'_>,
        site: &Site,
        theme: &Theme,
        photo_cache: &images::Cache,
    ) -> Result<Catalogue, Diagnostics> {
        let pages: Vec<Entry> = renderer.pages().into_par_iter().map(|page| renderer.entry(page)).collect();
        let copies = {
            let paths: HashSet<&str> = pages.iter().map(|e| e.path.as_str()).collect();
            super::copies(site, theme, |p| paths.contains(p))?
        };
        let photos = images::entries(&site.images, &site.config.images, photo_cache)
            .map(|(path, entry)| CopyFile { path: path.to_string(), source: CopySource::File(entry) })
            .collect();
        Ok(Catalogue { pages, copies, photos })
    }

    /// How many files the catalogue lists.
    pub(crate) fn len(&self) -> usize {
        self.pages.len() + self.copies.len() + self.photos.len()
    }

    /// The pages that show the body of article `a` of edition `e` in full
    /// (see [`Renderer::shows_body`]): every other page is unchanged by an
    /// edit of that body alone.
    pub(crate) fn showing_body<'c>(
        &'c self,
        renderer: &'c Renderer<'_>,
        e: usize,
        a: usize,
    ) -> impl Iterator<Item = &'c Entry> + 'c {
        self.pages.iter().filter(move |entry| renderer.shows_body(&entry.page, e, a))
    }
}
