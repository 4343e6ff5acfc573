//! Smart punctuation, one for every text a reader sees: a body's text (see
//! `markdown::render`, which never gives it code, raw HTML or attributes) and
//! the plain texts the theme shows outside a body: headlines, decks,
//! captions, edition titles (and through them `<title>`, cards, feeds and
//! the newsletter). In those, text between backticks is left as written.
//!
//! Quotes are decided by their neighbours: an apostrophe inside a word
//! (`it's`, `Rust's`), after a plural (`editors' `), after code or before a
//! year (`'90s`) is `’`; a quote after a space, an opening bracket, a dash or
//! another opening quote opens (`“`, `‘`); any other closes. Double quotes
//! inside double quotes alternate (`"a "b" c"` → “a ‘b’ c”). So nested
//! quotes and possessives after code come out right.

use std::borrow::Cow;

/// `text` with straight quotes curled, `--` as an en dash, `---` as an em
/// dash and `...` as an ellipsis.
pub(crate) fn smart_text(text: &str) -> Cow<'_, str> {
    Curler::new(Backticks::Code).curl(text)
}

/// Whether a backtick in the text starts code (a shown text, written as
/// Markdown) or is a character like any other (a body's text, whose code
/// is already apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backticks {
    Code,
    Plain,
}

/// Curls one block's text given piece by piece (a body's text comes in
/// pieces between emphasis, links and code), so a quote sees the character
/// before it and closes the quote it belongs to across the pieces.
///
/// Double quotes inside double quotes alternate, the English way: the outer
/// pair is “ ”, the inner ‘ ’ (`"a "b" c"` → “a ‘b’ c”).
#[derive(Debug, Clone)]
pub(crate) struct Curler {
    backticks: Backticks,
    /// The character before the next piece (`None`: a block's start).
    before: Option<char>,
    /// The quotes open so far, innermost last: `true` for a `"` shown as “.
    open: Vec<bool>,
}

impl Curler {
    pub(crate) fn new(backticks: Backticks) -> Self {
        Curler { backticks, before: None, open: Vec::new() }
    }

    /// A new block starts: nothing is open, nothing comes before.
    pub(crate) fn reset(&mut self) {
        self.before = None;
        self.open.clear();
    }

    /// Something not curled comes next: inline code or a closing tag acts as a
    /// word (`` `rustup show`'s `` → ’s), a line break as a space, an opening
    /// tag as the start of text.
    pub(crate) fn after(&mut self, before: Option<char>) {
        self.before = before;
    }

    /// The pieces' own text, passed over so the next piece sees it.
    pub(crate) fn skip(&mut self, text: &str) {
        if let Some(c) = text.chars().last() {
            self.before = Some(c);
        }
    }

    pub(crate) fn curl<'t>(&mut self, text: &'t str) -> Cow<'t, str> {
        // Every character that may change is ASCII: the runs between them
        // are copied whole, and a neighbour is decoded only next to one.
        let bytes = text.as_bytes();
        let mut marks = Marks::new(bytes, self.backticks == Backticks::Code);
        let mut out = String::new();
        let mut in_code = false;
        let mut copied = 0;
        let mut i = 0;
        while let Some(at) = marks.next(i, in_code) {
            i = at + 1;
            let byte = bytes[at];
            if byte == b'`' {
                in_code = !in_code;
                continue;
            }
            let next = |n: usize| bytes.get(at + n).copied();
            let before = text[..at].chars().next_back().or(self.before);
            let (shown, width) = match byte {
                b'-' if next(1) == Some(b'-') && next(2) == Some(b'-') => ('—', 3),
                b'-' if next(1) == Some(b'-') => ('–', 2),
                b'.' => ('…', 3),
                b'"' => (self.double(before), 1),
                b'\'' => {
                    let after = text[at + 1..].chars().next();
                    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                    let digit = |n: usize| next(n).is_some_and(|b| b.is_ascii_digit());
                    // `'90s`, `'26`: two digits, then not a third.
                    let year = digit(1) && digit(2) && !digit(3);
                    let apostrophe = (word(before) || before == Some('`')) && (word(after) || !opens(before))
                        || (opens(before) && year);
                    (if apostrophe || !opens(before) { '’' } else { '‘' }, 1)
                }
                _ => continue,
            };
            if copied == 0 {
                out.reserve(text.len() + 8);
            }
            out.push_str(&text[copied..at]);
            out.push(shown);
            i = at + width;
            copied = i;
        }
        if copied == 0 {
            // Nothing changed.
            self.skip(text);
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        self.skip(&out);
        Cow::Owned(out)
    }

    /// A straight double quote after `before`: it opens (“, or ‘ inside a
    /// quote that shows “) or closes the innermost open one.
    fn double(&mut self, before: Option<char>) -> char {
        if opens(before) {
            let outer = !self.open.last().copied().unwrap_or(false);
            self.open.push(outer);
            if outer { '“' } else { '‘' }
        } else {
            match self.open.pop() {
                Some(false) => '’',
                _ => '”',
            }
        }
    }
}

