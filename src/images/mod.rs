//! Photos: every local JPEG and PNG is read once at load time for its content
//! hash, size and orientation ([`probe`]), given the sizes it is published at
//! ([`plan`]), and made at build time ([`make_all`]): decoded once, turned
//! upright, resized with Lanczos3 and re-encoded without metadata, through a
//! cache folder keyed by the source bytes and the settings ([`cache`]).

pub(crate) mod cache;
mod process;
mod strip;

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::ImageDecoder;

pub(crate) use cache::{CACHE_DIR, Cache};
pub(crate) use process::{Stats, entries, make_all};

/// A format masthead resizes and re-encodes; other images are copied as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
}

impl Format {
    /// The format a file name's extension promises, if it is one masthead processes.
    pub(crate) fn of(name: &str) -> Option<Format> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
        }
    }
}

/// One published file of an image, as pages link to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Rendition {
    pub(crate) url: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// Every size published of one image, smallest first; the last one is the
/// `src` (and what feeds and JSON-LD point at).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ImageSizes {
    pub(crate) renditions: Vec<Rendition>,
}

impl ImageSizes {
    pub(crate) fn src(&self) -> &Rendition {
        self.renditions.last().expect("an image has at least one rendition")
    }

    /// `a-480w.jpg 480w, a-960w.jpg 960w`, or `None` with a single size.
    pub(crate) fn srcset(&self) -> Option<String> {
        if self.renditions.len() < 2 {
            return None;
        }
        let parts: Vec<String> = self.renditions.iter().map(|r| format!("{} {}w", r.url, r.width)).collect();
        Some(parts.join(", "))
    }
}

/// A file made of a source image: its output path and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    pub(crate) output: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

/// A local JPEG or PNG to publish, with the files made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceImage {
    pub(crate) source: PathBuf,
    /// Path relative to the site folder, for messages.
    pub(crate) site_rel: String,
    pub(crate) probe: Probe,
    pub(crate) variants: Vec<Variant>,
}

/// What reading a source told: content hash, format and upright size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub(crate) hash: blake3::Hash,
    pub(crate) format: Format,
    /// Size as shown, after the EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// Reads `path`, hashes its bytes and decodes only its header (size and
/// EXIF orientation). The message says what is wrong, for a diagnostic.
pub(crate) fn probe(path: &Path, format: Format, max_pixels: u64) -> Result<Probe, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the photo: {e}"))?;
    probe_bytes(&bytes, format, max_pixels)
}

/// [`probe`] of bytes already read: a photo over `max_pixels` is refused
/// from its header, before any decoder is made.
pub fn probe_bytes(bytes: &[u8], format: Format, max_pixels: u64) -> Result<Probe, String> {
    // The header as the `imagesize` crate reads it, then as the decoder
    // reads it: if either says too many pixels, nothing is decoded.
    if let Ok(size) = imagesize::blob_size(bytes) {
        check_pixels(size.width as u64, size.height as u64, max_pixels)?;
    }
    let hash = blake3::hash(bytes);
    let mut decoder = decoder(bytes, format).map_err(|e| format!("cannot read the photo: {e}"))?;
    let (w, h) = decoder.dimensions();
    check_pixels(u64::from(w), u64::from(h), max_pixels)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width, height) = if swaps_sides(orientation) { (h, w) } else { (w, h) };
    if width == 0 || height == 0 {
        return Err("the photo has no pixels".into());
    }
    Ok(Probe { hash, format, width, height, bytes: bytes.len() as u64 })
}

/// An error when a `width`×`height` photo has more than `max_pixels` pixels.
pub(crate) fn check_pixels(width: u64, height: u64, max_pixels: u64) -> Result<(), String> {
    let pixels = width.saturating_mul(height);
    if pixels <= max_pixels {
        return Ok(());
    }
    Err(format!(
        "the photo is {width} × {height} pixels ({} million), over the limit of {} million (`images.max_pixels`)",
        millions(pixels),
        millions(max_pixels)
    ))
}

fn millions(n: u64) -> String {
    let m = n as f64 / 1e6;
    if m >= 10.0 || m.fract() == 0.0 { format!("{m:.0}") } else { format!("{m:.1}") }
}

/// What a decoder may spend on a photo of at most `max_pixels`: no side
/// longer than that, and 8 bytes a pixel (16-bit RGBA), so a header that
/// lies about the size still cannot make it allocate more.
pub(crate) fn limits(max_pixels: u64) -> image::Limits {
    let mut limits = image::Limits::default();
    let side = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(max_pixels.saturating_mul(8));
    limits
}

/// A decoder for `bytes` in `format` (the extension decides, so a PNG named
/// `.jpg` is reported rather than guessed).
fn decoder(bytes: &[u8], format: Format) -> image::ImageResult<Box<dyn ImageDecoder + '_>> {
    let cursor = Cursor::new(bytes);
    Ok(match format {
        Format::Jpeg => Box::new(image::codecs::jpeg::JpegDecoder::new(cursor)?),
        Format::Png => Box::new(image::codecs::png::PngDecoder::new(cursor)?),
    })
}

