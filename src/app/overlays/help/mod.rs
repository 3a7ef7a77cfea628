//! The key help: every binding per context (generated from the keymap),
//! and the filter examples; it scrolls when longer than the terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::overlays::Overlay;
use crate::app::state::State;
use crate::ui::layout::help_scroll;

/// Keys on the help screen: Esc, `?` or `q` close it; vim motions and the
/// page keys scroll it (it can be longer than a small terminal).
pub fn key(state: &mut State, key: KeyEvent) {
    let scroll = help_scroll(&state.keymap, state.cols, state.rows);
    let (max, page) = (scroll.max, scroll.page);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(Overlay::Help(offset)) = state.overlays.last_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => {
            state.overlays.pop();
        }
        KeyCode::Char('j') | KeyCode::Down => *offset = (*offset + 1).min(max),
        KeyCode::Char('k') | KeyCode::Up => *offset = offset.saturating_sub(1),
        KeyCode::Char('d') if ctrl => *offset = (*offset + page).min(max),
        KeyCode::PageDown | KeyCode::Char(' ') => *offset = (*offset + page).min(max),
        KeyCode::Char('u') if ctrl => *offset = offset.saturating_sub(page),
        KeyCode::PageUp => *offset = offset.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => *offset = 0,
        KeyCode::Char('G') | KeyCode::End => *offset = max,
        _ => {}
    }
}
