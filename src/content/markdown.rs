//! Markdown to HTML with pulldown-cmark: CommonMark plus tables, footnotes,
//! strikethrough, task lists and (by default) smart punctuation. Link and
//! image targets are handed to a resolver so `.md` links become page URLs;
//! the first paragraph's text is kept as the default summary. Smart
//! punctuation leaves the text of raw `<script>`, `<style>`, `<pre>` and
//! `<code>` as written, and a body's HTML is bounded by its Markdown's size.
//! Headings get ids and footnotes are listed at the end (see [`notes`]).

use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::packed::Text;

/// What the resolver decided for one link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// External, an anchor, or otherwise left as written.
    Keep,
    /// Replaced by this URL.
    Rewrite(String),
    /// Replaced by this URL, with a warning.
    Warn(String, String),
    /// Points at nothing: an error with this message.
    Broken(String),
}

/// A link problem, at a line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProblem {
    pub line: usize,
    pub(crate) col: usize,
    pub(crate) message: String,
    pub(crate) is_error: bool,
}

/// The result of rendering one Markdown body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// Packed when the site is large (see [`Text`]). Shared, so a cached
    /// rendering is reused without copying.
    pub(crate) html: Text,
    /// Whether the HTML has an image (`<img src="`) that may need its size.
    pub(crate) has_images: bool,
    /// Plain text of the first paragraph, for a default summary.
    pub(crate) first_paragraph: String,
    pub problems: Vec<LinkProblem>,
    /// A hash of `html`, for the preview server's page fingerprints.
    pub(crate) hash: u64,
}

/// How every image of rendered HTML starts.
pub(crate) const IMAGE: &str = "<img src=\"";

