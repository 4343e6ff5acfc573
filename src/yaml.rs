//! The only importer of serde_yaml. Splits a file into its YAML front matter
//! and Markdown body (accepting a BOM and CRLF line endings) and parses YAML
//! into typed structs, reporting errors as lines of the *file*, with plain
//! hints for the classic traps (an unquoted colon, a misspelt key).

use serde::de::DeserializeOwned;

use meanings::help_for;

/// A front matter or YAML problem, positioned in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: Option<usize>,
    pub(crate) col: Option<usize>,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
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
    pub(crate) body: String,
    pub yaml_line: usize,
    /// File line on which the body starts.
    pub body_line: usize,
}

/// Normalises line endings and strips a BOM, then cuts the front matter
/// (between `---` lines at the very start) from the body. The body keeps
/// the text's own buffer: a file's text is not copied whole.
pub fn split(text: impl Into<String>) -> Result<Split, FrontMatterError> {
    let mut text: String = text.into();
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(FrontMatterError::new(1, "the file does not start with front matter")
            .with_help("begin the file with a `---` line, then `title: ...`, then another `---` line"));
    }
    let start = first.len();
    let mut offset = start;
    let mut line_no = 1;
    let mut closed = None;
    for line in lines {
        line_no += 1;
        if line.trim_end() == "---" {
            closed = Some(offset + line.len());
            break;
        }
        offset += line.len();
    }
    let Some(body_start) = closed else {
        return Err(FrontMatterError::new(1, "the front matter is never closed")
            .with_help("end the front matter with a line holding only `---`"));
    };
    let yaml = text[start..offset].to_string();
    text.drain(..body_start);
    Ok(Split { yaml, body: text, yaml_line: 1, body_line: line_no + 1 })
}

