//! `masthead init` and `masthead new`: write a starter site or a new
//! article. Both refuse to overwrite files that already exist.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use jiff::civil::Date;

use crate::content::slug::slugify;
use crate::fs;

/// A file `init` writes, relative to the new site folder.
struct Starter {
    path: String,
    text: String,
}

fn starter_files(title: &str, today: Date) -> Vec<Starter> {
    let yaml_title = quote(title);
    vec![
        Starter {
            path: "site.yaml".into(),
            text: format!(
                "title: {yaml_title}\nbase_url: https://news.example.com/\ndescription: \"News every morning.\"\nlanguage: en\ntimezone: UTC\n"
            ),
        },
        Starter {
            // The built site, masthead's folders beside it (`.public.masthead-tmp-…`
            // while building, `.public.masthead-spare` for reuse) and the photo cache.
            path: ".gitignore".into(),
            text: format!("/public\n/.public.*\n/{}\n", crate::images::cache::CACHE_DIR),
        },
        Starter {
            path: format!("content/{today}/_edition.md"),
            text: "---\ntitle: \"Our first edition\"\nsummary: \"Welcome to the first edition.\"\n---\nA note from the editor: this is where each edition's introduction goes.\n".into(),
        },
        Starter {
            path: format!("content/{today}/welcome.md"),
            text: "---\ntitle: \"Welcome to your new daily\"\nauthor: \"The Editors\"\nsection: \"Local\"\ntags: [\"announcements\"]\norder: 1\n---\nThis is the first article of your site. Every article is a Markdown file in a folder named by its edition's date.\n\nAdd another with `masthead new \"Headline\"`, then run `masthead build` and open `public/index.html`.\n".into(),
        },
    ]
}

/// What `init` did.
#[derive(Debug)]
pub(crate) struct InitReport {
    pub(crate) written: Vec<PathBuf>,
    pub(crate) kept: Vec<PathBuf>,
}

/// Writes a starter site into `dir`. A non-empty folder needs `force`, and
/// even then no existing file is overwritten.
pub(crate) fn init(dir: &Path, title: &str, today: Date, force: bool) -> Result<InitReport> {
    if dir.exists() && !dir.is_dir() {
        bail!("`{}` exists and is not a folder", dir.display());
    }
    let non_empty = dir.is_dir() && std::fs::read_dir(dir)?.next().is_some();
    if non_empty && !force {
        bail!("`{}` is not empty; use --force to add a site to it (no existing file is overwritten)", dir.display());
    }
    let mut report = InitReport { written: Vec::new(), kept: Vec::new() };
    for file in starter_files(title, today) {
        let path = dir.join(&file.path);
        if path.exists() {
            report.kept.push(path);
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, file.text.as_bytes())?;
        report.written.push(path);
    }
    Ok(report)
}

/// What `new` should write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewArticle {
    pub(crate) title: String,
    pub(crate) edition: Date,
    pub(crate) section: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) draft: bool,
}

/// A headline for `masthead new`, checked when the command line is parsed:
/// it must give the file a name.
pub(crate) fn check_title(title: &str) -> std::result::Result<String, String> {
    if slugify(title).is_empty() {
        Err(format!(
            "the title `{}` has no letters or digits to name the file after; write a headline such as `Council votes`",
            crate::diagnostic::printable(title)
        ))
    } else {
        Ok(title.to_string())
    }
}

/// Writes `content/<date>/<slug>.md` and returns its path.
pub(crate) fn new_article(root: &Path, article: &NewArticle) -> Result<PathBuf> {
    if let Err(e) = check_title(&article.title) {
        bail!("{e}");
    }
    let slug = slugify(&article.title);
    let path = root.join("content").join(article.edition.to_string()).join(format!("{slug}.md"));
    if path.exists() {
        bail!("`{}` already exists; choose another title or edit that file", path.display());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&path, front_matter(article).as_bytes())?;
    Ok(path)
}