/// pulldown-cmark's own smart punctuation is off: it curls each quote by
/// itself (`"a "b" c"` → “a “b” c“, `` `x`'s `` → ‘s); [`Smart`] curls the
/// text with the shown texts' rules instead.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders `body`, whose first line is line `body_line` of its file.
pub fn render(
    body: &str,
    body_line: usize,
    smart_punctuation: bool,
    resolve: &dyn Fn(&str) -> LinkOutcome,
) -> Rendered {
    // CommonMark (2.3) replaces NUL with U+FFFD; pulldown-cmark passes it
    // through, and a NUL in a page is invalid HTML. Same length, same lines.
    let body: std::borrow::Cow<'_, str> =
        if body.contains('\0') { body.replace('\0', "\u{fffd}").into() } else { body.into() };
    let body = body.as_ref();
    let line_starts: Vec<usize> = std::iter::once(0).chain(body.match_indices('\n').map(|(i, _)| i + 1)).collect();
    // The file line and column (1-based, in characters) of a byte of the body.
    let line_of = |offset: usize| {
        let i = line_starts.partition_point(|&s| s <= offset) - 1;
        (body_line + i, body[line_starts[i]..offset].chars().count() + 1)
    };

    let mut html = Capped { html: String::with_capacity(body.len() * 3 / 2), limit: max_html_bytes(body.len()) };
    let mut out = Rendered::default();
    let mut verbatim = Verbatim::default();
    // Where the event being written starts, for the line of an error.
    let mut at = 0;
    let mut summary = FirstParagraph::default();
    let mut problems = Vec::new();
    // The image being read: its line, source and whether it has alt text.
    let mut image: Option<((usize, usize), String, bool)> = None;
    // Where each footnote is defined, for the warning about one never referenced.
    let mut definitions: Vec<(String, (usize, usize))> = Vec::new();
    let mut smart = Smart::new(smart_punctuation);
    let events = Parser::new_ext(body, options()).into_offset_iter().map(|(event, range)| {
        at = range.start;
        let event = smart.event(event, body, range.clone(), verbatim.open.is_some());
        // A script's or stylesheet's text is not part of the summary.
        if !(matches!(verbatim.open, Some("script" | "style")) && matches!(event, Event::Text(_))) {
            summary.observe(&event);
        }
        match &event {
            Event::Start(Tag::FootnoteDefinition(label)) => definitions.push((label.to_string(), line_of(range.start))),
            Event::Text(t) | Event::Code(t) if !t.trim().is_empty() => {
                if let Some((_, _, alt)) = image.as_mut() {
                    *alt = true;
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some(((line, col), src, false)) = image.take() {
                    let message = format!("the image `{src}` has no alt text (describe it between the brackets)");
                    problems.push(LinkProblem { line, col, message, is_error: false });
                }
            }
            _ => {}
        }
        match event {
            // An email autolink (`<desk@example.org>`) is written as a `mailto:` link by
            // the HTML writer; its address names no file.
            Event::Start(Tag::Link { link_type: LinkType::Email, dest_url, title, id }) => {
                Event::Start(Tag::Link { link_type: LinkType::Email, dest_url, title, id })
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest_url = rewrite(dest_url, resolve, line_of(range.start), &mut problems);
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                image = Some((line_of(range.start), dest_url.to_string(), false));
                let dest_url = rewrite(dest_url, resolve, line_of(range.start), &mut problems);
                Event::Start(Tag::Image { link_type, dest_url, title, id })
            }
            Event::Html(h) => {
                verbatim.observe(&h);
                Event::Html(raw_html_links(h, resolve, line_of(range.start), &mut problems))
            }
            Event::InlineHtml(h) => {
                verbatim.observe(&h);
                Event::InlineHtml(raw_html_links(h, resolve, line_of(range.start), &mut problems))
            }
            other => other,
        }
    });
    let mut notes = notes::Notes::new(highlight::Highlight::new(events));
    let written = html::write_html_fmt(&mut html, notes.by_ref());
    let unreferenced = std::mem::take(&mut notes.unreferenced);
    drop(notes);
    for label in unreferenced {
        let (line, col) = definitions.iter().find(|(l, _)| *l == label).map_or((body_line, 1), |(_, at)| *at);
        let message = format!("the footnote `[^{label}]` is never referenced, so it is left out");
        problems.push(LinkProblem { line, col, message, is_error: false });
    }
    let html = match written {
        Ok(()) => html.html,
        Err(fmt::Error) => {
            let message = format!(
                "this Markdown makes more than {} MB of HTML, over 8 times its own size: \
                 quotes or lists nested this deep are not an article; simplify or split the file",
                html.limit >> 20
            );
            let (line, col) = line_of(at);
            problems.push(LinkProblem { line, col, message, is_error: true });
            String::new()
        }
    };
    out.hash = hash_html(&html);
    out.has_images = html.contains(IMAGE);
    out.html = Text::Plain(html.into());
    out.first_paragraph = summary.text.trim().to_string();
    out.problems = problems;
    out
}

/// The most HTML a body of `markdown_len` bytes may make: 8 bytes for each
/// byte of Markdown, and 1 MB besides. Prose makes about 1.2 times its size
/// and dense tables about 6; 16 MB of nested `>` made 450 MB, and each feed
/// copies the body again.
pub(crate) fn max_html_bytes(markdown_len: usize) -> usize {
    markdown_len.saturating_mul(8).saturating_add(1 << 20)
}

/// A body's HTML, refused (by an error from `write_str`, which stops the
/// renderer at once) as it grows past `limit`.
struct Capped {
    html: String,
    limit: usize,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.html.len() + s.len() > self.limit {
            return Err(fmt::Error);
        }
        self.html.push_str(s);
        Ok(())
    }
}

/// Raw HTML elements whose text is code or preformatted: smart punctuation
/// would break a script (`alert('x')` → `alert(‘x’)`) or change a listing.
const VERBATIM: [&str; 4] = ["script", "style", "pre", "code"];

/// Which element of [`VERBATIM`] the raw HTML written so far leaves open.
#[derive(Default)]
struct Verbatim {
    open: Option<&'static str>,
}

