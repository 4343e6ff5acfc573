use std::process::ExitCode;

use clap::Parser;
use masthead::cli::Cli;

// Rendering thousands of pages is mostly building and dropping small strings
// on two or more threads, where mimalloc is markedly faster than the system
// allocator (see bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `try_parse` instead of `parse` keeps the exit path here: clap's usage
    // errors print themselves and map to status 2, help and version to 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    masthead::cli::run(cli)
}
