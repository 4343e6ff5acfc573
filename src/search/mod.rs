//! Full-text search (SPEC §10): the published articles, as rendered, go
//! through the Pagefind library in-process and come out as static index
//! files under `pagefind/`, which the search page queries in the browser.
//!
//! The index is split into one bundle per edition year (`pagefind/2023/`),
//! merged in the browser. A bundle is keyed by a digest of its articles'
//! page fingerprints, so a rebuild indexes only the years whose articles
//! changed and leaves every other bundle's files as they were (see
//! `docs/search.md` for why years). The files every bundle shares
//! (`pagefind.js` and the UI) sit once at the root of `pagefind/`.

pub(crate) mod publish;

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow};

use crate::content::Site;
pub(crate) use publish::{Plan, Published, finish, plan, write_bundle};

/// The folder of the index in the output.
pub(crate) const FOLDER: &str = "pagefind";
/// The list of bundles and their digests, at the root of [`FOLDER`].
pub(crate) const BUNDLES_FILE: &str = "bundles.json";
/// Where the search page is written.
pub(crate) const PAGE: &str = "search/index.html";

/// The bundle files that stay at the root of `pagefind/`, shared by every
/// bundle: the search API the page imports, and Pagefind's own UIs for
/// themes that want them. Everything else Pagefind writes goes into each
/// bundle's folder (the primary bundle loads its worker and WASM from there).
const SHARED: &[&str] = &[
    "pagefind.js",
    "pagefind-highlight.js",
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
];

/// One bundle of the index: the published articles of one edition year,
/// or of part of one (see [`partitions`]), as `(edition, article)` indexes
/// into the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partition {
    /// The bundle's folder name under `pagefind/`: the year (`2026`), or
    /// the year and its part (`2026-h2`, `2026-q3`, `2026-m07`).
    pub(crate) key: String,
    /// The edition year the articles belong to (`2026`).
    pub(crate) year: String,
    pub(crate) articles: Vec<(usize, usize)>,
}

/// The ways a year is split when it holds more articles than one bundle
/// may: the key's suffix and the months of each part, coarsest first. A
/// year is split the coarsest way whose every part fits, or by months.
const SPLITS: &[(char, u8)] = &[('h', 6), ('q', 3), ('m', 1)];

/// An article to index, `(edition, article)`, with its edition's month.
type Dated = (i8, (usize, usize));

/// The articles the index holds, oldest first: one partition per edition
/// year, or per half, quarter or month of a year that holds more than
/// `search.bundle_articles`. Drafts and scheduled editions (in a build
/// that shows them) are never indexed.
pub(crate) fn partitions(site: &Site) -> Vec<Partition> {
    let mut years: BTreeMap<i16, Vec<Dated>> = BTreeMap::new();
    for (e, edition) in site.editions.iter().enumerate() {
        if edition.scheduled {
            continue;
        }
        for (a, article) in edition.articles.iter().enumerate() {
            if !article.draft {
                years.entry(edition.date.year()).or_default().push((edition.date.month(), (e, a)));
            }
        }
    }
    let most = site.config.search.bundle_articles.max(1);
    let mut out = Vec::new();
    for (year, articles) in years {
        let year = format!("{year:04}");
        out.extend(split_year(&year, articles, most));
    }
    out
}

/// One year's articles (with their edition's month) as partitions of at
/// most `most` articles where months allow.
fn split_year(year: &str, articles: Vec<Dated>, most: usize) -> Vec<Partition> {
    if articles.len() <= most {
        let articles = articles.into_iter().map(|(_, at)| at).collect();
        return vec![Partition { key: year.to_string(), year: year.to_string(), articles }];
    }
    let part_of = |months: u8, month: i8| (month.max(1) as u8 - 1) / months;
    let fits = |&&(_, months): &&(char, u8)| {
        let mut counts = [0usize; 12];
        for (month, _) in &articles {
            counts[usize::from(part_of(months, *month))] += 1;
        }
        counts.iter().all(|&n| n <= most)
    };
    let &(suffix, months) = SPLITS.iter().find(fits).unwrap_or(&SPLITS[SPLITS.len() - 1]);
    let mut parts: BTreeMap<u8, Vec<(usize, usize)>> = BTreeMap::new();
    for (month, at) in articles {
        parts.entry(part_of(months, month)).or_default().push(at);
    }
    parts
        .into_iter()
        .map(|(part, articles)| {
            let key = match suffix {
                'm' => format!("{year}-m{:02}", part + 1),
                _ => format!("{year}-{suffix}{}", part + 1),
            };
            Partition { key, year: year.to_string(), articles }
        })
        .collect()
}

