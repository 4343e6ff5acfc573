//! The preview server's HTTP side: maps request paths to files of the current
//! snapshot (refusing `..`, encoded traversal and foreign `Host` names), sets
//! content types and no-cache headers, injects the live-reload script into
//! HTML pages only, and streams reload messages to open tabs.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use tokio::net::TcpListener;
use tokio::sync::broadcast::{self, error::RecvError};

use super::body::{FileBody, Pieces};
use super::livereload::{self, EVENTS_PATH, SCRIPT_PATH, SCRIPT_TAG};
use super::state::{Reload, Shared};
use crate::incremental::{Body, Snapshot};

/// How often the event stream sends a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Serves `shared`'s current snapshot on `listener` until the process ends.
/// Requests whose `Host` is not in `hosts` are refused.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, hosts: AllowedHosts) -> std::io::Result<()> {
    let app = App { shared, hosts: Arc::new(hosts) };
    super::listen::serve(listener, Router::new().fallback(handle).with_state(app)).await
}

/// The `Host` names the server answers to: a web page elsewhere can point its
/// own domain name at 127.0.0.1 (DNS rebinding) and then read drafts, but its
/// requests still carry that domain in `Host`, so they are refused.
///
/// Bound to a specific address, the server accepts `<bind-ip>:<port>`,
/// `localhost:<port>`, `127.0.0.1:<port>` and `[::1]:<port>` (without the
/// port too when it is 80). Bound to every interface (`0.0.0.0` or `::`),
/// the user has chosen to expose the site to the network under names the
/// server cannot know, so any `Host` (or none) is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedHosts {
    /// Lowercase `host:port` values; `None` means any host.
    hosts: Option<Vec<String>>,
}

impl AllowedHosts {
    /// The hosts for a server listening on `addr`; pass the listener's
    /// `local_addr()` so that a port chosen by the system (`:0`) is right.
    pub(crate) fn new(addr: SocketAddr) -> Self {
        if addr.ip().is_unspecified() {
            return AllowedHosts { hosts: None };
        }
        let port = addr.port();
        let bound = match addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "[::1]".to_string()];
        if !names.contains(&bound) {
            names.push(bound);
        }
        let mut hosts: Vec<String> = names.iter().map(|name| format!("{name}:{port}")).collect();
        if port == 80 {
            // Browsers leave out the default port.
            hosts.extend(names);
        }
        AllowedHosts { hosts: Some(hosts) }
    }

    /// Whether a request with this `Host` header (if any) is answered.
    pub(crate) fn allows(&self, host: Option<&str>) -> bool {
        match (&self.hosts, host) {
            (None, _) => true,
            (Some(hosts), Some(host)) => hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host.trim())),
            (Some(_), None) => false,
        }
    }
}

/// Why a request path is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a usable path: no leading `/`, a broken `%` escape, invalid
    /// UTF-8 or control characters (NUL, newline). Answered with 400.
    Malformed,
    /// Tries to leave the site or to pass for another path: `.`/`..`
    /// segments (plain or encoded), encoded `/` or `\`, double encoding
    /// (`%25`), backslashes, empty segments (`//x`) or drive-like
    /// segments (`c:`). Answered with 403.
    Forbidden,
}

impl Refusal {
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Refusal::Malformed => StatusCode::BAD_REQUEST,
            Refusal::Forbidden => StatusCode::FORBIDDEN,
        }
    }

    fn message(self) -> &'static str {
        match self {
            Refusal::Malformed => "masthead serve: malformed request path\n",
            Refusal::Forbidden => "masthead serve: this path is outside the site\n",
        }
    }
}

