//! Bytes and text held LZ4-compressed (`lz4_flex`, pure Rust). Rendered
//! HTML packs to a quarter or a third of its size; packing costs about 20
//! instructions a byte, unpacking less. Held packed: the preview's pages,
//! and the Markdown and rendered bodies of a large site beyond a first
//! quarter gigabyte of each (the preview: 64 MiB of rendered bodies; see [`Budget`]).

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many bytes each of Markdown bodies and rendered bodies a load holds
/// as they are; it holds the rest packed ([`crate::packed::Budget`]). 256 MiB
/// is about 55,000 articles of 800 words: a smaller site packs nothing and
/// keeps its speed; at a million articles the build's peak falls from 9.2
/// to 6.7 GiB.
pub(crate) const PLAIN_TEXT_BYTES: usize = 256 << 20;

/// The same for the preview server's rendered bodies, as it holds every
/// page besides (packed) and runs for hours: about 13,000 articles' bodies.
/// It keeps no Markdown past a load, so it packs none (see
/// `content::article::Markdown`). A 10,000-article site still packs nothing.
pub(crate) const PREVIEW_PLAIN_TEXT_BYTES: usize = 64 << 20;

/// Packed bytes. The same bytes always pack to the same packed bytes, so two
/// values are equal exactly when their bytes are (`==` compares the packed
/// bytes, after a check for the very same ones).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PackedBytes(Arc<[u8]>);

impl PackedBytes {
    pub(crate) fn pack(bytes: &[u8]) -> PackedBytes {
        PackedBytes::pack_with(bytes, &[])
    }

    /// `bytes` packed with `dictionary` (at most its last 64 KiB are
    /// used): bytes they share pack to almost nothing. Only
    /// [`PackedBytes::unpack_with`] the same dictionary unpacks them.
    pub(crate) fn pack_with(bytes: &[u8], dictionary: &[u8]) -> PackedBytes {
        use lz4_flex::block::{compress_into, compress_into_with_dict, get_maximum_output_size};
        let dictionary = usable(dictionary);
        // Packed into a buffer kept by the thread, then copied once into a
        // value of the exact size: no zeroed buffer of the largest size
        // the packed bytes could take, and no second allocation to shrink it.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let whole = |bytes: &[u8]| match dictionary {
            [] => lz4_flex::block::compress_prepend_size(bytes),
            _ => lz4_flex::block::compress_prepend_size_with_dict(bytes, dictionary),
        };
        let Ok(len) = u32::try_from(bytes.len()) else { return PackedBytes(Arc::from(whole(bytes))) };
        SCRATCH.with_borrow_mut(|out| {
            let room = 4 + get_maximum_output_size(bytes.len());
            if out.len() < room {
                out.resize(room, 0);
            }
            // The same layout as `compress_prepend_size`: the length, then the block.
            out[..4].copy_from_slice(&len.to_le_bytes());
            let packed = match dictionary {
                [] => compress_into(bytes, &mut out[4..room]),
                _ => compress_into_with_dict(bytes, &mut out[4..room], dictionary),
            };
            match packed {
                Ok(n) => PackedBytes(Arc::from(&out[..4 + n])),
                Err(_) => PackedBytes(Arc::from(whole(bytes))),
            }
        })
    }

    /// The bytes as they were packed.
    pub(crate) fn unpack(&self) -> Vec<u8> {
        self.unpack_with(&[])
    }

    /// The bytes as they were packed with `dictionary`.
    pub(crate) fn unpack_with(&self, dictionary: &[u8]) -> Vec<u8> {
        let dictionary = usable(dictionary);
        // Only `pack_with` makes a value: its output always unpacks with its dictionary.
        match dictionary {
            [] => lz4_flex::block::decompress_size_prepended(&self.0),
            _ => lz4_flex::block::decompress_size_prepended_with_dict(&self.0, dictionary),
        }
        .unwrap_or_default()
    }

    /// The bytes as they were packed, as text: packed from text, they are
    /// UTF-8 and taken without a copy.
    pub(crate) fn unpack_text(&self) -> String {
        into_text(self.unpack())
    }

    /// How many bytes it holds, packed.
    pub(crate) fn packed_len(&self) -> usize {
        self.0.len()
    }
}

/// A dictionary as packing and unpacking use it: one too short to be worth
/// it is none. `lz4_flex` panics when packing with one of 1 to 3 bytes (its
/// own `compress_prepend_size_with_dict` drops those; `compress_into_with_dict`
/// does not).
fn usable(dictionary: &[u8]) -> &[u8] {
    if dictionary.len() < 16 { &[] } else { dictionary }
}

/// Bytes unpacked from text as that text, taken without a copy.
pub(crate) fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl std::fmt::Debug for PackedBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackedBytes({} bytes)", self.0.len())
    }
}

/// Text as it is, or packed (see [`Budget`]); packed, its bytes are UTF-8.
#[derive(Clone)]
pub(crate) enum Text {
    Plain(Arc<str>),
    Packed(PackedBytes),
}

