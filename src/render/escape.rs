//! What may not appear in a page or feed whatever the input says: the control
//! characters and non-characters that HTML and XML forbid. Text from content
//! and configuration is escaped for its context elsewhere (Tera's autoescape,
//! [`xml_escape`], serde_json); this module drops or encodes the
//! code points no escaping can make valid.

/// Whether `c` is forbidden in HTML and XML text: C0 controls other than tab,
/// newline and carriage return, DEL and the C1 controls, and non-characters.
pub(crate) fn forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7f..=0x9f).contains(&n)
        || (0xfdd0..=0xfdef).contains(&n)
        || n & 0xfffe == 0xfffe
}

/// Whether byte `b` of UTF-8 text may begin a [`forbidden`] character: an
/// ASCII control, or the lead byte of a C1 control (`C2`) or of a
/// non-character (`EF`, `F0`–`F4`). Scanning bytes for these is much faster
/// than decoding characters, and almost all text has none.
pub(crate) fn may_begin_forbidden(b: u8) -> bool {
    FLAGGED[b as usize]
}

/// [`may_begin_forbidden`] as a table: one load a byte, where the tests it
/// stands for are several compares in the loops that scan every page's text.
static FLAGGED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b < 0x20 && !matches!(b, 0x09 | 0x0a | 0x0d)) || b == 0x7f || b == 0xc2 || b == 0xef || b >= 0xf0;
        b += 1;
    }
    table
};

/// Whether `text` holds a [`forbidden`] character. Eight bytes of printable
/// ASCII (most of any text) are passed over at once; other bytes are looked
/// at one by one, and only the characters that begin with a flagged byte are
/// decoded: text with `·` or `é` in it (lead byte `C2`/`C3`) is not decoded
/// from its start.
fn has_forbidden(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        // A byte below 0x20 sets its high bit in the first; one above 0x7e
        // (0x7f and up) in the second. Either may flag a word that holds
        // none (a carry, a newline); the bytes are looked at then.
        let below = word.wrapping_sub(0x20 * ONES) & !word;
        let above = word | word.wrapping_add(ONES);
        if (below | above) & HIGH != 0 && flagged(text, at, at + 8) {
            return true;
        }
        at += 8;
    }
    flagged(text, at, bytes.len())
}

/// Whether a [`forbidden`] character begins in bytes `from..to` of `text`.
fn flagged(text: &str, from: usize, to: usize) -> bool {
    (from..to).any(|i| {
        // A flagged byte is ASCII or a lead byte, so `i` is a character boundary.
        may_begin_forbidden(text.as_bytes()[i]) && text[i..].chars().next().is_some_and(forbidden)
    })
}

/// `text` without [`forbidden`] characters (borrowed when it has none).
pub(crate) fn strip_forbidden(text: &str) -> std::borrow::Cow<'_, str> {
    if has_forbidden(text) { text.chars().filter(|c| !forbidden(*c)).collect::<String>().into() } else { text.into() }
}

/// `text` for a plain-text file (`newsletter.txt`): the [`forbidden`]
/// characters and carriage returns (which let one line print over another)
/// removed, newlines and tabs kept. Borrowed when there is nothing to remove.
pub(crate) fn plain_text(text: &str) -> std::borrow::Cow<'_, str> {
    if has_forbidden(text) || text.contains('\r') {
        text.chars().filter(|c| !forbidden(*c) && *c != '\r').collect::<String>().into()
    } else {
        text.into()
    }
}

/// `text` for one header line of an email: line breaks, tabs and other
/// breaking spaces (`\u{85}`, `\u{2028}`) become spaces, so no text can start
/// a header of its own; other controls are removed.
pub(crate) fn header_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => Some(' '),
            c if c.is_control() || forbidden(c) => None,
            c => Some(c),
        })
        .collect()
}

