//! The only importer of notify. Watches the site's inputs, coalesces bursts
//! of events (an editor's save, a `git checkout` of 500 files) into one
//! batch, and classifies each path with the pure [`classify`], which uses
//! the same ignore rules as the build's walk. Deletions are kept: a path
//! that no longer exists is still a change.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context as _, Result};
use notify::event::{ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::fs::is_ignored;

/// What kind of input changed; decides how much a rebuild reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    /// `site.yaml`: everything is reloaded.
    Config,
    /// A template or the theme's description: templates are reloaded.
    Template,
    /// A file of `static/` or of the theme's `static/`.
    Static,
    /// Anything under `content/`.
    Content,
}

/// Classifies one changed path of the site in `root` (output folder
/// `output`, theme `theme`); `None` for paths that do not matter.
pub(crate) fn classify(root: &Path, output: &Path, theme: &str, path: &Path) -> Option<Change> {
    if is_ignored(root, output, path) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let first = parts.next()?;
    match first.as_ref() {
        "site.yaml" if rel.components().count() == 1 => Some(Change::Config),
        "content" => Some(Change::Content),
        "templates" => Some(Change::Template),
        "static" => Some(Change::Static),
        "themes" => {
            // `themes/` itself appearing: its folder is watched from now on.
            let Some(name) = parts.next() else { return Some(Change::Template) };
            if name != theme {
                return None;
            }
            match parts.next().as_deref() {
                Some("static") => Some(Change::Static),
                _ => Some(Change::Template),
            }
        }
        _ => None,
    }
}

/// A batch of classified changes, with the paths (relative to the site
/// folder) for the terminal line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) kinds: BTreeSet<Change>,
    pub(crate) paths: Vec<PathBuf>,
    /// Events may have been lost (the system's queue overflowed): `paths`
    /// may be incomplete, so everything must be looked at again.
    pub(crate) rescan: bool,
}

/// Watches a site's inputs.
pub(crate) struct SiteWatcher {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    root: PathBuf,
    output: PathBuf,
    theme: String,
    watched: BTreeSet<PathBuf>,
}

/// Quiet time before a change is reported; also how long a batch stays open.
const QUIET: Duration = Duration::from_millis(40);

/// Quiet time once every changed file has been closed by its writer: the
/// save is complete, so only events of the same moment are waited for.
const SETTLED: Duration = Duration::from_millis(2);

/// Where a path's latest event leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Being written: more is likely to follow.
    Writing,
    /// Complete: closed after writing, renamed into place, removed.
    Settled,
    /// Not a change (a read, or our own rebuild opening the file).
    Ignored,
}

/// What an event says about the paths it names (pure, table-tested).
pub(crate) fn progress(kind: &EventKind) -> Progress {
    use notify::event::{AccessKind, AccessMode, CreateKind};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Progress::Settled,
        EventKind::Access(_) => Progress::Ignored,
        EventKind::Create(CreateKind::Folder) | EventKind::Remove(_) => Progress::Settled,
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both | RenameMode::From)) => Progress::Settled,
        EventKind::Modify(ModifyKind::Metadata(_)) => Progress::Settled,
        _ => Progress::Writing,
    }
}

impl SiteWatcher {
    pub(crate) fn new(root: &Path, output: &Path, theme: &str) -> Result<SiteWatcher> {
        // Events carry absolute paths; compare them with absolute ones.
        let root = &root.canonicalize().with_context(|| format!("cannot find `{}`", root.display()))?;
        let output = &std::env::current_dir().map(|cwd| cwd.join(output)).unwrap_or_else(|_| output.to_path_buf());
        let (tx, events) = channel();
        // Links are not followed: one to a folder outside the site (which the
        // build refuses) would have notify walk that tree and watch every
        // folder in it (`/usr`: 16,700 watches).
        let config = notify::Config::default().with_follow_symlinks(false);
        let inner = RecommendedWatcher::new(tx, config).context("cannot start watching files")?;
        let mut watcher = SiteWatcher {
            watcher: inner,
            events,
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            theme: theme.to_string(),
            watched: BTreeSet::new(),
        };
        watcher.watcher.watch(root, RecursiveMode::NonRecursive).context("cannot watch the site folder")?;
        watcher.watch_inputs();
        Ok(watcher)
    }

    /// Follows the theme `site.yaml` names now: its folder's changes count
    /// from here on, the old theme's no longer.
    pub(crate) fn set_theme(&mut self, theme: &str) {
        if self.theme != theme {
            self.theme = theme.to_string();
            self.watch_inputs();
        }
    }

