//! `masthead deploy` (SPEC §11) against a real S3 server started here on
//! 127.0.0.1 (moto's, installed by `.ci/run`) and against a folder: the
//! first deploy equals the build, an unchanged site sends and lists
//! nothing, an edit sends only what changed, deletions are bounded, the
//! prefix is the limit, a second deploy is refused while one runs, and a
//! deploy killed at any moment never leaves a reachable page pointing at a
//! missing object and is finished by the next.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use crate::support::{CLOCK, Run, SiteFixture, masthead_command, snapshot};

const KEY_ID: &str = "AKIAFAKEKEYID0042";
const SECRET: &str = "fake-secret-9f8e7d6c5b4a";
const BUCKET: &str = "news";
const PREFIX: &str = "daily/";

/// moto's S3 server on a free port of 127.0.0.1, stopped on drop. Its
/// request log (one line per request) is how the tests count requests.
struct S3Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl S3Server {
    fn start() -> S3Server {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("requests.log");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("moto_server is not installed: run `pip install 'moto[server]'` (.ci/run does)");
        let server = S3Server { child, port, log, _dir: dir };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "moto_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server.raw("PUT", &format!("/{BUCKET}"), b"");
        server.put("elsewhere/keep.txt", b"not the site's");
        server
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An unsigned request (moto accepts them); returns the status line.
    fn raw(&self, method: &str, path: &str, body: &[u8]) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or_default().to_string()
    }

    /// Writes an object as another tool would (signed, so it may replace one).
    fn put(&self, key: &str, body: &[u8]) {
        use object_store::ObjectStoreExt as _;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let path = object_store::path::Path::from(key);
        rt.block_on(self.client().put(&path, body.to_vec().into())).unwrap();
    }

    /// The requests so far: (method, path with query).
    fn requests(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let quoted = l.split('"').nth(1)?;
                let mut parts = quoted.split(' ');
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            })
            .filter(|(_, path)| path.starts_with(&format!("/{BUCKET}")))
            .collect()
    }

    fn client(&self) -> object_store::aws::AmazonS3 {
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(self.endpoint())
            .with_allow_http(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id(KEY_ID)
            .with_secret_access_key(SECRET)
            .build()
            .unwrap()
    }

    /// Every object of the bucket: key → (bytes, content type, cache control).
    fn objects(&self) -> BTreeMap<String, (Vec<u8>, String, String)> {
        use futures_util::StreamExt as _;
        use object_store::{Attribute, ObjectStore as _, ObjectStoreExt as _};
        let store = self.client();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let mut out = BTreeMap::new();
            let mut list = store.list(None);
            while let Some(meta) = list.next().await {
                let key = meta.unwrap().location;
                let got = store.get(&key).await.unwrap();
                let attr = |a| got.attributes.get(&a).map(|v| v.to_string()).unwrap_or_default();
                let (ct, cc) = (attr(Attribute::ContentType), attr(Attribute::CacheControl));
                out.insert(key.to_string(), (got.bytes().await.unwrap().to_vec(), ct, cc));
            }
            out
        })
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a test deploys.
enum Target {
    S3(S3Server),
    Folder(PathBuf),
}

impl Target {
    fn url(&self) -> String {
        match self {
            Target::S3(_) => format!("s3://{BUCKET}/{PREFIX}"),
            Target::Folder(dir) => format!("file://{}/", dir.display()),
        }
    }

    /// Every object under the target's prefix (deploy's own included),
    /// relative to it.
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        match self {
            Target::S3(server) => server
                .objects()
                .into_iter()
                .filter_map(|(k, (bytes, _, _))| Some((k.strip_prefix(PREFIX)?.to_string(), bytes)))
                .collect(),
            Target::Folder(dir) if dir.exists() => snapshot(dir),
            Target::Folder(_) => BTreeMap::new(),
        }
    }
}

/// The two_editions site with a deploy target, and `extra` more articles
/// (so a deploy takes long enough to be killed half way).
fn site_for(target: &Target, extra: usize) -> SiteFixture {
    let site = SiteFixture::new("two_editions");
    let yaml = std::fs::read_to_string(site.site().join("site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!(
            "{yaml}deploy:\n  targets:\n    - name: production\n      url: {}\n      cache_control:\n        \"/index.html\": \"no-cache\"\n    - name: other\n      url: file:///nonexistent-other/\n",
            target.url()
        ),
    );
    for i in 0..extra {
        site.write(
            &format!("content/2026-03-03/extra-{i}.md"),
            &format!("---\ntitle: Extra story {i}\n---\nBody {i}.\n"),
        );
    }
    site
}

