//! The configuration file's schema: the serde types, their defaults, and
//! the values that keep their place in the file (`toml::Spanned`) so errors
//! can point at them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::KeySpec;

mod deploy;
pub use deploy::{
    BumpMode, DeployConfig, InstanceConfig, PolicyConfig, RegistryConfig, ValuesConfig,
};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// One or more Alertmanagers (an HA pair, or separate clusters).
    #[serde(default)]
    pub alertmanager: Vec<HttpSourceConfig>,
    /// Prometheus servers, for pending alerts.
    #[serde(default)]
    pub prometheus: Vec<HttpSourceConfig>,
    /// The alerts view.
    #[serde(default)]
    pub alerts: AlertsConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// GitHub (or GitHub Enterprise) access.
    #[serde(default)]
    pub github: Option<GithubConfig>,
    /// The release checklist view.
    #[serde(default)]
    pub release: Option<ReleaseConfig>,
    /// The deployment sync view.
    #[serde(default)]
    pub deploy: Option<DeployConfig>,
    /// Refuse every change (ack, unack, extend, tick, trigger, bump).
    #[serde(default)]
    pub read_only: bool,
    /// A theme name from `assets/themes` (dark, light, high-contrast, …) or a
    /// path to a theme file (checked, when the config is loaded, by
    /// `app::settings`).
    #[serde(default)]
    pub theme: Option<ThemeSpec>,
    /// Key bindings per view: `[keys.alerts] ack = "a"`, `unack = "<disabled>"`.
    #[serde(default)]
    pub keys: BTreeMap<String, BTreeMap<String, Spanned<KeySpec>>>,
    /// Notifications on new critical alerts.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// The context used when `--context` is not given.
    #[serde(default)]
    pub default_context: Option<String>,
    /// Named contexts (`[context.prod]`), each with its own sources and theme.
    #[serde(default)]
    pub context: BTreeMap<String, ContextConfig>,
    /// The audit log of every change (default
    /// `$XDG_STATE_HOME/opsdeck/audit.jsonl`).
    #[serde(default)]
    pub audit_log: Option<PathBuf>,
    /// The file and text this config was parsed from, to place the errors
    /// found after parsing ([`Config::place`]).
    #[serde(skip)]
    pub(super) origin: Option<Arc<Origin>>,
}

/// Where a config came from: the file and its text.
pub(super) struct Origin {
    /// The file.
    pub(super) path: PathBuf,
    /// Its text.
    pub(super) text: String,
}

impl std::fmt::Debug for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text is the file itself: too long to show, and may hold secrets.
        f.debug_struct("Origin").field("path", &self.path).finish()
    }
}

/// A `theme` value — a built-in name or a path to a theme file — with its
/// place in the file. Reads as the `str` it holds.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ThemeSpec(Spanned<String>);

impl ThemeSpec {
    /// The value's byte range in the config text (for [`Config::place`]).
    pub fn span(&self) -> std::ops::Range<usize> {
        self.0.span()
    }
}

impl std::ops::Deref for ThemeSpec {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.get_ref()
    }
}

/// `[notify]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Ring the terminal bell on a new critical alert.
    #[serde(default = "yes")]
    pub bell: bool,
    /// Also send a desktop notification (needs the `desktop-notify` feature).
    #[serde(default)]
    pub desktop: bool,
    /// Only for these teams (default: all).
    #[serde(default)]
    pub teams: Vec<String>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            bell: true,
            desktop: false,
            teams: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}

/// `[context.NAME]`: replaces the sources (and optionally the theme) of the
/// top level when selected.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextConfig {
    /// Alertmanagers of this context.
    #[serde(default)]
    pub alertmanager: Vec<HttpSourceConfig>,
    /// Prometheus servers of this context.
    #[serde(default)]
    pub prometheus: Vec<HttpSourceConfig>,
    /// GitHub access of this context.
    #[serde(default)]
    pub github: Option<GithubConfig>,
    /// The release checklist of this context.
    #[serde(default)]
    pub release: Option<ReleaseConfig>,
    /// Deployment sync of this context.
    #[serde(default)]
    pub deploy: Option<DeployConfig>,
    /// A theme for this context (a red one for prod, like k9s skins).
    #[serde(default)]
    pub theme: Option<ThemeSpec>,
    /// Read-only in this context.
    #[serde(default)]
    pub read_only: Option<bool>,
}

