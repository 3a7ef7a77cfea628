//! The release pane: a GitHub release tracking issue's task list as the
//! source of truth.
//!
//! * [`tasklist`] — markdown task lists: sections, steps, stable ids, the
//!   one-byte tick splice (pure).
//! * [`command`] — which command a step may run: local config decides, the
//!   issue only proposes (pure).
//! * [`github`] — the GitHub client (octocrab), with careful retries.
//! * [`backend`] — GitHub or a local file: load, and tick without losing
//!   anyone's edit.
//! * [`blockers`] — the search query that finds the release's blockers (pure).
//! * [`links`] — what a step points at (pull requests, issues, refs) and
//!   the live state of each (pure).
//! * [`live`] — what the checklist points at, fetched on each load: the
//!   blockers and the steps' link states.
//! * [`file`](mod@file) — reading and rewriting a local checklist file
//!   (through symbolic links; in place for a hard-linked one).
//! * [`script`] — a proposed command read like a shell would, without one (pure).
//! * [`runner`] — runs a step's command in the background, streaming output.
//! * [`error`] — [`ReleaseError`], what the backend's calls return.

pub mod backend;
pub mod blockers;
pub mod command;
pub mod error;
pub mod file;
pub mod github;
pub mod links;
pub mod live;
pub mod runner;
pub mod script;
pub mod tasklist;

pub use error::ReleaseError;