/// The language the index is stemmed in: `search.language` (checked when
/// `site.yaml` is read), else the site's `language` as a language tag
/// (`en_US` is `en-us`), else none (`unknown`: words are not stemmed).
pub(crate) fn language(site: &Site) -> String {
    index_language(&site.config.search.language, &site.config.language)
}

fn index_language(search: &Option<String>, site: &str) -> String {
    let lang = search.as_deref().unwrap_or(site).trim().to_ascii_lowercase().replace('_', "-");
    if check_language(&lang).is_none() { lang } else { "unknown".into() }
}

pub(crate) use crate::config::search::check_language;

/// What a bundle's files depend on: the binary that indexes (`key`), the
/// language, and each article's URL and page fingerprint. Equal digests
/// mean the bundle's files would come out byte for byte the same.
pub(crate) fn digest(key: &str, language: &str, pages: impl IntoIterator<Item = (String, u64)>) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in [key, language] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    for (url, fingerprint) in pages {
        hasher.update(&(url.len() as u64).to_le_bytes());
        hasher.update(url.as_bytes());
        hasher.update(&fingerprint.to_le_bytes());
    }
    hasher.finalize().to_hex()[..32].to_string()
}

/// What the search page's template gets as `search`.
#[derive(Debug, Clone, serde::Serialize, Hash)]
pub(crate) struct SearchView {
    /// The search page: `/daily/search/`.
    pub(crate) url: String,
    /// The index folder: `/daily/pagefind/`.
    pub(crate) pagefind: String,
    /// Each bundle's folder, newest first.
    pub(crate) bundles: Vec<String>,
    /// The edition year of each bundle of `bundles`, in the same order (a
    /// year split into parts has several bundles).
    pub(crate) bundle_years: Vec<String>,
    /// What the filters offer: the published articles' years (newest
    /// first), sections and authors (by name).
    pub(crate) years: Vec<String>,
    pub(crate) sections: Vec<String>,
    pub(crate) authors: Vec<String>,
    /// The index's language code.
    pub(crate) language: String,
}

/// The search page's URL, when the site has search.
pub(crate) fn page_url(site: &Site) -> Option<String> {
    site.config.search.enabled.then(|| format!("{}search/", site.base.root))
}

/// The search page's view of `site`.
pub(crate) fn view(site: &Site) -> SearchView {
    let root = &site.base.root;
    let parts = partitions(site);
    let mut sections = std::collections::BTreeSet::new();
    let mut authors = std::collections::BTreeSet::new();
    for &(e, a) in parts.iter().flat_map(|p| &p.articles) {
        let article = &site.editions[e].articles[a];
        sections.extend(article.section.iter().cloned());
        authors.extend(article.authors.iter().cloned());
    }
    SearchView {
        url: format!("{root}search/"),
        pagefind: format!("{root}{FOLDER}/"),
        bundles: parts.iter().rev().map(|p| format!("{root}{FOLDER}/{}/", p.key)).collect(),
        bundle_years: parts.iter().rev().map(|p| p.year.clone()).collect(),
        years: {
            let mut years: Vec<String> = parts.iter().rev().map(|p| p.year.clone()).collect();
            years.dedup();
            years
        },
        sections: sections.into_iter().collect(),
        authors: authors.into_iter().collect(),
        language: language(site),
    }
}

/// A file of the index, relative to `pagefind/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexFile {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// Indexes one partition's pages (`(url, html)` as rendered, in the
/// partition's order) into the files of its bundle, relative to the
/// bundle's folder. The shared files are left out (see [`shared_files`]).
pub(crate) fn index_bundle(language: &str, pages: Vec<(String, String)>) -> anyhow::Result<Vec<IndexFile>> {
    let files = run_pagefind(language, pages)?;
    Ok(files.into_iter().filter(|f| !SHARED.contains(&f.path.as_str())).collect())
}