fn deploy(site: &SiteFixture, target: &Target, args: &[&str]) -> Run {
    let mut all = vec!["-s", "site", "--color", "never", "--clock", CLOCK, "deploy"];
    all.extend_from_slice(args);
    let mut command = deploy_command(site, target, &all);
    let output = command.output().expect("run masthead deploy");
    Run {
        args: all.iter().map(|s| s.to_string()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn deploy_command(site: &SiteFixture, target: &Target, args: &[&str]) -> Command {
    let mut command = masthead_command(site.root(), args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
        command.env_remove(k);
    }
    if let Target::S3(server) = target {
        command
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", server.endpoint())
            .env("AWS_ALLOW_HTTP", "true");
    }
    command
}

/// The output as deploy publishes it (masthead's marker is not part of it).
fn published(site: &SiteFixture) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(&site.out());
    files.remove(".masthead-output");
    files
}

/// The target's files that are the site's (not deploy's manifest or lock).
fn site_files(target: &Target) -> BTreeMap<String, Vec<u8>> {
    let mut files = target.files();
    files.retain(|k, _| !k.starts_with(".masthead-deploy"));
    files
}

fn assert_no_secret(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(SECRET) && !text.contains(KEY_ID), "a credential was printed:\n{}", run.transcript());
    }
}

fn s3() -> Target {
    Target::S3(S3Server::start())
}

fn folder() -> (tempfile::TempDir, Target) {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::Folder(dir.path().join("www"));
    (dir, target)
}

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
    assert!(
        refused.stderr.contains("refusing to delete 3 objects from `production` (more than --max-deletes 2)"),
        "{}",
        refused.stderr
    );
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
/// Whether the lock object is there now.
fn lock_exists(target: &Target) -> bool {
    use object_store::ObjectStoreExt as _;
    match target {
        Target::S3(server) => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let key = object_store::path::Path::from(format!("{PREFIX}.masthead-deploy.lock"));
            rt.block_on(server.client().head(&key)).is_ok()
        }
        Target::Folder(dir) => dir.join(".masthead-deploy.lock").exists(),
    }
}

/// Whether a deploy has created the lock since request number `from` (S3: from the
/// server's log, so polling sends nothing).
fn lock_taken(target: &Target, from: usize) -> bool {
    match target {
        Target::S3(server) => {
            server.requests()[from..].iter().any(|(m, p)| m == "PUT" && p.ends_with(".masthead-deploy.lock"))
        }
        Target::Folder(dir) => dir.join(".masthead-deploy.lock").exists(),
    }
}

fn request_count(target: &Target) -> usize {
    match target {
        Target::S3(server) => server.requests().len(),
        Target::Folder(_) => 0,
    }
}

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

/// Where a link or `src` of the page `key` points in the target, if it is in the site.
fn resolve(page: &str, link: &str) -> Option<String> {
    let link = link.split(['#', '?']).next()?;
    if link.is_empty() || link.starts_with("mailto:") || link.starts_with("data:") {
        return None;
    }
    let path = if let Some(rest) = link.strip_prefix("https://news.example.com/") {
        rest.to_string()
    } else if link.contains("://") || link.starts_with("//") {
        return None;
    } else if let Some(rest) = link.strip_prefix('/') {
        rest.to_string()
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        for seg in link.split('/') {
            match seg {
                ".." => {
                    parts.pop();
                }
                "." => {}
                s => parts.push(s),
            }
        }
        let joined = parts.join("/");
        if link.ends_with('/') { format!("{joined}/") } else { joined }
    };
    Some(if path.is_empty() || path.ends_with('/') { format!("{path}index.html") } else { path })
}

/// Links (`href`) and sources (`src`, `srcset`) of an HTML page.
fn links_of(html: &str) -> (Vec<String>, Vec<String>) {
    let doc = Html::parse_document(html);
    let attr = |sel: &str, a: &str| -> Vec<String> {
        let sel = Selector::parse(sel).unwrap();
        doc.select(&sel).filter_map(|e| e.value().attr(a)).map(str::to_string).collect()
    };
    let mut sources = attr("[src]", "src");
    sources.extend(attr("link[rel=stylesheet]", "href"));
    for set in attr("[srcset]", "srcset") {
        sources.extend(set.split(',').filter_map(|c| c.split_whitespace().next().map(str::to_string)));
    }
    (attr("a[href]", "href"), sources)
}

/// What a reader can see is whole: every page's photos, stylesheets and scripts are
/// there, and every page reachable from the front page links only to objects there.
fn assert_readers_see_a_whole_site(files: &BTreeMap<String, Vec<u8>>, what: &str) {
    let html = |k: &str| k.ends_with(".html").then(|| String::from_utf8_lossy(&files[k]).into_owned());
    for key in files.keys() {
        if let Some(page) = html(key) {
            for src in links_of(&page).1 {
                if let Some(target) = resolve(key, &src) {
                    assert!(files.contains_key(&target), "{what}: `{key}` shows `{src}`, which is missing");
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut queue = vec!["index.html".to_string()];
    while let Some(key) = queue.pop() {
        if !seen.insert(key.clone()) || !files.contains_key(&key) {
            continue;
        }
        if let Some(page) = html(&key) {
            for href in links_of(&page).0 {
                if let Some(target) = resolve(&key, &href) {
                    assert!(
                        files.contains_key(&target),
                        "{what}: `{key}`, reachable from the front page, links to `{href}`, which is missing"
                    );
                    queue.push(target);
                }
            }
        }
    }
}

/// A small deterministic generator (no dependency for ten numbers).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
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