impl FrontMatterError {
    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// [`parse_all`], keeping its first problem only: the tests' shorthand.
#[cfg(test)]
pub(crate) fn parse<T: DeserializeOwned>(yaml: &str, line_offset: usize) -> Result<T, FrontMatterError> {
    parse_all(yaml, line_offset).map_err(|mut errors| errors.swap_remove(0))
}

/// The most unknown keys reported for one file; past that the file is
/// most likely not front matter at all.
pub(crate) const MAX_UNKNOWN_KEYS: usize = 32;

/// Parses YAML (YAML 1.2 rules: `yes`, `on`, `N` stay text) into `T`.
/// `line_offset` is added to YAML line numbers: the line of the opening
/// `---` for front matter, 0 for a whole YAML file.
///
/// Every unknown key of the YAML is reported, each at its own line, rather
/// than the first only: serde stops at the first, so each
/// one found is blanked out (with the lines indented under it) and the
/// YAML parsed again. The list is never empty; a problem that is not an
/// unknown key (a missing title, a wrong type) ends it.
pub(crate) fn parse_all<T: DeserializeOwned>(yaml: &str, line_offset: usize) -> Result<T, Vec<FrontMatterError>> {
    guard_size_and_depth(yaml, line_offset).map_err(|e| vec![e])?;
    expansion::check(yaml, line_offset).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut text = yaml.to_string();
    let value = loop {
        // An empty document is an empty mapping, so "missing `title`" is what
        // the user sees rather than an end-of-file message.
        let source = if text.trim().is_empty() { "{}" } else { text.as_str() };
        match serde_yaml::from_str(source) {
            Ok(value) => break Some(value),
            Err(err) => {
                let blanked = unknown_key_at(&err, &text).and_then(|(line, col)| blank_key(&text, line, col));
                errors.push(translate(&err, yaml, line_offset));
                match blanked {
                    Some(rest) if errors.len() < MAX_UNKNOWN_KEYS => text = rest,
                    _ => break None,
                }
            }
        }
    };
    match value {
        Some(value) if errors.is_empty() => {
            check_values(yaml, line_offset).map_err(|e| vec![e])?;
            Ok(value)
        }
        _ => Err(errors),
    }
}

/// The YAML line and column (1-based) of the key an unknown-key error is about.
fn unknown_key_at(err: &serde_yaml::Error, yaml: &str) -> Option<(usize, usize)> {
    let raw = err.to_string();
    let key = raw.split("unknown field `").nth(1)?.split('`').next()?;
    let loc = err.location()?;
    let line = yaml.lines().nth(loc.line().checked_sub(1)?)?;
    let rest = line.get(loc.column().checked_sub(1)?..)?;
    rest.trim_start_matches(['"', '\'']).starts_with(key).then_some((loc.line(), loc.column()))
}

/// `yaml` with the block key at `line`:`col` and the lines indented deeper
/// under it made blank, so line numbers stay those of the file. `None` when
/// the key shares its line with another (`{a: 1, b: 2}`, `- a: 1`) and
/// cannot be cut out alone.
fn blank_key(yaml: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = yaml.split_inclusive('\n').collect();
    let key_line = lines.get(line - 1)?;
    let indent = col - 1;
    if !key_line.get(..indent)?.chars().all(|c| c == ' ') {
        return None;
    }
    let mut out = String::with_capacity(yaml.len());
    let mut inside = false;
    for (i, text) in lines.iter().enumerate() {
        let n = i + 1;
        let blank = text.trim().is_empty();
        let deeper = text.len() - text.trim_start_matches(' ').len() > indent;
        inside = n == line || (inside && n > line && (blank || deeper || text.trim_start().starts_with('#')));
        if inside {
            out.push_str(if text.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(text);
        }
    }
    Some(out)
}

/// The largest front matter or `site.yaml` read: a 1 MB headline fits, and
/// serde_yaml, which holds every YAML event in memory before building
/// values, stays within a few hundred megabytes.
pub(crate) const MAX_YAML_BYTES: usize = 2 * 1024 * 1024;

/// The deepest `[`/`{` nesting read. libyaml checks every open bracket on
/// every token, so deep flow nesting makes parsing quadratic (40,000 `[`
/// took over a minute); serde_yaml would refuse more than 128 levels anyway,
/// but only after parsing it all.
pub(crate) const MAX_FLOW_DEPTH: usize = 128;

/// Refuses YAML too large or too deeply bracketed to parse in bounded time
/// and memory, before the parser sees it. Brackets are counted as written,
/// even inside quotes: only text with more than 128 unclosed ones is refused.
fn guard_size_and_depth(yaml: &str, line_offset: usize) -> Result<(), FrontMatterError> {
    if yaml.len() > MAX_YAML_BYTES {
        return Err(FrontMatterError::new(
            line_offset + 1,
            format!(
                "the YAML is {:.1} MB; masthead reads front matter and site.yaml of up to {} MB",
                yaml.len() as f64 / 1_048_576.0,
                MAX_YAML_BYTES / 1_048_576
            ),
        )
        .with_help("move long text into the body of the article"));
    }
    // No more opening brackets than the limit: none can be nested deeper.
    if memchr::memchr2_iter(b'[', b'{', yaml.as_bytes()).count() <= MAX_FLOW_DEPTH {
        return Ok(());
    }
    let mut depth = 0usize;
    for (at, &b) in yaml.as_bytes().iter().enumerate() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => continue,
        }
        if depth > MAX_FLOW_DEPTH {
            let line = yaml.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count() + 1;
            return Err(FrontMatterError::new(line_offset + line, NESTED_TOO_DEEPLY.0).with_help(NESTED_TOO_DEEPLY.1));
        }
    }
    Ok(())
}

const NESTED_TOO_DEEPLY: (&str, &str) = (
    "the YAML is nested too deeply (more than 128 levels of lists or maps)",
    "front matter holds plain keys and short lists; move deeply nested data out of it",
);

/// The escapes of a double-quoted YAML value that can make a NUL (`\0`,
/// `\x00`, `\u0000`, `\U00000000`); no other escape can.
const NUL_ESCAPES: [&str; 4] = ["\\0", "\\x", "\\u", "\\U"];

