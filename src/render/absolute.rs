//! Absolute URLs in an article's HTML, for feeds: a reader fetches a feed
//! from anywhere and resolves `/2024/01/02/b/` or `#note` against nothing it
//! knows. Root-relative URLs get the site's origin, fragments and relative
//! paths the article's own URL; URLs with a scheme (and `//host/…`) stay.
//! Only attribute values of start tags are touched (`href`, `src`,
//! `srcset`, `poster`, `cite`), never text.

use std::borrow::Cow;

use crate::content::markdown::urls::map_urls;

/// `html` with every URL attribute absolute: `origin` is the site's scheme
/// and host (`https://news.example.com`), `page` the article's absolute URL.
pub(crate) fn absolute_urls<'h>(html: &'h str, origin: &str, page: &str) -> Cow<'h, str> {
    map_urls(html, &mut |url| match absolute(url, origin, page) {
        Cow::Owned(url) => Some(url),
        Cow::Borrowed(_) => None,
    })
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
