//! One line of `newsletter.txt` wrapped as `textwrap::wrap` wraps it
//! (optimal fit, words split at ASCII spaces and after hyphens, never
//! broken), byte for byte, for a fraction of its cost: textwrap measures
//! every word's display width character by character, looks up each
//! candidate line's number (for widths that differ by line, which ours never
//! do) and allocates a line of its own for each result. Here ASCII words are
//! measured by their length, textwrap's optimal fit runs on those pieces,
//! and the lines are written into the caller's string.

use textwrap::core::{Fragment, display_width};
use textwrap::wrap_algorithms::Penalties;

/// A piece of the line as the optimal fit sees it: textwrap's `Word`
/// after its hyphen splitting, with the byte lengths to cut the line again.
#[derive(Debug)]
struct Piece {
    width: f64,
    /// Bytes of the word, then of the spaces after it.
    len: usize,
    spaces: usize,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        self.width
    }

    fn whitespace_width(&self) -> f64 {
        self.spaces as f64
    }

    /// Splits after a hyphen need no added hyphen: no penalty, as in textwrap.
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// The columns `text` takes: its length when it is printable ASCII, each of
/// whose characters is one column; otherwise textwrap's own measure.
fn columns(text: &str) -> usize {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) { text.len() } else { display_width(text) }
}

/// Appends `line` (without a line break, and with no trailing whitespace)
/// wrapped at `width` columns to `out`, one `\n` after each part; its
/// leading whitespace indents every part. The lines of
/// `textwrap::wrap(line.trim_start(), options)` with that indent as both
/// indents, `break_words(false)`, ASCII-space word separation and the
/// default hyphen splitter and optimal fit.
pub(crate) fn wrap_line(line: &str, width: usize, out: &mut String) {
    let text = line.trim_start();
    let indent = &line[..line.len() - text.len()];
    // textwrap keeps a short unindented line whole without measuring it.
    if text.len() < width && indent.is_empty() {
        out.push_str(text.trim_end_matches(' '));
        out.push('\n');
        return;
    }
    let pieces = pieces(text);
    let line_width = width.saturating_sub(display_width(indent)) as f64;
    let Some(breaks) = optimal_fit(&pieces, line_width) else {
        // Cannot happen for widths that fit a `usize` (textwrap unwraps it); its own path then.
        for part in textwrap::wrap(text, super::newsletter::wrap_options(line)) {
            out.push_str(&part);
            out.push('\n');
        }
        return;
    };
    let mut at = 0;
    let mut first = 0;
    for end in breaks {
        let parts = &pieces[first..end];
        first = end;
        let Some(last) = parts.last() else {
            out.push('\n');
            continue;
        };
        let len = parts.iter().map(|p| p.len + p.spaces).sum::<usize>() - last.spaces;
        out.push_str(indent);
        out.push_str(&text[at..at + len]);
        out.push('\n');
        at += len + last.spaces;
    }
}

/// Where textwrap's optimal fit ends each line (exclusive piece indexes, in
/// order) when every line is `line_width` columns wide; `None` where it
/// reports an overflow. The same costs as textwrap's `wrap_optimal_fit` with
/// its default penalties, so the same lines, found by a search of masthead's
/// own: textwrap's (SMAWK) allows a width for each line, which costs it a
/// line-number lookup for every cost it weighs; with one width, the lines
/// that can end at a piece are only those that fit, and a few beyond.
fn optimal_fit(pieces: &[Piece], line_width: f64) -> Option<Vec<usize>> {
    let penalties = Penalties::new();
    let nline = penalties.nline_penalty as f64;
    let overflow = penalties.overflow_penalty as f64;
    let target = line_width.max(1.0);
    // `at[k]`: columns of pieces `..k` with the spaces after them.
    let mut at = Vec::with_capacity(pieces.len() + 1);
    at.push(0.0);
    for piece in pieces {
        at.push(at[at.len() - 1] + piece.width + piece.whitespace_width());
    }
    // `best[j]`: the least cost of lines ending at `j`, and where the last of them starts.
    let mut best: Vec<(f64, usize)> = Vec::with_capacity(pieces.len() + 1);
    best.push((0.0, 0));
    for j in 1..=pieces.len() {
        let mut least = (f64::INFINITY, 0);
        // Columns up to the end of piece `j - 1`, its spaces left out.
        let reach = at[j] - pieces[j - 1].whitespace_width();
        for i in (0..j).rev() {
            let width = reach - at[i];
            let mut cost = best[i].0 + nline;
            if width > target {
                // Longer lines cost more still, whatever came before them.
                if nline + (width - target) * overflow > least.0 {
                    break;
                }
                cost += (width - target) * overflow;
            } else if j < pieces.len() {
                cost += (target - width) * (target - width);
            } else if i + 1 == j && width < target / penalties.short_last_line_fraction as f64 {
                cost += penalties.short_last_line_penalty as f64;
            }
            if cost <= least.0 {
                least = (cost, i);
            }
        }
        if least.0.is_infinite() {
            return None;
        }
        best.push(least);
    }
    let mut ends = Vec::new();
    let mut end = pieces.len();
    while end > 0 {
        ends.push(end);
        end = best[end].1;
    }
    if pieces.is_empty() {
        ends.push(0);
    }
    ends.reverse();
    Some(ends)
}

