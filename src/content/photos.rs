//! Photos at load time: every published JPEG and PNG beside the articles is
//! read once (content hash, upright size) and given the sizes it is
//! published at; links and `photo.src` then point at the largest of them,
//! and `<img>` tags in article bodies get their size and `srcset`. Other
//! images keep their file and get the size read from their header.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use super::Asset;
use super::links::LinkIndex;
use crate::config::{BaseUrl, Images};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::images::{self, Format, ImageSizes, Rendition, SourceImage, Variant};

/// Every image's sizes by the URL pages use for it.
pub(crate) type SizeIndex = HashMap<String, Arc<ImageSizes>>;

/// An asset placed by the loader, with its path relative to `content/`.
pub(super) struct Placed {
    pub(crate) asset: Asset,
    pub(crate) content_rel: String,
    pub(crate) site_rel: String,
}

/// What reading an asset gave.
enum Read {
    Photo(Result<images::Probe, String>),
    Other(Option<(u32, u32)>),
    NotImage,
}

/// Splits placed assets into files copied as they are and photos to make,
/// points `index` at the published sizes and fills `index.images`.
/// `outputs` (output path → source) catches made files that meet another.
pub(super) fn place(
    placed: Vec<Placed>,
    settings: &Images,
    base: &BaseUrl,
    index: &mut LinkIndex,
    outputs: &mut crate::fs::FastMap<String, String>,
    diags: &mut Diagnostics,
) -> (Vec<Asset>, Vec<SourceImage>) {
    let reads: Vec<Read> =
        placed.par_iter().map(|p| read(&p.asset.source, &p.content_rel, settings.max_pixels)).collect();
    let mut assets = Vec::new();
    let mut photos = Vec::new();
    for (p, read) in placed.into_iter().zip(reads) {
        let Some(url) = index.assets.get(&p.content_rel).cloned() else { continue };
        match read {
            Read::Photo(Ok(probe)) => {
                warn_if_large(&p.site_rel, probe.bytes, settings, diags);
                let Some(img) = plan(&p, probe, settings, outputs, diags) else { continue };
                let sizes = sizes_of(&img, base);
                index.assets.insert(p.content_rel.clone(), sizes.src().url.clone());
                index.images.insert(sizes.src().url.clone(), Arc::new(sizes));
                let resized_only = img.variants.iter().all(|v| v.output != p.asset.output);
                if settings.keep_metadata && resized_only {
                    // The original, metadata and all, stays reachable at its own URL.
                    assets.push(p.asset);
                }
                photos.push(img);
            }
            Read::Photo(Err(message)) => {
                let help = if message.contains("`images.max_pixels`") {
                    "export the photo at a smaller size, or raise `images.max_pixels` in site.yaml"
                } else {
                    "open the photo in an image editor and export it again as JPEG or PNG"
                };
                diags.push(Diagnostic::error(&p.site_rel, message).help(help));
            }
            Read::Other(size) => {
                if let Some((width, height)) = size {
                    let sizes = ImageSizes { renditions: vec![Rendition { url: url.clone(), width, height }] };
                    index.images.insert(url, Arc::new(sizes));
                }
                if !settings.keep_metadata {
                    diags.push(
                        Diagnostic::warning(
                            &p.site_rel,
                            "this image is published as it is, with any metadata it carries",
                        )
                        .help("masthead resizes and strips JPEG and PNG files; export it as one of those"),
                    );
                }
                assets.push(p.asset);
            }
            Read::NotImage => assets.push(p.asset),
        }
    }
    (assets, photos)
}

fn read(path: &Path, content_rel: &str, max_pixels: u64) -> Read {
    match Format::of(content_rel) {
        Some(format) => Read::Photo(images::probe(path, format, max_pixels)),
        None if images::is_image_name(content_rel) => Read::Other(images::header_size(path)),
        None => Read::NotImage,
    }
}

fn warn_if_large(site_rel: &str, bytes: u64, settings: &Images, diags: &mut Diagnostics) {
    let limit = u64::from(settings.warn_over_mb) * 1_000_000;
    if settings.warn_over_mb > 0 && bytes > limit {
        diags.push(
            Diagnostic::warning(
                site_rel,
                format!("the photo is {:.1} MB, over {} MB", bytes as f64 / 1e6, settings.warn_over_mb),
            )
            .help("export a smaller file, or raise `images.warn_over_mb` in site.yaml"),
        );
    }
}

