//! Permalink patterns (`permalinks:` in `site.yaml`): the check at load and the
//! expansion of an edition date and a slug into a URL path.

use jiff::civil::Date;

/// Checks a permalink pattern from `site.yaml`.
pub(crate) fn check_pattern(pattern: &str, needs_slug: bool) -> Result<(), String> {
    if !pattern.starts_with('/') {
        return Err(format!("`{pattern}` must start with `/`"));
    }
    if needs_slug && !pattern.contains(":slug") {
        return Err(format!("`{pattern}` must contain `:slug`, or articles of one edition would share a page"));
    }
    if !needs_slug && pattern.contains(":slug") {
        return Err(format!("`{pattern}` may not contain `:slug`"));
    }
    let dated = pattern.contains(":year") && pattern.contains(":month") && pattern.contains(":day");
    if !dated && !pattern.contains(":edition") {
        return Err(format!(
            "`{pattern}` must contain `:year`, `:month` and `:day` (or `:edition`) so editions do not collide"
        ));
    }
    let probe = expand(pattern, Date::constant(2023, 9, 5), "slug");
    if probe.split('/').any(|s| s == ".." || s == "." || s.contains(['\\', ':'])) || probe.contains("//") {
        return Err(format!("`{pattern}` makes paths that leave the output folder"));
    }
    Ok(())
}

/// Expands a pattern: `/:year/:month/:day/:slug/` → `/2023/09/05/slug/`.
/// The result has no site prefix (see [`crate::config::BaseUrl`]).
pub(crate) fn expand(pattern: &str, date: Date, slug: &str) -> String {
    pattern
        .replace(":year", &format!("{:04}", date.year()))
        .replace(":month", &format!("{:02}", date.month()))
        .replace(":day", &format!("{:02}", date.day()))
        .replace(":edition", &date.to_string())
        .replace(":slug", slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_expand() {
        let d = Date::constant(2023, 9, 5);
        assert_eq!(expand("/:year/:month/:day/:slug/", d, "a"), "/2023/09/05/a/");
        assert_eq!(expand("/editions/:edition/", d, ""), "/editions/2023-09-05/");
    }

    #[test]
    fn patterns_are_checked() {
        assert!(check_pattern("/:year/:month/:day/:slug/", true).is_ok());
        assert!(check_pattern("/:year/:month/:day/", false).is_ok());
        assert!(check_pattern("/:year/:month/:day/", true).is_err());
        assert!(check_pattern(":year/:month/:day/:slug", true).is_err());
        assert!(check_pattern("/../:year/:month/:day/:slug/", true).is_err());
        assert!(check_pattern("/:year/:slug/", true).is_err());
    }
}
