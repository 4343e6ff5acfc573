//! The `search:` section of `site.yaml`, checked where it is defined.

/// `search.bundle_articles` unless the site says otherwise: a year of a
/// daily with five stories a day (1,825) stays one bundle, and an edit to
/// the newest edition re-indexes at most this many articles.
pub(crate) const DEFAULT_BUNDLE_ARTICLES: usize = 2_000;

/// Why `lang` cannot name the index's language, if it cannot. Pagefind puts
/// the code in file names, so it must be a plain language tag (`en`,
/// `pt-br`), never a path.
pub(crate) fn check_language(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let first = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (!ok).then(|| format!("`{lang}` is not a language code the search index can use"))
}
