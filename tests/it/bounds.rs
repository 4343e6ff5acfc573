//! Bounded work: inputs that once cost minutes and gigabytes (YAML aliases, huge photos,
//! amplifying Markdown) are refused or built within generous safety limits, measured with
//! `/usr/bin/time -v`. The binary runs under a 4 GiB address-space limit, so a regression
//! fails quickly instead of taking the machine's memory.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{CLOCK, Run, SiteFixture};

/// The safety limits every bounded case is held to.
const MAX_SECONDS: f64 = 10.0;
const MAX_RSS_KIB: u64 = 1024 * 1024;

/// One measured run of the binary.
struct Measured {
    run: Run,
    elapsed: Duration,
    peak_kib: u64,
}

impl Measured {
    fn assert_bounded(&self) -> &Self {
        let (secs, mib) = (self.elapsed.as_secs_f64(), self.peak_kib / 1024);
        eprintln!("`masthead {}`: {secs:.2} s, peak {mib} MiB", self.run.args.join(" "));
        assert!(secs <= MAX_SECONDS, "took {secs:.1} s\n{}", self.run.transcript());
        assert!(self.peak_kib <= MAX_RSS_KIB, "peak RSS {mib} MiB\n{}", self.run.transcript());
        self
    }
}

/// Runs `masthead -s site --color never --clock … <args>` in the fixture's temp dir under
/// `/usr/bin/time -v` and a 4 GiB address-space limit.
fn measured(site: &SiteFixture, args: &[&str]) -> Measured {
    let mut all = vec!["-s", "site", "--color", "never", "--clock", CLOCK];
    all.extend_from_slice(args);
    let script = r#"ulimit -v 4194304; exec /usr/bin/time -v "$@""#;
    let start = Instant::now();
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_masthead"))
        .args(&all)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run masthead under /usr/bin/time");
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let (stderr, report) = stderr.split_once("\tCommand being timed:").unwrap_or((&stderr, ""));
    let peak_kib = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes): "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in the report of /usr/bin/time:\n{report}"));
    let code = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("Exit status: "))
        .and_then(|n| n.trim().parse().ok())
        .or(output.status.code());
    let run = Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: stderr.to_string(),
    };
    Measured { run, elapsed, peak_kib }
}

fn write_article(site: &SiteFixture, front_matter: &str, body: &str) {
    site.write("content/2026-03-02/story.md", &format!("---\n{front_matter}---\n{body}"));
}

fn assert_nothing_written(site: &SiteFixture) {
    assert!(!site.out().exists(), "a failed build wrote {:?}", site.output_files());
}

// Regression: 600 KB of front matter aliased 2,000 times took 49.6 s and 15.7 GB.
#[test]
fn front_matter_aliases_are_refused_past_the_expansion_budget() {
    let site = SiteFixture::new("minimal");
    let uses = vec!["*a"; 2_000].join(", ");
    write_article(&site, &format!("title: T\nsummary: &a {}\ntags: [{uses}]\n", "x".repeat(600_000)), "Body.\n");
    let m = measured(&site, &["build"]);
    m.assert_bounded();
    m.run.assert_code(1);
    let e = m.run.error_about("content/2026-03-02/story.md");
    assert_eq!(e.line, Some(4), "{}", m.run.transcript());
    assert!(e.message.contains("`tags` expands through anchors and aliases"), "{}", e.text());
    assert!(e.message.contains("more than 16.0 MB"), "{}", e.text());
    assert_nothing_written(&site);
}

// Regression: 1 MB in `extra` aliased 1,000 times built in 12 s with 2.9 GB; site.yaml too.
#[test]
fn extra_and_site_yaml_aliases_are_refused_past_the_expansion_budget() {
    let site = SiteFixture::new("minimal");
    let uses = vec!["*big"; 1_000].join(", ");
    let extra = format!("extra:\n  big: &big \"{}\"\n  copies: [{uses}]\n", "y".repeat(1_000_000));
    write_article(&site, &format!("title: T\n{extra}"), "Body.\n");
    let m = measured(&site, &["build"]);
    m.assert_bounded();
    m.run.assert_code(1);
    let e = m.run.error_about("content/2026-03-02/story.md");
    assert_eq!(e.line, Some(3), "{}", m.run.transcript());
    assert!(e.message.contains("`extra` expands"), "{}", e.text());
    assert_nothing_written(&site);

    site.write("content/2026-03-02/story.md", "---\ntitle: T\n---\nBody.\n");
    site.write("site.yaml", &format!("title: T\nbase_url: https://news.example.com/\n{extra}"));
    let m = measured(&site, &["check"]);
    m.assert_bounded();
    m.run.assert_code(1);
    let e = m.run.error_about("site.yaml");
    assert_eq!(e.line, Some(3), "{}", m.run.transcript());
    assert!(e.message.contains("`extra` expands"), "{}", e.text());
}

// Regression: a few aliases of a small value must stay a normal build.
#[test]
fn modest_aliases_still_build() {
    let site = SiteFixture::new("minimal");
    write_article(&site, "title: T\nsection: &s Metro\nextra:\n  desk: *s\n  list: [*s, *s, *s]\n", "Body.\n");
    site.build().assert_success();
    assert!(site.read("2026/03/02/story/index.html").contains("Metro"));
}

