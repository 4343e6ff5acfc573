//! Tests of the preview server's HTTP side: path resolution, injection,
//! hosts, and a real server on a loopback port.
use std::collections::HashMap;
use std::io::{Read, Write};

use super::*;

#[test]
fn resolves_request_paths_to_output_paths() {
    let table: &[(&str, &[&str])] = &[
        ("/", &["index.html"]),
        ("/index.html", &["index.html"]),
        ("/a/", &["a/index.html"]),
        ("/a/b/", &["a/b/index.html"]),
        ("/a/b", &["a/b", "a/b/index.html"]),
        ("/a/b.css", &["a/b.css"]),
        ("/feed.xml", &["feed.xml"]),
        ("/2026/03/02/ferry/", &["2026/03/02/ferry/index.html"]),
        ("/caf%C3%A9/", &["café/index.html"]),
        ("/a%20b.txt", &["a b.txt"]),
        ("/..a/b..c", &["..a/b..c"]),
    ];
    for (raw, want) in table {
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(resolve(raw), Ok(want), "{raw}");
    }
}

#[test]
fn refuses_paths_that_leave_the_site_or_are_malformed() {
    use Refusal::{Forbidden, Malformed};
    let table = [
        ("/../etc/passwd", Forbidden),
        ("/a/../../x", Forbidden),
        ("/..", Forbidden),
        ("/a/..", Forbidden),
        ("/./a", Forbidden),
        ("/%2e%2e/x", Forbidden),
        ("/%2E%2E/x", Forbidden),
        ("/.%2e/x", Forbidden),
        ("/%252e%252e/x", Forbidden),
        ("/%25", Forbidden),
        ("/a/%2f/b", Forbidden),
        ("/a/%2F..%2Fb", Forbidden),
        ("/a\\b", Forbidden),
        ("/a%5cb", Forbidden),
        ("/c:/x", Forbidden),
        ("/C:%5cx", Forbidden),
        ("/a/file.txt:stream", Forbidden),
        ("//x", Forbidden),
        ("//evil.example/", Forbidden),
        ("/a//b", Forbidden),
        ("/a/%00", Malformed),
        ("/a%0a.html", Malformed),
        ("/%zz", Malformed),
        ("/%2", Malformed),
        ("/%ff", Malformed),
        ("a/b", Malformed),
        ("", Malformed),
    ];
    for (raw, want) in table {
        assert_eq!(resolve(raw), Err(want), "{raw}");
    }
    assert_eq!(Forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(Malformed.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn allows_only_local_host_names_on_a_specific_address() {
    let hosts = AllowedHosts::new("127.0.0.1:8080".parse().expect("address"));
    for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"] {
        assert!(hosts.allows(Some(host)), "{host}");
    }
    let refused =
        ["evil.example:8080", "localhost:8081", "localhost", "127.0.0.1", "localhost.:8080", "127.0.0.1:8080.evil", ""];
    for host in refused {
        assert!(!hosts.allows(Some(host)), "{host}");
    }
    assert!(!hosts.allows(None));

    let lan = AllowedHosts::new("192.168.1.5:3000".parse().expect("address"));
    assert!(lan.allows(Some("192.168.1.5:3000")) && lan.allows(Some("localhost:3000")));
    assert!(!lan.allows(Some("192.168.1.6:3000")));
    let v6 = AllowedHosts::new("[::1]:4000".parse().expect("address"));
    assert!(v6.allows(Some("[::1]:4000")) && v6.allows(Some("localhost:4000")));
    let port_80 = AllowedHosts::new("127.0.0.1:80".parse().expect("address"));
    assert!(port_80.allows(Some("localhost")) && port_80.allows(Some("localhost:80")));
    assert!(!port_80.allows(Some("evil.example")));
}

#[test]
fn allows_any_host_when_bound_to_every_interface() {
    for addr in ["0.0.0.0:8080", "[::]:8080"] {
        let hosts = AllowedHosts::new(addr.parse().expect("address"));
        assert!(hosts.allows(Some("evil.example")) && hosts.allows(Some("192.168.1.5:8080")));
        assert!(hosts.allows(None));
    }
}

#[test]
fn injects_the_script_into_html_only() {
    let page = |html: &'static str| {
        let (content_type, body) = prepare("a/index.html", Bytes::from_static(html.as_bytes()), None);
        (content_type, String::from_utf8(body.to_vec()).unwrap())
    };
    let (content_type, body) = page("<html><body><p>Hi</p></body></html>");
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert_eq!(body, format!("<html><body><p>Hi</p>{SCRIPT_TAG}</body></html>"));
    let (_, body) = page("<HTML><BODY>x</BODY></HTML>\n");
    assert_eq!(body, format!("<HTML><BODY>x{SCRIPT_TAG}</BODY></HTML>\n"));
    // The last `</body>` counts; without one the script goes at the end.
    let (_, body) = page("<pre></body></pre></Body >");
    assert_eq!(body, format!("<pre></body></pre>{SCRIPT_TAG}</Body >"));
    assert_eq!(page("<p>fragment").1, format!("<p>fragment{SCRIPT_TAG}"));

    let (content_type, css) = prepare("css/daily.css", Bytes::from_static(b"/* </body> */"), Some("<div>x</div>"));
    assert_eq!((content_type, &css.to_vec()[..]), ("text/css; charset=utf-8", &b"/* </body> */"[..]));
}

#[test]
fn injects_the_overlay_while_the_site_is_broken() {
    let (_, body) = prepare("404.html", Bytes::from_static(b"<body>x</body>"), Some("<div id=o></div>"));
    assert_eq!(String::from_utf8(body.to_vec()).unwrap(), format!("<body>x<div id=o></div>{SCRIPT_TAG}</body>"));
}

#[test]
fn content_types() {
    let table = [
        ("index.html", "text/html; charset=utf-8"),
        ("css/daily.css", "text/css; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
        ("feed.json", "application/json"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("photos/Ferry.JPG", "image/jpeg"),
        ("photos/a.png", "image/png"),
        ("logo.svg", "image/svg+xml"),
        ("CNAME", "application/octet-stream"),
    ];
    for (path, want) in table {
        assert_eq!(content_type(path), want, "{path}");
    }
}

fn bytes(text: &str) -> Body {
    Body::Bytes(Arc::from(text.as_bytes()))
}

fn site() -> Snapshot {
    let files: HashMap<String, Body> = [
        ("index.html", bytes("<html><body><h1>Front page</h1></body></html>")),
        ("2026/03/02/index.html", bytes("<html><body>Edition</body></html>")),
        ("css/daily.css", bytes("body { color: black }")),
        ("404.html", bytes("<html><body><h1>No such page</h1></body></html>")),
    ]
    .into_iter()
    .map(|(path, body)| (path.to_string(), body))
    .collect();
    Snapshot { files: files.into(), generation: 1, pending: false }
}

async fn start(snapshot: Snapshot) -> (SocketAddr, Arc<Shared>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let shared = Shared::new(snapshot);
    tokio::spawn(serve(listener, Arc::clone(&shared), AllowedHosts::new(addr)));
    (addr, shared)
}

/// One raw HTTP/1.1 exchange, so nothing between us and the server
/// normalises the path; returns the whole response as text.
async fn raw(addr: SocketAddr, method: &str, target: &str, host: &str) -> String {
    let request = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let exchange = move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
        stream.write_all(request.as_bytes()).expect("write");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        String::from_utf8_lossy(&response).into_owned()
    };
    tokio::task::spawn_blocking(exchange).await.expect("client thread")
}

fn status(response: &str) -> &str {
    response.split(' ').nth(1).unwrap_or_default()
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[tokio::test]
async fn serves_pages_styles_and_the_404_page() {
    let (addr, _shared) = start(site()).await;
    let host = addr.to_string();

    let page = raw(addr, "GET", "/", &host).await;
    assert_eq!(status(&page), "200", "{page}");
    assert_eq!(header(&page, "content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(header(&page, "cache-control"), Some("no-cache, no-store, must-revalidate"));
    assert_eq!(header(&page, "x-content-type-options"), Some("nosniff"));
    assert!(page.ends_with(&format!("<h1>Front page</h1>{SCRIPT_TAG}</body></html>")), "{page}");

    let css = raw(addr, "GET", "/css/daily.css?v=1", "localhost:1").await;
    assert_eq!(status(&css), "403", "the port must match too");
    let css = raw(addr, "GET", "/css/daily.css?v=1", &format!("localhost:{}", addr.port())).await;
    assert_eq!(header(&css, "content-type"), Some("text/css; charset=utf-8"));
    assert!(css.ends_with("\r\n\r\nbody { color: black }"), "{css}");

    let missing = raw(addr, "GET", "/2026/03/03/", &host).await;
    assert_eq!(status(&missing), "404");
    assert_eq!(header(&missing, "content-type"), Some("text/html; charset=utf-8"));
    assert!(missing.contains(&format!("<h1>No such page</h1>{SCRIPT_TAG}")), "{missing}");

    let folder = raw(addr, "GET", "/2026/03/02?x=1", &host).await;
    assert_eq!((status(&folder), header(&folder, "location")), ("301", Some("/2026/03/02/?x=1")));
    let script = raw(addr, "GET", SCRIPT_PATH, &host).await;
    assert!(script.contains("EventSource"), "{script}");
    let head = raw(addr, "HEAD", "/", &host).await;
    assert!(status(&head) == "200" && head.ends_with("\r\n\r\n"), "{head}");
}

#[tokio::test]
async fn refuses_foreign_hosts_traversal_and_other_methods() {
    let (addr, shared) = start(site()).await;
    let host = addr.to_string();
    let foreign = raw(addr, "GET", "/", &format!("evil.example:{}", addr.port())).await;
    assert_eq!(status(&foreign), "403", "{foreign}");
    assert!(!foreign.contains("Front page"));
    for target in ["/../x", "/%2e%2e/x", "/%252e%252e/x", "/a/%2f/b", "//x"] {
        let response = raw(addr, "GET", target, &host).await;
        assert!(["400", "403", "404"].contains(&status(&response)), "{target}: {response}");
    }
    let post = raw(addr, "POST", "/", &host).await;
    assert_eq!((status(&post), header(&post, "allow")), ("405", Some("GET, HEAD")));

    shared.fail("<div id=\"masthead-error-overlay\">broken</div>".to_string());
    let page = raw(addr, "GET", "/", &host).await;
    assert!(page.contains(&format!("<div id=\"masthead-error-overlay\">broken</div>{SCRIPT_TAG}")), "{page}");
    for response in [page, foreign, post] {
        assert_eq!(header(&response, "access-control-allow-origin"), None);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn serves_copied_files_but_not_symlinks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = dir.path().join("photo.jpg");
    std::fs::write(&photo, b"JPEG").expect("write");
    let link = dir.path().join("link.jpg");
    // Even a link to a file inside the site is refused: simple and safe.
    std::os::unix::fs::symlink(&photo, &link).expect("symlink");
    let mut snapshot = site();
    snapshot.files.insert("photo.jpg".into(), Body::File(photo));
    snapshot.files.insert("link.jpg".into(), Body::File(link));
    let (addr, _shared) = start(snapshot).await;
    let photo = raw(addr, "GET", "/photo.jpg", &addr.to_string()).await;
    assert_eq!(header(&photo, "content-type"), Some("image/jpeg"));
    assert!(photo.ends_with("\r\n\r\nJPEG"), "{photo}");
    let link = raw(addr, "GET", "/link.jpg", &addr.to_string()).await;
    assert_eq!(status(&link), "404", "{link}");
}

/// Opens the event stream and reads until `until` arrives; `connected`
/// is told once the response headers came (the handler has subscribed).
fn read_events(addr: SocketAddr, until: &str, connected: tokio::sync::oneshot::Sender<()>) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    let request = format!("GET {EVENTS_PATH} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let (mut seen, mut buf, mut connected) = (String::new(), [0; 4096], Some(connected));
    while !seen.contains(until) {
        let n = stream.read(&mut buf).expect("read before timeout");
        assert!(n > 0, "stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if seen.contains("\r\n\r\n") {
            connected.take().map(|tx| tx.send(()));
        }
    }
    seen
}

#[tokio::test]
async fn streams_reload_messages() {
    let (addr, shared) = start(site()).await;
    let (connected, subscribed) = tokio::sync::oneshot::channel();
    let client = tokio::task::spawn_blocking(move || read_events(addr, "\"pages\"", connected));
    subscribed.await.expect("event stream answered");
    shared.publish(site(), Some(Reload::Pages(vec!["/2026/03/02/".into()])));
    let seen = client.await.expect("client thread");
    assert_eq!(header(&seen, "content-type"), Some("text/event-stream"));
    assert!(seen.contains("data: {"), "{seen}");
    assert!(seen.contains(r#""paths":["/2026/03/02/"]"#), "{seen}");
}

#[tokio::test]
async fn a_new_event_stream_starts_with_the_current_error() {
    let (addr, shared) = start(site()).await;
    shared.fail("<div>broken</div>".to_string());
    let (connected, _) = tokio::sync::oneshot::channel();
    let seen = tokio::task::spawn_blocking(move || read_events(addr, "broken", connected)).await.expect("client");
    assert!(seen.contains(r#""type":"error""#), "{seen}");
}

#[tokio::test]
async fn a_page_still_being_rendered_is_answered_once_it_is() {
    let (addr, shared) = start(Snapshot { pending: true, ..site() }).await;
    let host = addr.to_string();
    // Present pages are answered at once; a missing one waits for the complete snapshot.
    assert_eq!(status(&raw(addr, "GET", "/", &host).await), "200");
    let waiting = tokio::spawn(async move { raw(addr, "GET", "/2026/03/02/newsletter.html", &host).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the request must wait while pages are pending");
    let mut complete = site();
    complete.files.insert("2026/03/02/newsletter.html".into(), bytes("<html><body>Letter</body></html>"));
    complete.generation = 2;
    shared.publish(complete, None);
    let letter = waiting.await.expect("request task");
    assert_eq!(status(&letter), "200", "{letter}");
    assert!(letter.contains("Letter"), "{letter}");
}
