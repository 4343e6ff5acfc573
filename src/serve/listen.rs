//! The accept loop of the preview server: one task per connection, with a
//! deadline for the request head, so a client that connects and sends
//! nothing, or half a request, is dropped instead of holding a connection
//! (and a file descriptor) for ever. `axum::serve` sets no such deadline.
//! Writes have one too: a client that stops reading its answer is dropped
//! once no byte has left for [`WRITE_TIMEOUT`], freeing what its answer held.

use std::io::ErrorKind;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::Sleep;

/// How long a client has to send a whole request head, on a new connection
/// and between requests on a kept-alive one. Browsers send it at once.
pub(crate) const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a response may make no progress (the client reads nothing)
/// before its connection is closed. A browser on a slow link still takes
/// some bytes every few seconds.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Replaces [`WRITE_TIMEOUT`], in milliseconds: for tests, which cannot
/// wait half a minute for each stalled client. Not meant for users.
pub(crate) const WRITE_TIMEOUT_ENV: &str = "MASTHEAD_SERVE_WRITE_TIMEOUT_MS";

/// How long to wait before accepting again when the process is out of file
/// descriptors (or another resource), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until the process ends; never returns on a
/// failed connection or a failed accept.
pub(crate) async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    let write_timeout = write_timeout(std::env::var(WRITE_TIMEOUT_ENV).ok().as_deref());
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // The client gave up before we accepted: nothing to do.
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset) => continue,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
            // A client that goes away mid-response is not an error worth reporting.
            let io = WriteDeadline::new(stream, write_timeout);
            let _ = http.serve_connection(TokioIo::new(io), service).await;
        });
    }
}

/// The write deadline: [`WRITE_TIMEOUT`], or the milliseconds `env` holds.
fn write_timeout(env: Option<&str>) -> Duration {
    env.and_then(|ms| ms.trim().parse().ok()).filter(|ms| *ms > 0).map_or(WRITE_TIMEOUT, Duration::from_millis)
}

/// A connection whose writes fail with `TimedOut` once one has waited
/// `limit` for the client to take a byte. The clock starts when a write
/// cannot proceed and stops at the next byte written, so a slow reader that
/// keeps reading is never cut off, however long the answer.
struct WriteDeadline<T> {
    inner: T,
    limit: Duration,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteDeadline<T> {
    fn new(inner: T, limit: Duration) -> Self {
        WriteDeadline { inner, limit, stalled: None }
    }

    /// `write`'s result, with the deadline applied while it is pending.
    fn deadline<R>(&mut self, cx: &mut Context<'_>, write: Poll<std::io::Result<R>>) -> Poll<std::io::Result<R>> {
        if write.is_ready() {
            self.stalled = None;
            return write;
        }
        let limit = self.limit;
        let stalled = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(stalled.as_mut().poll(cx));
        Poll::Ready(Err(std::io::Error::new(ErrorKind::TimedOut, "the client stopped reading")))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteDeadline<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let write = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.deadline(cx, write)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let write = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.deadline(cx, write)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let flush = Pin::new(&mut self.inner).poll_flush(cx);
        self.deadline(cx, flush)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_timeout_can_be_shortened_for_tests_only_by_a_number() {
        assert_eq!(write_timeout(None), WRITE_TIMEOUT);
        assert_eq!(write_timeout(Some("1500")), Duration::from_millis(1500));
        for ignored in ["", "0", "-5", "soon"] {
            assert_eq!(write_timeout(Some(ignored)), WRITE_TIMEOUT, "{ignored:?}");
        }
    }

    async fn write_all<T: AsyncWrite + Unpin>(io: &mut WriteDeadline<T>, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let n = std::future::poll_fn(|cx| Pin::new(&mut *io).poll_write(cx, data)).await?;
            data = &data[n..];
        }
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_reader_that_stops_is_cut_off_and_one_that_reads_is_not() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = tokio::net::TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let mut server = WriteDeadline::new(server, Duration::from_millis(300));
        let chunk = vec![7u8; 1 << 20];
        // The client reads slowly but steadily: every write proceeds within the limit.
        let reader = tokio::spawn(async move {
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0;
            while total < 16 << 20 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                client.readable().await.unwrap();
                total += client.try_read(&mut buf).unwrap_or(0);
            }
            client
        });
        for _ in 0..16 {
            write_all(&mut server, &chunk).await.expect("a slow reader is served");
        }
        let _client = reader.await.unwrap();
        // Now nobody reads: the buffers fill and a write fails after the limit.
        let started = std::time::Instant::now();
        let mut result = Ok(());
        for _ in 0..512 {
            result = write_all(&mut server, &chunk).await;
            if result.is_err() {
                break;
            }
        }
        assert_eq!(result.unwrap_err().kind(), ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
    }
}
