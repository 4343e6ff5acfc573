//! The two kinds of target behind one small set of operations: an
//! S3-compatible bucket (through `object_store`, the only module that uses
//! it) and a folder, written file by file with a temporary file and a
//! rename, so a reader sees each file whole or not at all.
//!
//! Keys are relative to the target's prefix or folder; nothing outside it
//! is ever named.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use futures_util::StreamExt as _;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _, PutMode, PutOptions,
    PutPayload, RetryConfig,
};

use crate::config::deploy::Location;

/// Where temporary files of a folder target are made: inside it (so a
/// rename is atomic), in one folder that each deploy empties first.
pub(super) const FOLDER_TMP: &str = ".masthead-deploy-tmp";

/// A target, opened.
pub(super) enum Store {
    S3 { store: Arc<AmazonS3>, prefix: String },
    Folder { root: PathBuf, counter: AtomicU64 },
}

/// What a conditional create found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Created {
    Yes,
    AlreadyThere,
}

impl Store {
    /// Opens the target at `location`. An S3 client takes its credentials,
    /// region and endpoint from the environment alone (`AWS_*`).
    pub(super) fn open(location: &Location) -> Result<Store> {
        match location {
            Location::S3 { bucket, prefix } => {
                // reqwest's rustls is built without a default crypto
                // provider (see Cargo.toml); an error means one is set.
                // ring lacks post-quantum key exchange (hence deprecated);
                // aws-lc-rs has it, at the cost of a C build in every CI run.
                #[allow(deprecated)]
                let provider = rustls::crypto::ring::default_provider();
                let _ = provider.install_default();
                let retry = RetryConfig {
                    backoff: BackoffConfig {
                        init_backoff: Duration::from_millis(100),
                        max_backoff: Duration::from_secs(15),
                        base: 2.0,
                    },
                    max_retries: 8,
                    retry_timeout: Duration::from_secs(120),
                };
                let client = ClientOptions::new()
                    .with_timeout(Duration::from_secs(60))
                    .with_connect_timeout(Duration::from_secs(10))
                    .with_pool_max_idle_per_host(64);
                // The environment is read after the client options are set
                // (as `from_env` would before), so `AWS_ALLOW_HTTP` and the
                // like are kept.
                let mut builder = AmazonS3Builder::new().with_client_options(client).with_retry(retry);
                for (key, value) in std::env::vars_os() {
                    if let (Some(key), Some(value)) = (key.to_str(), value.to_str())
                        && key.starts_with("AWS_")
                        && let Ok(key) = key.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
                    {
                        builder = builder.with_config(key, value);
                    }
                }
                let store = builder
                    .with_bucket_name(bucket)
                    .build()
                    // The builder's errors name settings, never their values.
                    .map_err(|e| anyhow!("cannot set up the S3 client: {e}"))?;
                Ok(Store::S3 { store: Arc::new(store), prefix: prefix.clone() })
            }
            Location::Folder(root) => {
                crate::fs::create_dir_all(root)?;
                Ok(Store::Folder { root: root.clone(), counter: AtomicU64::new(0) })
            }
        }
    }

    fn object(prefix: &str, key: &str) -> ObjectPath {
        ObjectPath::from(format!("{prefix}{key}"))
    }

    fn file(root: &Path, key: &str) -> Result<PathBuf> {
        crate::fs::safe_join(root, key)
    }

