//! The opsdeck binary: installs color-eyre, parses the CLI, runs the app.
//! Everything else lives in the library.
#![deny(clippy::unwrap_used)]

use std::process::ExitCode;

use clap::Parser;

// mimalloc: much faster than the system allocator for opsdeck's many small
// strings (labels), which is most of the cost of ingesting 10,000 alerts.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Usage errors exit 2 (clap's default); --help and --version exit 0.
    let cli = opsdeck::cli::Cli::parse();
    // color-eyre's panic hook first; `ratatui::init` chains its own (which
    // restores the terminal) in front of it.
    if let Err(e) = color_eyre::install() {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(opsdeck::cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
