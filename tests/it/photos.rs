//! Lead photos and body images: generated JPEGs carrying EXIF orientation, GPS and a camera
//! serial go in; what comes out has the planned sizes, stands upright, carries no metadata,
//! is described by `width`/`height`/`srcset` in the HTML, and is made once (the second build
//! takes everything from `.masthead-cache/`).

use std::io::Cursor;

use exif::{Field, In, Rational, Tag, Value};
use image::{GenericImageView, ImageEncoder, Rgb, RgbImage};

use crate::support::serve::{Server, poll};
use crate::support::{Run, SiteFixture, json_ld, sel};

const SERIAL: &str = "SN-4711-HARBOUR";
const ARTICLE: &str = "2026/03/02/ferry-returns/index.html";

/// An EXIF block with the given orientation, a GPS position and a camera serial number.
fn exif_block(orientation: u16) -> Vec<u8> {
    let deg = |d: u32| {
        Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: 26, denom: 1 },
            Rational { num: 46, denom: 1 },
        ])
    };
    let fields = [
        Field { tag: Tag::Orientation, ifd_num: In::PRIMARY, value: Value::Short(vec![orientation]) },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: Value::Ascii(vec![SERIAL.as_bytes().to_vec()]),
        },
        Field { tag: Tag::GPSLatitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"N".to_vec()]) },
        Field { tag: Tag::GPSLatitude, ifd_num: In::PRIMARY, value: deg(40) },
        Field { tag: Tag::GPSLongitudeRef, ifd_num: In::PRIMARY, value: Value::Ascii(vec![b"W".to_vec()]) },
        Field { tag: Tag::GPSLongitude, ifd_num: In::PRIMARY, value: deg(79) },
    ];
    let mut writer = exif::experimental::Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).expect("write EXIF");
    out.into_inner()
}

/// A JPEG stored `width`×`height`, left half red and right half blue, with an EXIF block
/// (orientation, GPS, serial) when `orientation` is given.
fn jpeg(width: u32, height: u32, orientation: Option<u16>) -> Vec<u8> {
    let img =
        RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([220, 30, 30]) } else { Rgb([30, 30, 220]) });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(o) = orientation {
        enc.set_exif_metadata(exif_block(o)).unwrap();
    }
    enc.write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8).unwrap();
    out
}

