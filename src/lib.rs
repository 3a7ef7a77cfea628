//! opsdeck — a keyboard-driven terminal operations console.
//!
//! The crate is a library with a thin binary (`src/main.rs`); `ARCHITECTURE.md`
//! has the layout and its rules. In short:
//!
//! * [`core`] and [`net`] — leaves: words, suggestions, clipped text, source
//!   kinds; the HTTP kit every client uses.
//! * [`alerts`] — the alerts pane's domain logic (pure: [`alerts::matcher`],
//!   [`alerts::grouping`], [`alerts::model`]) and its HTTP clients
//!   ([`alerts::client`]) and background source tasks ([`alerts::source`]).
//!   Nothing in `alerts` imports ratatui.
//! * [`app`] — the Elm-style core: [`app::Action`], [`app::State`],
//!   [`app::update()`] (pure, returns [`app::Effect`]s) and the keymap.
//! * [`ui`] — pure rendering: `fn render(&State, &mut Frame)`, one file per pane.
//! * [`runtime`] — the event loop that wires terminal events, source tasks and
//!   effects together; the only place that does terminal I/O (through
//!   [`runtime::quiet_backend`], which writes nothing when a frame changes nothing).
//! * [`config`], [`cli`] (the scriptable CLI: arguments and one file per command family), [`demo`] (the
//!   embedded demo environment), [`logging`].
#![deny(clippy::unwrap_used)]

pub mod alerts;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod core;
#[cfg(feature = "demo")]
pub mod demo;
pub mod deploy;
pub mod logging;
pub mod net;
pub mod poll;
pub mod release;
pub mod runtime;
pub mod ui;
