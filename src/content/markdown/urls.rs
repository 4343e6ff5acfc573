//! The URLs in HTML's start tags (`href`, `src`, `srcset`, `poster`,
//! `cite`), visited and optionally replaced without touching text: for
//! checking relative links in a body's raw HTML, and for making a feed's
//! URLs absolute. Quoted (either quote) and unquoted values are handled; a
//! value is taken as written (entities are not decoded).

use std::borrow::Cow;

/// Attributes that hold one URL, or (`srcset`) a list of them.
const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "srcset", "poster", "cite"];

/// `html` with `f` applied to the URL of every URL attribute of its start
/// tags (each URL of a `srcset`); borrowed when `f` changed none.
pub(crate) fn map_urls<'h>(html: &'h str, f: &mut dyn FnMut(&str) -> Option<String>) -> Cow<'h, str> {
    if !URL_ATTRIBUTES.iter().any(|a| html.contains(a)) {
        return Cow::Borrowed(html);
    }
    let mut changed = false;
    let mut tracked = |url: &str| {
        let mapped = f(url);
        changed |= mapped.is_some();
        mapped
    };
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..=lt]);
        rest = &rest[lt + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        rest = start_tag(rest, &mut tracked, &mut out);
    }
    out.push_str(rest);
    if changed { Cow::Owned(out) } else { Cow::Borrowed(html) }
}

/// Copies a start tag (after its `<`) to `out` with `f` applied to its URL
/// attributes; returns what follows the tag.
fn start_tag<'h>(tag: &'h str, f: &mut dyn FnMut(&str) -> Option<String>, out: &mut String) -> &'h str {
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
            Cow::Owned(srcset(value, f))
        } else if URL_ATTRIBUTES.contains(&lower.as_str()) {
            f(value).map_or(Cow::Borrowed(value), Cow::Owned)
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

fn srcset(value: &str, f: &mut dyn FnMut(&str) -> Option<String>) -> String {
    value
        .split(',')
        .map(|candidate| {
            let lead = candidate.len() - candidate.trim_start().len();
            let trimmed = candidate.trim_start();
            let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let url = &trimmed[..end];
            let mapped = f(url);
            format!("{}{}{}", &candidate[..lead], mapped.as_deref().unwrap_or(url), &trimmed[end..])
        })
        .collect::<Vec<_>>()
        .join(",")
}
