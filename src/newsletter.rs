//! `masthead newsletter`: one published edition's newsletter, rendered by the
//! same pages as `build` writes, printed as HTML, as plain text, or as an
//! RFC 5322 message with both (for `sendmail` or an email service's API).

use anyhow::{anyhow, bail};
use clap::ValueEnum;

use crate::build::{self, Failure};
use crate::config::BuildOptions;
use crate::content::Site;
use crate::render::newsletter::{Envelope, Letter, is_address, message};
use crate::render::{Page, Renderer};

/// What `masthead newsletter` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `newsletter.html`, as built
    Html,
    /// `newsletter.txt`, as built
    Text,
    /// A multipart/alternative MIME message with both
    Eml,
}

/// One `masthead newsletter` request.
#[derive(Debug, Clone)]
pub struct Request {
    /// `YYYY-MM-DD` or `latest`.
    pub edition: String,
    pub format: Format,
    pub to: Option<String>,
    pub from: Option<String>,
}

/// The bytes to print for `request`.
pub fn run(opts: &BuildOptions, request: &Request) -> Result<Vec<u8>, Failure> {
    let envelope_checked = check_addresses(request)?;
    let (site, theme) = build::load(opts)?;
    let e = find_edition(&site, &request.edition)?;
    let renderer = Renderer::new(&site, &theme);
    let render = |letter| {
        renderer
            .render(&Page::Newsletter(e, letter))
            .map(|f| f.bytes)
            .map_err(|d| Failure::Site(site.with_warnings(d.into())))
    };
    match request.format {
        Format::Html => render(Letter::Html),
        Format::Text => render(Letter::Text),
        Format::Eml => {
            let (html, text) = (render(Letter::Html)?, render(Letter::Text)?);
            let mut env = Envelope::from_site(&site, jiff::Timestamp::now().as_second());
            env.to = envelope_checked.to;
            if let Some(from) = envelope_checked.from {
                env.from = from;
            }
            let (html, text) = (String::from_utf8_lossy(&html), String::from_utf8_lossy(&text));
            message(&site, &site.editions[e], &env, &html, &text)
                .map_err(|err| Failure::Other(anyhow!("cannot write the message: {err}")))
        }
    }
}

/// `--to` and `--from`, checked before any work.
struct Addresses {
    to: Option<String>,
    from: Option<String>,
}

fn check_addresses(request: &Request) -> anyhow::Result<Addresses> {
    for (flag, value) in [("--to", &request.to), ("--from", &request.from)] {
        if let Some(address) = value {
            if request.format != Format::Eml {
                bail!("{flag} only applies to `--format eml`");
            }
            if !is_address(address) {
                bail!("{flag} `{address}` is not an email address such as `desk@news.example.com`");
            }
        }
    }
    Ok(Addresses { to: request.to.clone(), from: request.from.clone() })
}

/// The index of the published edition `wanted` names (`latest` or a date).
fn find_edition(site: &Site, wanted: &str) -> anyhow::Result<usize> {
    if wanted == "latest" {
        return site.editions.len().checked_sub(1).ok_or_else(|| anyhow!("the site has no published edition yet"));
    }
    let date: jiff::civil::Date =
        wanted.parse().map_err(|_| anyhow!("`{wanted}` is not a date (YYYY-MM-DD) or `latest`"))?;
    site.editions.iter().position(|e| e.date == date).ok_or_else(|| {
        let newest = site.editions.last().map(|e| format!("; the newest is {}", e.date)).unwrap_or_default();
        anyhow!("no published edition dated {date}{newest} (`masthead editions` lists them all)")
    })
}
