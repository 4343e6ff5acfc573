//! Crash safety: `masthead build` killed with SIGKILL at any moment leaves the previous
//! output whole (every file from one build, none missing, none torn), does not pile up
//! temporary folders, and the next build succeeds and cleans up.
//!
//! The kills land at random moments spread over the build's measured duration, from a
//! seeded generator: the seed is printed, and `CRASH_SEED=<n>` replays a run;
//! `CRASH_KILLS=<n>` changes the number of kills and `CRASH_ARTICLES=<n>` the size of the
//! generated site (2,000 articles; the test profile optimizes masthead itself, see
//! `Cargo.toml`, so this stays near a minute on a two-core machine).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::{CLOCK, Rng, SiteFixture, assert_same_tree, env_number, masthead_command, snapshot};

const ARTICLES: u64 = 2000;
const DEFAULT_KILLS: u64 = 50;

/// A site whose every page names one of two titles, so a tree that mixes two builds, or
/// lost files, cannot pass for either.
const TITLES: [&str; 2] = ["The Morning Ledger", "The Evening Ledger"];

fn set_title(site: &SiteFixture, title: &str) {
    site.write("site.yaml", &format!("title: {title}\nbase_url: https://news.example.com/\n"));
}

/// The names of the temporary folders builds left beside the output (the spare, the site
/// the next build recycles, is not one, nor the record of the output's files).
fn leftovers(site: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.starts_with(".public.masthead-") && n != ".public.masthead-spare" && n != ".public.masthead-files"
        })
        .collect();
    names.sort();
    names
}

/// Builds once per title, returning each tree; the output is left with `TITLES[1]`.
fn reference_builds(site: &SiteFixture) -> [BTreeMap<String, Vec<u8>>; 2] {
    TITLES.map(|title| {
        set_title(site, title);
        site.build().assert_success();
        snapshot(&site.out())
    })
}

/// Starts `masthead build` and kills it with SIGKILL after `delay`; whether it finished first.
fn build_killed_after(site: &SiteFixture, delay: Duration) -> bool {
    let args = ["-s", "site", "--color", "never", "--clock", CLOCK, "build"];
    let mut child = masthead_command(site.root(), &args).spawn().expect("spawn masthead build");
    thread::sleep(delay);
    let _ = child.kill(); // SIGKILL on Unix
    child.wait().expect("wait for the killed build").success()
}

/// How long a build takes in the conditions of the test: after a killed one, whose
/// temporary folder it removes first, and replacing the output. Leaves `TITLES[1]`.
fn measured_duration(site: &SiteFixture) -> Duration {
    set_title(site, TITLES[0]);
    build_killed_after(site, Duration::from_millis(200));
    set_title(site, TITLES[1]);
    let started = Instant::now();
    site.build().assert_success();
    started.elapsed()
}

#[test]
fn sigkill_at_any_moment_leaves_the_previous_site_whole() {
    let seed = env_number("CRASH_SEED")
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64);
    let kills = env_number("CRASH_KILLS").unwrap_or(DEFAULT_KILLS);
    eprintln!("crash: seed {seed} (replay with CRASH_SEED={seed}), {kills} kills");
    let mut rng = Rng::new(seed);

    let articles = env_number("CRASH_ARTICLES").unwrap_or(ARTICLES) as usize;
    let site = SiteFixture::generated(articles);
    let trees = reference_builds(&site);
    assert!(trees[0].len() > articles, "only {} files in the output", trees[0].len());
    assert!(trees[0] != trees[1], "the two titles must give different trees");
    let duration = measured_duration(&site);
    // Spread the kills over the whole build and a little past its end, so some builds
    // finish and swap and some die in every phase before that.
    let span = duration.as_micros() as u64 * 13 / 10;
    eprintln!("crash: {} files; a build takes {} ms", trees[0].len(), duration.as_millis());

    let mut current = 1; // the measured build wrote TITLES[1]
    let (mut finished, started) = (0, Instant::now());
    for kill in 0..kills {
        let target = rng.below(2);
        set_title(&site, TITLES[target]);
        let delay = Duration::from_micros(rng.next() % span.max(1));
        finished += usize::from(build_killed_after(&site, delay));

        let now = snapshot(&site.out());
        let what = format!("output after kill {kill} at {} ms (seed {seed})", delay.as_millis());
        if now == trees[target] {
            current = target;
        } else {
            assert_same_tree(&trees[current], &now, &what);
        }
        let left = leftovers(site.site());
        assert!(left.len() <= 1, "{what}: temporary folders pile up: {left:?}");
    }
    eprintln!(
        "crash: {kills} kills in {:.1} s; {finished} builds finished before their kill; output intact every time",
        started.elapsed().as_secs_f64()
    );

    // The next build succeeds, leaves the new site and nothing beside it.
    set_title(&site, TITLES[1 - current]);
    site.build().assert_success();
    assert_same_tree(&trees[1 - current], &snapshot(&site.out()), "output of the build after the kills");
    assert_eq!(leftovers(site.site()), Vec::<String>::new(), "temporary folders after a clean build");
}
