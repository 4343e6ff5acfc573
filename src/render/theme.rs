//! The only place Tera is built. Templates come from the built-in `daily`
//! theme, then the site's theme folder, then the site's `templates/`, each
//! overriding the one before by file name; static files likewise, with the
//! site's `static/` last.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs::{SiteRoot, WELL_KNOWN, check_link, check_links_on_way, display_rel, is_ignored_name};

macro_rules! builtin {
    ($($name:literal),* $(,)?) => { &[$(($name, include_str!(concat!("../../themes/daily/templates/", $name)))),*] };
}

/// The `daily` theme, compiled into the binary so any site builds without a
/// `themes/` folder. A unit test keeps this list equal to the folder.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = builtin!(
    "404.html",
    "archive.html",
    "article.html",
    "base.html",
    "edition.html",
    "index.html",
    "newsletter.html",
    "newsletter.txt",
    "partials/card.html",
    "partials/edition-banner.html",
    "partials/figure.html",
    "search.html",
    "taxonomy.html",
    "term.html",
);

pub const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("css/daily.css", include_bytes!("../../themes/daily/static/css/daily.css")),
    ("js/meter.js", include_bytes!("../../themes/daily/static/js/meter.js")),
    ("js/search.js", include_bytes!("../../themes/daily/static/js/search.js")),
];

/// Where a file of the theme comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Builtin(&'static [u8]),
    File(PathBuf),
}

/// A static file and the output path it is copied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticFile {
    pub output: String,
    pub source: Source,
}

/// Compiled templates and the static files of the active theme.
pub struct Theme {
    tera: Tera,
    /// Per template: a hash of its source and of every template it extends
    /// or includes, so a template edit re-renders only the pages using it.
    hashes: BTreeMap<String, u64>,
    /// Template name → where it was read from, for error messages.
    origins: BTreeMap<String, String>,
    pub static_files: Vec<StaticFile>,
    /// Warnings about the theme's files (hidden files left out of `static/`).
    pub notes: Diagnostics,
    /// Pages rendered through a template so far (for `--verbose` and tests).
    renders: AtomicUsize,
}

impl Theme {
    /// Loads the theme named in `site.yaml` with the site's overrides.
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut statics: BTreeMap<String, Source> = BTreeMap::new();
        let theme_dir = root.join("themes").join(&config.theme);
        if config.theme == "daily" || !theme_dir.is_dir() {
            if config.theme != "daily" {
                diags.push(
                    Diagnostic::error("site.yaml", format!("the theme `{}` was not found in `themes/`", config.theme))
                        .help("use `theme: daily` (built in) or add the theme folder"),
                );
                return Err(diags);
            }
            for (name, text) in BUILTIN_TEMPLATES {
                templates.insert(name.to_string(), (format!("<built-in daily theme>/{name}"), text.to_string()));
            }
            for (name, bytes) in BUILTIN_STATIC {
                statics.insert(name.to_string(), Source::Builtin(bytes));
            }
        }
        // The newsletter templates stand alone (no `base.html`), so a theme
        // without its own gets the built-in ones.
        for (name, text) in BUILTIN_TEMPLATES.iter().filter(|(n, _)| n.starts_with("newsletter.")) {
            templates
                .entry(name.to_string())
                .or_insert_with(|| (format!("<built-in daily theme>/{name}"), text.to_string()));
        }
        for dir in [theme_dir.join("templates"), root.join("templates")] {
            for (name, path) in files_under(&dir, Kind::Templates, &mut diags, root) {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        templates.insert(name, (display_rel(root, &path), text));
                    }
                    Err(e) => diags
                        .push(Diagnostic::error(display_rel(root, &path), format!("cannot read the template: {e}"))),
                }
            }
        }
        for dir in [theme_dir.join("static"), root.join("static")] {
            for (name, path) in files_under(&dir, Kind::Static, &mut diags, root) {
                statics.insert(name, Source::File(path));
            }
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        tera.set_escape_fn(escape_text);
        let origins: BTreeMap<String, String> = templates.iter().map(|(n, (o, _))| (n.clone(), o.clone())).collect();
        // All together, so `extends` and `include` find their targets. Tera
        // stops at the first broken template; only then is each parsed on
        // its own, so one run reports every broken template.
        if let Err(e) = tera.add_raw_templates(templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str()))) {
            let before = diags.0.len();
            for (name, (origin, text)) in &templates {
                match Tera::new().add_raw_template(name, text) {
                    Err(e) if matches!(e.kind(), ErrorKind::SyntaxError(_)) => {
                        diags.push(template_diagnostic(&e, origin))
                    }
                    _ => {}
                }
            }
            if diags.0.len() == before {
                diags.push(tera_error(&e, &origins));
            }
        }
        for required in
            ["index.html", "edition.html", "article.html", "404.html", "archive.html", "taxonomy.html", "term.html"]
        {
            if !origins.contains_key(required) {
                diags.push(Diagnostic::error(
                    theme_dir.join("templates").display().to_string(),
                    format!("the theme has no `{required}` template"),
                ));
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let static_files = statics.into_iter().map(|(output, source)| StaticFile { output, source }).collect();
        let sources: BTreeMap<&str, &str> = templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        let hashes = sources.keys().map(|name| (name.to_string(), closure_hash(name, &sources))).collect();
        Ok(Theme { tera, hashes, origins, static_files, notes: diags, renders: AtomicUsize::new(0) })
    }

    /// The hash of a template together with everything it pulls in.
    pub fn template_hash(&self, name: &str) -> u64 {
        self.hashes.get(name).copied().unwrap_or_default()
    }

    /// Renders a template, with errors naming the template file and line.
    pub fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.renders.fetch_add(1, Ordering::Relaxed);
        self.tera.render(name, ctx).map_err(|e| tera_error(&e, &self.origins))
    }

    /// How many pages this theme has rendered.
    pub fn renders(&self) -> usize {
        self.renders.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("templates", &self.origins).field("static_files", &self.static_files).finish()
    }
}

