//! The `search:` section of `site.yaml`, checked where it is defined.

/// Why `lang` cannot name the index's language, if it cannot. Pagefind puts
/// the code in file names, so it must be a plain language tag (`en`,
/// `pt-br`), never a path.
pub fn check_language(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let first = parts.next().unwrap_or_default();
    let ok = (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    (!ok).then(|| format!("`{lang}` is not a language code the search index can use"))
}
