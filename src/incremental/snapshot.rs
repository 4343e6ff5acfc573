//! What the engine hands the preview server after each rebuild: one
//! complete, consistent version of the site's files.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};

use crate::packed::{PackedBytes, Text};

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
/// An article's page holds the article's body, which the site already
/// holds (packed too, on a large site): the page keeps that very text,
/// shared, and packs only the rest of its bytes (see [`Packed::pack_sharing`]).
///
/// Requests share one unpacked copy while any of them holds it (see
/// [`Packed::open`]): fifty clients stalled on one large page hold it once.
#[derive(Clone)]
pub(crate) struct Packed {
    /// The bytes, or with a shared text they hold, the bytes around it.
    packed: PackedBytes,
    /// The shared text and where it goes in the unpacked bytes.
    shared: Option<(usize, Text)>,
    /// The unpacked bytes while a response holds them (a `Vec`, so that
    /// the bytes are freed with the last response, not with the `Weak`).
    open: Arc<Mutex<Weak<Vec<u8>>>>,
}

/// The shortest shared text worth its bookkeeping.
const MIN_SHARED: usize = 256;

/// Where `text` first occurs in `bytes`. A searcher is made for the
/// text's first bytes only, then each place they occur is compared whole:
/// a searcher for a whole body costs more to make than the search.
fn find(bytes: &[u8], text: &[u8]) -> Option<usize> {
    let head = &text[..text.len().min(64)];
    memchr::memmem::find_iter(bytes, head).find(|&at| bytes[at..].starts_with(text))
}

impl Packed {
    pub(crate) fn pack(bytes: &[u8]) -> Packed {
        Packed { packed: PackedBytes::pack(bytes), shared: None, open: Arc::default() }
    }

    /// `bytes` packed, except the first copy of `text` in them, which is
    /// kept as `text` itself: a text held elsewhere (packed or not) is not
    /// held twice. Bytes without a copy of it are packed whole.
    pub(crate) fn pack_sharing(bytes: &[u8], text: &Text) -> Packed {
        let body = text.get();
        let found = (body.len() >= MIN_SHARED).then(|| find(bytes, body.as_bytes())).flatten();
        let Some(at) = found else { return Packed::pack(bytes) };
        let mut rest = Vec::with_capacity(bytes.len() - body.len());
        rest.extend_from_slice(&bytes[..at]);
        rest.extend_from_slice(&bytes[at + body.len()..]);
        Packed { packed: PackedBytes::pack(&rest), shared: Some((at, text.clone())), open: Arc::default() }
    }

    /// The bytes as they were packed.
    pub(crate) fn unpack(&self) -> Vec<u8> {
        let rest = self.packed.unpack();
        let Some((at, text)) = &self.shared else { return rest };
        let text = text.get();
        let mut bytes = Vec::with_capacity(rest.len() + text.len());
        bytes.extend_from_slice(&rest[..*at]);
        bytes.extend_from_slice(text.as_bytes());
        bytes.extend_from_slice(&rest[*at..]);
        bytes
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
        crate::packed::into_text(self.unpack())
    }

    /// How many bytes it holds, packed, besides a shared text.
    #[cfg(test)]
    pub(crate) fn packed_len(&self) -> usize {
        self.packed.packed_len()
    }
}

/// Equal when the packed bytes, the shared texts and their places are: then
/// the bytes are. (The same bytes held another way compare unequal; a
/// page's bytes then count as changed, which costs a reload, never a page.)
impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        self.packed == other.packed && self.shared == other.shared
    }
}

impl Eq for Packed {}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.shared {
            None => write!(f, "Packed({} bytes)", self.packed.packed_len()),
            Some((at, _)) => write!(f, "Packed({} bytes, a shared text at {at})", self.packed.packed_len()),
        }
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
    fn a_page_holds_the_body_it_shows_shared_not_packed_again() {
        let body = "<p>The ferry runs at seven, “weather allowing”, said the harbourmaster.</p>\n".repeat(40);
        let page = format!("<html><nav>{}</nav><main>{body}</main><footer>Desk</footer></html>", "x".repeat(300));
        let bodies = [Text::plain(body.as_str()), Text::Packed(PackedBytes::pack(body.as_bytes()))];
        for text in &bodies {
            let packed = Packed::pack_sharing(page.as_bytes(), text);
            assert_eq!(packed.unpack(), page.as_bytes(), "{packed:?}");
            assert_eq!(packed.unpack_text(), page);
            assert_eq!(&*packed.open().0, page.as_bytes());
            assert!(
                packed.packed_len() < Packed::pack(b"<html><nav></nav><main></main></html>").packed_len() + 40,
                "only the bytes around the body are packed: {packed:?}"
            );
            assert!(matches!(&packed.shared, Some((_, t)) if t == text));
            assert!(packed == Packed::pack_sharing(page.as_bytes(), text), "the same page, the same body");
        }
        // A page without the text, or a text too short to be worth it, is packed whole.
        let other = Packed::pack_sharing(b"<p>No body here.</p>", &bodies[0]);
        assert!(other.shared.is_none() && other.unpack() == b"<p>No body here.</p>");
        let short = Packed::pack_sharing(b"<p>Hi.</p><p>Hi.</p>", &Text::plain("<p>Hi.</p>"));
        assert!(short.shared.is_none());
        // At the very start and end of the bytes; a body shown twice is shared once.
        for page in [format!("{body}tail"), format!("head{body}"), body.clone(), format!("{body}{body}")] {
            let packed = Packed::pack_sharing(page.as_bytes(), &bodies[1]);
            assert_eq!(packed.unpack_text(), page);
            assert!(packed.shared.is_some());
        }
        // Another body at the same place is another page.
        let edited = body.replace("seven", "eight");
        let page2 = page.replace(&body, &edited);
        assert!(
            Packed::pack_sharing(page2.as_bytes(), &Text::plain(edited.as_str()))
                != Packed::pack_sharing(page.as_bytes(), &bodies[0])
        );
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
