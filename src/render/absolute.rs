//! Absolute URLs in an article's HTML, for feeds: a reader fetches a feed
//! from anywhere and resolves `/2024/01/02/b/` or `#note` against nothing it
//! knows. Root-relative URLs get the site's origin, fragments and relative
//! paths the article's own URL; URLs with a scheme (and `//host/…`) stay.
//! Only attribute values of start tags are touched (`href`, `src`,
//! `srcset`, `poster`, `cite`), never text.

use std::borrow::Cow;

/// Attributes that hold one URL, or (`srcset`) a list of them.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "srcset", "poster", "cite"];

/// `html` with every URL attribute absolute: `origin` is the site's scheme
/// and host (`https://news.example.com`), `page` the article's absolute URL.
pub fn absolute_urls<'h>(html: &'h str, origin: &str, page: &str) -> Cow<'h, str> {
    if !URL_ATTRIBUTES.iter().any(|a| html.contains(a)) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..=lt]);
        rest = &rest[lt + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        rest = start_tag(rest, origin, page, &mut out);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Copies a start tag (after its `<`) to `out` with its URL attributes made
/// absolute; returns what follows the tag.
fn start_tag<'h>(tag: &'h str, origin: &str, page: &str, out: &mut String) -> &'h str {
    let name_end = tag.find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
    out.push_str(&tag[..name_end]);
    let mut rest = &tag[name_end..];
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        out.push_str(&rest[..rest.len() - trimmed.len()]);
        rest = trimmed;
        if rest.is_empty() || rest.starts_with('>') {
            return rest;
        }
        let name_len =
            rest.find(|c: char| c.is_ascii_whitespace() || matches!(c, '=' | '>' | '/')).unwrap_or(rest.len());
        let name = &rest[..name_len];
        out.push_str(name);
        rest = &rest[name_len..];
        let after_ws = rest.trim_start();
        let Some(value_start) = after_ws.strip_prefix('=') else { continue };
        out.push_str(&rest[..rest.len() - after_ws.len()]);
        out.push('=');
        let value_start_trimmed = value_start.trim_start();
        out.push_str(&value_start[..value_start.len() - value_start_trimmed.len()]);
        rest = value_start_trimmed;
        // The quote, the value, what follows, and whether the quote is closed.
        let (quote, value, after, closed) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
                Some(end) => (Some(q), &rest[1..1 + end], &rest[end + 2..], true),
                None => (Some(q), &rest[1..], "", false),
            },
            _ => {
                let end = rest.find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap_or(rest.len());
                (None, &rest[..end], &rest[end..], true)
            }
        };
        let lower = name.to_ascii_lowercase();
        let value: Cow<'_, str> = if lower == "srcset" {
            Cow::Owned(srcset(value, origin, page))
        } else if URL_ATTRIBUTES.contains(&lower.as_str()) {
            absolute(value, origin, page)
        } else {
            Cow::Borrowed(value)
        };
        if let Some(q) = quote {
            out.push(q);
            out.push_str(&value);
            if closed {
                out.push(q);
            }
        } else {
            out.push_str(&value);
        }
        rest = after;
    }
}

fn srcset(value: &str, origin: &str, page: &str) -> String {
    value
        .split(',')
        .map(|candidate| {
            let lead = candidate.len() - candidate.trim_start().len();
            let trimmed = candidate.trim_start();
            let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            format!("{}{}{}", &candidate[..lead], absolute(&trimmed[..end], origin, page), &trimmed[end..])
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One URL made absolute.
fn absolute<'v>(url: &'v str, origin: &str, page: &str) -> Cow<'v, str> {
    let has_scheme = url.find([':', '/', '?', '#']).is_some_and(|i| url.as_bytes()[i] == b':' && i > 0);
    if url.is_empty() || has_scheme || url.starts_with("//") {
        Cow::Borrowed(url)
    } else if url.starts_with('/') {
        Cow::Owned(format!("{origin}{url}"))
    } else if url.starts_with(['#', '?']) {
        Cow::Owned(format!("{page}{url}"))
    } else {
        // Relative to the article's folder (its URL ends with `/`).
        let base = &page[..page.rfind('/').map_or(page.len(), |i| i + 1)];
        Cow::Owned(format!("{base}{url}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://news.example.com";
    const PAGE: &str = "https://news.example.com/d/2024/01/02/a/";

    fn abs(html: &str) -> String {
        absolute_urls(html, ORIGIN, PAGE).into_owned()
    }

    #[test]
    fn root_relative_fragments_and_relative_urls_become_absolute() {
        assert_eq!(
            abs(r#"<a href="/d/2024/01/02/b/">b</a>"#),
            r#"<a href="https://news.example.com/d/2024/01/02/b/">b</a>"#
        );
        assert_eq!(
            abs(r##"<a href="#fn-1" id="fnref-1">1</a>"##),
            r##"<a href="https://news.example.com/d/2024/01/02/a/#fn-1" id="fnref-1">1</a>"##
        );
        assert_eq!(
            abs(r#"<img src='chart.png' alt=x>"#),
            r#"<img src='https://news.example.com/d/2024/01/02/a/chart.png' alt=x>"#
        );
        assert_eq!(abs(r#"<img src=/p.jpg>"#), r#"<img src=https://news.example.com/p.jpg>"#);
        assert_eq!(
            abs(r#"<img srcset="/p-480.jpg 480w, /p-960.jpg 960w" src="/p.jpg">"#),
            r#"<img srcset="https://news.example.com/p-480.jpg 480w, https://news.example.com/p-960.jpg 960w" src="https://news.example.com/p.jpg">"#
        );
    }

    #[test]
    fn absolute_urls_other_attributes_and_text_stay() {
        for same in [
            r#"<a href="https://x.org/">x</a>"#,
            r#"<a href="mailto:desk@example.org">desk</a>"#,
            r#"<a href="//cdn.example.org/x">x</a>"#,
            r#"<p title="/not/a/url">say href="/x" in text</p>"#,
            "plain text",
        ] {
            assert_eq!(abs(same), same);
        }
        assert_eq!(abs("a < b and <br> c"), "a < b and <br> c");
        assert_eq!(abs(r#"<a href="/x"#), r#"<a href="https://news.example.com/x"#);
    }
}