/// Appends bits to a DEFLATE stream, least significant first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits {
    fn put(&mut self, value: u64, count: u32) {
        self.acc |= value << self.len;
        self.len += count;
        while self.len >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.len -= 8;
        }
    }

    /// A Huffman code, which DEFLATE stores most significant bit first.
    fn code(&mut self, code: u64, count: u32) {
        let reversed = (0..count).fold(0, |r, i| r | (((code >> i) & 1) << (count - 1 - i)));
        self.put(reversed, count);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.len > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A zlib stream of `n` zero bytes: one literal, then copies of 258 bytes at distance 1
/// (13 bits each, fixed Huffman codes), so 900 MB fit in under 6 MB without a compressor.
fn zlib_zeros(n: u64) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let mut left = n - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    let mut out = vec![0x78, 0x01];
    out.extend(bits.finish());
    let adler = ((n % 65_521) << 16) | 1; // every byte is 0: a stays 1, b adds 1 per byte
    out.extend_from_slice(&(adler as u32).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let table: Vec<u32> =
        (0..256u32).map(|n| (0..8).fold(n, |c, _| if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 })).collect();
    !bytes.iter().fold(0xffff_ffffu32, |c, &b| table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// A valid all-black grayscale PNG of `side` × `side` pixels.
fn black_png(side: u32) -> Vec<u8> {
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        let crc = crc32(&png[start..]);
        png.extend_from_slice(&crc.to_be_bytes());
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grayscale
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib_zeros(u64::from(side) * (u64::from(side) + 1)));
    chunk(&mut png, b"IEND", &[]);
    png
}

// Regression: a 30000×30000 PNG took 17 s and 2.8 GB and built with exit 0, used or not.
#[test]
fn photos_over_the_pixel_limit_are_refused_from_their_header() {
    let site = SiteFixture::new("minimal");
    let png = black_png(30_000);
    assert!(png.len() < 8 * 1024 * 1024, "{} bytes", png.len());
    let path = site.site().join("content/2026-03-02/huge.png");
    std::fs::write(&path, &png).unwrap();
    for command in ["check", "build"] {
        let m = measured(&site, &[command]);
        m.assert_bounded();
        m.run.assert_code(1);
        let e = m.run.error_about("content/2026-03-02/huge.png");
        assert!(e.message.contains("30000 × 30000 pixels (900 million)"), "{}", e.text());
        assert!(e.text().contains("images.max_pixels"), "{}", e.text());
        assert_nothing_written(&site);
    }
    // The limit is the site's to set: a small real photo over a lower one is refused too.
    std::fs::write(&path, black_png(100)).unwrap();
    site.build().assert_success();
    site.write("site.yaml", "title: M\nbase_url: https://news.example.com/\nimages:\n  max_pixels: 9999\n");
    let run = site.build();
    run.assert_code(1);
    assert!(run.error_about("content/2026-03-02/huge.png").message.contains("100 × 100 pixels"), "{}", run.stderr);
}

// Regression: smart punctuation turned `alert('x')` into `alert(‘x’)` inside a raw <script>.
#[test]
fn smart_punctuation_leaves_raw_scripts_styles_and_code_as_written() {
    let site = SiteFixture::new("minimal");
    let body = "It's <script>alert('x' -- \"y\")</script> and <code>don't</code> \
                <style>q::before{content:'\"'}</style> <img alt=\"Don't\" src=\"a.png\"> \"quoted\"\n";
    write_article(&site, "title: T\n", body);
    site.build().assert_success();
    let page = site.read("2026/03/02/story/index.html");
    for want in [
        "<script>alert('x' -- \"y\")</script>",
        "<code>don't</code>",
        "<style>q::before{content:'\"'}</style>",
        "<img alt=\"Don't\" src=\"a.png\">",
        "It’s",
        "“quoted”",
    ] {
        assert!(page.contains(want), "page lacks {want:?}");
    }
    assert!(!page.contains("alert(‘x’"), "a script was changed");
}

// Regression: 16 MB of nested `>` wrote 753 MB of pages and feeds, with 2.3 GB of memory.
#[test]
fn markdown_that_amplifies_is_refused_within_bounds() {
    let site = SiteFixture::new("minimal");
    // The largest file read, all quote markers: bounded by the HTML limit.
    let body = format!("{} deepest\n", ">".repeat(8 * 1024 * 1024 - 100));
    write_article(&site, "title: T\n", &body);
    let m = measured(&site, &["build"]);
    m.assert_bounded();
    m.run.assert_code(1);
    let e = m.run.error_about("content/2026-03-02/story.md");
    assert_eq!(e.line, Some(4), "{}", m.run.transcript());
    assert!(e.message.contains("MB of HTML, over 8 times its own size"), "{}", e.text());
    assert_nothing_written(&site);
    // Past the size limit the file is not even read.
    write_article(&site, "title: T\n", &format!("{} deepest\n", ">".repeat(16 * 1024 * 1024)));
    let m = measured(&site, &["build"]);
    m.assert_bounded();
    m.run.assert_code(1);
    assert!(m.run.error_about("content/2026-03-02/story.md").message.contains("up to 8 MB"), "{}", m.run.stderr);
    assert_nothing_written(&site);
}
