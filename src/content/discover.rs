//! Finds the files of `content/` in a stable order: articles, edition notes
//! (`_edition.md`) and the other files that are copied beside pages. Hidden
//! files, editor leftovers and the output folder are skipped by the same
//! predicate the watcher uses.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use crate::fs::{FileStamp, SiteRoot, check_link, check_links_on_way, display_rel, is_ignored};

pub(crate) const CONTENT_DIR: &str = "content";
pub(crate) const EDITION_FILE: &str = "_edition.md";

/// What a file under `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Article,
    EditionNote,
    Asset,
}

/// One file under `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub kind: SourceKind,
    pub path: PathBuf,
    /// Relative to the site folder, `/`-separated: `content/2023-09-05/a.md`.
    pub site_rel: String,
    /// Relative to `content/`: `2023-09-05/a.md`.
    pub content_rel: String,
}

/// The kind of a file, from its name alone.
pub(crate) fn classify_name(name: &str) -> SourceKind {
    if name == EDITION_FILE {
        SourceKind::EditionNote
    } else if name.ends_with(".md") {
        SourceKind::Article
    } else {
        SourceKind::Asset
    }
}

/// Walks `content/` in file-name order. A missing folder is an empty site.
///
/// The top level is read first; its folders (an edition each, usually) are
/// then walked in parallel, and their findings joined in the order one walk
/// of the whole tree gives.
pub fn discover(root: &Path, output: &Path) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let site = SiteRoot::new(root);
    // `content/` itself may be a link: out of the site, nothing under it is read.
    if let Err(d) = check_links_on_way(&site, Path::new(CONTENT_DIR)) {
        return (Vec::new(), vec![d]);
    }
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return (Vec::new(), Vec::new());
    }
    let finder = Finder { root, output, content: &content, site, refused: Mutex::default() };
    let parts: Vec<Part> = finder
        .walk(&content, 1)
        .filter(|entry| !matches!(entry, Ok(e) if e.depth() == 0))
        .map(|entry| match entry {
            Ok(e) if e.file_type().is_dir() => Part::Folder(e.into_path()),
            other => Part::Entry(other),
        })
        .collect();
    let found: Vec<Found> = parts
        .into_par_iter()
        .map(|part| {
            let mut found = Found::default();
            match part {
                Part::Entry(entry) => finder.visit(entry, &mut found),
                Part::Folder(dir) => finder.walk(&dir, usize::MAX).for_each(|entry| finder.visit(entry, &mut found)),
            }
            found
        })
        .collect();
    let mut all = Found::default();
    for f in found {
        all.files.extend(f.files);
        all.problems.extend(f.problems);
    }
    all.problems.extend(finder.refused.into_inner().unwrap_or_default());
    (all.files, all.problems)
}

/// A top-level entry of `content/`: a folder to walk, or anything else.
enum Part {
    Folder(PathBuf),
    Entry(walkdir::Result<walkdir::DirEntry>),
}

#[derive(Default)]
struct Found {
    files: Vec<SourceFile>,
    problems: Vec<Diagnostic>,
}

struct Finder<'a> {
    root: &'a Path,
    output: &'a Path,
    content: &'a Path,
    site: SiteRoot,
    /// Links the walk did not follow (out of the site, broken), found by
    /// the walks of all folders.
    refused: Mutex<Vec<Diagnostic>>,
}

