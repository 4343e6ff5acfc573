//! `site.yaml` as typed, validated data (unknown keys are errors with a
//! suggestion), and `BuildOptions`: the configuration joined with what the
//! command line asked for.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::yaml as front_matter;

/// `site.yaml`, as written by the user, with SPEC §3 defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub(crate) title: String,
    pub(crate) base_url: String,
    #[serde(default)]
    pub(crate) publication: Option<String>,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default = "default_language")]
    pub(crate) language: String,
    #[serde(default = "default_timezone")]
    pub(crate) timezone: String,
    #[serde(default = "default_date_format")]
    pub(crate) date_format: String,
    #[serde(default = "default_theme")]
    pub(crate) theme: String,
    #[serde(default)]
    pub(crate) permalinks: Permalinks,
    #[serde(default)]
    pub(crate) feeds: Feeds,
    #[serde(default)]
    pub(crate) markdown: MarkdownConfig,
    #[serde(default)]
    pub(crate) strict: bool,
    /// Keep the replaced site beside the output and build the next one into
    /// it, rewriting only changed files (one more copy of the site on disk).
    #[serde(default = "default_true")]
    pub(crate) reuse_previous_build: bool,
    #[serde(default)]
    pub(crate) images: Images,
    #[serde(default)]
    pub(crate) newsletter: Newsletter,
    /// `deploy:` — where `masthead deploy` publishes (see `docs/deploy.md`).
    #[serde(default)]
    pub(crate) deploy: deploy::Deploy,
    #[serde(default)]
    pub(crate) search: Search,
    #[serde(default)]
    pub(crate) extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Permalinks {
    pub(crate) edition: String,
    pub(crate) article: String,
}

