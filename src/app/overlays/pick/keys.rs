//! `u` / `e` on an alert: the silences that cover it, each with its whole
//! scope (matchers, author, comment, end, how many alerts it covers). The
//! user's own silence about only this alert is pre-selected; one made by
//! someone else or covering other alerts is not. Space toggles, `y` acts on
//! exactly the selected ones, any other key cancels.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Pick, PickItem, PickOp};
use crate::alerts::client::NewSilence;
use crate::alerts::model::SilenceState;
use crate::app::action::{Effect, SilenceRequest};
use crate::app::overlays::Overlay;
use crate::app::scope;
use crate::app::state::{Level, State};

/// Opens the picker for the selected alert's open silences.
pub fn open(state: &mut State, op: PickOp) {
    let Some(alert) = state.selected_alert() else {
        return;
    };
    let me = state.alerts.settings.ack_author.clone();
    let by = chrono::Duration::from_std(state.alerts.settings.ack_duration)
        .unwrap_or(chrono::TimeDelta::hours(2));
    let mut silences: Vec<_> = alert
        .silenced_by
        .iter()
        .filter_map(|id| state.silence(id))
        .filter(|s| s.state != SilenceState::Expired)
        .collect();
    silences.sort_by(|a, b| a.ends_at.cmp(&b.ends_at).then_with(|| a.id.cmp(&b.id)));
    let items: Vec<PickItem> = silences
        .iter()
        .map(|s| {
            let mut lines = scope::describe(state, s, Some(alert));
            if op == PickOp::Extend {
                lines.push(format!(
                    "  ends {} → {}",
                    s.ends_at.format("%Y-%m-%d %H:%M UTC"),
                    (s.ends_at.max(state.now) + by).format("%Y-%m-%d %H:%M UTC")
                ));
            }
            PickItem {
                id: s.id.clone(),
                selected: scope::preselected(state, s, Some(alert), &me),
                lines,
            }
        })
        .collect();
    let alert_name = alert.name().to_string();
    if items.is_empty() {
        let what = match op {
            PickOp::Expire => "expire",
            PickOp::Extend => "extend",
        };
        state.say(
            Level::Error,
            format!("nothing to {what}: {alert_name} has no open silence"),
        );
        return;
    }
    state.overlays.push(Overlay::Pick(Box::new(Pick {
        op,
        alert_name,
        items,
        cursor: 0,
    })));
}

/// A key while the picker is open.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Pick(pick)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    let last = pick.items.len().saturating_sub(1);
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => pick.cursor = (pick.cursor + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => pick.cursor = pick.cursor.saturating_sub(1),
        KeyCode::Char(' ') => {
            if let Some(item) = pick.items.get_mut(pick.cursor) {
                item.selected = !item.selected;
            }
        }
        KeyCode::Char('y') | KeyCode::Char('Y') => {
            if pick.selected() == 0 {
                state.say(
                    Level::Error,
                    "nothing selected: space selects the silence under the cursor",
                );
                return Vec::new();
            }
            let Some(Overlay::Pick(pick)) = state.overlays.pop() else {
                return Vec::new();
            };
            let ids: Vec<String> = pick
                .items
                .into_iter()
                .filter(|i| i.selected)
                .map(|i| i.id)
                .collect();
            return match pick.op {
                PickOp::Expire => {
                    let targets = expire_targets(state, &ids);
                    state.say(Level::Info, "expiring…");
                    vec![Effect::ExpireSilences(targets)]
                }
                PickOp::Extend => {
                    let requests = extend_requests(state, &ids);
                    state.say(Level::Info, "extending…");
                    vec![Effect::ExtendSilences(requests)]
                }
            };
        }
        _ => {
            state.overlays.pop();
            state.say(Level::Info, "cancelled");
        }
    }
    Vec::new()
}

/// (target, id) for every Alertmanager that holds each open silence.
pub fn expire_targets(state: &State, ids: &[String]) -> Vec<(String, String)> {
    ids.iter()
        .filter_map(|id| state.silence(id))
        .filter(|s| s.state != SilenceState::Expired)
        .flat_map(|s| {
            state
                .expire_targets(s)
                .into_iter()
                .map(|t| (t, s.id.clone()))
        })
        .collect()
}

/// Updates that move each open silence's end by the ack duration (from its
/// end, or from now if that has passed), on every Alertmanager holding it.
pub fn extend_requests(state: &State, ids: &[String]) -> Vec<SilenceRequest> {
    let by = chrono::Duration::from_std(state.alerts.settings.ack_duration)
        .unwrap_or(chrono::TimeDelta::hours(2));
    let mut out = Vec::new();
    for s in ids.iter().filter_map(|id| state.silence(id)) {
        if s.state == SilenceState::Expired {
            continue;
        }
        for target in state.expire_targets(s) {
            out.push(SilenceRequest {
                target,
                silence: NewSilence {
                    id: Some(s.id.clone()),
                    matchers: s.matchers.clone(),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at.max(state.now) + by,
                    created_by: s.created_by.clone(),
                    comment: s.comment.clone(),
                },
            });
        }
    }
    out
}