impl Finder<'_> {
    /// `dir` and what is under it down to `max_depth`, in file-name order,
    /// without what the build ignores. Symbolic links are followed only
    /// inside the site folder (SPEC §9); the others are recorded in
    /// `refused` and neither read nor entered.
    fn walk(&self, dir: &Path, max_depth: usize) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> + '_ {
        WalkDir::new(dir).max_depth(max_depth).sort_by_file_name().follow_links(true).into_iter().filter_entry(|e| {
            if e.depth() == 0 || is_ignored(self.root, self.output, e.path()) {
                return e.depth() == 0;
            }
            // Only links need the check: walkdir already knows which entries are.
            if !e.path_is_symlink() {
                return true;
            }
            match check_link(&self.site, e.path()) {
                Ok(()) => true,
                Err(d) => {
                    self.refused.lock().unwrap_or_else(|e| e.into_inner()).push(d);
                    false
                }
            }
        })
    }

    /// Records one entry of the walk: a source file, or a problem with it.
    fn visit(&self, entry: walkdir::Result<walkdir::DirEntry>, found: &mut Found) {
        let root = self.root;
        let entry = match entry {
            Ok(entry) => entry,
            // A link back to a folder the walk is in adds nothing: not followed.
            Err(err) if err.loop_ancestor().is_some() => return,
            Err(err) => {
                // A link whose target is missing (or a loop) is an error about the link.
                if let Some(Err(d)) = err.path().map(|p| check_link(&self.site, p)) {
                    found.problems.push(d);
                    return;
                }
                // A folder removed between being listed and being read is simply
                // gone: a preview rebuild may start in the middle of an `rm -r`.
                if err.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                    return;
                }
                let path = err.path().map(|p| display_rel(root, p)).unwrap_or_else(|| CONTENT_DIR.into());
                found.problems.push(Diagnostic::error(path, format!("cannot read this folder entry: {err}")));
                return;
            }
        };
        let path = entry.path();
        let site_rel = display_rel(root, path);
        // Links were checked by the walk, which follows those that stay in
        // the site: the entry describes the link's target.
        let is_file = entry.file_type().is_file();
        if !is_file {
            return;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            found.problems.push(
                Diagnostic::error(&site_rel, "the file name is not valid UTF-8")
                    .help("rename the file using UTF-8 characters"),
            );
            return;
        };
        let content_rel = display_rel(self.content, path);
        let Some(raw) = path.strip_prefix(self.content).ok().and_then(Path::to_str) else {
            found.problems.push(
                Diagnostic::error(&site_rel, "the path has characters masthead cannot publish").help("rename the file"),
            );
            return;
        };
        // The name as it is: `display_rel` writes `\` as `/`, and a file
        // named `a\b.csv` must not be published as `a/b.csv`.
        let kind = classify_name(name);
        let problem = match kind {
            // Copied files keep their path in the output.
            SourceKind::Asset => crate::fs::path_problem(raw),
            // Articles are published under their slug; a backslash is still
            // refused, as on every system that reads it as a separator.
            _ => raw.split('/').find_map(|s| crate::fs::segment_problem(s).filter(|_| s.contains('\\'))),
        };
        if let Some(problem) = problem {
            found.problems.push(
                Diagnostic::error(format!("{CONTENT_DIR}/{raw}"), format!("this file cannot be published: {problem}"))
                    .help("rename the file (letters, digits, `-`, `_` and `.` are safe everywhere)"),
            );
            return;
        }
        found.files.push(SourceFile { kind, path: path.to_path_buf(), site_rel, content_rel });
    }
}

/// The largest Markdown file masthead reads. The longest newspaper stories
/// are a few hundred kilobytes; past this size a file is almost certainly a
/// paste gone wrong. Parsing costs up to about 100 bytes of memory for each
/// byte of Markdown (pulldown-cmark keeps a node for every quote marker or
/// emphasis delimiter), so 8 MB bounds one file to under a gigabyte.
pub(crate) const MAX_TEXT_BYTES: u64 = 8 * 1024 * 1024;

/// Reads an article or edition note as UTF-8 text, refusing files over
/// [`MAX_TEXT_BYTES`]. The file may have changed or gone since discovery;
/// that is an error about the file like any other.
pub fn read_source(file: &SourceFile) -> Result<String, Diagnostic> {
    match read_source_stamped(file)? {
        Source::Read(text, _) => Ok(text),
        Source::Gone(why) => Err(why),
    }
}

/// A source file as [`read_source_stamped`] found it.
pub(crate) enum Source {
    /// Its text, and its stamp as it was when read.
    Read(String, FileStamp),
    /// Removed since its folder was listed (a preview rebuild may start in
    /// the middle of an `rm -r`): why it could not be read, for a caller
    /// that needs the file.
    Gone(Diagnostic),
}

/// [`read_source`], with the file's stamp as it was when read: taken from
/// the open file, so a load asks the system about each file once; and a
/// file no longer there told apart from one that cannot be read.
pub(crate) fn read_source_stamped(file: &SourceFile) -> Result<Source, Diagnostic> {
    use std::io::Read as _;
    let cannot_read = |e: std::io::Error| Diagnostic::error(&file.site_rel, format!("cannot read the file: {e}"));
    let mut opened = match std::fs::File::open(&file.path) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Source::Gone(cannot_read(e))),
        Err(e) => return Err(cannot_read(e)),
    };
    let stamp = FileStamp::of(&opened.metadata().map_err(cannot_read)?);
    let too_large = |size: u64| {
        Diagnostic::error(
            &file.site_rel,
            format!(
                "the file is {:.1} MB; masthead reads Markdown files of up to {} MB",
                size as f64 / 1_048_576.0,
                MAX_TEXT_BYTES / 1_048_576
            ),
        )
        .help("split it into several articles, or move large data (pasted images, tables) into files beside it")
    };
    if stamp.len > MAX_TEXT_BYTES {
        return Err(too_large(stamp.len));
    }
    // A file that grows while it is read is read no further than the limit.
    let mut bytes = Vec::with_capacity(stamp.len as usize + 1);
    opened.by_ref().take(MAX_TEXT_BYTES + 1).read_to_end(&mut bytes).map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_TEXT_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        // `before` is valid UTF-8 up to the first bad byte: count its characters on the line.
        let on_line = &before[before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..];
        let col = std::str::from_utf8(on_line).map_or(on_line.len(), |t| t.chars().count()) + 1;
        Diagnostic::error(&file.site_rel, "the file is not valid UTF-8 text")
            .with_place(Some((line, col)))
            .help("save the file as UTF-8")
    })?;
    Ok(Source::Read(text, stamp))
}

