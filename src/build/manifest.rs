//! What a build remembers of the pages it wrote, so that the build which
//! later recycles the same folder renders only the pages whose inputs
//! changed.
//!
//! For every page: the fingerprint of what its bytes depend on (template,
//! context; see `Renderer::render_unless`), the content hash of its bytes
//! (for the output's record, see `record`, which a page left unrendered
//! keeps without being read) and the stamp of the file it wrote (length, inode, modification and change times). A page is skipped
//! only when both still match: an edit of the file by hand, a copy over it
//! or a failed build in between changes the stamp, and the page is rendered
//! again. A manifest read for the wrong folder, or by another masthead
//! binary, matches nothing, so the worst a lost or stale manifest does is
//! cost a full render.
//!
//! Manifests never sit in the output, which is published, nor anywhere else
//! outside masthead's own folders: they are kept in the spare, in the file
//! [`FILE`], which holds the spare's own manifest and the output's. A build
//! takes the file out of the spare it recycles and, once the new site is in
//! place, writes the next one into the site it replaced (the new spare).
//! Each manifest is named after its folder's device and inode, which stay
//! the same when the folder is renamed into place or aside.

use std::collections::HashMap;
use std::fs::Metadata;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context as _, Result};

/// The first line of a manifest: the format, then the binary's key.
const HEADER: &str = "masthead-pages 2";

pub(super) use crate::fs::FileStamp;

/// One page of a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub(crate) fingerprint: u64,
    pub(crate) recorded: super::record::Recorded,
}

/// The pages of one output folder, by output path.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    pages: HashMap<String, Entry>,
}

impl Manifest {
    /// Whether `rel` under `root` is still the file a page with `fingerprint`
    /// was written to: the same inputs, and the file untouched since.
    pub(super) fn holds(&self, root: &Path, rel: &str, fingerprint: u64) -> Option<Entry> {
        let entry = self.pages.get(rel).filter(|e| e.fingerprint == fingerprint)?;
        let meta = std::fs::symlink_metadata(crate::fs::safe_join(root, rel).ok()?).ok()?;
        (meta.is_file() && FileStamp::of(&meta) == entry.recorded.stamp).then_some(*entry)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.pages.len()
    }
}

/// The manifests of one build: what the folder it recycles holds, and what
/// it writes into the site it replaces (the next spare) once in place.
pub(super) struct Memory {
    /// The binary's key; `None`: nothing is kept.
    key: Option<String>,
    /// The identity of the staging folder, under which its pages are kept.
    staging: Option<String>,
    /// What the recycled staging folder holds.
    pub(super) known: Manifest,
    /// The manifest of the output, which becomes the spare's own.
    carried: Option<(String, Manifest)>,
}

impl Memory {
    /// Takes the manifests out of the staging folder `dir` (when it is a
    /// recycled spare) for a build into `output`; with `reuse` off, none.
    pub(super) fn open(dir: &Path, recycled: bool, output: &Path, reuse: bool) -> Memory {
        let key = if reuse { binary_key() } else { None };
        let (staging, output) = (identity(dir), identity(output));
        let mut manifests = match &key {
            Some(key) if recycled => take(dir, key),
            _ => HashMap::new(),
        };
        let known = staging.as_ref().and_then(|id| manifests.remove(id)).unwrap_or_default();
        let carried = output.and_then(|id| manifests.remove(&id).map(|m| (id, m)));
        Memory { key, staging, known, carried }
    }

    /// Writes the manifests into `spare`, the site the build replaced: that
    /// of the new site (`pages`) and that of the spare itself. Without them
    /// the build after next renders every page, as a first build does: no
    /// reason to fail this one.
    pub(super) fn keep<'a>(&self, spare: &Path, pages: impl Iterator<Item = (&'a str, Entry)>) {
        if let (Some(key), Some(id)) = (&self.key, &self.staging) {
            let carried = self.carried.as_ref().map(|(id, m)| (id.as_str(), m));
            let _ = write(spare, key, (id, pages), carried);
        }
    }
}

