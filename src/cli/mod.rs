//! What `opsdeck` does for each subcommand. The CLI drives the same state,
//! update and clients as the console. Text output passes through
//! [`crate::ui::text::clean_text`]: remote strings cannot drive the terminal.

/// `println!` with remote text made inert.
macro_rules! outln {
    ($($t:tt)*) => {
        println!("{}", crate::ui::text::clean_text(&format!($($t)*)))
    };
}

/// `eprintln!` with remote text made inert.
macro_rules! errln {
    ($($t:tt)*) => {
        eprintln!("{}", crate::ui::text::clean_text(&format!($($t)*)))
    };
}

mod alerts;
mod alerts_history;
pub mod args;
mod config_check;
mod demo_env;
mod deploy;
mod extras;
mod release;
mod silences;

use std::path::PathBuf;
use std::process::ExitCode;

use color_eyre::eyre::{Result, bail, eyre};

use crate::alerts::source::fetch_all;
use crate::app::settings::{Settings, load_config};
use crate::app::state::State;
use crate::app::{Action, update};
use crate::config::{Config, ConfigSource, locate_in};
use crate::runtime::{self, Runtime};
pub use args::{Cli, Command, ConfigAction, DeployAction, ReleaseAction};

/// The config in force, and the demo endpoints when there is no config file.
pub struct Environment {
    /// The configuration.
    pub config: Config,
    /// What it resolves to (checked with it: a bad `theme` or `[keys]` entry
    /// refuses to start, as a bad config does).
    pub settings: Settings,
    /// Where it came from (`None` for the demo).
    pub path: Option<PathBuf>,
    /// The demo endpoints.
    pub demo: Option<demo_env::Demo>,
    /// Why the demo runs without the user's keys and theme: their config
    /// did not load (said on stderr and in the console, never fatal).
    pub warning: Option<String>,
}

/// Finds and loads the config, or starts the demo. `--demo` keeps the
/// user's keys, theme and other console settings from their config file,
/// when there is one ([`Config::with_ui_of`]); the sources are the demo's.
pub async fn environment(cli: &Cli) -> Result<Environment> {
    let located = locate_in(
        cli.config.as_deref(),
        std::env::var("OPSDECK_CONFIG").ok(),
        &crate::core::paths::Dirs::system(),
    );
    if !cli.demo {
        if let ConfigSource::File(path) = located? {
            let (config, settings) = load_config(&path)?;
            return Ok(Environment {
                config,
                settings,
                path: Some(path),
                demo: None,
                warning: None,
            });
        }
        // No config file: nothing of the user's to keep.
        return demo_environment(Ok(None)).await;
    }
    let user = located.and_then(|source| match source {
        ConfigSource::File(path) => load_config(&path).map(Some),
        ConfigSource::Demo => Ok(None),
    });
    demo_environment(user).await
}

/// The demo, with the console settings of the user's config when it loaded
/// (`Ok(Some)`), or its own and a warning when it did not.
async fn demo_environment(
    user: Result<Option<(Config, Settings)>, crate::config::ConfigError>,
) -> Result<Environment> {
    let demo = demo_env::start().await?;
    let config = demo_env::demo_config(&demo)?;
    let (config, settings, warning) = match user {
        // The user's settings were resolved (and their errors placed)
        // against the user's own file.
        Ok(Some((user, settings))) => (config.with_ui_of(&user), settings, None),
        Ok(None) => {
            let settings = Settings::resolve(&config)?;
            (config, settings, None)
        }
        Err(e) => {
            let settings = Settings::resolve(&config)?;
            let warning = format!(
                "{e} — the demo runs with its default keys and theme instead of your config's"
            );
            (config, settings, Some(warning))
        }
    };
    Ok(Environment {
        config,
        settings,
        path: None,
        demo: Some(demo),
        warning,
    })
}