/// What the typed parse does not see: duplicate keys in free-form maps, and
/// NUL characters. YAML refuses control characters written as such, but
/// escapes in quoted values (`"\0"`, `"\x07"`) still make them. A NUL is
/// refused: it ends strings in file names and other programs. Other control
/// characters (a stray escape from wire copy) are kept in the data and
/// dropped where a page or feed cannot carry them (`render::escape`).
fn check_values(yaml: &str, line_offset: usize) -> Result<(), FrontMatterError> {
    // Only when there is something to find: an escape that can make a NUL,
    // or a free-form `extra` map, whose duplicate keys the typed parse lets
    // through (the last one would win silently). Other front matter, quoted
    // speech (`\"`) in a summary included, is parsed once.
    if !NUL_ESCAPES.iter().any(|e| yaml.contains(e)) && !yaml.contains("extra") {
        return Ok(());
    }
    // Nesting is bounded by serde_yaml's recursion limit, so the walk is too.
    fn has_control(value: &serde_yaml::Value) -> bool {
        let bad = |s: &str| s.contains('\0');
        match value {
            serde_yaml::Value::String(s) => bad(s),
            serde_yaml::Value::Sequence(items) => items.iter().any(has_control),
            serde_yaml::Value::Mapping(map) => map.iter().any(|(k, v)| has_control(k) || has_control(v)),
            serde_yaml::Value::Tagged(tagged) => has_control(&tagged.value),
            _ => false,
        }
    }
    let value: serde_yaml::Value = serde_yaml::from_str(yaml).map_err(|err| translate(&err, yaml, line_offset))?;
    if !has_control(&value) {
        return Ok(());
    }
    let line = yaml.lines().position(|l| NUL_ESCAPES.iter().any(|e| l.contains(e))).map(|i| line_offset + i + 1);
    Err(FrontMatterError {
        line,
        col: None,
        message: "an escape in a quoted value makes a NUL control character (`\\0`)".into(),
        help: Some("remove the escape; a NUL cannot be part of a title, path or any other value".into()),
    })
}