impl Verbatim {
    fn observe(&mut self, html: &str) {
        let lower = html.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            match self.open {
                Some(name) => {
                    if rest.strip_prefix('/').and_then(|r| r.strip_prefix(name)).is_some_and(ends_tag_name) {
                        self.open = None;
                    }
                }
                None => self.open = VERBATIM.into_iter().find(|n| rest.strip_prefix(n).is_some_and(ends_tag_name)),
            }
        }
    }
}

fn ends_tag_name(after: &str) -> bool {
    after.is_empty() || after.starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace())
}

/// Smart punctuation of a body's text, block by block: never in code, in
/// raw HTML or the text of a raw `<script>`, `<style>`, `<pre>` or `<code>`,
/// nor in an image's alt text (an attribute); a quote written as `\"` or
/// `&quot;` stays straight.
struct Smart {
    on: bool,
    curler: typography::Curler,
    code_block: bool,
    /// Depth of images being read: their text is alt text.
    image: usize,
}

impl Smart {
    fn new(on: bool) -> Self {
        Smart { on, curler: typography::Curler::new(typography::Backticks::Plain), code_block: false, image: 0 }
    }

    fn event<'a>(&mut self, event: Event<'a>, body: &str, range: Range<usize>, verbatim: bool) -> Event<'a> {
        if !self.on {
            return event;
        }
        match &event {
            Event::Start(Tag::Image { .. }) => self.image += 1,
            Event::End(TagEnd::Image) => {
                self.image = self.image.saturating_sub(1);
                self.curler.after(Some('a'));
            }
            Event::Start(Tag::CodeBlock(_)) => self.code_block = true,
            Event::End(TagEnd::CodeBlock) => self.code_block = false,
            Event::Start(tag) if is_block(&tag.to_end()) => self.curler.reset(),
            Event::End(end) if is_block(end) => self.curler.reset(),
            Event::Html(_) => self.curler.reset(),
            Event::Code(_) | Event::FootnoteReference(_) => self.curler.after(Some('a')),
            Event::SoftBreak | Event::HardBreak => self.curler.after(Some(' ')),
            Event::InlineHtml(h) => self.curler.after(h.starts_with("</").then_some('a')),
            _ => {}
        }
        match event {
            Event::Text(t) if self.code_block || self.image > 0 || verbatim => {
                self.curler.skip(&t);
                Event::Text(t)
            }
            Event::Text(t) => {
                // An escaped or entity-written character (`\\"`, `&quot;`) starts a text of
                // its own, and stays as written.
                let backslashes = body[..range.start].bytes().rev().take_while(|&b| b == b'\\').count();
                let literal = backslashes % 2 == 1 || body[range].starts_with('&') && !t.starts_with('&');
                let split = if literal { t.chars().next().map_or(0, char::len_utf8) } else { 0 };
                self.curler.skip(&t[..split]);
                match self.curler.curl(&t[split..]) {
                    std::borrow::Cow::Borrowed(_) => Event::Text(t),
                    std::borrow::Cow::Owned(curled) => Event::Text(format!("{}{curled}", &t[..split]).into()),
                }
            }
            other => other,
        }
    }
}

/// Tags whose text is a block of its own: quotes never span two.
fn is_block(end: &TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::Item
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::FootnoteDefinition
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
    )
}

/// The hash kept with rendered HTML, for the preview server's fingerprints.
pub(crate) fn hash_html(html: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = crate::fingerprint::hasher();
    html.hash(&mut hasher);
    hasher.finish()
}

/// The URL a resolved link takes (`None`: as written), noting its problem:
/// a broken link is an error in Markdown, and a warning (`note` added) in
/// raw HTML, which is the writer's own.
fn resolved(outcome: LinkOutcome, at: (usize, usize), problems: &mut Vec<LinkProblem>, raw: bool) -> Option<String> {
    let (line, col) = at;
    match outcome {
        LinkOutcome::Keep => None,
        LinkOutcome::Rewrite(url) => Some(url),
        LinkOutcome::Warn(url, message) => {
            problems.push(LinkProblem { line, col, message, is_error: false });
            Some(url)
        }
        LinkOutcome::Broken(message) => {
            let message = if raw { format!("{message} (in raw HTML)") } else { message };
            problems.push(LinkProblem { line, col, message, is_error: !raw });
            None
        }
    }
}