    /// Starts watching input folders that exist now (they may be created
    /// later). All of `themes/` is watched, so a theme folder created after
    /// start, or one `site.yaml` switches to, is seen; `classify` keeps
    /// only the current theme's paths.
    fn watch_inputs(&mut self) {
        let themes = self.root.join("themes");
        for dir in [self.root.join("content"), self.root.join("templates"), self.root.join("static"), themes] {
            if dir.is_dir() && !self.watched.contains(&dir) {
                if self.watcher.watch(&dir, RecursiveMode::Recursive).is_ok() {
                    self.watched.insert(dir);
                }
            } else if !dir.is_dir() && self.watched.remove(&dir) {
                let _ = self.watcher.unwatch(&dir);
            }
        }
    }

    /// Watches the folders that arrived in this batch before it is returned,
    /// and names every file in them. notify adds its watch on a new folder
    /// only after passing the folder's event on, and a file written inside
    /// before that has no event of its own (a tool writes an edition's files
    /// microseconds after making its folder). Once the watch is here, a file
    /// written later has its event, and one written earlier is listed now.
    fn adopt(&mut self, arrived: Vec<PathBuf>, batch: &mut Batch) {
        for folder in arrived {
            // Returns once the watch is in place; the folder may be gone already.
            let _ = self.watcher.watch(&folder, RecursiveMode::Recursive);
            let files = walkdir::WalkDir::new(&folder)
                .follow_links(false)
                .min_depth(1)
                .into_iter()
                .filter_entry(|e| !is_ignored(&self.root, &self.output, e.path()))
                .flatten()
                .filter(|e| !e.file_type().is_dir());
            for entry in files {
                if let Some(kind) = classify(&self.root, &self.output, &self.theme, entry.path()) {
                    batch.kinds.insert(kind);
                    batch.paths.push(entry.path().strip_prefix(&self.root).unwrap_or(entry.path()).to_path_buf());
                }
            }
        }
    }