/// Names of the templates `source` extends or includes.
fn references(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for tag in source.split("{%").skip(1) {
        let tag = tag.trim_start_matches('-').trim_start();
        if let Some(rest) = tag.strip_prefix("extends").or_else(|| tag.strip_prefix("include")) {
            let rest = rest.trim_start();
            if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = rest[1..].find(quote) {
                    out.push(&rest[1..1 + end]);
                }
            }
        }
    }
    out
}

/// Hash of a template's source and, transitively, of what it references.
fn closure_hash(name: &str, sources: &BTreeMap<&str, &str>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![name];
    while let Some(n) = todo.pop() {
        if seen.insert(n) {
            if let Some(src) = sources.get(n) {
                todo.extend(references(src));
            }
        }
    }
    let mut hasher = crate::fingerprint::hasher();
    for n in seen {
        (n, sources.get(n)).hash(&mut hasher);
    }
    hasher.finish()
}

/// What a folder walked by [`files_under`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Templates,
    /// Published as it is: `.well-known/` included, other hidden files
    /// left out with a note.
    Static,
}

/// Files below `dir` (in the site `root`) by their `/`-separated name
/// relative to it. Symbolic links, `dir` itself and the folders above it
/// included, are followed only inside the site folder (SPEC §9); a link
/// out of it is an error.
fn files_under(dir: &Path, kind: Kind, diags: &mut Diagnostics, root: &Path) -> Vec<(String, PathBuf)> {
    let site = SiteRoot::new(root);
    if let Err(d) = check_links_on_way(&site, dir.strip_prefix(root).unwrap_or(dir)) {
        diags.push(d);
        return Vec::new();
    }
    if !dir.is_dir() {
        return Vec::new();
    }
    let refused = std::cell::RefCell::new(Vec::new());
    let keep = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        let published = kind == Kind::Static && e.depth() == 1 && name == WELL_KNOWN;
        if !published && is_ignored_name(&name) {
            if kind == Kind::Static && name.starts_with('.') {
                let note = Diagnostic::warning(
                    display_rel(root, e.path()),
                    "hidden files in `static/` are not published",
                )
                .help("only `static/.well-known/` is published as it is; rename the file if it belongs on the site");
                refused.borrow_mut().push(note);
            }
            return false;
        }
        if !e.path_is_symlink() {
            return true;
        }
        match check_link(&site, e.path()) {
            Ok(()) => true,
            Err(d) => {
                refused.borrow_mut().push(d);
                false
            }
        }
    };
    let mut out = Vec::new();
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || keep(e));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => out.push((display_rel(dir, e.path()), e.path().to_path_buf())),
            Ok(_) => {}
            // A link back to a folder the walk is in adds nothing: not followed.
            Err(err) if err.loop_ancestor().is_some() => {}
            Err(err) => match err.path().map(|p| check_link(&site, p)) {
                Some(Err(d)) => diags.push(d),
                _ => diags.push(Diagnostic::error(
                    display_rel(root, err.path().unwrap_or(dir)),
                    format!("cannot read: {err}"),
                )),
            },
        }
    }
    diags.extend(refused.into_inner());
    out
}

