//! The `:` command palette: a line with completions and history.

pub mod keys;

use crate::app::input::LineInput;
use crate::app::state::State;

/// The `:` palette's commands: (name, takes an argument, help).
pub const PALETTE_COMMANDS: &[(&str, bool, &str)] = &[
    ("overview", false, "the start screen"),
    ("alerts", false, "alerts by owning team"),
    ("release", false, "the release checklist"),
    ("deploy", false, "deployment sync"),
    (
        "filter",
        true,
        "filter alerts, e.g. :filter @severity=critical @team=search",
    ),
    ("ack", false, "acknowledge the selected alert"),
    (
        "theme",
        true,
        "switch theme: dark, light, high-contrast, prod, or a file",
    ),
    ("readonly", false, "refuse every change from now on"),
    ("context", true, "switch to [context.NAME]"),
    ("help", false, "key help"),
    ("quit", false, "leave opsdeck"),
];

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
            None => PALETTE_COMMANDS
                .iter()
                .filter(|(n, _, _)| n.starts_with(text))
                .map(|(n, _, _)| n.to_string())
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
