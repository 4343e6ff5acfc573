//! The record of what a build left in the output, for `masthead deploy`:
//! every file's path, content hash (BLAKE3) and stamp, and when the build
//! started.
//!
//! Hashes cost the build nothing more than a pass over bytes it already
//! holds: a page is hashed from its rendered bytes, a copied file from the
//! bytes read to compare or copy it, and a page left unrendered keeps the
//! hash its manifest recorded (see `manifest`). Deploy then reads this
//! record and the file system's stamps, never the files, unless a stamp
//! shows a file changed since the build.
//!
//! Like the manifests, the record never sits in the output, which is
//! published: it is the file `.<name>.masthead-files` beside it, tied to the
//! output folder's identity, so a record left by a build killed after the
//! swap is not taken for the new site's.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use walkdir::WalkDir;

use super::manifest::{self, FileStamp};

/// The first line of a record: the format, the output folder's identity and
/// the time the build started (nanoseconds since 1970).
const HEADER: &str = "masthead-files 1";

/// What the build knows of one file it left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Recorded {
    pub(crate) hash: blake3::Hash,
    pub(crate) stamp: FileStamp,
}

impl Recorded {
    /// `<hash> <len> <inode> <modified> <changed>`.
    pub(super) fn to_fields(self) -> String {
        format!("{} {}", self.hash.to_hex(), self.stamp)
    }

    /// The fields of [`Recorded::to_fields`] followed by a path.
    pub(super) fn parse_fields(text: &str) -> Option<(String, Recorded)> {
        let mut fields = text.splitn(6, ' ');
        let hash = blake3::Hash::from_hex(fields.next()?).ok()?;
        let stamp: Vec<&str> = fields.by_ref().take(4).collect();
        let stamp = FileStamp::parse(&stamp)?;
        let path = fields.next()?;
        Some((path.to_string(), Recorded { hash, stamp }))
    }
}

/// A reader that hashes what passes through it.
pub(super) struct Hashing<R> {
    inner: R,
    hasher: blake3::Hasher,
}

impl<R: Read> Hashing<R> {
    pub(super) fn new(inner: R) -> Self {
        Hashing { inner, hasher: blake3::Hasher::new() }
    }

