//! Rendering: from a loaded [`Site`] and a [`Theme`] to output files, with
//! no I/O, so `build` (to disk) and a preview server (to memory) share it.
//! Each page is a [`Page`] job rendered on its own, in parallel.

pub(crate) mod absolute;
pub(crate) mod catalogue;
pub(crate) mod context;
pub(crate) mod escape;
pub(crate) mod extras;
pub(crate) mod feeds;
pub(crate) mod inline;
pub(crate) mod listings;
pub(crate) mod newsletter;
pub(crate) mod pages;
pub(crate) mod theme;
pub(crate) mod wrap;

use std::path::PathBuf;

use crate::content::Site;
use crate::diagnostic::{Diagnostic, Diagnostics};
pub(crate) use pages::{Output, Page, Renderer};
pub(crate) use theme::Theme;

/// A rendered page: where it goes, relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputFile {
    pub(crate) path: String,
    pub(crate) bytes: Vec<u8>,
}

/// A file copied as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyFile {
    pub(crate) path: String,
    pub(crate) source: CopySource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CopySource {
    Builtin(&'static [u8]),
    File(PathBuf),
}

/// Every file copied as is: theme and site static files, then files beside
/// articles (which win, being later, if paths meet). A file whose path
/// `is_page` is an error naming it: nothing silently replaces a page.
pub(crate) fn copies(site: &Site, theme: &Theme, is_page: impl Fn(&str) -> bool) -> Result<Vec<CopyFile>, Diagnostics> {
    let mut out: Vec<CopyFile> = theme
        .static_files
        .iter()
        .map(|s| CopyFile {
            path: s.output.clone(),
            source: match &s.source {
                crate::content::theme::Source::Builtin(b) => CopySource::Builtin(b),
                crate::content::theme::Source::File(p) => CopySource::File(p.clone()),
            },
        })
        .collect();
    out.extend(
        site.assets.iter().map(|a| CopyFile { path: a.output.clone(), source: CopySource::File(a.source.clone()) }),
    );
    match out.iter().find(|c| is_page(&c.path)) {
        Some(c) => {
            let origin = match &c.source {
                CopySource::Builtin(_) => "<built-in daily theme>".to_string(),
                CopySource::File(p) => crate::fs::display_rel(&site.root, p),
            };
            let message = format!("this file would overwrite the page `{}`", c.path);
            Err(Diagnostics::from(Diagnostic::error(origin, message)))
        }
        None => Ok(out),
    }
}
