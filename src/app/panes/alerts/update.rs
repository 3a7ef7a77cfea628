//! The alerts pane's commands: moving through teams and alerts, focus, the
//! detail pane, the filter bar and the silence actions.

use crossterm::event::{KeyCode, KeyEvent};

use crate::alerts::matcher::Filter;
use crate::app::action::Effect;
use crate::app::keymap::Command;
use crate::app::overlays::{Overlay, pick};
use crate::app::state::{Focus, HitTarget, Level, State};

/// Applies an alerts-pane command.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let page = state.page as isize;
    match cmd {
        Command::Down => move_by(state, 1),
        Command::Up => move_by(state, -1),
        Command::PageDown => move_by(state, page),
        Command::PageUp => move_by(state, -page),
        Command::Top => move_by(state, isize::MIN / 2),
        Command::Bottom => move_by(state, isize::MAX / 2),
        Command::FocusTeams => focus_list(state),
        Command::FocusAlerts => state.alerts.focus = Focus::Alerts,
        Command::FocusNext => match state.alerts.focus {
            Focus::Teams => state.alerts.focus = Focus::Alerts,
            Focus::Alerts => focus_list(state),
        },
        Command::Open => match state.alerts.focus {
            Focus::Teams => state.alerts.focus = Focus::Alerts,
            Focus::Alerts => state.alerts.detail = !state.alerts.detail,
        },
        Command::Filter => state.alerts.filter.editing = true,
        Command::ToggleSilenced => {
            state.alerts.show_suppressed = !state.alerts.show_suppressed;
            state.regroup();
            let text = if state.alerts.show_suppressed {
                "showing silenced and inhibited alerts"
            } else {
                "hiding silenced and inhibited alerts"
            };
            state.say(Level::Info, text);
        }
        Command::Ack if !state.alerts.marks.is_empty() => super::silences::ack_marked(state),
        Command::Ack => crate::app::overlays::ack_form::keys::open(state),
        Command::AckTeam => super::silences::ack_team(state),
        Command::Extend | Command::Unack if !state.alerts.marks.is_empty() => {
            return super::marks::silences_of_marked(state, cmd);
        }
        Command::Extend => pick::keys::open(state, pick::PickOp::Extend),
        Command::Unack => pick::keys::open(state, pick::PickOp::Expire),
        Command::Group => {
            let pane = &state.alerts;
            let next = pane.arrange.group.next(pane.group_label.as_deref());
            super::marks::rearrange(state, Some(next), None);
        }
        Command::Sort => {
            let next = state.alerts.arrange.sort.next();
            super::marks::rearrange(state, None, Some(next));
        }
        Command::Collapse => super::marks::collapse(state),
        Command::Mark => super::marks::toggle(state),
        Command::MarkAll => super::marks::toggle_group(state),
        Command::Silences => state.overlays.push(Overlay::Silences(Box::default())),
        Command::Resolved => state.overlays.push(Overlay::Resolved(0)),
        Command::JumpInhibitor => jump_to_inhibitor(state),
        // Release and deploy commands outside their views do nothing.
        _ => {}
    }
    Vec::new()
}

/// Esc: closes the detail, then clears the marks, then the filter, then
/// moves focus back to the group list (when it is shown). False when
/// there was nothing to close.
pub fn back(state: &mut State) -> bool {
    let pane = &mut state.alerts;
    if pane.detail {
        pane.detail = false;
    } else if !pane.marks.is_empty() {
        let n = pane.marks.len();
        pane.marks.clear();
        state.say(
            Level::Info,
            format!("{} unmarked", crate::core::words::plural(n, "alert")),
        );
    } else if !pane.filter.input.text().is_empty() {
        pane.filter = Default::default();
        pane.regroup();
    } else if pane.focus == Focus::Alerts && !pane.list_hidden() {
        pane.focus = Focus::Teams;
    } else {
        return false;
    }
    true
}

