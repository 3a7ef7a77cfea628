//! The panes (views): each folder holds one pane's state, its update and
//! its tests. `app::State` holds one of each; `app::update` routes to them.

pub mod alerts;
pub mod deploy;
pub mod overview;
pub mod release;

use super::action::Effect;
use super::keymap::{Command, Context};
use super::state::{HitTarget, State, View};

/// A pane's command, sent to the shown pane (a command of another pane
/// does nothing).
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    if cmd == Command::Blockers {
        // The release view's list; from the palette, in any view.
        super::nav::go(state, View::Release);
        super::overlays::blockers::keys::open(state);
        return Vec::new();
    }
    match state.view {
        View::Alerts => alerts::update::command(state, cmd),
        View::Release => release::update::command(state, cmd),
        View::Deploy => deploy::update::command(state, cmd),
        View::Overview => overview::update::command(state, cmd),
    }
}

/// Esc in the shown pane: closes its innermost open thing. False when
/// there was nothing to close (Esc then goes back a page).
pub fn back(state: &mut State) -> bool {
    match state.view {
        View::Alerts => alerts::update::back(state),
        View::Release => release::update::back(state),
        View::Deploy => deploy::update::back(state),
        View::Overview => false,
    }
}

/// The keymap context of a view's keys.
pub fn context(view: View) -> Context {
    match view {
        View::Overview => Context::Overview,
        View::Alerts => Context::Alerts,
        View::Release => Context::Release,
        View::Deploy => Context::Deploy,
    }
}

/// ctrl-c with nothing open: the shown pane may take it (the release view
/// stops a running command); `None` quits.
pub fn interrupt(state: &mut State) -> Option<Vec<Effect>> {
    match state.view {
        View::Release if state.release.stoppable() => {
            Some(release::update::command(state, Command::StopRun))
        }
        _ => None,
    }
}

/// The link of what is selected in the shown pane (`o`/`y`).
pub fn url(state: &State) -> Option<String> {
    match state.view {
        View::Alerts => alerts::update::url(state),
        View::Release => release::update::url(state),
        View::Deploy => deploy::update::url(state),
        View::Overview => overview::update::url(state),
    }
}

/// Text `y` copies instead of the link: a release step's text block.
pub fn copy_text(state: &State) -> Option<String> {
    match state.view {
        View::Release => release::update::copy_text(state),
        View::Alerts | View::Deploy | View::Overview => None,
    }
}

/// A click on row `row` of a list the shown pane drew.
pub fn click(state: &mut State, target: HitTarget, row: usize) {
    match state.view {
        View::Alerts => alerts::update::click(state, target, row),
        View::Deploy => deploy::update::click(state, target, row),
        View::Overview => overview::update::click(state, target, row),
        View::Release => {}
    }
}
