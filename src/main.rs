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
    // errors map to status 2, help and version to 0. A usage error quotes the
    // argument it refuses, so it is made printable first: an argument holding
    // ESC or BEL cannot send control sequences to the terminal.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.use_stderr() => {
            let text = err.render().to_string();
            #[allow(clippy::print_stderr)]
            {
                eprint!("{}", masthead::diagnostic::printable(&text));
            }
            return ExitCode::from(2);
        }
        Err(err) => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
    };
    masthead::cli::run(cli)
}