/// The date named by the nearest ancestor folder of a content-relative path
/// (`2023-09-05/world/a.md` → 2023-09-05), and that folder's content path.
pub(crate) fn folder_date(content_rel: &str) -> Option<(jiff::civil::Date, String)> {
    let parts: Vec<&str> = content_rel.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    (0..dirs.len()).rev().find_map(|i| parse_folder_date(dirs[i]).map(|d| (d, dirs[..=i].join("/"))))
}

/// `2023-09-05` → a date; anything else (including `2023-02-30`) → None.
pub(crate) fn parse_folder_date(name: &str) -> Option<jiff::civil::Date> {
    let b = name.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && name.bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_names() {
        assert_eq!(classify_name("_edition.md"), SourceKind::EditionNote);
        assert_eq!(classify_name("a.md"), SourceKind::Article);
        assert_eq!(classify_name("a.jpg"), SourceKind::Asset);
    }

    #[test]
    fn finds_nearest_dated_folder() {
        let (d, dir) = folder_date("2023-09-05/world/a.md").unwrap();
        assert_eq!((d.to_string(), dir.as_str()), ("2023-09-05".to_string(), "2023-09-05"));
        let (d, dir) = folder_date("2023/2023-09-05/a.md").unwrap();
        assert_eq!((d.to_string(), dir.as_str()), ("2023-09-05".to_string(), "2023/2023-09-05"));
        assert!(folder_date("misc/a.md").is_none());
        assert!(folder_date("2023-09-05.md").is_none());
    }

    #[test]
    fn walks_folders_in_parallel_in_the_order_of_one_walk() {
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join(CONTENT_DIR);
        for rel in [
            "2023-09-06/b.md",
            "2023-09-05/world/z.md",
            "2023-09-05/a.md",
            "2023-09-05/_edition.md",
            "2023-09-05/world/deeper/y.jpg",
            "about.txt",
            "0-first.md",
            "2023-09-05/.hidden.md",
            ".drafts/c.md",
            "2023-09-07/",
        ] {
            let path = content.join(rel);
            std::fs::create_dir_all(if rel.ends_with('/') { &path } else { path.parent().unwrap() }).unwrap();
            if !rel.ends_with('/') {
                std::fs::write(&path, "x").unwrap();
            }
        }
        let (files, problems) = discover(site.path(), &site.path().join("public"));
        assert!(problems.is_empty());
        let one_walk: Vec<String> = WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| display_rel(&content, e.path()))
            .collect();
        let found: Vec<&str> = files.iter().map(|f| f.content_rel.as_str()).collect();
        assert_eq!(
            found,
            [
                "0-first.md",
                "2023-09-05/_edition.md",
                "2023-09-05/a.md",
                "2023-09-05/world/deeper/y.jpg",
                "2023-09-05/world/z.md",
                "2023-09-06/b.md",
                "about.txt"
            ]
        );
        assert_eq!(found, one_walk);
        assert_eq!(files[1].kind, SourceKind::EditionNote);
        assert_eq!(files[1].site_rel, "content/2023-09-05/_edition.md");
    }

    #[test]
    fn a_folder_gone_before_it_is_walked_is_skipped() {
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join(CONTENT_DIR);
        let finder = Finder {
            root: site.path(),
            output: &site.path().join("public"),
            content: &content,
            site: SiteRoot::new(site.path()),
            refused: Mutex::default(),
        };
        let mut found = Found::default();
        finder.walk(&content.join("2023-09-05"), usize::MAX).for_each(|entry| finder.visit(entry, &mut found));
        assert!(found.files.is_empty());
        assert!(found.problems.is_empty(), "{:?}", found.problems);
    }

    #[test]
    fn folder_dates_must_be_real() {
        assert!(parse_folder_date("2023-02-29").is_none());
        assert!(parse_folder_date("2024-02-29").is_some());
        assert!(parse_folder_date("2023-9-5").is_none());
        assert!(parse_folder_date("notadate!!").is_none());
    }
}