/// The pieces of `text`, as textwrap's `AsciiSpace` separator and
/// `HyphenSplitter` make them: a word is a run of anything but `' '`
/// with the spaces after it, split after each hyphen between alphanumerics.
fn pieces(text: &str) -> Vec<Piece> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::with_capacity(text.len() / 5 + 1);
    let mut start = 0;
    while start < bytes.len() {
        let mut end = start;
        while end < bytes.len() && bytes[end] != b' ' {
            end += 1;
        }
        let mut next = end;
        while next < bytes.len() && bytes[next] == b' ' {
            next += 1;
        }
        let word = &text[start..end];
        let mut from = 0;
        if word.contains('-') {
            for split in textwrap::WordSplitter::HyphenSplitter.split_points(word) {
                let part = &word[from..split];
                pieces.push(Piece { width: columns(part) as f64, len: part.len(), spaces: 0 });
                from = split;
            }
        }
        if from < word.len() || from == 0 {
            let part = &word[from..];
            pieces.push(Piece { width: columns(part) as f64, len: part.len(), spaces: next - end });
        }
        start = next;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::render::newsletter::{TEXT_WIDTH, wrap_options};

    /// What textwrap makes of `line`: the reference.
    fn textwrap_lines(line: &str, width: usize) -> String {
        let options = wrap_options(line).width(width);
        textwrap::wrap(line.trim_start(), options).iter().map(|l| format!("{l}\n")).collect()
    }

    fn wrapped(line: &str, width: usize) -> String {
        let mut out = String::new();
        wrap_line(line, width, &mut out);
        out
    }

    #[test]
    fn lines_wrap_as_textwrap_wraps_them() {
        let cases = [
            "Critics said a record harvest was contested and arrived too late for many parents.",
            "  Indented text that goes on and on past the seventy-two column limit of the email body.",
            "Hyphenated single-use well-known state-of-the-art words -- and --double-dashes- at the end-",
            "Caf\u{e9} \u{2014} \u{201c}quoted\u{201d} \u{65e5}\u{672c}\u{8a9e}\u{65e5}\u{672c}\u{8a9e} words with wide characters that need measuring",
            "Double  spaces   between    words keep    their widths when the line wraps at a space",
            "A https://news.example.com/a-very-long-url/that-does-not-fit-on-one-line-at-all-anywhere word",
            "\tTabbed line\twith tabs\tinside it that is long enough to wrap past the width of the line",
            "Short\tline with a tab",
            "\u{3000}ideographic indent before a long line of words that must wrap at the width somewhere",
        ];
        for line in cases {
            for width in [TEXT_WIDTH, 20, 5, 1] {
                assert_eq!(wrapped(line, width), textwrap_lines(line, width), "{line:?} at {width}");
            }
        }
    }

    /// Every line of up to 7 words of 1 to 3 letters (single and double
    /// spaces, a hyphen now and then) at every width up to 12: lines where
    /// several layouts cost the same abound, and the one textwrap picks must
    /// be picked here too.
    #[test]
    fn layouts_of_equal_cost_break_as_textwrap_breaks_them() {
        let mut checked = 0;
        for words in 1..=7u32 {
            for shape in 0..4u32.pow(words) {
                let mut line = String::new();
                let mut rest = shape;
                for w in 0..words {
                    let kind = rest % 4;
                    rest /= 4;
                    line.push_str(["a", "bb", "ccc", "d-e"][kind as usize]);
                    if w + 1 < words {
                        line.push_str(if (shape >> w) % 5 == 0 { "  " } else { " " });
                    }
                }
                for width in 1..=12 {
                    assert_eq!(wrapped(&line, width), textwrap_lines(&line, width), "{line:?} at {width}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 250_000, "{checked}");
    }

    proptest! {
        #[test]
        fn any_line_wraps_as_textwrap_wraps_it(
            words in prop::collection::vec("[a-z\u{e9}\u{65e5}\u{a0}\t1-]{0,14}", 1..40),
            gaps in prop::collection::vec(1usize..4, 40),
            indent in 0usize..6,
            width in 1usize..90,
        ) {
            let mut line = " ".repeat(indent);
            for (word, gap) in words.iter().zip(&gaps) {
                line.push_str(word);
                line.push_str(&" ".repeat(*gap));
            }
            let line = line.trim_end();
            prop_assert_eq!(wrapped(line, width), textwrap_lines(line, width));
        }
    }
}
