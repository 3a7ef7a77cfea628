//! What the schema cannot say: unique names, URLs, regexes, policies,
//! globs and matchers, each error at its place in the file.

use std::path::Path;

use super::error::line_col;
use super::{Config, ConfigError, DeployConfig, PolicyConfig, PolicyError};
use crate::alerts::grouping::{Route, Routing};
use crate::alerts::matcher::Matcher;

impl Config {
    pub(super) fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
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
            for (key, list) in [("commands", &r.allow.commands), ("shell", &r.allow.shell)] {
                if list.iter().any(|p| p.trim().is_empty()) {
                    return Err(whole(format!(
                        "release.allow.{key} holds an empty prefix, which would allow every command from the issue"
                    )));
                }
            }
            if let Some(bad) = r
                .allow
                .env
                .iter()
                .find(|n| !crate::core::text::is_env_name(n))
            {
                return Err(whole(format!(
                    "release.allow.env: {bad:?} is not a variable name (letters, digits and _, not starting with a digit)"
                )));
            }
            if let Some(query) = &r.blocker_query {
                let text = query.get_ref();
                if let Some(name) = crate::release::blockers::unknown_placeholder(text) {
                    let e = crate::release::blockers::QueryError::Unknown {
                        name: name.to_string(),
                    };
                    return Err(at(query.span(), e.to_string()));
                }
                if text.trim().is_empty() {
                    return Err(at(
                        query.span(),
                        "release.blocker_query is empty; leave it out for the default query".into(),
                    ));
                }
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
            for (i, v) in d.values.iter().enumerate() {
                let refuse = |message: String| ConfigError {
                    path: path.to_path_buf(),
                    position: None,
                    message: format!("deploy.values[{i}]: {message}"),
                };
                if v.paths.is_empty() {
                    return Err(refuse(
                        "paths is empty: list the values files, e.g. [\"charts/*/values.yaml\"]"
                            .into(),
                    ));
                }
                if v.tag_keys.is_empty() || v.tag_keys.iter().any(|k| k.trim().is_empty()) {
                    return Err(refuse(
                        "tag_keys is empty: name the tag key(s), e.g. [\"tag\"]".into(),
                    ));
                }
                for g in &v.paths {
                    globset::Glob::new(g)
                        .map_err(|e| refuse(format!("invalid glob {g:?} in paths: {e}")))?;
                }
                let keys = [
                    Some(&v.repository_key),
                    Some(&v.name_key),
                    v.digest_key.as_ref(),
                ];
                if keys.iter().flatten().any(|k| k.trim().is_empty()) {
                    return Err(refuse(
                        "repository_key, name_key and digest_key must not be empty".into(),
                    ));
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
        if let Some(h) = &self.alerts.history {
            let name = h.get_ref();
            if name != "off" && !self.prometheus.iter().any(|p| &p.name == name) {
                let known: Vec<&str> = self.prometheus.iter().map(|p| p.name.as_str()).collect();
                let known = if known.is_empty() {
                    "there is no [[prometheus]]".to_string()
                } else {
                    format!("[[prometheus]] names: {}", known.join(", "))
                };
                return Err(at(
                    h.span(),
                    format!(
                        "alerts.history {name:?} is not a [[prometheus]] ({known}; \"off\" turns history off)"
                    ),
                ));
            }
        }
        let window = self.alerts.history_window;
        if window < std::time::Duration::from_secs(60)
            || window > std::time::Duration::from_secs(31 * 86_400)
        {
            return Err(ConfigError {
                path: path.to_path_buf(),
                position: None,
                message: format!(
                    "alerts.history_window {} is outside 1m to 31d",
                    humantime::format_duration(window)
                ),
            });
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

impl PolicyConfig {
    /// The policy rule.
    pub fn rule(&self) -> Result<crate::deploy::policy::Rule, PolicyError> {
        use crate::deploy::policy::{Order, Policy, Rule};
        let policy = match self.kind.get_ref().as_str() {
            "semver" => Policy::Semver {
                range: match &self.range {
                    Some(r) => Some(semver::VersionReq::parse(r).map_err(|error| {
                        PolicyError::InvalidRange {
                            range: r.clone(),
                            error,
                        }
                    })?),
                    None => None,
                },
                prerelease: self.prerelease,
            },
            "channel" if self.convert_channels => return Err(PolicyError::ConvertOnChannel),
            "channel" => Policy::Channel {
                tag: self.tag.clone().ok_or(PolicyError::ChannelNeedsTag)?,
            },
            "regex" => Policy::Regex {
                pattern: regex::Regex::new(
                    self.regex
                        .as_deref()
                        .ok_or(PolicyError::RegexNeedsPattern)?,
                )
                .map_err(PolicyError::InvalidRegex)?,
                order: match self.order.as_deref().unwrap_or("numeric") {
                    "semver" => Order::Semver,
                    "numeric" => Order::Numeric,
                    "lexical" => Order::Lexical,
                    other => return Err(PolicyError::UnknownOrder(other.to_string())),
                },
            },
            other => return Err(PolicyError::UnknownKind(other.to_string())),
        };
        Ok(Rule::new(self.pattern.get_ref(), policy)
            .map_err(PolicyError::Glob)?
            .with_convert_channels(self.convert_channels))
    }
}

impl DeployConfig {
    /// The policy rules, in order (validated when the config was loaded).
    pub fn rules(&self) -> Vec<crate::deploy::policy::Rule> {
        self.policy.iter().filter_map(|p| p.rule().ok()).collect()
    }
}