fn rewrite<'a>(
    dest: CowStr<'a>,
    resolve: &dyn Fn(&str) -> LinkOutcome,
    at: (usize, usize),
    problems: &mut Vec<LinkProblem>,
) -> CowStr<'a> {
    match resolved(resolve(&dest), at, problems, false) {
        Some(url) => url.into(),
        None => dest,
    }
}

/// Links in raw HTML (`<a href>`, `<img src>`, …) resolved like Markdown's:
/// a `.md` target becomes its page's URL; one that points at nothing is a
/// warning (an error with `--strict`).
fn raw_html_links<'a>(
    html: CowStr<'a>,
    resolve: &dyn Fn(&str) -> LinkOutcome,
    at: (usize, usize),
    problems: &mut Vec<LinkProblem>,
) -> CowStr<'a> {
    if !html.contains('=') {
        return html;
    }
    match urls::map_urls(&html, &mut |url| resolved(resolve(url), at, problems, true)) {
        std::borrow::Cow::Owned(changed) => changed.into(),
        std::borrow::Cow::Borrowed(_) => html,
    }
}

/// Collects the text of the first top-level paragraph.
#[derive(Default)]
struct FirstParagraph {
    text: String,
    depth: usize,
    inside: bool,
    done: bool,
}

impl FirstParagraph {
    fn observe(&mut self, event: &Event<'_>) {
        if self.done {
            return;
        }
        match event {
            Event::Start(Tag::Paragraph) if self.depth == 0 => self.inside = true,
            Event::End(TagEnd::Paragraph) if self.inside && self.depth == 0 => {
                self.inside = false;
                self.done = !self.text.trim().is_empty();
            }
            Event::Start(Tag::FootnoteDefinition(_)) => self.depth += 1,
            Event::End(TagEnd::FootnoteDefinition) => self.depth -= 1,
            Event::Text(t) | Event::Code(t) if self.inside => self.text.push_str(t),
            Event::SoftBreak | Event::HardBreak if self.inside => self.text.push(' '),
            _ => {}
        }
    }
}

