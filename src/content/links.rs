//! Resolves link and image targets written in Markdown: `.md` files
//! (relative to the file, or `@/` from `content/`) become page URLs and
//! files beside articles become their published URLs. A target that
//! resolves to nothing is reported at the link's line.

use std::collections::HashMap;

use percent_encoding::percent_decode_str;

use super::markdown::LinkOutcome;

/// A page a `.md` link can point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageTarget {
    pub url: String,
    /// Set when the page is left out of this build (a draft, a scheduled
    /// edition): the link still gets its URL, with this warning.
    pub left_out: Option<String>,
}

/// Every linkable page and file of the site, by path relative to `content/`.
#[derive(Debug, Clone, Default)]
pub struct LinkIndex {
    pub pages: crate::fs::FastMap<String, PageTarget>,
    pub assets: HashMap<String, String>,
    /// Sizes of images, by the URL that `assets` gives them.
    pub(crate) images: super::photos::SizeIndex,
    /// Markdown files (under `content/`) that failed to load: their own
    /// errors are reported, so links to them are not errors again.
    pub(crate) failed: std::collections::HashSet<String>,
}

impl LinkIndex {
    /// Resolves `dest`, written in a file in content folder `from_dir`.
    pub fn resolve(&self, from_dir: &str, dest: &str) -> LinkOutcome {
        if is_external(dest) {
            return LinkOutcome::Keep;
        }
        let cut = dest.find(['#', '?']).unwrap_or(dest.len());
        let (path, suffix) = dest.split_at(cut);
        let (base, path) = match path.strip_prefix("@/") {
            Some(rest) => ("", rest),
            None => (from_dir, path),
        };
        if path.is_empty() || path.ends_with('/') {
            return LinkOutcome::Keep;
        }
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        if decoded.chars().any(char::is_control) {
            // `%00` and friends name no file, and would garble the message in a terminal.
            return LinkOutcome::Broken(format!("the link `{}` holds a control character", dest.escape_debug()));
        }
        let Some(target) = normalize(base, &decoded) else {
            return LinkOutcome::Broken(format!("the link `{dest}` points outside the content folder"));
        };
        if target.ends_with(".md") {
            return match self.pages.get(&target) {
                Some(PageTarget { url, left_out: None }) => LinkOutcome::Rewrite(format!("{url}{suffix}")),
                Some(PageTarget { url, left_out: Some(why) }) => LinkOutcome::Warn(
                    format!("{url}{suffix}"),
                    format!("the link `{dest}` points at {why}, which this build leaves out"),
                ),
                None if self.failed.contains(&target) => LinkOutcome::Keep,
                None => LinkOutcome::Broken(format!(
                    "the link `{dest}` points at `content/{target}`, which is not an article of this site{}",
                    self.case_hint(&target)
                )),
            };
        }
        match self.assets.get(&target) {
            Some(url) => LinkOutcome::Rewrite(format!("{url}{suffix}")),
            None => LinkOutcome::Broken(format!(
                "the link `{dest}` points at `content/{target}`, which does not exist{}",
                self.case_hint(&target)
            )),
        }
    }
}

impl LinkIndex {
    /// `" (there is `content/…/Harbor.JPG`: names differ in case)"` when a
    /// page or file of the site has `target`'s name in other letter case:
    /// a name that works on a laptop's file system and fails on a server's.
    pub(crate) fn case_hint(&self, target: &str) -> String {
        let lower = target.to_lowercase();
        let found = self.pages.keys().chain(self.assets.keys()).find(|k| k.to_lowercase() == lower && *k != target);
        match found {
            Some(other) => format!(" (there is `content/{other}`: the names differ in upper and lower case)"),
            None => String::new(),
        }
    }
}

/// URLs with a scheme, protocol-relative and root-absolute paths, and
/// in-page anchors are left alone.
fn is_external(dest: &str) -> bool {
    if dest.is_empty() || dest.starts_with(['#', '/', '?']) {
        return true;
    }
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !dest.starts_with("@/")
        }
        None => false,
    }
}

/// Joins `path` onto content folder `base` and folds `.` and `..`; `None`
/// when it climbs above `content/`.
pub fn normalize(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for segment in path.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LinkIndex {
        let mut ix = LinkIndex::default();
        ix.pages.insert("2023-09-05/a.md".into(), PageTarget { url: "/2023/09/05/a/".into(), left_out: None });
        ix.pages.insert(
            "2023-09-06/d.md".into(),
            PageTarget { url: "/2023/09/06/d/".into(), left_out: Some("a draft".into()) },
        );
        ix.assets.insert("2023-09-05/p.jpg".into(), "/2023/09/05/p.jpg".into());
        ix
    }

    #[test]
    fn resolves_relative_and_root_links() {
        let ix = index();
        assert_eq!(ix.resolve("2023-09-05", "a.md"), LinkOutcome::Rewrite("/2023/09/05/a/".into()));
        assert_eq!(ix.resolve("2023-09-06", "../2023-09-05/a.md#x"), LinkOutcome::Rewrite("/2023/09/05/a/#x".into()));
        assert_eq!(ix.resolve("2023-09-06", "@/2023-09-05/a.md"), LinkOutcome::Rewrite("/2023/09/05/a/".into()));
        assert_eq!(ix.resolve("2023-09-05", "./p.jpg"), LinkOutcome::Rewrite("/2023/09/05/p.jpg".into()));
        assert_eq!(ix.resolve("2023-09-05", "%61.md"), LinkOutcome::Rewrite("/2023/09/05/a/".into()));
    }

    #[test]
    fn leaves_external_links() {
        let ix = index();
        for dest in ["https://x.org/a.md", "mailto:a@b.c", "#top", "/about/", "//cdn.x/a.js", ""] {
            assert_eq!(ix.resolve("2023-09-05", dest), LinkOutcome::Keep, "{dest}");
        }
    }

    #[test]
    fn reports_broken_and_escaping_links() {
        let ix = index();
        assert!(matches!(ix.resolve("2023-09-05", "nope.md"), LinkOutcome::Broken(_)));
        assert!(matches!(ix.resolve("2023-09-05", "../../etc/passwd"), LinkOutcome::Broken(_)));
        assert!(matches!(ix.resolve("2023-09-05", "..\\..\\x.md"), LinkOutcome::Broken(_)));
        assert!(matches!(ix.resolve("2023-09-05", "%2e%2e/%2e%2e/x.md"), LinkOutcome::Broken(_)));
        assert_eq!(
            ix.resolve("2023-09-05", "a%00.md"),
            LinkOutcome::Broken("the link `a%00.md` holds a control character".into())
        );
        assert!(matches!(ix.resolve("2023-09-05", "../2023-09-06/d.md"), LinkOutcome::Warn(..)));
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize("a/b", "../c.md").as_deref(), Some("a/c.md"));
        assert_eq!(normalize("", "x/./y.md").as_deref(), Some("x/y.md"));
        assert_eq!(normalize("a", "../../x"), None);
    }
}

#[cfg(test)]
mod props;
