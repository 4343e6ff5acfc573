//! The output folder's safety and its atomic replacement: refusing outputs
//! that would swallow the site or a user's folder, the temporary folder a
//! build writes into (a fresh one or the recycled spare), the swap that puts
//! the new site in place in one step, and the recovery that clears what a
//! killed build left behind.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};

use super::{MARKER, MARKER_TEXT};
use crate::fs;
use crate::images;

pub(super) fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir().context("cannot find the current folder")?.join(path))
}

/// The real location of an absolute `path`: symbolic links followed and `.`
/// and `..` resolved as far as the path exists, and the part that does not
/// exist yet (folders the build will create) resolved by name. Safety checks
/// compare these, so `site/new/../content` is seen as `site/content`.
pub(super) fn resolve(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut existing = path;
    let mut out = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                missing.push(last);
                existing = parent;
            }
            _ => break PathBuf::new(),
        }
    };
    for component in missing.into_iter().rev() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Refuses outputs that would swallow the site or a folder of the user's.
pub(super) fn check_output(source: &Path, output: &Path) -> anyhow::Result<()> {
    let source = absolute(source)?;
    let (src, out) = (resolve(&source), resolve(output));
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
        if out == resolve(&home) {
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
pub(super) struct Staging {
    pub(super) dir: PathBuf,
    /// Whether `dir` is the spare: a previous site, to be pruned and
    /// rewritten, rather than a new empty folder.
    pub(super) recycled: bool,
}

impl Staging {
    /// Takes the spare as the temporary folder when `reuse` allows and there
    /// is one, else makes an empty folder.
    pub(super) fn create(output: &Path, reuse: bool) -> anyhow::Result<Staging> {
        let parent = output.parent().ok_or_else(|| anyhow!("`{}` has no parent folder", output.display()))?;
        fs::create_dir_all(parent)?;
        if output.file_name().is_none() {
            bail!("`{}` has no folder name", output.display());
        }
        let name = folder_name(output);
        remove_stale(parent, &name);
        let dir = parent.join(format!(".{name}.masthead-tmp-{}", std::process::id()));
        if !unlink_planted(&dir) && dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        // Renaming claims the spare: a build running beside this one cannot
        // take it too.
        let spare = spare_of(output);
        unlink_planted(&spare);
        if reuse && is_marked_folder(&spare) && std::fs::rename(&spare, &dir).is_ok() {
            return Ok(Staging { dir, recycled: true });
        }
        std::fs::create_dir(&dir).with_context(|| format!("failed to create folder `{}`", dir.display()))?;
        fs::write(&dir.join(MARKER), MARKER_TEXT.as_bytes())?;
        Ok(Staging { dir, recycled: false })
    }

    /// Puts the finished folder in place of `output`. On Linux both folders
    /// swap names in one step (`renameat2(RENAME_EXCHANGE)`), so there is no
    /// moment when `output` is missing or half old, half new: a build killed at
    /// any point leaves either the previous site or the new one. Elsewhere (or
    /// on file systems without the exchange) the old folder is first renamed
    /// to `.<name>.masthead-old-<pid>`; if the process dies before the second
    /// rename, the next build puts that folder back (see [`remove_stale`]).
    pub(super) fn swap_into(self, output: &Path) -> anyhow::Result<Previous> {
        if !output.exists() {
            fs::rename(&self.dir, output)?;
            return Ok(Previous::default());
        }
        if exchange(&self.dir, output)? {
            // The staging folder now holds the previous site.
            return Ok(Previous::at(self.dir, output));
        }
        let old = self.dir.with_file_name(format!(".{}.masthead-old-{}", folder_name(output), std::process::id()));
        unlink_planted(&old);
        fs::rename(output, &old)?;
        if let Err(e) = fs::rename(&self.dir, output) {
            // Put the previous site back: a failed build changes nothing.
            let _ = std::fs::rename(&old, output);
            return Err(e);
        }
        Ok(Previous::at(old, output))
    }

    /// After a failed build: a recycled folder goes back to being the spare
    /// (the next build prunes it like any other); a new one is removed.
    pub(super) fn discard(self, output: &Path) {
        let spare = spare_of(output);
        unlink_planted(&spare);
        if self.recycled && !spare.exists() && std::fs::rename(&self.dir, &spare).is_ok() {
            return;
        }
        let _ = remove_marked(&self.dir);
    }
}

/// The spare of `output`: the site before the current one, which the next
/// build recycles.
fn spare_of(output: &Path) -> PathBuf {
    output.with_file_name(format!(".{}.masthead-spare", folder_name(output)))
}

/// Whether `path` is a folder (not a link to one) holding masthead's marker
/// (a file, not a link to one).
fn is_marked_folder(path: &Path) -> bool {
    let plain =
        |p: &Path, dir: bool| std::fs::symlink_metadata(p).is_ok_and(|m| if dir { m.is_dir() } else { m.is_file() });
    plain(path, true) && plain(&path.join(MARKER), false)
}

/// What sits at the name of one of masthead's own folders beside the output
/// (temporary, old, spare).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnName {
    Nothing,
    Folder,
    /// A symbolic link: never followed, whatever it points to (SPEC §9).
    Link,
    Other,
}

impl OwnName {
    fn of(meta: Option<&std::fs::Metadata>) -> OwnName {
        match meta.map(std::fs::Metadata::file_type) {
            None => OwnName::Nothing,
            Some(t) if t.is_symlink() => OwnName::Link,
            Some(t) if t.is_dir() => OwnName::Folder,
            Some(_) => OwnName::Other,
        }
    }
}

/// Removes a symbolic link found at one of masthead's own names, as a link:
/// its target is neither read, emptied nor written to. Someone who can plant
/// `.public.masthead-tmp-<pid>` → another site must not make a build empty
/// that site. Says whether there was one.
fn unlink_planted(path: &Path) -> bool {
    let found = OwnName::of(std::fs::symlink_metadata(path).ok().as_ref());
    found == OwnName::Link && std::fs::remove_file(path).is_ok()
}

/// The previous site, moved aside by the swap. Its fate is the build's last
/// step, after the new site is in place and reported: it becomes the spare
/// (a rename), or, with `reuse_previous_build: false`, it is removed, and the
/// wait for thousands of deletions is still not part of the build; a removal
/// cut short is finished by the next build (see [`remove_stale`]).
#[derive(Debug, Default)]
#[must_use = "the previous site stays beside the output until retired"]
pub(crate) struct Previous {
    pub(super) dir: Option<PathBuf>,
    spare: PathBuf,
    /// Keep it as the spare rather than removing it.
    pub(crate) keep: bool,
}

impl Previous {
    fn at(dir: PathBuf, output: &Path) -> Previous {
        Previous { dir: Some(dir), spare: spare_of(output), keep: false }
    }

    /// Makes the previous site the spare, or removes it (and any spare).
    pub(crate) fn retire(self) -> anyhow::Result<()> {
        let Some(dir) = self.dir else { return Ok(()) };
        unlink_planted(&self.spare);
        if self.keep && !self.spare.exists() {
            return fs::rename(&dir, &self.spare);
        }
        if !self.keep && is_marked_folder(&self.spare) {
            remove_marked(&self.spare)?;
        }
        remove_marked(&dir)
    }
}

/// Swaps the names of two folders atomically; `Ok(false)` when this system or
/// file system cannot, and the caller must fall back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> anyhow::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("failed to swap `{}` with `{}`", a.display(), b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> anyhow::Result<bool> {
    Ok(false)
}

