//! What an unknown key most likely meant. Spelling catches `titel`; this
//! table catches the words other generators and newsrooms use for
//! masthead's keys (`description` is a summary, not a misspelt `edition`),
//! and names the keys masthead has no use for.

/// Where a key comes from, named in the help so a migrating editor knows
/// why it is not read.
type Origin = &'static str;

/// What an unknown key means in masthead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// The masthead key with the same job, and why.
    Key(&'static str, &'static str),
    /// No masthead key does this; the text says what happens instead.
    None(&'static str),
}

/// Meanings several unknown keys share.
const DECK: Meaning = Meaning::Key("summary", "the deck shown under the headline");
const PHOTO: Meaning = Meaning::Key("photo", "the lead photo, `photo: { src: ... }`");
const TOPICS: Meaning = Meaning::Key("tags", "the article's list of topics");
const SLUG: Meaning = Meaning::Key("slug", "the last part of the article's address");
const EDITION: Meaning = Meaning::Key("edition", "the day of the edition the article belongs to");
const AUTHOR: Meaning = Meaning::Key("author", "a name or a list of names");
const UPDATED: Meaning = Meaning::Key("updated", "when the article was last changed");

/// Unknown key → origin → meaning. A key may have one row per place it is
/// written (`url` is a page's address in front matter and the site's
/// address in `site.yaml`): the first row whose key is valid where the
/// unknown one was written wins. Rows with `Meaning::None` apply anywhere.
const MEANINGS: &[(&str, Origin, Meaning)] = &[
    // Front matter.
    ("date", "a Hugo, Jekyll and Zola key", EDITION),
    ("date", "a Hugo, Jekyll and Zola key", Meaning::None("an edition's date is the name of its folder")),
    ("publishdate", "a Hugo key", EDITION),
    ("description", "a Hugo and Zola key", DECK),
    ("excerpt", "a Jekyll key", DECK),
    ("dek", "a newsroom word", DECK),
    ("deck", "a newsroom word", DECK),
    ("subtitle", "a theme key", DECK),
    ("image", "a Hugo and Jekyll theme key", PHOTO),
    ("images", "a Hugo key", PHOTO),
    ("cover", "a Hugo theme key", PHOTO),
    ("thumbnail", "a theme key", PHOTO),
    ("featured_image", "a theme key", PHOTO),
    // `categories` is a list with many values per article, as `tags` is;
    // one `category` is the desk the article belongs to, as `section` is.
    (
        "categories",
        "a Hugo and Jekyll key",
        Meaning::Key("tags", "the article's list of topics (`section` is its one desk)"),
    ),
    (
        "category",
        "a Jekyll key",
        Meaning::Key("section", "the one desk the article belongs to (`tags` lists its topics)"),
    ),
    ("keywords", "a Hugo key", TOPICS),
    ("taxonomies", "a Zola key", TOPICS),
    ("permalink", "a Jekyll key", SLUG),
    ("url", "a Hugo key", SLUG),
    ("path", "a Zola key", SLUG),
    ("redirect_from", "a Jekyll key", Meaning::Key("aliases", "old addresses that redirect to the article")),
    ("authors", "a Hugo and Zola key", AUTHOR),
    ("byline", "a newsroom word", AUTHOR),
    ("weight", "a Hugo and Zola key", Meaning::Key("order", "the article's place in its edition, smallest first")),
    ("lastmod", "a Hugo key", UPDATED),
    ("last_modified_at", "a Jekyll key", UPDATED),
    ("published", "a Jekyll key", Meaning::Key("draft", "`draft: true` keeps an article out of the site")),
    (
        "layout",
        "a Hugo and Jekyll key",
        Meaning::None("templates are chosen by page kind (article, edition, section, tag, author)"),
    ),
    (
        "template",
        "a Zola key",
        Meaning::None("templates are chosen by page kind (article, edition, section, tag, author)"),
    ),
    ("type", "a Hugo key", Meaning::None("templates are chosen by page kind (article, edition, section, tag, author)")),
    // site.yaml.
    ("url", "a Jekyll key", Meaning::Key("base_url", "the address the site is published at")),
    ("baseurl", "a Hugo and Jekyll key", Meaning::Key("base_url", "the address the site is published at")),
    ("languagecode", "a Hugo key", Meaning::Key("language", "the site's language, such as `en`")),
    ("lang", "a Jekyll key", Meaning::Key("language", "the site's language, such as `en`")),
    ("default_language", "a Zola key", Meaning::Key("language", "the site's language, such as `en`")),
    ("tagline", "a Jekyll theme key", Meaning::Key("description", "one line saying what the publication is")),
    ("subtitle", "a theme key", Meaning::Key("description", "one line saying what the publication is")),
];

