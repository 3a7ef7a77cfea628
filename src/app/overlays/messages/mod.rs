//! `:messages`: the session's status messages with their times, newest
//! first, so a message that faded (or was replaced) can still be read;
//! and `R`'s list of the recently resolved alerts, which scrolls the same.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::overlays::Overlay;
use crate::app::state::State;
use crate::ui::layout::{Scroll, messages_scroll, resolved_scroll};

/// Esc or `q` close it; vim motions and the page keys scroll it.
pub fn key(state: &mut State, key: KeyEvent) {
    let scroll = messages_scroll(state.messages.len(), state.cols, state.rows);
    scroll_list(state, key, scroll, "messages: j/k scroll · Esc closes");
}

/// The same for `R`'s list of the recently resolved.
pub fn resolved_key(state: &mut State, key: KeyEvent) {
    let n = state.alerts.history.resolved.len();
    let scroll = resolved_scroll(n, state.cols, state.rows);
    scroll_list(
        state,
        key,
        scroll,
        "recently resolved: j/k scroll · Esc closes",
    );
}

/// A read-only list overlay's keys: Esc or `q` close it, vim motions and
/// the page keys scroll it, anything else says so (`hint`).
fn scroll_list(state: &mut State, key: KeyEvent, scroll: Scroll, hint: &str) {
    let (max, page) = (scroll.max, scroll.page);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(Overlay::Messages(offset) | Overlay::Resolved(offset)) = state.overlays.last_mut()
    else {
        return;
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
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
        _ => {
            state.message = Some(crate::app::state::Message {
                text: hint.into(),
                level: crate::app::state::Level::Info,
                at: state.now,
                view: state.view,
                sources: Vec::new(),
            });
        }
    }
}