    /// Blocks until some input changed, then returns everything that changed
    /// until the events pause for [`QUIET`] (this is the debounce), or for
    /// just [`SETTLED`] once every file written has been closed. With
    /// `wait`, an empty batch once nothing changed for that long. `None`
    /// when watching has stopped.
    pub(crate) fn next_batch(&mut self, wait: Option<Duration>) -> Option<Batch> {
        let mut batch = Batch::default();
        // Paths whose writer has not closed them yet.
        let mut writing: BTreeSet<PathBuf> = BTreeSet::new();
        // Folders created or moved in: see `adopt`.
        let mut arrived: Vec<PathBuf> = Vec::new();
        loop {
            let received = if batch.kinds.is_empty() {
                match wait {
                    Some(wait) => self.events.recv_timeout(wait),
                    None => self.events.recv().map_err(|_| RecvTimeoutError::Disconnected),
                }
            } else {
                self.events.recv_timeout(if writing.is_empty() { SETTLED } else { QUIET })
            };
            match received {
                Ok(Ok(event)) => {
                    let progress = progress(&event.kind);
                    if event.need_rescan() {
                        batch.rescan = true;
                        batch.kinds.insert(Change::Content);
                    }
                    if progress == Progress::Ignored {
                        continue;
                    }
                    let moved_in = matches!(
                        event.kind,
                        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
                    );
                    for path in event.paths {
                        if let Some(kind) = classify(&self.root, &self.output, &self.theme, &path) {
                            // Not through a link: a linked folder is the build's to judge.
                            if moved_in && path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
                                arrived.push(path.clone());
                            }
                            match progress {
                                Progress::Writing => writing.insert(path.clone()),
                                _ => writing.remove(&path),
                            };
                            batch.kinds.insert(kind);
                            batch.paths.push(path.strip_prefix(&self.root).map(Path::to_path_buf).unwrap_or(path));
                        }
                    }
                }
                // A watcher error may mean lost events.
                Ok(Err(_)) => {
                    batch.rescan = true;
                    batch.kinds.insert(Change::Content);
                }
                // Nothing changed within `wait`: nothing to look at.
                Err(RecvTimeoutError::Timeout) if batch.kinds.is_empty() => return Some(batch),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        // A new `content/`, `templates/` or `themes/` folder is watched from now on.
        self.watch_inputs();
        self.adopt(arrived, &mut batch);
        batch.paths.sort();
        batch.paths.dedup();
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_site_paths() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let c = |p: &str| classify(root, out, "daily", &root.join(p));
        assert_eq!(c("site.yaml"), Some(Change::Config));
        assert_eq!(c("content/2023-09-05/a.md"), Some(Change::Content));
        assert_eq!(c("content/2023-09-05"), Some(Change::Content));
        assert_eq!(c("content/2023-09-05/photo.jpg"), Some(Change::Content));
        assert_eq!(c("templates/article.html"), Some(Change::Template));
        assert_eq!(c("static/css/site.css"), Some(Change::Static));
        assert_eq!(c("themes/daily/templates/base.html"), Some(Change::Template));
        assert_eq!(c("themes/daily/theme.yaml"), Some(Change::Template));
        assert_eq!(c("themes/daily/static/css/daily.css"), Some(Change::Static));
        assert_eq!(c("themes/other/templates/base.html"), None);
        assert_eq!(c("themes"), Some(Change::Template), "a new themes/ folder is watched");
        assert_eq!(c("public/index.html"), None);
        assert_eq!(c("README.md"), None);
        assert_eq!(c("content/2023-09-05/.a.md.swp"), None);
        assert_eq!(c("content/2023-09-05/a.md~"), None);
        assert_eq!(c("content/2023-09-05/#a.md#"), None);
        assert_eq!(c("content/.git/index"), None);
        assert_eq!(c("sub/site.yaml"), None);
    }

    /// Every path the batches name until the inputs are quiet for a while.
    fn named_until_quiet(watcher: &mut SiteWatcher) -> BTreeSet<PathBuf> {
        let mut named = BTreeSet::new();
        while let Some(batch) = watcher.next_batch(Some(Duration::from_millis(60))) {
            if batch.kinds.is_empty() {
                break;
            }
            named.extend(batch.paths);
        }
        named
    }

    // Regression: notify watches a new folder only after passing its event on, so
    // a file written right after its folder was made had no event (about 4 in 5
    // here); when the rebuild had already looked into the folder, the file was
    // not seen until something else changed.
    #[test]
    fn files_written_into_a_new_folder_at_once_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("content")).unwrap();
        let mut watcher = SiteWatcher::new(&root, &root.join("public"), "daily").unwrap();
        for day in 1..=30 {
            let folder = format!("content/2026-01-{day:02}");
            std::fs::create_dir(root.join(&folder)).unwrap();
            std::fs::write(root.join(&folder).join("a.md"), "---\ntitle: A\n---\nText.\n").unwrap();
            std::fs::create_dir(root.join(&folder).join("photos")).unwrap();
            std::fs::write(root.join(&folder).join("photos/b.jpg"), "jpeg").unwrap();
            let named = named_until_quiet(&mut watcher);
            for file in ["a.md", "photos/b.jpg"] {
                let rel = PathBuf::from(&folder).join(file);
                assert!(named.contains(&rel), "{} not named: {named:?}", rel.display());
            }
        }
        // A folder staged under an ignored name and moved into place.
        std::fs::create_dir(root.join("content/.staging")).unwrap();
        std::fs::write(root.join("content/.staging/c.md"), "---\ntitle: C\n---\n").unwrap();
        std::fs::write(root.join("content/.staging/c.md~"), "backup").unwrap();
        std::fs::rename(root.join("content/.staging"), root.join("content/2026-02-01")).unwrap();
        let named = named_until_quiet(&mut watcher);
        assert!(named.contains(Path::new("content/2026-02-01/c.md")), "{named:?}");
        assert!(!named.iter().any(|p| p.ends_with("c.md~")), "an ignored file is not named: {named:?}");
    }

    // Regression: notify followed links, so a link in `content/` to a folder
    // outside the site had every folder under it watched, and a change there
    // rebuilt the site.
    #[cfg(unix)]
    #[test]
    fn a_link_to_a_folder_outside_the_site_is_not_watched_through() {
        let (dir, outside) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(outside.path().join("deep/er")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("content/elsewhere")).unwrap();
        let mut watcher = SiteWatcher::new(&root, &root.join("public"), "daily").unwrap();
        std::fs::write(outside.path().join("deep/er/a.md"), "---\ntitle: A\n---\n").unwrap();
        std::fs::write(outside.path().join("b.md"), "---\ntitle: B\n---\n").unwrap();
        assert_eq!(named_until_quiet(&mut watcher), BTreeSet::new());
        // The site's own files still are.
        std::fs::write(root.join("content/c.md"), "---\ntitle: C\n---\n").unwrap();
        assert!(named_until_quiet(&mut watcher).contains(Path::new("content/c.md")));
    }

    #[test]
    fn a_save_is_settled_once_closed_renamed_or_removed() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode};
        let cases = [
            (EventKind::Create(CreateKind::File), Progress::Writing),
            (EventKind::Modify(ModifyKind::Data(DataChange::Any)), Progress::Writing),
            (EventKind::Modify(ModifyKind::Any), Progress::Writing),
            (EventKind::Access(AccessKind::Close(AccessMode::Write)), Progress::Settled),
            (EventKind::Modify(ModifyKind::Name(RenameMode::To)), Progress::Settled),
            (EventKind::Remove(RemoveKind::File), Progress::Settled),
            (EventKind::Create(CreateKind::Folder), Progress::Settled),
            (EventKind::Access(AccessKind::Close(AccessMode::Read)), Progress::Ignored),
            (EventKind::Access(AccessKind::Open(AccessMode::Any)), Progress::Ignored),
        ];
        for (kind, expected) in cases {
            assert_eq!(progress(&kind), expected, "{kind:?}");
        }
    }
}
