//! `masthead deploy` (SPEC §11): publishes the last build to a target of
//! `site.yaml`, an S3-compatible bucket or a folder, sending only the files
//! whose bytes, type or cache header differ from what the target's manifest
//! records, in an order that never shows readers a page whose links or
//! photos are missing (see [`plan`]), and holding a lock object so two
//! deploys never run on one target at once.
//!
//! It never builds and never reads the whole output: the build's record
//! (`build::record`) gives every file's hash.

mod lock;
mod plan;
mod store;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, anyhow};
use futures_util::StreamExt as _;

use crate::build::Failure;
use crate::build::record::{self, BuiltSite};
use crate::config::SiteConfig;
use crate::config::deploy::DeployTarget;
use crate::diagnostic::Diagnostics;
use plan::{MANIFEST, Manifest, Plan, Remote};
use store::Store;

/// What `masthead deploy` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct DeployOptions {
    pub(crate) source: PathBuf,
    /// The built site (default `public/` in the site folder).
    pub(crate) output: PathBuf,
    /// A name from `deploy.targets`; the first target when `None`.
    pub(crate) target: Option<String>,
    pub(crate) mode: Mode,
    /// More deletions than this are refused (unless `force`).
    pub(crate) max_deletes: usize,
    /// List the target instead of trusting its manifest, send everything
    /// and delete whatever the site does not have, however many.
    pub(crate) force: bool,
}

/// Whether anything is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Publish,
    /// Print the plan, change nothing (and take no lock).
    DryRun,
}

/// How a deploy went, for the summary line.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeployReport {
    pub(crate) target: String,
    pub(crate) sent: usize,
    pub(crate) bytes: u64,
    pub(crate) deleted: usize,
    pub(crate) unchanged: usize,
    pub(crate) elapsed: Duration,
    /// With `--dry-run`: the plan, line by line.
    pub(crate) plan: Vec<String>,
}

/// Where deploy prints as it goes: warnings, notes, progress.
pub(crate) trait Reporter: Sync {
    fn line(&self, text: &str);
    /// Called once per file sent or deleted.
    fn tick(&self) {}
    /// How many files will be sent or deleted.
    fn total(&self, _n: u64) {}
    /// Whether to tell each step (`-v`).
    fn verbose(&self) -> bool {
        false
    }
}

/// `masthead deploy`.
pub(crate) fn run(opts: &DeployOptions, out: &dyn Reporter) -> Result<DeployReport, Failure> {
    let started = Instant::now();
    let config = SiteConfig::load(&opts.source).map_err(Diagnostics)?;
    let target = choose(&config, opts.target.as_deref())?;
    let location = target.location().map_err(|e| anyhow!("deploy target `{}`: {e}", target.name))?;
    let shown = crate::fs::display_rel(&opts.source, &opts.output);
    let built = record::read_built(&opts.output)?.ok_or_else(|| {
        anyhow!(
            "there is no build to deploy in `{shown}/`: run `masthead build` first (deploy publishes the last build; it never builds)"
        )
    })?;
    warn_if_stale(opts, &built, &shown, out);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the deploy's network runtime")?;
    let edition_pattern = &config.permalinks.edition;
    let mut report = runtime.block_on(deploy(opts, target, &location, &built, edition_pattern, out))?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The target `name`, or the first.
fn choose<'c>(config: &'c SiteConfig, name: Option<&str>) -> Result<&'c DeployTarget, Failure> {
    let targets = &config.deploy.targets;
    let Some(first) = targets.first() else {
        return Err(
            anyhow!("site.yaml names no deploy target; add one under `deploy: targets:` (see docs/deploy.md)").into()
        );
    };
    match name {
        None => Ok(first),
        Some(name) => targets.iter().find(|t| t.name == name).ok_or_else(|| {
            let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
            Failure::Usage(format!("no deploy target named `{name}`; site.yaml has: {}", names.join(", ")))
        }),
    }
}

/// Warns when the output was changed by hand since the build, or the site's
/// sources changed after it: deploy publishes what was built.
fn warn_if_stale(opts: &DeployOptions, built: &BuiltSite, shown: &str, out: &dyn Reporter) {
    if let Some(first) = built.rehashed.first() {
        out.line(&format!(
            "warning: {} in `{shown}/` changed since the build (first `{first}`); deploying them as they are now",
            plural(built.rehashed.len(), "file")
        ));
    }
    if let Some(changed) = changed_after(&opts.source, &opts.output, built.built_at) {
        out.line(&format!(
            "warning: `{changed}` changed after the last build; deploying what was built (run `masthead build` first to publish it)"
        ));
    }
}

