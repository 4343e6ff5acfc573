//! Response bodies of the preview server that cost a connection almost
//! nothing: a page is sent as slices of shared bytes (the live-reload script
//! goes between two slices, the page is never copied), and
//! a file copied from the site folder is read in chunks as the client takes
//! them. A client that stops reading holds a chunk and what hyper has
//! queued, not a copy of the page.

use std::collections::VecDeque;
use std::fs::File;
use std::future::Future as _;
use std::io::{self, Read};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::task::JoinHandle;

/// How much of a file is read at a time.
const CHUNK: usize = 64 * 1024;

/// The closing tag the live-reload script is put before.
const CLOSE: &[u8] = b"</body";

/// Where the live-reload script goes in `html`: before the last `</body`
/// (any case), or at the end.
pub(crate) fn injection_point(html: &[u8]) -> usize {
    html.windows(CLOSE.len()).rposition(|window| window.eq_ignore_ascii_case(CLOSE)).unwrap_or(html.len())
}

/// A body sent as a list of shared pieces, with its exact length (so the
/// response has a `Content-Length`).
pub(crate) struct Pieces {
    parts: VecDeque<Bytes>,
    remaining: u64,
}

impl Pieces {
    pub(crate) fn new(parts: impl IntoIterator<Item = Bytes>) -> Pieces {
        let parts: VecDeque<Bytes> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        let remaining = parts.iter().map(|p| p.len() as u64).sum();
        Pieces { parts, remaining }
    }

    /// The whole body, for tests.
    #[cfg(test)]
    pub(crate) fn to_vec(&self) -> Vec<u8> {
        self.parts.iter().flat_map(|p| p.iter().copied()).collect()
    }

    /// `page` with `snippet` before its last `</body`; both shared, not copied.
    pub(crate) fn injected(page: Bytes, snippet: Bytes) -> Pieces {
        let at = injection_point(&page);
        Pieces::new([page.slice(..at), snippet, page.slice(at..)])
    }
}

