//! The HTTP kit every client uses (Alertmanager, Prometheus, the registry,
//! GitHub, instance version endpoints): an [`Endpoint`] built from config
//! (headers, auth, CA, timeout), a capped body read, one JSON decode path,
//! and short errors that name the source and never hold credentials.

use std::time::Duration;

use serde::Deserialize;

use crate::config::HttpSourceConfig;

/// The largest response body a client accepts.
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// An error talking to a source; `Display` is the short sentence shown in the
/// header and on stderr: `{source}: {message}`.
///
/// `Display` and `Error` are written by hand rather than derived with
/// `thiserror`: its field `source` is the source's *name*, which `thiserror`
/// would take for the underlying cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    /// The source's name.
    pub source: String,
    /// What happened, by kind (see [`Problem`]); its `Display` is e.g.
    /// "connection refused" or "HTTP 400: …".
    pub message: Problem,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for ClientError {}

/// What went wrong talking to a source, by kind, so a caller can tell "the
/// token was rejected" ([`Problem::Http`] with status 401) from "timed out"
/// ([`Problem::Timeout`]). `Display` is the sentence after the source's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The endpoint's config cannot be used: a header, an unset environment
    /// variable, the CA file.
    #[error("{0}")]
    Setup(String),
    /// No answer (or no whole body) within the timeout.
    #[error("{what}: timed out after {}", humantime::format_duration(*.after))]
    Timeout {
        /// The request, e.g. `GET /api/v2/alerts`.
        what: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The connection failed or broke: "connection refused", "cannot
    /// connect: …".
    #[error("{what}: {reason}")]
    Transport {
        /// The request.
        what: String,
        /// A short reason, without the URL (it may hold credentials).
        reason: String,
    },
    /// The body is larger than [`MAX_BODY`].
    #[error("{what}: response larger than {} MiB", MAX_BODY >> 20)]
    TooLarge {
        /// The request.
        what: String,
    },
    /// A non-2xx answer.
    #[error("{}", http_text(.what, *.status, .text))]
    Http {
        /// The request.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The server's message (clipped; empty for none or an HTML page).
        text: String,
    },
    /// A 2xx body that is not the JSON expected.
    #[error("{what}: {error}")]
    Decode {
        /// The request.
        what: String,
        /// Why the body was not understood.
        error: DecodeError,
    },
    /// Anything else, e.g. a failure the server reported in a 2xx answer.
    #[error("{0}")]
    Other(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::Other(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::Other(message.to_owned())
    }
}

/// `{what}: HTTP 503 Service Unavailable`, or `{what}: HTTP 400: {text}`.
fn http_text(what: &str, status: u16, text: &str) -> String {
    if text.is_empty() {
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        format!("{what}: HTTP {status} {reason}")
    } else {
        format!("{what}: HTTP {status}: {text}")
    }
}

/// Why a 2xx body that should hold JSON was not understood. `Display` reads
/// "empty response" or "invalid response: …".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Nothing but whitespace.
    #[error("empty response")]
    Empty,
    /// Bytes that are not UTF-8.
    #[error("invalid response: not UTF-8 (at byte {valid_up_to})")]
    NotUtf8 {
        /// The length of the valid prefix.
        valid_up_to: usize,
    },
    /// An HTML page (a proxy's or a login page), not JSON.
    #[error("invalid response: got HTML; is the url right?")]
    Html,
    /// JSON that does not parse as the expected shape.
    #[error("invalid response: {message}")]
    Json {
        /// The parser's message (clipped).
        message: String,
    },
}

/// A configured HTTP endpoint: base URL, headers, auth, timeout.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The source's name.
    pub name: String,
    pub(crate) base: String,
    timeout: Duration,
    pub(crate) http: reqwest::Client,
}

