//! masthead turns a folder of dated Markdown articles into a static site of
//! daily editions. The modules form a one-way stack (checked by a test in
//! `layering.rs`), each using only those below it:
//!
//! 1. `diagnostic`, then `fs`, `fingerprint`, `packed` and `yaml` (the only
//!    user of serde_yaml): messages, guarded file access, hashing, text held
//!    compressed, YAML parsing.
//! 2. `config`: `site.yaml`, every section validated where it is defined.
//! 3. `images`, then `content`: photos, and the loaded, immutable
//!    [`content::Site`] with the theme's files.
//! 4. `search`: the full-text index of published articles (Pagefind).
//! 5. `render`: a loaded site and a compiled theme to output files, with no
//!    I/O.
//! 6. `build` (writes a site atomically), `incremental` (the preview's
//!    engine and its snapshots), `watch` (file events).
//! 7. `deploy`, `newsletter`, `scaffold`, `serve`, then `cli`.
//!
//! docs/ARCHITECTURE.md tells how a change travels through them.
//!
//! Items are `pub(crate)`. `pub` marks only what the binary (`main.rs`), the
//! fuzz targets (`fuzz/`) and `tests/it` use, with the types and fields their
//! calls need. `unreachable_pub` (on in Cargo.toml) flags a `pub` item that
//! none of them can reach; a field or a new item in a `pub` module is for the
//! reviewer to check.
#![warn(clippy::print_stdout, clippy::print_stderr)]

#[cfg(test)]
mod layering;

pub(crate) mod build;
pub mod cli;
pub mod config;
pub mod content;
#[cfg(feature = "deploy")]
pub(crate) mod deploy;
pub mod diagnostic;
pub(crate) mod fingerprint;
pub mod fs;
pub mod images;
pub(crate) mod incremental;
pub(crate) mod newsletter;
pub(crate) mod packed;
pub(crate) mod render;
pub(crate) mod scaffold;
pub(crate) mod search;
pub mod serve;
pub(crate) mod watch;
pub mod yaml;