/// Cuts text to at most `max` characters at a word boundary, adding `…`.
pub(crate) fn cut_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let cut = &text[..end];
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &cut[..i],
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-–—".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: &str) -> LinkOutcome {
        LinkOutcome::Keep
    }

    #[test]
    fn renders_extensions() {
        let r = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ [^1]\n\n- [x] done\n\n[^1]: note\n", 1, true, &keep);
        assert!(r.html.get().contains("<table>"), "{}", r.html.get());
        assert!(r.html.get().contains("<del>old</del>"));
        assert!(r.html.get().contains("checkbox"));
        assert!(r.html.get().contains("footnote"));
    }

    #[test]
    fn headings_get_unique_ids_and_footnotes_go_to_the_end() {
        let md = "# Intro\n\nA note[^a], another[^b], again[^a].\n\n[^a]: First.\n[^b]: Second.\n\n\
                  ## Use it {#chosen}\n\n## Use it\n\n## Use it\n\nLast paragraph.\n\n[^unused]: Never.\n";
        let r = render(md, 10, true, &keep);
        let html = &r.html.get();
        for id in ["intro", "chosen", "use-it", "use-it-1"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}: {html}");
        }
        // The notes come after the last paragraph, numbered by first reference.
        let (body, notes) = html.split_once("<section class=\"footnotes\"").expect("a footnotes section");
        assert!(body.contains("Last paragraph") && !notes.contains("Last paragraph"), "{html}");
        assert!(body.contains(r##"<a href="#fn-1" id="fnref-1">1</a>"##) && body.contains(r##"id="fnref-1-2""##));
        assert!(notes.find("First.").unwrap() < notes.find("Second.").unwrap());
        assert!(notes.contains(r##"href="#fnref-1-2""##) && notes.contains(r##"<li id="fn-2">"##));
        assert!(!html.contains("Never."), "an unreferenced note is left out");
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].line, 10 + 15);
        assert!(!r.problems[0].is_error && r.problems[0].message.contains("[^unused]"));
        // The summary is the first paragraph's text, without note numbers.
        assert_eq!(r.first_paragraph, "A note, another, again.");
    }

    #[test]
    fn smart_punctuation_is_optional() {
        assert!(render("\"Hi\" -- it's", 1, true, &keep).html.get().contains("“Hi” – it’s"));
        assert!(render("\"Hi\"", 1, false, &keep).html.get().contains("\"Hi\""));
    }

    #[test]
    fn body_quotes_nest_and_possessives_follow_code() {
        // Regression: pulldown-cmark curled each quote alone: `"a "b" c"` → “a “b” c“ and
        // `` `rustup show`'s `` → ‘s.
        for (markdown, want) in [
            ("He said \"a \"b\" c\" then.", "<p>He said “a ‘b’ c” then.</p>"),
            ("`rustup show`'s output", "<p><code>rustup show</code>’s output</p>"),
            (
                "\"*very* 'odd'\" -- **it's** \"[linked](x)\"",
                "<p>“<em>very</em> ‘odd’” – <strong>it’s</strong> “<a href=\"x\">linked</a>”</p>",
            ),
            ("\"open\nacross\" lines", "<p>“open\nacross” lines</p>"),
            ("\"one\n\n\"two\"", "<p>“one</p>\n<p>“two”</p>"),
            ("![it's \"alt\"](a.jpg) it's", "alt=\"it&#39;s &quot;alt&quot;\" /> it’s"),
            ("\\\"straight\\\" and &quot;kept&quot; but \"curled\"", "<p>\"straight\" and \"kept\" but “curled”</p>"),
            ("<em>x</em>'s and <b>\"y\"</b>", "<em>x</em>’s and <b>“y”</b>"),
            ("```\n\"code\" -- it's\n```\n\n'after'", "\"code\" -- it's\n</code></pre>\n<p>‘after’</p>"),
            ("| \"a | b\" |\n|---|---|\n| x | y |", "<th>“a</th><th>b”</th>"),
            ("the '90s... and the editors' desk", "the ’90s… and the editors’ desk"),
        ] {
            let html = render(markdown, 1, true, &keep).html.get().into_owned();
            assert!(html.contains(want), "{markdown:?}\n gave {html:?}\n want {want:?}");
        }
    }

    #[test]
    fn links_are_resolved_and_problems_have_file_lines() {
        let resolve = |dest: &str| match dest {
            "a.md" => LinkOutcome::Rewrite("/2023/09/05/a/".into()),
            "gone.md" => LinkOutcome::Broken("`gone.md` not found".into()),
            _ => LinkOutcome::Keep,
        };
        let r = render("See [a](a.md).\n\nAnd\n[gone](gone.md) and [x](https://x.org).", 5, true, &resolve);
        assert!(r.html.get().contains("href=\"/2023/09/05/a/\""));
        assert!(r.html.get().contains("href=\"https://x.org\""));
        assert_eq!(
            r.problems,
            vec![LinkProblem { line: 8, col: 1, message: "`gone.md` not found".into(), is_error: true }]
        );
    }

    #[test]
    fn email_autolinks_are_mailto_links_and_never_resolved() {
        let resolve = |dest: &str| LinkOutcome::Broken(format!("`{dest}` resolved"));
        let r = render("Write to <desk@example.org>.", 1, true, &resolve);
        assert!(r.html.get().contains(r#"<a href="mailto:desk@example.org">desk@example.org</a>"#), "{}", r.html.get());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }

    #[test]
    fn images_without_alt_text_are_warned_about() {
        let r = render("Text.\n\n![](a.jpg)\n\n![A heron](b.jpg) ![ ](c.jpg)", 3, true, &keep);
        let lines: Vec<(usize, &str, bool)> =
            r.problems.iter().map(|p| (p.line, p.message.as_str(), p.is_error)).collect();
        assert_eq!(
            lines,
            vec![
                (5, "the image `a.jpg` has no alt text (describe it between the brackets)", false),
                (7, "the image `c.jpg` has no alt text (describe it between the brackets)", false),
            ]
        );
    }

    #[test]
    fn first_paragraph_skips_headings() {
        let r = render("# Head\n\nFirst *para*\ngraph.\n\nSecond.", 1, true, &keep);
        assert_eq!(r.first_paragraph, "First para graph.");
    }

    #[test]
    fn nul_becomes_the_replacement_character() {
        // Regression: NUL bytes from wire copy reached pages as raw NUL.
        let r = render("Before\0after\n", 1, true, &keep);
        assert_eq!(&r.html.get(), "<p>Before\u{fffd}after</p>\n");
        assert_eq!(r.first_paragraph, "Before\u{fffd}after");
    }

    #[test]
    fn smart_punctuation_leaves_code_scripts_and_attributes_alone() {
        // Regression: `<script>alert('x')</script>` became `alert(‘x’)`.
        let cases = [
            ("Say <script>alert('x' -- \"y\"...)</script> 'ok'", "<script>alert('x' -- \"y\"...)</script> ‘ok’"),
            ("x <SCRIPT type=\"module\">f('a')</SCRIPT> 'b'", "f('a')</SCRIPT> ‘b’"),
            ("a <style>q::before{content:'\"'}</style> 'b'", "<style>q::before{content:'\"'}</style> ‘b’"),
            ("<code>it's</code> it's", "<code>it's</code> it’s"),
            ("x <pre class=x>'a' --- b</pre> 'c'", "<pre class=x>'a' --- b</pre> ‘c’"),
            ("<img alt=\"Don't\" title='it\"s'> 'x'", "<img alt=\"Don't\" title='it\"s'> ‘x’"),
            ("<codex>it's</codex>", "<codex>it’s</codex>"),
            ("<pre>\n'a'\n\n'b'\n</pre>\n\n'c'", "<pre>\n'a'\n\n'b'\n</pre>\n<p>‘c’</p>"),
            ("<code>\n\n'a' &amp; \\'b'\n\n</code>\n\n'c'", "<p>'a' &amp; 'b'</p>\n</code>\n<p>‘c’</p>"),
        ];
        for (markdown, want) in cases {
            let html = render(markdown, 1, true, &keep).html.get().into_owned();
            assert!(html.contains(want), "{markdown:?}\n gave {html:?}\n want {want:?}");
        }
        let r = render("It's <script>f('x')</script> <code>'a'</code> done", 1, true, &keep);
        assert_eq!(r.first_paragraph, "It’s  'a' done");
    }

    #[test]
    fn html_is_bounded_by_the_markdown_size() {
        // Regression: 16 MB of nested `>` made a 450 MB page (and 1.1 GB of feeds).
        let r = render(&format!("Intro.\n\n{} deep\n", ">".repeat(200_000)), 5, true, &keep);
        assert_eq!(&r.html.get(), "");
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!((r.problems[0].line, r.problems[0].is_error), (7, true));
        assert!(
            r.problems[0].message.starts_with("this Markdown makes more than 2 MB of HTML"),
            "{}",
            r.problems[0].message
        );
        let table = format!("|a|b|c|\n|-|-|-|\n{}", "|1|2|3|\n".repeat(50_000));
        assert!(render(&table, 1, true, &keep).problems.is_empty());
        assert_eq!(max_html_bytes(16 << 20), 129 << 20);
    }

    #[test]
    fn cuts_at_words() {
        assert_eq!(cut_at_word("short", 10), "short");
        assert_eq!(cut_at_word("one two three four", 10), "one two…");
        assert_eq!(cut_at_word("abcdefghijkl", 5), "abcde…");
    }
}

#[cfg(test)]
mod props;

pub(crate) mod highlight;
pub(crate) mod notes;
pub(crate) mod typography;
pub(crate) mod urls;
