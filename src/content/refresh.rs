//! The preview server's shortcut for the commonest edit: the text of a
//! published article changed and nothing else about it did (same front
//! matter, same summary, links that still resolve). Then no other page can
//! show a difference but those that carry the body, so the loaded [`Site`]
//! is patched in place instead of loaded again. Anything else, including a
//! file this cannot prove safe, is left to a full load.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::Site;
use super::cache::LoadCache;
use super::edition::{Body, Parsed, read_and_parse, render_body};
use super::markdown::Rendered;
use crate::fs::FileStamp;

/// One article whose body changed: where it is and its new rendering.
struct Patch {
    edition: usize,
    article: usize,
    path: PathBuf,
    stamp: FileStamp,
    parsed: Parsed,
    rendered: Rendered,
}

/// Re-reads the site files `changed` (relative to the site folder) and, when
/// each is a published article whose body alone changed, puts the new bodies
/// into `site`. Returns the `(edition, article)` indexes patched (empty when
/// no file's content changed), or `None`, with `site` untouched, when a full
/// load is needed.
pub(crate) fn refresh_bodies(
    site: &mut Site,
    cache: &mut LoadCache,
    changed: &[PathBuf],
) -> Option<Vec<(usize, usize)>> {
    cache.reset_stats();
    let mut patches = Vec::new();
    for rel in changed {
        if let Some(patch) = body_patch(site, cache, &site.root.join(rel))? {
            patches.push(patch);
        }
    }
    let mut patched = Vec::new();
    for p in patches {
        let article = &mut site.editions[p.edition].articles[p.article];
        article.body_html = p.rendered.html;
        article.body_hash = p.rendered.hash;
        cache.files.insert(p.path, (p.stamp, Arc::new(Ok(p.parsed.without_body_text()))));
        patched.push((p.edition, p.article));
    }
    cache.settle(|_| true);
    patched.sort_unstable();
    patched.dedup();
    Some(patched)
}

/// The patch for one changed file: `Some(None)` when its content is what
/// was loaded, `None` when it needs a full load.
fn body_patch(site: &Site, cache: &LoadCache, path: &Path) -> Option<Option<Patch>> {
    let Some((old_stamp, old)) = cache.files.get(path) else {
        // A file that came and went within the batch (an editor's temporary
        // file) changed nothing; one that is here now is new, and a folder
        // that held loaded files was moved or removed.
        let transient = !path.exists() && !cache.files.keys().any(|k| k.starts_with(path));
        return transient.then_some(None);
    };
    let Ok(Parsed::Article(old)) = &**old else { return None };
    let stamp = FileStamp::at(path)?;
    if stamp == *old_stamp {
        return Some(None);
    }
    cache.parsed.fetch_add(1, Ordering::Relaxed);
    let Ok(Parsed::Article(new)) = read_and_parse(&old.file, &cache.sources) else { return None };
    // Everything but the body must be as loaded: the same front matter
    // (hence URL, listings and cards) and the same line the body starts on.
    let mut same_but_body = (**old).clone();
    same_but_body.body = new.body.clone();
    if same_but_body != *new {
        return None;
    }
    let site_rel = &new.file.site_rel;
    // A file with warnings gets them from a full load, which also drops
    // those that no longer hold.
    if site.warnings.iter().any(|d| d.path.as_os_str() == site_rel.as_str()) {
        return None;
    }
    let edition = site.editions.binary_search_by_key(&new.date, |e| e.date).ok()?;
    let article = site.editions[edition].articles.iter().position(|a| &a.source == site_rel)?;
    let index = cache.link_index.as_ref()?;
    let smart = site.config.markdown.smart_punctuation;
    let Body { rendered, summary } =
        render_body(cache, index, smart, &new.file, &new.body, new.body_line, new.meta.summary.as_deref());
    if !rendered.problems.is_empty() {
        return None;
    }
    if summary != site.editions[edition].articles[article].summary {
        return None;
    }
    Some(Some(Patch { edition, article, path: path.to_path_buf(), stamp, parsed: Parsed::Article(new), rendered }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BuildOptions;

    /// A refreshed body is what a full load gives for the same file, images sized
    /// included, whether the site holds its bodies packed or not.
    #[test]
    fn a_refreshed_body_equals_a_full_loads() {
        for plain_text_bytes in [crate::packed::PLAIN_TEXT_BYTES, 0] {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path();
            std::fs::write(root.join("site.yaml"), "title: T\nbase_url: https://x.org/\n").unwrap();
            let day = root.join("content/2023-09-05");
            std::fs::create_dir_all(&day).unwrap();
            let photo =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/content/2026-05-29/harbour.jpg");
            std::fs::copy(photo, day.join("pier.jpg")).unwrap();
            let text = "---\ntitle: A\n---\nThe pier.\n\n![Pier](pier.jpg)\n";
            std::fs::write(day.join("a.md"), text).unwrap();

            let opts = BuildOptions { plain_text_bytes, ..BuildOptions::new(root) };
            let mut cache = LoadCache::persistent();
            let mut site = super::super::load_with(&opts, &mut cache).unwrap();
            std::fs::write(day.join("a.md"), format!("{text}\nOne more sentence.\n")).unwrap();
            let patched = refresh_bodies(&mut site, &mut cache, &[PathBuf::from("content/2023-09-05/a.md")]);
            assert_eq!(patched, Some(vec![(0, 0)]));

            let full = super::super::load(&opts).unwrap();
            let (refreshed, loaded) = (&site.editions[0].articles[0], &full.editions[0].articles[0]);
            let packed = plain_text_bytes == 0;
            assert_eq!(matches!(refreshed.body_html, crate::packed::Text::Packed(_)), packed);
            assert_eq!(matches!(loaded.body_html, crate::packed::Text::Packed(_)), packed);
            let html = loaded.body_html.get();
            assert!(html.contains(r#"width="8" height="6""#), "{html}");
            assert_eq!(refreshed.body_html.get(), html);
            assert_eq!(refreshed.body_hash, loaded.body_hash);
            assert_eq!(refreshed.summary, loaded.summary);
        }
    }
}