/// Runs the CLI; returns the process exit code.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    let env = environment(&cli).await?;
    let _log = crate::logging::init(env.config.log.file.clone(), env.config.log.level.as_deref());
    let permission_warning = env
        .path
        .as_deref()
        .and_then(|p| crate::config::permission_warning(p, &env.config));
    let warnings: Vec<String> = permission_warning
        .iter()
        .chain(&env.warning)
        .map(|w| format!("warning: {w}"))
        .collect();
    for w in &warnings {
        errln!("{w}");
        tracing::warn!("{w}");
    }
    tracing::info!(config = ?env.path, demo = env.demo.is_some(), "opsdeck starting");
    let demo = env.demo.is_some();
    let base_config = env.config.clone();
    let context = cli
        .context
        .clone()
        .or_else(|| env.config.default_context.clone());
    let mut config = match &context {
        Some(name) => env.config.with_context(name).map_err(|e| eyre!(e))?,
        None => env.config.clone(),
    };
    config.read_only |= cli.read_only;
    let env = Environment {
        config,
        settings: env.settings,
        path: env.path,
        demo: env.demo,
        warning: env.warning,
    };
    let refuse = |what: &str| -> Result<ExitCode> {
        bail!("read-only: {what} is refused (--read-only or read_only = true)")
    };
    match cli.command {
        Some(Command::Ack { .. }) if env.config.read_only => refuse("acknowledging"),
        Some(Command::Unack { .. }) if env.config.read_only => refuse("expiring a silence"),
        Some(Command::Extend { .. }) if env.config.read_only => refuse("extending a silence"),
        Some(Command::Release {
            action: Some(_), ..
        }) if env.config.read_only => refuse("changing the release checklist"),
        Some(Command::Deploy {
            action: Some(crate::cli::DeployAction::Bump { dry_run: false, .. }),
            ..
        }) if env.config.read_only => refuse("bumping images"),
        None => {
            let mut context = context;
            let mut config = env.config.clone();
            loop {
                let mut runtime = Runtime::start(&config, demo)?;
                runtime.state.keymap = env.settings.keymap.clone();
                runtime.state.context = context.clone();
                // The console starts on the overview (before the warnings:
                // an error shows in the view it was said in).
                runtime.state.view = crate::app::state::View::Overview;
                if !demo {
                    if let Some(file) = crate::runtime::looked::path(context.as_deref()) {
                        runtime.keep_looked(file);
                    }
                }
                if let Some(log) = &runtime.state.demo_audit_log {
                    let text = format!(
                        "demo: its changes are logged to {} (removed when the demo ends)",
                        log.display()
                    );
                    runtime.state.say(crate::app::state::Level::Info, text);
                }
                for w in &warnings {
                    runtime
                        .state
                        .say(crate::app::state::Level::Error, w.clone());
                }
                match runtime.run_terminal().await? {
                    crate::runtime::Exit::Quit => return Ok(ExitCode::SUCCESS),
                    crate::runtime::Exit::SwitchContext(name) => {
                        config = base_config.with_context(&name).map_err(|e| eyre!(e))?;
                        config.read_only |= cli.read_only;
                        context = Some(name);
                    }
                }
            }
        }
        Some(Command::Alerts {
            json,
            output,
            history,
            filter,
        }) => alerts::run(&env.config, demo, json, output, history, &filter).await,
        Some(Command::Silences { json }) => silences::list(&env.config, demo, json).await,
        Some(Command::Ack {
            matchers,
            team,
            duration,
            comment,
            author,
            yes,
        }) => {
            silences::ack(
                &env.config,
                demo,
                silences::AckArgs {
                    matchers,
                    team,
                    duration,
                    comment,
                    author,
                    yes,
                },
            )
            .await
        }
        Some(Command::Unack { ids, yes }) => silences::unack(&env.config, demo, &ids, yes).await,
        Some(Command::Extend { ids, duration, yes }) => {
            silences::extend(&env.config, demo, &ids, duration.as_deref(), yes).await
        }
        Some(Command::Release { json, action }) => release::run(&env.config, json, action).await,
        Some(Command::Deploy { json, action }) => deploy::run(&env.config, json, action).await,
        Some(Command::Config {
            action: crate::cli::ConfigAction::Check,
        }) => config_check::run(&env).await,
        Some(Command::Completions { shell }) => extras::completions(shell),
        Some(Command::Man) => extras::man_page(),
    }
}

/// Fetches every source once into a fresh state, exactly as the console's
/// first refresh would.
pub async fn snapshot(config: &Config, demo: bool) -> Result<State> {
    let clients = runtime::clients(config)?;
    let mut state = runtime::initial_state(config, &clients, None, demo);
    for event in fetch_all(&clients).await {
        update(&mut state, Action::Source(event));
    }
    state.alerts.show_suppressed = true;
    state.regroup();
    Ok(state)
}

/// The alert sources (Alertmanagers and Prometheus servers) of a state.
fn alert_sources(state: &State) -> impl Iterator<Item = &crate::app::state::SourceStatus> {
    state.sources.iter().filter(|s| {
        matches!(
            s.kind,
            crate::alerts::model::SourceKind::Alertmanager
                | crate::alerts::model::SourceKind::Prometheus
        )
    })
}

/// Warns about each failed alert source; true when there is data to show
/// (some source answered).
fn report_sources(state: &State) -> bool {
    let mut any_ok = false;
    for s in alert_sources(state) {
        match &s.error {
            Some(e) => errln!("warning: {}: {e}", s.name),
            None => any_ok = true,
        }
        if !s.skipped.is_empty() {
            errln!(
                "warning: {}: {}",
                s.name,
                crate::alerts::model::skipped_summary(&s.skipped)
            );
            for k in &s.skipped {
                errln!("  {}", k.detail);
            }
        }
    }
    any_ok
}

/// The Alertmanager client named `name`.
fn alertmanager<'a>(
    clients: &'a [crate::alerts::source::SourceClient],
    name: &str,
) -> Option<&'a crate::alerts::client::AlertmanagerClient> {
    clients.iter().find_map(|c| match c {
        crate::alerts::source::SourceClient::Alertmanager(am) if am.name() == name => Some(am),
        _ => None,
    })
}
