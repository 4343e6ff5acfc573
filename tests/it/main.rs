//! The single integration-test binary: every test runs the real `masthead` binary on a tiny
//! fixture site from `tests/fixtures/<behaviour>/` (or on the repository's demo site) and
//! asserts on its exit code, its diagnostics and the files it wrote.
//!
//! Run with `cargo test --test it`; the HTML validation in `validate` needs `VNU_JAR`
//! (see `.ci/run`).

mod archive;
mod bounds;
mod browser;
mod build;
mod cli;
mod commands;
mod crash;
mod deploy;
mod errors;
mod escaping;
mod hostile;
mod load;
mod markdown;
mod newsletter;
mod newsroom;
mod outputs;
mod paths;
mod photos;
mod safety;
mod schedule;
mod search;
mod search_browser;
mod serve;
mod serve_browser;
mod serve_diff;
mod serve_props;
mod snapshots;
mod spare;
mod support;
mod validate;