impl Default for Permalinks {
    fn default() -> Self {
        Permalinks { edition: "/:year/:month/:day/".into(), article: "/:year/:month/:day/:slug/".into() }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Feeds {
    pub(crate) limit: usize,
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds { limit: 50 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MarkdownConfig {
    pub(crate) smart_punctuation: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig { smart_punctuation: true }
    }
}

/// `images.max_pixels` unless site.yaml says otherwise: 100 million pixels,
/// a 12,000 × 8,000 photo, more than any camera a newsroom uses.
pub(crate) const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Images {
    pub(crate) widths: Vec<u32>,
    pub(crate) quality: u8,
    pub(crate) keep_metadata: bool,
    /// Source photos larger than this many megabytes are a warning (0: never).
    pub(crate) warn_over_mb: u32,
    /// A JPEG or PNG with more pixels is an error, read from its header
    /// before anything is decoded: decoding costs 4 to 8 bytes a pixel.
    pub(crate) max_pixels: u64,
}

impl Default for Images {
    fn default() -> Self {
        Images {
            widths: vec![480, 960, 1600],
            quality: 82,
            keep_metadata: false,
            warn_over_mb: 20,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// `newsletter:` — the edition as an email (see `docs/newsletter.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Newsletter {
    /// Write `newsletter.html` and `newsletter.txt` beside every edition.
    pub(crate) enabled: bool,
    /// The email service's unsubscribe merge tag, passed through untouched.
    pub(crate) unsubscribe: String,
    /// Footer text; empty means "You are receiving … because you subscribed".
    pub(crate) footer: String,
    /// Sender address of `--format eml`; empty means `newsletter@<base_url host>`.
    pub(crate) from: String,
    /// Sender name; empty means the publication's name.
    pub(crate) from_name: String,
}

impl Default for Newsletter {
    fn default() -> Self {
        Newsletter {
            enabled: true,
            unsubscribe: "{{unsubscribe}}".into(),
            footer: String::new(),
            from: String::new(),
            from_name: String::new(),
        }
    }
}

/// `search:` — the full-text search of published articles (see `docs/search.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Search {
    /// Index the articles and publish the search page and `pagefind/`.
    pub(crate) enabled: bool,
    /// Language of the index (stemming), when it differs from `language`.
    pub(crate) language: Option<String>,
    /// The most articles one bundle of the index holds: a year with more
    /// is split into halves, quarters or months. Indexing holds one bundle
    /// in memory at a time, so this bounds the memory search costs.
    pub(crate) bundle_articles: usize,
}

impl Default for Search {
    fn default() -> Self {
        Search { enabled: true, language: None, bundle_articles: search::DEFAULT_BUNDLE_ARTICLES }
    }
}

fn default_true() -> bool {
    true
}
fn default_language() -> String {
    "en".into()
}
fn default_timezone() -> String {
    "UTC".into()
}
fn default_date_format() -> String {
    "%B %d, %Y".into()
}
fn default_theme() -> String {
    "daily".into()
}

pub(crate) const CONFIG_FILE: &str = "site.yaml";

impl SiteConfig {
    /// Reads and validates `site.yaml` in `root`, reporting every problem.
    pub(crate) fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        // A `site.yaml` that links out of the site is not read (SPEC §9).
        crate::fs::check_link(&crate::fs::SiteRoot::new(root), &path).map_err(|d| vec![d])?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(CONFIG_FILE, "no site.yaml found in the site folder").help(
                    format!("run masthead in a site folder, pass `-s DIR`, or create one with `masthead init` (looked in `{}`)", root.display()),
                )]);
            }
            Err(err) => return Err(vec![Diagnostic::error(CONFIG_FILE, format!("cannot read the file: {err}"))]),
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).replace("\r\n", "\n");
        Self::parse(&text)
    }

    /// Parses and validates the text of a `site.yaml`.
    pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = front_matter::parse_all(text, 0).map_err(|errors| {
            let diagnostic = |e: front_matter::FrontMatterError| {
                let mut d = Diagnostic::error(CONFIG_FILE, e.message).with_line(e.line);
                d.col = e.col;
                d.help = e.help.map(|help| help.replace("to the front matter", "to site.yaml"));
                d
            };
            errors.into_iter().map(diagnostic).collect::<Vec<_>>()
        })?;
        let problems = config.validate(text);
        if problems.is_empty() { Ok(config) } else { Err(problems) }
    }

    fn validate(&self, text: &str) -> Vec<Diagnostic> {
        let at = |key: &str, msg: String| {
            Diagnostic::error(CONFIG_FILE, msg).with_place(front_matter::key_place(text, 0, key))
        };
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push(at("title", "`title` is empty".into()));
        }
        if let Err(msg) = BaseUrl::parse(&self.base_url) {
            out.push(at("base_url", msg).help("write a full address such as `https://news.example.com/`"));
        }
        if TimeZone::get(&self.timezone).is_err() {
            out.push(
                at("timezone", format!("unknown time zone `{}`", self.timezone))
                    .help("use an IANA name such as `Europe/Berlin` or `UTC`"),
            );
        }
        let probe = Date::constant(2023, 9, 5);
        if jiff::fmt::strtime::format(&self.date_format, probe).is_err() {
            out.push(
                at("date_format", format!("`{}` is not a valid date format", self.date_format))
                    .help("use strftime codes, e.g. `%B %d, %Y`"),
            );
        }
        if !(1..=100).contains(&self.images.quality) {
            out.push(
                at("images", format!("images.quality: {} is not between 1 and 100", self.images.quality))
                    .help("82 is a good JPEG quality for photos"),
            );
        }
        if self.images.max_pixels == 0 {
            out.push(
                at("images", "images.max_pixels: 0 would refuse every photo".into())
                    .help("leave it out for the default of 100000000 (100 million pixels)"),
            );
        }
        if self.images.widths.contains(&0) {
            out.push(
                at("images", "images.widths: a width of 0 pixels".into()).help("list widths such as [480, 960, 1600]"),
            );
        }
        if self.theme.is_empty() || self.theme.contains(['/', '\\']) || self.theme.starts_with('.') {
            out.push(at("theme", format!("`{}` is not a theme folder name", self.theme)));
        }
        for (key, pattern, needs_slug) in
            [("edition", &self.permalinks.edition, false), ("article", &self.permalinks.article, true)]
        {
            if let Err(msg) = permalinks::check_pattern(pattern, needs_slug) {
                out.push(at("permalinks", format!("permalinks.{key}: {msg}")));
            }
        }
        if let Some(msg) = self.search.language.as_deref().and_then(search::check_language) {
            out.push(
                at("search", format!("search.language: {msg}")).help("write a code such as `en`, `de` or `pt-br`"),
            );
        }
        if self.search.bundle_articles == 0 {
            out.push(
                at("search", "search.bundle_articles: a bundle must hold at least one article".into())
                    .help(format!("leave it out for the default of {}", search::DEFAULT_BUNDLE_ARTICLES)),
            );
        }
        out.extend(newsletter::check_config(&self.newsletter).into_iter().map(|m| {
            // `newsletter.unsubscribe: …` is reported at the `unsubscribe:` line.
            let key = m.strip_prefix("newsletter.").and_then(|rest| rest.split_once(':')).map(|(key, _)| key);
            let line = key.and_then(|key| nested_key_line(text, "newsletter", key));
            Diagnostic::error(CONFIG_FILE, m).with_line(line.or_else(|| front_matter::key_line(text, 0, "newsletter")))
        }));
        out.extend(deploy::check_config(&self.deploy).into_iter().map(|m| at("deploy", m)));
        out
    }

    /// The name of the publication ("Monitor Daily").
    pub(crate) fn publication(&self) -> &str {
        self.publication.as_deref().unwrap_or(&self.title)
    }

    /// The publication as a sentence names it: "the Monitor Daily", but
    /// "The Daily" for a name that has its own article.
    pub(crate) fn the_publication(&self) -> String {
        with_article(self.publication())
    }
}

