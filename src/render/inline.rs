//! The newsletter's CSS inlined once per email *shape*, not once per email.
//!
//! css-inline parses every email into a tree (html5ever), matches the
//! stylesheet against it and serializes it again; the parse alone is most of
//! a newsletter's cost. Emails of one template differ mostly in their text and
//! links, not in their markup. So each email is cut into its *skeleton* (the
//! markup, with every text run and every link, photo and alt value replaced by
//! a numbered placeholder character) and its *values*. css-inline runs once
//! per distinct skeleton; an email is its inlined skeleton with each
//! placeholder replaced by its value, escaped as css-inline's serializer would.
//!
//! Why the result is byte for byte css-inline's: a placeholder is one
//! non-whitespace character that no parser or serializer step treats
//! specially, and the HTML tree builder only asks of a text run whether it is
//! whitespace (leading and trailing whitespace stay in the skeleton) and
//! never looks at a link's or photo's value. What the stylesheet can see stays
//! in the skeleton: class, id, style and every other attribute, and the values
//! of `href`, `src`, `alt` and `title` too when the CSS names them (attribute
//! selectors, `:link`). Anything this module does not read exactly as
//! html5ever does (scripts, SVG, CDATA, bare `<` or `&`, rare character
//! references) makes the email go through css-inline whole, as before.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// The first placeholder character (Supplementary Private Use Area-A).
const FIRST_MARK: u32 = 0xF_0000;
/// Placeholders available to one email (U+FFFFE and U+FFFFF are noncharacters).
const MARKS: usize = 0xF_FFFD - 0xF_0000 + 1;
/// Skeletons kept at most; beyond that new shapes are inlined without being kept.
const CACHE_LIMIT: usize = 256;
/// Attributes whose values may be left out of the skeleton, unless the CSS names them.
const OPAQUE: [&str; 4] = ["href", "src", "alt", "title"];
/// Formatting elements other than `a`: the tree builder compares their
/// attribute values (the "Noah's Ark" clause), so theirs stay in the skeleton.
const FORMATTING: [&str; 13] =
    ["b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"];
/// Elements whose content this module does not tokenize as html5ever does.
const UNSUPPORTED: [&str; 10] =
    ["script", "noscript", "xmp", "iframe", "noembed", "noframes", "plaintext", "svg", "math", "template"];

/// Inlines newsletters' CSS, sharing the work between emails of one shape.
/// One per theme; safe to use from the render threads at once.
#[derive(Debug, Default)]
pub(crate) struct Inliner {
    /// Keyed by skeleton; aHash, as a skeleton is kilobytes hashed once an email.
    cache: Mutex<HashMap<String, Arc<OnceLock<Compiled>>, ahash::RandomState>>,
    /// css-inline runs (one per shape, one per email that has no skeleton).
    passes: AtomicUsize,
    /// Emails inlined.
    emails: AtomicUsize,
    /// The last email's stylesheets and the attributes they leave opaque:
    /// the emails of a template share theirs, so they are read once a
    /// build rather than once an email.
    stylesheets: Mutex<Option<(String, Vec<&'static str>)>>,
    /// Times stylesheets were read for [`opaque_in`] (for the tests).
    stylesheet_reads: AtomicUsize,
}

/// How much inlining a build did (for `--verbose` and the tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct InlineStats {
    pub(crate) emails: usize,
    pub(crate) passes: usize,
}

