//! The overview's keys: j/k (and the arrows) move through its rows across
//! the sections, g/G jump to the first and last, Enter opens the row's
//! thing in its view; `o`/`y` act on the row's link.

use super::state::Item;
use crate::app::action::Effect;
use crate::app::keymap::Command;
use crate::app::nav::go;
use crate::app::overlays::Overlay;
use crate::app::overlays::blockers::Blockers;
use crate::app::state::{Focus, HitTarget, Level, State, View};

/// The selectable rows as the overview draws them at the terminal's size.
pub fn rows(state: &State) -> Vec<Item> {
    crate::ui::layout::overview_lines(state)
        .into_iter()
        .flatten()
        .collect()
}

/// Keeps the cursor on the same thing after the data or the size changed.
pub fn sync(state: &mut State) {
    let rows = rows(state);
    state.overview.sync(&rows);
}

/// The row under the cursor.
pub fn selected(state: &State) -> Option<Item> {
    let rows = rows(state);
    state.overview.position(&rows).map(|i| rows[i].clone())
}

/// A command in the overview.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let rows = rows(state);
    let at = state.overview.position(&rows).unwrap_or(0);
    let last = rows.len().saturating_sub(1);
    let to = match cmd {
        Command::Down => (at + 1).min(last),
        Command::Up => at.saturating_sub(1),
        Command::Top => 0,
        Command::Bottom => last,
        Command::Open => {
            state.overview.select(&rows, at);
            match rows.get(at).cloned() {
                Some(item) => open(state, &item),
                None => state.say(Level::Info, "nothing to open here yet"),
            }
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    state.overview.select(&rows, to);
    Vec::new()
}

/// Opens `item` in its view, selected.
pub fn open(state: &mut State, item: &Item) {
    match item {
        Item::Alert(fp) => {
            let place = state
                .alerts
                .all
                .iter()
                .position(|a| &a.fingerprint == fp)
                .and_then(|idx| state.alerts.place_of(idx));
            go(state, View::Alerts);
            match place {
                Some((g, row)) => {
                    let pane = &mut state.alerts;
                    (pane.team, pane.alert) = (g, row);
                    pane.focus = Focus::Alerts;
                    pane.detail = true;
                }
                None => state.say(Level::Error, "that alert is no longer listed"),
            }
        }
        Item::Team(name) => {
            go(state, View::Alerts);
            if crate::app::panes::alerts::marks::show_team(state, name) {
                state.alerts.alert = 0;
                state.alerts.detail = false;
            } else {
                state.say(Level::Error, format!("team {name} is no longer listed"));
            }
        }
        Item::Step(id) => {
            let found = state
                .release
                .doc
                .as_ref()
                .and_then(|d| d.checklist.steps.iter().position(|s| &s.id == id));
            go(state, View::Release);
            match found {
                Some(i) => {
                    state.release.cursor = i;
                    state.release.placed = true;
                }
                None => state.say(Level::Error, format!("step {id} is no longer listed")),
            }
        }
        Item::Blocker { repo, number } => {
            let cursor = crate::app::overlays::blockers::items(state)
                .iter()
                .position(|b| &b.repo == repo && b.number == *number)
                .unwrap_or(0);
            go(state, View::Release);
            state.overlays.push(Overlay::Blockers(Blockers { cursor }));
        }
        Item::Image(key) => {
            let found = state
                .deploy
                .snapshot
                .as_ref()
                .and_then(|s| s.images.iter().position(|i| &i.key == key));
            go(state, View::Deploy);
            match found {
                Some(i) => {
                    state.deploy.cursor = i;
                    state.deploy.detail = true;
                }
                None => state.say(Level::Error, "that image is no longer listed"),
            }
        }
    }
}

/// The link of the row under the cursor (`o`/`y`): an alert's runbook or
/// generator URL, a blocker's issue, for a step the release's link, for
/// an image the deploy view's; a team has none.
pub fn url(state: &State) -> Option<String> {
    match selected(state)? {
        Item::Alert(fp) => state
            .alerts
            .all
            .iter()
            .find(|a| a.fingerprint == fp)
            .and_then(crate::app::panes::alerts::update::alert_url),
        Item::Team(_) => None,
        Item::Step(_) => crate::app::panes::release::update::url(state),
        Item::Blocker { repo, number } => crate::app::overlays::blockers::items(state)
            .iter()
            .find(|b| b.repo == repo && b.number == number)
            .map(|b| b.url.clone()),
        Item::Image(_) => crate::app::panes::deploy::update::url(state),
    }
}

/// A click on line `line` of the overview (its sections' lines in screen
/// order): selects the row there, if it is one.
pub fn click(state: &mut State, target: HitTarget, line: usize) {
    if target != HitTarget::Overview {
        return;
    }
    let lines = crate::ui::layout::overview_lines(state);
    let Some(Some(item)) = lines.get(line) else {
        return;
    };
    let rows: Vec<Item> = lines.iter().flatten().cloned().collect();
    if let Some(i) = rows.iter().position(|r| r == item) {
        state.overview.select(&rows, i);
    }
}