/// Turns a serde_yaml error into words a reporter understands.
fn translate(err: &serde_yaml::Error, yaml: &str, line_offset: usize) -> FrontMatterError {
    // libyaml also breaks lines at U+0085, U+2028 and U+2029, which editors do not: its
    // line numbers can run past the file's, so they are held to its last line.
    let last = yaml.lines().count().max(1);
    let (line, col) = match err.location() {
        Some(loc) => (Some(line_offset + loc.line().min(last)), Some(loc.column())),
        None => (None, None),
    };
    let raw = err.to_string();
    // libyaml's messages carry positions in the YAML alone (` at line 1 column 12`,
    // sometimes twice); the file position is already in `line` and `col`.
    let raw = match raw.find(" at line ").or_else(|| raw.find(" at position ")) {
        Some(i) => raw[..i].to_string(),
        None => raw,
    };
    let mut out = FrontMatterError { line, col, message: raw.clone(), help: None };
    if let Some((message, help)) = limit_or_character_problem(&raw) {
        out.message = message.into();
        out.help = Some(help.into());
    } else if let Some(rest) = raw.split("unknown field `").nth(1) {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        out.message = format!("unknown key `{key}`");
        out.help =
            Some(help_for(key, &expected).unwrap_or_else(|| format!("valid keys here are: {}", expected.join(", "))));
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
        // At the `: ` inside the value (libyaml names the place where it gave up).
        out.col = src_line.and_then(|l| {
            let (key, value) = l.split_once(':')?;
            let i = value.find(": ")?;
            Some(l[..key.len() + 1 + i].chars().count() + 1)
        });
    } else if let Some(rest) = raw.split("missing field `").nth(1) {
        let key = rest.split('`').next().unwrap_or_default();
        out.message = format!("the required key `{key}` is missing");
        out.help = Some(format!("add a line `{key}: ...` to the front matter"));
    } else if raw.contains("duplicate field") || raw.contains("duplicate entry") {
        out.message = raw
            .replace("duplicate field", "the key appears twice:")
            .replace("duplicate entry with key", "the key appears twice:");
        out.help = Some("keep only one of the two lines".into());
        // serde_yaml points at the start of the map; point at the second key instead.
        let key = raw.rsplit(['`', '"']).nth(1).unwrap_or_default();
        if let (Some(loc), false) = (err.location(), key.is_empty()) {
            if let Some(i) = second_occurrence(yaml, loc.line(), loc.column(), key) {
                (out.line, out.col) = (Some(line_offset + i), Some(loc.column()));
            }
        }
    } else if let Some((at_line, at_col)) = tab_indent(yaml, &raw, err.location().map(|l| l.line())) {
        out.message = "a tab in the indentation: YAML indents with spaces only".into();
        out.help = Some("replace the tab at the start of the line with spaces (two per level)".into());
        (out.line, out.col) = (Some(line_offset + at_line), Some(at_col));
    } else if let Some(after) = text_after_quote(yaml, &raw, err.location().map(|l| l.line())) {
        out.message =
            format!("text after the closing `{}`: YAML ends a quoted value at its closing quote", after.quote);
        let value = after.value.replace('\'', "''");
        out.help = Some(format!("put the whole value in single quotes: {}: '{value}'", after.key));
        (out.line, out.col) = (Some(line_offset + after.line), Some(after.col));
    } else if let Some((at_line, at_col, quote)) = unclosed_quote(yaml, &raw) {
        out.message = format!("the quote `{quote}` opened here is never closed");
        out.help = Some(format!("end the value with `{quote}` on the same line"));
        (out.line, out.col) = (Some(line_offset + at_line), Some(at_col));
    } else if raw.starts_with("invalid type") && raw.contains("expected struct") {
        // The whole document is a list or a single value instead of `key: value` lines.
        out.message = "this YAML must be `key: value` lines, one key per line".into();
        out.help = Some("start each line with a key such as `title:`; a leading `- ` makes a list".into());
    } else if raw.contains("invalid type") {
        out.message = plain_type_names(&raw);
    }
    out
}

/// Where a tab indents a line, when libyaml stopped at one (1-based line
/// and column of the YAML).
fn tab_indent(yaml: &str, raw: &str, line: Option<usize>) -> Option<(usize, usize)> {
    if !raw.contains("cannot start any token") && !raw.contains("tab") {
        return None;
    }
    let indented = |l: &str| l.chars().take_while(|c| c.is_whitespace()).position(|c| c == '\t');
    let at = line.and_then(|n| yaml.lines().nth(n.saturating_sub(1)).and_then(indented).map(|c| (n, c + 1)));
    at.or_else(|| yaml.lines().enumerate().find_map(|(i, l)| indented(l).map(|c| (i + 1, c + 1))))
}

/// A quoted value with more text after its closing quote
/// (`title: "Hamlet" opens tonight`), which YAML refuses.
#[derive(Debug, PartialEq, Eq)]
struct AfterQuote<'a> {
    /// 1-based line and column of the text after the quote.
    line: usize,
    col: usize,
    quote: char,
    key: &'a str,
    /// The whole value as written, quotes included.
    value: &'a str,
}

/// The quoted value on `line` (1-based) that goes on after its closing
/// quote, when libyaml stopped there expecting the next key.
fn text_after_quote<'a>(yaml: &'a str, raw: &str, line: Option<usize>) -> Option<AfterQuote<'a>> {
    if !raw.contains("did not find expected key") && !raw.contains("expected <block end>") {
        return None;
    }
    let n = line?;
    let text = yaml.lines().nth(n.checked_sub(1)?)?;
    let (key, rest) = text.split_once(": ")?;
    // Trimmed at the start only: `extra` below must stay a suffix of `text`.
    let value = rest.trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    // The closing quote: an unescaped `"`, or a `'` that is not a doubled `''`.
    let body = &value[1..];
    let mut close = None;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().is_some_and(|&(_, d)| d == '\'') => {
                chars.next();
            }
            c if c == quote => {
                close = Some(i);
                break;
            }
            _ => {}
        }
    }
    let after = &body[close? + 1..];
    let extra = after.trim_start();
    if extra.is_empty() || extra.starts_with('#') {
        return None;
    }
    let col = text[..text.len() - extra.len()].chars().count() + 1;
    Some(AfterQuote { line: n, col, quote, key: key.trim_start(), value: value.trim_end() })
}

