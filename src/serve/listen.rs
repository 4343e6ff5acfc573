//! The accept loop of the preview server: one task per connection, with a
//! deadline for the request head, so a client that connects and sends
//! nothing, or half a request, is dropped instead of holding a connection
//! (and a file descriptor) for ever. `axum::serve` sets no such deadline.

use std::io::ErrorKind;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// How long a client has to send a whole request head, on a new connection
/// and between requests on a kept-alive one. Browsers send it at once.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait before accepting again when the process is out of file
/// descriptors (or another resource), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves `router` on `listener` until the process ends; never returns on a
/// failed connection or a failed accept.
pub async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
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
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
