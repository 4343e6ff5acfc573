//! What the engine hands the preview server after each rebuild: one
//! complete, consistent version of the site's files.

use std::collections::HashMap;
use std::hash::Hash;
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
/// A page is packed with its kind's dictionary (see [`Dictionaries`]), and
/// an article's page holds the article's body, which the site already holds
/// (packed too, on a large site): the page keeps that very text, shared, and
/// packs only the rest of its bytes (see [`Packed::page`]).
///
/// Requests share one unpacked copy while any of them holds it (see
/// [`Packed::open`]): fifty clients stalled on one large page hold it once.
#[derive(Clone)]
pub(crate) struct Packed {
    /// The bytes, or with a shared text they hold, the bytes around it.
    packed: PackedBytes,
    /// What they were packed with.
    dictionary: Option<Arc<[u8]>>,
    /// The shared text and where it goes in the unpacked bytes.
    shared: Option<(usize, Text)>,
    /// The unpacked bytes while a response holds them (a `Vec`, so that
    /// the bytes are freed with the last response, not with the `Weak`).
    open: Arc<Mutex<Weak<Vec<u8>>>>,
}

/// The shortest shared text worth its bookkeeping.
const MIN_SHARED: usize = 256;

/// The most of a page a dictionary keeps: LZ4 looks back no further.
const DICTIONARY_BYTES: usize = 64 * 1024;

/// Where `text` first occurs in `bytes`. A searcher is made for the
/// text's first bytes only, then each place they occur is compared whole:
/// a searcher for a whole body costs more to make than the search.
fn find(bytes: &[u8], text: &[u8]) -> Option<usize> {
    let head = &text[..text.len().min(64)];
    memchr::memmem::find_iter(bytes, head).find(|&at| bytes[at..].starts_with(text))
}

/// Pages of one kind (one template) share most of their markup: the head,
/// the navigation, the footer. The first page of each kind packed is kept
/// as that kind's dictionary (its last 64 KiB), and every page of the kind
/// is packed with it, down to little more than what sets it apart: an
/// article page besides its body packs to 2.4 KB alone and 0.8 KB with one.
/// Whichever page comes first, every page unpacks to its own bytes.
#[derive(Debug)]
pub(crate) struct Dictionaries<K>(Mutex<HashMap<K, Arc<[u8]>>>);

impl<K> Default for Dictionaries<K> {
    fn default() -> Self {
        Dictionaries(Mutex::new(HashMap::new()))
    }
}

impl<K: Hash + Eq> Dictionaries<K> {
    /// The dictionary of `kind`; `bytes` become it when it has none yet.
    fn of(&self, kind: K, bytes: &[u8]) -> Arc<[u8]> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let kept = all.entry(kind).or_insert_with(|| Arc::from(&bytes[bytes.len().saturating_sub(DICTIONARY_BYTES)..]));
        Arc::clone(kept)
    }
}

impl Packed {
    pub(crate) fn pack(bytes: &[u8]) -> Packed {
        Packed { packed: PackedBytes::pack(bytes), dictionary: None, shared: None, open: Arc::default() }
    }

    /// A page of `kind`, packed with that kind's dictionary from
    /// `dictionaries`, except the first copy of `body` in it (an article's
    /// body, which the site holds), kept as `body` itself. Bytes without a
    /// copy of it are packed whole.
    pub(crate) fn page<K: Hash + Eq>(
        bytes: &[u8],
        body: Option<&Text>,
        dictionaries: &Dictionaries<K>,
        kind: K,
    ) -> Packed {
        let text = body.map(Text::get).filter(|text| text.len() >= MIN_SHARED);
        let found = text.as_ref().and_then(|text| Some((find(bytes, text.as_bytes())?, text.len())));
        let rest = match found {
            Some((at, len)) => std::borrow::Cow::Owned([&bytes[..at], &bytes[at + len..]].concat()),
            None => std::borrow::Cow::Borrowed(bytes),
        };
        let dictionary = dictionaries.of(kind, &rest);
        Packed {
            packed: PackedBytes::pack_with(&rest, &dictionary),
            dictionary: Some(dictionary),
            shared: found.zip(body).map(|((at, _), body)| (at, body.clone())),
            open: Arc::default(),
        }
    }

