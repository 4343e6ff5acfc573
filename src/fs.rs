//! File-system helpers that put the path in every error, the one predicate
//! that decides which files belong to the site (shared by the build walk and
//! the watcher), and `safe_join`, which keeps every output inside its folder.
//! It also holds the one decision about symbolic links in the site (SPEC §9),
//! which every walk of the site's folders asks.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::diagnostic::Diagnostic;

pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("failed to write `{}`", path.display()))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("failed to create folder `{}`", path.display()))
}

pub(crate) fn remove_dir_all(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).with_context(|| format!("failed to remove `{}`", path.display()))
}

pub(crate) fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).with_context(|| format!("failed to rename `{}` to `{}`", from.display(), to.display()))
}

/// Creates `path` as a new file, never opening it through a link: whatever
/// is there first (a link someone planted, a stale file) is removed.
pub(crate) fn create_fresh(path: &Path) -> std::io::Result<std::fs::File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

/// `path` under `root` with `/` separators; `None` when `path` is not under
/// `root` or a name is not UTF-8 (masthead never writes one).
pub(crate) fn relative(root: &Path, path: &Path) -> Option<String> {
    let rest = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Whether a file or folder name is left out of the site: hidden names,
/// editor leftovers (`*~`, `*.swp`, `#*#`) and similar temporaries.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// A hash map with a fast hasher (ahash, seeded at random): for the load's
/// maps of paths and URLs, a hundred thousand keys and more.
pub type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

/// The hidden folder that `static/` publishes: `/.well-known/` is a
/// standard location (security.txt, ACME challenges, app links).
pub(crate) const WELL_KNOWN: &str = ".well-known";

/// Whether `path` (anywhere below the site folder) should be ignored: any of
/// its components relative to `root` is an ignored name, or it lies inside
/// the output folder. `.well-known` directly inside a `static` folder is not
/// ignored (SPEC §9).
pub(crate) fn is_ignored(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return true;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut previous = String::new();
    rel.components().any(|c| match c {
        Component::Normal(name) => {
            let name = name.to_string_lossy();
            let published = previous == "static" && name == WELL_KNOWN;
            let ignored = !published && is_ignored_name(&name);
            previous = name.into_owned();
            ignored
        }
        _ => false,
    })
}

/// What may be done with a symbolic link found in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkVerdict {
    /// Its target lies inside the site folder: it is followed.
    Inside,
    /// Its target lies outside the site folder: an error, never followed.
    Outside,
    /// It points to nothing, or into a loop: an error.
    Broken,
}

/// The rule of SPEC §9, for a link whose fully resolved target is `target`
/// (`None` when it cannot be resolved) in the site whose fully resolved
/// folder is `site`. Paths compare by components, so `/srv/site2` is not
/// inside `/srv/site`.
pub(crate) fn link_verdict(site: &Path, target: Option<&Path>) -> LinkVerdict {
    match target {
        None => LinkVerdict::Broken,
        Some(t) if t.is_absolute() && t.starts_with(site) => LinkVerdict::Inside,
        Some(_) => LinkVerdict::Outside,
    }
}

/// The site folder as given and fully resolved: what [`check_link`] needs.
#[derive(Debug, Clone)]
pub(crate) struct SiteRoot {
    pub(crate) path: PathBuf,
    pub(crate) real: PathBuf,
}

impl SiteRoot {
    pub(crate) fn new(path: &Path) -> SiteRoot {
        SiteRoot { path: path.to_path_buf(), real: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()) }
    }
}

/// `Ok` when `path` (in the site) is not a symbolic link, or is one that
/// may be followed; else the error naming the link and its target.
pub(crate) fn check_link(site: &SiteRoot, path: &Path) -> Result<(), Diagnostic> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let resolved = path.canonicalize().ok();
    let mut rel = display_rel(&site.path, path);
    if resolved.as_deref().is_some_and(Path::is_dir) {
        // `static/`: a folder, as the message should make plain.
        rel.push('/');
    }
    match link_verdict(&site.real, resolved.as_deref()) {
        LinkVerdict::Inside => Ok(()),
        LinkVerdict::Outside => Err(Diagnostic::error(
            &rel,
            format!(
                "this symbolic link points outside the site folder, to `{}`; masthead does not follow it",
                resolved.unwrap_or_default().display()
            ),
        )
        .help("copy the files into the site folder instead, or remove the link")),
        LinkVerdict::Broken => {
            let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
            Err(Diagnostic::error(&rel, format!("this symbolic link to `{target}` is broken or forms a loop"))
                .help("point it at a file inside the site folder, or remove it"))
        }
    }
}

/// Checks `rel` (relative to the site folder) and every folder on the way
/// to it, so that `themes/x/static` is refused when `themes` or `themes/x`
/// is a link out of the site.
pub(crate) fn check_links_on_way(site: &SiteRoot, rel: &Path) -> Result<(), Diagnostic> {
    let mut path = site.path.clone();
    for c in rel.components() {
        path.push(c);
        check_link(site, &path)?;
    }
    Ok(())
}

