//! What the preview server shares between the rebuild loop and the HTTP
//! side: the last good site (an immutable snapshot swapped in whole after
//! each rebuild), the current error (if the last rebuild failed) and the
//! channel that tells open pages to reload.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

/// The body of one served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Rendered in memory.
    Bytes(Arc<[u8]>),
    /// Copied as is from the site folder: read when asked for.
    File(PathBuf),
}

/// One complete, consistent version of the site.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Output-relative path (`2023/09/05/slug/index.html`, `css/daily.css`) → body.
    /// A persistent map: the next snapshot shares all it did not change, so
    /// publishing one costs the change, not the size of the site.
    pub files: imbl::HashMap<String, Body>,
    /// Increases with every successful rebuild.
    pub generation: u64,
    /// Some pages are still being rendered (just after start-up): a request
    /// for a file this snapshot lacks waits for the next one.
    pub pending: bool,
}

/// What open browser tabs are told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// Reload the page (only tabs showing one of these URL paths, with the
    /// site prefix, e.g. `/2023/09/05/slug/`; an empty list means every tab).
    Pages(Vec<String>),
    /// Only stylesheets changed: swap these (URL paths) without a reload.
    Styles(Vec<String>),
    /// A rebuild failed: show this overlay HTML (already escaped).
    Error(String),
    /// The error is fixed: remove the overlay (a `Pages` message follows).
    Fixed,
}

/// State owned by `serve::run` and shared with the HTTP server.
#[derive(Debug)]
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Overlay HTML of the current error, if the last rebuild failed.
    error: RwLock<Option<String>>,
    reload: broadcast::Sender<Reload>,
    /// Woken on every published snapshot.
    published: tokio::sync::Notify,
}

impl Shared {
    pub fn new(snapshot: Snapshot) -> Arc<Self> {
        let (reload, _) = broadcast::channel(64);
        Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(snapshot)),
            error: RwLock::new(None),
            reload,
            published: tokio::sync::Notify::new(),
        })
    }

    /// The current site; cheap (an `Arc` clone), and consistent for the
    /// whole request even if a rebuild swaps in a new one meanwhile.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    /// Swaps in a new site and tells open pages what to reload (`None`: nothing visible changed).
    pub fn publish(&self, snapshot: Snapshot, reload: Option<Reload>) {
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Arc::new(snapshot);
        }
        self.published.notify_waiters();
        let had_error = self.error.write().map(|mut e| e.take().is_some()).unwrap_or(false);
        if had_error {
            let _ = self.reload.send(Reload::Fixed);
        }
        if let Some(reload) = reload {
            let _ = self.reload.send(reload);
        }
    }

    /// The first snapshot with no pages pending (or the current one after
    /// `limit`, or if rebuilds stop).
    pub async fn complete_snapshot(&self, limit: std::time::Duration) -> Arc<Snapshot> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let published = self.published.notified();
            tokio::pin!(published);
            // Registered before the check, so a publish in between is not missed.
            published.as_mut().enable();
            let snapshot = self.snapshot();
            if !snapshot.pending || tokio::time::timeout_at(deadline, published).await.is_err() {
                return snapshot;
            }
        }
    }

    pub fn fail(&self, overlay_html: String) {
        if let Ok(mut e) = self.error.write() {
            *e = Some(overlay_html.clone());
        }
        let _ = self.reload.send(Reload::Error(overlay_html));
    }

    /// The overlay to show on pages loaded while the site is broken.
    pub fn current_error(&self) -> Option<String> {
        self.error.read().ok().and_then(|e| e.clone())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Reload> {
        self.reload.subscribe()
    }
}
