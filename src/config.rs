//! Configuration: TOML, looked up from `--config PATH`, then `$OPSDECK_CONFIG`,
//! then `$XDG_CONFIG_HOME/opsdeck/config.toml`. With none of them present
//! opsdeck runs its embedded demo.
//!
//! Errors name the file, line and column and what was expected; an unknown key
//! suggests the nearest valid one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::alerts::grouping::{Route, Routing};
use crate::alerts::matcher::Matcher;

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
    /// path to a theme file (checked when the config is parsed).
    #[serde(default, deserialize_with = "loadable_theme")]
    pub theme: Option<String>,
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
}

pub use crate::core::KeySpec;

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
    #[serde(default, deserialize_with = "loadable_theme")]
    pub theme: Option<String>,
    /// Read-only in this context.
    #[serde(default)]
    pub read_only: Option<bool>,
}

impl Config {
    /// The config with context `name` applied: its sources replace the top
    /// level's (a context that names no Alertmanager keeps the top level's),
    /// its theme and read-only setting win.
    pub fn with_context(&self, name: &str) -> Result<Config, String> {
        let ctx = self.context.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.context.keys().map(String::as_str).collect();
            if known.is_empty() {
                format!("no context {name:?}: the config defines no [context.NAME] blocks")
            } else {
                format!("no context {name:?}; known contexts: {}", known.join(", "))
            }
        })?;
        let mut c = self.clone();
        if !ctx.alertmanager.is_empty() || !ctx.prometheus.is_empty() {
            c.alertmanager = ctx.alertmanager.clone();
            c.prometheus = ctx.prometheus.clone();
        }
        if ctx.github.is_some() {
            c.github = ctx.github.clone();
        }
        if ctx.release.is_some() {
            c.release = ctx.release.clone();
        }
        if ctx.deploy.is_some() {
            c.deploy = ctx.deploy.clone();
        }
        if ctx.theme.is_some() {
            c.theme = ctx.theme.clone();
        }
        if let Some(ro) = ctx.read_only {
            c.read_only = ro;
        }
        Ok(c)
    }
}

/// `[deploy]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// A local git checkout of the deploy repository (`~/` expands).
    pub repo: String,
    /// The branch whose pins are compared, and bumps start from.
    #[serde(default = "default_deploy_branch")]
    pub branch: String,
    /// Globs of manifests to scan, relative to the repository.
    #[serde(default = "default_deploy_paths")]
    pub paths: Vec<String>,
    /// Where bump branches are pushed.
    #[serde(default = "default_deploy_remote")]
    pub remote: String,
    /// After pushing, open a pull request through `[github]`.
    #[serde(default)]
    pub pull_request: bool,
    /// `owner/name` of the repository on GitHub, for pull requests.
    #[serde(default)]
    pub github_repo: Option<String>,
    /// How often registries and instances are asked again.
    #[serde(default = "default_deploy_refresh", deserialize_with = "duration")]
    pub refresh: Duration,
    /// Registry lookups in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Where each registry host's API lives.
    #[serde(default)]
    pub registry: Vec<RegistryConfig>,
    /// Which published tag counts as newest; first match wins.
    #[serde(default)]
    pub policy: Vec<PolicyConfig>,
    /// What is running.
    #[serde(default)]
    pub instance: Vec<InstanceConfig>,
}

/// `[[deploy.registry]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// The host as written in pins, e.g. `index.docker.io`.
    pub host: String,
    /// The API base, e.g. `https://registry-1.docker.io`.
    pub url: Spanned<String>,
    /// Basic auth user (also used for the token endpoint).
    #[serde(default)]
    pub username: Option<String>,
    /// Environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

