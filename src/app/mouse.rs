//! The mouse: the wheel moves the selection; a click selects what the last
//! frame drew under it (the hit map `ui` records).

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::keymap::Command;
use super::state::State;

/// The mouse: the wheel moves the selection; a click selects a row of the
/// team list, the alert list or the deploy table.
///
/// A wheel turn is the command it stands for (run by `update` like a key).
pub fn on_mouse(state: &mut State, event: MouseEvent) -> Option<Command> {
    if !state.overlays.is_empty() {
        return None;
    }
    match event.kind {
        MouseEventKind::ScrollDown => Some(Command::Down),
        MouseEventKind::ScrollUp => Some(Command::Up),
        MouseEventKind::Down(MouseButton::Left) => {
            click(state, event.column, event.row);
            None
        }
        _ => None,
    }
}

/// Selects what was drawn under the click (the last frame's hit map).
fn click(state: &mut State, x: u16, y: u16) {
    let Some((target, row)) = state.hits.at(x, y) else {
        return;
    };
    super::panes::click(state, target, row);
}