/// Joins an output-relative path (`2023/09/05/slug/index.html`, `/`
/// separated) onto the output folder, refusing anything that could leave
/// it: empty, `.` or `..` segments, backslashes, drive letters, NUL bytes.
pub fn safe_join(out: &Path, rel: &str) -> Result<PathBuf> {
    if rel.is_empty() {
        bail!("empty output path");
    }
    let mut path = out.to_path_buf();
    for segment in rel.split('/') {
        let bad = segment.is_empty() || segment == "." || segment == ".." || segment.contains(['\\', '\0', ':']);
        if bad {
            bail!("output path `{rel}` would leave the output folder");
        }
        path.push(segment);
    }
    Ok(path)
}

/// The longest file or folder name common file systems accept, in bytes.
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// Why `segment` cannot be one name (file or folder) of an output path that
/// content decides (slugs, aliases, tags, sections, authors, copied files),
/// if it cannot. `check` and `build` both ask this while loading, so a path
/// the file system would refuse is reported against its source, never as an
/// OS error at write time; and no content writes hidden files (SPEC §9).
pub(crate) fn segment_problem(segment: &str) -> Option<String> {
    // Most names are fine: the shortened name is made only for a message.
    let shown = || shorten(segment);
    if segment.is_empty() || segment == "." || segment == ".." {
        Some(format!("`{}` is not a name a path may hold", shown()))
    } else if segment.contains('\\') {
        Some(format!("`{}` holds a backslash (`\\`), which is not a path separator on the web", shown()))
    } else if segment.contains(['\0', ':']) || segment.chars().any(char::is_control) {
        Some(format!("`{}` holds a character (`:` or a control character) that file systems refuse", shown()))
    } else if segment.starts_with('.') {
        Some(format!("`{}` starts with `.`; content never publishes hidden files", shown()))
    } else if segment.len() > MAX_NAME_BYTES {
        Some(format!(
            "`{}` is {} bytes long; a file or folder name may be at most {MAX_NAME_BYTES} bytes",
            shown(),
            segment.len()
        ))
    } else {
        None
    }
}

/// The first problem of any segment of a `/`-separated output path.
pub(crate) fn path_problem(path: &str) -> Option<String> {
    path.split('/').find_map(segment_problem)
}

/// A long name cut to its start, for messages.
pub(crate) fn shorten(text: &str) -> String {
    const KEEP: usize = 40;
    let mut out: String = text
        .chars()
        .take(KEEP)
        .flat_map(|c| if c.is_control() { c.escape_unicode().collect::<Vec<_>>() } else { vec![c] })
        .collect();
    if text.chars().nth(KEEP).is_some() {
        out.push('…');
    }
    out
}

/// Copies the plain files and folders of `from` to `to`; symbolic links are
/// skipped, never followed.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from)?;
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).with_context(|| format!("failed to create `{}`", target.display()))?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("failed to copy to `{}`", target.display()))?;
        }
    }
    Ok(())
}

/// `path` relative to `root` with `/` separators, for messages and URLs.
pub(crate) fn display_rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// A file as the file system describes it: any change to its bytes (or a
/// new file in its place) changes one of these, even one that keeps its
/// size and modification time (restored by a tool, or the same tick of a
/// coarse clock): the change time and inode move too. The one stamp of the
/// build's records and of the preview's caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    pub(crate) len: u64,
    inode: u64,
    modified: i128,
    changed: i128,
}

impl std::fmt::Display for FileStamp {
    /// The four fields, space-separated, as [`FileStamp::parse`] reads them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let FileStamp { len, inode, modified, changed } = self;
        write!(f, "{len} {inode} {modified} {changed}")
    }
}

impl FileStamp {
    pub(crate) fn of(meta: &std::fs::Metadata) -> FileStamp {
        let ns = |t: std::io::Result<std::time::SystemTime>| {
            t.ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(-1, |d| d.as_nanos() as i128)
        };
        let (inode, changed) = unix_identity(meta);
        FileStamp { len: meta.len(), inode, modified: ns(meta.modified()), changed }
    }

    /// The stamp of the file at `path` (links followed); `None` when it is not there.
    pub(crate) fn at(path: &Path) -> Option<FileStamp> {
        std::fs::metadata(path).ok().map(|meta| FileStamp::of(&meta))
    }

    pub(crate) fn parse(fields: &[&str]) -> Option<FileStamp> {
        match fields {
            [len, inode, modified, changed] => Some(FileStamp {
                len: len.parse().ok()?,
                inode: inode.parse().ok()?,
                modified: modified.parse().ok()?,
                changed: changed.parse().ok()?,
            }),
            _ => None,
        }
    }
}

#[cfg(unix)]
fn unix_identity(meta: &std::fs::Metadata) -> (u64, i128) {
    use std::os::unix::fs::MetadataExt;
    (meta.ino(), i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()))
}