    /// The bytes at `key`, or `None` when there is no such object.
    pub(super) async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Store::S3 { store, prefix } => match store.get(&Self::object(prefix, key)).await {
                Ok(found) => Ok(Some(found.bytes().await.map_err(|e| failed("read", key, e))?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(failed("read", key, e)),
            },
            Store::Folder { root, .. } => match std::fs::read(Self::file(root, key)?) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(anyhow::Error::new(e).context(format!("cannot read `{key}` of the target"))),
            },
        }
    }

    /// Writes `bytes` at `key` with its headers, replacing what is there.
    pub(super) async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str, cache_control: &str) -> Result<()> {
        match self {
            Store::S3 { store, prefix } => {
                let mut attributes = Attributes::new();
                attributes.insert(Attribute::ContentType, content_type.to_string().into());
                if !cache_control.is_empty() {
                    attributes.insert(Attribute::CacheControl, cache_control.to_string().into());
                }
                let opts = PutOptions { attributes, ..PutOptions::default() };
                let payload = PutPayload::from(bytes);
                store.put_opts(&Self::object(prefix, key), payload, opts).await.map_err(|e| failed("send", key, e))?;
                Ok(())
            }
            Store::Folder { root, counter } => {
                let target = Self::file(root, key)?;
                let tmp = root.join(FOLDER_TMP).join(format!(
                    "{}-{}",
                    std::process::id(),
                    counter.fetch_add(1, Ordering::Relaxed)
                ));
                write_then_rename(&tmp, &target, &bytes).with_context(|| format!("cannot write `{}`", target.display()))
            }
        }
    }

    /// Creates `key` only if nothing is there (S3: `If-None-Match: *`).
    pub(super) async fn create(&self, key: &str, bytes: Vec<u8>) -> Result<Created> {
        match self {
            Store::S3 { store, prefix } => {
                let opts = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
                match store.put_opts(&Self::object(prefix, key), PutPayload::from(bytes), opts).await {
                    Ok(_) => Ok(Created::Yes),
                    Err(object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. }) => {
                        Ok(Created::AlreadyThere)
                    }
                    Err(e) => Err(failed("create", key, e)),
                }
            }
            Store::Folder { root, counter } => {
                // Written aside, then linked into place: the link fails if
                // the name is taken, and the file is never seen half written.
                let path = Self::file(root, key)?;
                // Beside it, not in the temporary folder that a deploy
                // holding the lock empties.
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let tmp = path.with_extension(format!("lock.{}-{n}", std::process::id()));
                let created = (|| {
                    std::fs::write(&tmp, &bytes)?;
                    let linked = std::fs::hard_link(&tmp, &path);
                    let _ = std::fs::remove_file(&tmp);
                    linked
                })();
                match created {
                    Ok(()) => Ok(Created::Yes),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Created::AlreadyThere),
                    Err(e) => Err(anyhow::Error::new(e).context(format!("cannot create `{}`", path.display()))),
                }
            }
        }
    }

    /// Removes `key`; one already gone is no error.
    pub(super) async fn delete(&self, key: &str) -> Result<()> {
        match self {
            Store::S3 { store, prefix } => match store.delete(&Self::object(prefix, key)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(failed("delete", key, e)),
            },
            Store::Folder { root, .. } => {
                let path = Self::file(root, key)?;
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot remove `{}`", path.display()))),
                }
                // Folders left empty go too, up to the target's own.
                let mut dir = path.parent();
                while let Some(d) = dir.filter(|d| *d != root.as_path() && d.starts_with(root)) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
                Ok(())
            }
        }
    }

    /// Every key under the prefix (only `--force` lists).
    pub(super) async fn list(&self) -> Result<Vec<String>> {
        match self {
            Store::S3 { store, prefix } => {
                let under = (!prefix.is_empty()).then(|| ObjectPath::from(prefix.trim_end_matches('/')));
                let mut listing = store.list(under.as_ref());
                let mut keys = Vec::new();
                while let Some(meta) = listing.next().await {
                    let meta = meta.map_err(|e| anyhow!("cannot list the target: {e}"))?;
                    if let Some(key) = meta.location.as_ref().strip_prefix(prefix.as_str()) {
                        keys.push(key.to_string());
                    }
                }
                Ok(keys)
            }
            Store::Folder { root, .. } => {
                let mut keys = Vec::new();
                for entry in walkdir::WalkDir::new(root).min_depth(1).follow_links(false) {
                    let entry = entry.with_context(|| format!("cannot list `{}`", root.display()))?;
                    if !entry.file_type().is_dir()
                        && let Some(key) = entry.path().strip_prefix(root).ok().and_then(|p| p.to_str())
                    {
                        keys.push(key.replace(std::path::MAIN_SEPARATOR, "/"));
                    }
                }
                Ok(keys)
            }
        }
    }

    /// Empties the folder of temporary files a killed deploy left (a folder
    /// target only; S3 uploads leave nothing half-written).
    pub(super) fn clear_leftovers(&self) -> Result<()> {
        if let Store::Folder { root, .. } = self {
            let tmp = root.join(FOLDER_TMP);
            if std::fs::symlink_metadata(&tmp).is_ok() {
                crate::fs::remove_dir_all(&tmp)?;
            }
        }
        Ok(())
    }
}

/// An error of the store, with the key it was about. `object_store`'s
/// messages name the request and the store's answer, never credentials.
fn failed(what: &str, key: &str, e: object_store::Error) -> anyhow::Error {
    anyhow!("cannot {what} `{key}`: {e}")
}

/// Writes `bytes` to `tmp`, then renames it over `target`.
fn write_then_rename(tmp: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    for dir in [tmp.parent(), target.parent()].into_iter().flatten() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(tmp, bytes)?;
    // A folder where the file goes (left by an older site) is removed first.
    if std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(target)?;
    }
    std::fs::rename(tmp, target)
}
