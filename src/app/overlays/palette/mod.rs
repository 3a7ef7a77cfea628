//! The `:` command palette: a line with completions and history. Its
//! commands are the keymap's palette table (`keymap::palette`).

pub mod keys;

use crate::app::input::LineInput;
use crate::app::keymap::palette;
use crate::app::state::State;

/// The palette's input, history position and completions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Palette {
    /// What is typed (without the `:`).
    pub input: LineInput,
    /// Position in the history while browsing with up/down.
    pub history_pos: Option<usize>,
    /// Why the last entry failed.
    pub error: Option<String>,
}

impl Palette {
    /// Commands (or arguments) that complete what is typed.
    pub fn completions(&self, state: &State) -> Vec<String> {
        let text = self.input.text();
        match text.split_once(' ') {
            None => palette()
                .iter()
                .filter(|e| e.name.starts_with(text))
                .map(|e| e.name.clone())
                .collect(),
            Some(("theme", arg)) => crate::ui::theme::Theme::BUILTIN
                .iter()
                .filter(|n| n.starts_with(arg))
                .map(|n| format!("theme {n}"))
                .collect(),
            Some(("context", arg)) => state
                .contexts
                .iter()
                .filter(|n| n.starts_with(arg))
                .map(|n| format!("context {n}"))
                .collect(),
            Some(_) => Vec::new(),
        }
    }
}
