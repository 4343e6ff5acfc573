//! Smart punctuation for the plain text the theme shows outside a body:
//! headlines, decks, captions, edition titles (and through them `<title>`,
//! cards, feeds and the newsletter), so they match the curled body. Text
//! between backticks is left as written.
//!
//! Quotes are decided by their neighbours: an apostrophe inside a word
//! (`it's`, `Rust's`), after a plural (`editors' `) or before a year
//! (`'90s`) is `’`; a quote after a space, an opening bracket, a dash or
//! another opening quote opens (`“`, `‘`); any other closes. So nested
//! quotes (`"a 'b' c"`) and possessives after code come out right.

use std::borrow::Cow;

/// `text` with straight quotes curled, `--` as an en dash, `---` as an em
/// dash and `...` as an ellipsis.
pub fn smart_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['"', '\'', '-', '.']) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before = if i > 0 { Some(chars[i - 1]) } else { None };
        let after = chars.get(i + 1).copied();
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
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
            '"' => out.push(if opens(before) { '“' } else { '”' }),
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
    Cow::Owned(out)
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
            ("\"a \"b\" c\"", "“a “b” c”"),
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
