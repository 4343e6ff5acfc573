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
        if !text.contains(['"', '\'', '-', '.']) {
            self.skip(text);
            return Cow::Borrowed(text);
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len() + 8);
        let mut in_code = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let before = if i > 0 { Some(chars[i - 1]) } else { self.before };
            let after = chars.get(i + 1).copied();
            if c == '`' && self.backticks == Backticks::Code {
                in_code = !in_code;
            }
            if in_code || c == '`' {
                out.push(c);
                i += 1;
                continue;
            }
            match c {
                '-' if after == Some('-') => {
                    if chars.get(i + 2) == Some(&'-') {
                        out.push('—');
                        i += 3;
                    } else {
                        out.push('–');
                        i += 2;
                    }
                    continue;
                }
                '.' if after == Some('.') && chars.get(i + 2) == Some(&'.') => {
                    out.push('…');
                    i += 3;
                    continue;
                }
                '"' => out.push(self.double(before)),
                '\'' => {
                    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                    let apostrophe = (word(before) || before == Some('`')) && (word(after) || !opens(before))
                        || (opens(before) && after.is_some_and(|c| c.is_ascii_digit()) && is_year(&chars[i + 1..]));
                    out.push(if apostrophe || !opens(before) { '’' } else { '‘' });
                }
                other => out.push(other),
            }
            i += 1;
        }
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

/// `'90s`, `'26`: two digits, then not a third.
fn is_year(rest: &[char]) -> bool {
    rest.len() >= 2
        && rest[0].is_ascii_digit()
        && rest[1].is_ascii_digit()
        && !rest.get(2).is_some_and(char::is_ascii_digit)
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
}
