//! The lock object that keeps two deploys off one target: created only if
//! absent (S3 `If-None-Match: *`, a folder's `O_EXCL`), removed at the end.
//! A lock left by a deploy killed on this machine is taken over (its
//! process is gone); one from elsewhere is explained, with how to clear it.

use anyhow::anyhow;
use serde::{Deserialize, Serialize};

use super::Reporter;
use super::plan::LOCK;
use super::store::{Created, Store};
use crate::build::Failure;

/// What a lock says about its deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Holder {
    host: String,
    pid: u32,
    /// RFC 3339, UTC.
    started: String,
}

impl Holder {
    fn me() -> Holder {
        Holder { host: host_name(), pid: std::process::id(), started: jiff::Timestamp::now().to_string() }
    }

    /// A deploy of this machine that is no longer running.
    fn is_dead_here(&self) -> bool {
        self.host == host_name()
            && self.pid != std::process::id()
            && cfg!(target_os = "linux")
            && !std::path::Path::new("/proc").join(self.pid.to_string()).exists()
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// A lock this deploy holds.
pub(super) struct Held;

impl Held {
    pub(super) async fn release(self, store: &Store) -> anyhow::Result<()> {
        store.delete(LOCK).await
    }
}

/// Takes the lock of `target`, or says who holds it.
pub(super) async fn acquire(store: &Store, target: &str, out: &dyn Reporter) -> Result<Held, Failure> {
    let me = serde_json::to_vec(&Holder::me()).unwrap_or_default();
    for _ in 0..2 {
        if store.create(LOCK, me.clone()).await? == Created::Yes {
            return Ok(Held);
        }
        let held = store.get(LOCK).await?;
        let holder = held.as_deref().and_then(|b| serde_json::from_slice::<Holder>(b).ok());
        match holder {
            Some(h) if h.is_dead_here() => {
                out.line(&format!(
                    "note: taking over the lock of a deploy to `{target}` that stopped without finishing (process {} of this machine, started {}); this deploy finishes its work",
                    h.pid, h.started
                ));
                store.delete(LOCK).await?;
            }
            // Gone between the two requests: try again.
            None if held.is_none() => {}
            _ => {
                let who = holder.map_or_else(
                    || "a deploy".to_string(),
                    |h| format!("a deploy started {} by process {} on `{}`", h.started, h.pid, h.host),
                );
                return Err(anyhow!(
                    "another deploy to `{target}` is under way: {who} holds the lock `{LOCK}`; wait for it to finish. If no deploy is running (it was killed on another machine), delete `{LOCK}` under the target's prefix (e.g. `aws s3 rm s3://<bucket>/<prefix>/{LOCK}`) and deploy again: the next deploy finishes what the stopped one left"
                )
                .into());
            }
        }
    }
    Err(anyhow!("cannot take the lock `{LOCK}` of `{target}`: it keeps changing; is another deploy starting?").into())
}
