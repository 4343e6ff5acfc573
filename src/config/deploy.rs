//! The `deploy:` section of `site.yaml` (SPEC §11): where `masthead deploy`
//! publishes, with the `Cache-Control` rules by glob, and what `check` and
//! `build` refuse in it. Credentials never come from here (see docs/deploy.md).

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};

/// `deploy:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Deploy {
    /// The first is the default target.
    pub(crate) targets: Vec<DeployTarget>,
}

/// One entry of `deploy.targets`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeployTarget {
    pub(crate) name: String,
    /// `s3://bucket/prefix/` or `file:///absolute/path/`.
    pub(crate) url: String,
    /// Glob → `Cache-Control` value, first match wins; masthead's defaults
    /// ([`DEFAULT_CACHE_CONTROL`]) apply after these.
    #[serde(default)]
    pub(crate) cache_control: CacheRules,
    /// Uploads at a time.
    #[serde(default = "default_concurrency")]
    pub(crate) concurrency: usize,
}

fn default_concurrency() -> usize {
    16
}

/// Rules in the order they were written (a YAML map, whose order matters
/// here: first match wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CacheRules(pub(crate) Vec<(String, String)>);

impl<'de> Deserialize<'de> for CacheRules {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Rules;
        impl<'de> Visitor<'de> for Rules {
            type Value = CacheRules;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of glob to Cache-Control value, such as \"*.html\": \"public, max-age=60\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CacheRules, A::Error> {
                let mut rules = Vec::new();
                while let Some((glob, value)) = map.next_entry::<String, String>()? {
                    rules.push((glob, value));
                }
                Ok(CacheRules(rules))
            }
        }
        d.deserialize_map(Rules)
    }
}

/// masthead's own rules, after the target's: short for pages and feeds
/// (they change with every edition), long and `immutable` for photos and
/// for the search index's files, whose names are their content's hash,
/// an hour for the rest (the theme's stylesheet and scripts keep their names
/// when they change).
#[cfg(any(feature = "deploy", test))]
pub(crate) const DEFAULT_CACHE_CONTROL: &[(&str, &str)] = &[
    ("pagefind/{fragment,index}/**", "public, max-age=31536000, immutable"),
    ("*.{html,xml,json,txt}", "public, max-age=60"),
    ("*.{jpg,jpeg,png,gif,webp,avif}", "public, max-age=31536000, immutable"),
    ("*", "public, max-age=3600"),
];

/// Where a target publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A bucket, and the prefix under it: empty, or ending in `/`.
    S3 { bucket: String, prefix: String },
    /// A folder (absolute).
    Folder(std::path::PathBuf),
}

impl Location {
    /// Reads `s3://bucket/prefix/` or `file:///path/`.
    pub(crate) fn parse(url: &str) -> Result<Location, String> {
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let bucket_ok = !bucket.is_empty()
                && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if !bucket_ok {
                return Err(format!("`{url}` has no valid bucket name (lower-case letters, digits, `-` and `.`)"));
            }
            let prefix = prefix.trim_matches('/');
            if prefix.split('/').any(|s| s == "." || s == "..")
                || prefix.contains("//")
                || prefix.chars().any(|c| c.is_control() || c == '\\')
            {
                return Err(format!("`{url}` has a prefix that is not a plain path"));
            }
            let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
            return Ok(Location::S3 { bucket: bucket.to_string(), prefix });
        }
        if let Some(path) = url.strip_prefix("file://") {
            if !path.starts_with('/') || path.split('/').any(|s| s == "..") {
                return Err(format!("`{url}` is not an absolute folder; write `file:///srv/www/news/`"));
            }
            return Ok(Location::Folder(path.into()));
        }
        Err(format!("`{url}` is neither an `s3://bucket/prefix/` nor a `file:///path/` address"))
    }
}

impl DeployTarget {
    pub(crate) fn location(&self) -> Result<Location, String> {
        Location::parse(&self.url)
    }

    /// The `Cache-Control` of the output file `path`: the first rule of the
    /// target, then of [`DEFAULT_CACHE_CONTROL`], whose glob matches.
    #[cfg(any(feature = "deploy", test))]
    pub(crate) fn cache_control(&self, path: &str) -> &str {
        let own = self.cache_control.0.iter().map(|(g, v)| (g.as_str(), v.as_str()));
        own.chain(DEFAULT_CACHE_CONTROL.iter().copied()).find(|(glob, _)| glob_matches(glob, path)).map_or("", |r| r.1)
    }
}

/// What is wrong with `deploy:` in `site.yaml`, one message per problem.
pub(crate) fn check_config(config: &Deploy) -> Vec<String> {
    let mut out = Vec::new();
    for (i, target) in config.targets.iter().enumerate() {
        let name = &target.name;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            out.push(format!("deploy.targets: `{name}` is not a target name (letters, digits, `-` and `_`)"));
        }
        if config.targets[..i].iter().any(|t| t.name == *name) {
            out.push(format!("deploy.targets: two targets are named `{name}`"));
        }
        if let Err(e) = target.location() {
            out.push(format!("deploy.targets: {name}: {e}"));
        }
        if !(1..=256).contains(&target.concurrency) {
            out.push(format!("deploy.targets: {name}: concurrency {} is not between 1 and 256", target.concurrency));
        }
        for (glob, value) in &target.cache_control.0 {
            if let Err(e) = check_glob(glob) {
                out.push(format!("deploy.targets: {name}: cache_control `{glob}`: {e}"));
            }
            if value.chars().any(char::is_control) {
                out.push(format!(
                    "deploy.targets: {name}: cache_control `{glob}`: the value holds a control character"
                ));
            }
        }
    }
    out
}

