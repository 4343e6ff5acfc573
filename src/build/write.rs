//! Writing a build's files into its staging folder.
//!
//! The staging folder is either new and empty, or *recycled*: the site from
//! the build before last, kept beside the output (see `Staging`). A recycled
//! folder is first [`prune`]d to the new site's paths; then a file whose bytes
//! are already there is left alone, and a changed one is rewritten in place.
//! Either way nothing is deleted and few inodes are made, which on most file
//! systems is the dearest part of writing a site, and unchanged pages keep
//! their modification time, so copying the site to a server sends only what
//! changed.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result};
use walkdir::WalkDir;

use super::manifest::FileStamp;
use super::record::{Hashing, Recorded};
use crate::fs;

/// Writes files under `root`, making folders as they are needed, and notes
/// the content hash and stamp of every file it leaves (see `record`).
pub(super) struct Writer<'a> {
    root: &'a Path,
    recycled: bool,
    unchanged: AtomicUsize,
    recorded: Mutex<Vec<(String, Recorded)>>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(root: &'a Path, recycled: bool) -> Self {
        Writer { root, recycled, unchanged: AtomicUsize::new(0), recorded: Mutex::default() }
    }

    /// Notes a file left as it was (a page not even rendered), with the hash
    /// and stamp the build that wrote it recorded.
    pub(super) fn keep(&self, rel: &str, recorded: Recorded) {
        self.note(rel, recorded);
    }

    fn note(&self, rel: &str, recorded: Recorded) {
        self.recorded.lock().unwrap_or_else(|e| e.into_inner()).push((rel.to_string(), recorded));
    }

    /// Notes each file of `rels` that nothing written, copied or kept has
    /// noted yet (files another step of the build left in place, such as the
    /// search index's unchanged bundles), hashing it from disk.
    pub(super) fn note_others(&self, rels: &[String]) -> Result<()> {
        let noted: std::collections::HashSet<String> =
            self.recorded.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(r, _)| r.clone()).collect();
        for rel in rels.iter().filter(|r| !noted.contains(*r)) {
            let path = fs::safe_join(self.root, rel)?;
            let read = |e| anyhow::Error::new(e).context(format!("failed to read `{}`", path.display()));
            let mut file = File::open(&path).map_err(read)?;
            let meta = file.metadata().map_err(read)?;
            let mut hashing = Hashing::new(&mut file);
            std::io::copy(&mut hashing, &mut std::io::sink()).map_err(read)?;
            self.note(rel, Recorded { hash: hashing.finish(), stamp: FileStamp::of(&meta) });
        }
        Ok(())
    }

    /// Every file written, copied or kept, with its hash and stamp.
    pub(super) fn into_recorded(self) -> Vec<(String, Recorded)> {
        self.recorded.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn root(&self) -> &Path {
        self.root
    }

    /// How many files already held the bytes they were to get.
    pub(super) fn unchanged(&self) -> usize {
        self.unchanged.load(Ordering::Relaxed)
    }

    /// Makes the folder `rel`, and its parents if they are missing.
    pub(super) fn folder(&self, rel: &str) -> Result<()> {
        let path = fs::safe_join(self.root, rel)?;
        match std::fs::create_dir(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => fs::create_dir_all(&path),
            Err(e) => Err(e).with_context(|| format!("failed to create folder `{}`", path.display())),
        }
    }

    /// Writes `bytes` to the file `rel`; says what the file holds and looks
    /// like after.
    pub(super) fn write(&self, rel: &str, bytes: &[u8]) -> Result<Recorded> {
        let path = fs::safe_join(self.root, rel)?;
        let hash = blake3::hash(bytes);
        let meta = match self.already_holds(&path, bytes.len() as u64, &mut &bytes[..])? {
            Some(meta) => meta,
            None => {
                let file = self.create(&path, |file| file.write_all(bytes))?;
                file.metadata().with_context(|| format!("failed to read `{}`", path.display()))?
            }
        };
        let recorded = Recorded { hash, stamp: FileStamp::of(&meta) };
        self.note(rel, recorded);
        Ok(recorded)
    }

    /// Copies the file `from` to `rel`. Its hash is taken from the bytes read
    /// for the comparison or the copy, never by reading it once more.
    pub(super) fn copy(&self, rel: &str, from: &Path) -> Result<()> {
        let path = fs::safe_join(self.root, rel)?;
        let read = |e| anyhow::Error::new(e).context(format!("failed to read `{}`", from.display()));
        let mut source = File::open(from).map_err(read)?;
        let len = source.metadata().map_err(read)?.len();
        let mut hashing = Hashing::new(&mut source);
        let (meta, hash) = match self.already_holds(&path, len, &mut hashing)? {
            Some(meta) => (meta, hashing.finish()),
            None => {
                source.rewind().map_err(read)?;
                let mut hashing = Hashing::new(&mut source);
                let file = self
                    .create(&path, |file| std::io::copy(&mut hashing, file).map(|_| ()))
                    .with_context(|| format!("failed to copy `{}`", from.display()))?;
                let meta = file.metadata().with_context(|| format!("failed to read `{}`", path.display()))?;
                (meta, hashing.finish())
            }
        };
        self.note(rel, Recorded { hash, stamp: FileStamp::of(&meta) });
        Ok(())
    }

    /// In a recycled folder: the metadata of the file at `path` if it already
    /// holds the `len` bytes that `content` reads (counted as unchanged).
    /// Anything there that is not a plain file of this folder alone (a
    /// folder, a link, a file with other hard links) is removed, so writing
    /// never reaches through it.
    fn already_holds(&self, path: &Path, len: u64, content: &mut impl Read) -> Result<Option<std::fs::Metadata>> {
        if !self.recycled {
            return Ok(None);
        }
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("failed to read `{}`", path.display())),
        };
        if meta.is_file() && single_link(&meta) {
            if meta.len() != len {
                return Ok(None);
            }
            if let Ok(mut file) = File::open(path) {
                let held = same(&mut file, content);
                if held {
                    self.unchanged.fetch_add(1, Ordering::Relaxed);
                }
                return Ok(held.then_some(meta));
            }
        }
        if meta.is_dir() {
            fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path).with_context(|| format!("failed to remove `{}`", path.display()))?;
        }
        Ok(None)
    }

    /// Creates the file at `path` and fills it, making its folder first if it
    /// is missing. In a recycled folder an existing file is overwritten from
    /// its start and then cut to its new length, not truncated first:
    /// truncating frees all its blocks and writing allocates them again,
    /// which where freed blocks are discarded at once (ext4 without a
    /// journal, mounted with `discard`) made rewriting a 100k site twice as
    /// slow as writing a new one.
    fn create(&self, path: &Path, fill: impl FnOnce(&mut File) -> std::io::Result<()>) -> Result<File> {
        let open = || OpenOptions::new().write(true).create(true).truncate(!self.recycled).open(path);
        let mut file = match open() {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent)?;
                }
                open()
            }
            other => other,
        }
        .with_context(|| format!("failed to write `{}`", path.display()))?;
        let filled = fill(&mut file).and_then(|()| {
            if self.recycled {
                // Cut off what is left of longer old contents.
                let end = file.stream_position()?;
                file.set_len(end)?;
            }
            Ok(())
        });
        filled.with_context(|| format!("failed to write `{}`", path.display()))?;
        Ok(file)
    }
}