impl Endpoint {
    /// Builds the endpoint's HTTP client from its config. Reads the bearer
    /// token or password from the environment now, so a missing variable is
    /// reported at start.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Endpoint, ClientError> {
        let fail = |message: String| ClientError {
            source: cfg.name.clone(),
            message: Problem::Setup(message),
            status: None,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &cfg.headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| fail(format!("invalid header name {k:?}")))?;
            let value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|_| fail(format!("invalid value for header {k:?}")))?;
            headers.insert(name, value);
        }
        if let Some(var) = &cfg.bearer_token_env {
            let token = std::env::var(var)
                .map_err(|_| fail(format!("bearer_token_env: ${var} is not set")))?;
            let mut value =
                reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.trim()))
                    .map_err(|_| {
                        fail(format!("${var} holds characters not allowed in a header"))
                    })?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        if let Some(auth) = &cfg.basic_auth {
            let password = std::env::var(&auth.password_env).map_err(|_| {
                fail(format!(
                    "basic_auth.password_env: ${} is not set",
                    auth.password_env
                ))
            })?;
            let encoded = {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{}:{}", auth.username, password))
            };
            let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {encoded}"))
                .map_err(|_| fail("basic auth holds characters not allowed in a header".into()))?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &cfg.ca_file {
            let pem =
                std::fs::read(ca).map_err(|e| fail(format!("ca_file {}: {e}", ca.display())))?;
            let cert = reqwest::Certificate::from_pem(&pem)
                .map_err(|e| fail(format!("ca_file {}: {e}", ca.display())))?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| fail(format!("cannot build HTTP client: {e}")))?;
        Ok(Endpoint {
            name: cfg.name.clone(),
            base: cfg.url.get_ref().trim_end_matches('/').to_string(),
            timeout: cfg.timeout,
            http,
        })
    }

    /// The base URL (with any path prefix), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(crate) fn error(&self, message: Problem, status: Option<u16>) -> ClientError {
        ClientError {
            source: self.name.clone(),
            message,
            status,
        }
    }

    /// Sends a request and returns the body of a 2xx answer.
    pub(crate) async fn send(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let mut resp = req
            .send()
            .await
            .map_err(|e| self.error(transport(what, &e, self.timeout), None))?;
        let status = resp.status();
        let too_large = || {
            self.error(
                Problem::TooLarge {
                    what: what.to_owned(),
                },
                Some(status.as_u16()),
            )
        };
        // A declared length over the cap fails before anything is read.
        if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(
                        self.error(transport(what, &e, self.timeout), Some(status.as_u16()))
                    );
                }
            }
        }
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            let text = text.trim();
            let text = if text.starts_with('<') {
                // An HTML error page from a proxy: its text is noise.
                String::new()
            } else {
                // Alertmanager sometimes answers with a JSON string.
                let t = serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_string());
                clip(t.trim(), 300)
            };
            let problem = Problem::Http {
                what: what.to_owned(),
                status: status.as_u16(),
                text,
            };
            return Err(self.error(problem, Some(status.as_u16())));
        }
        Ok(body)
    }

    pub(crate) async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
    ) -> Result<T, ClientError> {
        let what = format!("GET {path}");
        let body = self
            .send(self.http.get(format!("{}{path}", self.base)), &what)
            .await?;
        self.decode(&body, &what)
    }

    pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
        &self,
        body: &[u8],
        what: &str,
    ) -> Result<T, ClientError> {
        decode_json(body, |text| serde_json::from_str(text))
            .map_err(|error| self.decode_error(what, error))
    }
}

impl Endpoint {
    /// Like `decode`, for a value that borrows from the body (such as a
    /// list of raw records decoded one by one afterwards).
    pub(crate) fn decode_borrowed<'b, T: Deserialize<'b>>(
        &self,
        body: &'b [u8],
        what: &str,
    ) -> Result<T, ClientError> {
        decode_json(body, serde_json::from_str).map_err(|error| self.decode_error(what, error))
    }

    /// A [`Problem::Decode`] for the request `what`.
    pub(crate) fn decode_error(&self, what: &str, error: DecodeError) -> ClientError {
        let what = what.to_owned();
        self.error(Problem::Decode { what, error }, None)
    }
}

