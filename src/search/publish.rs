//! Bringing a build's `pagefind/` folder up to date: each bundle is kept
//! (the staging folder already holds it), copied from the site being
//! replaced, or indexed anew, whichever its digest allows.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Context as _;
use rayon::prelude::*;

use super::{BUNDLES_FILE, FOLDER, Partition, SHARED, bundles_json, digest, index_bundle, read_bundles, shared_files};
use crate::content::Site;
use crate::diagnostic::Diagnostic;

/// What one build did to the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Published {
    /// Bundles in the index.
    pub bundles: usize,
    /// Bundles indexed anew (the others were kept or copied).
    pub indexed: usize,
    /// Articles those bundles hold.
    pub articles_indexed: usize,
}

/// Why publishing the index failed.
#[derive(Debug)]
pub enum Error {
    Page(Diagnostic),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Other(e)
    }
}

/// Brings `staging/pagefind/` to the index of `site`'s published articles.
/// `previous` is the site being replaced (its bundles may be copied);
/// `key` ties digests to this binary (`None`: index everything);
/// `fingerprint` and `render` give an article page's fingerprint and HTML;
/// `write` writes a file relative to `staging` (leaving unchanged files).
pub fn publish(
    site: &Site,
    staging: &Path,
    previous: Option<&Path>,
    key: Option<&str>,
    fingerprint: &(dyn Fn(usize, usize) -> u64 + Sync),
    render: &(dyn Fn(usize, usize) -> Result<String, Diagnostic> + Sync),
    write: &(dyn Fn(&str, &[u8]) -> anyhow::Result<()> + Sync),
) -> Result<Published, Error> {
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
    remove_strays(&root, &parts)?;

    let work: Vec<(usize, usize)> = parts
        .par_iter()
        .zip(&digests)
        .map(|(part, digest)| -> Result<(usize, usize), Error> {
            let folder = root.join(&part.key);
            let reusable = |held: &BTreeMap<String, String>| !digest.is_empty() && held.get(&part.key) == Some(digest);
            if reusable(&staged) && folder.is_dir() {
                return Ok((0, 0));
            }
            crate::fs::remove_dir_all(&folder).or_else(|e| if folder.exists() { Err(e) } else { Ok(()) })?;
            if let Some(from) = previous.map(|p| p.join(FOLDER).join(&part.key)).filter(|f| f.is_dir()) {
                if reusable(&live) && copy_tree(&from, &folder).is_ok() {
                    return Ok((0, 0));
                }
                crate::fs::remove_dir_all(&folder).or_else(|e| if folder.exists() { Err(e) } else { Ok(()) })?;
            }
            let pages = part
                .articles
                .iter()
                .map(|&(e, a)| Ok((site.editions[e].articles[a].url.clone(), render(e, a)?)))
                .collect::<Result<Vec<_>, Diagnostic>>()
                .map_err(Error::Page)?;
            let files = index_bundle(&language, pages)?;
            for f in &files {
                write(&format!("{FOLDER}/{}/{}", part.key, f.path), &f.bytes)?;
            }
            Ok((1, part.articles.len()))
        })
        .collect::<Result<_, _>>()?;

    for f in shared_files(&language)? {
        write(&format!("{FOLDER}/{}", f.path), &f.bytes)?;
    }
    let list: Vec<(String, String)> = parts.iter().map(|p| p.key.clone()).zip(digests).collect();
    write(&format!("{FOLDER}/{BUNDLES_FILE}"), bundles_json(&list).as_bytes())?;
    Ok(Published {
        bundles: parts.len(),
        indexed: work.iter().map(|w| w.0).sum(),
        articles_indexed: work.iter().map(|w| w.1).sum(),
    })
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
            if kind.is_dir() {
                crate::fs::remove_dir_all(&entry.path())?;
            } else {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("failed to remove `{}`", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Copies the plain files and folders of `from` to `to` (links are skipped:
/// masthead writes none there).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
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
