//! The alerts pane: domain logic, HTTP clients and background sources.
//!
//! * [`model`] — alerts, severities, silences (plain data).
//! * [`matcher`] — amtool/karma-style matchers and the `/` filter language.
//! * [`grouping`] — team routing, severity ordering, de-duplication, grouping.
//! * [`client`] — Alertmanager API v2 and Prometheus HTTP clients.
//! * [`source`] — one tokio task per source, refreshing on a timer and on demand.
//! * `testing` — `AlertBuilder` for tests (unit tests and the cargo feature
//!   `testkit` only).

pub mod arrange;
pub mod client;
pub mod filter;
pub mod grouping;
pub mod history;
pub mod labels;
pub mod matcher;
pub mod model;
pub mod re2;
pub mod source;
#[cfg(any(test, feature = "testkit"))]
pub mod testing;
