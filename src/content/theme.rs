//! The files of a site's theme, read from disk: templates come from the
//! built-in `daily` theme, then the site's theme folder, then the site's
//! `templates/`, each overriding the one before by file name; static files
//! likewise, with the site's `static/` last. `render::Theme` compiles them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs::{SiteRoot, WELL_KNOWN, check_link, check_links_on_way, display_rel, is_ignored_name};

macro_rules! builtin {
    ($($name:literal),* $(,)?) => { &[$(($name, include_str!(concat!("../../themes/daily/templates/", $name)))),*] };
}

/// The `daily` theme, compiled into the binary so any site builds without a
/// `themes/` folder. A unit test keeps this list equal to the folder.
pub(crate) const BUILTIN_TEMPLATES: &[(&str, &str)] = builtin!(
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

pub(crate) const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("css/daily.css", include_bytes!("../../themes/daily/static/css/daily.css")),
    ("js/meter.js", include_bytes!("../../themes/daily/static/js/meter.js")),
    ("js/search.js", include_bytes!("../../themes/daily/static/js/search.js")),
];

/// Where a file of the theme comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Builtin(&'static [u8]),
    File(PathBuf),
}

/// A static file and the output path it is copied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StaticFile {
    pub(crate) output: String,
    pub(crate) source: Source,
}

/// A theme's templates and static files as found on disk, not yet compiled.
#[derive(Debug)]
pub(crate) struct ThemeFiles {
    /// Template name → (where it was read from, its source).
    pub(crate) templates: BTreeMap<String, (String, String)>,
    pub(crate) static_files: Vec<StaticFile>,
    /// What reading found: warnings (hidden files left out of `static/`) and
    /// errors (unreadable files, links out of the site), reported with the
    /// compiler's.
    pub(crate) notes: Diagnostics,
    /// `themes/<name>/` of the site.
    pub(crate) theme_dir: PathBuf,
}

impl ThemeFiles {
    /// Reads the theme named in `site.yaml` with the site's overrides.
    pub(crate) fn read(root: &Path, config: &SiteConfig) -> Result<ThemeFiles, Diagnostics> {
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
        let static_files = statics.into_iter().map(|(output, source)| StaticFile { output, source }).collect();
        Ok(ThemeFiles { templates, static_files, notes: diags, theme_dir })
    }
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
}
