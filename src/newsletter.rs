//! `masthead newsletter`: one published edition's newsletter, rendered by the
//! same pages as `build` writes, printed as HTML, as plain text, or as an
//! RFC 5322 message with both (for `sendmail` or an email service's API).

use anyhow::anyhow;
use clap::ValueEnum;

use crate::build::{self, Failure};
use crate::config::BuildOptions;
use crate::config::newsletter::is_address;
use crate::content::{Edition, Site};
use crate::render::escape::header_text;
use crate::render::newsletter::Letter;
use crate::render::{Page, Renderer};

/// What `masthead newsletter` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `newsletter.html`, as built
    Html,
    /// `newsletter.txt`, as built
    Text,
    /// A multipart/alternative MIME message with both
    Eml,
}

/// Which edition `masthead newsletter` prints, checked when the command line
/// is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// The newest published edition.
    Latest,
    On(jiff::civil::Date),
}

impl std::str::FromStr for Wanted {
    type Err = String;

    fn from_str(text: &str) -> Result<Wanted, String> {
        if text == "latest" {
            return Ok(Wanted::Latest);
        }
        crate::content::article::parse_date(text).map(Wanted::On).ok_or_else(|| {
            format!(
                "`{}` is not `latest` or a real date written YYYY-MM-DD, such as `2026-06-01`",
                crate::diagnostic::printable(text)
            )
        })
    }
}

/// One `masthead newsletter` request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) edition: Wanted,
    pub(crate) format: Format,
    pub(crate) to: Option<String>,
    pub(crate) from: Option<String>,
}

/// The bytes to print for `request`.
pub(crate) fn run(opts: &BuildOptions, request: &Request) -> Result<Vec<u8>, Failure> {
    check_addresses(request)?;
    let (site, theme, _) = build::load(opts)?;
    let e = find_edition(&site, request.edition)?;
    let renderer = Renderer::new(&site, &theme);
    let render = |letter| {
        renderer
            .render(&renderer.entry(Page::Newsletter(e, letter)))
            .map(|f| f.bytes)
            .map_err(|d| Failure::Site(site.with_warnings(d.into())))
    };
    match request.format {
        Format::Html => render(Letter::Html),
        Format::Text => render(Letter::Text),
        Format::Eml => {
            let (html, text) = (render(Letter::Html)?, render(Letter::Text)?);
            let mut env = Envelope::from_site(&site, jiff::Timestamp::now());
            env.to.clone_from(&request.to);
            if let Some(from) = &request.from {
                env.from.clone_from(from);
            }
            let (html, text) = (String::from_utf8_lossy(&html), String::from_utf8_lossy(&text));
            message(&site, &site.editions[e], &env, &html, &text)
                .map_err(|err| Failure::Other(anyhow!("cannot write the message: {err}")))
        }
    }
}

/// `--to` and `--from`, checked before any work: usage errors.
fn check_addresses(request: &Request) -> Result<(), Failure> {
    for (flag, value) in [("--to", &request.to), ("--from", &request.from)] {
        if let Some(address) = value {
            if request.format != Format::Eml {
                return Err(Failure::Usage(format!(
                    "{flag} only applies to `--format eml`: add `--format eml`, or leave {flag} out"
                )));
            }
            check_address(address).map_err(|e| Failure::Usage(format!("{flag}: {e}")))?;
        }
    }
    Ok(())
}

/// An address for `--to` or `--from`.
pub(crate) fn check_address(text: &str) -> Result<String, String> {
    if is_address(text) {
        Ok(text.to_string())
    } else {
        Err(format!("`{}` is not an email address such as `desk@news.example.com`", crate::diagnostic::printable(text)))
    }
}

