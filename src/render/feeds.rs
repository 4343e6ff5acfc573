//! Atom 1.0 and JSON Feed 1.1 of the newest articles (and an Atom feed per
//! section). Every URL is absolute; the edition date is the published time.

use jiff::Timestamp;
use jiff::civil::Date;

use super::absolute::absolute_urls;
use super::context::absolute;
use super::escape::xml_escape;
use crate::content::{Article, Site};

/// Midnight of `date` in the site's time zone, as an instant.
pub(crate) fn day_start(site: &Site, date: Date) -> Timestamp {
    date.in_tz(&site.config.timezone)
        .or_else(|_| date.in_tz("UTC"))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// When an article last changed: `updated`, or its edition's date.
pub(crate) fn updated(site: &Site, a: &Article) -> Timestamp {
    match a.updated.as_deref() {
        Some(text) => text
            .parse::<Timestamp>()
            .ok()
            .or_else(|| text.parse::<Date>().ok().map(|d| day_start(site, d)))
            .unwrap_or_else(|| day_start(site, a.date)),
        None => day_start(site, a.date),
    }
}

fn media_type(src: &str) -> &'static str {
    let lower = src.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or_default();
    match ext {
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => "image/jpeg",
    }
}

/// An Atom feed of `articles` (newest first), at `self_path` (no prefix).
pub(crate) fn atom(site: &Site, title: &str, self_path: &str, articles: &[&Article]) -> String {
    let base = &site.base.absolute;
    let self_url = format!("{base}{}", self_path.trim_start_matches('/'));
    let newest = articles.iter().map(|a| updated(site, a)).max().unwrap_or(Timestamp::UNIX_EPOCH);
    let mut x = String::with_capacity(4096 + articles.len() * 2048);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        xml_escape(&site.config.language)
    ));
    x.push_str(&format!("  <title>{}</title>\n", xml_escape(title)));
    if !site.config.description.is_empty() {
        x.push_str(&format!("  <subtitle>{}</subtitle>\n", xml_escape(&site.config.description)));
    }
    x.push_str(&format!("  <id>{}</id>\n", xml_escape(&self_url)));
    x.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", xml_escape(&self_url)));
    x.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml_escape(base)));
    x.push_str(&format!("  <updated>{newest}</updated>\n"));
    x.push_str(&format!("  <author><name>{}</name></author>\n", xml_escape(&site.config.title)));
    x.push_str("  <generator>masthead</generator>\n");
    for a in articles {
        let url = absolute(site, &a.url);
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <title>{}</title>\n", xml_escape(&a.title)));
        x.push_str(&format!("    <id>{}</id>\n", xml_escape(&url)));
        x.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", xml_escape(&url)));
        x.push_str(&format!("    <published>{}</published>\n", day_start(site, a.date)));
        x.push_str(&format!("    <updated>{}</updated>\n", updated(site, a)));
        for name in &a.authors {
            x.push_str(&format!("    <author><name>{}</name></author>\n", xml_escape(name)));
        }
        if let Some(section) = &a.section {
            x.push_str(&format!("    <category term=\"{}\"/>\n", xml_escape(section)));
        }
        for tag in &a.tags {
            x.push_str(&format!("    <category term=\"{}\"/>\n", xml_escape(tag)));
        }
        if let Some(p) = &a.photo {
            x.push_str(&format!(
                "    <link rel=\"enclosure\" type=\"{}\" href=\"{}\"/>\n",
                media_type(&p.src),
                xml_escape(&absolute(site, &p.src))
            ));
        }
        x.push_str(&format!("    <summary>{}</summary>\n", xml_escape(&a.summary)));
        let body = a.body_html.get();
        let content = absolute_urls(&body, site.base.origin(), &url);
        x.push_str(&format!("    <content type=\"html\">{}</content>\n", xml_escape(&content)));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

/// A JSON Feed 1.1 of `articles` (newest first).
pub(crate) fn json_feed(site: &Site, articles: &[&Article]) -> String {
    let base = &site.base.absolute;
    let items: Vec<serde_json::Value> = articles
        .iter()
        .map(|a| {
            let url = absolute(site, &a.url);
            let mut item = serde_json::json!({
                "id": url,
                "url": url,
                "title": a.title,
                "summary": a.summary,
                "content_html": absolute_urls(&a.body_html.get(), site.base.origin(), &url),
                "date_published": day_start(site, a.date).to_string(),
                "date_modified": updated(site, a).to_string(),
                "authors": a.authors.iter().map(|n| serde_json::json!({"name": n})).collect::<Vec<_>>(),
                "tags": a.section.iter().chain(a.tags.iter()).collect::<Vec<_>>(),
            });
            if let Some(p) = &a.photo {
                item["image"] = absolute(site, &p.src).into();
            }
            if a.authors.is_empty() {
                item.as_object_mut().map(|o| o.remove("authors"));
            }
            item
        })
        .collect();
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.config.title,
        "home_page_url": base,
        "feed_url": format!("{base}feed.json"),
        "description": site.config.description,
        "language": site.config.language,
        "authors": [{"name": site.config.title}],
        "items": items,
    });
    let mut text = serde_json::to_string_pretty(&feed).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_and_drops_control_characters() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&apos;c");
        assert_eq!(xml_escape("]]>"), "]]&gt;");
        assert_eq!(xml_escape("é\u{85}\u{a0}x\u{fffe}\u{1f600}<"), "é\u{a0}x\u{1f600}&lt;");
    }

    #[test]
    fn guesses_media_types() {
        assert_eq!(media_type("/a/b.PNG"), "image/png");
        assert_eq!(media_type("https://x.org/p.jpg"), "image/jpeg");
    }
}
