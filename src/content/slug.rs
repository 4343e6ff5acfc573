//! Slugs and permalinks. A slug is lower-case ASCII letters, digits and `-`
//! (non-ASCII transliterated), so it can never name another folder; a
//! permalink pattern turns an edition date and a slug into a URL path.

/// `Putin & Kim: a Summit` → `putin-kim-a-summit`; `Ünïcödé` → `unicode`.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// The file written for a URL path: `/a/b/` → `a/b/index.html`, `/a/b.html` → `a/b.html`.
pub fn output_file(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') { format!("{trimmed}index.html") } else { trimmed.to_string() }
}

/// The file an alias (an old URL path such as `/old/story/` or
/// `2019/story.html`) is written to, or why it cannot be.
pub fn alias_output(alias: &str) -> Result<String, String> {
    let path = alias.trim();
    if path.contains("://") || path.starts_with("//") {
        return Err(format!("the alias `{alias}` must be a path of this site, not a full URL"));
    }
    let bad = |s: &str| s == "." || s == ".." || s.contains(['\\', '\0', ':', '%', '?', '#']);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() || segments.iter().any(|s| bad(s)) {
        return Err(format!("the alias `{alias}` is not a usable path inside the site"));
    }
    if let Some(problem) = segments.iter().find_map(|s| crate::fs::segment_problem(s)) {
        return Err(format!("the alias `{}` cannot be published: {problem}", crate::fs::shorten(alias)));
    }
    let last = segments[segments.len() - 1];
    let joined = segments.join("/");
    Ok(if path.ends_with('/') || !last.contains('.') { format!("{joined}/index.html") } else { joined })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe() {
        for (input, want) in [
            ("Russia & North Korea", "russia-north-korea"),
            ("Ünïcödé Straße", "unicode-strasse"),
            ("../../etc/passwd", "etc-passwd"),
            ("/abs/path", "abs-path"),
            ("C:\\windows", "c-windows"),
            ("  Hello,   World!  ", "hello-world"),
            ("北京", "bei-jing"),
            ("%2e%2e", "2e-2e"),
        ] {
            assert_eq!(slugify(input), want, "{input}");
        }
        assert_eq!(slugify("!!!"), "");
        // A slug never starts with `.`, so it never names a hidden file.
        for dotted in [".htaccess", ".masthead-output", "..", ". x"] {
            assert!(!slugify(dotted).starts_with('.'), "{dotted}");
        }
    }

    #[test]
    fn output_files() {
        assert_eq!(output_file("/2023/09/05/a/"), "2023/09/05/a/index.html");
        assert_eq!(output_file("/a.html"), "a.html");
        assert_eq!(output_file("/"), "index.html");
    }

    #[test]
    fn aliases_stay_inside() {
        assert_eq!(alias_output("/old/story/").unwrap(), "old/story/index.html");
        assert_eq!(alias_output("old/story").unwrap(), "old/story/index.html");
        assert_eq!(alias_output("/2019/story.html").unwrap(), "2019/story.html");
        for bad in ["/", "", "../x", "/a/../../b", "https://x.org/a", "c:\\x", "%2e%2e/x", "a/\0/b"] {
            assert!(alias_output(bad).is_err(), "{bad:?}");
        }
        // No hidden files, none of masthead's own, no names the file system refuses.
        let long = format!("/{}/", "a".repeat(256));
        for bad in ["/.htaccess", "/.masthead-output", "/old/.git/config", "/.well-known/x", long.as_str()] {
            assert!(alias_output(bad).is_err(), "{bad:?}");
        }
        assert!(alias_output(&format!("/{}/", "a".repeat(255))).is_ok());
    }
}

#[cfg(test)]
mod props;
