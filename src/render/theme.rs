//! The only place Tera is built, from the templates [`ThemeFiles::read`]
//! gathered (this module reads no files).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tera::{Context, ErrorKind, Tera};

use super::inline::Inliner;
use crate::content::theme::{StaticFile, ThemeFiles};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Compiled templates and the static files of the active theme.
pub(crate) struct Theme {
    tera: Tera,
    /// Per template: a hash of its source and of every template it extends
    /// or includes, so a template edit re-renders only the pages using it.
    hashes: BTreeMap<String, u64>,
    /// Template name → where it was read from, for error messages.
    origins: BTreeMap<String, String>,
    pub(crate) static_files: Vec<StaticFile>,
    /// Warnings about the theme's files (hidden files left out of `static/`).
    pub(crate) notes: Diagnostics,
    /// Pages rendered through a template so far (for `--verbose` and tests).
    renders: AtomicUsize,
    /// Sets of every article's card built for its pages so far (for tests:
    /// one per renderer that renders listings, however many pages it renders).
    card_sets: AtomicUsize,
    /// The newsletter's CSS inliner, whose shapes last as long as the templates.
    inliner: Inliner,
}

impl Theme {
    /// Compiles the theme's templates, as [`ThemeFiles::read`] found them.
    pub(crate) fn compile(files: ThemeFiles) -> Result<Theme, Diagnostics> {
        let ThemeFiles { templates, static_files, notes: mut diags, theme_dir } = files;
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
        let sources: BTreeMap<&str, &str> = templates.iter().map(|(n, (_, t))| (n.as_str(), t.as_str())).collect();
        let hashes = sources.keys().map(|name| (name.to_string(), closure_hash(name, &sources))).collect();
        Ok(Theme {
            tera,
            hashes,
            origins,
            static_files,
            notes: diags,
            renders: AtomicUsize::new(0),
            card_sets: AtomicUsize::new(0),
            inliner: Inliner::default(),
        })
    }

    /// The hash of a template together with everything it pulls in.
    pub(crate) fn template_hash(&self, name: &str) -> u64 {
        self.hashes.get(name).copied().unwrap_or_default()
    }

    /// Renders a template, with errors naming the template file and line.
    pub(crate) fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.renders.fetch_add(1, Ordering::Relaxed);
        self.tera.render(name, ctx).map_err(|e| tera_error(&e, &self.origins))
    }

    /// How many pages this theme has rendered.
    pub(crate) fn renders(&self) -> usize {
        self.renders.load(Ordering::Relaxed)
    }

    /// Counts a set of article cards built (see [`Theme::card_sets`]).
    pub(crate) fn note_card_set(&self) {
        self.card_sets.fetch_add(1, Ordering::Relaxed);
    }

    /// How many sets of article cards were built to render with this theme.
    #[cfg(test)]
    pub(crate) fn card_sets(&self) -> usize {
        self.card_sets.load(Ordering::Relaxed)
    }

    /// Inlines the CSS of emails rendered with this theme's templates.
    pub(crate) fn inliner(&self) -> &Inliner {
        &self.inliner
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
    use std::path::Path;

    use super::*;
    use crate::config::SiteConfig;

    fn site_with(templates: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        for (name, text) in templates {
            std::fs::write(dir.path().join("templates").join(name), text).unwrap();
        }
        dir
    }

    fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Diagnostics> {
        Theme::compile(ThemeFiles::read(root, config)?)
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
        let before = load(dir.path(), &config()).unwrap();
        std::fs::write(
            dir.path().join("templates/base.html"),
            "{% block head %}{% endblock head %}{% block content %}{% endblock content %}changed",
        )
        .unwrap();
        let after = load(dir.path(), &config()).unwrap();
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
        let theme = load(dir.path(), &config).unwrap();
        assert_eq!(theme.origins["newsletter.html"], "<built-in daily theme>/newsletter.html");
        assert_eq!(theme.origins["newsletter.txt"], "<built-in daily theme>/newsletter.txt");
        assert!(!theme.origins.contains_key("base.html"), "only the newsletter templates are borrowed");
    }

    #[test]
    fn site_templates_override_builtin() {
        let dir = site_with(&[("404.html", "custom {{ page.title }}")]);
        let theme = load(dir.path(), &config()).unwrap();
        let mut ctx = Context::new();
        ctx.insert("page", &serde_json::json!({"title": "<x>"}));
        assert_eq!(theme.render("404.html", &ctx).unwrap(), "custom &lt;x&gt;");
    }

    #[test]
    fn broken_templates_name_file_and_line() {
        let dir = site_with(&[("404.html", "line one\n{% if %}\n"), ("index.html", "{{ ")]);
        let diags = load(dir.path(), &config()).unwrap_err();
        let text = diags.to_string();
        assert!(text.contains("templates/404.html:2:"), "{text}");
        assert!(text.contains("templates/index.html:1"), "{text}");
    }
}