/// The first source of the site modified after `time`, if any: a look at
/// each file's time, nothing read.
fn changed_after(source: &Path, output: &Path, time: SystemTime) -> Option<String> {
    let roots = ["site.yaml", "content", "templates", "static", "themes"].map(|r| source.join(r));
    for root in roots.iter().filter(|r| r.exists()) {
        let walk = walkdir::WalkDir::new(root).follow_links(false).into_iter().filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || (!name.starts_with('.') && e.path() != output)
        });
        for entry in walk.flatten() {
            let newer = entry.metadata().ok().and_then(|m| m.modified().ok()).is_some_and(|m| m > time);
            if newer && entry.file_type().is_file() {
                return Some(crate::fs::display_rel(source, entry.path()));
            }
        }
    }
    None
}

async fn deploy(
    opts: &DeployOptions,
    target: &DeployTarget,
    location: &crate::config::deploy::Location,
    built: &BuiltSite,
    edition_pattern: &str,
    out: &dyn Reporter,
) -> Result<DeployReport, Failure> {
    let store = Store::open(location)?;
    let mut report = DeployReport { target: target.name.clone(), ..DeployReport::default() };
    if opts.mode == Mode::DryRun {
        let (manifest, listed) = remote_state(&store, opts.force).await?;
        let remote = listed.as_ref().map_or(Remote::Manifest(&manifest), Remote::Listed);
        let plan = plan::plan(&built.files, &remote, target, edition_pattern);
        report.plan = describe(&plan);
        report.sent = plan.uploads();
        report.bytes = plan.bytes();
        report.deleted = plan.deletes.len();
        report.unchanged = plan.unchanged;
        return Ok(report);
    }
    // A site the target already holds needs no lock: one read decides.
    if !opts.force {
        let (manifest, _) = remote_state(&store, false).await?;
        let plan = plan::plan(&built.files, &Remote::Manifest(&manifest), target, edition_pattern);
        if plan.uploads() == 0 && plan.deletes.is_empty() && manifest.pending.is_empty() {
            report.unchanged = plan.unchanged;
            return Ok(report);
        }
    }
    let held = lock::acquire(&store, &target.name, out).await?;
    let result = publish(opts, target, &store, built, edition_pattern, out, &mut report).await;
    let released = held.release(&store).await;
    result?;
    released?;
    Ok(report)
}

/// The target's manifest, and with `force` its listing.
async fn remote_state(store: &Store, force: bool) -> anyhow::Result<(Manifest, Option<BTreeSet<String>>)> {
    let manifest = match store.get(MANIFEST).await? {
        Some(bytes) => match Manifest::parse(&bytes) {
            Ok(m) => m,
            // The listing stands in for it.
            Err(_) if force => Manifest::default(),
            Err(e) => {
                return Err(anyhow!(
                    "the target's `{MANIFEST}` cannot be used: {e}; run with --force to compare with a listing of the target instead"
                ));
            }
        },
        None => Manifest::default(),
    };
    let listed = if force { Some(store.list().await?.into_iter().collect()) } else { None };
    Ok((manifest, listed))
}