impl Body for Pieces {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let next = self.parts.pop_front();
        if let Some(part) = &next {
            self.remaining -= part.len() as u64;
        }
        Poll::Ready(next.map(|part| Ok(Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// A regular file of the site folder, opened for one response: its length
/// is fixed when it is opened, and it is read a chunk at a time, on the
/// blocking pool, only when hyper asks for more.
pub(crate) struct FileBody {
    file: Option<File>,
    pos: u64,
    len: u64,
    /// Bytes of the response: the file's length and the snippet's.
    total: u64,
    /// Bytes handed to hyper so far.
    sent: u64,
    /// A snippet to send when `pos` reaches this offset (the live-reload script).
    insert: Option<(u64, Bytes)>,
    reading: Option<JoinHandle<io::Result<(File, Bytes)>>>,
}

impl FileBody {
    /// Opens `path`, refusing anything but a regular file, so that a link in
    /// `static/` cannot expose files outside the site. Blocking.
    pub(crate) fn open(path: &Path) -> io::Result<FileBody> {
        let meta = std::fs::symlink_metadata(path)?;
        if !meta.file_type().is_file() {
            let message = format!("`{}` is not a regular file", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileBody { file: Some(file), pos: 0, len, total: len, sent: 0, insert: None, reading: None })
    }

    /// Puts `snippet` before the file's last `</body` (any case), found by
    /// reading the file once in chunks. Blocking.
    pub(crate) fn inject(mut self, snippet: Bytes) -> io::Result<FileBody> {
        let file = self.file.as_mut().ok_or_else(|| io::Error::other("file already read"))?;
        let at = last_close_tag(file, self.len)?;
        std::io::Seek::rewind(file)?;
        self.total = self.len + snippet.len() as u64;
        self.insert = Some((at, snippet));
        Ok(self)
    }
}

/// The offset of the last `</body` (any case) among the first `len` bytes
/// of `file`, or `len`; reads `CHUNK` bytes at a time, keeping the end of
/// each chunk so a tag split between two is found.
fn last_close_tag(file: &mut File, len: u64) -> io::Result<u64> {
    let keep = CLOSE.len() - 1;
    let mut window: Vec<u8> = Vec::with_capacity(CHUNK + keep);
    let mut window_start = 0u64;
    let mut found = None;
    let mut reader = file.take(len);
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = reader.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        window.extend_from_slice(&chunk[..n]);
        let at = injection_point(&window);
        if at < window.len() {
            found = Some(window_start + at as u64);
        }
        let drop = window.len().saturating_sub(keep);
        window.drain(..drop);
        window_start += drop as u64;
    }
    Ok(found.unwrap_or(len))
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let this = &mut *self;
        if let Some((at, _)) = &this.insert {
            if *at == this.pos {
                let (_, snippet) = this.insert.take().unwrap_or_default();
                this.sent += snippet.len() as u64;
                return Poll::Ready(Some(Ok(Frame::data(snippet))));
            }
        }
        if this.reading.is_none() {
            let end = this.insert.as_ref().map_or(this.len, |(at, _)| *at);
            let want = (end - this.pos).min(CHUNK as u64) as usize;
            if want == 0 {
                return Poll::Ready(None);
            }
            let Some(file) = this.file.take() else { return Poll::Ready(None) };
            this.reading = Some(tokio::task::spawn_blocking(move || read_chunk(file, want)));
        }
        let Some(reading) = this.reading.as_mut() else { return Poll::Ready(None) };
        let result = match Pin::new(reading).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.reading = None;
        match result.map_err(io::Error::other).and_then(|r| r) {
            Ok((file, bytes)) => {
                this.file = Some(file);
                this.pos += bytes.len() as u64;
                this.sent += bytes.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pos == self.len && self.insert.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.total.saturating_sub(self.sent))
    }
}

/// Reads exactly `want` bytes: a file that shrank since it was opened ends
/// the response with an error (the connection closes) rather than a short body.
fn read_chunk(mut file: File, want: usize) -> io::Result<(File, Bytes)> {
    let mut buf = vec![0u8; want];
    file.read_exact(&mut buf)?;
    Ok((file, Bytes::from(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    async fn collect(mut body: impl Body<Data = Bytes, Error = io::Error> + Unpin) -> (Vec<u8>, u64) {
        let hinted = body.size_hint().exact().unwrap();
        let mut out = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            out.extend_from_slice(frame.unwrap().data_ref().unwrap());
        }
        assert!(body.is_end_stream());
        (out, hinted)
    }

    #[test]
    fn the_script_goes_before_the_last_closing_body_tag() {
        assert_eq!(injection_point(b"<p>a</body></BODY>x"), 11);
        assert_eq!(injection_point(b"<p>a"), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_are_sent_as_shared_slices_with_the_script_between() {
        let page = Bytes::from_static(b"<html><body>hi</body></html>");
        let body = Pieces::injected(page.clone(), Bytes::from_static(b"<script></script>"));
        assert!(body.parts.iter().all(|p| p.as_ptr() >= page.as_ptr() || p.len() == 17), "slices share the page");
        let (out, hinted) = collect(body).await;
        assert_eq!(out, b"<html><body>hi<script></script></body></html>");
        assert_eq!(hinted, out.len() as u64);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_are_read_in_chunks_with_the_script_before_a_tag_split_between_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.html");
        // `</BODY` straddles the first chunk boundary; a later `</body` does not exist.
        let mut text = vec![b'a'; CHUNK - 3];
        text.extend_from_slice(b"</BODY>");
        text.extend(std::iter::repeat_n(b'z', CHUNK * 2));
        std::fs::File::create(&path).unwrap().write_all(&text).unwrap();
        let body = FileBody::open(&path).unwrap().inject(Bytes::from_static(b"<s>")).unwrap();
        let (out, hinted) = collect(body).await;
        let mut expected = text.clone();
        expected.splice(CHUNK - 3..CHUNK - 3, b"<s>".iter().copied());
        assert!(out == expected, "script misplaced");
        assert_eq!(hinted, expected.len() as u64);
        let (plain, _) = collect(FileBody::open(&path).unwrap()).await;
        assert!(plain == text);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("link")).unwrap();
        assert!(FileBody::open(&dir.path().join("link")).is_err());
    }
}
