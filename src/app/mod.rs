//! The Elm-style core: one [`Action`] enum, one [`State`], and one pure
//! [`update()`] that returns [`Effect`]s for the runtime to carry out.
//!
//! Nothing here does I/O, so every behaviour is unit-tested without a
//! terminal or a network.

pub mod action;
pub mod input;
pub mod keymap;
pub mod mouse;
pub mod nav;
pub mod overlays;
pub mod panes;
pub mod scope;
pub mod settings;
pub mod state;
pub mod update;

pub use action::{
    Action, DeployEvent, Effect, ReleaseEvent, SilenceOp, SilenceOutcome, SilenceRequest,
};
pub use state::State;
pub use update::update;
