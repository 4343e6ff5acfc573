//! Articles and edition notes as written (`ArticleMeta`, `EditionMeta`) and
//! their first validation: front matter types, real dates, the edition from
//! the folder or the front matter, and a safe slug.

use jiff::civil::Date;
use serde::Deserialize;

use super::discover::{SourceFile, folder_date};
use super::slug::slugify;
use crate::diagnostic::Diagnostic;
use crate::yaml::{self as front_matter, FrontMatterError, Split};

/// An article's front matter (SPEC §4).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleMeta {
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) edition: Option<String>,
    #[serde(default)]
    pub(crate) slug: Option<String>,
    #[serde(default)]
    pub(crate) summary: Option<String>,
    #[serde(default)]
    pub(crate) author: Option<Authors>,
    #[serde(default)]
    pub(crate) section: Option<String>,
    #[serde(default)]
    pub(crate) tags: Vec<String>,
    #[serde(default)]
    pub(crate) photo: Option<PhotoMeta>,
    #[serde(default)]
    pub(crate) order: Option<i64>,
    #[serde(default)]
    pub(crate) draft: bool,
    #[serde(default)]
    pub(crate) updated: Option<String>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

/// `author: Ana Ruiz` or `author: [Ana Ruiz, Tom Beck]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Authors {
    One(String),
    Many(Vec<String>),
}

impl Authors {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Authors::One(a) => vec![a],
            Authors::Many(v) => v,
        }
    }
}

/// A lead photo as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhotoMeta {
    pub(crate) src: String,
    #[serde(default)]
    pub(crate) alt: Option<String>,
    #[serde(default)]
    pub(crate) credit: Option<String>,
    #[serde(default)]
    pub(crate) caption: Option<String>,
}

/// `_edition.md` front matter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EditionMeta {
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) summary: Option<String>,
    #[serde(default)]
    pub(crate) photo: Option<PhotoMeta>,
    #[serde(default)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

/// An article whose front matter is valid, its body not yet rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedArticle {
    pub(crate) file: SourceFile,
    pub(crate) meta: ArticleMeta,
    pub(crate) date: Date,
    pub slug: String,
    pub(crate) body: Markdown,
    pub(crate) body_line: usize,
    /// Where the photo's `src`, `slug:` and `aliases:` are written (line and
    /// column), for later messages.
    pub(crate) photo_at: Option<(usize, usize)>,
    pub(crate) slug_at: Option<(usize, usize)>,
    pub(crate) aliases_at: Option<(usize, usize)>,
}

impl ParsedArticle {
    /// All of the parse but the body's text (see [`Markdown`]), copying no body.
    pub(crate) fn without_body_text(&self) -> ParsedArticle {
        ParsedArticle {
            file: self.file.clone(),
            meta: self.meta.clone(),
            date: self.date,
            slug: self.slug.clone(),
            body: self.body.without_text(),
            body_line: self.body_line,
            photo_at: self.photo_at,
            slug_at: self.slug_at,
            aliases_at: self.aliases_at,
        }
    }
}

/// A file's Markdown body, told apart from another by its hash. The text is
/// there for the load that read the file; the parse the preview keeps
/// between loads holds only the hash ([`Markdown::without_text`]), and the
/// rare later load that renders the body again reads the file again.
#[derive(Debug, Clone)]
pub(crate) struct Markdown {
    pub(crate) hash: u64,
    /// Shared, so a parse is copied without copying its text.
    pub(crate) text: Option<crate::packed::Text>,
}

impl Markdown {
    pub(crate) fn new(text: String) -> Markdown {
        Markdown { hash: Markdown::hash_of(&text), text: Some(crate::packed::Text::plain(text)) }
    }

    /// The hash a body of `text` has.
    pub(crate) fn hash_of(text: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = crate::fingerprint::hasher();
        text.hash(&mut hasher);
        hasher.finish()
    }

    /// The same body, its text left to the file.
    pub(crate) fn without_text(&self) -> Markdown {
        Markdown { hash: self.hash, text: None }
    }
}

/// The same body when the hashes are, held or not.
impl PartialEq for Markdown {
    fn eq(&self, other: &Markdown) -> bool {
        self.hash == other.hash
    }
}

/// An `_edition.md` whose front matter is valid.
#[derive(Debug, Clone)]
pub struct ParsedNote {
    pub(crate) file: SourceFile,
    pub(crate) meta: EditionMeta,
    pub(crate) date: Date,
    pub(crate) body: Markdown,
    pub(crate) body_line: usize,
    pub(crate) photo_at: Option<(usize, usize)>,
}

impl ParsedNote {
    /// All of the parse but the body's text (see [`Markdown`]), copying no body.
    pub(crate) fn without_body_text(&self) -> ParsedNote {
        ParsedNote {
            file: self.file.clone(),
            meta: self.meta.clone(),
            date: self.date,
            body: self.body.without_text(),
            body_line: self.body_line,
            photo_at: self.photo_at,
        }
    }
}

