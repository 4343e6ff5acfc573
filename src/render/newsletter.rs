//! The edition as an email: the view the `newsletter.html` and `newsletter.txt`
//! templates see, and the finishing steps after Tera (CSS inlined into `style`
//! attributes; text wrapped at 72 columns). The MIME message of
//! `masthead newsletter --format eml` is made in `crate::newsletter`.

use serde::Serialize;

use super::context::absolute;
use super::inline::Inliner;
use crate::content::{Edition, Photo, Site};

/// Columns of the plain-text alternative (RFC 3676 suggests at most 78).
pub(crate) const TEXT_WIDTH: usize = 72;
/// Width of the email's content column, in CSS pixels; photos are this wide.
pub(crate) const PHOTO_WIDTH: u32 = 560;

/// The two files of an edition's newsletter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Letter {
    Html,
    Text,
}

impl Letter {
    /// The template that renders it.
    pub(crate) fn template(self) -> &'static str {
        match self {
            Letter::Html => "newsletter.html",
            Letter::Text => "newsletter.txt",
        }
    }
}

/// The file of `letter` beside the edition page whose output is
/// `edition_output`: `2023/09/05/index.html` → `2023/09/05/newsletter.html`.
/// An edition written as `2023/09/05.html` gets the folder `2023/09/05/`.
pub(crate) fn output_path(edition_output: &str, letter: Letter) -> String {
    let folder = match edition_output.strip_suffix("index.html") {
        Some(dir) => dir.to_string(),
        None => format!("{}/", edition_output.strip_suffix(".html").unwrap_or(edition_output)),
    };
    format!("{folder}{}", letter.template())
}

/// What the newsletter templates see as `newsletter` (see `docs/templates.md`).
/// Every URL is absolute: an email has no base to resolve against.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct NewsletterView<'a> {
    pub(crate) date: String,
    pub(crate) date_display: String,
    pub(crate) title: &'a str,
    pub(crate) summary: &'a str,
    /// The hidden preview line: the summary, or the headlines when there is none.
    pub(crate) preheader: String,
    /// The edition page on the web.
    pub(crate) web_url: String,
    /// The site's front page.
    pub(crate) home_url: &'a str,
    pub(crate) articles: Vec<LetterArticleView<'a>>,
    /// The unsubscribe merge tag, as configured.
    pub(crate) unsubscribe: &'a str,
    pub(crate) footer: String,
    /// Every link of the text version, numbered from 1: `[n] url`. The
    /// edition page is 1, the articles follow, the front page is last.
    pub(crate) links: Vec<LinkRef>,
    /// The number of `home_url` in `links`.
    pub(crate) home_link_number: usize,
}

/// An article of the newsletter.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct LetterArticleView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) summary: &'a str,
    pub(crate) byline: &'a str,
    pub(crate) section: Option<&'a str>,
    pub(crate) photo: Option<LetterPhotoView<'a>>,
    /// The number of `url` in `links`.
    pub(crate) link_number: usize,
}

#[derive(Debug, Serialize, Hash)]
pub(crate) struct LetterPhotoView<'a> {
    pub(crate) src: String,
    pub(crate) alt: &'a str,
    pub(crate) credit: Option<&'a str>,
    pub(crate) caption: Option<&'a str>,
    pub(crate) width: u32,
}

/// A numbered link of the text version.
#[derive(Debug, Serialize, Hash)]
pub(crate) struct LinkRef {
    pub(crate) number: usize,
    pub(crate) url: String,
}

/// The absolute URL the newsletter uses for a photo. The one place that
/// decides it, so a resized copy can be used later.
pub(crate) fn photo_url(site: &Site, photo: &Photo) -> String {
    absolute(site, &photo.src)
}

/// The newsletter of `edition`.
pub(crate) fn view<'a>(site: &'a Site, edition: &'a Edition) -> NewsletterView<'a> {
    let web_url = absolute(site, &edition.url);
    let mut links = vec![LinkRef { number: 1, url: web_url.clone() }];
    let articles = edition
        .articles
        .iter()
        .map(|a| {
            let url = absolute(site, &a.url);
            links.push(LinkRef { number: links.len() + 1, url: url.clone() });
            LetterArticleView {
                title: &a.title,
                url,
                summary: &a.summary,
                byline: &a.byline,
                section: a.section.as_deref(),
                photo: a.photo.as_ref().map(|p| LetterPhotoView {
                    src: photo_url(site, p),
                    alt: &p.alt,
                    credit: p.credit.as_deref(),
                    caption: p.caption.as_deref(),
                    width: PHOTO_WIDTH,
                }),
                link_number: links.len(),
            }
        })
        .collect();
    links.push(LinkRef { number: links.len() + 1, url: site.base.absolute.clone() });
    let config = &site.config.newsletter;
    let preheader = if edition.summary.is_empty() {
        edition.articles.iter().map(|a| a.title.as_str()).collect::<Vec<_>>().join(" · ")
    } else {
        edition.summary.clone()
    };
    let footer = if config.footer.is_empty() {
        format!("You are receiving {} because you subscribed to its daily newsletter.", site.config.the_publication())
    } else {
        config.footer.clone()
    };
    NewsletterView {
        date: edition.date.to_string(),
        date_display: site.display_date(edition.date),
        title: &edition.title,
        summary: &edition.summary,
        preheader,
        web_url,
        home_url: &site.base.absolute,
        articles,
        unsubscribe: &config.unsubscribe,
        footer,
        home_link_number: links.len(),
        links,
    }
}