/// `[[deploy.policy]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Glob on the repository, e.g. `sourcegraph/*`.
    #[serde(rename = "match")]
    pub pattern: Spanned<String>,
    /// `semver`, `channel` or `regex`.
    pub kind: Spanned<String>,
    /// semver: a requirement such as `~3.22`.
    #[serde(default)]
    pub range: Option<String>,
    /// semver: include pre-releases.
    #[serde(default)]
    pub prerelease: bool,
    /// channel: the moving tag, e.g. `insiders`.
    #[serde(default)]
    pub tag: Option<String>,
    /// regex: the tag pattern; its first capture group is the sort key.
    #[serde(default)]
    pub regex: Option<String>,
    /// regex: `semver`, `numeric` or `lexical` (default `numeric`).
    #[serde(default)]
    pub order: Option<String>,
}

/// `[[deploy.instance]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// Its name.
    pub name: String,
    /// Answers with its version: plain text, or JSON (see `json_pointer`).
    pub version_url: Spanned<String>,
    /// Where the version is in a JSON answer, e.g. `/version`.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// Repositories whose pins it runs, e.g. `["sourcegraph/frontend"]`.
    #[serde(default)]
    pub images: Vec<String>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

impl PolicyConfig {
    /// The policy rule (errors are sentences).
    pub fn rule(&self) -> Result<crate::deploy::policy::Rule, String> {
        use crate::deploy::policy::{Order, Policy, Rule};
        let policy = match self.kind.get_ref().as_str() {
            "semver" => Policy::Semver {
                range: match &self.range {
                    Some(r) => Some(
                        semver::VersionReq::parse(r)
                            .map_err(|e| format!("invalid semver range {r:?}: {e}"))?,
                    ),
                    None => None,
                },
                prerelease: self.prerelease,
            },
            "channel" => Policy::Channel {
                tag: self
                    .tag
                    .clone()
                    .ok_or("a channel policy needs `tag`, e.g. tag = \"insiders\"")?,
            },
            "regex" => Policy::Regex {
                pattern: regex::Regex::new(
                    self.regex
                        .as_deref()
                        .ok_or("a regex policy needs `regex`, e.g. regex = '^(\\d+)_.*$'")?,
                )
                .map_err(|e| format!("invalid regex: {e}"))?,
                order: match self.order.as_deref().unwrap_or("numeric") {
                    "semver" => Order::Semver,
                    "numeric" => Order::Numeric,
                    "lexical" => Order::Lexical,
                    other => {
                        return Err(format!(
                            "unknown order {other:?}; expected \"semver\", \"numeric\" or \"lexical\""
                        ));
                    }
                },
            },
            other => {
                return Err(format!(
                    "unknown policy kind {other:?}; expected \"semver\", \"channel\" or \"regex\""
                ));
            }
        };
        Rule::new(self.pattern.get_ref(), policy)
    }
}

impl DeployConfig {
    /// The policy rules, in order (validated when the config was loaded).
    pub fn rules(&self) -> Vec<crate::deploy::policy::Rule> {
        self.policy.iter().filter_map(|p| p.rule().ok()).collect()
    }
}

fn default_deploy_branch() -> String {
    "master".into()
}
fn default_deploy_paths() -> Vec<String> {
    vec!["**/*.yaml".into(), "**/*.yml".into()]
}
fn default_deploy_remote() -> String {
    "origin".into()
}
fn default_deploy_refresh() -> Duration {
    Duration::from_secs(60)
}
fn default_concurrency() -> usize {
    8
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

/// `[release.allow]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AllowConfig {
    /// A step's own inline code may run only if it starts with one of these.
    #[serde(default)]
    pub inline: Vec<String>,
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

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_refresh() -> Duration {
    Duration::from_secs(10)
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

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
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

/// A theme that loads: a built-in name, or a theme file that exists and
/// parses. The file is found as the console finds it (relative to the working
/// directory, `~/` expanded), so a theme that passes here cannot fail at
/// start-up; the error lands on the value's line and column.
fn loadable_theme<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let spec = String::deserialize(d)?;
    crate::ui::theme::Theme::check(&spec).map_err(serde::de::Error::custom)?;
    Ok(Some(spec))
}

/// A configuration error, with its place in the file when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column, when the error has a place.
    pub position: Option<(usize, usize)>,
    /// What went wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => {
                write!(f, "{}:{line}:{col}: {}", self.path.display(), self.message)
            }
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, col)
}

