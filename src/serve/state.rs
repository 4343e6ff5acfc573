//! What the preview server shares between the rebuild loop and the HTTP
//! side: the last good site (an immutable snapshot swapped in whole after
//! each rebuild), the current error (if the last rebuild failed) and the
//! channel that tells open pages to reload.

use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

use crate::incremental::snapshot::Snapshot;

/// What open browser tabs are told after a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reload {
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
pub(crate) struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// Overlay HTML of the current error, if the last rebuild failed.
    error: RwLock<Option<String>>,
    reload: broadcast::Sender<Reload>,
    /// Woken on every published snapshot.
    published: tokio::sync::Notify,
}

impl Shared {
    pub(crate) fn new(snapshot: Snapshot) -> Arc<Self> {
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
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    /// Swaps in more of the last good site: pages left for after start-up,
    /// or its search index. Open pages are not reloaded, and an error shown
    /// stays: these files say nothing of the files as they are now.
    pub(crate) fn add_to_site(&self, snapshot: Snapshot) {
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Arc::new(snapshot);
        }
        self.published.notify_waiters();
    }

    /// Swaps in a new site, the files as they are now, and tells open pages
    /// what to reload (`None`: nothing visible changed). An error shown
    /// until now is fixed.
    pub(crate) fn publish(&self, snapshot: Snapshot, reload: Option<Reload>) {
        self.add_to_site(snapshot);
        let had_error = self.error.write().map(|mut e| e.take().is_some()).unwrap_or(false);
        if had_error {
            let _ = self.reload.send(Reload::Fixed);
        }
        if let Some(reload) = reload {
            let _ = self.reload.send(reload);
        }
    }

    /// The first snapshot with no pages pending or for which `enough` holds
    /// (or the current one after `limit`, or if rebuilds stop).
    pub(crate) async fn snapshot_when(
        &self,
        enough: impl Fn(&Snapshot) -> bool,
        limit: std::time::Duration,
    ) -> Arc<Snapshot> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let published = self.published.notified();
            tokio::pin!(published);
            // Registered before the check, so a publish in between is not missed.
            published.as_mut().enable();
            let snapshot = self.snapshot();
            if !snapshot.pending || enough(&snapshot) || tokio::time::timeout_at(deadline, published).await.is_err() {
                return snapshot;
            }
        }
    }

    pub(crate) fn fail(&self, overlay_html: String) {
        if let Ok(mut e) = self.error.write() {
            *e = Some(overlay_html.clone());
        }
        let _ = self.reload.send(Reload::Error(overlay_html));
    }

    /// The overlay to show on pages loaded while the site is broken.
    pub(crate) fn current_error(&self) -> Option<String> {
        self.error.read().ok().and_then(|e| e.clone())
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Reload> {
        self.reload.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incremental::Body;
    use std::time::Duration;

    fn snapshot(files: &[&str], pending: bool, generation: u64) -> Snapshot {
        let files = files.iter().map(|f| (f.to_string(), Body::Bytes(Arc::from(&b"x"[..])))).collect();
        Snapshot { files, generation, pending }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_for_a_page_not_rendered_yet_waits_for_the_batch_that_has_it() {
        let shared = Shared::new(snapshot(&["index.html"], true, 1));
        let waiter = {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let has = |s: &Snapshot| s.files.contains_key("old/index.html");
                shared.snapshot_when(has, Duration::from_secs(20)).await.generation
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        shared.publish(snapshot(&["index.html", "new/index.html"], true, 2), None);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "a batch without the page does not end the wait");
        shared.publish(snapshot(&["index.html", "new/index.html", "old/index.html"], true, 3), None);
        assert_eq!(waiter.await.unwrap(), 3, "the batch with the page ends it, before the last batch");
    }

    // Regression: the search index, made on its own thread, was served as a rebuild
    // would be: when it was ready after a failed rebuild, it took the error overlay
    // away, so the page showed no error while the site was still broken.
    #[test]
    fn more_of_the_last_good_site_leaves_the_error_shown() {
        let shared = Shared::new(snapshot(&["index.html"], false, 1));
        let mut reloads = shared.subscribe();
        shared.fail("<div id=overlay>bad</div>".into());
        shared.add_to_site(snapshot(&["index.html", "pagefind/bundles.json"], false, 2));
        assert!(shared.current_error().is_some(), "the error is still shown");
        assert!(shared.snapshot().files.contains_key("pagefind/bundles.json"), "the index is served");
        assert!(matches!(reloads.try_recv(), Ok(Reload::Error(_))));
        assert!(reloads.try_recv().is_err(), "nothing reloads the page");
        shared.publish(snapshot(&["index.html"], false, 3), None);
        assert!(shared.current_error().is_none(), "a good rebuild fixes it");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wait_ends_when_nothing_is_pending_or_at_the_limit() {
        let shared = Shared::new(snapshot(&["index.html"], true, 1));
        let never = |_: &Snapshot| false;
        let timed_out = shared.snapshot_when(never, Duration::from_millis(30)).await;
        assert_eq!(timed_out.generation, 1);
        shared.publish(snapshot(&["index.html"], false, 2), None);
        assert_eq!(shared.snapshot_when(never, Duration::from_secs(20)).await.generation, 2);
    }
}