/// The finishing step after the template: CSS inlined into the HTML (see
/// [`Inliner`]), the text wrapped. Errors are messages for the template's author.
pub(crate) fn finish(letter: Letter, rendered: String, inliner: &Inliner) -> Result<String, String> {
    match letter {
        Letter::Html => inliner.inline(&rendered),
        // Text files have no escaping of their own: controls from the site
        // (a title holding `\u{1b}[2J`) would reach the reader's terminal or mail client.
        Letter::Text => Ok(wrap_text(&super::escape::plain_text(&rendered))),
    }
}

/// How a line of `newsletter.txt` is wrapped: at [`TEXT_WIDTH`], its
/// indent kept on every part, words never broken.
pub(crate) fn wrap_options(line: &str) -> textwrap::Options<'_> {
    let indent = &line[..line.len() - line.trim_start().len()];
    textwrap::Options::new(TEXT_WIDTH)
        .initial_indent(indent)
        .subsequent_indent(indent)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
}

/// Wraps every line longer than [`TEXT_WIDTH`] at spaces, keeping its
/// indentation; words (URLs) are never split, nor link references. Runs of more than one blank
/// line, which template tags leave behind, become one.
pub(crate) fn wrap_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut blank_run = 0;
    for line in lines(text) {
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 || out.is_empty() {
                continue;
            }
            out.push('\n');
            continue;
        }
        blank_run = 0;
        // A line that fits comes back from textwrap as it is: skip it. Its
        // bytes bound its columns from above (no character is wider than its
        // UTF-8 bytes), except a tab's. A link reference is kept whole.
        if (line.len() <= TEXT_WIDTH && !line.as_bytes().contains(&b'\t')) || is_link_reference(line) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        super::wrap::wrap_line(line, TEXT_WIDTH, &mut out);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The lines of `text` as `str::lines` gives them, each without its trailing
/// whitespace, found by one search over the whole text rather than one a line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len())).map_while(move |end| {
        let line = text.get(start..end).filter(|_| start < text.len())?;
        start = end + 1;
        Some(line.trim_end())
    })
}

/// `[3] https://…`: kept on one line however long, so the number stays
/// with its URL.
fn is_link_reference(line: &str) -> bool {
    let rest = line.strip_prefix('[').and_then(|r| r.split_once("] "));
    rest.is_some_and(|(n, url)| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !url.is_empty() && !url.contains(' ')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newsletter_files_sit_beside_the_edition_page() {
        let cases = [
            ("2023/09/05/index.html", Letter::Html, "2023/09/05/newsletter.html"),
            ("2023/09/05/index.html", Letter::Text, "2023/09/05/newsletter.txt"),
            ("editions/2023-09-05.html", Letter::Html, "editions/2023-09-05/newsletter.html"),
            ("index.html", Letter::Text, "newsletter.txt"),
        ];
        for (edition, letter, expected) in cases {
            assert_eq!(output_path(edition, letter), expected, "{edition}");
        }
    }

    #[test]
    fn text_wraps_at_72_columns_keeping_indent_and_urls() {
        let long = "word ".repeat(40);
        let url = format!("https://news.example.com/{}", "a".repeat(90));
        let text = format!("\n\nTitle\n\n\n\n  {long}\n[1] {url}\n\n\n");
        let wrapped = wrap_text(&text);
        assert!(wrapped.starts_with("Title\n\n  word"), "{wrapped:?}");
        for line in wrapped.lines().filter(|l| !l.contains("https://")) {
            assert!(line.chars().count() <= TEXT_WIDTH, "{line:?}");
            assert!(line.is_empty() || line == "Title" || line.starts_with("  word"), "{line:?}");
        }
        assert!(wrapped.contains(&format!("[1] {url}\n")), "URLs are never split: {wrapped}");
        assert!(!wrapped.contains("\n\n\n") && wrapped.ends_with(&format!("{url}\n")), "{wrapped:?}");
    }

    proptest::proptest! {
        #[test]
        fn lines_are_those_of_str_lines(text in "[a \\r\\n\\t\u{e9}]{0,40}") {
            let expected: Vec<&str> = text.lines().map(str::trim_end).collect();
            proptest::prop_assert_eq!(lines(&text).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn lines_that_fit_are_kept_as_textwrap_would_keep_them() {
        let lines = [
            "Short line",
            "  indented  with  double  spaces",
            "Caf\u{e9} \u{2014} \u{201c}quoted\u{201d} \u{65e5}\u{672c}\u{8a9e} \u{1f4f0} news",
            &"x".repeat(TEXT_WIDTH),
            &format!("    {}", "word ".repeat(13).trim_end()),
        ];
        for line in lines {
            assert!(line.len() <= TEXT_WIDTH, "{line}");
            let wrapped: Vec<_> = textwrap::wrap(line.trim_start(), wrap_options(line));
            assert_eq!(wrapped, vec![line], "{line:?}");
            assert_eq!(wrap_text(line), format!("{line}\n"));
        }
    }

    #[test]
    fn inlining_keeps_media_queries_and_drops_other_styles() {
        let html = "<!DOCTYPE html><html><head><style>p { color: red; }\
            @media (max-width: 600px) { p { color: blue; } }</style>\
            <link rel=\"stylesheet\" href=\"https://fonts.example.com/a.css\"></head>\
            <body><p class=\"x\">Hi</p></body></html>";
        let out = Inliner::default().inline(html).unwrap();
        assert!(out.contains(r#"<p class="x" style="color: red;">Hi</p>"#), "{out}");
        assert!(out.contains("@media (max-width: 600px)") && out.matches("<style").count() == 1, "{out}");
        assert!(!out.contains("p { color: red; }") && !out.contains("<link"), "{out}");
        assert!(out.starts_with("<!DOCTYPE html>"), "{out}");
    }
}