/// Where a quoted value opens and is never closed on its line, when libyaml
/// ran to the end of the front matter looking for its end (1-based line and
/// column of the YAML, and the quote).
fn unclosed_quote(yaml: &str, raw: &str) -> Option<(usize, usize, char)> {
    if !raw.contains("end of stream") && !raw.contains("did not find expected") && !raw.contains("unexpected end") {
        return None;
    }
    yaml.lines().enumerate().find_map(|(i, line)| {
        // The value after `key:` or a list's `- `.
        let start = match line.find(": ") {
            Some(c) => c + 2,
            None => line.trim_start().strip_prefix("- ").map(|_| line.len() - line.trim_start().len() + 2)?,
        };
        let value = &line[start..];
        let lead = value.len() - value.trim_start().len();
        let quote = value.trim_start().chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let body = &value.trim_start()[1..];
        let closed = if quote == '"' {
            let mut escaped = false;
            body.chars().any(|c| {
                let end = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                end
            })
        } else {
            // `''` inside single quotes is one quote.
            body.replace("''", "").contains('\'')
        };
        (!closed).then_some((i + 1, start + lead + 1, quote))
    })
}

/// The YAML line (1-based) of the second `key:` at column `col` of the map
/// that starts on line `start`.
fn second_occurrence(yaml: &str, start: usize, col: usize, key: &str) -> Option<usize> {
    let indent = col.saturating_sub(1);
    let mut seen = 0;
    for (i, line) in yaml.lines().enumerate().skip(start.saturating_sub(1)) {
        let Some(rest) = line.get(indent..) else { continue };
        let leading = &line[..indent];
        let is_key = rest
            .trim_start_matches(['"', '\''])
            .strip_prefix(key)
            .is_some_and(|after| after.trim_start_matches(['"', '\'']).trim_start().starts_with(':'));
        if is_key && leading.chars().all(|c| c == ' ' || c == '-') {
            seen += 1;
            if seen == 2 {
                return Some(i + 1);
            }
        }
    }
    None
}

/// serde's type names in words: `expected struct PhotoMeta` → `expected a map of keys`.
fn plain_type_names(raw: &str) -> String {
    let mut text = raw
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false")
        .replace("expected a sequence", "expected a list");
    if let Some(start) = text.find("expected struct ") {
        let name = start + "expected struct ".len();
        let end = text[name..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |i| name + i);
        text.replace_range(start..end, "expected a map of `key: value` lines");
    }
    text
}

/// Plain words for the YAML reader's guards against hostile input and for
/// text YAML cannot hold; `None` for every other message.
fn limit_or_character_problem(raw: &str) -> Option<(&'static str, &'static str)> {
    if raw.starts_with("recursion limit exceeded") {
        Some(NESTED_TOO_DEEPLY)
    } else if raw.starts_with("repetition limit exceeded") {
        Some((
            "the YAML's anchors and aliases (`&name`, `*name`) expand to too much data",
            "write the values out instead of repeating aliases of aliases",
        ))
    } else if raw.starts_with("control characters are not allowed") {
        Some((
            "the YAML holds a control character (such as a NUL byte), which YAML does not allow",
            "delete the invisible character; text pasted from other programs often brings one along",
        ))
    } else if raw.contains("invalid Unicode character escape") {
        Some((
            "a `\\u` escape in a quoted value is not a character (`\\ud800` to `\\udfff` are halves of UTF-16 pairs)",
            "write the character itself, or `\\U0001F600` for one beyond `\\uFFFF`",
        ))
    } else {
        None
    }
}