/// Appends "did you mean …?" to serde's unknown-field message.
fn suggest(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let candidates: Vec<&str> = expected
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    match crate::core::suggest::nearest(unknown, candidates) {
        Some(c) => format!("{}; did you mean `{c}`?", message.trim_end()),
        None => message.to_string(),
    }
}

impl Config {
    /// Parses a config file's text. `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: e.span().map(|s| line_col(text, s.start)),
            message: suggest(e.message()),
        })?;
        config.validate(text, path)?;
        Ok(config)
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read config: {e}"),
        })?;
        Config::parse(&text, path)
    }

    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            position: Some(line_col(text, span.start)),
            message,
        };
        let mut names = std::collections::HashSet::new();
        for src in self.alertmanager.iter().chain(&self.prometheus) {
            if !names.insert(src.name.as_str()) {
                return Err(at(
                    src.url.span(),
                    format!(
                        "source name {:?} is used twice; names must be unique",
                        src.name
                    ),
                ));
            }
            let url = src.url.get_ref();
            match url::Url::parse(url) {
                Ok(u) if u.scheme() == "http" || u.scheme() == "https" => {}
                Ok(u) => {
                    return Err(at(
                        src.url.span(),
                        format!("url {url:?} must be http or https, not {}", u.scheme()),
                    ));
                }
                Err(e) => {
                    return Err(at(
                        src.url.span(),
                        format!(
                            "invalid url {url:?}: {e} (expected e.g. \"http://127.0.0.1:9093\")"
                        ),
                    ));
                }
            }
        }
        if let Some(gh) = &self.github {
            let url = gh.api_url.get_ref();
            if !matches!(url::Url::parse(url), Ok(u) if u.scheme() == "http" || u.scheme() == "https")
            {
                return Err(at(
                    gh.api_url.span(),
                    format!(
                        "invalid github.api_url {url:?} (expected e.g. \"https://api.github.com\" or \"https://HOST/api/v3\")"
                    ),
                ));
            }
            if gh.token_command.as_ref().is_some_and(Vec::is_empty) {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message:
                        "github.token_command is empty; expected e.g. [\"gh\", \"auth\", \"token\"]"
                            .into(),
                });
            }
        }
        if let Some(r) = &self.release {
            let whole = |message: String| ConfigError {
                path: path.to_path_buf(),
                position: None,
                message,
            };
            match (&r.file, &r.repo) {
                (Some(_), _) => {}
                (None, None) => {
                    return Err(whole(
                        "[release] needs `repo` (with `issue` or `label`) or `file`".into(),
                    ));
                }
                (None, Some(repo)) => {
                    let ok = repo
                        .get_ref()
                        .split_once('/')
                        .is_some_and(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'));
                    if !ok {
                        return Err(at(
                            repo.span(),
                            format!("release.repo {:?} must be \"owner/name\"", repo.get_ref()),
                        ));
                    }
                    if r.issue.is_none() && r.label.is_none() {
                        return Err(at(
                            repo.span(),
                            "[release] needs `issue = NUMBER` or `label = \"…\"` to find the tracking issue".into(),
                        ));
                    }
                }
            }
            for step in &r.step {
                if let Err(e) = regex::RegexBuilder::new(step.pattern.get_ref())
                    .case_insensitive(true)
                    .build()
                {
                    return Err(at(
                        step.pattern.span(),
                        format!("invalid regex in release.step match: {e}"),
                    ));
                }
                if step.run.first().is_none_or(|p| p.trim().is_empty()) {
                    return Err(at(
                        step.pattern.span(),
                        "release.step needs `run = [\"program\", \"arg\", …]`".into(),
                    ));
                }
            }
            if r.allow.inline.iter().any(|p| p.trim().is_empty()) {
                return Err(whole(
                    "release.allow.inline holds an empty prefix, which would allow every inline command".into(),
                ));
            }
        }
        if let Some(d) = &self.deploy {
            for p in &d.policy {
                p.rule()
                    .map_err(|e| at(p.kind.span(), format!("deploy.policy: {e}")))?;
            }
            for g in &d.paths {
                globset::Glob::new(g).map_err(|e| ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: format!("deploy.paths: invalid glob {g:?}: {e}"),
                })?;
            }
            for u in d
                .registry
                .iter()
                .map(|r| &r.url)
                .chain(d.instance.iter().map(|i| &i.version_url))
            {
                if !matches!(url::Url::parse(u.get_ref()), Ok(x) if x.scheme() == "http" || x.scheme() == "https")
                {
                    return Err(at(u.span(), format!("invalid url {:?}", u.get_ref())));
                }
            }
            if d.concurrency == 0 {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: "deploy.concurrency must be at least 1".into(),
                });
            }
            if d.pull_request && d.github_repo.is_none() {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: "deploy.pull_request = true needs deploy.github_repo = \"owner/name\""
                        .into(),
                });
            }
        }
        crate::app::keymap::Keymap::with_overrides(&self.keys)
            .map_err(|e| at(e.span, e.message))?;
        if let Some(name) = &self.default_context {
            if !self.context.contains_key(name) {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: format!("default_context {name:?} has no [context.{name}] block"),
                });
            }
        }
        for route in &self.alerts.route {
            if route.matchers.is_empty() {
                return Err(ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: format!(
                        "alerts.route for team {:?} has no matchers; it would claim every alert",
                        route.team
                    ),
                });
            }
            for m in &route.matchers {
                Matcher::parse(m.get_ref())
                    .map_err(|e| at(m.span(), format!("invalid matcher: {e}")))?;
            }
        }
        Ok(())
    }

    /// The team and severity routing this config describes.
    pub fn routing(&self) -> Routing {
        Routing {
            team_labels: self.alerts.team_labels.clone(),
            severity_labels: self.alerts.severity_labels.clone(),
            routes: self
                .alerts
                .route
                .iter()
                .map(|r| Route {
                    team: r.team.clone(),
                    // Validated in `parse`; an invalid one cannot reach here.
                    matchers: r
                        .matchers
                        .iter()
                        .filter_map(|m| Matcher::parse(m.get_ref()).ok())
                        .collect(),
                })
                .collect(),
        }
    }

    /// The silence author: `alerts.ack_author`, else `$USER`, else "opsdeck".
    pub fn ack_author(&self) -> String {
        self.alerts
            .ack_author
            .clone()
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "opsdeck".into())
    }
}

