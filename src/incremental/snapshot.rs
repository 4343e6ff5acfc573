//! What the engine hands the preview server after each rebuild: one
//! complete, consistent version of the site's files.

use std::path::PathBuf;
use std::sync::Arc;

/// The body of one served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    /// Rendered in memory.
    Bytes(Arc<[u8]>),
    /// Copied as is from the site folder: read when asked for.
    File(PathBuf),
}

/// One complete, consistent version of the site.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    /// Output-relative path (`2023/09/05/slug/index.html`, `css/daily.css`) → body.
    /// A persistent map: the next snapshot shares all it did not change, so
    /// publishing one costs the change, not the size of the site.
    pub(crate) files: imbl::HashMap<String, Body>,
    /// Increases with every successful rebuild.
    #[allow(dead_code)] // read by the preview server's tests
    pub(crate) generation: u64,
    /// Some pages are still being rendered (just after start-up): a request
    /// for a file this snapshot lacks waits for the next one.
    pub(crate) pending: bool,
}