impl Inliner {
    /// `html` with the rules of its `<style>` moved into `style` attributes:
    /// the bytes [`inline_direct`] gives.
    pub(crate) fn inline(&self, html: &str) -> Result<String, String> {
        self.emails.fetch_add(1, Ordering::Relaxed);
        let Some(shape) = Shape::of(html, self.opaque_attributes(html)) else { return self.direct(html) };
        let cell = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(&shape.skeleton) {
                Some(cell) => Arc::clone(cell),
                None if cache.len() < CACHE_LIMIT => Arc::clone(cache.entry(shape.skeleton.clone()).or_default()),
                None => Arc::new(OnceLock::new()),
            }
        };
        // Outside the lock: other shapes inline meanwhile; emails of this
        // shape wait for it, so each shape is inlined once.
        match cell.get_or_init(|| self.compile(&shape.skeleton)) {
            Compiled::Parts(parts) => Ok(fill(parts, &shape.values, html.len())),
            Compiled::Failed => self.direct(html),
        }
    }

    pub(crate) fn stats(&self) -> InlineStats {
        InlineStats { emails: self.emails.load(Ordering::Relaxed), passes: self.passes.load(Ordering::Relaxed) }
    }

    /// [`opaque_in`] of the stylesheets of `html`, from the last email's when they are the same.
    fn opaque_attributes(&self, html: &str) -> Vec<&'static str> {
        let css = stylesheets(html);
        let mut last = self.stylesheets.lock().unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some((seen, opaque)) if *seen == css => opaque.clone(),
            _ => {
                self.stylesheet_reads.fetch_add(1, Ordering::Relaxed);
                let opaque = opaque_in(&css);
                *last = Some((css, opaque.clone()));
                opaque
            }
        }
    }

    fn direct(&self, html: &str) -> Result<String, String> {
        self.passes.fetch_add(1, Ordering::Relaxed);
        inline_direct(html)
    }

    fn compile(&self, skeleton: &str) -> Compiled {
        match self.direct(skeleton) {
            Ok(inlined) => Compiled::Parts(split_marks(&inlined)),
            // The email itself goes through css-inline, for its own message.
            Err(_) => Compiled::Failed,
        }
    }
}

/// css-inline on one whole document: the reference the shapes must equal.
/// At-rules (media queries, which cannot be inlined) stay in a `<style>`.
/// Nothing is fetched: `<link>` stylesheets are dropped.
pub(crate) fn inline_direct(html: &str) -> Result<String, String> {
    let inliner = css_inline::CSSInliner::options()
        .load_remote_stylesheets(false)
        .keep_style_tags(false)
        .keep_at_rules(true)
        .keep_link_tags(false)
        .build();
    inliner.inline(html).map_err(|e| format!("cannot inline the newsletter's CSS: {e}"))
}

#[derive(Debug)]
enum Compiled {
    Parts(Vec<Part>),
    Failed,
}

/// A piece of an inlined skeleton.
#[derive(Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Value(usize),
}

/// Where a value sits, which decides how the serializer escapes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Text,
    Attribute,
}

#[derive(Debug)]
struct Value<'a> {
    context: Context,
    /// Borrowed from the email unless it held a character reference.
    text: Cow<'a, str>,
}

/// An email cut into its skeleton and its values.
#[derive(Debug)]
struct Shape<'a> {
    skeleton: String,
    values: Vec<Value<'a>>,
}

impl<'a> Shape<'a> {
    /// `None` when `html` holds something not read here exactly as html5ever
    /// reads it. `opaque` is [`opaque_in`] of its [`stylesheets`].
    fn of(html: &'a str, opaque: Vec<&'static str>) -> Option<Shape<'a>> {
        // Placeholders must not occur in the email; `\r` and NUL are rewritten by the parser.
        // (A fold, not `any`, so the scan is vectorized.)
        if html.bytes().fold(false, |seen, b| seen | (b == b'\r') | (b == b'\0') | (b >= 0xF3)) {
            return None;
        }
        let mut cut = Cutter {
            html,
            bytes: html.as_bytes(),
            pos: 0,
            opaque,
            shape: Shape::empty(html.len()),
            copied: 0,
            written: 0,
        };
        cut.document()?;
        debug_assert_eq!(cut.copied, html.len());
        cut.shape.skeleton.push_str(&html[cut.written..]);
        Some(cut.shape)
    }

    fn empty(capacity: usize) -> Shape<'a> {
        // About one value every 64 bytes of a newsletter.
        Shape { skeleton: String::with_capacity(capacity), values: Vec::with_capacity(capacity / 64) }
    }

    /// Adds a placeholder for `text`, which is decoded already.
    fn mark(&mut self, context: Context, text: Cow<'a, str>) -> Option<()> {
        let n = self.values.len();
        if n >= MARKS {
            return None;
        }
        self.skeleton.push(char::from_u32(FIRST_MARK + n as u32)?);
        self.values.push(Value { context, text });
        Some(())
    }
}