#[allow(clippy::too_many_arguments)]
async fn publish(
    opts: &DeployOptions,
    target: &DeployTarget,
    store: &Store,
    built: &BuiltSite,
    edition_pattern: &str,
    out: &dyn Reporter,
    report: &mut DeployReport,
) -> Result<(), Failure> {
    store.clear_leftovers()?;
    let (mut manifest, listed) = remote_state(store, opts.force).await?;
    manifest.format = 1;
    let remote = listed.as_ref().map_or(Remote::Manifest(&manifest), Remote::Listed);
    let plan = plan::plan(&built.files, &remote, target, edition_pattern);
    if plan.deletes.len() > opts.max_deletes && !opts.force {
        return Err(anyhow!(
            "refusing to delete {} objects from `{}` (more than --max-deletes {}), first `{}`; check that `{}` holds the whole site, then run again with --max-deletes {} or --force",
            plan.deletes.len(),
            target.name,
            opts.max_deletes,
            plan.deletes[0],
            crate::fs::display_rel(&opts.source, &opts.output),
            plan.deletes.len()
        )
        .into());
    }
    report.unchanged = plan.unchanged;
    if plan.uploads() == 0 && plan.deletes.is_empty() {
        // Nothing to send: nothing is written either, manifest included.
        return Ok(());
    }
    out.total((plan.uploads() + plan.deletes.len()) as u64);
    // Every object about to change is marked first: a deploy killed half
    // way leaves them marked, and the next one sends them again.
    let mut pending: BTreeSet<String> = manifest.pending.iter().cloned().collect();
    pending.extend(plan.steps.iter().flat_map(|s| s.uploads.iter().map(|u| u.path.clone())));
    pending.extend(plan.deletes.iter().cloned());
    manifest.pending = pending.iter().cloned().collect();
    write_manifest(store, &manifest).await?;
    for step in &plan.steps {
        let step_started = Instant::now();
        let sent = futures_util::stream::iter(&step.uploads)
            .map(|upload| async move {
                let path = crate::fs::safe_join(&opts.output, &upload.path)?;
                let bytes = std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
                let o = &upload.object;
                store.put(&upload.path, bytes, &o.content_type, &o.cache_control).await?;
                out.tick();
                anyhow::Ok(())
            })
            .buffer_unordered(target.concurrency.max(1));
        futures_util::pin_mut!(sent);
        while let Some(result) = sent.next().await {
            result?;
        }
        for upload in &step.uploads {
            manifest.files.insert(upload.path.clone(), upload.object.clone());
            pending.remove(&upload.path);
        }
        manifest.pending = pending.iter().cloned().collect();
        write_manifest(store, &manifest).await?;
        report.sent += step.uploads.len();
        let bytes = step.uploads.iter().map(|u| u.object.size).sum::<u64>();
        report.bytes += bytes;
        if out.verbose() {
            out.line(&format!(
                "{}: sent {} ({}) in {:.2} s",
                step.name(),
                plural(step.uploads.len(), "file"),
                size(bytes),
                step_started.elapsed().as_secs_f64()
            ));
        }
    }
    // Deletions last, once every upload is in.
    let deleted = futures_util::stream::iter(&plan.deletes)
        .map(|key| async move {
            store.delete(key).await?;
            out.tick();
            anyhow::Ok(())
        })
        .buffer_unordered(target.concurrency.max(1));
    futures_util::pin_mut!(deleted);
    while let Some(result) = deleted.next().await {
        result?;
    }
    for key in &plan.deletes {
        manifest.files.remove(key);
    }
    // What the site has is now exactly what the target has.
    let site: BTreeSet<&str> = built.files.iter().map(|f| f.path.as_str()).collect();
    manifest.files.retain(|k, _| site.contains(k.as_str()));
    manifest.pending.clear();
    write_manifest(store, &manifest).await?;
    report.deleted = plan.deletes.len();
    Ok(())
}

async fn write_manifest(store: &Store, manifest: &Manifest) -> anyhow::Result<()> {
    store.put(MANIFEST, manifest.to_bytes(), "application/json", "no-store").await
}

/// The plan for `--dry-run`: counts, bytes and the first paths of each step.
fn describe(plan: &Plan) -> Vec<String> {
    const SHOWN: usize = 5;
    let first = |paths: &mut dyn Iterator<Item = &str>, n: usize| {
        let shown: Vec<&str> = paths.take(SHOWN).collect();
        let more = if n > SHOWN { format!(", … ({} more)", n - SHOWN) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    let mut lines = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let bytes: u64 = step.uploads.iter().map(|u| u.object.size).sum();
        lines.push(format!(
            "{}. send {}: {} ({}): {}",
            i + 1,
            step.name(),
            plural(step.uploads.len(), "file"),
            size(bytes),
            first(&mut step.uploads.iter().map(|u| u.path.as_str()), step.uploads.len())
        ));
    }
    if !plan.deletes.is_empty() {
        lines.push(format!(
            "{}. delete {}: {}",
            plan.steps.len() + 1,
            plural(plan.deletes.len(), "object"),
            first(&mut plan.deletes.iter().map(String::as_str), plan.deletes.len())
        ));
    }
    lines
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// `1.2 MB`, `340 KB`, `12 bytes`.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.0} KB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}
