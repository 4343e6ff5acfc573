//! The small files around the pages: `sitemap.xml`, `robots.txt` and the
//! redirect pages written for article aliases.

use super::context::absolute;
use super::escape::xml_escape;
use super::feeds::{day_start, updated};
use crate::content::Site;

/// `sitemap.xml` from `(url path with prefix, lastmod)` pairs.
pub(crate) fn sitemap(site: &Site, entries: &[(String, jiff::Timestamp)]) -> String {
    let mut x = String::with_capacity(128 + entries.len() * 120);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (url, lastmod) in entries {
        let day = lastmod.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        x.push_str(&format!("  <url><loc>{}</loc><lastmod>{day}</lastmod></url>\n", xml_escape(&absolute(site, url))));
    }
    x.push_str("</urlset>\n");
    x
}

/// `sitemap.xml` as an index of `sitemap-1.xml` … `sitemap-N.xml`, for
/// sites with more pages than one sitemap may list.
pub(crate) fn sitemap_index(site: &Site, parts: usize) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for n in 1..=parts {
        x.push_str(&format!(
            "  <sitemap><loc>{}</loc></sitemap>\n",
            xml_escape(&format!("{}sitemap-{n}.xml", site.base.absolute))
        ));
    }
    x.push_str("</sitemapindex>\n");
    x
}

#[cfg(test)]
thread_local! {
    /// How many times this thread built the list of [`sitemap_entries`]:
    /// the tests hold a long sitemap's parts to one list between them.
    pub(crate) static ENTRIES_BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every page of the sitemap with its last change, in output order.
pub(crate) fn sitemap_entries(site: &Site, listing_urls: &[String]) -> Vec<(String, jiff::Timestamp)> {
    #[cfg(test)]
    ENTRIES_BUILT.with(|n| n.set(n.get() + 1));
    let latest = site.editions.last().map(|e| day_start(site, e.date)).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut out = vec![(site.base.root.clone(), latest)];
    for e in &site.editions {
        let newest = e.articles.iter().map(|a| updated(site, a)).max().unwrap_or_else(|| day_start(site, e.date));
        out.push((e.url.clone(), newest));
        out.extend(e.articles.iter().map(|a| (a.url.clone(), updated(site, a))));
    }
    out.extend(listing_urls.iter().map(|u| (u.clone(), latest)));
    out
}

/// `robots.txt`, pointing at the sitemap.
pub(crate) fn robots(site: &Site) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n", url_for_text(&site.base.absolute))
}

/// `url` for a line of a text file: every character a URL from `site.yaml`
/// may not hold (a line break, a space, `<`) percent-encoded, so nothing can
/// end the line or add another. `site.yaml`'s URLs are checked already; this
/// holds whatever reaches here.
fn url_for_text(url: &str) -> std::borrow::Cow<'_, str> {
    use crate::config::is_url_char;
    if url.chars().all(is_url_char) {
        return url.into();
    }
    let mut out = String::with_capacity(url.len() + 16);
    for c in url.chars() {
        if is_url_char(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out.into()
}

/// A redirect page for an old URL: a meta refresh, a canonical link and a
/// plain link for clients that follow neither.
pub(crate) fn redirect(site: &Site, target_url: &str) -> String {
    let to = crate::render::escape::html_escape(&absolute(site, target_url));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n\
         <link rel=\"canonical\" href=\"{to}\">\n<meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body>\n\
         <p>This page has moved to <a href=\"{to}\">{to}</a>.</p>\n</body>\n</html>\n",
        lang = crate::render::escape::html_escape(&site.config.language),
    )
}

#[cfg(test)]
mod tests {
    use super::url_for_text;

    #[test]
    fn urls_in_text_files_cannot_break_the_line() {
        assert_eq!(url_for_text("https://x.org/daily/"), "https://x.org/daily/");
        assert_eq!(
            url_for_text("https://x.org/\"><script>\nDisallow: /"),
            "https://x.org/%22%3E%3Cscript%3E%0ADisallow:%20/"
        );
        assert_eq!(url_for_text("https://x.org/\u{85}"), "https://x.org/%C2%85");
    }
}