/// The file line on which a top-level `key:` is written in front matter, for
/// errors found after parsing (a bad date, a missing photo file).
pub(crate) fn key_line(split_yaml: &str, line_offset: usize, key: &str) -> Option<usize> {
    key_place(split_yaml, line_offset, key).map(|(line, _)| line)
}

/// Where the value of a top-level `key:` starts in front matter: its file
/// line and column (1-based, in characters). A value written on the lines
/// below (`photo:` then `  src: …`) is placed at the key, column 1.
pub(crate) fn key_place(split_yaml: &str, line_offset: usize, key: &str) -> Option<(usize, usize)> {
    let (i, col) = split_yaml.lines().enumerate().find_map(|(i, l)| Some((i, value_after(l, key)?)))?;
    Some((line_offset + i + 1, col))
}

/// Where the value of `child:` in the block under a top-level `parent:` starts
/// (`photo:` then `  src: a.jpg`), or the parent's own place when the block
/// has no such key or the parent's value is written inline.
pub(crate) fn nested_key_place(
    split_yaml: &str,
    line_offset: usize,
    parent: &str,
    child: &str,
) -> Option<(usize, usize)> {
    let lines: Vec<&str> = split_yaml.lines().collect();
    let start = lines.iter().position(|l| value_after(l, parent).is_some())?;
    let block = lines[start + 1..].iter().take_while(|l| l.is_empty() || l.starts_with([' ', '-']));
    for (n, l) in block.enumerate() {
        let trimmed = l.trim_start_matches([' ', '-']);
        let indent = l.chars().count() - trimmed.chars().count();
        if let Some(col) = value_after(trimmed, child) {
            return Some((line_offset + start + n + 2, indent + col));
        }
    }
    key_place(split_yaml, line_offset, parent)
}