pub(super) fn folder_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Removes a folder masthead wrote, its marker last: a removal cut short
/// leaves the marker behind, so the next build still knows the folder is
/// its own and finishes the job.
fn remove_marked(dir: &Path) -> anyhow::Result<()> {
    if unlink_planted(dir) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("failed to read `{}`", dir.display()))?;
        if entry.file_name() == MARKER {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path).with_context(|| format!("failed to remove `{}`", path.display()))?;
        }
    }
    fs::remove_dir_all(dir)
}

/// Cleans up after builds that were killed: their temporary folders
/// (`.<name>.masthead-tmp-<pid>`, recognised by name and by the marker
/// inside, or empty) become the spare if there is none and are removed
/// otherwise, unless that build is still running; and if
/// a build died between the two renames of the fallback swap, leaving no
/// `output` but a `.<name>.masthead-old-<pid>`, that folder is put back.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let output = parent.join(name);
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = stale_kind(&file_name, name) else { continue };
        let path = entry.path();
        // No build makes a link there, running or not: it is planted.
        if unlink_planted(&path) || pid == Some(std::process::id()) || pid.is_some_and(is_running) {
            continue;
        }
        if !is_marked_folder(&path) {
            // Killed before the marker was written or after it was removed:
            // only an empty folder is ours to remove.
            let _ = std::fs::remove_dir(&path);
            continue;
        }
        if kind == Stale::Old && !output.exists() && std::fs::rename(&path, &output).is_ok() {
            continue;
        }
        // Whatever the killed build wrote can still be recycled.
        let spare = spare_of(&output);
        unlink_planted(&spare);
        if !spare.exists() && std::fs::rename(&path, &spare).is_ok() {
            continue;
        }
        let _ = remove_marked(&path);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stale {
    Tmp,
    Old,
}

