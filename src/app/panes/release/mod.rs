//! The release checklist: moving through steps, ticking, and triggering a
//! step's command.

pub mod state;
pub mod update;
