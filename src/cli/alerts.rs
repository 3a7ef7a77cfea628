//! `opsdeck alerts [FILTER...]`: current alerts grouped by owning team, as
//! the console groups, orders and counts them.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};
use serde::Serialize;

use super::{alert_sources, report_sources, snapshot};
use crate::alerts::matcher::Filter;
use crate::alerts::model::{Alert, Labels, Severity};
use crate::app::state::State;
use crate::config::Config;

#[derive(Serialize)]
struct AlertsJson<'a> {
    teams: Vec<TeamJson<'a>>,
    sources: Vec<SourceJson<'a>>,
    /// With `--history`: alerts that stopped firing lately.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved: Option<Vec<super::alerts_history::ResolvedJson<'a>>>,
}

#[derive(Serialize)]
struct TeamJson<'a> {
    team: &'a str,
    /// Firing and pending alerts by severity (as the console counts them).
    counts: BTreeMap<&'static str, usize>,
    /// Silenced and inhibited alerts (listed, not in `counts`; an alert
    /// both silenced and inhibited is in both).
    silenced: usize,
    inhibited: usize,
    alerts: Vec<AlertJson<'a>>,
}

#[derive(Serialize)]
struct AlertJson<'a> {
    fingerprint: &'a str,
    alertname: &'a str,
    severity: Severity,
    /// The main state: firing, pending, silenced or inhibited.
    state: &'static str,
    /// Every state that applies (`["silenced", "inhibited"]` for both).
    states: Vec<&'static str>,
    sources: &'a [String],
    starts_at: String,
    labels: &'a Labels,
    annotations: &'a Labels,
    /// Ids of the silences that silence it (Alertmanager's `silencedBy`).
    silenced_by: &'a [String],
    /// Fingerprints of the alerts that inhibit it (`inhibitedBy`).
    inhibited_by: &'a [String],
    /// With `--history`: what Prometheus' `ALERTS` series say of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<super::alerts_history::HistoryJson>,
}

#[derive(Serialize)]
struct SourceJson<'a> {
    name: &'a str,
    kind: &'static str,
    ok: bool,
    error: Option<&'a str>,
    /// Records the source sent that were skipped or not fully understood.
    not_understood: Vec<&'a str>,
}

fn alert_json<'a>(a: &'a Alert, history: Option<&super::alerts_history::Asked>) -> AlertJson<'a> {
    AlertJson {
        history: history.map(|h| h.json(a)),
        fingerprint: &a.fingerprint,
        alertname: a.name(),
        severity: a.severity,
        state: a.state.as_str(),
        states: a.states(),
        sources: &a.sources,
        starts_at: a
            .starts_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        labels: &a.labels,
        annotations: &a.annotations,
        silenced_by: &a.silenced_by,
        inhibited_by: &a.inhibited_by,
    }
}

/// Non-zero active counts, most severe first.
fn by_severity(counts: &[usize; 5]) -> impl Iterator<Item = (&'static str, usize)> + '_ {
    Severity::ALL
        .iter()
        .map(|s| (s.as_str(), counts[s.index()]))
        .filter(|(_, n)| *n > 0)
}

/// For each alert, the labels that tell it apart from the other shown
/// alerts of the same name (the values that are not the same on all of
/// them), in label order; nothing for a name shown once.
pub fn distinguishing_labels<'a>(alerts: &[&'a Alert]) -> Vec<Vec<(&'a str, &'a str)>> {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, a) in alerts.iter().enumerate() {
        by_name.entry(a.name()).or_default().push(i);
    }
    let mut out = vec![Vec::new(); alerts.len()];
    for same in by_name.values().filter(|v| v.len() > 1) {
        let mut names: Vec<&str> = same
            .iter()
            .flat_map(|&i| alerts[i].labels.keys())
            .filter(|k| *k != "alertname")
            .collect();
        names.sort_unstable();
        names.dedup();
        let differing: Vec<&str> = names
            .into_iter()
            .filter(|k| {
                let first = alerts[same[0]].labels.get(k);
                same.iter().any(|&i| alerts[i].labels.get(k) != first)
            })
            .collect();
        for &i in same {
            out[i] = differing
                .iter()
                .map(|k| (*k, alerts[i].labels.get(k).unwrap_or("")))
                .collect();
        }
    }
    out
}