/// The index of the published edition `wanted` names (`latest` or a date).
fn find_edition(site: &Site, wanted: Wanted) -> anyhow::Result<usize> {
    let date = match wanted {
        Wanted::Latest => {
            return site.editions.len().checked_sub(1).ok_or_else(|| anyhow!("the site has no published edition yet"));
        }
        Wanted::On(date) => date,
    };
    site.editions.iter().position(|e| e.date == date).ok_or_else(|| {
        let newest = site.editions.last().map(|e| format!("; the newest is {}", e.date)).unwrap_or_default();
        anyhow!("no published edition dated {date}{newest} (`masthead editions` lists them all)")
    })
}

/// Addresses and time of a `.eml` newsletter.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub(crate) from: String,
    pub(crate) from_name: String,
    pub(crate) to: Option<String>,
    /// For the `Date` header, and to make the `Message-ID` unique.
    pub(crate) date: jiff::Timestamp,
}

impl Envelope {
    /// The sender of `site.yaml` (or its defaults) and the given time.
    pub(crate) fn from_site(site: &Site, date: jiff::Timestamp) -> Envelope {
        let config = &site.config.newsletter;
        let from = if config.from.is_empty() {
            format!("newsletter@{}", host(&site.base.absolute))
        } else {
            config.from.clone()
        };
        let from_name =
            if config.from_name.is_empty() { site.config.publication().to_string() } else { config.from_name.clone() };
        Envelope { from, from_name, to: None, date }
    }
}

/// The host of a base URL: `https://news.example.com:8080/daily/` → `news.example.com`.
fn host(base_url: &str) -> &str {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest);
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// An RFC 5322 message: `multipart/alternative` with the text and the HTML
/// version (UTF-8), `Date`, a `Message-ID` unique to this edition and moment
/// in the site's domain, and the edition's title as subject.
pub(crate) fn message(
    site: &Site,
    edition: &Edition,
    env: &Envelope,
    html: &str,
    text: &str,
) -> std::io::Result<Vec<u8>> {
    let id = format!("{}.{:x}.newsletter@{}", edition.date, env.date.as_nanosecond(), host(&site.base.absolute));
    // Header values come from the site: no line breaks or controls in them.
    let (from_name, subject) = (header_text(&env.from_name), header_text(&edition.title));
    let mut builder = mail_builder::MessageBuilder::new()
        .from((from_name.as_str(), env.from.as_str()))
        .subject(subject.as_str())
        .date(env.date.as_second())
        .message_id(id)
        .text_body(text)
        .html_body(html);
    if let Some(to) = &env.to {
        builder = builder.to(to.as_str());
    }
    builder.write_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_is_latest_or_a_real_date() {
        assert_eq!("latest".parse::<Wanted>(), Ok(Wanted::Latest));
        assert_eq!("2024-02-29".parse::<Wanted>(), Ok(Wanted::On(jiff::civil::Date::constant(2024, 2, 29))));
        for bad in ["notadate", "2023-02-29", "2026-13-45", "Latest", ""] {
            assert!(bad.parse::<Wanted>().is_err(), "{bad}");
        }
    }

    #[test]
    fn to_and_from_need_eml() {
        let request = |format, to: Option<&str>| Request {
            edition: Wanted::Latest,
            format,
            to: to.map(String::from),
            from: None,
        };
        assert!(check_addresses(&request(Format::Eml, Some("a@b.c"))).is_ok());
        assert!(matches!(check_addresses(&request(Format::Html, Some("a@b.c"))), Err(Failure::Usage(_))));
        assert!(matches!(check_addresses(&request(Format::Eml, Some("nobody"))), Err(Failure::Usage(_))));
    }

    #[test]
    fn host_drops_scheme_port_and_path() {
        let cases = [
            ("https://news.example.com/", "news.example.com"),
            ("https://org.github.io/daily/", "org.github.io"),
            ("http://127.0.0.1:1111/", "127.0.0.1"),
            ("https://news.example.com", "news.example.com"),
        ];
        for (url, expected) in cases {
            assert_eq!(host(url), expected, "{url}");
        }
    }
}