/// The text from each `<style` to the next `</style` (or the end), in any
/// letter case, found in one pass over the `<`s.
fn stylesheets(html: &str) -> String {
    let mut css = String::new();
    let bytes = html.as_bytes();
    let at = |i: usize, tag: &[u8]| bytes.get(i..i + tag.len()).is_some_and(|w| w.eq_ignore_ascii_case(tag));
    let mut open = None;
    for i in memchr::memchr_iter(b'<', bytes) {
        match open {
            None if at(i, b"<style") => open = Some(i),
            Some(start) if at(i, b"</style") => {
                css.push_str(&html[start..i]);
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        css.push_str(&html[start..]);
    }
    css
}

/// Which of [`OPAQUE`] the document's CSS never names, so their values can
/// leave the skeleton, for the [`stylesheets`] `css` of the document. Every
/// `<style>` counts, wherever it is; a CSS escape (`[h\72 ef]`) could name
/// anything, so then none can.
fn opaque_in(css: &str) -> Vec<&'static str> {
    let css = css.to_ascii_lowercase();
    if css.contains('\\') {
        return Vec::new();
    }
    // `:link` and `:any-link` ask whether an element has an `href`.
    let named = |name: &str| css.contains(name) || (name == "href" && css.contains("link"));
    OPAQUE.into_iter().filter(|name| !named(name)).collect()
}

/// Bytes of the longest element or attribute name compared with a list
/// here; a longer name is none of them.
const NAME_BUFFER: usize = 16;

/// `name` in ASCII lower case (as html5ever folds names), in `buf`; empty
/// when it is too long to be any name this module compares.
fn lower<'b>(name: &[u8], buf: &'b mut [u8; NAME_BUFFER]) -> &'b [u8] {
    if name.len() > NAME_BUFFER {
        return &[];
    }
    for (to, from) in buf.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    &buf[..name.len()]
}

/// Whether the lower-case `name` is one of `names`.
fn is_one_of(name: &[u8], names: &[&str]) -> bool {
    !name.is_empty() && names.iter().any(|n| n.as_bytes() == name)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0C')
}

/// Walks an email as html5ever's tokenizer does, writing its skeleton.
struct Cutter<'a> {
    html: &'a str,
    bytes: &'a [u8],
    pos: usize,
    opaque: Vec<&'static str>,
    shape: Shape<'a>,
    /// The end of what was taken into the skeleton so far, as it is or as a placeholder.
    copied: usize,
    /// The end of what is written into the skeleton: the markup taken as
    /// it is goes in one piece before each placeholder (and at the end).
    written: usize,
}

