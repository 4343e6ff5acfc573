//! Bringing a build's `pagefind/` folder up to date: each bundle is kept
//! (the staging folder already holds it), copied from the site being
//! replaced, or indexed anew from the article pages as the build renders
//! them, whichever its digest allows.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

use super::{BUNDLES_FILE, FOLDER, Partition, SHARED, bundles_json, digest, index_bundle, read_bundles, shared_files};
use crate::content::Site;

/// What one build did to the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Published {
    /// Bundles in the index.
    pub(crate) bundles: usize,
    /// Bundles indexed anew (the others were kept or copied).
    pub(crate) indexed: usize,
    /// Articles those bundles hold.
    pub(crate) articles_indexed: usize,
    /// Files written (or found holding their bytes) for the index: the
    /// indexed bundles', the shared ones and the list; kept and copied
    /// bundles' files are not counted.
    pub(crate) files: usize,
}

/// The index of one build: which bundles must be indexed anew. The others
/// are already in the staging folder when [`plan`] returns.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) language: String,
    parts: Vec<Partition>,
    digests: Vec<String>,
    stale: Vec<bool>,
    written: std::sync::atomic::AtomicUsize,
}

impl Plan {
    /// The partitions to index, oldest first.
    pub(crate) fn to_index(&self) -> impl Iterator<Item = &Partition> {
        self.parts.iter().zip(&self.stale).filter(|(_, stale)| **stale).map(|(p, _)| p)
    }
}

/// Readies `staging/pagefind/` for `site`: removes what the new index does
/// not hold, keeps each bundle whose digest is unchanged, copies one from
/// `previous` (the site being replaced) when its digest there matches, and
/// says which bundles are left to index. `key` ties digests to this binary
/// (`None`: everything is indexed); `fingerprint` gives an article page's.
pub(crate) fn plan(
    site: &Site,
    staging: &Path,
    previous: Option<&Path>,
    key: Option<&str>,
    fingerprint: &(dyn Fn(usize, usize) -> u64 + Sync),
) -> anyhow::Result<Plan> {
    let language = super::language(site);
    let parts = super::partitions(site);
    let root = staging.join(FOLDER);
    let digests: Vec<String> = parts
        .par_iter()
        .map(|p| match key {
            Some(key) => {
                let pages =
                    p.articles.iter().map(|&(e, a)| (site.editions[e].articles[a].url.clone(), fingerprint(e, a)));
                digest(key, &language, pages)
            }
            None => String::new(),
        })
        .collect();
    let staged = read_bundles(&std::fs::read_to_string(root.join(BUNDLES_FILE)).unwrap_or_default());
    let live = previous
        .map(|p| read_bundles(&std::fs::read_to_string(p.join(FOLDER).join(BUNDLES_FILE)).unwrap_or_default()))
        .unwrap_or_default();
    // The record goes first: a build killed while it changes a bundle leaves
    // none, so the next build that recycles this folder trusts no bundle in it.
    match std::fs::remove_file(root.join(BUNDLES_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(anyhow::Error::new(e).context(format!("failed to remove `{}`", root.display())));
        }
        _ => {}
    }
    remove_strays(&root, &parts)?;
    let stale = parts
        .par_iter()
        .zip(&digests)
        .map(|(part, digest)| -> anyhow::Result<bool> {
            let folder = root.join(&part.key);
            let holds = |held: &BTreeMap<String, String>| !digest.is_empty() && held.get(&part.key) == Some(digest);
            if holds(&staged) && folder.is_dir() {
                return Ok(false);
            }
            remove_folder(&folder)?;
            let from: Option<PathBuf> = previous.map(|p| p.join(FOLDER).join(&part.key)).filter(|f| f.is_dir());
            if let Some(from) = from.filter(|_| holds(&live)) {
                if crate::fs::copy_tree(&from, &folder).is_ok() {
                    return Ok(false);
                }
                remove_folder(&folder)?;
            }
            Ok(true)
        })
        .collect::<anyhow::Result<Vec<bool>>>()?;
    Ok(Plan { language, parts, digests, stale, written: Default::default() })
}

/// Indexes one partition's pages (`(url, html)`, in the partition's order)
/// and writes its bundle through `write` (paths relative to the staging folder).
pub(crate) fn write_bundle(
    plan: &Plan,
    part: &Partition,
    pages: Vec<(String, String)>,
    write: &(dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    let files = index_bundle(&plan.language, pages)?;
    for f in &files {
        write(&format!("{FOLDER}/{}/{}", part.key, f.path), &f.bytes)?;
    }
    plan.written.fetch_add(files.len(), std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// Writes the shared files and the bundle list, once every bundle is there.
pub(crate) fn finish(
    plan: &Plan,
    write: &(dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<Published> {
    let shared = shared_files(&plan.language)?;
    for f in &shared {
        write(&format!("{FOLDER}/{}", f.path), &f.bytes)?;
    }
    let list: Vec<(String, String)> = plan.parts.iter().map(|p| p.key.clone()).zip(plan.digests.clone()).collect();
    write(&format!("{FOLDER}/{BUNDLES_FILE}"), bundles_json(&list).as_bytes())?;
    Ok(Published {
        bundles: plan.parts.len(),
        indexed: plan.to_index().count(),
        articles_indexed: plan.to_index().map(|p| p.articles.len()).sum(),
        files: plan.written.load(std::sync::atomic::Ordering::Relaxed) + shared.len() + 1,
    })
}

fn remove_folder(folder: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(folder) {
        Ok(meta) if meta.is_dir() => crate::fs::remove_dir_all(folder),
        Ok(_) => std::fs::remove_file(folder).with_context(|| format!("failed to remove `{}`", folder.display())),
        Err(_) => Ok(()),
    }
}

/// Removes from `root` whatever is neither a wanted bundle's folder, a
/// shared file nor the bundle list.
fn remove_strays(root: &Path, parts: &[Partition]) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(root) else { return Ok(()) };
    let wanted: HashSet<&str> = parts.iter().map(|p| p.key.as_str()).collect();
    for entry in entries {
        let entry = entry.with_context(|| format!("failed to read `{}`", root.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type().with_context(|| format!("failed to read `{}`", entry.path().display()))?;
        let keep = if kind.is_dir() {
            wanted.contains(name.as_ref())
        } else {
            kind.is_file() && (SHARED.contains(&name.as_ref()) || name == BUNDLES_FILE)
        };
        if !keep {
            remove_folder(&entry.path())?;
        }
    }
    Ok(())
}
