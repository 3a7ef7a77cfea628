//! `opsdeck config check`: the config file has already been parsed and its
//! settings resolved (a parse error, a `theme` that does not load or a
//! `[keys]` entry that does not apply exits 1 with `file:line:col: message`
//! before this runs, see `commands::environment`); here every
//! configured source is tried once, concurrently, through the same clients
//! the console uses, and each gets one line: `✓ name (kind) detail` or
//! `✗ name (kind) reason`. `!` lines are worth knowing but not failures.
//! Exits 1 on any `✗`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::Result;

use super::Environment;
use crate::alerts::client::{AlertmanagerClient, PrometheusClient};
use crate::alerts::model::{SilenceState, Skipped, skipped_summary};
use crate::alerts::source::{SourceClient, SourceEvent};
use crate::config::{Config, HttpSourceConfig};
use crate::core::words::plural;
use crate::deploy::DeployError;
use crate::deploy::service::Deployer;
use crate::release::backend::{Backend, ReleaseDoc};

/// How one line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `✓`: answered.
    Ok,
    /// `✗`: failed; the command exits 1.
    Fail,
    /// `!`: worth knowing, not a failure.
    Warn,
}

impl Mark {
    fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✓",
            Mark::Fail => "✗",
            Mark::Warn => "!",
        }
    }
}

/// One reported line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    mark: Mark,
    name: String,
    kind: &'static str,
    detail: String,
}

impl Line {
    fn new(mark: Mark, name: impl Into<String>, kind: &'static str, detail: String) -> Line {
        Line {
            mark,
            name: name.into(),
            kind,
            detail,
        }
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.mark.symbol(), self.name, self.kind)?;
        if !self.detail.is_empty() {
            write!(f, " {}", self.detail)?;
        }
        Ok(())
    }
}

