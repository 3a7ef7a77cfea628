//! HTTP clients for Alertmanager (API v2) and Prometheus (`/api/v1/alerts`).
//!
//! No retries: a mutation (`POST` a silence) that times out is reported, never
//! repeated, so one keypress can never create two silences. Errors are short,
//! human sentences that name the source and never contain credentials. The
//! HTTP kit itself lives in [`crate::net`].

mod alertmanager;
mod prometheus;

pub use crate::net::{
    ClientError, DecodeError, Endpoint, MAX_BODY, Problem, clip, decode_json, json_text,
};
pub use alertmanager::{AlertmanagerClient, ApiMatcher, NewSilence, parse_alertmanager_alerts};
pub use prometheus::PrometheusClient;
