//! Shell completions and the man page (being written).

use std::process::ExitCode;

use color_eyre::eyre::Result;

/// Prints a completion script.
pub fn completions(_shell: clap_complete::Shell) -> Result<ExitCode> {
    Ok(ExitCode::from(1))
}

/// Prints the man page.
pub fn man_page() -> Result<ExitCode> {
    Ok(ExitCode::from(1))
}