    pub(super) fn finish(&self) -> blake3::Hash {
        self.hasher.finalize()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Where the record of `output` is kept.
pub(crate) fn path_of(output: &Path) -> PathBuf {
    output.with_file_name(format!(".{}.masthead-files", super::staging::folder_name(output)))
}

/// Writes the record of `output`, built from a build started at `started`.
pub(super) fn write(output: &Path, started: SystemTime, files: &mut [(String, Recorded)]) -> Result<()> {
    let file = path_of(output);
    let identity = manifest::identity(output).unwrap_or_else(|| "-".into());
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let write = || -> std::io::Result<()> {
        // Whatever is there (a link someone planted) goes; the new file is
        // made, never opened through a link.
        let created = crate::fs::create_fresh(&file)?;
        let mut out = BufWriter::new(created);
        writeln!(out, "{HEADER} {identity} {}", nanos(started))?;
        for (path, recorded) in files.iter() {
            if !path.contains(['\n', '\r']) {
                writeln!(out, "{} {path}", recorded.to_fields())?;
            }
        }
        out.into_inner().map_err(|e| e.into_error())?.flush()
    };
    write().with_context(|| format!("failed to write `{}`", file.display()))
}

fn nanos(t: SystemTime) -> u128 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// One file of the last build, as deploy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "deploy"), allow(dead_code))]
pub(crate) struct BuiltFile {
    /// Relative to the output, with `/`.
    pub(crate) path: String,
    /// BLAKE3 of its bytes, in hex.
    pub(crate) hash: String,
    pub(crate) size: u64,
}

/// The output folder as its last build left it.
#[derive(Debug)]
#[cfg_attr(not(feature = "deploy"), allow(dead_code))]
pub(crate) struct BuiltSite {
    /// Sorted by path; masthead's marker is not one of them.
    pub(crate) files: Vec<BuiltFile>,
    /// When the build that wrote it started.
    pub(crate) built_at: SystemTime,
    /// Files whose stamp no longer matched the record (changed by hand
    /// since the build, or not in the record): these were read and hashed.
    pub(crate) rehashed: Vec<String>,
}

/// The files of `output` with their hashes, from the record of the build
/// that wrote it; `None` when there is no such record (no build, a build
/// by an older masthead, or a record of another folder). Every file is
/// looked at (its stamp), none read unless its stamp changed.
#[cfg_attr(not(feature = "deploy"), allow(dead_code))]
pub(crate) fn read_built(output: &Path) -> Result<Option<BuiltSite>> {
    let file = path_of(output);
    let plain = std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file());
    let Some(identity) = manifest::identity(output) else { return Ok(None) };
    if !plain {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&file).with_context(|| format!("failed to read `{}`", file.display()))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let Some(started) = header
        .strip_prefix(&format!("{HEADER} {identity} "))
        .and_then(|ns| ns.parse::<u64>().ok())
        .map(|ns| UNIX_EPOCH + Duration::from_nanos(ns))
    else {
        return Ok(None);
    };
    let recorded: HashMap<String, Recorded> = lines.filter_map(Recorded::parse_fields).collect();
    let mut site = BuiltSite { files: Vec::new(), built_at: started, rehashed: Vec::new() };
    for entry in WalkDir::new(output).min_depth(1).follow_links(false).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to read `{}`", output.display()))?;
        if !entry.file_type().is_file() || (entry.depth() == 1 && entry.file_name() == super::MARKER) {
            continue;
        }
        let Some(rel) = crate::fs::relative(output, entry.path()) else { continue };
        let meta = entry.metadata().with_context(|| format!("failed to read `{}`", entry.path().display()))?;
        let stamp = FileStamp::of(&meta);
        let hash = match recorded.get(&rel) {
            Some(r) if r.stamp == stamp => r.hash,
            _ => {
                site.rehashed.push(rel.clone());
                hash_file(entry.path())?
            }
        };
        site.files.push(BuiltFile { path: rel, hash: hash.to_hex().to_string(), size: meta.len() });
    }
    Ok(Some(site))
}

#[cfg_attr(not(feature = "deploy"), allow(dead_code))]
fn hash_file(path: &Path) -> Result<blake3::Hash> {
    let file = std::fs::File::open(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    let mut hashing = Hashing::new(file);
    std::io::copy(&mut hashing, &mut std::io::sink())
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    Ok(hashing.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_files_are_not_read_and_changed_ones_are() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join(super::super::MARKER), "m").unwrap();
        let mut files = Vec::new();
        for (rel, text) in [("a/index.html", "one"), ("b.css", "two")] {
            std::fs::write(out.join(rel), text).unwrap();
            let stamp = FileStamp::of(&std::fs::metadata(out.join(rel)).unwrap());
            // A hash that is not the bytes': the record is believed, not checked.
            files.push((rel.to_string(), Recorded { hash: blake3::hash(rel.as_bytes()), stamp }));
        }
        write(&out, SystemTime::now(), &mut files).unwrap();
        let site = read_built(&out).unwrap().unwrap();
        let paths: Vec<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a/index.html", "b.css"], "the marker is not a file of the site");
        assert_eq!(site.files[0].hash, blake3::hash(b"a/index.html").to_hex().as_str());
        assert!(site.rehashed.is_empty());

        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(out.join("b.css"), "by hand").unwrap();
        std::fs::write(out.join("new.txt"), "new").unwrap();
        let site = read_built(&out).unwrap().unwrap();
        assert_eq!(site.rehashed, ["b.css", "new.txt"]);
        assert_eq!(site.files[1].hash, blake3::hash(b"by hand").to_hex().as_str());
    }

    #[test]
    fn a_record_of_another_folder_is_no_record() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, other) = (tmp.path().join("public"), tmp.path().join("other"));
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        assert!(read_built(&out).unwrap().is_none(), "no record");
        write(&other, SystemTime::now(), &mut []).unwrap();
        std::fs::rename(path_of(&other), path_of(&out)).unwrap();
        assert!(read_built(&out).unwrap().is_none(), "the record of another folder");
    }
}