fn to_diagnostic(file: &SourceFile, e: FrontMatterError) -> Diagnostic {
    let mut d = Diagnostic::error(&file.site_rel, e.message).with_line(e.line);
    d.col = e.col;
    d.help = e.help;
    if d.message.contains("untagged enum Authors") {
        d.message = "`author` must be a name or a list of names".into();
    }
    d
}

/// Splits and parses an article, checking everything that needs no other file.
pub fn parse_article(file: &SourceFile, text: impl Into<String>) -> Result<ParsedArticle, Vec<Diagnostic>> {
    let split = front_matter::split(text).map_err(|e| vec![to_diagnostic(file, e)])?;
    let meta: ArticleMeta = front_matter::parse_all(&split.yaml, split.yaml_line)
        .map_err(|errors| errors.into_iter().map(|e| to_diagnostic(file, e)).collect::<Vec<_>>())?;
    let line = |key: &str| front_matter::key_place(&split.yaml, split.yaml_line, key);
    let mut problems = Vec::new();
    if meta.title.trim().is_empty() {
        problems.push(Diagnostic::error(&file.site_rel, "the `title` is empty").with_place(line("title")));
    }
    let edition_at = meta.edition.as_ref().and_then(|_| line("edition"));
    let date = edition_date(file, meta.edition.as_deref(), edition_at).map_err(|d| problems.push(d)).ok();
    if let Some(updated) = &meta.updated {
        if parse_updated(updated).is_none() {
            problems.push(
                Diagnostic::error(&file.site_rel, format!("`updated: {updated}` is not a date or date-time"))
                    .with_place(line("updated"))
                    .help("write `updated: 2023-09-05` or `updated: 2023-09-05T14:30:00Z`"),
            );
        }
    }
    let stem = file.content_rel.rsplit('/').next().unwrap_or_default().trim_end_matches(".md");
    let slug = slugify(meta.slug.as_deref().unwrap_or(stem));
    if slug.is_empty() {
        problems.push(
            Diagnostic::error(&file.site_rel, "the slug has no letters or digits")
                .with_place(line("slug"))
                .help("set `slug:` to a few words, e.g. `slug: council-vote`"),
        );
    }
    problems.extend(term_problems(file, &meta, &line));
    match (problems.is_empty(), date) {
        (true, Some(date)) => Ok(ParsedArticle {
            file: file.clone(),
            photo_at: front_matter::nested_key_place(&split.yaml, split.yaml_line, "photo", "src"),
            slug_at: line("slug"),
            aliases_at: line("aliases"),
            meta,
            date,
            slug,
            body: Markdown::new(split.body),
            body_line: split.body_line,
        }),
        _ => Err(problems),
    }
}

/// Tags, the section and authors each get a page named by their slug
/// (`tags/<slug>/`): one the file system cannot hold is an error here, where
/// `check` sees it, at the key's line.
fn term_problems(
    file: &SourceFile,
    meta: &ArticleMeta,
    line: &dyn Fn(&str) -> Option<(usize, usize)>,
) -> Vec<Diagnostic> {
    let authors = meta.author.clone().map(Authors::into_vec).unwrap_or_default();
    let terms = [
        ("tag", "tags", meta.tags.as_slice()),
        ("section", "section", meta.section.as_slice()),
        ("author", "author", &authors),
    ];
    let mut problems = Vec::new();
    for (what, key, names) in terms {
        for name in names {
            let slug = slugify(name);
            if let Some(problem) = crate::fs::segment_problem(&slug).filter(|_| !slug.is_empty()) {
                let shown = crate::fs::shorten(name);
                problems.push(
                    Diagnostic::error(&file.site_rel, format!("the {what} `{shown}` cannot name a page: {problem}"))
                        .with_place(line(key))
                        .help("shorten it"),
                );
            }
        }
    }
    problems
}

/// Splits and parses an `_edition.md`.
pub fn parse_note(file: &SourceFile, text: impl Into<String>) -> Result<ParsedNote, Vec<Diagnostic>> {
    let split: Split = front_matter::split(text).map_err(|e| vec![to_diagnostic(file, e)])?;
    let meta: EditionMeta = front_matter::parse_all(&split.yaml, split.yaml_line)
        .map_err(|errors| errors.into_iter().map(|e| to_diagnostic(file, e)).collect::<Vec<_>>())?;
    let date = edition_date(file, None, None).map_err(|d| vec![d])?;
    Ok(ParsedNote {
        file: file.clone(),
        photo_at: front_matter::nested_key_place(&split.yaml, split.yaml_line, "photo", "src"),
        meta,
        date,
        body: Markdown::new(split.body),
        body_line: split.body_line,
    })
}

