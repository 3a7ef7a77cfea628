//! opsdeck's test kit: a dev-dependency of opsdeck, never part of a release
//! build.
//!
//! * [`AlertBuilder`] — the one way tests assemble an alert (defined in
//!   `opsdeck::alerts::testing`, compiled through opsdeck's `testkit` feature,
//!   so the library's unit tests use the same builder).
//! * [`servers`] — real Prometheus, Alertmanager and docker-registry
//!   processes on free loopback ports. A test that needs a missing binary
//!   fails loudly, naming the Debian package; it never skips.
//! * [`push`] — pushes tiny images to a real registry.
//! * [`git`] — git repositories in temporary directories.
//! * [`http`] — the harness's blocking HTTP client.
//! * [`github`] and [`registry`] — the fakes: opsdeck's simulated GitHub and
//!   registry (from `opsdeck::demo`, which ships only the simulations) on
//!   ports of their own, wrapped in middleware for fault injection, token
//!   checks and request recording. The fault injection exists only here.

pub mod git;
pub mod github;
pub mod http;
pub mod push;
pub mod registry;
pub mod servers;

pub use opsdeck::alerts::testing::{AlertBuilder, labels};
