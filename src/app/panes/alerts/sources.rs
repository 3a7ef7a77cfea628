//! What the alert sources report: each fetch's outcome on the source's
//! health, the new snapshot merged in, and notifications for new critical
//! alerts.

use crate::alerts::model::{AlertState, Severity, SilenceState, Skipped};
use crate::alerts::source::SourceEvent;
use crate::app::action::Effect;
use crate::app::state::{LocalChange, SourceStatus, State};

/// How long a local change waits for the sources to report it.
const LOCAL_TTL_SECS: i64 = 60;

/// Drops local changes the sources never confirmed within the wait.
pub fn expire_local(state: &mut State, now: chrono::DateTime<chrono::Utc>) {
    let before = state.alerts.local.len();
    state
        .alerts
        .local
        .retain(|(at, _)| (now - *at).num_seconds() < LOCAL_TTL_SECS);
    if state.alerts.local.len() != before {
        state.recompute();
    }
}

pub fn on_source(state: &mut State, event: SourceEvent) {
    if let SourceEvent::History {
        result,
        at,
        skipped,
        ..
    } = event
    {
        // The history never touches the source's health: a Prometheus
        // that cannot answer it leaves the last history, marked stale.
        let pane = &mut state.alerts;
        let result = result.map_err(|e| e.message.to_string());
        pane.history
            .read(result, skipped, at, &pane.settings.routing);
        state.alerts.derive_history();
        return;
    }
    let name = event.name().to_string();
    let Some(idx) = state.sources.iter().position(|s| s.name == name) else {
        return;
    };
    match event {
        SourceEvent::History { .. } => {}
        SourceEvent::Fetching { .. } => {
            state.sources[idx].fetching = true;
        }
        SourceEvent::Alertmanager { result, at, .. } => {
            let status = &mut state.sources[idx];
            status.fetching = false;
            match result {
                Ok(snapshot) => {
                    status.last_ok = Some(at);
                    status.error = None;
                    state.source_recovered(&name);
                    let status = &mut state.sources[idx];
                    note_skipped(status, &snapshot.skipped);
                    let local_before = state.alerts.local.len();
                    // Local changes this snapshot already shows are done.
                    state.alerts.local.retain(|(_, change)| match change {
                        // Alertmanager keeps times to the millisecond.
                        LocalChange::Created(s) => !snapshot.silences.iter().any(|x| {
                            x.id == s.id && x.ends_at + chrono::TimeDelta::seconds(1) >= s.ends_at
                        }),
                        // Done only once a source holding it shows it
                        // expired; others never held it.
                        LocalChange::Expired(id) => !snapshot
                            .silences
                            .iter()
                            .any(|x| &x.id == id && x.state == SilenceState::Expired),
                    });
                    // An unchanged refresh (the common case when idle) needs
                    // no merge or regroup: only the health and age change.
                    if state.alerts.snapshots.get(&name) != Some(&snapshot)
                        || state.alerts.local.len() != local_before
                    {
                        state.alerts.snapshots.insert(name, snapshot);
                        state.recompute();
                    }
                }
                Err(e) => status.error = Some(e.message.to_string()),
            }
        }
        SourceEvent::Prometheus {
            result,
            at,
            skipped,
            ..
        } => {
            let status = &mut state.sources[idx];
            status.fetching = false;
            match result {
                Ok(alerts) => {
                    status.last_ok = Some(at);
                    status.error = None;
                    note_skipped(status, &skipped);
                    if state.alerts.prometheus.get(&name) != Some(&alerts) {
                        state.alerts.prometheus.insert(name, alerts);
                        state.recompute();
                    }
                }
                Err(e) => status.error = Some(e.message.to_string()),
            }
        }
    }
}

/// Keeps what a good fetch could not understand on the source's status
/// (the header marks it degraded; the source's worker logs the detail).
fn note_skipped(status: &mut SourceStatus, skipped: &[Skipped]) {
    if status.skipped != skipped {
        status.skipped = skipped.to_vec();
    }
}

/// After a refresh: new critical firing alerts (for `notify.teams`, or all)
/// that were never notified produce one notification each. The first
/// refresh only records what is already firing.
pub fn notifications(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    let baseline = !state.alerts.notify.primed;
    let mut fresh = Vec::new();
    for a in &state.alerts.all {
        if a.severity != Severity::Critical || a.state != AlertState::Firing {
            continue;
        }
        if !state.alerts.notify.teams.is_empty() && !state.alerts.notify.teams.contains(&a.team) {
            continue;
        }
        if state.alerts.notify.seen.insert(a.fingerprint.clone()) && !baseline {
            fresh.push((
                a.name().to_string(),
                a.team.clone(),
                a.summary().to_string(),
            ));
        }
    }
    state.alerts.notify.primed = true;
    for (name, team, summary) in fresh {
        effects.push(Effect::Notify {
            title: format!("critical: {name} ({team})"),
            body: summary,
        });
    }
    effects
}