/// A noisy JPEG compressed hard (quality 20), with EXIF (GPS, serial): re-encoded at the
/// default quality 82 it grows.
fn hard_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let n = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761) >> 24;
        Rgb([n as u8, (n >> 1) as u8, 255 - n as u8])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 20);
    enc.set_exif_metadata(exif_block(1)).unwrap();
    enc.write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8).unwrap();
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_pixel(width, height, Rgb([40, 120, 60]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn put(site: &SiteFixture, rel: &str, bytes: &[u8]) {
    let path = site.site().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The fixture with its photos: `wire.jpg` stored 2000×1000 but turned a quarter (EXIF
/// orientation 6: shown 1000×2000), `small.jpg` 320×240 with GPS, and `sketch.png`.
fn photo_site() -> SiteFixture {
    let site = SiteFixture::new("photos");
    put(&site, "content/2026-03-02/wire.jpg", &jpeg(2000, 1000, Some(6)));
    put(&site, "content/2026-03-02/small.jpg", &jpeg(320, 240, Some(1)));
    put(&site, "content/2026-03-02/sketch.png", &png(300, 200));
    site
}

/// (encoded, from cache) from the `-v` line "photos: N encoded, M from cache".
fn counts(run: &Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("photos: "))
        .unwrap_or_else(|| panic!("no photos line in {}", run.stderr));
    let nums: Vec<usize> = line.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    (nums[0], nums[1])
}

fn read_out(site: &SiteFixture, rel: &str) -> Vec<u8> {
    std::fs::read(site.out().join(rel))
        .unwrap_or_else(|e| panic!("public/{rel}: {e}; output holds {:#?}", site.output_files()))
}

fn has_exif(bytes: &[u8]) -> bool {
    exif::Reader::new().read_from_container(&mut Cursor::new(bytes)).is_ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn photos_are_resized_upright_and_stripped() {
    let site = photo_site();
    site.run(&["-v", "build"]).assert_success();
    for (name, size) in [("wire-480w.jpg", (480, 960)), ("wire-960w.jpg", (960, 1920)), ("wire.jpg", (1000, 2000))] {
        let bytes = read_out(&site, &format!("2026/03/02/{name}"));
        let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), size, "{name}");
        // Stored left red / right blue, turned a quarter clockwise: top red, bottom blue.
        let (w, h) = size;
        let top = img.get_pixel(w / 2, h / 8);
        let bottom = img.get_pixel(w / 2, h * 7 / 8);
        assert!(top[0] > 150 && top[2] < 100, "{name}: top is {top:?}, not red");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{name}: bottom is {bottom:?}, not blue");
        assert!(!has_exif(&bytes), "{name} still carries EXIF");
        assert!(!contains(&bytes, SERIAL.as_bytes()), "{name} still names the camera");
    }
    // Smaller than every width: published once, at its own size, without its GPS tags.
    let small = read_out(&site, "2026/03/02/small.jpg");
    assert_eq!(image::load_from_memory(&small).unwrap().width(), 320);
    assert!(!has_exif(&small));
    assert!(!site.exists("2026/03/02/small-320w.jpg"));
    assert!(!site.output_files().iter().any(|f| f.contains("1600w")), "enlarged: {:#?}", site.output_files());
}

#[test]
fn pages_give_sizes_and_srcset() {
    let site = photo_site();
    site.build().assert_success();
    let doc = site.html(ARTICLE);
    let img = doc.select(&sel(".lead-photo img")).next().expect("lead photo").value();
    assert_eq!(img.attr("src"), Some("/2026/03/02/wire.jpg"));
    assert_eq!((img.attr("width"), img.attr("height")), (Some("1000"), Some("2000")));
    assert_eq!(
        img.attr("srcset"),
        Some("/2026/03/02/wire-480w.jpg 480w, /2026/03/02/wire-960w.jpg 960w, /2026/03/02/wire.jpg 1000w")
    );
    assert!(img.attr("sizes").is_some_and(|s| s.ends_with("100vw")));
    // Every srcset entry is a published file.
    for entry in img.attr("srcset").unwrap().split(", ") {
        let url = entry.split(' ').next().unwrap();
        assert!(site.exists(url.trim_start_matches('/')), "{url} is not published");
    }
    // An image in the body gets its size too (one size only: no srcset).
    let body = doc.select(&sel(".article-body img")).next().expect("body image").value();
    assert_eq!(body.attr("src"), Some("/2026/03/02/sketch.png"));
    assert_eq!((body.attr("width"), body.attr("height")), (Some("300"), Some("200")));
    assert_eq!(body.attr("srcset"), None);
    // Cards on the edition page, too.
    let edition = site.html("2026/03/02/index.html");
    let card = edition.select(&sel("img[src='/2026/03/02/wire.jpg']")).next().expect("card photo").value();
    assert_eq!(card.attr("width"), Some("1000"));
    // JSON-LD points at the published size with its dimensions.
    let ld = json_ld(&doc);
    let image = &ld[0]["image"];
    assert_eq!(image["url"], "https://news.example.com/2026/03/02/wire.jpg");
    assert_eq!((image["width"].as_u64(), image["height"].as_u64()), (Some(1000), Some(2000)));
    // So do the feeds.
    let feed = std::fs::read_to_string(site.out().join("feed.json")).unwrap();
    assert!(feed.contains("https://news.example.com/2026/03/02/wire.jpg"), "{feed}");
}

#[test]
fn the_second_build_encodes_nothing_and_a_changed_photo_only_itself() {
    let site = photo_site();
    let first = site.run(&["-v", "build"]);
    first.assert_success();
    // wire: 480, 960 and its own 1000; small: its own size; sketch.png: its own size.
    assert_eq!(counts(&first), (5, 0));
    let cached = site.site().join(".masthead-cache");
    assert!(cached.is_dir());
    assert!(!site.output_files().iter().any(|f| f.contains("masthead-cache")));

    let second = site.run(&["-v", "build"]);
    second.assert_success();
    assert_eq!(counts(&second), (0, 5));

    put(&site, "content/2026-03-02/small.jpg", &jpeg(300, 200, None));
    let third = site.run(&["-v", "build"]);
    third.assert_success();
    assert_eq!(counts(&third), (1, 4));
    assert_eq!(image::load_from_memory(&read_out(&site, "2026/03/02/small.jpg")).unwrap().width(), 300);

    // Another quality is another picture: everything is made again.
    site.write("site.yaml", "title: Harbour Ledger\nbase_url: https://news.example.com/\nimages:\n  quality: 60\n");
    assert_eq!(counts(site.run(&["-v", "build"]).assert_success()), (5, 0));
}

#[test]
fn a_torn_cache_entry_is_made_again() {
    let site = photo_site();
    site.run(&["-v", "build"]).assert_success();
    let entries = crate::support::files(&site.site().join(".masthead-cache"));
    let jpg = entries.iter().find(|e| e.ends_with(".jpg")).expect("a cached JPEG");
    let path = site.site().join(".masthead-cache").join(jpg);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    assert_eq!(counts(&run), (1, 4));
    for f in site.output_files().iter().filter(|f| f.ends_with(".jpg")) {
        image::load_from_memory(&read_out(&site, f)).unwrap_or_else(|e| panic!("{f} is broken: {e}"));
    }
}

#[test]
fn keep_metadata_keeps_exif() {
    let site = photo_site();
    site.write(
        "site.yaml",
        "title: Harbour Ledger\nbase_url: https://news.example.com/\nimages:\n  keep_metadata: true\n",
    );
    site.build().assert_success();
    let small = read_out(&site, "2026/03/02/small.jpg");
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&small)).expect("EXIF kept");
    assert!(exif.get_field(Tag::GPSLatitude, In::PRIMARY).is_some());
    // The pixels stay as stored, the orientation tag with them: viewers turn it.
    let wire = read_out(&site, "2026/03/02/wire-480w.jpg");
    assert_eq!(image::load_from_memory(&wire).unwrap().dimensions(), (960, 480));
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&wire)).expect("EXIF kept");
    assert_eq!(exif.get_field(Tag::Orientation, In::PRIMARY).and_then(|f| f.value.get_uint(0)), Some(6));
    // The copy at its own size keeps the name, the GPS tags and the stored orientation.
    let own = read_out(&site, "2026/03/02/wire.jpg");
    assert_eq!(image::load_from_memory(&own).unwrap().dimensions(), (2000, 1000));
    let exif = exif::Reader::new().read_from_container(&mut Cursor::new(&own)).expect("EXIF kept");
    assert!(exif.get_field(Tag::GPSLongitude, In::PRIMARY).is_some());
    // The page still describes the upright picture.
    let img = site.html(ARTICLE).select(&sel(".lead-photo img")).next().map(|e| e.value().clone()).unwrap();
    assert_eq!((img.attr("width"), img.attr("height")), (Some("1000"), Some("2000")));
}