/// Whether an EXIF orientation turns the picture a quarter turn.
fn swaps_sides(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// The sizes published of a `width`×`height` image: every configured width
/// below its own, then the largest configured width, or its own size when it
/// is not wider than that (never enlarged). Heights keep the aspect ratio.
pub(crate) fn plan(width: u32, height: u32, widths: &[u32]) -> Vec<(u32, u32)> {
    let mut sizes: Vec<u32> = widths.iter().copied().filter(|&w| w > 0 && w < width).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let largest = widths.iter().copied().max().unwrap_or(width).min(width);
    if sizes.last() != Some(&largest) {
        sizes.retain(|&w| w < largest);
        sizes.push(largest);
    }
    sizes.into_iter().map(|w| (w, scaled_height(width, height, w))).collect()
}

fn scaled_height(width: u32, height: u32, to: u32) -> u32 {
    let h = (u64::from(height) * u64::from(to) + u64::from(width) / 2) / u64::from(width);
    (h as u32).max(1)
}

/// `2023/09/05/ferry.jpg` at 480 pixels → `2023/09/05/ferry-480w.jpg`.
pub(crate) fn variant_output(output: &str, width: u32, format: Format) -> String {
    let (dir, name) = output.rsplit_once('/').map_or(("", output), |(d, n)| (d, n));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let file = format!("{stem}-{width}w.{}", format.extension());
    if dir.is_empty() { file } else { format!("{dir}/{file}") }
}

/// Width and height from the header of an image masthead does not process
/// (GIF, WebP, AVIF, …), without decoding it.
pub(crate) fn header_size(path: &Path) -> Option<(u32, u32)> {
    let size = imagesize::size(path).ok()?;
    Some((u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?))
}

/// Whether a file name is an image whose size is worth reading.
pub(crate) fn is_image_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "jpg" | "jpeg" | "png" | "gif" | "webp" | "avif" | "bmp" | "tif" | "tiff")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_sizes_without_enlarging() {
        let widths = [480, 960, 1600];
        type Case = ((u32, u32), &'static [(u32, u32)]);
        let cases: &[Case] = &[
            ((4000, 3000), &[(480, 360), (960, 720), (1600, 1200)]),
            ((1600, 900), &[(480, 270), (960, 540), (1600, 900)]),
            ((1000, 500), &[(480, 240), (960, 480), (1000, 500)]),
            ((960, 640), &[(480, 320), (960, 640)]),
            ((300, 200), &[(300, 200)]),
            ((3000, 4000), &[(480, 640), (960, 1280), (1600, 2133)]),
            ((5000, 1), &[(480, 1), (960, 1), (1600, 1)]),
        ];
        for &((w, h), want) in cases {
            assert_eq!(plan(w, h, &widths), want, "{w}x{h}");
        }
        assert_eq!(plan(2000, 1000, &[1200, 300, 1200]), vec![(300, 150), (1200, 600)]);
        assert_eq!(plan(2000, 1000, &[]), vec![(2000, 1000)]);
    }

    #[test]
    fn pixel_limit_counts_width_times_height() {
        assert_eq!(check_pixels(10_000, 10_000, 100_000_000), Ok(()));
        assert_eq!(check_pixels(100_000_000, 1, 100_000_000), Ok(()));
        let e = check_pixels(30_000, 30_000, 100_000_000).unwrap_err();
        assert_eq!(
            e,
            "the photo is 30000 × 30000 pixels (900 million), over the limit of 100 million (`images.max_pixels`)"
        );
        assert!(check_pixels(u64::MAX, u64::MAX, u64::MAX - 1).is_err());
        assert!(check_pixels(2, 2, 3).unwrap_err().contains("(0.0 million)"));
        assert!(
            check_pixels(2_000, 1_000, 1_500_000).unwrap_err().contains("(2 million), over the limit of 1.5 million")
        );
    }

    #[test]
    fn headers_over_the_limit_are_refused_before_decoding() {
        // A PNG header (signature and IHDR) claiming 30,000 × 30,000 pixels, and no data.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&30_000u32.to_be_bytes());
        png.extend_from_slice(&30_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = png_crc(&png[12..]);
        png.extend_from_slice(&crc.to_be_bytes());
        let e = probe_bytes(&png, Format::Png, 100_000_000).unwrap_err();
        assert!(e.starts_with("the photo is 30000 × 30000 pixels"), "{e}");
        assert!(probe_bytes(&png[..20], Format::Png, 100_000_000).is_err());
        assert!(probe_bytes(b"", Format::Jpeg, 100_000_000).is_err());
    }

    fn png_crc(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn variant_names_sit_beside_the_original() {
        assert_eq!(variant_output("2023/09/05/ferry.jpg", 480, Format::Jpeg), "2023/09/05/ferry-480w.jpg");
        assert_eq!(variant_output("a.b.JPEG", 960, Format::Jpeg), "a.b-960w.jpg");
        assert_eq!(variant_output("img/map.png", 1600, Format::Png), "img/map-1600w.png");
    }

    #[test]
    fn formats_follow_the_extension() {
        assert_eq!(Format::of("a.JPG"), Some(Format::Jpeg));
        assert_eq!(Format::of("a.jpeg"), Some(Format::Jpeg));
        assert_eq!(Format::of("a.png"), Some(Format::Png));
        assert_eq!(Format::of("a.gif"), None);
        assert_eq!(Format::of("jpg"), None);
    }

    #[test]
    fn srcset_lists_every_size() {
        let r = |w: u32| Rendition { url: format!("/p-{w}w.jpg"), width: w, height: w / 2 };
        let one = ImageSizes { renditions: vec![r(300)] };
        assert_eq!(one.srcset(), None);
        let three = ImageSizes { renditions: vec![r(480), r(960), r(1600)] };
        assert_eq!(three.srcset().unwrap(), "/p-480w.jpg 480w, /p-960w.jpg 960w, /p-1600w.jpg 1600w");
        assert_eq!(three.src().width, 1600);
    }
}