/// Selects the alert that inhibits the selected one (its team, its row).
fn jump_to_inhibitor(state: &mut State) {
    let Some(alert) = state.selected_alert() else {
        state.say(Level::Error, "no alert selected");
        return;
    };
    let name = alert.name().to_string();
    if alert.inhibited_by.is_empty() {
        state.say(Level::Error, format!("{name} is not inhibited"));
        return;
    }
    let found = alert
        .inhibited_by
        .iter()
        .find_map(|fp| state.alerts.all.iter().position(|x| &x.fingerprint == fp));
    let Some(idx) = found else {
        state.say(
            Level::Error,
            format!("the alert inhibiting {name} is not among the current alerts"),
        );
        return;
    };
    let by = state.alerts.all[idx].name().to_string();
    let place = state.alerts.place_of(idx);
    match place {
        Some((g, row)) => {
            state.alerts.team = g;
            state.alerts.alert = row;
            state.alerts.focus = Focus::Alerts;
            state.say(Level::Info, format!("{by} inhibits {name}"));
        }
        None => state.say(
            Level::Error,
            format!("{by} inhibits {name} but the filter hides it"),
        ),
    }
}

/// `h`/Tab to the group list: shows it again when collapsed; the flat
/// list has none, and says how to group.
fn focus_list(state: &mut State) {
    if state.alerts.arrange.group == crate::alerts::arrange::GroupBy::Flat {
        let hint = state
            .keymap
            .key_for(crate::app::keymap::Context::Alerts, Command::Group)
            .map(|k| format!(" — {k} groups them"))
            .unwrap_or_default();
        state.say(Level::Info, format!("the flat list has no groups{hint}"));
        return;
    }
    state.alerts.collapsed = false;
    state.alerts.focus = Focus::Teams;
}

fn move_by(state: &mut State, delta: isize) {
    let (pos, len) = match state.alerts.focus {
        Focus::Teams => (&mut state.alerts.team, state.alerts.groups.len()),
        Focus::Alerts => (
            &mut state.alerts.alert,
            state
                .alerts
                .groups
                .get(state.alerts.team)
                .map_or(0, |g| g.total()),
        ),
    };
    if len == 0 {
        *pos = 0;
        return;
    }
    let next = (*pos as isize)
        .saturating_add(delta)
        .clamp(0, len as isize - 1) as usize;
    let changed = next != *pos;
    *pos = next;
    if changed && state.alerts.focus == Focus::Teams {
        state.alerts.alert = 0;
    }
}

pub fn filter_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            state.alerts.filter = Default::default();
            state.regroup();
        }
        // An invalid filter is not left behind looking applied: Enter
        // keeps the input open until it parses (or Esc clears it).
        KeyCode::Enter => match state.alerts.filter.error.clone() {
            Some(e) => state.say(
                Level::Error,
                format!("filter not applied: {e} (fix it, or Esc to clear)"),
            ),
            None => state.alerts.filter.editing = false,
        },
        _ => {
            if state.alerts.filter.input.handle(key) {
                match Filter::parse(state.alerts.filter.input.text()) {
                    Ok(f) => {
                        state.alerts.filter.applied = f;
                        state.alerts.filter.error = None;
                        state.regroup();
                    }
                    Err(e) => state.alerts.filter.error = Some(e.message),
                }
            }
        }
    }
    Vec::new()
}

/// The selected alert's runbook, else its generator URL.
pub fn url(state: &State) -> Option<String> {
    state.selected_alert().and_then(alert_url)
}

/// An alert's runbook, else its generator URL (what `o`/`y` open).
pub fn alert_url(a: &crate::alerts::model::Alert) -> Option<String> {
    a.runbook_url()
        .map(str::to_string)
        .or_else(|| a.generator_url.clone())
}

/// A click on the team list or the alert table.
pub fn click(state: &mut State, target: HitTarget, row: usize) {
    match target {
        HitTarget::Teams if row < state.alerts.groups.len() => {
            state.alerts.focus = Focus::Teams;
            state.alerts.team = row;
            state.alerts.alert = 0;
        }
        HitTarget::Alerts => {
            let len = state.selected_group().map_or(0, |g| g.total());
            if row < len {
                state.alerts.focus = Focus::Alerts;
                state.alerts.alert = row;
            }
        }
        _ => {}
    }
}
