//! `opsdeck config check` (being written).

use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::Environment;

/// Validates the config and tries every source.
pub async fn run(_env: &Environment) -> Result<ExitCode> {
    Ok(ExitCode::from(1))
}