/// The files shared by every bundle, for the root of `pagefind/`.
pub(crate) fn shared_files(language: &str) -> anyhow::Result<Vec<IndexFile>> {
    let files = run_pagefind(language, Vec::new())?;
    Ok(files.into_iter().filter(|f| SHARED.contains(&f.path.as_str())).collect())
}

fn run_pagefind(language: &str, pages: Vec<(String, String)>) -> anyhow::Result<Vec<IndexFile>> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the search indexer")?;
    let files = runtime.block_on(async move {
        let config = PagefindServiceConfig::builder().force_language(language.to_string()).build();
        let mut index = PagefindIndex::new(Some(config)).map_err(|e| anyhow!("{e:#}"))?;
        for (url, html) in pages {
            index
                .add_html_file(None, Some(url.clone()), html)
                .await
                .with_context(|| format!("cannot index `{url}`"))?;
        }
        index.get_files().await
    })?;
    let mut out: Vec<IndexFile> = files
        .into_iter()
        .map(|f| IndexFile {
            path: f.filename.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
            bytes: f.contents,
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// `pagefind/bundles.json`: each bundle's folder and digest, newest first,
/// for the search page and the next build.
pub(crate) fn bundles_json(bundles: &[(String, String)]) -> String {
    let list: Vec<serde_json::Value> =
        bundles.iter().rev().map(|(key, digest)| serde_json::json!({ "key": key, "digest": digest })).collect();
    let mut text =
        serde_json::to_string_pretty(&serde_json::json!({ "version": 1, "bundles": list })).unwrap_or_default();
    text.push('\n');
    text
}

/// The digests a `bundles.json` records, by bundle folder.
pub(crate) fn read_bundles(text: &str) -> BTreeMap<String, String> {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let mut out = BTreeMap::new();
    if value["version"] == 1 {
        for b in value["bundles"].as_array().into_iter().flatten() {
            if let (Some(key), Some(digest)) = (b["key"].as_str(), b["digest"].as_str()) {
                if check_key(key) {
                    out.insert(key.to_string(), digest.to_string());
                }
            }
        }
    }
    out
}

/// Whether `key` can be a bundle folder masthead wrote: a year, or a year
/// and its part (`2026-h2`, `2026-q3`, `2026-m07`).
pub(crate) fn check_key(key: &str) -> bool {
    let (year, part) = key.split_once('-').map_or((key, None), |(y, p)| (y, Some(p)));
    let year_ok = (4..=6).contains(&year.len()) && year.chars().all(|c| c.is_ascii_digit());
    // The suffix `split_year` writes: its letter, then the part's number.
    let part_ok = part.is_none_or(|p| {
        let valid = |letter: char, most: u8, digits: usize| {
            p.len() == digits + 1
                && p.starts_with(letter)
                && p[1..].bytes().all(|b| b.is_ascii_digit())
                && p[1..].parse::<u8>().is_ok_and(|n| (1..=most).contains(&n))
        };
        valid('h', 2, 1) || valid('q', 4, 1) || valid('m', 12, 2)
    });
    year_ok && part_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_are_plain_tags() {
        for ok in ["en", "pt-br", "zh-hant", "fil"] {
            assert_eq!(check_language(ok), None, "{ok}");
        }
        for bad in ["", "e", "english", "../x", "en/..", "en_", "en-", "en-toolongpart"] {
            assert!(check_language(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn the_index_language_falls_back_to_the_site_language_or_none() {
        assert_eq!(index_language(&None, "en_US"), "en-us");
        assert_eq!(index_language(&Some("de".into()), "en"), "de");
        assert_eq!(index_language(&None, "English"), "unknown");
    }

    #[test]
    fn a_digest_changes_with_any_page_and_the_language() {
        let pages = || vec![("/a/".to_string(), 1u64), ("/b/".to_string(), 2)];
        let base = digest("k", "en", pages());
        assert_eq!(base, digest("k", "en", pages()));
        assert_ne!(base, digest("k", "de", pages()));
        assert_ne!(base, digest("k2", "en", pages()));
        assert_ne!(base, digest("k", "en", vec![("/a/".to_string(), 1), ("/b/".to_string(), 3)]));
        assert_ne!(base, digest("k", "en", vec![("/a/".to_string(), 1)]));
    }

    #[test]
    fn bundles_json_round_trips_and_refuses_paths() {
        let text = bundles_json(&[("2022".into(), "aa".into()), ("2023".into(), "bb".into())]);
        assert!(text.find("2023").unwrap() < text.find("2022").unwrap(), "newest first: {text}");
        let read = read_bundles(&text);
        assert_eq!(read.get("2022").map(String::as_str), Some("aa"));
        assert_eq!(read.len(), 2);
        let hostile = r#"{"version":1,"bundles":[{"key":"../x","digest":"d"}]}"#;
        assert!(read_bundles(hostile).is_empty());
    }

    /// `n` articles in each month of `months`, as `split_year` gets them.
    fn spread(months: &[(i8, usize)]) -> Vec<Dated> {
        let mut out = Vec::new();
        for &(month, n) in months {
            out.extend((0..n).map(|a| (month, (usize::try_from(month).unwrap(), a))));
        }
        out
    }

    fn keys(parts: &[Partition]) -> Vec<(&str, usize)> {
        parts.iter().map(|p| (p.key.as_str(), p.articles.len())).collect()
    }

    #[test]
    fn a_year_is_split_the_coarsest_way_whose_parts_fit() {
        let even: Vec<(i8, usize)> = (1..=12).map(|m| (m, 10)).collect();
        assert_eq!(keys(&split_year("2026", spread(&even), 120)), [("2026", 120)]);
        assert_eq!(keys(&split_year("2026", spread(&even), 60)), [("2026-h1", 60), ("2026-h2", 60)]);
        assert_eq!(keys(&split_year("2026", spread(&even), 59)).len(), 4, "quarters of 30");
        let months = split_year("2026", spread(&even), 11);
        assert_eq!(months.len(), 12);
        assert_eq!((months[0].key.as_str(), months[11].key.as_str()), ("2026-m01", "2026-m12"));
        // A month with more than fits is still one bundle: months are the finest split.
        assert_eq!(keys(&split_year("2026", spread(&[(3, 50), (4, 1)]), 10)), [("2026-m03", 50), ("2026-m04", 1)]);
        // Only the parts that hold articles are bundles, and every part keeps its year.
        let parts = split_year("2026", spread(&[(11, 5), (12, 5)]), 5);
        assert_eq!(keys(&parts), [("2026-m11", 5), ("2026-m12", 5)]);
        assert!(parts.iter().all(|p| p.year == "2026"));
        for part in &parts {
            assert!(check_key(&part.key), "{}", part.key);
        }
    }

    #[test]
    fn bundle_keys_are_years_or_their_parts_never_paths() {
        for good in ["2026", "2026-h1", "2026-h2", "2026-q4", "2026-m01", "2026-m12", "012026"] {
            assert!(check_key(good), "{good}");
        }
        for bad in
            ["", "..", "20", "2026-", "2026-h3", "2026-q0", "2026-m13", "2026-m1", "2026-h1/x", "2026-x1", "a026"]
        {
            assert!(!check_key(bad), "{bad}");
        }
    }

    #[test]
    fn indexing_writes_a_bundle_and_the_shared_files_apart() {
        let html = r#"<html lang="en"><body><main data-pagefind-body><h1>Harbor ferries</h1><p>The harbor ferry runs again.</p></main></body></html>"#;
        let files = index_bundle("en", vec![("/2023/01/02/ferry/".into(), html.into())]).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert!(names.contains(&"pagefind-entry.json"), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("fragment/")), "{names:?}");
        assert!(!names.contains(&"pagefind.js"), "{names:?}");
        let again = index_bundle("en", vec![("/2023/01/02/ferry/".into(), html.into())]).unwrap();
        assert_eq!(files, again, "indexing is deterministic");
        let shared = shared_files("en").unwrap();
        assert!(shared.iter().any(|f| f.path == "pagefind.js"));
    }
}
