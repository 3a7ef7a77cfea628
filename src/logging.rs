//! Logs go to a file in the XDG state directory, never to the terminal.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The default log file: `$XDG_STATE_HOME/opsdeck/opsdeck.log`
/// (`~/.local/state/opsdeck/opsdeck.log` when unset).
pub fn default_log_file() -> Option<PathBuf> {
    crate::core::paths::Dirs::system().state_file("opsdeck.log")
}

/// Starts logging to `file` (or the default). Keep the guard alive until
/// exit so buffered lines are written. Logging that cannot start is not an
/// error: opsdeck runs without it.
pub fn init(file: Option<PathBuf>, level: Option<&str>) -> Option<WorkerGuard> {
    let path = file.or_else(default_log_file)?;
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let name = path.file_name()?;
    let appender = tracing_appender::rolling::never(dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = std::env::var("OPSDECK_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| level.and_then(|l| EnvFilter::try_new(l).ok()))
        .unwrap_or_else(|| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