#[test]
fn a_photo_that_cannot_be_decoded_is_an_error_naming_it() {
    let site = photo_site();
    site.write("content/2026-03-02/small.jpg", "this is not a picture");
    let run = site.build();
    run.assert_failure();
    let err = run.error_about("content/2026-03-02/small.jpg");
    assert!(err.message.contains("cannot read the photo"), "{}", err.text());
    assert!(err.help.iter().any(|h| h.contains("export it again")), "{}", err.text());
    assert!(!site.out().exists(), "a failed build wrote output");
}

#[test]
fn check_warns_about_large_photos_and_missing_alt() {
    let site = photo_site();
    let mut big = jpeg(320, 240, None);
    big.extend(std::iter::repeat_n(0u8, 1_200_000));
    put(&site, "content/2026-03-02/small.jpg", &big);
    site.write("site.yaml", "title: Harbour Ledger\nbase_url: https://news.example.com/\nimages:\n  warn_over_mb: 1\n");
    let run = site.run(&["check"]);
    run.assert_success();
    let messages: Vec<String> =
        run.warnings().iter().map(|d| format!("{}: {}", d.path.as_deref().unwrap_or_default(), d.text())).collect();
    assert!(messages.iter().any(|m| m.contains("small.jpg") && m.contains("1.2 MB, over 1 MB")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("tide-tables.md") && m.contains("no `alt`")), "{messages:#?}");
    assert!(!site.site().join(".masthead-cache").exists(), "check made photos");

    site.remove("content/2026-03-02/wire.jpg");
    let run = site.run(&["check"]);
    run.assert_failure();
    assert!(run.error_about("content/2026-03-02/ferry-returns.md").message.contains("`wire.jpg` was not found"));
}