    /// The bytes as they were packed.
    pub(crate) fn unpack(&self) -> Vec<u8> {
        let rest = self.packed.unpack_with(self.dictionary.as_deref().unwrap_or_default());
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

/// Equal when the packed bytes, the dictionaries, the shared texts and
/// their places are: then the bytes are. (The same bytes held another way compare unequal; a
/// page's bytes then count as changed, which costs a reload, never a page.)
impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        self.packed == other.packed && self.shared == other.shared && self.dictionary == other.dictionary
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

    /// A page as the preview packs it, with dictionaries of its own.
    fn page(bytes: &[u8], body: Option<&Text>) -> Packed {
        Packed::page(bytes, body, &Dictionaries::default(), ())
    }

    #[test]
    fn a_page_holds_the_body_it_shows_shared_not_packed_again() {
        let body = "<p>The ferry runs at seven, “weather allowing”, said the harbourmaster.</p>\n".repeat(40);
        let page_bytes = format!("<html><nav>{}</nav><main>{body}</main><footer>Desk</footer></html>", "x".repeat(300));
        let bodies = [Text::plain(body.as_str()), Text::Packed(PackedBytes::pack(body.as_bytes()))];
        let around = page(page_bytes.replace(&body, "").as_bytes(), None);
        for text in &bodies {
            let packed = page(page_bytes.as_bytes(), Some(text));
            assert_eq!(packed.unpack(), page_bytes.as_bytes(), "{packed:?}");
            assert_eq!(packed.unpack_text(), page_bytes);
            assert_eq!(&*packed.open().0, page_bytes.as_bytes());
            assert_eq!(packed.packed_len(), around.packed_len(), "only the bytes around the body are packed");
            assert!(matches!(&packed.shared, Some((_, t)) if t == text));
        }
        // A page without the text, or a text too short to be worth it, is packed whole.
        let other = page(b"<p>No body here.</p>", Some(&bodies[0]));
        assert!(other.shared.is_none() && other.unpack() == b"<p>No body here.</p>");
        let short = page(b"<p>Hi.</p><p>Hi.</p>", Some(&Text::plain("<p>Hi.</p>")));
        assert!(short.shared.is_none());
        // A theme whose article page is little more than the body: the first
        // page of the kind leaves a one-byte dictionary, which is no dictionary.
        let dictionaries = Dictionaries::default();
        let bare = format!("{body}\n");
        let more = format!("<p>Filed from the quay, {}.</p>{body}\n", "at dawn ".repeat(20));
        for page in [&bare, &more, &bare] {
            let packed = Packed::page(page.as_bytes(), Some(&bodies[1]), &dictionaries, ());
            assert_eq!(&packed.unpack_text(), page);
        }
        // At the very start and end of the bytes; a body shown twice is shared once.
        for bytes in [format!("{body}tail"), format!("head{body}"), body.clone(), format!("{body}{body}")] {
            let packed = page(bytes.as_bytes(), Some(&bodies[1]));
            assert_eq!(packed.unpack_text(), bytes);
            assert!(packed.shared.is_some());
        }
    }

    #[test]
    fn pages_of_a_kind_pack_with_its_dictionary_and_compare_by_their_bytes() {
        let markup = |n: usize| {
            format!(
                "<!DOCTYPE html><html><head><title>Story {n}</title><link rel=stylesheet href=/css/daily.css></head>\
                 <body><nav>{}</nav><main><h1>Story {n}</h1></main><footer>{}</footer></body></html>",
                "<a href=/sections/politics/>Politics</a> ".repeat(30),
                "The Harbour Courier, printed at the quay since 1921. ".repeat(20)
            )
        };
        let dictionaries = Dictionaries::default();
        let first = Packed::page(markup(1).as_bytes(), None, &dictionaries, "article");
        let second = Packed::page(markup(2).as_bytes(), None, &dictionaries, "article");
        let alone = Packed::pack(markup(2).as_bytes());
        assert_eq!(second.unpack(), markup(2).as_bytes());
        assert_eq!(first.unpack(), markup(1).as_bytes());
        assert!(second.packed_len() * 4 < alone.packed_len(), "{second:?} against {alone:?}");
        // Another kind has a dictionary of its own.
        let feed = Packed::page(b"<feed>1</feed>", None, &dictionaries, "feed");
        assert_eq!(feed.unpack(), b"<feed>1</feed>");
        assert!(!Arc::ptr_eq(feed.dictionary.as_ref().unwrap(), second.dictionary.as_ref().unwrap()));
        // The same bytes with the same dictionary are the same page; another
        // page, or the same bytes with another dictionary, are not.
        assert!(second == Packed::page(markup(2).as_bytes(), None, &dictionaries, "article"));
        assert!(second != first);
        let elsewhere = Packed::page(markup(2).as_bytes(), None, &Dictionaries::default(), "article");
        assert_eq!(elsewhere.unpack(), markup(2).as_bytes());
        assert!(second != elsewhere, "equal packed bytes under other dictionaries need not be equal bytes");
        // Another body at the same place is another page.
        let body = "<p>The ferry runs at seven.</p>\n".repeat(20);
        let edited = body.replace("seven", "eight");
        let with = |b: &str| markup(3).replace("</h1>", &format!("</h1>{b}"));
        let a = Packed::page(with(&body).as_bytes(), Some(&Text::plain(body.as_str())), &dictionaries, "article");
        let b = Packed::page(with(&edited).as_bytes(), Some(&Text::plain(edited.as_str())), &dictionaries, "article");
        assert!(a != b && a.unpack_text() == with(&body) && b.unpack_text() == with(&edited));
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
