//! `masthead deploy` (SPEC §11) against a real S3 server started here on
//! 127.0.0.1 (moto's, installed by `.ci/run`) and against a folder: the
//! first deploy equals the build, an unchanged site sends and lists
//! nothing, an edit sends only what changed, deletions are bounded, the
//! prefix is the limit, a second deploy is refused while one runs, and a
//! deploy killed at any moment never leaves a reachable page pointing at a
//! missing object and is finished by the next.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::deploy::*;

// Regression: deploy did not exist; the first deploy must equal the build, byte for
// byte, with each object's type and cache header, and a dry run must change nothing.
fn first_deploy_equals_the_build(target: &Target) {
    let site = site_for(target, 0);
    let none = deploy(&site, target, &[]);
    none.assert_code(1);
    assert!(none.stderr.contains("no build to deploy in `public/`: run `masthead build` first"), "{}", none.stderr);
    site.build().assert_success();

    let dry = deploy(&site, target, &["--dry-run"]);
    dry.assert_success();
    assert!(dry.stdout.contains("1. send assets:") && dry.stdout.contains("new front page"), "{}", dry.stdout);
    assert!(dry.stderr.contains("Nothing was changed"), "{}", dry.stderr);
    assert!(site_files(target).is_empty() && !target.files().contains_key(".masthead-deploy.json"));

    let run = deploy(&site, target, &["-v"]);
    run.assert_success();
    assert_no_secret(&run);
    let expected = published(&site);
    assert!(run.stderr.contains(&format!("Deployed to `production`: sent {} files", expected.len())), "{}", run.stderr);
    assert!(run.stderr.contains("new front page: sent 1 file ("), "-v tells each step:\n{}", run.stderr);
    assert_eq!(site_files(target), expected, "the target holds the build");
    assert!(target.files().contains_key(".masthead-deploy.json"), "the manifest is kept at the target");
    assert!(!target.files().contains_key(".masthead-deploy.lock"), "the lock is released");
}

#[test]
fn s3_first_deploy_equals_the_build_with_content_types_and_cache_headers() {
    let target = s3();
    first_deploy_equals_the_build(&target);
    let Target::S3(server) = &target else { unreachable!() };
    let objects = server.objects();
    let header = |key: &str| {
        let (_, ct, cc) = &objects[&format!("{PREFIX}{key}")];
        (ct.as_str(), cc.as_str())
    };
    assert_eq!(header("index.html"), ("text/html; charset=utf-8", "no-cache"), "the site's rule comes first");
    assert_eq!(header("2026/03/02/index.html"), ("text/html; charset=utf-8", "public, max-age=60"));
    assert_eq!(header("feed.xml"), ("application/atom+xml", "public, max-age=60"));
    assert_eq!(header("feed.json"), ("application/feed+json", "public, max-age=60"));
    assert_eq!(header("2026/03/02/harbour.jpg"), ("image/jpeg", "public, max-age=31536000, immutable"));
    assert_eq!(header("css/daily.css"), ("text/css; charset=utf-8", "public, max-age=3600"));
    // Objects outside the prefix are never touched.
    assert_eq!(objects["elsewhere/keep.txt"].0, b"not the site's");
}

#[test]
fn folder_first_deploy_equals_the_build() {
    let (_tmp, target) = folder();
    first_deploy_equals_the_build(&target);
}