/// `name` with "the " before it, unless it starts with "The " already (in
/// any case): "the Ledger", never "the The Daily".
pub(crate) fn with_article(name: &str) -> String {
    let has_article = name.get(..4).is_some_and(|head| head.eq_ignore_ascii_case("the "));
    if has_article { name.to_string() } else { format!("the {name}") }
}

/// The line of `key:` inside the top-level block `section:` of `text`
/// (1-based), if it is written there on a line of its own.
fn nested_key_line(text: &str, section: &str, key: &str) -> Option<usize> {
    let start = front_matter::key_line(text, 0, section)?;
    text.lines()
        .enumerate()
        .skip(start)
        .take_while(|(_, line)| line.is_empty() || line.starts_with([' ', '\t', '#']))
        .find(|(_, line)| line.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with(':')))
        .map(|(i, _)| i + 1)
}

/// A validated base URL: the absolute form (always ending in `/`) and its
/// path, which prefixes every internal link (`/` or `/daily/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    pub(crate) absolute: String,
    pub(crate) root: String,
}

impl BaseUrl {
    pub(crate) fn parse(url: &str) -> Result<BaseUrl, String> {
        if let Some(c) = url.chars().find(|c| !is_url_char(*c)) {
            return Err(format!(
                "`base_url` may not hold {}: `{}`",
                describe_char(c),
                crate::diagnostic::printable(url).replace('\n', "\\u{a}").replace('\t', "\\u{9}")
            ));
        }
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| format!("`base_url` must start with http:// or https://, found `{url}`"))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || host.contains([' ', '?', '#']) {
            return Err(format!("`base_url` has no valid host: `{url}`"));
        }
        if path.contains(['?', '#', ' ']) {
            return Err(format!("`base_url` may not hold a query, fragment or space: `{url}`"));
        }
        let path = path.trim_end_matches('/');
        let root = if path.is_empty() { "/".to_string() } else { format!("/{path}/") };
        let scheme = &url[..url.len() - rest.len()];
        Ok(BaseUrl { absolute: format!("{scheme}{host}{root}"), root })
    }

    /// Absolute URL of a root-relative path that already carries the prefix.
    pub(crate) fn absolute_of(&self, path_with_root: &str) -> String {
        format!("{}{path_with_root}", self.origin())
    }

    /// The scheme and host: `https://news.example.com` (no `/` at the end).
    pub(crate) fn origin(&self) -> &str {
        &self.absolute[..self.absolute.len() - self.root.len()]
    }
}

/// Whether `c` may appear in a URL written in `site.yaml`. Spaces, controls
/// and the characters that end an HTML attribute, a tag or a line of
/// `robots.txt` (`"`, `'`, `<`, `>`, `` ` ``, `\`, `{`, `}`, `|`, `^`) are
/// refused, so a URL can be written into any output as it is. Other
/// characters (non-ASCII letters of a path) are allowed.
pub(crate) fn is_url_char(c: char) -> bool {
    !c.is_control() && !c.is_whitespace() && !"\"'<>`\\{}|^".contains(c)
}