/// The files made of one photo, or `None` (with an error) when one of
/// them would overwrite another output. The copy at the photo's own size
/// (when no configured width is smaller) takes the original's name.
fn plan(
    p: &Placed,
    probe: images::Probe,
    settings: &Images,
    outputs: &mut crate::fs::FastMap<String, String>,
    diags: &mut Diagnostics,
) -> Option<SourceImage> {
    let variants: Vec<Variant> = images::plan(probe.width, probe.height, &settings.widths)
        .into_iter()
        .map(|(width, height)| {
            // A copy at the photo's own size keeps the file's name.
            let output = if (width, height) == (probe.width, probe.height) {
                p.asset.output.clone()
            } else {
                images::variant_output(&p.asset.output, width, probe.format)
            };
            Variant { output, width, height }
        })
        .collect();
    // The photo's own name is claimed by the photo itself; any other claim is a clash.
    let clash = variants.iter().find_map(|v| outputs.get(&v.output).filter(|o| **o != p.site_rel).map(|o| (v, o)));
    if let Some((v, other)) = clash {
        diags.push(
            Diagnostic::error(
                &p.site_rel,
                format!("the resized copy `{}` would overwrite the file of `{other}`", v.output),
            )
            .help("rename one of the two files"),
        );
        return None;
    }
    for v in &variants {
        outputs.insert(v.output.clone(), p.site_rel.clone());
    }
    Some(SourceImage { source: p.asset.source.clone(), site_rel: p.site_rel.clone(), probe, variants })
}

fn sizes_of(img: &SourceImage, base: &BaseUrl) -> ImageSizes {
    let renditions = img
        .variants
        .iter()
        .map(|v| Rendition { url: super::edition::file_url(base, &v.output), width: v.width, height: v.height })
        .collect();
    ImageSizes { renditions }
}

/// `sizes` of images in article bodies: the text column of the daily theme.
const BODY_SIZES: &str = "(min-width: 46rem) 42rem, 100vw";

/// Gives every `<img>` of a rendered body whose image masthead knows its
/// `width`, `height`, and `srcset`. `None` when nothing changed.
pub(super) fn size_body_images(html: &str, images: &SizeIndex) -> Option<String> {
    const OPEN: &str = super::markdown::IMAGE;
    if images.is_empty() || !html.contains(OPEN) {
        return None;
    }
    let mut out = String::with_capacity(html.len() + 128);
    let mut rest = html;
    let mut changed = false;
    while let Some(at) = rest.find(OPEN) {
        let after = at + OPEN.len();
        let Some(len) = rest[after..].find('"') else { break };
        let src = &rest[after..after + len];
        out.push_str(&rest[..after + len + 1]);
        if let Some(sizes) = images.get(&src.replace("&amp;", "&")) {
            let r = sizes.src();
            if let Some(srcset) = sizes.srcset() {
                out.push_str(&format!(" srcset=\"{}\" sizes=\"{BODY_SIZES}\"", srcset.replace('&', "&amp;")));
            }
            out.push_str(&format!(" width=\"{}\" height=\"{}\"", r.width, r.height));
            changed = true;
        }
        rest = &rest[after + len + 1..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_images_get_sizes() {
        let mut index = SizeIndex::new();
        let r = |w: u32| Rendition { url: format!("/a/p-{w}w.jpg"), width: w, height: w / 2 };
        index.insert("/a/p-960w.jpg".into(), Arc::new(ImageSizes { renditions: vec![r(480), r(960)] }));
        let html = "<p><img src=\"/a/p-960w.jpg\" alt=\"x\" /> and <img src=\"/elsewhere.jpg\" alt=\"\" /></p>";
        let sized = size_body_images(html, &index).unwrap();
        assert_eq!(
            sized,
            "<p><img src=\"/a/p-960w.jpg\" srcset=\"/a/p-480w.jpg 480w, /a/p-960w.jpg 960w\" \
             sizes=\"(min-width: 46rem) 42rem, 100vw\" width=\"960\" height=\"480\" alt=\"x\" /> \
             and <img src=\"/elsewhere.jpg\" alt=\"\" /></p>"
        );
        assert_eq!(size_body_images("<p>no images</p>", &index), None);
        assert_eq!(size_body_images("<img src=\"/elsewhere.jpg\" />", &index), None);
    }
}
