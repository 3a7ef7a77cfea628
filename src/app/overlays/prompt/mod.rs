//! A one-line question: a placeholder's value for a step's command.

pub mod keys;

use crate::app::input::LineInput;
use crate::app::panes::release::state::PendingRun;

/// A one-line question (a placeholder's value).
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// What is asked.
    pub label: String,
    /// The answer so far.
    pub input: LineInput,
    /// The run it is for.
    pub run: PendingRun,
}
