//! Routes a key to the topmost overlay.

use crossterm::event::KeyEvent;

use super::{Handled, Overlay};
use crate::app::keymap::Context;
use crate::app::state::State;

/// Sends a key to the topmost overlay.
pub fn key(state: &mut State, key: KeyEvent) -> Handled {
    let effects = match state.overlays.last() {
        Some(Overlay::Confirm(_)) => super::confirm::keys::key(state, key),
        Some(Overlay::Pick(_)) => super::pick::keys::key(state, key),
        Some(Overlay::AckForm(_)) => super::ack_form::keys::key(state, key),
        Some(Overlay::Palette(_)) => return super::palette::keys::key(state, key),
        Some(Overlay::Prompt(_)) => {
            super::prompt::keys::key(state, key);
            Vec::new()
        }
        Some(Overlay::Help(_)) => {
            super::help::key(state, key);
            Vec::new()
        }
        Some(Overlay::Search(_)) => {
            super::search::key(state, key);
            Vec::new()
        }
        Some(Overlay::Messages(_)) => {
            super::messages::key(state, key);
            Vec::new()
        }
        Some(Overlay::Resolved(_)) => {
            super::messages::resolved_key(state, key);
            Vec::new()
        }
        Some(Overlay::Blockers(_)) => return super::blockers::keys::key(state, key),
        Some(Overlay::Silences(list)) if list.filter.editing => {
            super::silences::keys::filter_key(state, key);
            Vec::new()
        }
        Some(Overlay::Silences(_)) => match state.keymap.lookup(Context::Silences, key) {
            Some(cmd) => return super::silences::keys::command(state, cmd),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    Handled::Done(effects)
}
