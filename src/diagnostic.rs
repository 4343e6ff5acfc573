//! Problems a user can fix, as data: each carries the file, the line and
//! column where there is one, a plain message and an optional hint. Loading
//! collects them across every file so one run reports everything at once.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is. Warnings become errors with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    /// Path relative to the site folder (or as given, for files outside it).
    pub path: PathBuf,
    pub(crate) line: Option<usize>,
    pub(crate) col: Option<usize>,
    pub message: String,
    pub(crate) help: Option<String>,
}

impl Diagnostic {
    /// An error about a whole file.
    pub(crate) fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.as_ref().to_path_buf(),
            line: None,
            col: None,
            message: message.into(),
            help: None,
        }
    }

    /// An error at a line and, when known, a column of a file.
    pub(crate) fn at(path: impl AsRef<Path>, line: usize, col: Option<usize>, message: impl Into<String>) -> Self {
        Diagnostic { line: Some(line), col, ..Diagnostic::error(path, message) }
    }

    /// A warning about a whole file.
    pub(crate) fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    pub(crate) fn with_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// At a line and column, when known.
    pub(crate) fn with_place(mut self, place: Option<(usize, usize)>) -> Self {
        self.line = place.map(|(line, _)| line);
        self.col = place.map(|(_, col)| col);
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub(crate) fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` as editors and terminals understand it.
    pub(crate) fn location(&self) -> String {
        // Shown with `/` on every system; on Unix a `\` is part of a file name, so it stays.
        let mut loc = self.path.to_string_lossy().into_owned();
        if std::path::MAIN_SEPARATOR == '\\' {
            loc = loc.replace('\\', "/");
        }
        if let Some(line) = self.line {
            loc.push_str(&format!(":{line}"));
            if let Some(col) = self.col {
                loc.push_str(&format!(":{col}"));
            }
        }
        loc
    }

    /// The terminal rendering, optionally with ANSI colours.
    pub(crate) fn render(&self, color: bool) -> String {
        let (label, paint) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let label = if color { format!("{paint}{label}\x1b[0m") } else { label.to_string() };
        // Paths, messages and hints quote the site's files: escape what they hold.
        let mut out = format!("{label}: {}: {}", printable(&self.location()), printable(&self.message));
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(&printable(help));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for Diagnostic {}

/// Every problem of a run, in a stable order (by file, then line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Diagnostics(pub(crate) Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub(crate) fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Turn warnings into errors (`--strict`).
    pub(crate) fn make_strict(&mut self) {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
    }

    /// Sort by file and position and drop exact repeats, so output is stable
    /// whatever order parallel loading finished in.
    pub(crate) fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.line, a.col, a.severity, &a.message).cmp(&(&b.path, b.line, b.col, b.severity, &b.message))
        });
        self.0.dedup();
    }

    /// How many distinct files have errors, for the closing line.
    pub(crate) fn files_with_errors(&self) -> usize {
        let mut paths: Vec<&PathBuf> = self.0.iter().filter(|d| d.is_error()).map(|d| &d.path).collect();
        paths.sort();
        paths.dedup();
        paths.len()
    }
}

/// Splits results into values or every distinct error, sorted.
pub(crate) fn collect<T>(results: Vec<Result<T, Diagnostic>>) -> Result<Vec<T>, Diagnostics> {
    let mut ok = Vec::with_capacity(results.len());
    collect_into(results, &mut ok)?;
    Ok(ok)
}

/// As [`collect`], appending the values to `ok` (one list, not two, when
/// the results are many).
pub(crate) fn collect_into<T>(results: Vec<Result<T, Diagnostic>>, ok: &mut Vec<T>) -> Result<(), Diagnostics> {
    ok.reserve(results.len());
    let mut errors = Diagnostics::new();
    for r in results {
        match r {
            Ok(v) => ok.push(v),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        errors.sort();
        Err(errors)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// `text` safe to print on a terminal: C0 controls (but newline and tab),
/// DEL and the C1 controls are shown as `\u{1b}`, `\u{7f}`, `\u{85}`, so a
/// title or file name cannot clear the screen, set the window title or hide
/// a line (`\r`). Every message masthead prints for people passes through
/// here. Borrowed when there is nothing to escape.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unprintable) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unprintable(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A character [`printable`] escapes: a control character other than newline and tab.
fn is_unprintable(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The valid name closest to `unknown`, if one is close enough to be a
/// likely typo ("titel" → "title").
pub(crate) fn suggest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(unknown, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        let keys = ["title", "edition", "summary", "author"];
        assert_eq!(suggest("titel", &keys), Some("title"));
        assert_eq!(suggest("editon", &keys), Some("edition"));
        assert_eq!(suggest("authors", &keys), Some("author"));
        assert_eq!(suggest("zzz", &keys), None);
    }

    #[test]
    fn renders_location_and_help() {
        let d = Diagnostic::at("content/a.md", 3, Some(8), "unknown key `titel`").help("did you mean `title`?");
        assert_eq!(d.to_string(), "error: content/a.md:3:8: unknown key `titel`\n  help: did you mean `title`?");
        let w = Diagnostic::warning("content/b.md", "photo has no `credit`");
        assert_eq!(w.to_string(), "warning: content/b.md: photo has no `credit`");
    }

    #[test]
    fn control_characters_are_shown_not_sent_to_the_terminal() {
        assert!(matches!(printable("plain · text\nnext\tline"), Cow::Borrowed(_)));
        assert_eq!(printable("\u{1b}[2J\u{1b}]0;PWNED\u{7}"), "\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}");
        assert_eq!(printable("a\rb\u{7f}c\u{85}d\u{9b}e\0"), "a\\u{d}b\\u{7f}c\\u{85}d\\u{9b}e\\u{0}");
        let d = Diagnostic::at("content/\u{1b}x.md", 2, None, "photo `\u{1b}[2J` not found").help("\u{7}");
        let shown = d.render(true);
        assert_eq!(shown.matches('\u{1b}').count(), 2, "only the colour codes remain: {shown:?}");
        assert!(shown.contains("content/\\u{1b}x.md:2: photo `\\u{1b}[2J` not found"), "{shown:?}");
        assert!(shown.ends_with("help: \\u{7}"), "{shown:?}");
    }

    #[test]
    fn strict_turns_warnings_into_errors() {
        let mut ds = Diagnostics::from(Diagnostic::warning("a.md", "x"));
        assert!(!ds.has_errors());
        ds.make_strict();
        assert!(ds.has_errors());
    }
}