/// The name of the file in the spare.
pub(super) const FILE: &str = ".masthead-pages";

/// Takes the manifests out of `spare` (the file is removed: it must not
/// reach the output, and a build that fails half way leaves none behind).
/// Those written by another binary than `key`'s are dropped.
pub(super) fn take(spare: &Path, key: &str) -> HashMap<String, Manifest> {
    let file = spare.join(FILE);
    // Only a plain file is read (not a link to who knows what).
    let plain = std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file());
    let text = if plain { std::fs::read_to_string(&file).unwrap_or_default() } else { String::new() };
    let _ = std::fs::remove_file(&file);
    let mut lines = text.lines();
    if lines.next() != Some(&format!("{HEADER} {key}")) {
        return HashMap::new();
    }
    let mut manifests: HashMap<String, Manifest> = HashMap::new();
    let mut current = None;
    for line in lines {
        if let Some(folder) = line.strip_prefix("folder ") {
            current = Some(manifests.entry(folder.to_string()).or_default());
        } else if let (Some(m), Some((path, entry))) = (current.as_deref_mut(), parse_line(line)) {
            m.pages.insert(path, entry);
        }
    }
    manifests
}

/// Writes into `spare` the manifest of the folder `built` (its identity and
/// its pages) and, if known, the manifest `carried` of the spare itself.
pub(super) fn write<'a>(
    spare: &Path,
    key: &str,
    built: (&str, impl Iterator<Item = (&'a str, Entry)>),
    carried: Option<(&str, &Manifest)>,
) -> Result<()> {
    let file = spare.join(FILE);
    let write = || -> std::io::Result<()> {
        // Whatever is there (a link someone planted) goes; the new file is
        // made, never opened through a link.
        let created = crate::fs::create_fresh(&file)?;
        let mut out = BufWriter::new(created);
        writeln!(out, "{HEADER} {key}")?;
        write_section(&mut out, built.0, built.1)?;
        if let Some((folder, manifest)) = carried {
            write_section(&mut out, folder, manifest.pages.iter().map(|(p, e)| (p.as_str(), *e)))?;
        }
        out.into_inner().map_err(|e| e.into_error())?.flush()
    };
    write().with_context(|| format!("failed to write `{}`", file.display()))
}

fn write_section<'a>(
    out: &mut impl Write,
    folder: &str,
    pages: impl Iterator<Item = (&'a str, Entry)>,
) -> std::io::Result<()> {
    writeln!(out, "folder {folder}")?;
    for (path, Entry { fingerprint, recorded }) in pages {
        if !path.contains(['\n', '\r']) && !path.starts_with("folder ") {
            writeln!(out, "{fingerprint:016x} {} {path}", recorded.to_fields())?;
        }
    }
    Ok(())
}

fn parse_line(line: &str) -> Option<(String, Entry)> {
    let (fingerprint, rest) = line.split_once(' ')?;
    let fingerprint = u64::from_str_radix(fingerprint, 16).ok()?;
    let (path, recorded) = super::record::Recorded::parse_fields(rest)?;
    Some((path, Entry { fingerprint, recorded }))
}

/// A folder's device and inode, which its manifest is filed under; `None`
/// where there are none (then nothing is kept).
pub(super) fn identity(folder: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(folder).ok().filter(Metadata::is_dir)?;
    folder_identity(&meta)
}

#[cfg(unix)]
fn folder_identity(meta: &Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    Some(format!("{:x}-{:x}", meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn folder_identity(_meta: &Metadata) -> Option<String> {
    None
}

/// What ties a manifest to the binary that wrote it (see
/// [`crate::fingerprint::binary_key`]).
pub(super) fn binary_key() -> Option<String> {
    crate::fingerprint::binary_key()
}

#[cfg(test)]
mod tests {
    use super::super::record::Recorded;
    use super::*;

    fn stamp_of(path: &Path) -> FileStamp {
        FileStamp::of(&std::fs::symlink_metadata(path).unwrap())
    }

    #[test]
    fn a_manifest_holds_pages_whose_file_and_fingerprint_are_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let (site, spare) = (tmp.path().join("site"), tmp.path().join("spare"));
        std::fs::create_dir_all(site.join("a b")).unwrap();
        std::fs::create_dir_all(&spare).unwrap();
        for rel in ["a b/index.html", "x.html", "y.html"] {
            std::fs::write(site.join(rel), rel).unwrap();
        }
        let entry = |rel: &'static str, fingerprint| {
            let recorded = Recorded { hash: blake3::hash(rel.as_bytes()), stamp: stamp_of(&site.join(rel)) };
            (rel, Entry { fingerprint, recorded })
        };
        let pages = [entry("a b/index.html", 1), entry("x.html", 2), entry("y.html", 3)];
        let (id_site, id_spare) = (identity(&site).unwrap(), identity(&spare).unwrap());
        write(&spare, "k1", (&id_site, pages.into_iter()), None).unwrap();

        // Carried over by the next build, into the other folder.
        let mut taken = take(&spare, "k1");
        assert!(!spare.join(FILE).exists(), "taking the file removes it");
        let manifest = taken.remove(&id_site).unwrap();
        assert_eq!(manifest.len(), 3);
        write(&site, "k1", (&id_spare, std::iter::empty()), Some((&id_site, &manifest))).unwrap();

        // Moved under another name: still the same folder.
        let moved = tmp.path().join("public");
        std::fs::rename(&site, &moved).unwrap();
        let mut taken = take(&moved, "k1");
        assert_eq!(taken.len(), 2);
        let manifest = taken.remove(&identity(&moved).unwrap()).unwrap();
        let held = manifest.holds(&moved, "a b/index.html", 1).unwrap();
        assert_eq!(held.recorded.hash, blake3::hash(b"a b/index.html"), "the hash is kept");
        assert!(manifest.holds(&moved, "x.html", 9).is_none(), "another fingerprint");
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(moved.join("y.html"), "y.htmX").unwrap();
        assert!(manifest.holds(&moved, "y.html", 3).is_none(), "a file changed by hand, same length");
        assert!(manifest.holds(&moved, "new.html", 3).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_file_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let (spare, outside) = (tmp.path().join("spare"), tmp.path().join("mine.txt"));
        std::fs::create_dir_all(&spare).unwrap();
        std::fs::write(&outside, "mine").unwrap();
        std::os::unix::fs::symlink(&outside, spare.join(FILE)).unwrap();
        assert!(take(&spare, "k").is_empty(), "a link is not read, only removed");
        assert!(!spare.join(FILE).exists() && outside.exists());
        std::os::unix::fs::symlink(&outside, spare.join(FILE)).unwrap();
        write(&spare, "k", ("1-2", std::iter::empty()), None).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine");
        assert!(std::fs::symlink_metadata(spare.join(FILE)).unwrap().is_file());
    }

    #[test]
    fn another_binarys_manifests_are_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "k1", ("1-2", std::iter::empty()), None).unwrap();
        assert!(take(tmp.path(), "k2").is_empty());
        assert!(take(tmp.path(), "k1").is_empty(), "the file is gone either way");
    }

    #[test]
    fn a_damaged_line_is_ignored() {
        let hash = blake3::hash(b"x").to_hex();
        assert!(parse_line(&format!("zz {hash} 1 2 3 4 a.html")).is_none());
        assert!(parse_line(&format!("00000000000000ff {hash} 1 2 3")).is_none());
        assert!(parse_line("00000000000000ff 1 2 3 4 a.html").is_none(), "a line of the format before hashes");
        let (path, entry) = parse_line(&format!("00000000000000ff {hash} 1 2 3 4 with space/index.html")).unwrap();
        assert_eq!((path.as_str(), entry.fingerprint), ("with space/index.html", 255));
    }
}
