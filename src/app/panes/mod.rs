//! The panes (views): each folder holds one pane's state, its update and
//! its tests. `app::State` holds one of each; `app::update` routes to them.

pub mod alerts;
pub mod deploy;
pub mod release;

use super::action::Effect;
use super::keymap::Command;
use super::state::{State, View};

/// A pane's command, sent to the shown pane (the overview has none of its
/// own; a command of another pane does nothing).
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    match state.view {
        View::Alerts => alerts::update::command(state, cmd),
        View::Release => release::update::command(state, cmd),
        View::Deploy => deploy::update::command(state, cmd),
        View::Overview => Vec::new(),
    }
}