/// Checks a body with [`json_text`], then parses it with `parse`; errors
/// read "empty response", "invalid response: …" (clipped). Every client
/// (Alertmanager, Prometheus, registry, GitHub) decodes JSON through it.
pub fn decode_json<'b, T>(
    body: &'b [u8],
    parse: impl FnOnce(&'b str) -> serde_json::Result<T>,
) -> Result<T, DecodeError> {
    let text = json_text(body)?;
    parse(text).map_err(|e| DecodeError::Json {
        message: clip(&e.to_string(), 200),
    })
}

/// A 2xx body that should hold JSON, as text: an error for nothing but
/// whitespace, bytes that are not UTF-8, or an HTML page. (Validating the
/// UTF-8 once here lets the JSON parser skip it per string.)
pub fn json_text(body: &[u8]) -> Result<&str, DecodeError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(DecodeError::Empty);
    };
    let text = std::str::from_utf8(body).map_err(|e| DecodeError::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    if body[start] == b'<' {
        return Err(DecodeError::Html);
    }
    Ok(text)
}

pub use crate::core::text::clip;

/// A transport error of the request `what`: [`Problem::Timeout`], or
/// [`Problem::Transport`] with a short reason ("connection refused").
fn transport(what: &str, e: &reqwest::Error, timeout: Duration) -> Problem {
    let what = what.to_owned();
    match describe(e) {
        None => Problem::Timeout {
            what,
            after: timeout,
        },
        Some(reason) => Problem::Transport { what, reason },
    }
}

/// A short reason for a transport error ("connection refused"); `None` for
/// a timeout.
fn describe(e: &reqwest::Error) -> Option<String> {
    if e.is_timeout() {
        return None;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Some("connection refused".into()),
                std::io::ErrorKind::ConnectionReset => return Some("connection reset".into()),
                std::io::ErrorKind::TimedOut => return None,
                _ => {}
            }
        }
        innermost = Some(s.to_string());
        source = s.source();
    }
    if e.is_connect() {
        return Some(format!(
            "cannot connect: {}",
            innermost.unwrap_or_else(|| "unknown error".into())
        ));
    }
    Some(match innermost {
        Some(inner) => clip(&inner, 200),
        // reqwest's own text holds the URL, and a URL may hold credentials.
        None if e.is_redirect() => "too many redirects".into(),
        None if e.is_body() || e.is_decode() => "the response body could not be read".into(),
        None => "the request failed".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_have_kinds_and_the_same_sentences() {
        assert_eq!(json_text(b" \n"), Err(DecodeError::Empty));
        assert_eq!(json_text(b"<html>"), Err(DecodeError::Html));
        assert_eq!(
            json_text(b"[\"\xff\"]"),
            Err(DecodeError::NotUtf8 { valid_up_to: 2 })
        );
        let e = decode_json(b"{", serde_json::from_str::<Vec<u8>>).expect_err("invalid");
        assert!(matches!(e, DecodeError::Json { .. }), "{e:?}");
        assert!(e.to_string().starts_with("invalid response: "), "{e}");
        assert_eq!(DecodeError::Empty.to_string(), "empty response");
        assert_eq!(
            DecodeError::Html.to_string(),
            "invalid response: got HTML; is the url right?"
        );
    }

    #[test]
    fn problems_read_as_before() {
        let what = "GET /api/v2/alerts".to_string();
        let http = |text: &str| Problem::Http {
            what: what.clone(),
            status: 503,
            text: text.into(),
        };
        assert_eq!(
            http("").to_string(),
            "GET /api/v2/alerts: HTTP 503 Service Unavailable"
        );
        assert_eq!(
            http("down").to_string(),
            "GET /api/v2/alerts: HTTP 503: down"
        );
        let timeout = Problem::Timeout {
            what: what.clone(),
            after: Duration::from_secs(10),
        };
        assert_eq!(
            timeout.to_string(),
            "GET /api/v2/alerts: timed out after 10s"
        );
        let e = ClientError {
            source: "prod".into(),
            message: Problem::TooLarge { what },
            status: Some(200),
        };
        assert_eq!(
            e.to_string(),
            "prod: GET /api/v2/alerts: response larger than 32 MiB"
        );
    }
}