// Regression: an unchanged site must send nothing and list nothing: one read of the
// manifest, no lock.
#[test]
fn s3_unchanged_redeploy_sends_and_lists_nothing() {
    let target = s3();
    let site = site_for(&target, 0);
    site.build().assert_success();
    deploy(&site, &target, &[]).assert_success();
    site.build().assert_success();
    let Target::S3(server) = &target else { unreachable!() };
    let before = server.requests().len();
    let run = deploy(&site, &target, &["-v"]);
    run.assert_success();
    assert_no_secret(&run);
    let requests: Vec<_> = server.requests().split_off(before);
    assert_eq!(
        requests,
        [("GET".to_string(), format!("/{BUCKET}/{PREFIX}.masthead-deploy.json"))],
        "only the manifest is read"
    );
    assert!(run.stderr.contains("sent 0 files (0 bytes), deleted 0 objects"), "{}", run.stderr);

    // The store's errors are shown, its credentials never.
    let yaml = std::fs::read_to_string(site.site().join("site.yaml")).unwrap();
    site.write("site.yaml", &yaml.replace("s3://news/daily/", "s3://no-such-bucket/daily/"));
    let failed = deploy(&site, &target, &["-v"]);
    failed.assert_code(1);
    assert!(failed.stderr.contains("error: cannot"), "{}", failed.stderr);
    assert_no_secret(&failed);
}

#[test]
fn folder_unchanged_redeploy_writes_nothing() {
    let (_tmp, target) = folder();
    let site = site_for(&target, 0);
    site.build().assert_success();
    deploy(&site, &target, &[]).assert_success();
    let Target::Folder(dir) = &target else { unreachable!() };
    let stamps = || -> BTreeMap<String, std::time::SystemTime> {
        walk(dir).into_iter().map(|(k, p)| (k, std::fs::metadata(p).unwrap().modified().unwrap())).collect()
    };
    let before = stamps();
    std::thread::sleep(Duration::from_millis(20));
    deploy(&site, &target, &[]).assert_success();
    assert_eq!(stamps(), before, "no file of the target was written");
}

fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), e.path().to_path_buf()))
        .collect()
}

// Regression: an edit must send only the objects whose bytes changed, and a removed
// article's page is deleted after the uploads.
fn an_edit_sends_only_what_changed(target: &Target) {
    let site = site_for(target, 0);
    site.build().assert_success();
    deploy(&site, target, &[]).assert_success();
    let before = published(&site);
    let story = "content/2026-03-02/council-budget.md";
    let text = std::fs::read_to_string(site.site().join(story)).unwrap();
    site.write(story, &format!("{text}\nA late paragraph.\n"));
    site.remove("content/2026-03-03/market-day.md");
    site.write("content/2026-03-03/ferry.md", "---\ntitle: Ferry returns\n---\nThe ferry is back.\n");
    site.build().assert_success();
    let after = published(&site);
    let changed: BTreeSet<String> =
        after.iter().filter(|(k, v)| before.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
    let gone = before.keys().filter(|k| !after.contains_key(*k)).count();
    assert!(gone >= 1);
    let run = deploy(&site, target, &[]);
    run.assert_success();
    let deleted = if gone == 1 { "deleted 1 object,".to_string() } else { format!("deleted {gone} objects,") };
    assert!(
        run.stderr.contains(&format!("sent {} files", changed.len())) && run.stderr.contains(&deleted),
        "{}",
        run.stderr
    );
    assert_eq!(site_files(target), after);
}

// Regression: the objects sent after an edit must be exactly those whose bytes changed,
// counted at the server.
#[test]
fn s3_an_edit_sends_exactly_the_objects_whose_bytes_changed() {
    let target = s3();
    let Target::S3(server) = &target else { unreachable!() };
    let site = site_for(&target, 0);
    site.build().assert_success();
    deploy(&site, &target, &[]).assert_success();
    let before = published(&site);
    let story = "content/2026-03-02/council-budget.md";
    let text = std::fs::read_to_string(site.site().join(story)).unwrap();
    site.write(story, &format!("{text}\nA late paragraph.\n"));
    site.build().assert_success();
    let after = published(&site);
    let changed: BTreeSet<String> =
        after.iter().filter(|(k, v)| before.get(*k) != Some(v)).map(|(k, _)| k.clone()).collect();
    assert!(changed.contains("2026/03/02/council-budget/index.html") && changed.len() < after.len() / 2);
    let from = server.requests().len();
    deploy(&site, &target, &[]).assert_success();
    let sent: BTreeSet<String> = server.requests()[from..]
        .iter()
        .filter(|(m, _)| m == "PUT")
        .filter_map(|(_, p)| p.strip_prefix(&format!("/{BUCKET}/{PREFIX}")).map(str::to_string))
        .filter(|k| !k.starts_with(".masthead-deploy"))
        .collect();
    assert_eq!(sent, changed, "exactly the objects whose bytes changed are sent");
    assert_eq!(site_files(&target), after);
}

#[test]
fn s3_an_edit_and_a_removal_send_and_delete_only_what_changed() {
    let target = s3();
    an_edit_sends_only_what_changed(&target);
}

#[test]
fn folder_an_edit_and_a_removal_send_and_delete_only_what_changed() {
    let (_tmp, target) = folder();
    an_edit_sends_only_what_changed(&target);
}

// Regression: more deletions than --max-deletes must be refused before anything
// changes; --force goes ahead.
fn too_many_deletions_are_refused(target: &Target) {
    let site = site_for(target, 3);
    site.build().assert_success();
    deploy(&site, target, &[]).assert_success();
    let deployed = target.files();
    for i in 0..3 {
        site.remove(&format!("content/2026-03-03/extra-{i}.md"));
    }
    site.build().assert_success();
    let refused = deploy(&site, target, &["--max-deletes", "2"]);
    refused.assert_code(1);
    // Three pages, and the search index's files for them.
    let count: usize = refused
        .stderr
        .split("refusing to delete ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no refusal in {}", refused.stderr));
    assert!(count >= 3, "{}", refused.stderr);
    assert!(refused.stderr.contains("objects from `production` (more than --max-deletes 2)"), "{}", refused.stderr);
    assert_eq!(target.files(), deployed, "nothing changed");
    deploy(&site, target, &["--max-deletes", "2", "--force"]).assert_success();
    assert_eq!(site_files(target), published(&site));
}

