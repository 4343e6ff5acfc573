//! `masthead build`: load → render → write. Output goes to a temporary
//! folder beside the target and is swapped in only when every page was
//! written, so a failed build leaves the previous site untouched. A marker
//! file tells masthead which folders it may replace.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::content::{self, Site, Skipped};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs;
use crate::images;
use crate::render::{self, CopySource, Page, Renderer, Theme};

/// Written into every folder masthead builds; its presence is the only
/// licence to replace a non-empty output folder.
pub const MARKER: &str = ".masthead-output";
const MARKER_TEXT: &str = "This folder is written by masthead build and replaced on every build.\n";

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub articles: usize,
    pub editions: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
    pub skipped: Skipped,
    pub warnings: Diagnostics,
    /// Photo files encoded, and taken from the cache.
    pub photos: images::Stats,
}

/// Why a build failed: problems in the site, or something else (disk, refusal).
#[derive(Debug)]
pub enum Failure {
    Site(Diagnostics),
    Other(anyhow::Error),
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Site(d)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// Loads the site and its theme: everything `check` and `build` share.
pub fn load(opts: &BuildOptions) -> Result<(Site, Theme), Failure> {
    let site = content::load(opts)?;
    let theme = Theme::load(&opts.source, &site.config).map_err(|d| site.with_warnings(d))?;
    Ok((site, theme))
}

/// `masthead check`: every check of `build`, rendering included, writing nothing.
pub fn check(opts: &BuildOptions) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let (site, theme) = load(opts)?;
    let renderer = Renderer::new(&site, &theme);
    let results: Vec<Result<(), Diagnostic>> =
        renderer.pages().par_iter().map(|p| renderer.render(p).map(|_| ())).collect();
    render::collect(results).map_err(|d| site.with_warnings(d))?;
    Ok(report(&site, 0, started, opts.output.clone(), images::Stats::default()))
}

/// `masthead build`.
pub fn build(opts: &BuildOptions, progress: Option<&indicatif::ProgressBar>) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let output = absolute(&opts.output)?;
    check_output(&opts.source, &output)?;
    let (site, theme) = load(opts)?;
    let renderer = Renderer::new(&site, &theme);
    let pages = renderer.pages();
    let page_paths: BTreeSet<String> = pages.iter().map(|p| renderer.output(p)).collect();
    let copies = render::copies(&site, &theme, |p| page_paths.contains(p))?;
    let photo_files: usize = site.images.iter().map(|i| i.variants.len()).sum();
    if let Some(bar) = progress {
        bar.set_length((pages.len() + copies.len()) as u64);
    }

    let staging = Staging::create(&output)?;
    let cache = images::Cache::in_site(&opts.source);
    // Photos are made (or found in the cache) while pages render.
    let (result, photos) = rayon::join(
        || write_all(&renderer, &site, &pages, &page_paths, &copies, &staging.dir, progress),
        || publish_photos(&site, &cache, &staging.dir),
    );
    let result = result.and(photos);
    match result {
        Ok(stats) => {
            staging.swap_into(&output)?;
            Ok(report(&site, pages.len() + copies.len() + photo_files, started, opts.output.clone(), stats))
        }
        Err(failure) => {
            staging.discard();
            Err(failure)
        }
    }
}

/// Makes every photo's files in the cache and copies them into `dir`.
fn publish_photos(site: &Site, cache: &images::Cache, dir: &Path) -> Result<images::Stats, Failure> {
    let settings = &site.config.images;
    let stats = images::make_all(&site.images, settings, cache).map_err(|d| site.with_warnings(d))?;
    let entries: Vec<_> = images::entries(&site.images, settings, cache).collect();
    entries.par_iter().try_for_each(|(output, entry)| -> anyhow::Result<()> {
        let target = fs::safe_join(dir, output)?;
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(entry, &target)
    })?;
    Ok(stats)
}

fn report(site: &Site, files: usize, started: Instant, output: PathBuf, photos: images::Stats) -> BuildReport {
    BuildReport {
        articles: site.article_count(),
        editions: site.editions.len(),
        files,
        elapsed: started.elapsed(),
        output,
        skipped: site.skipped.clone(),
        warnings: site.warnings.clone(),
        photos,
    }
}

