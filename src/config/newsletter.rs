//! The `newsletter:` section of `site.yaml`: what `check` and `build` refuse in it, and
//! the address rule the `.eml` headers and the `--to`/`--from` flags share.

use super::Newsletter;

/// What is wrong with `newsletter:` in `site.yaml`, one message per problem.
pub(crate) fn check_config(config: &Newsletter) -> Vec<String> {
    let mut out = Vec::new();
    let tag = &config.unsubscribe;
    if tag.trim().is_empty() || tag.contains(['"', '\'', '&']) || tag.chars().any(char::is_whitespace) {
        out.push(format!(
            "newsletter.unsubscribe: `{tag}` cannot be used as a link; it may not be empty or hold spaces, quotes or `&`"
        ));
    }
    if let Some(problem) = unsafe_unsubscribe(tag) {
        out.push(problem);
    }
    if !config.from.is_empty() && !is_address(&config.from) {
        out.push(format!("newsletter.from: `{}` is not an email address", config.from));
    }
    out
}

/// What is wrong with an unsubscribe link that is a URL rather than a merge
/// tag: a scheme other than `https:`, `http:` or `mailto:` (`javascript:`
/// and `data:` run in the reader's mail client or browser), a web URL
/// without a host, or a character that would end the `href` or the tag. A
/// merge tag has no scheme (`{{unsubscribe}}`, `*|UNSUB|*`) and is left to the
/// email service, as is one inside a URL (`https://x.org/u/{{id}}`).
fn unsafe_unsubscribe(tag: &str) -> Option<String> {
    use super::{URL_SCHEMES, url_scheme};
    let shown = crate::diagnostic::printable(tag);
    if tag.chars().any(char::is_control) {
        return Some(format!("newsletter.unsubscribe: `{shown}` holds a control character"));
    }
    let scheme = url_scheme(tag)?;
    if !URL_SCHEMES.contains(&scheme.as_str()) {
        return Some(format!(
            "newsletter.unsubscribe: `{shown}` uses the scheme `{scheme}`; only `https:`, `http:` and `mailto:` links (or a merge tag such as `{{{{unsubscribe}}}}`) are allowed"
        ));
    }
    let rest = &tag[scheme.len()..];
    let has_target = match scheme.as_str() {
        "mailto:" => !rest.is_empty(),
        _ => rest.strip_prefix("//").is_some_and(|r| !r.is_empty() && !r.starts_with('/')),
    };
    if !has_target || tag.contains(['<', '>', '`', '\\']) {
        return Some(format!("newsletter.unsubscribe: `{shown}` is not a valid `{scheme}` link"));
    }
    None
}

/// A plain `local@domain` address, as the `From`/`To` headers need.
pub(crate) fn is_address(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(|c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(c))
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_merge_tags_are_checked() {
        for ok in ["news@example.com", "a.b+c@mail.example.org"] {
            assert!(is_address(ok), "{ok}");
        }
        for bad in [
            "",
            "news",
            "@example.com",
            "news@localhost",
            "a b@example.com",
            "<a@example.com>",
            "a\u{1b}]0;x\u{7}@x.org",
        ] {
            assert!(!is_address(bad), "{bad}");
        }
        let config = |tag: &str| Newsletter { unsubscribe: tag.into(), ..Newsletter::default() };
        for ok in ["{{unsubscribe}}", "*|UNSUB|*", "<%asm_group_unsubscribe_raw_url%>"] {
            assert!(check_config(&config(ok)).is_empty(), "{ok}");
        }
        for bad in ["", "{{ unsubscribe }}", "\"x\"", "a&b"] {
            assert_eq!(check_config(&config(bad)).len(), 1, "{bad}");
        }
    }

    #[test]
    fn unsubscribe_links_are_web_or_mail_links_or_merge_tags() {
        let config = |tag: &str| Newsletter { unsubscribe: tag.into(), ..Newsletter::default() };
        for ok in [
            "https://news.example.com/unsubscribe?id=1",
            "HTTP://x.org/u",
            "mailto:desk@example.com",
            "%unsubscribe_url%",
            "{{unsubscribe}}",
            "https://lists.example.com/u/{{id}}",
        ] {
            assert!(check_config(&config(ok)).is_empty(), "{ok}: {:?}", check_config(&config(ok)));
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "https:",
            "https:///path",
            "mailto:",
            "https://x.org/\u{1b}[2J",
            "{{unsubscribe}}\u{85}",
        ] {
            assert!(!check_config(&config(bad)).is_empty(), "{bad:?} is accepted");
        }
    }
}
