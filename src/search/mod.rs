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
/// as `(edition, article)` indexes into the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partition {
    /// The bundle's folder name under `pagefind/`: the year.
    pub key: String,
    pub articles: Vec<(usize, usize)>,
}

/// The articles the index holds, by edition year, oldest first. Drafts and
/// scheduled editions (in a build that shows them) are never indexed.
pub(crate) fn partitions(site: &Site) -> Vec<Partition> {
    let mut years: BTreeMap<i16, Vec<(usize, usize)>> = BTreeMap::new();
    for (e, edition) in site.editions.iter().enumerate() {
        if edition.scheduled {
            continue;
        }
        for (a, article) in edition.articles.iter().enumerate() {
            if !article.draft {
                years.entry(edition.date.year()).or_default().push((e, a));
            }
        }
    }
    years.into_iter().map(|(year, articles)| Partition { key: format!("{year:04}"), articles }).collect()
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
    pub url: String,
    /// The index folder: `/daily/pagefind/`.
    pub pagefind: String,
    /// Each bundle's folder, newest year first.
    pub bundles: Vec<String>,
    /// What the filters offer: the published articles' years (newest
    /// first), sections and authors (by name).
    pub years: Vec<String>,
    pub sections: Vec<String>,
    pub authors: Vec<String>,
    /// The index's language code.
    pub language: String,
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
        years: parts.iter().rev().map(|p| p.key.clone()).collect(),
        sections: sections.into_iter().collect(),
        authors: authors.into_iter().collect(),
        language: language(site),
    }
}

/// A file of the index, relative to `pagefind/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexFile {
    pub path: String,
    pub bytes: Vec<u8>,
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

/// Whether `key` can be a bundle folder masthead wrote (a year).
pub(crate) fn check_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 6 && key.chars().all(|c| c.is_ascii_digit())
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