#[cfg(not(unix))]
fn unix_identity(_meta: &std::fs::Metadata) -> (u64, i128) {
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_accepts_plain_paths() {
        let out = Path::new("/srv/public");
        assert_eq!(safe_join(out, "2023/09/05/a/index.html").unwrap(), out.join("2023/09/05/a/index.html"));
        assert_eq!(safe_join(out, "index.html").unwrap(), out.join("index.html"));
    }

    #[test]
    fn safe_join_refuses_escapes() {
        let out = Path::new("/srv/public");
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "a\\..\\b", "c:/x", "a/./b", "a/\0/b", "a/"] {
            assert!(safe_join(out, bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn output_names_content_may_make() {
        let long = "a".repeat(MAX_NAME_BYTES);
        for ok in ["a", "index.html", "2023", "x.y.z", "caf\u{e9}", long.as_str(), "a-b_c~d"] {
            assert_eq!(segment_problem(ok), None, "{ok:?}");
        }
        let too_long = "a".repeat(MAX_NAME_BYTES + 1);
        let wide = "\u{e9}".repeat(128); // 256 bytes in 128 characters
        for (bad, why) in [
            ("", "not a name"),
            (".", "not a name"),
            ("..", "not a name"),
            ("a\\b.csv", "backslash"),
            ("x\\..\\y.csv", "backslash"),
            ("c:", "file systems refuse"),
            ("a\0b", "file systems refuse"),
            ("a\u{1b}b", "file systems refuse"),
            (".htaccess", "starts with `.`"),
            (".masthead-output", "starts with `.`"),
            (".well-known", "starts with `.`"),
            (too_long.as_str(), "256 bytes long"),
            (wide.as_str(), "256 bytes long"),
        ] {
            let problem = segment_problem(bad).unwrap_or_else(|| panic!("{bad:?} should be refused"));
            assert!(problem.contains(why), "{bad:?}: {problem}");
        }
        assert_eq!(path_problem("2023/09/05/a/index.html"), None);
        assert!(path_problem("a/.htaccess").is_some());
        assert!(path_problem(&format!("tags/{too_long}/index.html")).is_some());
        assert!(shorten(&too_long).ends_with('…') && shorten(&too_long).len() < 50);
        // Messages name the segment shortened, with its controls written out.
        let named = |bad: &str| segment_problem(bad).unwrap().split('`').nth(1).unwrap().to_string();
        assert_eq!(named(&too_long), shorten(&too_long));
        assert_eq!(named("a\u{1b}b"), "a\\u{1b}b");
    }

    #[test]
    fn links_are_followed_only_inside_the_site() {
        use LinkVerdict::*;
        let site = Path::new("/srv/site");
        for (target, want) in [
            (Some("/srv/site/content/a.md"), Inside),
            (Some("/srv/site/static"), Inside),
            (Some("/srv/site"), Inside),
            (Some("/etc"), Outside),
            (Some("/etc/shadow"), Outside),
            (Some("/srv/site2/static"), Outside),
            (Some("/srv"), Outside),
            (Some("/"), Outside),
            (Some("site/content"), Outside),
            (None, Broken),
        ] {
            assert_eq!(link_verdict(site, target.map(Path::new)), want, "{target:?}");
        }
    }

    #[test]
    fn check_link_names_the_link_and_its_target() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/a.css"), "a").unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("static/out")).unwrap();
        std::os::unix::fs::symlink(root.join("static/a.css"), root.join("static/in.css")).unwrap();
        std::os::unix::fs::symlink(root.join("nothing"), root.join("static/gone")).unwrap();
        let site = SiteRoot::new(&root);
        assert!(check_link(&site, &root.join("static/a.css")).is_ok());
        assert!(check_link(&site, &root.join("static/in.css")).is_ok());
        let out = check_link(&site, &root.join("static/out")).unwrap_err();
        assert_eq!(out.path, Path::new("static/out/"));
        assert!(out.message.contains(&tmp.path().canonicalize().unwrap().display().to_string()), "{out}");
        assert!(check_link(&site, &root.join("static/gone")).unwrap_err().message.contains("broken"));
        assert!(check_links_on_way(&site, Path::new("static/out/site")).is_err());
    }

    #[test]
    fn static_well_known_is_not_ignored() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        for p in ["static/.well-known/security.txt", "themes/t/static/.well-known/x"] {
            assert!(!is_ignored(root, out, &root.join(p)), "{p}");
        }
        for p in ["static/.htaccess", "content/.well-known/x", "static/a/.well-known/x", "static/.well-known/.x"] {
            assert!(is_ignored(root, out, &root.join(p)), "{p}");
        }
    }

    #[test]
    fn ignores_hidden_and_editor_files() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        for p in ["content/.git/x", "content/a.md~", "content/.a.md.swp", "content/#a.md#", "public/index.html"] {
            assert!(is_ignored(root, out, &root.join(p)), "{p}");
        }
        for p in ["content/2023-09-05/a.md", "static/css/x.css"] {
            assert!(!is_ignored(root, out, &root.join(p)), "{p}");
        }
    }
}