/// The help for `unknown`, written where the keys `valid` are allowed:
/// its meaning from the table, else the valid key nearest in spelling.
pub(super) fn help_for(unknown: &str, valid: &[&str]) -> Option<String> {
    let folded = unknown.to_ascii_lowercase();
    let mut no_key = None;
    for (word, origin, meaning) in MEANINGS {
        if *word != folded {
            continue;
        }
        match meaning {
            Meaning::Key(key, what) if valid.contains(key) => {
                return Some(format!("did you mean `{key}`? `{unknown}` is {origin}; masthead's `{key}` is {what}"));
            }
            Meaning::Key(..) => {}
            Meaning::None(instead) => {
                no_key = no_key.or(Some(format!("`{unknown}` is {origin}; masthead has no such key: {instead}")));
            }
        }
    }
    no_key.or_else(|| crate::diagnostic::suggest(unknown, valid).map(|s| format!("did you mean `{s}`?")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &[&str] = &[
        "title", "edition", "slug", "summary", "author", "section", "tags", "photo", "order", "draft", "updated",
        "aliases", "extra",
    ];
    const SITE: &[&str] = &["title", "base_url", "publication", "description", "language", "timezone", "extra"];

    fn key(unknown: &str, valid: &[&str]) -> Option<String> {
        let help = help_for(unknown, valid)?;
        Some(help.strip_prefix("did you mean `")?.split('`').next()?.to_string())
    }

    #[test]
    fn article_keys_by_meaning() {
        let cases = [
            ("date", "edition"),
            ("description", "summary"),
            ("excerpt", "summary"),
            ("dek", "summary"),
            ("image", "photo"),
            ("cover", "photo"),
            ("thumbnail", "photo"),
            ("categories", "tags"),
            ("category", "section"),
            ("permalink", "slug"),
            ("url", "slug"),
            ("authors", "author"),
            ("weight", "order"),
            ("lastmod", "updated"),
            ("Date", "edition"),
        ];
        for (unknown, want) in cases {
            assert_eq!(key(unknown, ARTICLE).as_deref(), Some(want), "{unknown}");
        }
    }

    #[test]
    fn the_origin_and_the_job_are_named() {
        assert_eq!(
            help_for("description", ARTICLE).unwrap(),
            "did you mean `summary`? `description` is a Hugo and Zola key; \
             masthead's `summary` is the deck shown under the headline"
        );
        assert_eq!(
            help_for("layout", ARTICLE).unwrap(),
            "`layout` is a Hugo and Jekyll key; masthead has no such key: \
             templates are chosen by page kind (article, edition, section, tag, author)"
        );
        assert!(
            help_for("template", ARTICLE).unwrap().starts_with("`template` is a Zola key; masthead has no such key")
        );
    }

    #[test]
    fn the_meaning_depends_on_where_the_key_is_written() {
        assert_eq!(key("url", SITE).as_deref(), Some("base_url"));
        assert_eq!(key("baseURL", SITE).as_deref(), Some("base_url"));
        assert_eq!(key("subtitle", SITE).as_deref(), Some("description"));
        assert_eq!(key("subtitle", ARTICLE).as_deref(), Some("summary"));
        // `_edition.md` has no `edition` key: its date is its folder's.
        assert_eq!(
            help_for("date", &["title", "summary", "photo", "extra"]).as_deref(),
            Some(
                "`date` is a Hugo, Jekyll and Zola key; masthead has no such key: an edition's date is the name of its folder"
            )
        );
    }

    #[test]
    fn spelling_still_answers_typos_and_unknown_words_get_nothing() {
        assert_eq!(help_for("titel", ARTICLE).as_deref(), Some("did you mean `title`?"));
        assert_eq!(help_for("team", ARTICLE), None);
    }

    #[test]
    fn every_meaning_names_a_real_key() {
        for (word, _, meaning) in MEANINGS {
            if let Meaning::Key(key, _) = meaning {
                assert!(ARTICLE.contains(key) || SITE.contains(key), "{word} → {key}");
            }
            assert_eq!(*word, word.to_ascii_lowercase(), "rows are matched in lower case");
        }
    }
}