impl<'a> Cutter<'a> {
    fn document(&mut self) -> Option<()> {
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'<' {
                self.markup()?;
            } else {
                let end = memchr::memchr(b'<', &self.bytes[self.pos..]).map_or(self.bytes.len(), |i| self.pos + i);
                self.text(self.pos, end)?;
                self.pos = end;
            }
        }
        Some(())
    }

    /// Takes `html[from..to]` into the skeleton as it is. Spans are taken in
    /// order, with no gap: they are written out only before the next value.
    fn copy(&mut self, from: usize, to: usize) {
        debug_assert_eq!(from, self.copied);
        self.copied = to;
    }

    /// Puts a placeholder for `html[from..to]`, decoded as `text`, in the skeleton.
    fn value(&mut self, from: usize, to: usize, context: Context, text: Cow<'a, str>) -> Option<()> {
        debug_assert_eq!(from, self.copied);
        self.shape.skeleton.push_str(&self.html[self.written..from]);
        self.shape.mark(context, text)?;
        (self.copied, self.written) = (to, to);
        Some(())
    }

    fn markup(&mut self) -> Option<()> {
        let rest = &self.html[self.pos..];
        let next = *self.bytes.get(self.pos + 1)?;
        // Tags first: they are nearly all the markup.
        if next == b'/' {
            self.end_tag()?;
        } else if next.is_ascii_alphabetic() {
            self.start_tag()?;
        } else if let Some(body) = rest.strip_prefix("<!--") {
            let end = body.find("-->")?;
            let comment = &body[..end];
            // `<!-->`, `<!--->` and `--!>` end comments early in html5ever.
            if comment.starts_with('>') || comment.starts_with("->") || comment.contains("--!") {
                return None;
            }
            let to = self.pos + 4 + end + 3;
            self.copy(self.pos, to);
            self.pos = to;
        } else if rest.len() >= 9 && rest.as_bytes()[..9].eq_ignore_ascii_case(b"<!doctype") {
            let to = self.pos + rest.find('>')? + 1;
            self.copy(self.pos, to);
            self.pos = to;
        } else {
            return None;
        }
        Some(())
    }

    /// `</name>`, with nothing but spaces before the `>`.
    fn end_tag(&mut self) -> Option<()> {
        let from = self.pos;
        let mut i = from + 2;
        if !self.bytes.get(i)?.is_ascii_alphabetic() {
            return None;
        }
        while !matches!(*self.bytes.get(i)?, b'>' | b'/') && !is_space(self.bytes[i]) {
            i += 1;
        }
        while is_space(*self.bytes.get(i)?) {
            i += 1;
        }
        if self.bytes[i] != b'>' {
            return None;
        }
        self.copy(from, i + 1);
        self.pos = i + 1;
        Some(())
    }

    fn start_tag(&mut self) -> Option<()> {
        let mut i = self.pos + 1;
        while !matches!(*self.bytes.get(i)?, b'>' | b'/') && !is_space(self.bytes[i]) {
            i += 1;
        }
        let mut buf = [0; NAME_BUFFER];
        let name = lower(&self.bytes[self.pos + 1..i], &mut buf);
        if is_one_of(name, &UNSUPPORTED) {
            return None;
        }
        self.copy(self.pos, i);
        let keep_values = is_one_of(name, &FORMATTING);
        loop {
            let b = *self.bytes.get(i)?;
            if is_space(b) || b == b'/' {
                self.copy(i, i + 1);
                i += 1;
            } else if b == b'>' {
                self.copy(i, i + 1);
                i += 1;
                break;
            } else {
                i = self.attribute(i, keep_values)?;
            }
        }
        self.pos = i;
        match name {
            b"style" => self.raw_text("style", false),
            b"title" => self.raw_text("title", true),
            b"textarea" => self.raw_text("textarea", true),
            _ => Some(()),
        }
    }

    /// One attribute starting at `i`; returns where the tag goes on.
    fn attribute(&mut self, mut i: usize, keep_values: bool) -> Option<usize> {
        let from = i;
        while !matches!(*self.bytes.get(i)?, b'>' | b'/' | b'=') && !is_space(self.bytes[i]) {
            if matches!(self.bytes[i], b'"' | b'\'' | b'<') {
                return None;
            }
            i += 1;
        }
        if i == from {
            return None; // A name starting with `=`.
        }
        let mut buf = [0; NAME_BUFFER];
        let name = lower(&self.bytes[from..i], &mut buf);
        let mut j = i;
        while is_space(*self.bytes.get(j)?) {
            j += 1;
        }
        if self.bytes[j] != b'=' {
            self.copy(from, i);
            return Some(i);
        }
        j += 1;
        while is_space(*self.bytes.get(j)?) {
            j += 1;
        }
        let quote = self.bytes[j];
        if quote != b'"' && quote != b'\'' {
            // Unquoted (or missing) values stay in the skeleton as they are;
            // one ends at a space or the tag's end, as in html5ever.
            while !is_space(*self.bytes.get(j)?) && self.bytes[j] != b'>' {
                j += 1;
            }
            self.copy(from, j);
            return Some(j);
        }
        let close = j + 1 + memchr::memchr(quote, &self.bytes[j + 1..])?;
        let raw = &self.html[j + 1..close];
        if keep_values || !is_one_of(name, &self.opaque) {
            self.copy(from, close + 1);
        } else {
            let text = decode(raw)?;
            self.copy(from, j + 1);
            self.value(j + 1, close, Context::Attribute, text)?;
            self.copy(close, close + 1);
        }
        Some(close + 1)
    }

    /// The content of `<style>` (kept as it is) or of `<title>` and
    /// `<textarea>` (text without markup), up to its end tag.
    fn raw_text(&mut self, name: &str, is_text: bool) -> Option<()> {
        let closing = format!("</{name}");
        let mut search = self.pos;
        let end = loop {
            let at = search + find_ignore_case(&self.html[search..], &closing)?;
            let after = self.bytes.get(at + closing.len()).copied();
            if after.is_some_and(|b| is_space(b) || b == b'/' || b == b'>') {
                break at;
            }
            search = at + 1;
        };
        if is_text {
            if self.html[self.pos..end].contains('<') {
                return None;
            }
            self.text(self.pos, end)?;
        } else {
            self.copy(self.pos, end);
        }
        self.pos = end;
        Some(())
    }

    /// A text run: its leading and trailing whitespace stay, the rest
    /// becomes one placeholder.
    fn text(&mut self, from: usize, to: usize) -> Option<()> {
        let run = &self.bytes[from..to];
        let lead = run.iter().take_while(|b| is_space(**b)).count();
        if lead == run.len() {
            self.copy(from, to);
            return Some(());
        }
        let trail = run.iter().rev().take_while(|b| is_space(**b)).count();
        let text = decode(&self.html[from + lead..to - trail])?;
        self.copy(from, from + lead);
        self.value(from + lead, to - trail, Context::Text, text)?;
        self.copy(to - trail, to);
        Some(())
    }
}

