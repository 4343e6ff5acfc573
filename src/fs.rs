//! File-system helpers that put the path in every error, the one predicate
//! that decides which files belong to the site (shared by the build walk and
//! the watcher), and `safe_join`, which keeps every output inside its folder.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("failed to write `{}`", path.display()))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("failed to create folder `{}`", path.display()))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).with_context(|| format!("failed to remove `{}`", path.display()))
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).with_context(|| format!("failed to rename `{}` to `{}`", from.display(), to.display()))
}

/// Whether a file or folder name is left out of the site: hidden names,
/// editor leftovers (`*~`, `*.swp`, `#*#`) and similar temporaries.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// Whether `path` (anywhere below the site folder) should be ignored: any of
/// its components relative to `root` is an ignored name, or it lies inside
/// the output folder.
pub fn is_ignored(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return true;
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().any(|c| match c {
        Component::Normal(name) => is_ignored_name(&name.to_string_lossy()),
        _ => false,
    })
}

/// Joins an output-relative path (`2023/09/05/slug/index.html`, `/`
/// separated) onto the output folder, refusing anything that could leave
/// it: empty, `.` or `..` segments, backslashes, drive letters, NUL bytes.
pub fn safe_join(out: &Path, rel: &str) -> Result<PathBuf> {
    if rel.is_empty() {
        bail!("empty output path");
    }
    let mut path = out.to_path_buf();
    for segment in rel.split('/') {
        let bad = segment.is_empty() || segment == "." || segment == ".." || segment.contains(['\\', '\0', ':']);
        if bad {
            bail!("output path `{rel}` would leave the output folder");
        }
        path.push(segment);
    }
    Ok(path)
}

/// `path` relative to `root` with `/` separators, for messages and URLs.
pub fn display_rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_accepts_plain_paths() {
        let out = Path::new("/srv/public");
        assert_eq!(safe_join(out, "2023/09/05/a/index.html").unwrap(), out.join("2023/09/05/a/index.html"));
        assert_eq!(safe_join(out, "index.html").unwrap(), out.join("index.html"));
    }

    #[test]
    fn safe_join_refuses_escapes() {
        let out = Path::new("/srv/public");
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "a//b", "a\\..\\b", "c:/x", "a/./b", "a/\0/b", "a/"] {
            assert!(safe_join(out, bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn ignores_hidden_and_editor_files() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        for p in ["content/.git/x", "content/a.md~", "content/.a.md.swp", "content/#a.md#", "public/index.html"] {
            assert!(is_ignored(root, out, &root.join(p)), "{p}");
        }
        for p in ["content/2023-09-05/a.md", "static/css/x.css"] {
            assert!(!is_ignored(root, out, &root.join(p)), "{p}");
        }
    }
}
