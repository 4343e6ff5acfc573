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