#[cfg(unix)]
fn single_link(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) == 1
}

#[cfg(not(unix))]
fn single_link(_meta: &std::fs::Metadata) -> bool {
    true
}

/// Whether two readers give the same bytes.
fn same(a: &mut impl Read, b: &mut impl Read) -> bool {
    let (mut x, mut y) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = match a.read(&mut x) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return b.read(&mut y[..1]).is_ok_and(|m| m == 0);
        }
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
    }
}

/// Removes from a recycled folder everything the new site does not have:
/// files not in `files`, folders not in `folders`, and every symbolic link
/// or other special file. Returns how many entries were removed.
pub(super) fn prune(root: &Path, files: &HashSet<&str>, folders: &HashSet<&str>) -> Result<usize> {
    let mut removed = 0;
    let mut walk = WalkDir::new(root).min_depth(1).follow_links(false).into_iter();
    while let Some(entry) = walk.next() {
        let entry = entry.with_context(|| format!("failed to read `{}`", root.display()))?;
        let path = entry.path();
        let rel = fs::relative(root, path);
        let kind = entry.file_type();
        if kind.is_dir() {
            if !rel.as_deref().is_some_and(|r| folders.contains(r)) {
                fs::remove_dir_all(path)?;
                walk.skip_current_dir();
                removed += 1;
            }
        } else if !(kind.is_file() && rel.as_deref().is_some_and(|r| files.contains(r))) {
            std::fs::remove_file(path).with_context(|| format!("failed to remove `{}`", path.display()))?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set<'a>(items: &[&'a str]) -> HashSet<&'a str> {
        items.iter().copied().collect()
    }

    #[test]
    fn prune_keeps_only_the_new_sites_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for (path, text) in
            [("a/b/index.html", "x"), ("a/gone.html", "y"), ("old/x/index.html", "z"), ("keep.xml", "k")]
        {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let removed = prune(root, &set(&["a/b/index.html", "keep.xml"]), &set(&["a", "a/b"])).unwrap();
        assert_eq!(removed, 2);
        let mut left: Vec<String> = WalkDir::new(root)
            .min_depth(1)
            .into_iter()
            .map(|e| fs::relative(root, e.unwrap().path()).unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["a", "a/b", "a/b/index.html", "keep.xml"]);
    }

    #[cfg(unix)]
    #[test]
    fn prune_removes_links_and_never_follows_them() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("index.html"), "mine").unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("a")).unwrap();
        prune(&root, &set(&["a/index.html"]), &set(&["a"])).unwrap();
        assert!(!root.join("a").exists());
        assert_eq!(std::fs::read_to_string(outside.join("index.html")).unwrap(), "mine");
    }

    #[test]
    fn unchanged_files_are_left_alone_and_changed_ones_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let writer = Writer::new(root, true);
        writer.write("x/y/page.html", b"one").unwrap();
        let before = std::fs::metadata(root.join("x/y/page.html")).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        writer.write("x/y/page.html", b"one").unwrap();
        assert_eq!(writer.unchanged(), 1);
        assert_eq!(std::fs::metadata(root.join("x/y/page.html")).unwrap().modified().unwrap(), before);
        for text in ["two", "longer text", "on"] {
            writer.write("x/y/page.html", text.as_bytes()).unwrap();
            assert_eq!(std::fs::read_to_string(root.join("x/y/page.html")).unwrap(), text);
        }
        assert_eq!(writer.unchanged(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("page.html"), "old").unwrap();
        std::fs::hard_link(root.join("page.html"), tmp.path().join("backup.html")).unwrap();
        Writer::new(&root, true).write("page.html", b"new").unwrap();
        assert_eq!(std::fs::read_to_string(root.join("page.html")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(tmp.path().join("backup.html")).unwrap(), "old");
    }

    #[test]
    fn copies_compare_with_what_is_there() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("photo.jpg");
        std::fs::write(&source, vec![7u8; 200_000]).unwrap();
        let root = tmp.path().join("site");
        let writer = Writer::new(&root, true);
        writer.copy("p/photo.jpg", &source).unwrap();
        writer.copy("p/photo.jpg", &source).unwrap();
        assert_eq!(writer.unchanged(), 1);
        std::fs::write(&source, vec![8u8; 200_000]).unwrap();
        writer.copy("p/photo.jpg", &source).unwrap();
        assert_eq!(std::fs::read(root.join("p/photo.jpg")).unwrap(), vec![8u8; 200_000]);
    }
}
