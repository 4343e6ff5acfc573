//! Syntax highlighting of fenced code, as a pass over pulldown-cmark's
//! events: a block whose language syntect knows is written as spans with
//! classes (`hl-keyword`, `hl-string`, …) that the theme's stylesheet
//! colours; no inline style. A block without a language, or in one syntect
//! does not know, is left to the HTML writer as before (`<pre><code
//! class="language-xxx">`). The syntax definitions are loaded once, the
//! first time a page has a fenced block with a language.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The prefix of every class the highlighter writes, so no theme class
/// (`.string`, `.comment`) is coloured by accident.
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// How much code (bytes of source) one body may have highlighted; the rest
/// stays plain. Highlighted code is 10 to 25 times its size (a shell line
/// more, for its nested scopes), and a body's HTML is bounded
/// ([`super::max_html_bytes`]: 1 MB besides 8 times the Markdown).
pub(crate) const BUDGET: usize = 32 * 1024;

/// syntect's built-in syntaxes, loaded on first use.
fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The language of a fence's info string: its first word (`rust,ignore` and
/// `rust {.x}` name `rust`), as the HTML writer takes it for the class.
pub(crate) fn language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{').next().unwrap_or("")
}

/// The syntax for a language name or file extension (`rust`, `rs`, `py`),
/// with the names writers use for shell sessions.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let lang = match lang.to_ascii_lowercase().as_str() {
        "shell" | "console" | "shell-session" | "zsh" => "bash".to_string(),
        "yml" => "yaml".to_string(),
        other => other.to_string(),
    };
    set.find_syntax_by_token(&lang).filter(|s| s.name != "Plain Text")
}

/// `code` highlighted as `lang`, or `None` when syntect does not know the
/// language or fails on the text (the block is then written plain).
pub(crate) fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = syntax_for(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), STYLE);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// Event adapter; see the module docs.
pub(crate) struct Highlight<'a, I: Iterator<Item = Event<'a>>> {
    inner: I,
    /// Bytes of code still allowed to be highlighted in this body.
    budget: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Highlight<'a, I> {
    pub(crate) fn new(inner: I) -> Self {
        Highlight { inner, budget: BUDGET }
    }

    /// The rest of a code block: its text, up to and with its end tag.
    fn block_text(&mut self) -> String {
        let mut code = String::new();
        for event in self.inner.by_ref() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        code
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Highlight<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.inner.next()?;
        let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event else {
            return Some(event);
        };
        let lang = language(info);
        // A name that needs no escaping in the class attribute (`c++`, `objective-c`).
        let plain_name = lang.bytes().all(|b| b.is_ascii_alphanumeric() || b"+#._-".contains(&b));
        if lang.is_empty() || !plain_name || self.budget == 0 {
            return Some(event);
        }
        let lang = lang.to_string();
        let info = info.clone();
        let code = self.block_text();
        let highlighted = (code.len() <= self.budget).then(|| highlight(&code, &lang)).flatten();
        let html = match highlighted {
            Some(spans) => {
                self.budget -= code.len();
                format!("<pre class=\"highlight\"><code class=\"language-{lang}\">{spans}</code></pre>\n")
            }
            None => plain(&code, &info),
        };
        Some(Event::Html(CowStr::from(html)))
    }
}

/// A block written as the HTML writer writes it.
fn plain(code: &str, info: &str) -> String {
    let events = [
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info.into()))),
        Event::Text(code.into()),
        Event::End(TagEnd::CodeBlock),
    ];
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of highlighted HTML: tags dropped, entities decoded.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            rest = &rest[rest[i..].find('>').expect("a closed tag") + i + 1..];
        }
        out.push_str(rest);
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn highlighting_keeps_the_text_and_uses_classes_only() {
        let cases = [
            ("rust", "fn main() {\n    let s = \"<a & b>\"; // 'x'\n    println!(\"{s}\");\n}\n"),
            ("python", "def f(x):\n    return x < 3 and 'a' != \"b\"  # done\n"),
            ("yaml", "title: \"A & B\"\ntags: [one, two]\n"),
            ("sh", "echo \"$HOME\" | grep -v '<x>' && ls\n"),
            ("shell", "cargo build --release\n"),
            ("rs", "let x = 1;"),
        ];
        for (lang, code) in cases {
            let html = highlight(code, lang).unwrap_or_else(|| panic!("{lang} is known"));
            assert_eq!(text_of(&html), code, "{lang}: {html}");
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
            assert!(!html.contains("style="), "{lang}: {html}");
        }
    }

    #[test]
    fn a_body_of_code_stays_within_its_html_bound() {
        let line = "curl -s \"https://water.example.gov/mlbk1.csv\" | tail -n 1 # 'last' reading\n";
        let block = format!("```sh\n{}```\n\n", line.repeat(BUDGET / line.len() / 2));
        let body = block.repeat(6);
        let r = super::super::render(&body, 1, true, &|_| super::super::LinkOutcome::Keep);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.html.get().matches("<pre class=\"highlight\">").count(), 2, "the first 32 KB only");
        assert_eq!(r.html.get().matches("<pre><code class=\"language-sh\">").count(), 4);
        assert!(r.html.get().len() < super::super::max_html_bytes(body.len()));
    }

    #[test]
    fn unknown_languages_are_not_highlighted() {
        assert_eq!(highlight("x", "no-such-language"), None);
        assert_eq!(highlight("x", "txt"), None);
    }

    #[test]
    fn the_language_is_the_first_word_of_the_info_string() {
        for (info, lang) in [("rust", "rust"), ("rust,ignore", "rust"), ("python {.x}", "python"), ("", "")] {
            assert_eq!(language(info), lang, "{info}");
        }
    }
}