impl Config {
    /// Places where this config holds a secret in plain text: credential
    /// headers, and URLs with a user and password.
    pub fn secrets(&self) -> Vec<String> {
        let secret_header = |name: &str, value: &str| {
            let n = name.to_ascii_lowercase();
            n == "authorization"
                || n.contains("token")
                || n.contains("api-key")
                || n.contains("apikey")
                || n.contains("secret")
                || n.contains("password")
                || value.starts_with("Bearer ")
                || value.starts_with("Basic ")
        };
        let has_userinfo = |u: &str| url::Url::parse(u).is_ok_and(|u| u.password().is_some());
        let mut out = Vec::new();
        let mut sources: Vec<&HttpSourceConfig> =
            self.alertmanager.iter().chain(&self.prometheus).collect();
        for ctx in self.context.values() {
            sources.extend(ctx.alertmanager.iter().chain(&ctx.prometheus));
        }
        for s in sources {
            for (k, v) in &s.headers {
                if secret_header(k, v) {
                    out.push(format!("header {k:?} of source {:?}", s.name));
                }
            }
            if has_userinfo(s.url.get_ref()) {
                out.push(format!("the url of source {:?}", s.name));
            }
        }
        if let Some(d) = &self.deploy {
            for r in &d.registry {
                if has_userinfo(r.url.get_ref()) {
                    out.push(format!("the url of registry {:?}", r.host));
                }
            }
        }
        out
    }
}