/// The output paths a raw (still percent-encoded) request path may name, in
/// the order to try them: `/` → `index.html`, `/a/b/` → `a/b/index.html`,
/// `/a/b.css` → `a/b.css` (a last segment with an extension names a file),
/// and `/a/b` → `a/b`, then `a/b/index.html`, which the server answers with a
/// redirect to `/a/b/` so relative links on that page work. The path is
/// decoded exactly once; anything that could reach outside the site, or mean
/// something else after a second decoding, is refused.
pub fn resolve(raw_path: &str) -> Result<Vec<String>, Refusal> {
    let Some(rest) = raw_path.strip_prefix('/') else {
        return Err(Refusal::Malformed);
    };
    if !escapes_are_well_formed(rest) {
        return Err(Refusal::Malformed);
    }
    let lower = rest.to_ascii_lowercase();
    if rest.contains('\\') || ["%2f", "%5c", "%25"].iter().any(|escape| lower.contains(escape)) {
        return Err(Refusal::Forbidden);
    }
    let path = percent_decode_str(rest).decode_utf8().map_err(|_| Refusal::Malformed)?;
    if path.chars().any(char::is_control) {
        return Err(Refusal::Malformed);
    }
    let segments: Vec<&str> = path.split('/').collect();
    let (last, dirs) = segments.split_last().ok_or(Refusal::Malformed)?;
    if dirs.iter().any(|segment| segment.is_empty()) || segments.iter().any(|segment| is_forbidden_segment(segment)) {
        return Err(Refusal::Forbidden);
    }
    Ok(if last.is_empty() {
        vec![format!("{path}index.html")]
    } else if last.contains('.') {
        vec![path.into_owned()]
    } else {
        vec![path.to_string(), format!("{path}/index.html")]
    })
}

/// Every `%` starts an escape of two hex digits.
fn escapes_are_well_formed(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
}

/// `.` and `..` move around the tree; `\` and `:` (`c:`, `file:stream`)
/// mean other paths on some systems. Output paths never contain them.
fn is_forbidden_segment(segment: &str) -> bool {
    segment == "." || segment == ".." || segment.contains('\\') || segment.contains(':')
}

#[derive(Clone)]
struct App {
    shared: Arc<Shared>,
    hosts: Arc<AllowedHosts>,
}

async fn handle(State(app): State<App>, method: Method, headers: HeaderMap, uri: Uri) -> Response {
    let mut response = answer(&app, &method, &headers, &uri).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store, must-revalidate"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Drafts stay private: never let another origin read a response.
    headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    response
}

