//! masthead turns a folder of dated Markdown articles into a static site of
//! daily editions. The phases are separate modules that pass data along:
//! `content` loads an immutable [`content::Site`], `render` turns it into
//! output files without touching the disk, and `build` writes them atomically.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod build;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostic;
pub mod fingerprint;
pub mod fs;
pub mod images;
pub mod incremental;
pub mod newsletter;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod watch;