/// Validates the config and tries every source.
pub async fn run(env: &Environment) -> Result<ExitCode> {
    let config = &env.config;
    {
        let mut out = crate::ui::text::CleanWriter::stdout();
        match &env.path {
            Some(path) => writeln!(out, "config {}: ok", path.display())?,
            None => writeln!(out, "config (the embedded demo): ok")?,
        }
        if !has_sources(config) {
            writeln!(
                out,
                "no sources are configured (no [[alertmanager]], [[prometheus]], [release] or [deploy]); nothing to try"
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        out.flush()?;
    }
    // Every source at once; each client bounds its own requests. Lines are
    // printed in config order once all have answered.
    let (alerts, release, deploy) = tokio::join!(
        check_alert_sources(config),
        check_release(config),
        check_deploy(config)
    );
    let mut out = crate::ui::text::CleanWriter::stdout();
    let mut failed = false;
    for line in alerts.iter().chain(&release).chain(&deploy) {
        failed |= line.mark == Mark::Fail;
        writeln!(out, "{line}")?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn has_sources(config: &Config) -> bool {
    !config.alertmanager.is_empty()
        || !config.prometheus.is_empty()
        || config.release.is_some()
        || config.deploy.is_some()
}

/// Every Alertmanager and Prometheus, in config order. Each client is built
/// on its own, so one missing token variable fails only its source.
async fn check_alert_sources(config: &Config) -> Vec<Line> {
    let built = config
        .alertmanager
        .iter()
        .map(|c| {
            (
                c,
                "alertmanager",
                AlertmanagerClient::new(c).map(SourceClient::Alertmanager),
            )
        })
        .chain(config.prometheus.iter().map(|c| {
            (
                c,
                "prometheus",
                PrometheusClient::new(c).map(SourceClient::Prometheus),
            )
        }));
    let checks = built.map(|(cfg, kind, client)| async move {
        match client {
            Err(e) => Line::new(Mark::Fail, cfg.name.clone(), kind, e.message.to_string()),
            Ok(client) => alert_source_line(cfg, kind, client.fetch().await),
        }
    });
    futures::future::join_all(checks).await
}

/// A source that answered but sent records opsdeck skipped (or could not
/// fully understand) is a warning, with the summary and the first record.
fn degraded(mut line: Line, skipped: &[Skipped]) -> Line {
    if let Some(first) = skipped.first() {
        line.mark = Mark::Warn;
        line.detail = format!(
            "{}; {}: {}",
            line.detail,
            skipped_summary(skipped),
            first.detail
        );
    }
    line
}

fn alert_source_line(cfg: &HttpSourceConfig, kind: &'static str, event: SourceEvent) -> Line {
    let name = cfg.name.clone();
    match event {
        SourceEvent::Alertmanager { result, .. } => match result {
            Ok(snap) => {
                let silences = snap
                    .silences
                    .iter()
                    .filter(|s| s.state != SilenceState::Expired)
                    .count();
                let cluster = match snap.peers.len() {
                    0 => "clustering disabled".to_string(),
                    n => format!("cluster of {n}"),
                };
                degraded(
                    Line::new(
                        Mark::Ok,
                        name,
                        kind,
                        format!(
                            "{}, {}, {cluster}",
                            plural(snap.alerts.len(), "alert"),
                            plural(silences, "silence")
                        ),
                    ),
                    &snap.skipped,
                )
            }
            Err(e) => Line::new(Mark::Fail, name, kind, e.message.to_string()),
        },
        SourceEvent::Prometheus {
            result, skipped, ..
        } => match result {
            Ok(alerts) => {
                let pending = alerts
                    .iter()
                    .filter(|a| a.state == crate::alerts::model::AlertState::Pending)
                    .count();
                degraded(
                    Line::new(
                        Mark::Ok,
                        name,
                        kind,
                        format!("{} ({pending} pending)", plural(alerts.len(), "alert")),
                    ),
                    &skipped,
                )
            }
            Err(e) => Line::new(Mark::Fail, name, kind, e.message.to_string()),
        },
        SourceEvent::Fetching { .. } | SourceEvent::History { .. } => {
            Line::new(Mark::Fail, name, kind, "no answer (internal error)".into())
        }
    }
}

/// The release checklist: one load.
async fn check_release(config: &Config) -> Vec<Line> {
    let backend = match Backend::from_config(config) {
        Ok(Some(b)) => b,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![Line::new(Mark::Fail, "release", "release", e.to_string())],
    };
    let name = backend.name();
    match backend.load().await {
        Ok(doc) => {
            // What the load could not fetch (the blockers) is worth knowing.
            let warnings = doc
                .warnings
                .iter()
                .map(|w| Line::new(Mark::Warn, name, "release", w.clone()));
            std::iter::once(Line::new(Mark::Ok, name, "release", release_detail(&doc)))
                .chain(warnings)
                .collect()
        }
        Err(e) => vec![Line::new(Mark::Fail, name, "release", e.to_string())],
    }
}

fn release_detail(doc: &ReleaseDoc) -> String {
    let (done, total) = doc.checklist.progress();
    let place = match doc.number {
        Some(n) => format!("{}#{n}", doc.repo),
        None => doc.repo.clone(),
    };
    let mut detail = format!("{place} {:?}, {done}/{total} steps", doc.title);
    if let Some(b) = doc.blockers {
        detail.push_str(&format!(", {}", plural(b, "blocker")));
    }
    if total == 0 {
        detail.push_str(" (no task list found)");
    }
    detail
}

/// Deployment sync: the repository scan, each registry lookup and each
/// instance's version — the parts of one deploy refresh, reported one by one.
async fn check_deploy(config: &Config) -> Vec<Line> {
    let deployer = match Deployer::from_config(config) {
        Ok(Some(d)) => d,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![Line::new(Mark::Fail, "deploy", "repo", e.to_string())],
    };
    let repo_and_registries = async {
        let mut lines = Vec::new();
        let crate::deploy::scan::Scanned {
            pins,
            untracked,
            errors,
            files,
        } = match deployer.scan().await {
            Ok(scanned) => scanned,
            Err(e) => {
                lines.push(Line::new(Mark::Fail, "deploy", "repo", e.to_string()));
                return lines;
            }
        };
        let images: BTreeMap<String, (String, String)> = pins
            .iter()
            .map(|p| {
                (
                    p.image.key(),
                    (p.image.canonical_host(), p.image.repository.clone()),
                )
            })
            .collect();
        lines.push(Line::new(
            Mark::Ok,
            "deploy",
            "repo",
            format!(
                "{} on {}, {} pinned",
                plural(files, "manifest"),
                deployer.branch(),
                plural(images.len(), "image")
            ),
        ));
        for e in &errors {
            lines.push(Line::new(Mark::Fail, "deploy", "manifest", e.to_string()));
        }
        if !untracked.is_empty() {
            lines.push(Line::new(
                Mark::Warn,
                "deploy",
                "manifest",
                format!(
                    "{} untracked (templated, or not an image reference; each listed with its \
                     file:line by `opsdeck deploy`)",
                    plural(untracked.len(), "image value")
                ),
            ));
        }
        let lookups = deployer.lookups(&pins).await;
        lines.extend(registry_lines(&images, &lookups));
        lines
    };
    let (mut lines, versions) = tokio::join!(repo_and_registries, deployer.versions());
    for v in versions {
        lines.push(match v.version {
            Ok(version) => Line::new(Mark::Ok, v.name, "instance", format!("runs {version}")),
            Err(e) => Line::new(Mark::Fail, v.name, "instance", e.to_string()),
        });
    }
    lines
}

/// What a lookup error means: the policy (a `!`), or the registry (a `✗`).
fn is_policy_gap(reason: &DeployError) -> bool {
    matches!(
        reason,
        DeployError::NoPolicy { .. } | DeployError::NoTagFits { .. }
    )
}

/// Per registry host: `✓` when every lookup answered; otherwise one `✗` per
/// distinct failure (naming the image, or the count when several share it),
/// and a `!` per image no policy could decide.
fn registry_lines(
    images: &BTreeMap<String, (String, String)>,
    lookups: &std::collections::HashMap<String, crate::deploy::sync::Lookup>,
) -> Vec<Line> {
    struct Host<'a> {
        ok: usize,
        failures: BTreeMap<String, Vec<&'a str>>,
        gaps: Vec<(&'a str, String)>,
    }
    let mut hosts: BTreeMap<&str, Host> = BTreeMap::new();
    for (key, (host, repo)) in images {
        let entry = hosts.entry(host.as_str()).or_insert_with(|| Host {
            ok: 0,
            failures: BTreeMap::new(),
            gaps: Vec::new(),
        });
        match lookups.get(key) {
            Some(Ok(_)) => entry.ok += 1,
            Some(Err(reason)) if is_policy_gap(reason) => {
                entry.gaps.push((repo.as_str(), reason.to_string()));
            }
            Some(Err(reason)) => entry
                .failures
                .entry(reason.to_string())
                .or_default()
                .push(repo.as_str()),
            None => entry
                .failures
                .entry("not looked up".to_owned())
                .or_default()
                .push(repo.as_str()),
        }
    }
    let mut lines = Vec::new();
    for (host, h) in hosts {
        let name = format!("registry {host}");
        if h.failures.is_empty() && h.ok > 0 {
            lines.push(Line::new(
                Mark::Ok,
                name.clone(),
                "deploy",
                format!("{} looked up", plural(h.ok, "image")),
            ));
        }
        for (reason, repos) in &h.failures {
            lines.push(match repos.as_slice() {
                [one] => Line::new(Mark::Fail, *one, "image", reason.clone()),
                many => Line::new(
                    Mark::Fail,
                    name.clone(),
                    "deploy",
                    format!("{reason} ({} images: {})", many.len(), many.join(", ")),
                ),
            });
        }
        for (repo, reason) in &h.gaps {
            lines.push(Line::new(Mark::Warn, *repo, "image", reason.clone()));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::deploy::registry::RegistryError;
    use crate::deploy::sync::Published;

    #[test]
    fn lines_read_as_documented() {
        let l = Line::new(Mark::Fail, "prod-prom", "prometheus", "GET /x: boom".into());
        assert_eq!(l.to_string(), "✗ prod-prom (prometheus) GET /x: boom");
        let l = Line::new(Mark::Ok, "prod", "alertmanager", String::new());
        assert_eq!(l.to_string(), "✓ prod (alertmanager)");
        assert_eq!(plural(1, "alert"), "1 alert");
        assert_eq!(plural(0, "alert"), "0 alerts");
    }

    #[test]
    fn registry_failures_are_grouped_and_policy_gaps_only_warn() {
        let img = |host: &str, repo: &str| {
            (
                format!("{host}/{repo}"),
                (host.to_string(), repo.to_string()),
            )
        };
        let images: BTreeMap<String, (String, String)> = [
            img("docker.io", "sg/a"),
            img("docker.io", "sg/b"),
            img("r.example", "x/one"),
            img("r.example", "x/two"),
            img("r.example", "x/three"),
            img("q.example", "y/solo"),
        ]
        .into_iter()
        .collect();
        let ok = || {
            Ok(Published {
                tag: "1.0.0".into(),
                digest: None,
            })
        };
        let registry = |message: &str, status| {
            DeployError::Registry(RegistryError {
                message: message.into(),
                status,
                timed_out: false,
            })
        };
        let down = registry("registry r.example: connection refused", None);
        let lookups: HashMap<String, crate::deploy::sync::Lookup> = [
            ("docker.io/sg/a".to_string(), ok()),
            ("docker.io/sg/b".to_string(), ok()),
            ("r.example/x/one".to_string(), Err(down.clone())),
            ("r.example/x/two".to_string(), Err(down.clone())),
            (
                "r.example/x/three".to_string(),
                Err(DeployError::NoPolicy {
                    repository: "x/three".into(),
                }),
            ),
            (
                "q.example/y/solo".to_string(),
                Err(registry(
                    "registry q.example y/solo: 404 not found",
                    Some(404),
                )),
            ),
        ]
        .into_iter()
        .collect();
        let shown: Vec<String> = registry_lines(&images, &lookups)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "✓ registry docker.io (deploy) 2 images looked up",
                "✗ y/solo (image) registry q.example y/solo: 404 not found",
                "✗ registry r.example (deploy) registry r.example: connection refused (2 images: x/one, x/two)",
                "! x/three (image) no [[deploy.policy]] matches x/three",
            ]
        );
    }
}
