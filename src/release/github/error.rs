//! [`GithubError`]: a GitHub failure as a sentence, with its kind and HTTP
//! status; and how the client turns transport failures and non-2xx answers
//! into one.

use std::time::Duration;

use chrono::Utc;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::{GithubClient, rate_limit_wait};
use crate::net::clip;
use GithubErrorKind::{RateLimited, Status, Timeout, Unreachable};

/// A GitHub failure, as a sentence for people, with its kind and the HTTP
/// status when GitHub answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("GitHub: {message}")]
pub struct GithubError {
    /// What kind of failure it is.
    pub kind: GithubErrorKind,
    /// The HTTP status, when GitHub answered.
    pub status: Option<u16>,
    /// What happened.
    pub message: String,
}

/// What kind of failure a [`GithubError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GithubErrorKind {
    /// The config or the token cannot be used (`api_url`, `token_command`).
    Setup,
    /// No answer within the timeout.
    Timeout,
    /// GitHub could not be reached: connection refused, reset, …
    Unreachable,
    /// A non-2xx answer (see [`GithubError::status`]): 401 is a rejected
    /// token, 404 also a private repository the token cannot see.
    Status,
    /// A rate limit that resets later than a read waits for.
    RateLimited,
    /// An answer too large, not the JSON expected, or linking outside the API.
    BadResponse,
    /// What was asked for is not there: a milestone, a labelled open issue.
    NotFound,
}

pub(super) fn fail(kind: GithubErrorKind, message: impl Into<String>) -> GithubError {
    GithubError {
        kind,
        status: None,
        message: message.into(),
    }
}

#[derive(Deserialize)]
pub(super) struct ApiError {
    pub(super) message: String,
    #[serde(default)]
    pub(super) errors: Vec<serde_json::Value>,
}

impl GithubClient {
    pub(super) fn timed_out(&self) -> GithubError {
        fail(
            Timeout,
            format!(
                "cannot reach {}: timed out after {}",
                self.shown_url,
                humantime::format_duration(self.timeout)
            ),
        )
    }

    pub(super) fn transport(&self, e: &(dyn std::error::Error + 'static)) -> GithubError {
        let mut text = e.to_string();
        let mut source = e.source();
        let mut kind = None;
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                kind = Some(io.kind());
            }
            text = s.to_string();
            source = s.source();
        }
        let lower = text.to_lowercase();
        let reason = if kind == Some(std::io::ErrorKind::ConnectionRefused)
            || lower.contains("connection refused")
        {
            "connection refused".to_string()
        } else if kind == Some(std::io::ErrorKind::ConnectionReset) {
            "connection reset".to_string()
        } else if kind == Some(std::io::ErrorKind::TimedOut)
            || lower.contains("timed out")
            || lower.contains("timeout")
        {
            return self.timed_out();
        } else {
            // octocrab's own errors may quote the URL, user and password too.
            clip(&text.replace(&self.api_url, &self.shown_url), 200)
        };
        fail(
            Unreachable,
            format!("cannot reach {}: {reason}", self.shown_url),
        )
    }

    /// Turns a non-2xx answer into a sentence.
    pub(super) fn status_error(
        &self,
        what: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> GithubError {
        let api: Option<ApiError> = serde_json::from_slice(body).ok();
        let msg = api
            .as_ref()
            .map(|a| clip(a.message.trim(), 200))
            .unwrap_or_default();
        let code = status.as_u16();
        let mut kind = Status;
        let message = if let Some(wait) = rate_limit_wait(status, headers, &msg) {
            kind = RateLimited;
            let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            format!(
                "rate limit exceeded ({msg}); it resets at {} UTC (in {})",
                at.format("%H:%M:%S"),
                humantime::format_duration(Duration::from_secs(wait.as_secs()))
            )
        } else {
            match code {
                401 => format!(
                    "{what}: 401 {}: the token was rejected; check github.token_env / github.token_command",
                    if msg.is_empty() { "Unauthorized" } else { &msg }
                ),
                403 => format!("{what}: 403 {msg}: the token may lack access (repo scope?)"),
                404 => format!(
                    "{what}: 404 not found (a private repository also answers 404 when the token cannot see it)"
                ),
                422 => {
                    let details: Vec<String> = api
                        .map(|a| {
                            a.errors
                                .iter()
                                .filter_map(|e| {
                                    e.get("message")
                                        .and_then(|m| m.as_str())
                                        .map(str::to_string)
                                        .or_else(|| {
                                            e.get("code")
                                                .and_then(|c| c.as_str())
                                                .map(str::to_string)
                                        })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if details.is_empty() {
                        format!("{what}: 422 {msg}")
                    } else {
                        format!("{what}: 422 {msg}: {}", clip(&details.join("; "), 300))
                    }
                }
                500..=599 => format!(
                    "{what}: GitHub server error {code}{}; try again",
                    if msg.is_empty() {
                        String::new()
                    } else {
                        format!(" ({msg})")
                    }
                ),
                _ => format!("{what}: HTTP {code} {msg}"),
            }
        };
        GithubError {
            kind,
            status: Some(code),
            message,
        }
    }
}