/// Whether `file_name` is one of the temporary folders of output `name`, and
/// the process id it names.
fn stale_kind(file_name: &str, name: &str) -> Option<(Stale, Option<u32>)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let (kind, pid) = if let Some(pid) = rest.strip_prefix(".masthead-tmp-") {
        (Stale::Tmp, pid)
    } else {
        (Stale::Old, rest.strip_prefix(".masthead-old-")?)
    };
    Some((kind, pid.parse().ok()))
}

/// Whether a process with this id is alive (Linux: `/proc/<pid>`); elsewhere
/// every other build counts as finished.
fn is_running(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_names_tell_links_from_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        std::fs::create_dir(p.join("dir")).unwrap();
        std::fs::write(p.join("file"), "x").unwrap();
        std::os::unix::fs::symlink(p.join("dir"), p.join("link")).unwrap();
        std::os::unix::fs::symlink(p.join("nothing"), p.join("dangling")).unwrap();
        for (name, want) in [
            ("missing", OwnName::Nothing),
            ("dir", OwnName::Folder),
            ("file", OwnName::Other),
            ("link", OwnName::Link),
            ("dangling", OwnName::Link),
        ] {
            assert_eq!(OwnName::of(std::fs::symlink_metadata(p.join(name)).ok().as_ref()), want, "{name}");
        }
    }

    #[test]
    fn planted_links_at_own_names_are_unlinked_and_their_targets_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(theirs.join("keep.txt"), "mine").unwrap();
        std::fs::create_dir(tmp.path().join("public")).unwrap();
        for name in [".public.masthead-tmp-4000000000", ".public.masthead-old-4000000001", ".public.masthead-spare"] {
            std::os::unix::fs::symlink(&theirs, tmp.path().join(name)).unwrap();
        }
        remove_stale(tmp.path(), "public");
        assert!(remove_marked(&tmp.path().join(".public.masthead-spare")).is_ok());
        let mut left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["public", "theirs"]);
        let mut names: Vec<_> = std::fs::read_dir(&theirs).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, [MARKER, "keep.txt"]);
    }

    use super::*;

    #[test]
    fn resolves_paths_that_do_not_exist_yet() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("site/content")).unwrap();
        for (given, want) in [
            ("site/new/../content/x", "site/content/x"),
            ("site/./content/../content", "site/content"),
            ("site/content/a/b/../../c", "site/content/c"),
            ("site/public", "site/public"),
            ("site/..", ""),
        ] {
            assert_eq!(resolve(&root.join(given)), root.join(want), "{given}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("site/content"), root.join("link")).unwrap();
            assert_eq!(resolve(&root.join("link/new")), root.join("site/content/new"));
        }
    }

    #[test]
    fn recognises_its_temporary_folders() {
        assert_eq!(stale_kind(".public.masthead-tmp-42", "public"), Some((Stale::Tmp, Some(42))));
        assert_eq!(stale_kind(".public.masthead-old-7", "public"), Some((Stale::Old, Some(7))));
        assert_eq!(stale_kind(".public.masthead-tmp-x", "public"), Some((Stale::Tmp, None)));
        assert_eq!(stale_kind(".site.masthead-tmp-42", "public"), None);
        assert_eq!(stale_kind("public.masthead-tmp-42", "public"), None);
        assert_eq!(stale_kind(".public", "public"), None);
        assert_eq!(stale_kind(".publicx.masthead-tmp-1", "public"), None);
    }

    fn tree(root: &Path, name: &str, body: &str) -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(dir.join("a/b/index.html"), body).unwrap();
        dir
    }

    #[test]
    fn swap_replaces_the_output_and_leaves_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let output = tree(tmp.path(), "public", "old");
        let staging = Staging { dir: tree(tmp.path(), ".public.masthead-tmp-1", "new"), recycled: false };
        staging.swap_into(&output).unwrap().retire().unwrap();
        assert_eq!(std::fs::read_to_string(output.join("a/b/index.html")).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn a_site_moved_aside_by_a_killed_build_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        tree(tmp.path(), ".public.masthead-old-4000000", "previous");
        tree(tmp.path(), ".public.masthead-tmp-4000000", "half");
        // Killed before the marker was written, and a folder of the user's.
        std::fs::create_dir(tmp.path().join(".public.masthead-tmp-4000001")).unwrap();
        std::fs::create_dir_all(tmp.path().join(".public.masthead-tmp-4000002/keep")).unwrap();
        remove_stale(tmp.path(), "public");
        let output = tmp.path().join("public");
        assert_eq!(std::fs::read_to_string(output.join("a/b/index.html")).unwrap(), "previous");
        let mut names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        // The half-written folder is kept as the spare, for the next build to recycle.
        let spare = [".public.masthead-spare", ".public.masthead-tmp-4000002", "public"];
        assert_eq!(names, spare.map(std::ffi::OsString::from).to_vec());
        assert_eq!(std::fs::read_to_string(tmp.path().join(".public.masthead-spare/a/b/index.html")).unwrap(), "half");
    }
}