/// Whether a glob is well formed: braces closed, not nested.
pub(crate) fn check_glob(glob: &str) -> Result<(), String> {
    let mut open = false;
    for c in glob.chars() {
        match c {
            '{' if open => return Err("braces inside braces are not supported".into()),
            '{' => open = true,
            '}' if !open => return Err("a `}` without its `{`".into()),
            '}' => open = false,
            _ => {}
        }
    }
    if open { Err("a `{` without its `}`".into()) } else { Ok(()) }
}

/// Whether `path` (relative, with `/`) matches `glob`. A glob without `/`
/// is matched against the file name alone (`*.html` is every page); one
/// with `/` against the whole path (`/index.html` is the front page alone).
/// `*` matches within a name, `**` across folders, `?` one character,
/// `{a,b}` either.
#[cfg(any(feature = "deploy", test))]
pub(crate) fn glob_matches(glob: &str, path: &str) -> bool {
    let subject = if glob.contains('/') { path } else { path.rsplit('/').next().unwrap_or(path) };
    let glob = glob.strip_prefix('/').unwrap_or(glob);
    expand(glob).iter().any(|g| matches(g.as_bytes(), subject.as_bytes()))
}

/// The globs a `{a,b}` stands for (one level of braces).
#[cfg(any(feature = "deploy", test))]
fn expand(glob: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (glob.find('{'), glob.find('}')) else { return vec![glob.to_string()] };
    if close < open {
        return vec![glob.to_string()];
    }
    let (head, tail) = (&glob[..open], &glob[close + 1..]);
    glob[open + 1..close].split(',').flat_map(|alt| expand(&format!("{head}{alt}{tail}"))).collect()
}

#[cfg(any(feature = "deploy", test))]
fn matches(glob: &[u8], path: &[u8]) -> bool {
    match glob {
        [] => path.is_empty(),
        [b'*', b'*', rest @ ..] => {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            (0..=path.len()).any(|i| matches(rest, &path[i..]))
        }
        [b'*', rest @ ..] => {
            let stop = path.iter().position(|&b| b == b'/').unwrap_or(path.len());
            (0..=stop).any(|i| matches(rest, &path[i..]))
        }
        [b'?', rest @ ..] => path.first().is_some_and(|&b| b != b'/') && matches(rest, &path[1..]),
        [c, rest @ ..] => path.first() == Some(c) && matches(rest, &path[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_names_or_paths() {
        for (glob, path, expected) in [
            ("*.html", "index.html", true),
            ("*.html", "2023/09/05/story/index.html", true),
            ("*.html", "feed.xml", false),
            ("*.{jpg,png}", "2023/09/05/pier-480w.jpg", true),
            ("*.{jpg,png}", "a/b.png", true),
            ("*.{jpg,png}", "a/b.gif", false),
            ("static/*.css", "static/site.css", true),
            ("static/*.css", "static/x/site.css", false),
            ("pagefind/**", "pagefind/fragment/en_1.pf_fragment", true),
            ("pagefind/{fragment,index}/**", "pagefind/index/en_2.pf_index", true),
            ("pagefind/{fragment,index}/**", "pagefind/pagefind.js", false),
            ("**/index.html", "index.html", true),
            ("**/index.html", "a/b/index.html", true),
            ("feed.???", "feed.xml", true),
            ("*", "anything/at/all.bin", true),
            ("/index.html", "index.html", true),
            ("/index.html", "a/index.html", false),
        ] {
            assert_eq!(glob_matches(glob, path), expected, "{glob} ~ {path}");
        }
    }

    #[test]
    fn first_rule_wins_then_the_defaults() {
        let target = DeployTarget {
            name: "p".into(),
            url: "s3://b/".into(),
            cache_control: CacheRules(vec![("/index.html".into(), "no-cache".into())]),
            concurrency: 16,
        };
        assert_eq!(target.cache_control("index.html"), "no-cache");
        assert_eq!(target.cache_control("2023/09/05/index.html"), "public, max-age=60");
        assert_eq!(target.cache_control("feed.json"), "public, max-age=60");
        assert_eq!(target.cache_control("a/pier-960w.jpg"), "public, max-age=31536000, immutable");
        assert_eq!(target.cache_control("pagefind/fragment/en_9.pf_fragment"), "public, max-age=31536000, immutable");
        assert_eq!(target.cache_control("pagefind/pagefind-entry.json"), "public, max-age=60");
        assert_eq!(target.cache_control("style.css"), "public, max-age=3600");
    }

    #[test]
    fn locations_are_read_and_bad_ones_explained() {
        let s3 = |b: &str, p: &str| Ok(Location::S3 { bucket: b.into(), prefix: p.into() });
        assert_eq!(Location::parse("s3://news/"), s3("news", ""));
        assert_eq!(Location::parse("s3://news"), s3("news", ""));
        assert_eq!(Location::parse("s3://news/daily/site"), s3("news", "daily/site/"));
        assert_eq!(Location::parse("file:///srv/www/"), Ok(Location::Folder("/srv/www/".into())));
        for bad in ["s3:///x", "s3://News/", "s3://b/../x", "s3://b/a//c", "file://relative", "https://x/", "/srv"] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_targets_are_reported_each() {
        let target = |name: &str, url: &str, concurrency| DeployTarget {
            name: name.into(),
            url: url.into(),
            cache_control: CacheRules(vec![("*.{html".into(), "x".into())]),
            concurrency,
        };
        let config = Deploy { targets: vec![target("a", "s3://b/", 16), target("a", "ftp://x", 0)] };
        let problems = check_config(&config);
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("two targets are named `a`")));
        assert!(problems.iter().any(|p| p.contains("concurrency 0")));
    }
}
