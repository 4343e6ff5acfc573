//! The only importer of serde_yaml. Splits a file into its YAML front matter
//! and Markdown body (accepting a BOM and CRLF line endings) and parses YAML
//! into typed structs, reporting errors as lines of the *file*, with plain
//! hints for the classic traps (an unquoted colon, a misspelt key).

use serde::de::DeserializeOwned;

use crate::diagnostic::suggest;

/// A front matter or YAML problem, positioned in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl FrontMatterError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        FrontMatterError { line: Some(line), col: None, message: message.into(), help: None }
    }
}

/// A file cut in two. `yaml_line` is the file line of the opening `---`,
/// so the YAML's own line N is file line `yaml_line + N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub yaml: String,
    pub body: String,
    pub yaml_line: usize,
    /// File line on which the body starts.
    pub body_line: usize,
}

/// Normalises line endings and strips a BOM, then cuts the front matter
/// (between `---` lines at the very start) from the body.
pub fn split(text: &str) -> Result<Split, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text.to_string() };
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(FrontMatterError::new(1, "the file does not start with front matter")
            .with_help("begin the file with a `---` line, then `title: ...`, then another `---` line"));
    }
    let mut offset = first.len();
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" {
            let yaml = text[first.len()..offset].to_string();
            let body = text[offset + line.len()..].to_string();
            return Ok(Split { yaml, body, yaml_line: 1, body_line: line_no + 1 });
        }
        offset += line.len();
    }
    Err(FrontMatterError::new(1, "the front matter is never closed")
        .with_help("end the front matter with a line holding only `---`"))
}

impl FrontMatterError {
    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Parses YAML (YAML 1.2 rules: `yes`, `on`, `N` stay text) into `T`.
/// `line_offset` is added to YAML line numbers: the line of the opening
/// `---` for front matter, 0 for a whole YAML file.
pub fn parse<T: DeserializeOwned>(yaml: &str, line_offset: usize) -> Result<T, FrontMatterError> {
    // An empty document is an empty mapping, so "missing `title`" is what
    // the user sees rather than an end-of-file message.
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml::from_str(source).map_err(|err| translate(&err, yaml, line_offset))
}

/// Turns a serde_yaml error into words a reporter understands.
fn translate(err: &serde_yaml::Error, yaml: &str, line_offset: usize) -> FrontMatterError {
    let (line, col) = match err.location() {
        Some(loc) => (Some(line_offset + loc.line()), Some(loc.column())),
        None => (None, None),
    };
    let raw = err.to_string();
    let raw = match raw.rfind(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    let mut out = FrontMatterError { line, col, message: raw.clone(), help: None };
    if let Some(rest) = raw.split("unknown field `").nth(1) {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        out.message = format!("unknown key `{key}`");
        out.help = match suggest(key, &expected) {
            Some(s) => Some(format!("did you mean `{s}`?")),
            None => Some(format!("valid keys here are: {}", expected.join(", "))),
        };
    } else if raw.contains("mapping values are not allowed") {
        let src_line = err.location().and_then(|l| yaml.lines().nth(l.line().saturating_sub(1)));
        out.message = "a value holds `: `, which YAML reads as the start of another key".into();
        out.help = Some(match src_line.and_then(|l| l.split_once(':')) {
            Some((key, value)) => {
                let quoted = value.trim().replace('\\', "\\\\").replace('"', "\\\"");
                format!("put the value in quotes: {}: \"{quoted}\"", key.trim_end())
            }
            None => "put the value in quotes".into(),
        });
        out.col = None;
    } else if let Some(rest) = raw.split("missing field `").nth(1) {
        let key = rest.split('`').next().unwrap_or_default();
        out.message = format!("the required key `{key}` is missing");
        out.help = Some(format!("add a line `{key}: ...` to the front matter"));
    } else if raw.contains("duplicate field") || raw.contains("duplicate entry") {
        out.message = raw
            .replace("duplicate field", "the key appears twice:")
            .replace("duplicate entry with key", "the key appears twice:");
        out.help = Some("keep only one of the two lines".into());
    } else if raw.contains("invalid type") {
        out.message = raw
            .replace("expected i64", "expected a whole number")
            .replace("expected a boolean", "expected true or false");
    }
    out
}

/// The file line on which a top-level `key:` is written in front matter, for
/// errors found after parsing (a bad date, a missing photo file).
pub fn key_line(split_yaml: &str, line_offset: usize, key: &str) -> Option<usize> {
    split_yaml
        .lines()
        .position(|l| l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
        .map(|i| line_offset + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields exist to be parsed, not read
    struct Meta {
        title: String,
        #[serde(default)]
        order: Option<i64>,
        #[serde(default)]
        section: Option<String>,
        #[serde(default)]
        author: Option<String>,
    }

    #[test]
    fn splits_plain_bom_and_crlf() {
        let s = split("---\ntitle: A\n---\nBody\n").unwrap();
        assert_eq!((s.yaml.as_str(), s.body.as_str(), s.body_line), ("title: A\n", "Body\n", 4));
        let s = split("\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n").unwrap();
        assert_eq!((s.yaml.as_str(), s.body.as_str()), ("title: A\n", "Body\n"));
        let s = split("---\n---\n").unwrap();
        assert_eq!((s.yaml.as_str(), s.body.as_str()), ("", ""));
    }

    #[test]
    fn split_errors() {
        assert!(split("title: A\n").unwrap_err().message.contains("does not start"));
        assert!(split("---\ntitle: A\n").unwrap_err().message.contains("never closed"));
        assert!(split("").is_err());
    }

    #[test]
    fn yaml_12_words_stay_text() {
        let m: Meta = parse("title: NO\nsection: on\nauthor: N\n", 1).unwrap();
        assert_eq!(m.title, "NO");
        assert_eq!(m.section.as_deref(), Some("on"));
        assert_eq!(m.author.as_deref(), Some("N"));
        let m: Meta = parse("title: yes\n", 1).unwrap();
        assert_eq!(m.title, "yes");
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let e = parse::<Meta>("title: A\ntitel: B\n", 1).unwrap_err();
        assert_eq!(e.message, "unknown key `titel`");
        assert_eq!(e.line, Some(3));
        assert_eq!(e.help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn unquoted_colon_says_to_quote() {
        let e = parse::<Meta>("title: Russia: a look\n", 1).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.help.as_deref(), Some("put the value in quotes: title: \"Russia: a look\""));
    }

    #[test]
    fn missing_and_mistyped_keys() {
        let e = parse::<Meta>("order: 1\n", 1).unwrap_err();
        assert!(e.message.contains("`title` is missing"), "{}", e.message);
        let e = parse::<Meta>("title: A\norder: first\n", 1).unwrap_err();
        assert!(e.message.contains("whole number"), "{}", e.message);
        assert_eq!(e.line, Some(3));
        let e = parse::<Meta>("title: A\ntitle: B\n", 1).unwrap_err();
        assert!(e.message.contains("twice"), "{}", e.message);
    }

    #[test]
    fn empty_front_matter_reports_missing_title() {
        let e = parse::<Meta>("", 1).unwrap_err();
        assert!(e.message.contains("title"));
    }

    #[test]
    fn finds_key_lines() {
        assert_eq!(key_line("title: A\nedition: 2023-01-01\n", 1, "edition"), Some(3));
        assert_eq!(key_line("title: A\n", 1, "edition"), None);
    }
}
