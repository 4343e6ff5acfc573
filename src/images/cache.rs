//! The photo cache: `.masthead-cache/photos/` in the site folder holds every
//! file made of a photo, named by a hash of the source bytes and of every
//! setting that changes the result, so a second build re-encodes nothing and
//! a changed photo (or setting) misses only its own entries. Entries are
//! written to a temporary file and renamed into place, and checked for a
//! complete ending before use, so a torn write is never published.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{Format, Probe};
use crate::config::Images;

/// The cache folder's name in the site folder (ignored by git, the build
/// walk and the watcher, since it starts with a dot).
pub(crate) const CACHE_DIR: &str = ".masthead-cache";

/// Part of every key: bumped when the same input and settings would give
/// different bytes (another filter, encoder or crate version).
const PIPELINE: &str = "photos-2 image-0.25 fast_image_resize-5 lanczos3 no-heavier";

/// The photo cache of one site.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub(crate) fn in_site(root: &Path) -> Cache {
        Cache { dir: root.join(CACHE_DIR).join("photos") }
    }

    /// Where the `width`-pixel file made of `probe` with `settings` is kept.
    pub(crate) fn entry(&self, probe: &Probe, width: u32, settings: &Images) -> PathBuf {
        let mut key = blake3::Hasher::new();
        key.update(PIPELINE.as_bytes());
        key.update(probe.hash.as_bytes());
        key.update(probe.format.extension().as_bytes());
        key.update(&width.to_le_bytes());
        key.update(&[settings.quality, u8::from(settings.keep_metadata)]);
        let hex = key.finalize().to_hex();
        self.dir.join(&hex[..2]).join(format!("{}.{}", &hex[..32], probe.format.extension()))
    }

    /// Whether `path` holds a whole file of `format` (it ends the way such a file ends).
    pub(crate) fn is_complete(path: &Path, format: Format) -> bool {
        let tail: &[u8] = match format {
            Format::Jpeg => &[0xFF, 0xD9],
            Format::Png => &[b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82],
        };
        let Ok(mut file) = std::fs::File::open(path) else { return false };
        let mut end = vec![0; tail.len()];
        file.seek(SeekFrom::End(-(tail.len() as i64))).is_ok() && file.read_exact(&mut end).is_ok() && end == tail
    }

    /// Writes an entry atomically: a temporary file beside it, then a rename.
    pub(crate) fn store(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        let dir = path.parent().context("a cache entry has a folder")?;
        crate::fs::create_dir_all(dir)?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".tmp-");
        #[cfg(unix)]
        {
            // Copied into the output as they are: readable by everyone, like every output
            // (temporary files are otherwise created private). The umask still applies.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let mut tmp =
            builder.tempfile_in(dir).with_context(|| format!("failed to create a file in `{}`", dir.display()))?;
        tmp.write_all(bytes).with_context(|| format!("failed to write `{}`", tmp.path().display()))?;
        tmp.persist(path).with_context(|| format!("failed to write `{}`", path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(byte: u8) -> Probe {
        Probe { hash: blake3::hash(&[byte]), format: Format::Jpeg, width: 10, height: 10, bytes: 1 }
    }

    #[test]
    fn keys_change_with_content_and_settings() {
        let cache = Cache::in_site(Path::new("/site"));
        let s = Images::default();
        let base = cache.entry(&probe(1), 480, &s);
        assert!(base.starts_with("/site/.masthead-cache/photos"));
        assert_eq!(base, cache.entry(&probe(1), 480, &s));
        assert_ne!(base, cache.entry(&probe(2), 480, &s));
        assert_ne!(base, cache.entry(&probe(1), 960, &s));
        assert_ne!(base, cache.entry(&probe(1), 480, &Images { quality: 60, ..Images::default() }));
        assert_ne!(base, cache.entry(&probe(1), 480, &Images { keep_metadata: true, ..Images::default() }));
    }

    #[test]
    fn torn_entries_are_not_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.jpg");
        Cache::store(&path, &[0xFF, 0xD8, 1, 2, 0xFF, 0xD9]).unwrap();
        assert!(Cache::is_complete(&path, Format::Jpeg));
        std::fs::write(&path, [0xFF, 0xD8, 1, 2]).unwrap();
        assert!(!Cache::is_complete(&path, Format::Jpeg));
        assert!(!Cache::is_complete(&dir.path().join("missing.jpg"), Format::Jpeg));
        assert!(!Cache::is_complete(&path, Format::Png));
    }
}
