//! `opsdeck alerts --history [WINDOW]`: each alert's history from
//! Prometheus' `ALERTS` series (one `query_range`), and the alerts that
//! stopped firing lately — the same reading as the console's.

use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use crate::alerts::client::PrometheusClient;
use crate::alerts::history::{Episode, FiringNow, History};
use crate::alerts::model::{Alert, Labels};
use crate::config::Config;
use crate::core::words;

/// An alert's history, as `--json` writes it.
#[derive(Serialize)]
pub struct HistoryJson {
    /// The window asked for ("24h").
    window: String,
    /// The first time it was pending or firing in the window.
    first_seen: Option<String>,
    /// Firing episodes in the window.
    episodes: usize,
    /// Seconds spent firing in the window.
    firing_seconds: i64,
    /// Episodes ≥ `flap_threshold`.
    flapping: bool,
}

/// An alert that stopped firing within `history_resolved`.
#[derive(Serialize)]
pub struct ResolvedJson<'a> {
    alertname: &'a str,
    labels: &'a Labels,
    /// When it stopped firing.
    resolved_at: String,
    /// How long its last episode fired.
    fired_seconds: i64,
}

/// The history read for this run.
pub struct Asked {
    history: History,
    window: Duration,
    flap_threshold: usize,
    resolved_within: Duration,
    /// The label sets of the alerts firing now (from the sources).
    firing: Vec<std::sync::Arc<Labels>>,
}

/// The window `--history` asks for: its value, or the config's.
pub fn window(config: &Config, text: &str) -> Result<Duration> {
    let window = if text.is_empty() {
        config.alerts.history_window
    } else {
        humantime::parse_duration(text)
            .map_err(|_| eyre!("--history {text:?} is not a window such as 24h or 90m"))?
    };
    if window < Duration::from_secs(60) || window > Duration::from_secs(31 * 86_400) {
        bail!("--history {text:?}: the window must be between 1m and 31d");
    }
    Ok(window)
}

/// Reads the history from the history Prometheus. None (after a warning)
/// when it does not answer: the alerts are still written.
pub async fn fetch(config: &Config, window: Duration) -> Result<Option<Asked>> {
    let Some(name) = config.alerts.history_source(&config.prometheus) else {
        bail!(
            "--history needs a [[prometheus]] (its ALERTS series); {}",
            if config.prometheus.is_empty() {
                "the config has none"
            } else {
                "[alerts] history = \"off\" turns it off"
            }
        );
    };
    let Some(cfg) = config.prometheus.iter().find(|p| p.name == name) else {
        bail!("[alerts] history {name:?} is not a [[prometheus]]");
    };
    let client = PrometheusClient::new(cfg)?;
    match client.history(window, Utc::now()).await {
        Ok((history, skipped)) => {
            for s in &skipped {
                errln!("warning: {name}: not understood: {}", s.detail);
            }
            Ok(Some(Asked {
                history,
                window,
                flap_threshold: config.alerts.flap_threshold,
                resolved_within: config.alerts.history_resolved,
                firing: Vec::new(),
            }))
        }
        Err(e) => {
            errln!("warning: no history: {e}");
            Ok(None)
        }
    }
}

fn seconds(d: chrono::TimeDelta) -> i64 {
    d.num_seconds().max(0)
}

fn words_of(d: chrono::TimeDelta) -> String {
    let secs = u64::try_from(d.num_seconds()).unwrap_or(0);
    humantime::format_duration(Duration::from_secs(secs - secs % 60)).to_string()
}

impl Asked {
    /// Notes the alerts firing now: a series still firing at the window's
    /// last point whose alert is not among them has resolved since.
    pub fn note_firing(&mut self, alerts: &[Alert]) {
        self.firing = alerts
            .iter()
            .filter(|a| a.state != crate::alerts::model::AlertState::Pending)
            .map(|a| a.labels.clone())
            .collect();
    }

    fn resolved(&self) -> Vec<(&crate::alerts::history::Timeline, Episode)> {
        let now = FiringNow::new(&self.history, self.firing.iter().map(|l| &**l));
        self.history
            .resolved(self.resolved_within, |l| now.covers(l))
    }

    fn window_text(&self) -> String {
        crate::ui::text::window(self.window.as_secs())
    }

    /// An alert's `"history"`.
    pub fn json(&self, alert: &Alert) -> HistoryJson {
        let summary = self.history.of(&alert.labels).map(|t| {
            self.history
                .summarize(t)
                .started_at(alert.starts_at, self.history.step)
        });
        HistoryJson {
            window: self.window_text(),
            first_seen: summary.as_ref().and_then(|s| {
                s.first_seen
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            }),
            episodes: summary.as_ref().map_or(0, |s| s.episodes.len()),
            firing_seconds: summary.as_ref().map_or(0, |s| seconds(s.firing)),
            flapping: summary
                .as_ref()
                .is_some_and(|s| s.flapping(self.flap_threshold)),
        }
    }

    /// The alert's history in one line of text.
    pub fn text(&self, alert: &Alert) -> String {
        let Some(s) = self.history.of(&alert.labels).map(|t| {
            self.history
                .summarize(t)
                .started_at(alert.starts_at, self.history.step)
        }) else {
            return format!(
                "history: no ALERTS series in the last {}",
                self.window_text()
            );
        };
        let mut text = format!(
            "history: {}, fired {} in the last {}",
            words::plural(s.episodes.len(), "episode"),
            words_of(s.firing),
            self.window_text()
        );
        if s.flapping(self.flap_threshold) {
            text.push_str(" — flapping");
        }
        text
    }

    /// `"resolved"`: what stopped firing within `history_resolved`.
    pub fn resolved_json(&self) -> Vec<ResolvedJson<'_>> {
        self.resolved()
            .into_iter()
            .map(|(t, e)| ResolvedJson {
                alertname: t.labels.get("alertname").unwrap_or(""),
                labels: &t.labels,
                resolved_at: e.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                fired_seconds: seconds(e.duration()),
            })
            .collect()
    }

    /// The text output's "recently resolved" section.
    pub fn write_resolved(&self, out: &mut impl Write) -> Result<()> {
        let resolved = self.resolved();
        let within = crate::ui::text::window(self.resolved_within.as_secs());
        if resolved.is_empty() {
            writeln!(out, "\nrecently resolved (last {within}): none")?;
            return Ok(());
        }
        writeln!(out, "\nrecently resolved (last {within}):")?;
        let now = Utc::now();
        for (t, e) in resolved {
            writeln!(
                out,
                "  {}  resolved {} ago after firing {}",
                t.labels.get("alertname").unwrap_or(""),
                crate::ui::text::age(now, e.end),
                words_of(e.duration())
            )?;
        }
        Ok(())
    }
}