/// A warning when a config file that holds a secret can be read by group or
/// others (unix permissions). Prefer `bearer_token_env`, `password_env` or
/// `token_command`, which keep secrets out of the file.
pub fn permission_warning(path: &Path, config: &Config) -> Option<String> {
    let secrets = config.secrets();
    if secrets.is_empty() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} holds a secret ({}) and is readable by group or others (mode {:o}); run `chmod 600 {}` or move the secret to an environment variable (bearer_token_env, password_env, token_command)",
                path.display(),
                secrets.join(", "),
                mode & 0o777,
                path.display()
            ));
        }
    }
    None
}

/// Where the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file.
    File(PathBuf),
    /// No file: the embedded demo.
    Demo,
}

/// Finds the config file: `--config`, then `$OPSDECK_CONFIG`, then
/// `$XDG_CONFIG_HOME/opsdeck/config.toml` (`~/.config` when unset). An
/// explicitly named file that does not exist is an error; a missing default
/// file means the demo.
pub fn locate(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<ConfigSource, ConfigError> {
    let named = explicit.map(Path::to_path_buf).or_else(|| {
        env("OPSDECK_CONFIG")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = named {
        if path.is_file() {
            return Ok(ConfigSource::File(path));
        }
        return Err(ConfigError {
            path,
            position: None,
            message: "config file not found".into(),
        });
    }
    let base = env("XDG_CONFIG_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")));
    match base.map(|b| b.join("opsdeck").join("config.toml")) {
        Some(p) if p.is_file() => Ok(ConfigSource::File(p)),
        _ => Ok(ConfigSource::Demo),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    #[test]
    fn minimal_and_defaults() {
        let c = parse("[[alertmanager]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9093\"\n")
            .expect("parses");
        assert_eq!(c.alertmanager.len(), 1);
        assert_eq!(c.alerts.refresh, Duration::from_secs(10));
        assert_eq!(c.alerts.ack_duration, Duration::from_secs(7200));
        assert_eq!(c.alerts.team_labels, vec!["owner", "team"]);
        assert_eq!(c.alertmanager[0].timeout, Duration::from_secs(10));
    }

    #[test]
    fn unknown_key_suggests_nearest() {
        let e = parse("[alerts]\nrefrsh = \"5s\"\n").expect_err("unknown key");
        assert_eq!(e.position, Some((2, 1)));
        assert!(e.message.contains("unknown field `refrsh`"), "{e}");
        assert!(e.message.contains("did you mean `refresh`?"), "{e}");
        let e = parse("[alert]\n").expect_err("unknown table");
        assert!(e.message.contains("did you mean `alerts`?"), "{e}");
        assert!(e.to_string().starts_with("test.toml:1:"), "{e}");
    }

    #[test]
    fn bad_values_have_positions() {
        let e = parse("[alerts]\nrefresh = \"soon\"\n").expect_err("bad duration");
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert!(e.message.contains("invalid duration"), "{e}");
        let e = parse("[alerts]\nrefresh = 5\n").expect_err("wrong type");
        assert_eq!(e.position.map(|p| p.0), Some(2));
        let e = parse("[[alertmanager]]\nname = \"a\"\nurl = \"ftp://x\"\n").expect_err("scheme");
        assert_eq!(e.position, Some((3, 7)));
        let e = parse("[[alerts.route]]\nteam = \"s\"\nmatchers = ['service_name=~\"(\"']\n")
            .expect_err("bad regex");
        assert_eq!(e.position.map(|p| p.0), Some(3));
        assert!(e.message.contains("invalid matcher"), "{e}");
        let e = parse("[[alertmanager]]\nname = \"a\"\n").expect_err("missing url");
        assert!(e.message.contains("missing field `url`"), "{e}");
    }

    #[test]
    fn unknown_theme_has_a_position_and_a_suggestion() {
        let e = parse("read_only = true\ntheme = \"nope\"\n").expect_err("unknown theme");
        assert_eq!(
            e.to_string(),
            "test.toml:2:9: unknown theme \"nope\"; expected one of dark, light, \
             high-contrast, prod or a path to a theme file"
        );
        let e = parse("[context.prod]\ntheme = \"drak\"\n").expect_err("typo");
        assert_eq!(e.position, Some((2, 9)));
        assert!(e.message.ends_with("; did you mean \"dark\"?"), "{e}");
        for ok in ["dark", "light", "high-contrast", "prod", "High_Contrast"] {
            let c = parse(&format!("theme = \"{ok}\"\n")).expect("a built-in theme");
            assert_eq!(c.theme.as_deref(), Some(ok));
        }
    }

    #[test]
    fn theme_files_are_read_when_the_config_is_parsed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("ocean.toml");
        std::fs::write(&good, "[styles]\nheader = { bg = \"blue\" }\n").expect("write");
        let bad = dir.path().join("broken.toml");
        std::fs::write(&bad, "[styles]\nheadr = {}\n").expect("write");
        let missing = dir.path().join("missing.toml");
        let config = |p: &Path| format!("[alerts]\n\n[context.x]\ntheme = {:?}\n", p.display());
        // Relative to the working directory, as the console loads it (tests
        // run in the package root).
        let c = parse("theme = \"assets/themes/light.toml\"\n").expect("a relative path");
        assert_eq!(c.theme.as_deref(), Some("assets/themes/light.toml"));
        let c = parse(&config(&good)).expect("a theme file");
        assert_eq!(c.context["x"].theme.as_deref(), good.to_str());
        let e = parse(&config(&bad)).expect_err("a theme file with an unknown role");
        assert_eq!(e.position, Some((4, 9)));
        assert!(
            e.message.contains("broken.toml") && e.message.contains("styles.headr"),
            "{e}"
        );
        let e = parse(&config(&missing)).expect_err("no such file");
        assert_eq!(e.position, Some((4, 9)));
        assert!(e.message.starts_with("cannot read theme file"), "{e}");
    }

    #[test]
    fn duplicate_names_refused() {
        let e = parse(
            "[[alertmanager]]\nname = \"a\"\nurl = \"http://x\"\n[[prometheus]]\nname = \"a\"\nurl = \"http://y\"\n",
        )
        .expect_err("dup");
        assert!(e.message.contains("used twice"), "{e}");
    }

    #[test]
    fn locate_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let xdg = dir.path().join("opsdeck");
        std::fs::create_dir_all(&xdg).expect("mkdir");
        std::fs::write(xdg.join("config.toml"), "").expect("write");
        let other = dir.path().join("other.toml");
        std::fs::write(&other, "").expect("write");
        let d = dir.path().to_string_lossy().to_string();
        let env_with = |o: Option<String>| {
            let d = d.clone();
            move |k: &str| match k {
                "XDG_CONFIG_HOME" => Some(d.clone()),
                "OPSDECK_CONFIG" => o.clone(),
                _ => None,
            }
        };
        assert_eq!(
            locate(None, env_with(None)).expect("ok"),
            ConfigSource::File(xdg.join("config.toml"))
        );
        assert_eq!(
            locate(None, env_with(Some(other.to_string_lossy().into()))).expect("ok"),
            ConfigSource::File(other.clone())
        );
        assert_eq!(
            locate(Some(&other), env_with(Some("/nope".into()))).expect("ok"),
            ConfigSource::File(other)
        );
        assert!(locate(Some(Path::new("/nope.toml")), env_with(None)).is_err());
        assert_eq!(
            locate(None, |k| (k == "HOME").then(|| "/nonexistent".to_string())).expect("ok"),
            ConfigSource::Demo
        );
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Any text: a config or an error whose position is inside the text.
            #[test]
            fn errors_point_inside_the_text(text in "(\\[\\[?[a-z.]{1,12}\\]\\]?\n|[a-z_]{1,12} = (\"[^\"\n]{0,10}\"|[0-9]{1,4}|\\[\\]|true)\n|\\PC{0,12}\n){0,8}") {
                match Config::parse(&text, Path::new("p.toml")) {
                    Ok(_) => {}
                    Err(e) => {
                        prop_assert!(!e.message.is_empty());
                        if let Some((line, col)) = e.position {
                            let lines = text.split('\n').count().max(1);
                            prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
                            prop_assert!(col >= 1);
                        }
                    }
                }
            }
        }
    }
}