#[test]
fn the_cache_folder_is_never_an_output() {
    let site = photo_site();
    let run = site.run(&["build", "-o", "site/.masthead-cache"]);
    run.assert_failure();
    assert!(run.stderr.contains("refusing to build into"), "{}", run.stderr);
}

#[test]
fn serve_makes_photos_through_the_build_cache() {
    let site = photo_site();
    site.run(&["build"]).assert_success();
    let built = read_out(&site, "2026/03/02/wire-480w.jpg");
    let mut server = Server::start(&site, &[]);
    assert!(server.stderr().contains("photos: 0 encoded, 5 from cache"), "{}", server.context());
    let served = server.get("/2026/03/02/wire-480w.jpg");
    assert_eq!(served.status, 200);
    assert!(served.body == built, "serve and build publish different bytes");
    assert!(!has_exif(&served.body));

    // A new picture under the same name: its copies are made again and served.
    put(&site, "content/2026-03-02/wire.jpg", &jpeg(1200, 600, None));
    let timeout = std::time::Duration::from_secs(30);
    poll(timeout, || {
        let r = server.get("/2026/03/02/wire-480w.jpg");
        let size = image::load_from_memory(&r.body).map(|i| i.dimensions()).map_err(|e| e.to_string())?;
        if size == (480, 240) { Ok(()) } else { Err(format!("still {size:?}")) }
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", server.context()));
    assert!(server.stderr().contains("photos: 3 encoded, 2 from cache"), "{}", server.context());
    server.assert_alive("after the photo changed");
}

// Regression: a source compressed harder than `images.quality` was published heavier than
// itself (the demo's 58 KB photo became an 83 KB copy of the same size).
#[test]
fn no_published_copy_is_heavier_than_its_source() {
    let site = photo_site();
    let source = hard_jpeg(320, 240);
    put(&site, "content/2026-03-02/small.jpg", &source);
    site.run(&["-v", "build"]).assert_success();
    let published = read_out(&site, "2026/03/02/small.jpg");
    assert!(published.len() <= source.len(), "{} bytes published from a {}-byte source", published.len(), source.len());
    assert!(!has_exif(&published) && !contains(&published, SERIAL.as_bytes()), "the source's metadata was published");
    let img = image::load_from_memory(&published).unwrap();
    assert_eq!((img.width(), img.height()), (320, 240));
    // The pixels are the source's own, not a copy of a copy.
    assert_eq!(img.to_rgb8(), image::load_from_memory(&source).unwrap().to_rgb8());
    for (name, from) in [("wire-480w.jpg", "wire.jpg"), ("wire-960w.jpg", "wire.jpg"), ("wire.jpg", "wire.jpg")] {
        let copy = read_out(&site, &format!("2026/03/02/{name}")).len();
        let original = std::fs::metadata(site.site().join(format!("content/2026-03-02/{from}"))).unwrap().len();
        assert!(copy as u64 <= original, "{name}: {copy} bytes from a {original}-byte source");
    }
}
