//! Metadata taken out of a photo's own bytes, losslessly: the pixels'
//! encoding is copied as it is. Used when re-encoding a photo at its own
//! size would make it heavier than its source (a source already well
//! compressed): the source is published instead, without the EXIF, GPS,
//! XMP, IPTC and comment blocks a copy made by masthead would not carry.
//! The colour profile (JPEG APP2, PNG iCCP) and the blocks that say how to
//! decode the pixels (JFIF APP0, Adobe APP14) stay.

use super::Format;

/// `bytes` without its metadata, or `None` if they do not parse as the
/// format (the caller then keeps its own encoding).
pub(super) fn strip_metadata(bytes: &[u8], format: Format) -> Option<Vec<u8>> {
    match format {
        Format::Jpeg => strip_jpeg(bytes),
        Format::Png => strip_png(bytes),
    }
}

fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let rest = bytes.strip_prefix(&[0xff, 0xd8])?;
    out.extend_from_slice(&[0xff, 0xd8]);
    let mut at = 0;
    loop {
        // Fill bytes (0xff) may come before a marker.
        while rest.get(at) == Some(&0xff) && rest.get(at + 1) == Some(&0xff) {
            at += 1;
        }
        let (&0xff, &marker) = (rest.get(at)?, rest.get(at + 1)?) else { return None };
        // Start of scan: the entropy-coded data and everything after go as they are.
        if marker == 0xda {
            out.extend_from_slice(&rest[at..]);
            return Some(out);
        }
        let len = usize::from(u16::from_be_bytes([*rest.get(at + 2)?, *rest.get(at + 3)?]));
        let end = at + 2 + len;
        if len < 2 || end > rest.len() {
            return None;
        }
        // APP1 (EXIF, XMP), APP3–APP13 and APP15 (vendors', IPTC) and COM go; APP0
        // (JFIF), APP2 (ICC profile), APP14 (Adobe colour transform) and the
        // decoding segments stay.
        let metadata = matches!(marker, 0xe1 | 0xe3..=0xed | 0xef | 0xfe);
        if !metadata {
            out.extend_from_slice(&rest[at..end]);
        }
        at = end;
    }
}

fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut rest = bytes.strip_prefix(&SIGNATURE)?;
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&SIGNATURE);
    while !rest.is_empty() {
        let len = usize::try_from(u32::from_be_bytes(rest.get(..4)?.try_into().ok()?)).ok()?;
        let kind = rest.get(4..8)?;
        let total = len.checked_add(12)?;
        let chunk = rest.get(..total)?;
        // Text, EXIF and time chunks go; everything else (pixels, palette,
        // transparency, gamma, colour profile) stays.
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(chunk);
        }
        rest = &rest[total..];
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(body.len() + 2).unwrap().to_be_bytes();
        [&[0xff, marker][..], &len, body].concat()
    }

    #[test]
    fn jpeg_loses_exif_xmp_and_comments_and_keeps_the_rest() {
        let jfif = segment(0xe0, b"JFIF\0\x01\x01");
        let exif = segment(0xe1, b"Exif\0\0GPS SN-4711");
        let icc = segment(0xe2, b"ICC_PROFILE\0data");
        let comment = segment(0xfe, b"shot by someone");
        let adobe = segment(0xee, b"Adobe");
        let tables = segment(0xdb, &[0; 65]);
        let scan = [&segment(0xda, &[1, 2, 3])[..], &[0xaa, 0xff, 0x00, 0xbb, 0xff, 0xd9]].concat();
        let source = [&[0xff, 0xd8][..], &jfif, &exif, &icc, &comment, &adobe, &tables, &scan].concat();
        let stripped = strip_metadata(&source, Format::Jpeg).unwrap();
        let want = [&[0xff, 0xd8][..], &jfif, &icc, &adobe, &tables, &scan].concat();
        assert_eq!(stripped, want);
        assert_eq!(strip_metadata(b"not a jpeg", Format::Jpeg), None);
        assert_eq!(strip_metadata(&source[..20], Format::Jpeg), None, "a torn file is not taken apart");
    }

    #[test]
    fn png_loses_text_exif_and_time_chunks() {
        let chunk = |kind: &[u8], data: &[u8]| {
            [&u32::try_from(data.len()).unwrap().to_be_bytes()[..], kind, data, &[0, 0, 0, 0]].concat()
        };
        let sig = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
        let (ihdr, idat, iend) = (chunk(b"IHDR", &[0; 13]), chunk(b"IDAT", &[1, 2]), chunk(b"IEND", &[]));
        let (text, exif, iccp) = (chunk(b"tEXt", b"Author\0me"), chunk(b"eXIf", b"GPS"), chunk(b"iCCP", b"p\0\0x"));
        let source = [&sig[..], &ihdr, &text, &iccp, &exif, &idat, &iend].concat();
        let want = [&sig[..], &ihdr, &iccp, &idat, &iend].concat();
        assert_eq!(strip_metadata(&source, Format::Png).unwrap(), want);
        assert_eq!(strip_metadata(&source[..30], Format::Png), None);
    }
}
