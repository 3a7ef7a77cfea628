//! Things drawn over the view: each folder holds one overlay's state and
//! its keys. `State::overlays` is a stack (topmost last); `keys::key`
//! routes a key to the topmost one.

pub mod ack_form;
pub mod blockers;
pub mod confirm;
pub mod help;
pub mod keys;
pub mod messages;
pub mod palette;
pub mod pick;
pub mod prompt;
pub mod search;
pub mod silences;

/// Something drawn over the view, topmost last.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The key help, scrolled down this many lines.
    Help(usize),
    /// `:messages`, newest first, scrolled down this many lines.
    Messages(usize),
    /// `R`: the recently resolved alerts, scrolled down this many rows.
    Resolved(usize),
    /// The acknowledge form.
    AckForm(Box<ack_form::AckForm>),
    /// A y/N question.
    Confirm(confirm::Confirm),
    /// The silences list: its row, filter and open detail.
    Silences(Box<silences::SilencesList>),
    /// A one-line question (a placeholder value for a command).
    Prompt(Box<prompt::Prompt>),
    /// The `:` command palette.
    Palette(Box<palette::Palette>),
    /// `u`/`e` on an alert: choose which of its silences.
    Pick(Box<pick::Pick>),
    /// `/` in the release or deploy view: a search being typed.
    Search(Box<search::Search>),
    /// `b` in the release view: the open blockers.
    Blockers(blockers::Blockers),
}

/// What an overlay did with a key.
pub enum Handled {
    /// It handled the key (these effects, maybe none).
    Done(Vec<crate::app::action::Effect>),
    /// A global command it does not handle itself (quit, help, refresh).
    Global(crate::app::keymap::Command),
}
