//! What the engine hands the preview server after each rebuild: one
//! complete, consistent version of the site's files.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};

use crate::packed::PackedBytes;

/// The body of one served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// Held in memory as they are (files built into masthead).
    Bytes(Arc<[u8]>),
    /// Rendered in memory, held compressed.
    Packed(Packed),
    /// Copied as is from the site folder: read when asked for.
    File(PathBuf),
}

/// The bytes of a rendered file, packed (see [`crate::packed`]). The
/// preview holds every page the site has for as long as it runs (2.3 GB of
/// HTML at 100,000 articles); packed, they take about a quarter.
///
/// Requests share one unpacked copy while any of them holds it (see
/// [`Packed::open`]): fifty clients stalled on one large page hold it once.
#[derive(Clone)]
pub(crate) struct Packed {
    packed: PackedBytes,
    /// The unpacked bytes while a response holds them (a `Vec`, so that
    /// the bytes are freed with the last response, not with the `Weak`).
    open: Arc<Mutex<Weak<Vec<u8>>>>,
}

impl Packed {
    pub(crate) fn pack(bytes: &[u8]) -> Packed {
        Packed { packed: PackedBytes::pack(bytes), open: Arc::default() }
    }

    /// The bytes as they were packed.
    pub(crate) fn unpack(&self) -> Vec<u8> {
        self.packed.unpack()
    }

    /// The bytes, shared with every response that holds them now.
    pub(crate) fn open(&self) -> Unpacked {
        let Ok(mut open) = self.open.lock() else { return Unpacked(Arc::new(self.unpack())) };
        if let Some(bytes) = open.upgrade() {
            return Unpacked(bytes);
        }
        let bytes = Arc::new(self.unpack());
        *open = Arc::downgrade(&bytes);
        Unpacked(bytes)
    }

    /// The bytes as they were packed, as text (see [`PackedBytes::unpack_text`]).
    pub(crate) fn unpack_text(&self) -> String {
        self.packed.unpack_text()
    }

    /// How many bytes it holds, packed.
    #[cfg(test)]
    pub(crate) fn packed_len(&self) -> usize {
        self.packed.packed_len()
    }
}

/// Equal when the bytes are, compared packed (see [`PackedBytes`]).
impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        self.packed == other.packed
    }
}

impl Eq for Packed {}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({} bytes)", self.packed.packed_len())
    }
}

/// The bytes of a [`Packed`] file, shared by the responses that hold them.
#[derive(Clone)]
pub(crate) struct Unpacked(Arc<Vec<u8>>);

impl AsRef<[u8]> for Unpacked {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_unpacks_to_its_bytes_and_takes_less_room() {
        let page = "<article><p>The ferry runs at seven.</p></article>\n".repeat(200);
        let packed = Packed::pack(page.as_bytes());
        assert_eq!(packed.unpack(), page.as_bytes());
        assert!(packed.packed_len() * 5 < page.len(), "{} of {}", packed.packed_len(), page.len());
        assert!(Packed::pack(b"").unpack().is_empty());
        assert!(packed == Packed::pack(page.as_bytes()));
        assert!(packed != Packed::pack(b"other"));
    }

    #[test]
    fn responses_share_one_unpacked_copy_while_they_hold_it() {
        let packed = Packed::pack(&[7u8; 100_000]);
        let (a, b) = (packed.open(), packed.clone().open());
        assert!(Arc::ptr_eq(&a.0, &b.0), "a second response shares the first one's bytes");
        assert_eq!(a.as_ref(), &[7u8; 100_000][..]);
        drop((a, b));
        assert!(packed.open.lock().unwrap().upgrade().is_none(), "the bytes go with the last response");
        assert_eq!(packed.open().as_ref().len(), 100_000, "and are unpacked again when asked for");
    }
}

/// One complete, consistent version of the site.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// Output-relative path (`2023/09/05/slug/index.html`, `css/daily.css`) → body.
    /// A persistent map: the next snapshot shares all it did not change, so
    /// publishing one costs the change, not the size of the site.
    pub(crate) files: imbl::HashMap<String, Body>,
    /// Increases with every successful rebuild.
    #[allow(dead_code)] // read by the preview server's tests
    pub(crate) generation: u64,
    /// Some pages are still being rendered (just after start-up): a request
    /// for a file this snapshot lacks waits for the next one.
    pub(crate) pending: bool,
}