/// The edition of a file: the front matter's `edition`, the nearest dated
/// folder, and an error when they disagree or neither is there.
fn edition_date(file: &SourceFile, written: Option<&str>, line: Option<(usize, usize)>) -> Result<Date, Diagnostic> {
    let folder = folder_date(&file.content_rel);
    let written = match written {
        Some(text) => Some(parse_date(text).ok_or_else(|| {
            Diagnostic::error(&file.site_rel, format!("`edition: {text}` is not a real calendar date"))
                .with_place(line)
                .help("write the date as YYYY-MM-DD, e.g. `edition: 2023-09-05`")
        })?),
        None => None,
    };
    match (written, folder) {
        (Some(w), Some((f, dir))) if w != f => Err(Diagnostic::error(
            &file.site_rel,
            format!("the front matter says `edition: {w}`, but the file is in the folder `content/{dir}`, dated {f}"),
        )
        .with_place(line)
        .help("move the file to the right edition folder, or fix or remove `edition:`")),
        (Some(w), _) => Ok(w),
        (None, Some((f, _))) => Ok(f),
        (None, None) => Err(match unreal_date_folder(&file.content_rel) {
            Some(dir) => Diagnostic::error(
                &file.site_rel,
                format!("the folder `content/{dir}` is named like a date, but that day does not exist"),
            )
            .help("rename the folder to the edition's real date (YYYY-MM-DD), or add `edition: YYYY-MM-DD`"),
            None => Diagnostic::error(&file.site_rel, "this article belongs to no edition")
                .help("put it in a folder named by its date (content/2023-09-05/) or add `edition: YYYY-MM-DD`"),
        }),
    }
}

/// The innermost folder of `content_rel` shaped like `YYYY-MM-DD` that is
/// no real day (`2026-02-30`), as a path under `content/`.
fn unreal_date_folder(content_rel: &str) -> Option<String> {
    let parts: Vec<&str> = content_rel.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let shaped = |name: &str| {
        name.len() == 10
            && name.bytes().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() })
    };
    (0..dirs.len()).rev().find(|&i| shaped(dirs[i])).map(|i| dirs[..=i].join("/"))
}

/// A strict `YYYY-MM-DD` that is a real calendar date.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    super::discover::parse_folder_date(text.trim())
}

/// `updated:` as a date or an RFC 3339 date-time, normalised.
pub(crate) fn parse_updated(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(d) = parse_date(text) {
        return Some(d.to_string());
    }
    text.parse::<jiff::Timestamp>().ok().map(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::discover::SourceKind;
    use super::*;

    fn file(rel: &str) -> SourceFile {
        SourceFile {
            kind: SourceKind::Article,
            path: rel.into(),
            site_rel: format!("content/{rel}"),
            content_rel: rel.into(),
        }
    }

    #[test]
    fn parses_a_full_article() {
        let text =
            "---\ntitle: A \"vote\"\nauthor: [Ana, Tom]\nphoto:\n  src: p.jpg\n  credit: Ledger\norder: 2\n---\nBody\n";
        let a = parse_article(&file("2023-09-05/Council Vote.md"), text).unwrap();
        assert_eq!(a.slug, "council-vote");
        assert_eq!(a.date.to_string(), "2023-09-05");
        assert_eq!(a.meta.author.unwrap().into_vec(), vec!["Ana", "Tom"]);
        assert_eq!(a.photo_at, Some((5, 8)));
        assert_eq!(a.body_line, 9);
    }

    #[test]
    fn edition_must_agree_with_folder() {
        let e = parse_article(&file("2023-09-05/a.md"), "---\ntitle: A\nedition: 2023-09-06\n---\n").unwrap_err();
        assert!(e[0].message.contains("2023-09-06") && e[0].message.contains("2023-09-05"), "{}", e[0]);
        assert_eq!(e[0].line, Some(3));
        assert!(parse_article(&file("2023-09-05/a.md"), "---\ntitle: A\nedition: 2023-09-05\n---\n").is_ok());
        let a = parse_article(&file("misc/a.md"), "---\ntitle: A\nedition: 2024-02-29\n---\n").unwrap();
        assert_eq!(a.date.to_string(), "2024-02-29");
    }

    #[test]
    fn dates_must_be_real() {
        let e = parse_article(&file("misc/a.md"), "---\ntitle: A\nedition: 2023-02-30\n---\n").unwrap_err();
        assert!(e[0].message.contains("not a real calendar date"));
        let e = parse_article(&file("misc/a.md"), "---\ntitle: A\n---\n").unwrap_err();
        assert!(e[0].message.contains("no edition"));
        let e = parse_article(&file("2023-09-05/a.md"), "---\ntitle: A\nupdated: yesterday\n---\n").unwrap_err();
        assert_eq!(e[0].line, Some(3));
        assert_eq!(parse_updated("2023-09-05T10:00:00Z").as_deref(), Some("2023-09-05T10:00:00Z"));
    }

    #[test]
    fn slugs_are_always_slugified() {
        let a = parse_article(&file("2023-09-05/a.md"), "---\ntitle: A\nslug: ../../../evil\n---\n").unwrap();
        assert_eq!(a.slug, "evil");
        let e = parse_article(&file("2023-09-05/a.md"), "---\ntitle: A\nslug: \"!!!\"\n---\n").unwrap_err();
        assert_eq!(e[0].line, Some(3));
    }

    #[test]
    fn reports_several_problems_of_one_file() {
        let e = parse_article(&file("2023-09-05/a.md"), "---\ntitle: \"\"\nupdated: x\n---\n").unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
