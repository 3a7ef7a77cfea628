//! One view per overlay, drawn over the pane, topmost last.

pub mod blockers;
pub mod dialogs;
pub mod help;
pub mod messages;
pub mod palette;
pub mod pick;
pub mod search;
pub mod silences;
