//! What the deploy tests share: moto's S3 server on 127.0.0.1 (started per test,
//! its request log read to count requests), the two kinds of target, the fixture site
//! with its `deploy:` section, and the check that a reader sees a whole site.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{Html, Selector};

use super::{CLOCK, Run, SiteFixture, masthead_command, snapshot};

pub(crate) const KEY_ID: &str = "AKIAFAKEKEYID0042";
pub(crate) const SECRET: &str = "fake-secret-9f8e7d6c5b4a";
pub(crate) const BUCKET: &str = "news";
pub(crate) const PREFIX: &str = "daily/";

/// moto's S3 server on a free port of 127.0.0.1, stopped on drop. Its
/// request log (one line per request) is how the tests count requests.
pub(crate) struct S3Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl S3Server {
    pub(crate) fn start() -> S3Server {
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

    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An unsigned request (moto accepts them); returns the status line.
    pub(crate) fn raw(&self, method: &str, path: &str, body: &[u8]) -> String {
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
    pub(crate) fn put(&self, key: &str, body: &[u8]) {
        use object_store::ObjectStoreExt as _;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let path = object_store::path::Path::from(key);
        rt.block_on(self.client().put(&path, body.to_vec().into())).unwrap();
    }

    /// The requests so far: (method, path with query).
    pub(crate) fn requests(&self) -> Vec<(String, String)> {
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

    pub(crate) fn client(&self) -> object_store::aws::AmazonS3 {
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
    pub(crate) fn objects(&self) -> BTreeMap<String, (Vec<u8>, String, String)> {
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
pub(crate) enum Target {
    S3(S3Server),
    Folder(PathBuf),
}

impl Target {
    pub(crate) fn url(&self) -> String {
        match self {
            Target::S3(_) => format!("s3://{BUCKET}/{PREFIX}"),
            Target::Folder(dir) => format!("file://{}/", dir.display()),
        }
    }

    /// Every object under the target's prefix (deploy's own included),
    /// relative to it.
    pub(crate) fn files(&self) -> BTreeMap<String, Vec<u8>> {
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
pub(crate) fn site_for(target: &Target, extra: usize) -> SiteFixture {
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

pub(crate) fn deploy(site: &SiteFixture, target: &Target, args: &[&str]) -> Run {
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

pub(crate) fn deploy_command(site: &SiteFixture, target: &Target, args: &[&str]) -> Command {
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
pub(crate) fn published(site: &SiteFixture) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(&site.out());
    files.remove(".masthead-output");
    files
}

/// The target's files that are the site's (not deploy's manifest or lock).
pub(crate) fn site_files(target: &Target) -> BTreeMap<String, Vec<u8>> {
    let mut files = target.files();
    files.retain(|k, _| !k.starts_with(".masthead-deploy"));
    files
}

pub(crate) fn assert_no_secret(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(SECRET) && !text.contains(KEY_ID), "a credential was printed:\n{}", run.transcript());
    }
}

pub(crate) fn s3() -> Target {
    Target::S3(S3Server::start())
}

pub(crate) fn folder() -> (tempfile::TempDir, Target) {
    let dir = tempfile::tempdir().unwrap();
    let target = Target::Folder(dir.path().join("www"));
    (dir, target)
}

/// Whether the lock object is there now.
pub(crate) fn lock_exists(target: &Target) -> bool {
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
pub(crate) fn lock_taken(target: &Target, from: usize) -> bool {
    match target {
        Target::S3(server) => {
            server.requests()[from..].iter().any(|(m, p)| m == "PUT" && p.ends_with(".masthead-deploy.lock"))
        }
        Target::Folder(dir) => dir.join(".masthead-deploy.lock").exists(),
    }
}

pub(crate) fn request_count(target: &Target) -> usize {
    match target {
        Target::S3(server) => server.requests().len(),
        Target::Folder(_) => 0,
    }
}

/// Where a link or `src` of the page `key` points in the target, if it is in the site.
pub(crate) fn resolve(page: &str, link: &str) -> Option<String> {
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
pub(crate) fn links_of(html: &str) -> (Vec<String>, Vec<String>) {
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
pub(crate) fn assert_readers_see_a_whole_site(files: &BTreeMap<String, Vec<u8>>, what: &str) {
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
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}