/// The column at which the value of `key:` starts on `line` (1 when the
/// line holds the key and no value), or `None` when `key:` is not there.
fn value_after(line: &str, key: &str) -> Option<usize> {
    let rest = line.strip_prefix(key)?.trim_start_matches(' ');
    let value = rest.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    let value = value.trim_start_matches([' ', '\t']);
    if value.is_empty() || value.starts_with('#') {
        return Some(1);
    }
    Some(line.chars().count() - value.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_after_a_closing_quote_is_named_with_the_fix() {
        let yaml = "author: Ana\ntitle: \"Hamlet\" opens at the Playhouse\n";
        let raw = "did not find expected key";
        let after = text_after_quote(yaml, raw, Some(2)).unwrap();
        assert_eq!((after.line, after.col, after.quote, after.key), (2, 17, '"', "title"));
        assert_eq!(after.value, "\"Hamlet\" opens at the Playhouse");
        let single = "title: 'Rock ''n'' roll' returns\n";
        assert_eq!(text_after_quote(single, raw, Some(1)).map(|a| a.col), Some(26));
        // A comment after the quote, an escaped quote inside, another error: not this case.
        assert_eq!(text_after_quote("title: \"a\" # note\n", raw, Some(1)), None);
        assert_eq!(text_after_quote("title: \"a \\\"b\\\" c\"\n", raw, Some(1)), None);
        assert_eq!(text_after_quote("title: \"a\" b\n", "something else", Some(1)), None);
        // Regression: a line ending in a space after text of several bytes (`®`)
        // measured the column from the trimmed value and cut inside a character.
        let trailing = "  article: ''®title: \n";
        assert_eq!(text_after_quote(trailing, raw, Some(1)).map(|a| (a.col, a.value)), Some((14, "''®title:")));
        let err = parse::<Extra>("title: \"Hamlet\" opens\n", 5).unwrap_err();
        assert_eq!((err.line, err.col), (Some(6), Some(17)), "{err:?}");
        assert!(err.help.as_deref().is_some_and(|h| h.contains("title: '\"Hamlet\" opens'")), "{err:?}");
    }

    #[test]
    fn tabs_and_unclosed_quotes_are_named_where_they_are() {
        assert_eq!(
            tab_indent("a: 1\nb:\n\tc: 2\n", "found character that cannot start any token", Some(3)),
            Some((3, 1))
        );
        assert_eq!(tab_indent("a: 1\n", "something else", Some(1)), None);
        let eos = "found unexpected end of stream";
        assert_eq!(unclosed_quote("title: \"Open\nsection: x\n", eos), Some((1, 8, '"')));
        assert_eq!(unclosed_quote("title: \"Fine \\\" too\"\nb: 'it''s open\n", eos), Some((2, 4, '\'')));
        assert_eq!(unclosed_quote("tags:\n  - \"one\n", eos), Some((2, 5, '"')));
        assert_eq!(unclosed_quote("title: \"closed\"\n", eos), None);
        let err = parse::<serde_json::Value>("title: Tabs\nphoto:\n\tsrc: a.jpg\n", 1).unwrap_err();
        assert_eq!((err.line, err.col), (Some(4), Some(1)));
        assert!(err.message.contains("tab"), "{}", err.message);
    }
    use serde::Deserialize;

    /// Front matter for the tests here and the property tests in `props`.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields exist to be parsed, not read
    pub(super) struct Meta {
        pub(super) title: String,
        #[serde(default)]
        order: Option<i64>,
        #[serde(default)]
        section: Option<String>,
        #[serde(default)]
        author: Option<String>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        extra: serde_json::Map<String, serde_json::Value>,
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
    fn every_unknown_key_is_reported_at_its_line() {
        let yaml =
            "title: A\nlayout: post\ndescription: >\n  A long\n  deck\nphoto:\n  src: a.jpg\n  alt: A\nteam: metro\n";
        let e = parse_all::<Meta>(yaml, 1).unwrap_err();
        let got: Vec<(&str, Option<usize>)> = e.iter().map(|e| (e.message.as_str(), e.line)).collect();
        assert_eq!(
            got,
            [
                ("unknown key `layout`", Some(3)),
                ("unknown key `description`", Some(4)),
                ("unknown key `photo`", Some(7)),
                ("unknown key `team`", Some(10))
            ]
        );
        // Nested maps and a problem that is not an unknown key after them.
        let e = parse_all::<Meta>("tags: [a]\nextra: {}\ncolour: red\nsize: 2\n", 1).unwrap_err();
        let got: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(got, ["unknown key `colour`", "unknown key `size`", "the required key `title` is missing"]);
        // A key inside a flow map cannot be cut out alone: the first is reported.
        let e = parse_all::<Meta>("title: A\nextra: {}\nx: 1\nlayout: {a: 1}\n", 1).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(parse_all::<Meta>("title: A\n", 1).is_ok());
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
    fn duplicate_keys_point_at_the_second_one() {
        let e = parse::<Meta>("title: A\norder: 1\ntitle: B\n", 1).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("the key appears twice: `title`", Some(4)));
        let e = parse::<Extra>("title: A\nextra:\n  desk: metro\n  desk: sports\n", 1).unwrap_err();
        assert_eq!((e.message.as_str(), e.line), ("extra: the key appears twice: \"desk\"", Some(5)));
    }

    #[test]
    fn escaped_nul_characters_are_refused_other_controls_kept() {
        let nuls = [
            "title: \"a\\0b\"\n",
            "title: \"\\x00\"\n",
            "title: A\nextra: {k: \"\\u0000\"}\n",
            "title: \"say \\\"hi\\\" \\U00000000\"\n",
        ];
        for yaml in nuls {
            let e = parse::<Extra>(yaml, 1).unwrap_err();
            assert!(e.message.contains("NUL control character"), "{yaml}: {}", e.message);
        }
        let kept: Extra = parse("title: \"\\x1b[31m red\\u0007\"\n", 1).unwrap();
        assert_eq!(kept.title, "\u{1b}[31m red\u{7}");
        let ok: Extra = parse("title: \"tab\\there\\nnewline\"\n", 1).unwrap();
        assert_eq!(ok.title, "tab\there\nnewline");
        let quoted: Extra = parse("title: \"\\\"Not yet,\\\" she said \\\\0\"\n", 1).unwrap();
        assert_eq!(quoted.title, "\"Not yet,\" she said \\0");
    }

    #[test]
    fn deep_brackets_and_huge_yaml_are_refused_before_parsing() {
        // Regression: 40,000 nested `[` kept libyaml busy for over a minute.
        let deep = format!("title: A\nextra:\n  k: {}\n", "[".repeat(1_000_000));
        let e = parse::<Extra>(&deep, 1).unwrap_err();
        assert_eq!((e.line, e.message.contains("nested too deeply")), (Some(4), true));
        let ok = format!("title: \"{}\"\n", "[".repeat(MAX_FLOW_DEPTH));
        assert_eq!(parse::<Meta>(&ok, 1).unwrap().title.len(), MAX_FLOW_DEPTH);
        let huge = format!("title: {}\n", "x".repeat(MAX_YAML_BYTES));
        let e = parse::<Meta>(&huge, 1).unwrap_err();
        assert!(e.message.starts_with("the YAML is 2.0 MB;"), "{}", e.message);
    }

    #[test]
    fn hostile_yaml_gets_plain_words() {
        // Block nesting has no brackets: serde_yaml's own guard answers.
        let deep = format!("title: A\nextra:\n  k:\n    {}x\n", "- ".repeat(200));
        assert!(parse::<Extra>(&deep, 1).unwrap_err().message.contains("nested too deeply"));
        let mut bomb = "title: A\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n".to_string();
        for (prev, name) in
            ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            bomb.push_str(&format!("  {name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        assert!(parse::<Extra>(&bomb, 1).unwrap_err().message.contains("expands through anchors and aliases"));
        let e = parse::<Meta>("title: \"\\ud800\"\n", 1).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("is not a character"), "{}", e.message);
        let e = parse::<Meta>("- title: A\n", 1).unwrap_err();
        assert!(e.message.starts_with("this YAML must be `key: value` lines"), "{}", e.message);
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Extra {
        title: String,
        #[serde(default)]
        #[allow(dead_code)] // parsed for its checks, not read
        extra: serde_json::Map<String, serde_json::Value>,
    }

    #[test]
    fn empty_front_matter_reports_missing_title() {
        let e = parse::<Meta>("", 1).unwrap_err();
        assert!(e.message.contains("title"));
    }

    #[test]
    fn finds_where_values_start() {
        let yaml = "title: A\nedition:   2023-01-01\nphoto:\n  alt: x\n  src: a.jpg\nslug:\ntags: [a]\nurl: x\n";
        assert_eq!(key_place(yaml, 1, "title"), Some((2, 8)));
        assert_eq!(key_place(yaml, 1, "edition"), Some((3, 12)));
        assert_eq!(key_place(yaml, 1, "photo"), Some((4, 1)));
        assert_eq!(key_place(yaml, 1, "slug"), Some((7, 1)));
        assert_eq!(key_place(yaml, 1, "tag"), None);
        assert_eq!(key_place(yaml, 1, "u"), None);
        assert_eq!(nested_key_place(yaml, 1, "photo", "src"), Some((6, 8)));
        assert_eq!(nested_key_place(yaml, 1, "photo", "credit"), Some((4, 1)));
        assert_eq!(nested_key_place("photo: a.jpg\n", 1, "photo", "src"), Some((2, 8)));
        assert_eq!(nested_key_place("Ünï: x\nphoto:\n  src: é.jpg\n", 1, "photo", "src"), Some((4, 8)));
    }

    #[test]
    fn finds_key_lines() {
        assert_eq!(key_line("title: A\nedition: 2023-01-01\n", 1, "edition"), Some(3));
        assert_eq!(key_line("title: A\n", 1, "edition"), None);
    }
}

#[cfg(test)]
mod props;

pub mod expansion;
mod meanings;