async fn answer(app: &App, method: &Method, headers: &HeaderMap, uri: &Uri) -> Response {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
    let authority_allowed = uri.authority().is_none_or(|authority| app.hosts.allows(Some(authority.as_str())));
    if !app.hosts.allows(host) || !authority_allowed {
        return text(StatusCode::FORBIDDEN, "masthead serve: requests for this host name are refused\n");
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "masthead serve: only GET and HEAD are supported\n");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    match uri.path() {
        SCRIPT_PATH => (StatusCode::OK, [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], livereload::SCRIPT)
            .into_response(),
        EVENTS_PATH => events(&app.shared),
        _ => site_file(&app.shared, uri).await,
    }
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// How long a request for a page not rendered yet waits (start-up only;
/// rendering all of a 100,000-article site takes about 20 s).
const PENDING_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

async fn site_file(shared: &Shared, uri: &Uri) -> Response {
    let candidates = match resolve(uri.path()) {
        Ok(candidates) => candidates,
        Err(refusal) => return text(refusal.status(), refusal.message()),
    };
    let mut snapshot = shared.snapshot();
    let lacks = |s: &Snapshot| candidates.iter().all(|path| !s.files.contains_key(path));
    if snapshot.pending && lacks(&snapshot) {
        // Just after start-up some pages are still being rendered.
        snapshot = shared.snapshot_when(|s| !lacks(s), PENDING_WAIT).await;
    }
    let found =
        candidates.iter().enumerate().find_map(|(i, path)| snapshot.files.get(path).map(|body| (i, path, body)));
    match found {
        Some((0, path, body)) => match file_response(shared, path, body, StatusCode::OK).await {
            Some(response) => response,
            None => not_found(shared, &snapshot).await,
        },
        // Only a slash-less path has a second candidate, its `index.html`.
        Some(_) => redirect_to_folder(uri),
        None => not_found(shared, &snapshot).await,
    }
}

fn redirect_to_folder(uri: &Uri) -> Response {
    // `resolve` accepted the path, so it starts with one `/` and cannot
    // turn into a `//host` redirect.
    let mut location = format!("{}/", uri.path());
    if let Some(query) = uri.query() {
        location.push('?');
        location.push_str(query);
    }
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response()
}

async fn not_found(shared: &Shared, snapshot: &Snapshot) -> Response {
    if let Some(body) = snapshot.files.get("404.html") {
        if let Some(response) = file_response(shared, "404.html", body, StatusCode::NOT_FOUND).await {
            return response;
        }
    }
    let page = Bytes::from_static(b"<!doctype html><title>Not found</title><h1>Not found</h1>");
    let (content_type, body) = prepare("404.html", page, shared.current_error().as_deref());
    respond(StatusCode::NOT_FOUND, content_type, axum::body::Body::new(body))
}

fn respond(status: StatusCode, content_type: &'static str, body: axum::body::Body) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The response for one snapshot file, or `None` if a copied file can no
/// longer be read (or is not a regular file), which the caller turns into
/// a 404: the server has no terminal to report to, and the next rebuild
/// will report the problem.
///
/// No body is copied for the connection: a rendered page is sent as slices
/// of its unpacked bytes, which every response holding them shares (see
/// [`crate::incremental::Packed`]), a file built into masthead as slices of
/// the snapshot's bytes, and a copied file is read a chunk at a time as the
/// client takes it (see [`super::body`]).
async fn file_response(shared: &Shared, path: &str, body: &Body, status: StatusCode) -> Option<Response> {
    let error = shared.current_error();
    match body {
        Body::Bytes(bytes) => {
            let (content_type, body) = prepare(path, Bytes::from_owner(Arc::clone(bytes)), error.as_deref());
            Some(respond(status, content_type, axum::body::Body::new(body)))
        }
        Body::Packed(packed) => {
            let (content_type, body) = prepare(path, Bytes::from_owner(packed.open()), error.as_deref());
            Some(respond(status, content_type, axum::body::Body::new(body)))
        }
        Body::File(file) => {
            let file = file.clone();
            let content_type = content_type(path);
            let snippet = content_type.starts_with("text/html").then(|| snippet(error.as_deref()));
            let open = move || {
                let body = FileBody::open(&file)?;
                match snippet {
                    Some(snippet) => body.inject(snippet),
                    None => Ok(body),
                }
            };
            let body = tokio::task::spawn_blocking(open).await.ok()?.ok()?;
            Some(respond(status, content_type, axum::body::Body::new(body)))
        }
    }
}

/// What goes into every served HTML page: the error overlay while the site
/// is broken, and the live-reload script.
fn snippet(error: Option<&str>) -> Bytes {
    match error {
        Some(error) => Bytes::from(format!("{error}{SCRIPT_TAG}")),
        None => Bytes::from_static(SCRIPT_TAG.as_bytes()),
    }
}

/// The content type of an output file and its body as served: HTML gets the
/// live-reload script, and the error overlay while the site is broken.
fn prepare(path: &str, body: Bytes, error: Option<&str>) -> (&'static str, Pieces) {
    let content_type = content_type(path);
    if !content_type.starts_with("text/html") {
        return (content_type, Pieces::new([body]));
    }
    (content_type, Pieces::injected(body, snippet(error)))
}

fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        // Feeds and the sitemap as generic XML and JSON, which browsers show
        // instead of downloading (`application/atom+xml` would download).
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        _ => mime_guess::from_ext(&ext).first_raw().unwrap_or("application/octet-stream"),
    }
}

type EventState = (Option<Reload>, broadcast::Receiver<Reload>);

/// The Server-Sent Events stream of reload messages, starting with the
/// current error if the site is broken.
fn events(shared: &Shared) -> Response {
    // Subscribe first: an error reported between the two calls then arrives
    // twice (harmless) rather than a fix arriving never.
    let receiver = shared.subscribe();
    let first = shared.current_error().map(Reload::Error);
    let stream = futures_util::stream::unfold((first, receiver), next_event);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response()
}

async fn next_event((first, mut receiver): EventState) -> Option<(Result<Event, Infallible>, EventState)> {
    let reload = match first {
        Some(reload) => reload,
        None => match receiver.recv().await {
            Ok(reload) => reload,
            // Messages were missed: reload every tab to be sure.
            Err(RecvError::Lagged(_)) => Reload::Pages(Vec::new()),
            Err(RecvError::Closed) => return None,
        },
    };
    Some((Ok(Event::default().data(livereload::to_json(&reload))), (None, receiver)))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod props;