/// JSON to embed in a `<script>` element: `<`, `>` and `&` as `\u` escapes so
/// no value can close the element or open a comment, and the characters HTML
/// forbids escaped too, so the JSON still holds them.
pub(crate) fn json_for_script(value: &serde_json::Value) -> String {
    let json = value.to_string();
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&') || may_begin_forbidden(b)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if matches!(c, '<' | '>' | '&') || forbidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes text for XML, dropping characters XML 1.0 forbids.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut rest = text;
    // Runs of plain text are copied whole; the byte found is ASCII or a
    // lead byte, so it starts a character.
    while let Some(i) =
        rest.bytes().position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') || may_begin_forbidden(b))
    {
        out.push_str(&rest[..i]);
        let Some(c) = rest[i..].chars().next() else { break };
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if forbidden(c) => {}
            c => out.push(c),
        }
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Escapes text for HTML text and quoted attributes (pages written without a
/// template). XML's escaping is also valid HTML, so both share one function.
pub(crate) fn html_escape(text: &str) -> String {
    xml_escape(text)
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    #[test]
    fn text_files_lose_controls_and_headers_lose_line_breaks() {
        assert_eq!(plain_text("a\u{1b}[2J\r\nb\u{7f}\u{85}\tc\n"), "a[2J\nb\tc\n");
        assert!(matches!(plain_text("plain\n\ttext · é"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(header_text("Title\r\nBcc: x@y.org\u{1b}]0;PWNED\u{7}\u{85}end"), "Title  Bcc: x@y.org]0;PWNED end");
    }

    #[test]
    fn forbids_controls_and_non_characters_only() {
        for c in ['\0', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{fdd0}', '\u{fffe}'] {
            assert!(forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'a', '\u{a0}', 'é', '\u{2028}', '\u{fffd}', '😀'] {
            assert!(!forbidden(c), "{c:?}");
        }
        assert!(forbidden('\u{1fffe}') && forbidden('\u{10ffff}'));
        assert_eq!(strip_forbidden("a\u{7}b\u{85}c\td"), "ab".to_owned() + "c\td");
        // Lead bytes of allowed characters take the exact check, and pass.
        assert_eq!(strip_forbidden("\u{a0}\u{fffd}😀é"), "\u{a0}\u{fffd}😀é");
        assert_eq!(strip_forbidden("x\u{fdd0}\u{10fffe}"), "x");
        assert!(has_forbidden("·é\u{a0}x\u{9f}") && !has_forbidden("·é\u{a0}x\u{fffd}"));
    }

    proptest::proptest! {
        /// The word-at-a-time scan finds what a scan of every character finds,
        /// wherever the character falls in a word.
        #[test]
        fn finds_what_a_character_scan_finds(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[ -~]{0,20}",
                    proptest::sample::select(vec![
                        "\n", "\t", "\r", "\u{0}", "\u{1b}", "\u{1f}", "\u{7f}", "\u{80}", "\u{85}", "\u{9f}",
                        "\u{a0}", "é", "·", "—", "’", "\u{fdd0}", "\u{fdef}", "\u{fdf0}", "\u{fffd}", "\u{fffe}",
                        "\u{ffff}", "😀", "\u{1fffe}", "\u{10ffff}", "\u{10fffd}",
                    ]).prop_map(str::to_string),
                ],
                0..12,
            )
        ) {
            let text: String = parts.concat();
            proptest::prop_assert_eq!(has_forbidden(&text), text.chars().any(forbidden), "{:?}", text);
        }
    }

    #[test]
    fn every_forbidden_character_begins_with_a_flagged_byte() {
        for n in 0..=0x10ffff_u32 {
            if let Some(c) = char::from_u32(n) {
                let mut buf = [0u8; 4];
                if forbidden(c) {
                    assert!(may_begin_forbidden(c.encode_utf8(&mut buf).as_bytes()[0]), "{c:?}");
                }
            }
        }
    }

    #[test]
    fn json_for_script_cannot_close_the_element_and_round_trips() {
        let original = "</script><!-- \u{7}\u{85} & 'x' \u{1f600}";
        let text = json_for_script(&serde_json::json!({ "headline": original }));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        assert!(!text.chars().any(forbidden), "{text:?}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["headline"], original);
    }
}
