//! The deploy pane: image pins in a deploy repository against what a
//! container registry has published and what running instances report.
//!
//! * [`imageref`] — image references: `host/org/name:tag@sha256:…` (pure).
//! * [`scan`] — find every `image:` value in manifests: pins with file, line,
//!   column and byte span; every other value untracked, with its reason
//!   (pure).
//! * [`splice`] — rewrite exactly a pin's text, and show the diff (pure).
//! * [`plan`] — a bump's exact edits, diff, branch and message (pure).
//! * [`bumps`] — a bump grouped or split per image, what exists already for
//!   each branch, and the question to ask (pure).
//! * [`policy`] — which published tag counts as newest: semver, channel,
//!   regex (pure).
//! * [`sync`] — sync and running state per image (pure).
//! * [`registry`] — the registry HTTP API v2 client (tags, digests, auth).
//! * [`git`] — the deploy repo: read a branch's manifests, commit a bump on a
//!   new branch, push.
//! * [`service`] — the work: refresh, plan and carry out a bump.
//! * [`error`] — [`DeployError`] and [`VersionError`], what the service's
//!   calls return.

pub mod bumps;
pub mod error;
pub mod git;
pub mod imageref;
pub mod plan;
pub mod policy;
pub mod registry;
pub mod scan;
pub mod service;
pub mod splice;
pub mod sync;

pub use error::{DeployError, VersionError};
