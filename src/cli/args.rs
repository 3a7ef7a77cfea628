//! The command line (clap derive). Usage errors exit 2.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// opsdeck — alerts by owning team, release checklists and deployment sync,
/// in one keyboard-driven terminal console.
///
/// With no config file it opens an embedded, clearly labelled demo.
#[derive(Debug, Parser)]
#[command(name = "opsdeck", version, about, long_about = None)]
pub struct Cli {
    /// Config file (default: $OPSDECK_CONFIG, then $XDG_CONFIG_HOME/opsdeck/config.toml).
    #[arg(long, short = 'c', global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Run the embedded demo even if a config file exists (keeping that file's keys and theme).
    #[arg(long, global = true)]
    pub demo: bool,
    /// Refuse every change (ack, unack, extend, tick, trigger, bump).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Use the sources of `[context.NAME]`.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// What to do (default: the interactive console).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands: the same code paths as the console, for scripts.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print current alerts grouped by owning team (after one refresh of every source).
    Alerts {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// `wide`: every label of every alert.
        #[arg(long, short = 'o', value_name = "FORMAT", value_parser = ["wide"])]
        output: Option<String>,
        /// Each alert's history from Prometheus' ALERTS series over WINDOW
        /// (default `[alerts] history_window`): episodes, firing time,
        /// flapping; and the recently resolved alerts.
        #[arg(long, value_name = "WINDOW", num_args = 0..=1, default_missing_value = "")]
        history: Option<String>,
        /// The console's filter: matchers (`owner=search`,
        /// `alertname=~"disk.*"`), `@state=silenced`, `@team=…`, free text.
        #[arg(value_name = "FILTER")]
        filter: Vec<String>,
    },
    /// Acknowledge: create a silence for the alerts matching MATCHER...
    /// (or one per alert of a team, with --team).
    Ack {
        /// Matchers such as alertname=foo or 'service_name=~"zoekt.*"'; a
        /// first bare word is the alertname (amtool's shorthand).
        #[arg(
            required_unless_present = "team",
            conflicts_with = "team",
            value_name = "MATCHER"
        )]
        matchers: Vec<String>,
        /// Acknowledge every active alert of this team (the console's team
        /// routing, [[alerts.route]] included): one silence per alert.
        #[arg(long, value_name = "NAME")]
        team: Option<String>,
        /// How long (default: alerts.ack_duration).
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
        /// Comment (default: alerts.ack_comment).
        #[arg(long)]
        comment: Option<String>,
        /// Author (default: alerts.ack_author, then $USER).
        #[arg(long)]
        author: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Un-acknowledge: expire silences.
    Unack {
        /// Silence ids: each in full or a unique prefix of 8+ characters.
        #[arg(required = true, value_name = "SILENCE_ID")]
        ids: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Extend silences: each ends DURATION after its current end (or now).
    Extend {
        /// Silence ids: each in full or a unique prefix of 8+ characters.
        #[arg(required = true, value_name = "SILENCE_ID")]
        ids: Vec<String>,
        /// By how much (default: alerts.ack_duration).
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// List active and pending silences.
    Silences {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// The release checklist: progress per section, after one load.
    Release {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Tick or run a step.
        #[command(subcommand)]
        action: Option<ReleaseAction>,
    },
    /// Check the config file, then try every source (✓/✗ with the reason).
    Config {
        /// What to do.
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `opsdeck man | man -l -`.
    Man,
    /// Deployment sync: pinned images against published and running versions.
    Deploy {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Bump images.
        #[command(subcommand)]
        action: Option<DeployAction>,
    },
}

/// `opsdeck config …`
#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Validate the file (line and column for errors), then try every source;
    /// exit 1 on any failure.
    Check,
}

/// `opsdeck deploy …`
#[derive(Debug, Subcommand)]
pub enum DeployAction {
    /// Bump an image's pins to the newest published tag: a new branch, a
    /// commit, a push, and a pull request when configured.
    Bump {
        /// The image, e.g. sourcegraph/frontend.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        image: Option<String>,
        /// Every out-of-sync image and moved channel (drifted pins only
        /// with --include-drift).
        #[arg(long)]
        all: bool,
        /// With --all: re-pin drifted pins too (tags the registry now serves
        /// with another digest).
        #[arg(long, conflicts_with = "image")]
        include_drift: bool,
        /// One branch and pull request per image (default: `[deploy] bump`).
        #[arg(long, conflicts_with = "grouped")]
        per_image: bool,
        /// One branch and pull request for all images (default: `[deploy] bump`).
        #[arg(long)]
        grouped: bool,
        /// Print the diff; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `opsdeck release …`
#[derive(Debug, Subcommand)]
pub enum ReleaseAction {
    /// Tick a step (fresh read, one-byte edit by id, write, read back).
    Tick {
        /// The step id, as `opsdeck release` shows it.
        step_id: String,
        /// Untick instead.
        #[arg(long)]
        undo: bool,
    },
    /// Run a step's command (from local config only); ticks the step when it
    /// exits 0. Exits with the command's code, or 1 if refused.
    Run {
        /// The step id.
        step_id: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// A placeholder value, e.g. --var rc=2 (repeatable).
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
    },
}
