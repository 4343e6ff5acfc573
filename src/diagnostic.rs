//! Problems a user can fix, as data: each carries the file, the line and
//! column where there is one, a plain message and an optional hint. Loading
//! collects them across every file so one run reports everything at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is. Warnings become errors with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site folder (or as given, for files outside it).
    pub path: PathBuf,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error about a whole file.
    pub fn error(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
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
    pub fn at(path: impl AsRef<Path>, line: usize, col: Option<usize>, message: impl Into<String>) -> Self {
        Diagnostic { line: Some(line), col, ..Diagnostic::error(path, message) }
    }

    /// A warning about a whole file.
    pub fn warning(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(path, message) }
    }

    pub fn with_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` as editors and terminals understand it.
    pub fn location(&self) -> String {
        let mut loc = self.path.to_string_lossy().replace('\\', "/");
        if let Some(line) = self.line {
            loc.push_str(&format!(":{line}"));
            if let Some(col) = self.col {
                loc.push_str(&format!(":{col}"));
            }
        }
        loc
    }

    /// The terminal rendering, optionally with ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let (label, paint) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let label = if color { format!("{paint}{label}\x1b[0m") } else { label.to_string() };
        let mut out = format!("{label}: {}: {}", self.location(), self.message);
        if let Some(help) = &self.help {
            out.push_str("\n  help: ");
            out.push_str(help);
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
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Turn warnings into errors (`--strict`).
    pub fn make_strict(&mut self) {
        for d in &mut self.0 {
            d.severity = Severity::Error;
        }
    }

    /// Sort by file and position and drop exact repeats, so output is stable
    /// whatever order parallel loading finished in.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.line, a.col, a.severity, &a.message).cmp(&(&b.path, b.line, b.col, b.severity, &b.message))
        });
        self.0.dedup();
    }

    /// How many distinct files have errors, for the closing line.
    pub fn files_with_errors(&self) -> usize {
        let mut paths: Vec<&PathBuf> = self.0.iter().filter(|d| d.is_error()).map(|d| &d.path).collect();
        paths.sort();
        paths.dedup();
        paths.len()
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

/// The valid name closest to `unknown`, if one is close enough to be a
/// likely typo ("titel" → "title").
pub fn suggest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
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
    fn strict_turns_warnings_into_errors() {
        let mut ds = Diagnostics::from(Diagnostic::warning("a.md", "x"));
        assert!(!ds.has_errors());
        ds.make_strict();
        assert!(ds.has_errors());
    }
}