impl Text {
    pub(crate) fn plain(text: impl Into<Arc<str>>) -> Text {
        Text::Plain(text.into())
    }

    /// The text, unpacked when it is packed.
    pub(crate) fn get(&self) -> Cow<'_, str> {
        match self {
            Text::Plain(text) => Cow::Borrowed(text),
            Text::Packed(packed) => Cow::Owned(packed.unpack_text()),
        }
    }
}

/// How many bytes of one kind of text (Markdown bodies, rendered bodies) a
/// load holds as they are; the rest it holds packed. A million articles have
/// 4.5 GB of Markdown and 4.7 GB of HTML bodies; packing every body would
/// cost a small site 8–10 % of its build's instructions for memory nobody
/// misses. Which texts
/// are packed depends on the order threads reach them; every text reads the
/// same either way.
#[derive(Debug)]
pub(crate) struct Budget(AtomicUsize);

/// No limit: everything as it is.
impl Default for Budget {
    fn default() -> Budget {
        Budget::new(usize::MAX)
    }
}

impl Budget {
    pub(crate) fn new(bytes: usize) -> Budget {
        Budget(AtomicUsize::new(bytes))
    }

    /// `text` as it is while the budget lasts, else packed.
    pub(crate) fn hold(&self, text: Text) -> Text {
        let Text::Plain(plain) = &text else { return text };
        let spent = self.0.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(plain.len()));
        if spent.is_ok() { text } else { Text::Packed(PackedBytes::pack(plain.as_bytes())) }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::Plain(Arc::from(""))
    }
}

/// Equal when the texts are, packed or not.
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        match (self, other) {
            (Text::Plain(a), Text::Plain(b)) => a == b,
            (Text::Packed(a), Text::Packed(b)) => a == b,
            _ => self.get() == other.get(),
        }
    }
}

impl Eq for Text {}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Text::Plain(text) => write!(f, "{text:?}"),
            Text::Packed(packed) => packed.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_packed_with_a_dictionary_unpack_with_it_whatever_its_length() {
        let page = "<nav>Politics · Business · Sport</nav><p>The ferry runs at seven.</p>".repeat(3);
        for dictionary in ["", "<", "<na", "<nav>", "<nav>Politics · ", &page, &page.repeat(2000)] {
            let packed = PackedBytes::pack_with(page.as_bytes(), dictionary.as_bytes());
            assert_eq!(packed.unpack_with(dictionary.as_bytes()), page.as_bytes(), "{}", dictionary.len());
        }
        let with = PackedBytes::pack_with(page.as_bytes(), page.as_bytes());
        assert!(with.packed_len() * 4 < PackedBytes::pack(page.as_bytes()).packed_len(), "{with:?}");
    }

    #[test]
    fn text_unpacks_to_itself_and_takes_less_room() {
        let body = "<p>The ferry runs at seven, “weather allowing”.</p>\n".repeat(200);
        let pack = |text: &str| PackedBytes::pack(text.as_bytes());
        let packed = pack(&body);
        assert_eq!(packed.unpack_text(), body);
        assert!(packed.packed_len() * 5 < body.len(), "{} of {}", packed.packed_len(), body.len());
        assert_eq!(packed, pack(&body));
        assert_ne!(packed, pack("other"));
        assert_eq!(pack("").unpack_text(), "");
        let small = pack("<p>Short.</p>");
        assert_eq!(
            small.unpack_text(),
            "<p>Short.</p>",
            "a buffer left larger by a longer text is not read past the end"
        );
        let bytes = PackedBytes::pack(body.as_bytes());
        assert_eq!(
            &*bytes.0,
            &lz4_flex::block::compress_prepend_size(body.as_bytes())[..],
            "the layout the crate reads"
        );
    }

    #[test]
    fn text_is_held_as_it_is_while_the_budget_lasts_and_reads_the_same_packed() {
        let budget = Budget::new(40);
        let plain = budget.hold(Text::plain("<p>Tide tables.</p>"));
        assert!(matches!(plain, Text::Plain(_)), "19 of 40 bytes");
        assert!(matches!(plain.get(), Cow::Borrowed(_)), "plain text is lent, not copied");
        let packed = budget.hold(Text::plain("<p>Tide tables, again.</p>"));
        assert!(matches!(packed, Text::Packed(_)), "26 more bytes than the 21 left");
        assert!(matches!(budget.hold(Text::plain("<p>Short.</p>")), Text::Plain(_)), "13 of the 21 left");
        assert_eq!(packed.get(), "<p>Tide tables, again.</p>");
        assert_eq!(budget.hold(packed.clone()), packed);
        assert_eq!(Text::plain("<p>Tide tables, again.</p>"), packed, "equal packed or not");
        assert_ne!(Budget::new(0).hold(Text::plain("<p>Other.</p>")), packed);
    }
}