/// `[github]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubConfig {
    /// API base URL: `https://api.github.com`, or `https://HOST/api/v3` for
    /// GitHub Enterprise.
    #[serde(default = "default_github_api")]
    pub api_url: Spanned<String>,
    /// Environment variable holding the token (default `GITHUB_TOKEN`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// A command printing the token, e.g. `["gh", "auth", "token"]`.
    #[serde(default)]
    pub token_command: Option<Vec<String>>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

impl Default for GithubConfig {
    fn default() -> Self {
        GithubConfig {
            api_url: default_github_api(),
            token_env: None,
            token_command: None,
            timeout: default_timeout(),
        }
    }
}

fn default_github_api() -> Spanned<String> {
    Spanned::new(0..0, "https://api.github.com".to_string())
}

/// `[release]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseConfig {
    /// `owner/name` of the repository holding the tracking issue.
    #[serde(default)]
    pub repo: Option<Spanned<String>>,
    /// The tracking issue's number.
    #[serde(default)]
    pub issue: Option<u64>,
    /// Or: the newest open issue with this label (and `milestone`, if set).
    #[serde(default)]
    pub label: Option<String>,
    /// Milestone title narrowing `label`.
    #[serde(default)]
    pub milestone: Option<String>,
    /// Alternative backend: a local markdown file (no GitHub).
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Open issues with this label are counted as blockers.
    #[serde(default = "default_blocker_label")]
    pub blocker_label: String,
    /// GitHub search query for the blockers; `{repo}`, `{blocker_label}`
    /// and `{milestone}` are filled in. Default:
    /// `repo:{repo} is:issue is:open label:"{blocker_label}"`.
    #[serde(default)]
    pub blocker_query: Option<Spanned<String>>,
    /// How often the issue is re-read.
    #[serde(default = "default_release_refresh", deserialize_with = "duration")]
    pub refresh: Duration,
    /// Post `"ticked <step> — <user> via opsdeck"` comments.
    #[serde(default)]
    pub audit_comments: bool,
    /// Working directory for inline commands and steps without `cwd`.
    #[serde(default)]
    pub cwd: Option<String>,
    /// Values for placeholders such as `{rc}` or `{version}`.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// How long a stopped command gets between SIGTERM and SIGKILL.
    #[serde(default = "default_stop_grace", deserialize_with = "duration")]
    pub stop_grace: Duration,
    /// Where run logs go (default `$XDG_STATE_HOME/opsdeck/runs`).
    #[serde(default)]
    pub log_dir: Option<PathBuf>,
    /// Commands for steps, matched on the step text; first match wins.
    #[serde(default)]
    pub step: Vec<StepConfig>,
    /// Which inline commands from the issue may run.
    #[serde(default)]
    pub allow: AllowConfig,
}

/// `[[release.step]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepConfig {
    /// Case-insensitive regex on the step text.
    #[serde(rename = "match")]
    pub pattern: Spanned<String>,
    /// The argv; `{placeholders}` are filled from `vars` or asked for.
    pub run: Vec<String>,
    /// Working directory (`~/` expands).
    #[serde(default)]
    pub cwd: Option<String>,
    /// Extra environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// `[release.allow]`: what a command proposed by the issue itself (inline
/// code or a fenced block) may do.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    /// Each command of a proposed step command must start with one of these
    /// (`inline` is the older name).
    #[serde(default, alias = "inline")]
    pub commands: Vec<String>,
    /// Names a leading `NAME=value` may set (anything else is refused).
    #[serde(default)]
    pub env: Vec<String>,
    /// Scripts needing a shell (pipes, redirections, `$(…)`) starting with
    /// one of these run with `sh -c` after the exact script is shown.
    #[serde(default)]
    pub shell: Vec<String>,
}

fn default_blocker_label() -> String {
    "release-blocker".into()
}
fn default_release_refresh() -> Duration {
    Duration::from_secs(30)
}
fn default_stop_grace() -> Duration {
    Duration::from_secs(5)
}

/// An HTTP endpoint: an Alertmanager or a Prometheus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSourceConfig {
    /// Shown in the header and in `sources` of each alert.
    pub name: String,
    /// Base URL; a path prefix such as `/alertmanager` is kept.
    pub url: Spanned<String>,
    /// Extra request headers, e.g. `X-Scope-OrgID` for Mimir/Cortex tenants.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Name of an environment variable holding a bearer token.
    #[serde(default)]
    pub bearer_token_env: Option<String>,
    /// HTTP basic auth.
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// A PEM file of extra CA certificates to trust.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