/// Whether a quote after `before` opens: at the start, after a space, an
/// opening bracket, a dash or an opening quote.
fn opens(before: Option<char>) -> bool {
    match before {
        None => true,
        Some(c) => c.is_whitespace() || matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/' | '“' | '‘'),
    }
}

/// Where the next byte is that [`Curler::curl`] looks at: a quote or a
/// hyphen, the first of three dots, or (in a shown text) a backtick. Each
/// kind's next place is found with `memchr` and kept until it is passed,
/// so a text is scanned about once whatever it holds.
struct Marks<'b> {
    bytes: &'b [u8],
    code: bool,
    /// The next place of each kind at or after the last search's start
    /// (`usize::MAX`: none); `None`: not searched yet.
    quote_or_hyphen: Option<usize>,
    dots: Option<usize>,
    backtick: Option<usize>,
}

impl<'b> Marks<'b> {
    fn new(bytes: &'b [u8], code: bool) -> Self {
        Marks { bytes, code, quote_or_hyphen: None, dots: None, backtick: None }
    }

    /// The first place at or after `from`; inside code only its closing
    /// backtick counts.
    fn next(&mut self, from: usize, in_code: bool) -> Option<usize> {
        let bytes = self.bytes;
        let found = |at: Option<usize>| at.map_or(usize::MAX, |at| from + at);
        let stale = |kept: Option<usize>| kept.is_none_or(|at| at < from);
        let backtick = if self.code {
            if stale(self.backtick) {
                self.backtick = Some(found(memchr::memchr(b'`', &bytes[from..])));
            }
            self.backtick.unwrap_or(usize::MAX)
        } else {
            usize::MAX
        };
        if in_code {
            return (backtick != usize::MAX).then_some(backtick);
        }
        if stale(self.quote_or_hyphen) {
            self.quote_or_hyphen = Some(found(memchr::memchr3(b'"', b'\'', b'-', &bytes[from..])));
        }
        if stale(self.dots) {
            let mut at = from;
            self.dots = Some(loop {
                match memchr::memchr(b'.', &bytes[at..]) {
                    Some(dot) if bytes[at + dot..].starts_with(b"...") => break at + dot,
                    Some(dot) => at += dot + 1,
                    None => break usize::MAX,
                }
            });
        }
        let first = [self.quote_or_hyphen.unwrap_or(usize::MAX), self.dots.unwrap_or(usize::MAX), backtick]
            .into_iter()
            .min()
            .unwrap_or(usize::MAX);
        (first != usize::MAX).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_apostrophes_and_dashes() {
        for (written, shown) in [
            ("Rust's 2017 roadmap", "Rust’s 2017 roadmap"),
            ("\"Rebuild\" -- the mayor's word", "“Rebuild” – the mayor’s word"),
            ("\"a \"b\" c\"", "“a ‘b’ c”"),
            ("\"a \"b \"c\" d\" e\"", "“a ‘b “c” d’ e”"),
            ("\"one\" and \"two\"", "“one” and “two”"),
            ("\"open only", "“open only"),
            ("close\" only \"x\"", "close” only “x”"),
            ("\"a 'b' c\"", "“a ‘b’ c”"),
            ("the editors' desk", "the editors’ desk"),
            ("back in the '90s", "back in the ’90s"),
            ("'Quoted' words", "‘Quoted’ words"),
            ("`rustup show`'s output", "`rustup show`’s output"),
            ("code `don't \"touch\"` stays", "code `don't \"touch\"` stays"),
            ("wait... then---go", "wait… then—go"),
            ("(\"aside\")", "(“aside”)"),
            ("plain", "plain"),
        ] {
            assert_eq!(smart_text(written), shown, "{written}");
        }
    }

    /// The curling as first written, a character at a time: the byte-wise
    /// [`Curler::curl`] must give the same text and leave the same state.
    fn curl_char_by_char(curler: &mut Curler, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut in_code = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let before = if i > 0 { Some(chars[i - 1]) } else { curler.before };
            let after = chars.get(i + 1).copied();
            if c == '`' && curler.backticks == Backticks::Code {
                in_code = !in_code;
            }
            if in_code || c == '`' {
                out.push(c);
                i += 1;
                continue;
            }
            let third = chars.get(i + 2).copied();
            match c {
                '-' if after == Some('-') && third == Some('-') => (out.push('—'), i += 2),
                '-' if after == Some('-') => (out.push('–'), i += 1),
                '.' if after == Some('.') && third == Some('.') => (out.push('…'), i += 2),
                '"' => (out.push(curler.double(before)), ()),
                '\'' => {
                    let digit = |n: usize| chars.get(i + n).is_some_and(char::is_ascii_digit);
                    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                    let apostrophe = (word(before) || before == Some('`')) && (word(after) || !opens(before))
                        || (opens(before) && digit(1) && digit(2) && !digit(3));
                    (out.push(if apostrophe || !opens(before) { '’' } else { '‘' }), ())
                }
                other => (out.push(other), ()),
            };
            i += 1;
        }
        if let Some(c) = out.chars().last() {
            curler.before = Some(c);
        }
        out
    }