#[test]
fn s3_too_many_deletions_are_refused_unless_forced() {
    too_many_deletions_are_refused(&s3());
}

#[test]
fn folder_too_many_deletions_are_refused_unless_forced() {
    let (_tmp, target) = folder();
    too_many_deletions_are_refused(&target);
}

// Regression: --force must list the target and repair drift: a stray object under the
// prefix goes, a damaged one is sent again.
#[test]
fn s3_force_repairs_drift_and_never_leaves_the_prefix() {
    let target = s3();
    let Target::S3(server) = &target else { unreachable!() };
    let site = site_for(&target, 0);
    site.build().assert_success();
    deploy(&site, &target, &[]).assert_success();
    server.put(&format!("{PREFIX}stray.html"), b"stray");
    server.put(&format!("{PREFIX}index.html"), b"damaged");
    deploy(&site, &target, &[]).assert_success();
    assert_eq!(target.files()["index.html"], b"damaged".to_vec(), "without --force the manifest is believed");
    let run = deploy(&site, &target, &["--force"]);
    run.assert_success();
    assert_eq!(site_files(&target), published(&site));
    assert_eq!(server.objects()["elsewhere/keep.txt"].0, b"not the site's");
}

// Regression: a second deploy to a target while one runs must be refused, with who holds
// the lock and how to clear a stale one.
fn a_second_deploy_is_refused(target: &Target) {
    let site = site_for(target, 30);
    // One upload at a time, so the first deploy is still running when it is stopped.
    let yaml = std::fs::read_to_string(site.site().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &yaml.replace("    - name: production\n", "    - name: production\n      concurrency: 1\n"),
    );
    site.build().assert_success();
    // A deploy stopped (SIGSTOP) while it holds the lock stands for one under way.
    for attempt in 0.. {
        assert!(attempt < 20, "could not catch a deploy holding its lock");
        site.write("content/2026-03-03/extra-0.md", &format!("---\ntitle: Take {attempt}\n---\nBody.\n"));
        site.build().assert_success();
        let args = ["-s", "site", "--color", "never", "deploy"];
        let from = request_count(target);
        let mut first =
            deploy_command(&site, target, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let start = Instant::now();
        while !lock_taken(target, from) && start.elapsed() < Duration::from_secs(10) {
            if first.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let stopped = Command::new("kill").args(["-STOP", &first.id().to_string()]).status().unwrap().success();
        if !stopped || first.try_wait().unwrap().is_some() || !lock_exists(target) {
            let _ = Command::new("kill").args(["-CONT", &first.id().to_string()]).status();
            let _ = first.wait();
            continue;
        }
        // --force takes the lock even when the first has already sent everything.
        let second = deploy(&site, target, &["--force"]);
        Command::new("kill").args(["-CONT", &first.id().to_string()]).status().unwrap();
        let status = first.wait().unwrap();
        second.assert_code(1);
        assert!(
            second.stderr.contains("another deploy to `production` is under way")
                && second.stderr.contains(&format!("by process {}", first.id()))
                && second.stderr.contains("delete `.masthead-deploy.lock`"),
            "{}",
            second.stderr
        );
        assert!(status.success(), "the first deploy finishes");
        break;
    }
    assert_eq!(site_files(target), published(&site));
    // A lock from another machine is never taken over.
    let lock = r#"{"host":"elsewhere","pid":1,"started":"2026-06-01T00:00:00Z"}"#;
    match target {
        Target::S3(server) => {
            server.put(&format!("{PREFIX}.masthead-deploy.lock"), lock.as_bytes());
        }
        Target::Folder(dir) => std::fs::write(dir.join(".masthead-deploy.lock"), lock).unwrap(),
    }
    site.write("content/2026-03-03/extra-1.md", "---\ntitle: Changed\n---\nBody.\n");
    site.build().assert_success();
    let refused = deploy(&site, target, &[]);
    refused.assert_code(1);
    assert!(refused.stderr.contains("on `elsewhere` holds the lock"), "{}", refused.stderr);
}

#[test]
fn s3_a_second_deploy_to_the_same_target_is_refused() {
    a_second_deploy_is_refused(&s3());
}

#[test]
fn folder_a_second_deploy_to_the_same_target_is_refused() {
    let (_tmp, target) = folder();
    a_second_deploy_is_refused(&target);
}

// Regression: a deploy killed (SIGKILL) at any moment must never leave a page that a
// reader can reach pointing at a missing object, and the next deploy finishes the job.
fn killed_deploys_never_break_the_site(target: &Target, seed: u64) {
    let site = site_for(target, 24);
    // Two uploads at a time, so each step of a deploy lasts long enough to be cut.
    let yaml = std::fs::read_to_string(site.site().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &yaml.replace("    - name: production\n", "    - name: production\n      concurrency: 2\n"),
    );
    let photo = std::fs::read(site.site().join("content/2026-03-02/harbour.jpg")).unwrap();
    // New pages with new photos, changed neighbours and listings, removed pages.
    let change = |round: usize| {
        let day = 2 + round % 2;
        std::fs::write(site.site().join(format!("content/2026-03-0{day}/round-{round}.jpg")), &photo).unwrap();
        site.write(
            &format!("content/2026-03-0{day}/round-{round}.md"),
            &format!(
                "---\ntitle: Round {round}\ntags: [round-{round}]\nphoto:\n  src: round-{round}.jpg\n  alt: A pier\n  credit: Desk\n---\nNew.\n"
            ),
        );
        let old = site.site().join(format!("content/2026-03-03/extra-{round}.md"));
        if old.exists() {
            std::fs::remove_file(old).unwrap();
        }
        site.build().assert_success();
    };
    site.build().assert_success();
    deploy(&site, target, &[]).assert_success();
    change(100);
    let start = Instant::now();
    deploy(&site, target, &[]).assert_success();
    // Kills land anywhere in about the time a deploy of one round's changes takes.
    let window = (start.elapsed().as_millis() as u64 * 5 / 4).clamp(10, 2_000);
    let mut rng = Lcg(seed);
    let mut killed_mid_way = 0;
    for round in 0..10 {
        change(round);
        let args = ["-s", "site", "--color", "never", "deploy"];
        let mut child =
            deploy_command(&site, target, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(window)));
        if child.try_wait().unwrap().is_none() {
            killed_mid_way += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_readers_see_a_whole_site(&site_files(target), &format!("after kill {round}"));
    }
    eprintln!("deploy kills: {killed_mid_way} of 10 landed during a deploy (window {window} ms)");
    assert!(killed_mid_way >= 3, "only {killed_mid_way} of 10 kills landed during a deploy");
    let run = deploy(&site, target, &[]);
    run.assert_success();
    assert_eq!(site_files(target), published(&site), "the next deploy finishes the job");
    assert_readers_see_a_whole_site(&site_files(target), "after the last deploy");
}

#[test]
fn s3_deploys_killed_at_random_moments_never_break_the_site() {
    killed_deploys_never_break_the_site(&s3(), 25);
}

#[test]
fn folder_deploys_killed_at_random_moments_never_break_the_site() {
    let (_tmp, target) = folder();
    killed_deploys_never_break_the_site(&target, 52);
}

#[test]
fn unknown_target_is_a_usage_error_and_a_site_without_targets_is_told_how() {
    let (_tmp, target) = folder();
    let site = site_for(&target, 0);
    site.build().assert_success();
    let run = deploy(&site, &target, &["staging"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no deploy target named `staging`; site.yaml has: production, other"),
        "{}",
        run.stderr
    );
    site.write("site.yaml", "title: X\nbase_url: https://news.example.com/\n");
    let run = deploy(&site, &target, &[]);
    run.assert_code(1);
    assert!(run.stderr.contains("site.yaml names no deploy target"), "{}", run.stderr);
}

// Regression: deploy publishes what was built; it must say so when a source changed
// after the build, and deploy a file changed by hand as it now is (hashed again).
#[test]
fn deploy_warns_about_sources_newer_than_the_build_and_hand_edited_output() {
    let (_tmp, target) = folder();
    let site = site_for(&target, 0);
    site.build().assert_success();
    std::thread::sleep(Duration::from_millis(20));
    let story = "content/2026-03-02/council-budget.md";
    let text = std::fs::read_to_string(site.site().join(story)).unwrap();
    site.write(story, &format!("{text}\nNot built yet.\n"));
    std::fs::write(site.out().join("robots.txt"), "User-agent: *\nDisallow: /\n").unwrap();
    let run = deploy(&site, &target, &[]);
    run.assert_success();
    assert!(
        run.stderr.contains(&format!(
            "warning: `{story}` changed after the last build; deploying what was built (run `masthead build` first to publish it)"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("warning: 1 file in `public/` changed since the build (first `robots.txt`)"),
        "{}",
        run.stderr
    );
    assert_eq!(target.files()["robots.txt"], b"User-agent: *\nDisallow: /\n".to_vec());
    assert_eq!(site_files(&target), published(&site));
}

// Regression: a lock left by a deploy killed on this machine (its process is gone) must
// not block the next deploy forever: it is taken over, with a note.
#[test]
fn a_lock_left_by_a_killed_deploy_on_this_machine_is_taken_over() {
    let (_tmp, target) = folder();
    let site = site_for(&target, 0);
    site.build().assert_success();
    let mut gone = Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let Target::Folder(dir) = &target else { unreachable!() };
    std::fs::create_dir_all(dir).unwrap();
    let lock = format!(r#"{{"host":"{host}","pid":{},"started":"2026-06-01T00:00:00Z"}}"#, gone.id());
    std::fs::write(dir.join(".masthead-deploy.lock"), lock).unwrap();
    let run = deploy(&site, &target, &[]);
    run.assert_success();
    assert!(
        run.stderr.contains(&format!("note: taking over the lock of a deploy to `production` that stopped without finishing (process {} of this machine", gone.id())),
        "{}",
        run.stderr
    );
    assert_eq!(site_files(&target), published(&site));
    assert!(!dir.join(".masthead-deploy.lock").exists());
}