fn front_matter(a: &NewArticle) -> String {
    let mut text = format!("---\ntitle: {}\n", quote(&a.title));
    match a.authors.as_slice() {
        [] => {}
        [one] => text.push_str(&format!("author: {}\n", quote(one))),
        many => text.push_str(&format!("author: [{}]\n", many.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))),
    }
    if let Some(section) = &a.section {
        text.push_str(&format!("section: {}\n", quote(section)));
    }
    if a.draft {
        text.push_str("draft: true\n");
    }
    text.push_str("---\nWrite the article here.\n");
    text
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// `today`, `tomorrow` or `YYYY-MM-DD`, relative to `today`.
/// The edition `masthead new --edition` names, checked when the command line
/// is parsed; the day it means depends on the site's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditionDay {
    Today,
    Tomorrow,
    On(Date),
}

impl std::str::FromStr for EditionDay {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<EditionDay, String> {
        match text {
            "today" => Ok(EditionDay::Today),
            "tomorrow" => Ok(EditionDay::Tomorrow),
            other => crate::content::article::parse_date(other).map(EditionDay::On).ok_or_else(|| {
                format!(
                    "`{}` is not `today`, `tomorrow` or a real date written YYYY-MM-DD, such as `2026-06-01`",
                    crate::diagnostic::printable(other)
                )
            }),
        }
    }
}

impl EditionDay {
    /// The date, given today's date in the site's time zone.
    pub(crate) fn date(self, today: Date) -> Result<Date> {
        Ok(match self {
            EditionDay::Today => today,
            EditionDay::Tomorrow => today.tomorrow()?,
            EditionDay::On(d) => d,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_quotes_everything() {
        let a = NewArticle {
            title: "Russia: a \"look\"".into(),
            edition: Date::constant(2023, 9, 5),
            section: Some("World".into()),
            authors: vec!["Ana".into(), "Tom".into()],
            draft: true,
        };
        let text = front_matter(&a);
        assert!(text.starts_with("---\ntitle: \"Russia: a \\\"look\\\"\"\nauthor: [\"Ana\", \"Tom\"]\nsection: \"World\"\ndraft: true\n---\n"), "{text}");
        let split = crate::yaml::split(&text).unwrap();
        let meta: crate::content::article::ArticleMeta = crate::yaml::parse(&split.yaml, 1).unwrap();
        assert_eq!(meta.title, "Russia: a \"look\"");
    }

    #[test]
    fn editions_relative_to_today() {
        let today = Date::constant(2023, 12, 31);
        let parse = |text: &str| text.parse::<EditionDay>().map(|e| e.date(today).unwrap());
        assert_eq!(parse("today").unwrap(), today);
        assert_eq!(parse("tomorrow").unwrap(), Date::constant(2024, 1, 1));
        assert_eq!(parse("2024-02-29").unwrap(), Date::constant(2024, 2, 29));
        assert!(parse("2023-02-29").is_err());
        assert!(parse("2026-13-45").is_err());
    }

    #[test]
    fn a_title_must_name_a_file() {
        assert_eq!(check_title("Council votes").as_deref(), Ok("Council votes"));
        assert!(check_title("!!! ---").unwrap_err().contains("no letters or digits"));
    }

    #[test]
    fn init_refuses_non_empty_folders_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "mine").unwrap();
        assert!(init(dir.path(), "Daily", Date::constant(2023, 9, 5), false).is_err());
        let report = init(dir.path(), "Daily", Date::constant(2023, 9, 5), true).unwrap();
        assert_eq!(report.kept.len(), 1);
        assert_eq!(std::fs::read_to_string(dir.path().join("site.yaml")).unwrap(), "mine");
        assert!(dir.path().join("content/2023-09-05/welcome.md").is_file());
        let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
        assert_eq!(ignore, "/public\n/.public.*\n/.masthead-cache\n");
    }
}