    #[derive(Debug, Clone)]
    enum Step {
        Curl(String),
        Skip(String),
        After(Option<char>),
        Reset,
    }

    fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
        use proptest::prelude::*;
        let text = "[-.'\"` a9é“—(\n]{0,24}|.{0,12}";
        let step = prop_oneof![
            6 => text.prop_map(Step::Curl),
            1 => text.prop_map(Step::Skip),
            1 => proptest::option::of(proptest::char::any()).prop_map(Step::After),
            1 => Just(Step::Reset),
        ];
        proptest::collection::vec(step, 0..8)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        #[test]
        fn curls_as_a_character_at_a_time_would(code in proptest::bool::ANY, steps in steps()) {
            let backticks = if code { Backticks::Code } else { Backticks::Plain };
            let (mut fast, mut slow) = (Curler::new(backticks), Curler::new(backticks));
            for step in steps {
                match step {
                    Step::Curl(text) => {
                        let curled = fast.curl(&text);
                        proptest::prop_assert_eq!(curled.as_ref(), curl_char_by_char(&mut slow, &text), "{:?}", text);
                    }
                    Step::Skip(text) => (fast.skip(&text), slow.skip(&text)).1,
                    Step::After(c) => (fast.after(c), slow.after(c)).1,
                    Step::Reset => (fast.reset(), slow.reset()).1,
                }
                proptest::prop_assert_eq!(fast.before, slow.before);
                proptest::prop_assert_eq!(&fast.open, &slow.open);
            }
        }
    }
}