/// Where `needle`, which starts with `<`, first occurs in `haystack`, in any letter case.
fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    let bytes = haystack.as_bytes();
    memchr::memchr_iter(b'<', bytes)
        .find(|&at| bytes.get(at..at + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)))
}

/// Character references decoded as html5ever decodes them, for the forms
/// an escaper writes; `None` for any other (they are left to html5ever).
fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if memchr::memchr(b'&', raw.as_bytes()).is_none() {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        match rest.bytes().next() {
            // Not a reference: a bare `&`.
            None | Some(b' ' | b'\t' | b'\n' | b'\x0C' | b'<' | b'&') => out.push('&'),
            Some(_) => {
                let end = rest.find(';')?;
                out.push(reference(&rest[..end])?);
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// The character of `&name;` or `&#n;`, among those that are neither
/// whitespace nor replaced or rejected by the parser.
fn reference(name: &str) -> Option<char> {
    let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok().filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()))?
    } else if let Some(dec) = name.strip_prefix('#') {
        dec.parse().ok().filter(|_| dec.bytes().all(|b| b.is_ascii_digit()))?
    } else {
        return match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{A0}'),
            _ => None,
        };
    };
    let plain = code > 0x20
        && !(0x7F..=0x9F).contains(&code)
        && !(0xFDD0..=0xFDEF).contains(&code)
        && code & 0xFFFE != 0xFFFE
        && code < FIRST_MARK;
    if plain { char::from_u32(code) } else { None }
}

/// The inlined skeleton cut at its placeholders.
fn split_marks(inlined: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (at, c) in inlined.char_indices() {
        let code = c as u32;
        if (FIRST_MARK..FIRST_MARK + MARKS as u32).contains(&code) {
            if at > start {
                parts.push(Part::Literal(inlined[start..at].to_string()));
            }
            parts.push(Part::Value((code - FIRST_MARK) as usize));
            start = at + c.len_utf8();
        }
    }
    if start < inlined.len() {
        parts.push(Part::Literal(inlined[start..].to_string()));
    }
    parts
}

/// An email from its inlined skeleton and its values.
fn fill(parts: &[Part], values: &[Value], capacity: usize) -> String {
    let mut out = String::with_capacity(capacity + capacity / 2);
    for part in parts {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::Value(n) => {
                let value = &values[*n];
                escape_into(&mut out, &value.text, value.context);
            }
        }
    }
    out
}

/// What css-inline's serializer writes for a text node or an attribute value.
/// Scans bytes and copies the runs between escapes whole: every byte looked
/// for is ASCII, or the second byte of U+00A0 (`C2 A0`; `C2` only ever
/// leads a two-byte character).
fn escape_into(out: &mut String, text: &str, context: Context) {
    let bytes = text.as_bytes();
    // Most values need no escape: one vectorized pass says so. (A fold, not `any`.)
    let (x, y) = match context {
        Context::Text => (b'<', b'>'),
        Context::Attribute => (b'"', b'"'),
    };
    if !bytes.iter().fold(false, |seen, &b| seen | (b == b'&') | (b == 0xA0) | (b == x) | (b == y)) {
        out.push_str(text);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let (from, escape) = match (b, context) {
            (b'&', _) => (i, "&amp;"),
            (0xA0, _) if i > 0 && bytes[i - 1] == 0xC2 => (i - 1, "&nbsp;"),
            (b'<', Context::Text) => (i, "&lt;"),
            (b'>', Context::Text) => (i, "&gt;"),
            (b'"', Context::Attribute) => (i, "&quot;"),
            _ => continue,
        };
        out.push_str(&text[start..from]);
        out.push_str(escape);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod tests;