fn tera_error(e: &tera::Error, origins: &BTreeMap<String, String>) -> Diagnostic {
    let origin_of = |name: &str| origins.get(name).cloned().unwrap_or_else(|| name.to_string());
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let mut d = Diagnostic::at(
                origin_of(r.filename()),
                r.span().start_line,
                Some(r.span().start_col + 1),
                r.message().to_string(),
            );
            if let ErrorKind::SyntaxError(_) = e.kind() {
                d.message = format!("template syntax error: {}", d.message);
            }
            d
        }
        ErrorKind::MissingParent { current, parent } => {
            Diagnostic::error(origin_of(current), format!("extends `{parent}`, which does not exist"))
        }
        ErrorKind::TemplateNotFound(name) => {
            Diagnostic::error("<theme>", format!("the template `{name}` does not exist"))
        }
        _ => Diagnostic::error("<theme>", error_chain(e)),
    }
}

fn template_diagnostic(e: &tera::Error, origin: &str) -> Diagnostic {
    let mut d = tera_error(e, &BTreeMap::new());
    if matches!(e.kind(), ErrorKind::SyntaxError(_) | ErrorKind::RenderingError(_)) {
        d.path = origin.into();
    }
    d
}

/// The message with every cause, because Tera keeps details in `source()`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Tera's HTML escaping, after dropping the control characters HTML and XML
/// forbid (no entity can make them valid), so text from a wire copy or a
/// paste cannot make a page invalid.
fn escape_text(input: &str, buf: &mut dyn std::io::Write) -> std::io::Result<()> {
    tera::escape_html(&super::escape::strip_forbidden(input), buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_matches_the_theme_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/daily/templates");
        let mut diags = Diagnostics::new();
        let on_disk: Vec<String> =
            files_under(&dir, Kind::Templates, &mut diags, &dir).into_iter().map(|(n, _)| n).collect();
        let built_in: Vec<String> = BUILTIN_TEMPLATES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, built_in);
        let sdir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/daily/static");
        let on_disk: Vec<String> =
            files_under(&sdir, Kind::Static, &mut diags, &sdir).into_iter().map(|(n, _)| n).collect();
        let built_in: Vec<String> = BUILTIN_STATIC.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, built_in);
    }

    fn site_with(templates: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        for (name, text) in templates {
            std::fs::write(dir.path().join("templates").join(name), text).unwrap();
        }
        dir
    }

    fn config() -> SiteConfig {
        SiteConfig::parse("title: T\nbase_url: https://x.org/\n").unwrap()
    }

    #[test]
    fn finds_extends_and_includes() {
        let src = "{% extends \"base.html\" %}{%- include 'partials/a.html' -%}{{ x }}{% if y %}{% endif %}";
        assert_eq!(references(src), vec!["base.html", "partials/a.html"]);
    }

    #[test]
    fn template_hashes_follow_what_a_template_pulls_in() {
        let dir = site_with(&[("extra.html", "x")]);
        let before = Theme::load(dir.path(), &config()).unwrap();
        std::fs::write(
            dir.path().join("templates/base.html"),
            "{% block head %}{% endblock head %}{% block content %}{% endblock content %}changed",
        )
        .unwrap();
        let after = Theme::load(dir.path(), &config()).unwrap();
        assert_ne!(before.template_hash("article.html"), after.template_hash("article.html"));
        assert_eq!(before.template_hash("partials/figure.html"), after.template_hash("partials/figure.html"));
    }

    #[test]
    fn themes_without_newsletter_templates_get_the_builtin_ones() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("themes/plain/templates");
        std::fs::create_dir_all(&templates).unwrap();
        for name in
            ["index.html", "edition.html", "article.html", "404.html", "archive.html", "taxonomy.html", "term.html"]
        {
            std::fs::write(templates.join(name), "plain").unwrap();
        }
        let config = SiteConfig::parse("title: T\nbase_url: https://x.org/\ntheme: plain\n").unwrap();
        let theme = Theme::load(dir.path(), &config).unwrap();
        assert_eq!(theme.origins["newsletter.html"], "<built-in daily theme>/newsletter.html");
        assert_eq!(theme.origins["newsletter.txt"], "<built-in daily theme>/newsletter.txt");
        assert!(!theme.origins.contains_key("base.html"), "only the newsletter templates are borrowed");
    }

    #[test]
    fn site_templates_override_builtin() {
        let dir = site_with(&[("404.html", "custom {{ page.title }}")]);
        let theme = Theme::load(dir.path(), &config()).unwrap();
        let mut ctx = Context::new();
        ctx.insert("page", &serde_json::json!({"title": "<x>"}));
        assert_eq!(theme.render("404.html", &ctx).unwrap(), "custom &lt;x&gt;");
    }

    #[test]
    fn broken_templates_name_file_and_line() {
        let dir = site_with(&[("404.html", "line one\n{% if %}\n"), ("index.html", "{{ ")]);
        let diags = Theme::load(dir.path(), &config()).unwrap_err();
        let text = diags.to_string();
        assert!(text.contains("templates/404.html:2:"), "{text}");
        assert!(text.contains("templates/index.html:1"), "{text}");
    }
}