/// A character named for a message: ``the character `\u{1b}` ``, `a space`, `` `"` ``.
fn describe_char(c: char) -> String {
    if c == ' ' {
        "a space".to_string()
    } else if c.is_control() || c.is_whitespace() {
        format!("the character `{}`", c.escape_unicode())
    } else {
        format!("`{c}`")
    }
}

/// The schemes a URL from `site.yaml` may use: anything else
/// (`javascript:`, `data:`, `file:`, `vbscript:`) could run code or read
/// files when a reader clicks it.
pub(crate) const URL_SCHEMES: [&str; 3] = ["https:", "http:", "mailto:"];

/// The scheme of `url` (`javascript:`, lowercase), if it starts with one:
/// a letter, then letters, digits, `+`, `-` or `.`, then `:`.
pub(crate) fn url_scheme(url: &str) -> Option<String> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (starts && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then(|| format!("{}:", scheme.to_ascii_lowercase()))
}

/// Whether drafts are part of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drafts {
    Include,
    Exclude,
}

/// Whether editions dated after today are part of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Future {
    Include,
    Exclude,
}

/// Everything a build needs to know beyond `site.yaml`.
#[derive(Debug, Clone)]
pub(crate) struct BuildOptions {
    pub(crate) source: PathBuf,
    pub(crate) output: PathBuf,
    pub(crate) base_url: Option<String>,
    pub(crate) drafts: Drafts,
    pub(crate) future: Future,
    pub(crate) strict: bool,
    /// "Today" in the site's time zone; `None` means the real clock.
    pub(crate) clock: Option<jiff::civil::DateTime>,
    /// The process ends after this build, so the loaded site is left for the
    /// system to take back with the process instead of being freed piece by
    /// piece (a fifth of a second for 100,000 articles).
    pub(crate) exit_after: bool,
    /// How many bytes each of Markdown and rendered bodies a load holds as
    /// they are before it packs the rest (`packed::PLAIN_TEXT_BYTES`;
    /// tests set 0 to pack everything).
    pub(crate) plain_text_bytes: usize,
}

impl BuildOptions {
    /// Options for building the site in `source` with defaults.
    pub(crate) fn new(source: impl Into<PathBuf>) -> Self {
        let source = source.into();
        // `./public` reads better than `././public` in messages.
        let output = if source == Path::new(".") { PathBuf::from("public") } else { source.join("public") };
        BuildOptions {
            output,
            source,
            base_url: None,
            drafts: Drafts::Exclude,
            future: Future::Exclude,
            strict: false,
            clock: None,
            exit_after: false,
            plain_text_bytes: crate::packed::PLAIN_TEXT_BYTES,
        }
    }