fn label_list(labels: &[(&str, &str)]) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::alerts::matcher::quote(v)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// Runs `opsdeck alerts`.
pub async fn run(
    config: &Config,
    demo: bool,
    json: bool,
    output: Option<String>,
    history: Option<String>,
    filter: &[String],
) -> Result<ExitCode> {
    let text = filter.join(" ");
    let filter = Filter::parse(&text).map_err(|e| eyre!("filter {text:?}: {e}"))?;
    // The window is checked before anything is fetched.
    let window = history
        .as_deref()
        .map(|w| super::alerts_history::window(config, w))
        .transpose()?;
    let mut state = snapshot(config, demo).await?;
    state.alerts.filter.applied = filter;
    state.regroup();
    let any_ok = report_sources(&state);
    let mut asked = match window {
        Some(w) => super::alerts_history::fetch(config, w).await?,
        None => None,
    };
    if let Some(h) = &mut asked {
        h.note_firing(&state.alerts.all);
    }
    let mut out = crate::ui::text::CleanWriter::stdout();
    if json {
        write_json(&state, asked.as_ref(), &mut out)?;
    } else {
        let wide = output.as_deref() == Some("wide");
        write_text(&state, wide, &text, asked.as_ref(), &mut out)?;
        if let Some(h) = &asked {
            h.write_resolved(&mut out)?;
        }
    }
    out.flush()?;
    // The process ends now: freeing every alert one by one would only
    // delay it.
    std::mem::forget(state);
    std::mem::forget(asked);
    Ok(if any_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_json(
    state: &State,
    history: Option<&super::alerts_history::Asked>,
    out: &mut impl Write,
) -> Result<()> {
    let doc = AlertsJson {
        teams: state
            .alerts
            .groups
            .iter()
            .map(|g| TeamJson {
                team: &g.key,
                counts: by_severity(&g.counts).collect(),
                silenced: g.silenced,
                inhibited: g.inhibited,
                alerts: g
                    .alerts
                    .iter()
                    .map(|&i| alert_json(&state.alerts.all[i], history))
                    .collect(),
            })
            .collect(),
        sources: alert_sources(state)
            .map(|s| SourceJson {
                name: &s.name,
                kind: s.kind.as_str(),
                ok: s.error.is_none(),
                error: s.error.as_deref(),
                not_understood: s.skipped.iter().map(|k| k.detail.as_str()).collect(),
            })
            .collect(),
        resolved: history.map(super::alerts_history::Asked::resolved_json),
    };
    // Serialized whole, then cleaned and written in one piece: a million
    // small writes through the cleaning writer cost more than the copy.
    // About 720 bytes an alert: room up front, no regrowing copies.
    let mut text = Vec::with_capacity(4096 + state.alerts.all.len() * 800);
    serde_json::to_writer_pretty(&mut text, &doc)?;
    text.push(b'\n');
    out.write_all(&text)?;
    Ok(())
}

fn write_text(
    state: &State,
    wide: bool,
    filter: &str,
    history: Option<&super::alerts_history::Asked>,
    out: &mut impl Write,
) -> Result<()> {
    if state.alerts.teams().is_empty() {
        match state.alerts_unavailable() {
            Some(why) => writeln!(out, "{why}")?,
            None if !filter.is_empty() && !state.alerts.all.is_empty() => {
                writeln!(out, "no alerts match {filter:?}")?;
            }
            None => writeln!(out, "no alerts")?,
        }
    }
    let shown: Vec<&Alert> = state
        .alerts
        .groups
        .iter()
        .flat_map(|g| g.alerts.iter().map(|&i| &state.alerts.all[i]))
        .collect();
    let distinct = distinguishing_labels(&shown);
    let mut n = 0;
    for g in state.alerts.teams() {
        let mut counts: Vec<String> = by_severity(&g.counts)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        for (n, what) in [(g.silenced, "silenced"), (g.inhibited, "inhibited")] {
            if n > 0 {
                counts.push(format!("{n} {what}"));
            }
        }
        writeln!(out, "{} ({})", g.key, counts.join(", "))?;
        for &i in &g.alerts {
            let a = &state.alerts.all[i];
            writeln!(
                out,
                "  {:<8} {:<18} {:>4}  {}  [{}]",
                a.severity.as_str(),
                a.states().join("+"),
                crate::ui::text::age(state.now, a.starts_at),
                a.name(),
                a.sources.join(",")
            )?;
            let labels: Vec<(&str, &str)> = if wide {
                a.labels.iter().filter(|(k, _)| *k != "alertname").collect()
            } else {
                distinct[n].clone()
            };
            n += 1;
            if !labels.is_empty() {
                writeln!(out, "      {}", label_list(&labels))?;
            }
            let summary = a.summary();
            if !summary.is_empty() {
                writeln!(out, "      {}", crate::net::clip(summary, 200))?;
            }
            if let Some(h) = history {
                writeln!(out, "      {}", h.text(a))?;
            }
            for id in &a.silenced_by {
                let by = match state.silence(id) {
                    Some(s) => format!(
                        "{id} ({}, ends {})",
                        s.created_by,
                        s.ends_at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    None => id.clone(),
                };
                writeln!(out, "      silenced by {by}")?;
            }
            for fp in &a.inhibited_by {
                let by = match state.alerts.all.iter().find(|x| &x.fingerprint == fp) {
                    Some(x) => format!("{} ({}, {fp})", x.name(), x.team),
                    None => fp.clone(),
                };
                writeln!(out, "      inhibited by {by}")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::testing::AlertBuilder;

    fn alert(pairs: &[(&str, &str)]) -> Alert {
        AlertBuilder::new(pairs)
            .source("prod")
            .team("t")
            .severity(Severity::Warning)
            .build()
    }

    #[test]
    fn same_named_alerts_are_told_apart_by_the_labels_that_differ() {
        let a = alert(&[
            ("alertname", "KubePodCrashLooping"),
            ("namespace", "prod"),
            ("pod", "frontend-1"),
        ]);
        let b = alert(&[
            ("alertname", "KubePodCrashLooping"),
            ("namespace", "prod"),
            ("pod", "gitserver-0"),
            ("container", "git"),
        ]);
        let c = alert(&[("alertname", "DiskFull"), ("instance", "a")]);
        let got = distinguishing_labels(&[&a, &b, &c]);
        assert_eq!(
            got,
            vec![
                vec![("container", ""), ("pod", "frontend-1")],
                vec![("container", "git"), ("pod", "gitserver-0")],
                vec![],
            ]
        );
        assert_eq!(
            label_list(&got[1]),
            r#"{container="git", pod="gitserver-0"}"#
        );
    }
}
