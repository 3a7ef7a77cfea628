//! Keys typed into a placeholder prompt.

use crate::app::overlays::Overlay;
use crate::app::panes::release::update::ask_next;
use crate::app::state::{Level, State};

/// Keys typed into a placeholder prompt.
pub fn key(state: &mut State, key: crossterm::event::KeyEvent) {
    use crossterm::event::KeyCode;
    let Some(Overlay::Prompt(prompt)) = state.overlays.last_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
            state.say(Level::Info, "cancelled");
        }
        KeyCode::Enter => {
            let value = prompt.input.text().trim().to_string();
            if value.is_empty() {
                return;
            }
            let Some(Overlay::Prompt(prompt)) = state.overlays.pop() else {
                return;
            };
            let mut run = prompt.run;
            let name = run.missing.remove(0);
            run.vars.insert(name, value);
            ask_next(state, run);
        }
        _ => {
            prompt.input.handle(key);
        }
    }
}
