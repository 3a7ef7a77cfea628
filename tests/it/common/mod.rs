//! Shared integration-test helpers.
//!
//! `servers` runs real Prometheus / Alertmanager / docker-registry processes
//! on loopback (Debian packages `prometheus`, `prometheus-alertmanager`,
//! `docker-registry`); see its docs. Not every test binary uses every helper.
#![allow(dead_code, unused_imports)]

pub mod push;
pub mod servers;

pub use servers::{
    ALERTMANAGER_CONFIG, Alertmanager, DockerRegistry, HttpResponse, Prometheus, READY_TIMEOUT,
    SAMPLE_FIRING, SAMPLE_PENDING, SAMPLE_RULES, TEST_COMMAND, free_port, http_get_ok,
    http_request, require_binary, wait_for,
};

#[cfg(test)]
mod selftest;