/// Renders and writes every page and copies every file into `dir`, in parallel.
fn write_all(
    renderer: &Renderer<'_>,
    site: &Site,
    pages: &[Page],
    page_paths: &BTreeSet<String>,
    copies: &[render::CopyFile],
    dir: &Path,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<(), Failure> {
    let folders: BTreeSet<&str> = page_paths
        .iter()
        .map(String::as_str)
        .chain(copies.iter().map(|c| c.path.as_str()))
        .filter_map(|p| p.rfind('/').map(|i| &p[..i]))
        .collect();
    for folder in &folders {
        fs::create_dir_all(&fs::safe_join(dir, folder)?)?;
    }
    let tick = || {
        if let Some(bar) = progress {
            bar.inc(1);
        }
    };
    let rendered: Vec<Result<(), Diagnostic>> = pages
        .par_iter()
        .map(|page| {
            let file = renderer.render(page)?;
            let target = fs::safe_join(dir, &file.path).map_err(|e| Diagnostic::error(&file.path, format!("{e:#}")))?;
            fs::write(&target, &file.bytes).map_err(|e| Diagnostic::error(&file.path, format!("{e:#}")))?;
            tick();
            Ok(())
        })
        .collect();
    render::collect(rendered).map_err(|d| site.with_warnings(d))?;
    copies.par_iter().try_for_each(|c| -> anyhow::Result<()> {
        let target = fs::safe_join(dir, &c.path)?;
        match &c.source {
            CopySource::Builtin(bytes) => fs::write(&target, bytes)?,
            CopySource::File(path) => fs::copy(path, &target)?,
        }
        tick();
        Ok(())
    })?;
    Ok(())
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir().context("cannot find the current folder")?.join(path))
}

/// Refuses outputs that would swallow the site or a folder of the user's.
fn check_output(source: &Path, output: &Path) -> anyhow::Result<()> {
    let source = absolute(source)?;
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (src, out) = (canon(&source), canon(output));
    if out.parent().is_none() || src.starts_with(&out) {
        bail!(
            "refusing to build into `{}`: it holds the site itself; choose a folder such as `public`",
            output.display()
        );
    }
    for protected in ["content", "templates", "static", "themes", images::CACHE_DIR] {
        if out.starts_with(src.join(protected)) {
            bail!("refusing to build into `{}`: it is inside the site's `{protected}/` folder", output.display());
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if out == canon(&home) {
            bail!("refusing to build into your home folder `{}`", output.display());
        }
    }
    if output.exists() {
        if !output.is_dir() {
            bail!("`{}` exists and is not a folder", output.display());
        }
        let empty = std::fs::read_dir(output)
            .with_context(|| format!("failed to read `{}`", output.display()))?
            .next()
            .is_none();
        if !empty && !output.join(MARKER).is_file() {
            bail!(
                "refusing to replace `{}`: it holds files masthead did not write (there is no `{MARKER}` marker); move them away or choose another --output",
                output.display()
            );
        }
    }
    Ok(())
}

/// The temporary folder a build writes into, beside the output.
struct Staging {
    dir: PathBuf,
}

impl Staging {
    fn create(output: &Path) -> anyhow::Result<Staging> {
        let parent = output.parent().ok_or_else(|| anyhow!("`{}` has no parent folder", output.display()))?;
        fs::create_dir_all(parent)?;
        let name =
            output.file_name().ok_or_else(|| anyhow!("`{}` has no folder name", output.display()))?.to_string_lossy();
        remove_stale(parent, &name);
        let dir = parent.join(format!(".{name}.masthead-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir(&dir).with_context(|| format!("failed to create folder `{}`", dir.display()))?;
        fs::write(&dir.join(MARKER), MARKER_TEXT.as_bytes())?;
        Ok(Staging { dir })
    }

    /// Puts the finished folder in place of `output`.
    fn swap_into(self, output: &Path) -> anyhow::Result<()> {
        if output.exists() {
            let old = self.dir.with_file_name(format!(
                ".{}.masthead-old-{}",
                output.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            fs::rename(output, &old)?;
            if let Err(e) = fs::rename(&self.dir, output) {
                // Put the previous site back: a failed build changes nothing.
                let _ = std::fs::rename(&old, output);
                return Err(e);
            }
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.dir, output)?;
        }
        Ok(())
    }

    fn discard(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Removes temporary folders left by builds that were killed, recognised by
/// their name and the marker inside.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = file_name.starts_with(&format!(".{name}.masthead-tmp-"))
            || file_name.starts_with(&format!(".{name}.masthead-old-"));
        if ours && entry.path().join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
