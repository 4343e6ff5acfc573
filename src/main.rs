use std::process::ExitCode;

use clap::Parser;
use masthead::cli::Cli;

// Rendering thousands of pages is mostly building and dropping small strings
// on two or more threads, where mimalloc is markedly faster than the system
// allocator (see bench/RESULTS.md). It is built without transparent huge
// pages (the `no_thp` feature): with them, the kernel cleared a whole 2 MiB
// page at a time as fresh memory was first touched, almost half of the
// 100k preview's start-up, and a 10k build peaked at 178 MiB instead of 136.
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