/// HTTP basic auth; the password comes from an environment variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// Environment variable holding the password.
    pub password_env: String,
}

/// `[alerts]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertsConfig {
    /// How often each source refreshes.
    #[serde(default = "default_refresh", deserialize_with = "duration")]
    pub refresh: Duration,
    /// The first label present names the owning team.
    #[serde(default = "default_team_labels")]
    pub team_labels: Vec<String>,
    /// The first label present gives the severity.
    #[serde(default = "default_severity_labels")]
    pub severity_labels: Vec<String>,
    /// How long an acknowledgement (silence) lasts, and how much `e` extends it.
    #[serde(default = "default_ack_duration", deserialize_with = "duration")]
    pub ack_duration: Duration,
    /// Author of silences (default: `$USER`).
    #[serde(default)]
    pub ack_author: Option<String>,
    /// Comment of silences.
    #[serde(default = "default_ack_comment")]
    pub ack_comment: String,
    /// Fallback ownership when no team label is present; first match wins.
    #[serde(default)]
    pub route: Vec<RouteConfig>,
    /// The `[[prometheus]]` whose `ALERTS` series give the history (default:
    /// the first one; `"off"`: none).
    #[serde(default)]
    pub history: Option<Spanned<String>>,
    /// How far back the history reaches.
    #[serde(default = "default_history_window", deserialize_with = "duration")]
    pub history_window: Duration,
    /// How often the history is read again.
    #[serde(default = "default_history_refresh", deserialize_with = "duration")]
    pub history_refresh: Duration,
    /// How long a resolved alert stays in "recently resolved".
    #[serde(default = "default_history_resolved", deserialize_with = "duration")]
    pub history_resolved: Duration,
    /// Firing episodes in the window from which an alert is "flapping"
    /// (0: never).
    #[serde(default = "default_flap_threshold")]
    pub flap_threshold: usize,
}

impl AlertsConfig {
    /// The Prometheus the history comes from, among `prometheus` names:
    /// the one named, else the first; none when `history = "off"`.
    pub fn history_source<'a>(&'a self, prometheus: &'a [HttpSourceConfig]) -> Option<&'a str> {
        match self.history.as_ref().map(|h| h.get_ref().as_str()) {
            Some("off") => None,
            Some(name) => Some(name),
            None => prometheus.first().map(|p| p.name.as_str()),
        }
    }
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            refresh: default_refresh(),
            team_labels: default_team_labels(),
            severity_labels: default_severity_labels(),
            ack_duration: default_ack_duration(),
            ack_author: None,
            ack_comment: default_ack_comment(),
            route: Vec::new(),
            history: None,
            history_window: default_history_window(),
            history_refresh: default_history_refresh(),
            history_resolved: default_history_resolved(),
            flap_threshold: default_flap_threshold(),
        }
    }
}

/// `[[alerts.route]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// The owning team.
    pub team: String,
    /// Matchers such as `service_name=~"zoekt.*"`; all must match.
    pub matchers: Vec<Spanned<String>>,
}

/// `[log]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `opsdeck=debug` (default `info`;
    /// `$OPSDECK_LOG` overrides it).
    #[serde(default)]
    pub level: Option<String>,
    /// The log file (default `$XDG_STATE_HOME/opsdeck/opsdeck.log`).
    #[serde(default)]
    pub file: Option<PathBuf>,
}

pub(super) fn default_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_refresh() -> Duration {
    Duration::from_secs(10)
}
fn default_history_window() -> Duration {
    Duration::from_secs(24 * 3600)
}
fn default_history_refresh() -> Duration {
    Duration::from_secs(60)
}
fn default_history_resolved() -> Duration {
    Duration::from_secs(3600)
}
fn default_flap_threshold() -> usize {
    3
}
fn default_ack_duration() -> Duration {
    Duration::from_secs(2 * 3600)
}
fn default_team_labels() -> Vec<String> {
    vec!["owner".into(), "team".into()]
}
fn default_severity_labels() -> Vec<String> {
    vec!["severity".into(), "level".into()]
}
fn default_ack_comment() -> String {
    "acknowledged in opsdeck".into()
}

pub(super) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    let parsed = humantime::parse_duration(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "invalid duration {text:?}: {e} (expected e.g. \"10s\", \"2h\", \"1h30m\")"
        ))
    })?;
    if parsed.is_zero() {
        return Err(serde::de::Error::custom(format!(
            "invalid duration {text:?}: must be greater than zero"
        )));
    }
    Ok(parsed)
}
