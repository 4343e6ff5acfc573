//! Making the published files of photos: each source is decoded once, turned
//! upright, and every missing size is resized (Lanczos3, `fast_image_resize`)
//! and encoded into the cache; sources run in parallel.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageEncoder};
use rayon::prelude::*;

use super::{Cache, Format, SourceImage, Variant};
use crate::config::Images;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// How many files a run encoded and how many it took from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) encoded: usize,
    pub(crate) cached: usize,
}

impl std::ops::Add for Stats {
    type Output = Stats;
    fn add(self, o: Stats) -> Stats {
        Stats { encoded: self.encoded + o.encoded, cached: self.cached + o.cached }
    }
}

/// Makes every missing file of every image in the cache. On failure, one
/// error per photo that could not be made.
pub(crate) fn make_all(images: &[SourceImage], settings: &Images, cache: &Cache) -> Result<Stats, Diagnostics> {
    let results: Vec<Result<Stats, Diagnostic>> = images.par_iter().map(|img| make(img, settings, cache)).collect();
    crate::diagnostic::collect(results).map(|all| all.into_iter().fold(Stats::default(), |a, b| a + b))
}

fn make(img: &SourceImage, settings: &Images, cache: &Cache) -> Result<Stats, Diagnostic> {
    let format = img.probe.format;
    let missing: Vec<&Variant> = img
        .variants
        .iter()
        .filter(|v| !Cache::is_complete(&cache.entry(&img.probe, v.width, settings), format))
        .collect();
    let cached = img.variants.len() - missing.len();
    if missing.is_empty() {
        return Ok(Stats { encoded: 0, cached });
    }
    let fail = |what: String| {
        Diagnostic::error(&img.site_rel, what)
            .help("open the photo in an image editor and export it again as JPEG or PNG")
    };
    let bytes = crate::fs::read(&img.source).map_err(|e| fail(format!("{e:#}")))?;
    let decoded = decode(&bytes, format, settings).map_err(|e| fail(format!("this photo cannot be decoded: {e}")))?;
    for v in &missing {
        let file = encode_size(&decoded, v, settings.quality, format)
            .and_then(|file| no_heavier(file, &bytes, &decoded, v, settings, format))
            .map_err(|e| fail(format!("cannot make the {}-pixel copy: {e}", v.width)))?;
        let entry = cache.entry(&img.probe, v.width, settings);
        Cache::store(&entry, &file).map_err(|e| Diagnostic::error(&img.site_rel, format!("{e:#}")))?;
    }
    Ok(Stats { encoded: missing.len(), cached })
}

/// A decoded photo and the metadata carried into its copies.
struct Decoded {
    image: DynamicImage,
    /// Colour profile: kept always (it is colour, not information about anyone).
    icc: Option<Vec<u8>>,
    /// The EXIF block, only with `keep_metadata: true`.
    exif: Option<Vec<u8>>,
    /// Whether the pixels are still sideways (EXIF kept, so its orientation still applies).
    sideways: bool,
    /// Whether the pixels are as the file stores them (nothing was turned).
    as_stored: bool,
}

fn decode(bytes: &[u8], format: Format, settings: &Images) -> image::ImageResult<Decoded> {
    let keep_metadata = settings.keep_metadata;
    let mut decoder = super::decoder(bytes, format)?;
    decoder.set_limits(super::limits(settings.max_pixels))?;
    let icc = decoder.icc_profile().ok().flatten();
    let exif = if keep_metadata { decoder.exif_metadata().ok().flatten() } else { None };
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    // With the EXIF block kept, its orientation tag is kept too, so the
    // pixels stay as stored; otherwise they are turned upright here.
    let sideways = keep_metadata && exif.is_some() && super::swaps_sides(orientation);
    let turned = !(keep_metadata && exif.is_some()) && orientation != image::metadata::Orientation::NoTransforms;
    if turned {
        image.apply_orientation(orientation);
    }
    Ok(Decoded { image, icc, exif, sideways, as_stored: !turned })
}

/// Resizes (unless the size is the photo's own) and encodes one copy.
fn encode_size(d: &Decoded, v: &Variant, quality: u8, format: Format) -> Result<Vec<u8>, String> {
    let (w, h) = if d.sideways { (v.height, v.width) } else { (v.width, v.height) };
    let resized;
    let image = if (w, h) == (d.image.width(), d.image.height()) {
        &d.image
    } else {
        let mut dst = DynamicImage::new(w, h, d.image.color());
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        Resizer::new().resize(&d.image, &mut dst, &options).map_err(|e| e.to_string())?;
        resized = dst;
        &resized
    };
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => {
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut out), quality);
            attach(&mut enc, d);
            image.write_with_encoder(enc)
        }
        Format::Png => {
            let mut enc = image::codecs::png::PngEncoder::new(Cursor::new(&mut out));
            attach(&mut enc, d);
            image.write_with_encoder(enc)
        }
    };
    result.map_err(|e| e.to_string())?;
    Ok(out)
}

/// A published copy is never heavier than its source. A copy at the
/// photo's own size that comes out heavier (the source was compressed
/// harder than `images.quality`) is replaced by the source's own bytes,
/// its metadata taken out losslessly (kept with `keep_metadata: true`); a
/// smaller JPEG copy that comes out heavier is encoded again at lower
/// qualities, down to 50, and the lightest is kept.
fn no_heavier(
    file: Vec<u8>,
    source: &[u8],
    d: &Decoded,
    v: &Variant,
    settings: &Images,
    format: Format,
) -> Result<Vec<u8>, String> {
    if file.len() <= source.len() {
        return Ok(file);
    }
    let own_size = (v.width, v.height) == (d.image.width(), d.image.height()) && d.as_stored && !d.sideways;
    if own_size {
        let kept =
            if settings.keep_metadata { Some(source.to_vec()) } else { super::strip::strip_metadata(source, format) };
        return Ok(kept.filter(|k| k.len() < file.len()).unwrap_or(file));
    }
    let mut lightest = file;
    if format == Format::Jpeg {
        for quality in [settings.quality.saturating_sub(10), settings.quality.saturating_sub(20), 50] {
            if quality < 50 || quality >= settings.quality {
                continue;
            }
            let again = encode_size(d, v, quality, format)?;
            if again.len() < lightest.len() {
                lightest = again;
            }
            if lightest.len() <= source.len() {
                break;
            }
        }
    }
    Ok(lightest)
}

fn attach(enc: &mut impl ImageEncoder, d: &Decoded) {
    // Encoders that cannot carry a block simply leave it out.
    if let Some(icc) = &d.icc {
        let _ = enc.set_icc_profile(icc.clone());
    }
    if let Some(exif) = &d.exif {
        let _ = enc.set_exif_metadata(exif.clone());
    }
}

/// Every published file of `images` with the cache entry that holds it.
pub(crate) fn entries<'a>(
    images: &'a [SourceImage],
    settings: &'a Images,
    cache: &'a Cache,
) -> impl Iterator<Item = (&'a str, std::path::PathBuf)> + 'a {
    images.iter().flat_map(move |img| {
        img.variants.iter().map(move |v| (v.output.as_str(), cache.entry(&img.probe, v.width, settings)))
    })
}