    /// Today's date in the site's time zone (or the pretend clock).
    pub(crate) fn today(&self, config: &SiteConfig) -> Date {
        match self.clock {
            Some(dt) => dt.date(),
            None => {
                let tz = TimeZone::get(&config.timezone).unwrap_or(TimeZone::UTC);
                jiff::Timestamp::now().to_zoned_datetime(tz).date()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_root_paths() {
        let b = BaseUrl::parse("https://news.example.com").unwrap();
        assert_eq!((b.absolute.as_str(), b.root.as_str()), ("https://news.example.com/", "/"));
        let b = BaseUrl::parse("https://org.github.io/daily").unwrap();
        assert_eq!((b.absolute.as_str(), b.root.as_str()), ("https://org.github.io/daily/", "/daily/"));
        assert_eq!(b.absolute_of("/daily/2023/"), "https://org.github.io/daily/2023/");
        assert!(BaseUrl::parse("news.example.com").is_err());
        assert!(BaseUrl::parse("https:///x").is_err());
    }

    #[test]
    fn the_article_is_added_only_when_the_name_has_none() {
        assert_eq!(with_article("Ledger Daily"), "the Ledger Daily");
        assert_eq!(with_article("The Daily"), "The Daily");
        assert_eq!(with_article("THE DAILY"), "THE DAILY");
        assert_eq!(with_article("the daily"), "the daily");
        assert_eq!(with_article("Theatre Weekly"), "the Theatre Weekly");
        assert_eq!(with_article("The"), "the The");
        assert_eq!(with_article("Thé Noir"), "the Thé Noir");
    }

    #[test]
    fn defaults_apply() {
        let c = SiteConfig::parse("title: Ledger\nbase_url: https://x.org/\n").unwrap();
        assert_eq!(c.publication(), "Ledger");
        assert_eq!(c.the_publication(), "the Ledger");
        assert_eq!(c.date_format, "%B %d, %Y");
        assert_eq!(c.feeds.limit, 50);
        assert!(c.markdown.smart_punctuation);
        assert_eq!(c.images.widths, vec![480, 960, 1600]);
        assert_eq!(c.newsletter.unsubscribe, "{{unsubscribe}}");
    }

    #[test]
    fn unknown_key_has_line_and_suggestion() {
        let errs = SiteConfig::parse("titel: X\nbase_url: https://x.org/\n").unwrap_err();
        assert_eq!(errs[0].to_string(), "error: site.yaml:1:1: unknown key `titel`\n  help: did you mean `title`?");
        let errs =
            SiteConfig::parse("title: X\nbase_url: https://x.org/\npermalinks:\n  artcle: /:slug/\n").unwrap_err();
        assert!(errs[0].message.contains("unknown key `artcle`"), "{}", errs[0]);
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `article`?"));
    }

    #[test]
    fn newsletter_keys_are_validated_at_their_line() {
        let c = SiteConfig::parse("title: X\nbase_url: https://x.org/\nnewsletter:\n  from: desk@x.org\n").unwrap();
        assert_eq!((c.newsletter.from.as_str(), c.newsletter.enabled), ("desk@x.org", true));
        let errs = SiteConfig::parse("title: X\nbase_url: https://x.org/\nnewsletter:\n  from: desk\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            (errs[0].line, errs[0].message.as_str()),
            (Some(4), "newsletter.from: `desk` is not an email address")
        );
        let errs = SiteConfig::parse("title: X\nbase_url: https://x.org/\nnewsletter:\n  footr: Hi\n").unwrap_err();
        assert_eq!(errs[0].help.as_deref(), Some("did you mean `footer`?"));
    }

    #[test]
    fn urls_from_site_yaml_are_web_or_mail_links_without_markup() {
        let yaml = "title: X\nbase_url: https://x.org/\nnewsletter:\n  from: desk@x.org\n  unsubscribe: \"javascript:alert(1)\"\n";
        let errs = SiteConfig::parse(yaml).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, Some(5), "at the `unsubscribe:` line: {}", errs[0]);
        assert!(errs[0].message.contains("`javascript:`"), "{}", errs[0]);
        for bad in ["https://x.org/\"><script>", "https://x.org/\u{1b}[2J", "https://x.org/a b", "https://x.org/<"] {
            let err = BaseUrl::parse(bad).unwrap_err();
            assert!(!err.contains('\u{1b}'), "{err}");
        }
        for ok in ["https://x.org/", "http://127.0.0.1:1111/", "https://x.org/zeitung/über/", "https://x.org/a%20b/"] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(url_scheme("JavaScript:x").as_deref(), Some("javascript:"));
        assert_eq!(url_scheme("{{unsubscribe}}"), None);
        assert_eq!(url_scheme("*|UNSUB|*"), None);
    }

    #[test]
    fn validation_reports_every_problem() {
        let errs = SiteConfig::parse("title: X\nbase_url: ftp://x\ntimezone: Mars/Base\n").unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[1].line, Some(3));
        let errs = SiteConfig::parse("title: X\nbase_url: https://x.org/\nimages:\n  quality: 0\n").unwrap_err();
        assert!(errs[0].message.contains("images.quality"), "{}", errs[0]);
        assert_eq!(errs[0].line, Some(3));
    }
}

pub(crate) mod deploy;
pub(crate) mod newsletter;
pub(crate) mod permalinks;
#[cfg(test)]
mod props;
pub(crate) mod search;
