//! Listings computed once per build: the archive by year and month, and the
//! sections, tags and authors with their articles newest first. Terms that
//! slug alike ("Climate" and "climate") are merged into one page.

use std::collections::BTreeMap;

use crate::content::Site;
use crate::content::slug::slugify;

/// Articles per taxonomy page.
pub(crate) const PER_PAGE: usize = 20;

/// A taxonomy kind, with its folder name and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Sections,
    Tags,
    Authors,
}

impl Kind {
    pub(crate) const ALL: [Kind; 3] = [Kind::Sections, Kind::Tags, Kind::Authors];

    pub(crate) fn folder(self) -> &'static str {
        match self {
            Kind::Sections => "sections",
            Kind::Tags => "tags",
            Kind::Authors => "authors",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Sections => "Sections",
            Kind::Tags => "Tags",
            Kind::Authors => "Authors",
        }
    }

    pub(crate) fn singular(self) -> &'static str {
        match self {
            Kind::Sections => "Section",
            Kind::Tags => "Tag",
            Kind::Authors => "Author",
        }
    }
}

/// One term and its articles, as `(edition, article)` indexes, newest first.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) articles: Vec<(usize, usize)>,
}

impl Term {
    pub(crate) fn pages(&self) -> usize {
        self.articles.len().div_ceil(PER_PAGE).max(1)
    }
}

/// Every listing of a site.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listings {
    /// Years, newest first, each with its edition indexes newest first.
    pub(crate) years: Vec<(i16, Vec<usize>)>,
    pub(crate) taxonomies: BTreeMap<Kind, Vec<Term>>,
    /// Every article, newest first.
    pub(crate) newest: Vec<(usize, usize)>,
}

impl Listings {
    pub(crate) fn new(site: &Site) -> Self {
        let mut years: BTreeMap<i16, Vec<usize>> = BTreeMap::new();
        for (e, edition) in site.editions.iter().enumerate().rev() {
            years.entry(edition.date.year()).or_default().push(e);
        }
        let newest: Vec<(usize, usize)> = site
            .editions
            .iter()
            .enumerate()
            .rev()
            .flat_map(|(e, ed)| (0..ed.articles.len()).map(move |a| (e, a)))
            .collect();
        let mut taxonomies = BTreeMap::new();
        for kind in Kind::ALL {
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for &(e, a) in &newest {
                let article = &site.editions[e].articles[a];
                let names: Vec<&String> = match kind {
                    Kind::Sections => article.section.iter().collect(),
                    Kind::Tags => article.tags.iter().collect(),
                    Kind::Authors => article.authors.iter().collect(),
                };
                let mut seen = Vec::new();
                for name in names {
                    let slug = slugify(name);
                    if slug.is_empty() || seen.contains(&slug) {
                        continue;
                    }
                    seen.push(slug.clone());
                    terms
                        .entry(slug.clone())
                        .or_insert_with(|| Term { name: name.trim().to_string(), slug, articles: Vec::new() })
                        .articles
                        .push((e, a));
                }
            }
            taxonomies.insert(kind, terms.into_values().collect());
        }
        Listings { years: years.into_iter().rev().collect(), taxonomies, newest }
    }

    pub(crate) fn terms(&self, kind: Kind) -> &[Term] {
        self.taxonomies.get(&kind).map_or(&[], Vec::as_slice)
    }
}

/// The URL path (without the site prefix) of a taxonomy page.
pub(crate) fn term_path(kind: Kind, slug: &str, page: usize) -> String {
    if page <= 1 { format!("/{}/{slug}/", kind.folder()) } else { format!("/{}/{slug}/page/{page}/", kind.folder()) }
}
