//! `update(&mut State, Action) -> Vec<Effect>`: every state change, no I/O.
//! This file only routes: an action goes to the topmost overlay, else to
//! the shown pane, else to the global commands.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Effect};
use super::keymap::Command;
use super::overlays::Overlay;
use super::panes;
use super::state::{Level, State, View};

/// How long a status message stays.
const MESSAGE_TTL_SECS: i64 = 8;

/// Applies one action; returns the effects for the runtime to run.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    // What the overview lists may change with the data or the size: its
    // cursor follows the same thing.
    let resync = matches!(
        action,
        Action::Resize(..)
            | Action::Source(_)
            | Action::Release(_)
            | Action::Deploy(_)
            | Action::SilencesDone { .. }
    );
    let was = state.view;
    let effects = apply(state, action);
    if state.view != was {
        // The alerts view's last look: what is new is since it was left.
        if was == View::Alerts {
            state.alerts.looked.leave(state.now);
        } else if state.view == View::Alerts {
            state.alerts.looked.open();
        }
    }
    if resync {
        panes::overview::update::sync(state);
    }
    effects
}

fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(state, key),
        Action::Command(cmd) => command(state, cmd),
        Action::Resize(cols, rows) => {
            state.page = crate::ui::layout::list_page(rows);
            state.rows = rows;
            state.cols = cols;
            Vec::new()
        }
        Action::Mouse(event) => match super::mouse::on_mouse(state, event) {
            Some(cmd) => command(state, cmd),
            None => Vec::new(),
        },
        Action::ThemeLoaded(result) => {
            match result {
                Ok(theme) => {
                    let name = theme.name.clone();
                    state.theme = theme;
                    state.say(Level::Info, format!("theme {name}"));
                }
                Err(e) => state.say(Level::Error, format!(":theme: {e}")),
            }
            Vec::new()
        }
        Action::Tick(now) => {
            tick(state, now);
            Vec::new()
        }
        Action::Source(event) => {
            panes::alerts::sources::on_source(state, event);
            panes::alerts::sources::notifications(state)
        }
        Action::Release(event) => panes::release::update::on_event(state, *event),
        Action::Deploy(event) => panes::deploy::update::on_event(state, event),
        Action::SilencesDone { op, outcomes } => {
            panes::alerts::silences::silences_done(state, op, outcomes);
            // Read back what the Alertmanagers now hold.
            vec![Effect::Refresh]
        }
    }
}

fn tick(state: &mut State, now: DateTime<Utc>) {
    state.now = now;
    if state
        .message
        .as_ref()
        .is_some_and(|m| (now - m.at).num_seconds() >= MESSAGE_TTL_SECS && m.level == Level::Info)
    {
        state.message = None;
    }
    panes::alerts::sources::expire_local(state, now);
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // Raw mode turns ctrl-c into a key: it quits from anywhere, even while
    // typing, as a terminal user expects.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        // A pane may take the first ctrl-c (the release view stops a
        // running command with it).
        if state.overlays.is_empty() {
            if let Some(effects) = panes::interrupt(state) {
                return effects;
            }
        }
        return command(state, Command::Quit);
    }
    // An error stays until the next key in its view (or until what failed
    // works again).
    if state.overlays.is_empty()
        && state
            .message
            .as_ref()
            .is_some_and(|m| m.level == Level::Error && m.view == state.view)
    {
        state.message = None;
    }
    if !state.overlays.is_empty() {
        return match super::overlays::keys::key(state, key) {
            super::overlays::Handled::Done(effects) => effects,
            super::overlays::Handled::Global(cmd) => command(state, cmd),
        };
    }
    if state.alerts.filter.editing {
        return panes::alerts::update::filter_key(state, key);
    }
    match state.keymap.lookup(panes::context(state.view), key) {
        Some(cmd) => command(state, cmd),
        None => match super::nav::unbound(state, key) {
            Some(cmd) => command(state, cmd),
            None => Vec::new(),
        },
    }
}

/// Applies a command in the main views: the global ones here, the rest in
/// the shown pane.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    if super::nav::refuse_if_read_only(state, cmd) {
        return Vec::new();
    }
    match cmd {
        Command::Quit => return super::nav::quit(state),
        Command::Help => state.overlays.push(Overlay::Help(0)),
        Command::Messages => state.overlays.push(Overlay::Messages(0)),
        Command::ViewAlerts => super::nav::go(state, View::Alerts),
        Command::ViewRelease => super::nav::go(state, View::Release),
        Command::ViewDeploy => super::nav::go(state, View::Deploy),
        Command::ViewOverview => super::nav::go(state, View::Overview),
        Command::Palette => state.overlays.push(Overlay::Palette(Box::default())),
        Command::OpenUrl | Command::CopyUrl => return super::nav::url_command(state, cmd),
        Command::Refresh => {
            state.say(Level::Info, "refreshing…");
            return vec![Effect::Refresh];
        }
        Command::Back => {
            // Close the innermost thing; with nothing open, go back a page.
            if !panes::back(state) {
                super::nav::back(state);
            }
        }
        _ => return panes::command(state, cmd),
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
