//! HTTP clients for Alertmanager (API v2) and Prometheus (`/api/v1/alerts`).
//!
//! No retries: a mutation (`POST` a silence) that times out is reported, never
//! repeated, so one keypress can never create two silences. Errors are short,
//! human sentences that name the source and never contain credentials.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::matcher::{MatchOp, Matcher};
use super::model::{
    Alert, AlertState, AlertmanagerSnapshot, Labels, Severity, Silence, SilenceState, fingerprint,
};
use crate::config::HttpSourceConfig;

/// The largest response body a client accepts.
pub const MAX_BODY: usize = 32 * 1024 * 1024;

/// An error talking to a source; `Display` is the short sentence shown in the
/// header and on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientError {
    /// The source's name.
    pub source: String,
    /// What happened, e.g. "connection refused" or "HTTP 400: …".
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for ClientError {}

/// A configured HTTP endpoint: base URL, headers, auth, timeout.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The source's name.
    pub name: String,
    base: String,
    timeout: Duration,
    http: reqwest::Client,
}

impl Endpoint {
    /// Builds the endpoint's HTTP client from its config. Reads the bearer
    /// token or password from the environment now, so a missing variable is
    /// reported at start.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Endpoint, ClientError> {
        let fail = |message: String| ClientError {
            source: cfg.name.clone(),
            message,
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
            let encoded = base64_encode(format!("{}:{}", auth.username, password).as_bytes());
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

    fn error(&self, message: String, status: Option<u16>) -> ClientError {
        ClientError {
            source: self.name.clone(),
            message,
            status,
        }
    }

    /// Sends a request and returns the body of a 2xx answer.
    async fn send(&self, req: reqwest::RequestBuilder, what: &str) -> Result<Vec<u8>, ClientError> {
        let mut resp = req
            .send()
            .await
            .map_err(|e| self.error(format!("{what}: {}", describe(&e, self.timeout)), None))?;
        let status = resp.status();
        let too_large = || {
            self.error(
                format!("{what}: response larger than {} MiB", MAX_BODY >> 20),
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
                    return Err(self.error(
                        format!("{what}: {}", describe(&e, self.timeout)),
                        Some(status.as_u16()),
                    ));
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
            let reason = status.canonical_reason().unwrap_or("");
            let message = if text.is_empty() {
                format!("{what}: HTTP {} {reason}", status.as_u16())
            } else {
                format!("{what}: HTTP {}: {text}", status.as_u16())
            };
            return Err(self.error(message, Some(status.as_u16())));
        }
        Ok(body)
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(&self, path: &str) -> Result<T, ClientError> {
        let what = format!("GET {path}");
        let body = self
            .send(self.http.get(format!("{}{path}", self.base)), &what)
            .await?;
        self.decode(&body, &what)
    }

    fn decode<T: for<'de> Deserialize<'de>>(
        &self,
        body: &[u8],
        what: &str,
    ) -> Result<T, ClientError> {
        decode_json(body, |text| serde_json::from_str(text))
            .map_err(|problem| self.error(format!("{what}: {problem}"), None))
    }
}

/// Checks a body with [`json_text`], then parses it with `parse`; errors
/// read "empty response", "invalid response: …" (clipped). Every client
/// (Alertmanager, Prometheus, registry, GitHub) decodes JSON through it.
pub fn decode_json<'b, T>(
    body: &'b [u8],
    parse: impl FnOnce(&'b str) -> serde_json::Result<T>,
) -> Result<T, String> {
    let text = json_text(body)?;
    parse(text).map_err(|e| format!("invalid response: {}", clip(&e.to_string(), 200)))
}

/// A 2xx body that should hold JSON, as text: an error for nothing but
/// whitespace, bytes that are not UTF-8, or an HTML page. (Validating the
/// UTF-8 once here lets the JSON parser skip it per string.)
pub fn json_text(body: &[u8]) -> Result<&str, String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err("empty response".into());
    };
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("invalid response: not UTF-8 (at byte {})", e.valid_up_to()))?;
    if body[start] == b'<' {
        return Err("invalid response: got HTML; is the url right?".into());
    }
    Ok(text)
}

/// Remote text for an error message: without control characters or bidi
/// controls, and at most `max` characters, with "…" when cut (a hostile
/// server must not fill the screen or the log, nor drive the terminal).
pub fn clip(text: &str, max: usize) -> String {
    let mut kept = text.chars().filter(|&c| {
        !c.is_control()
            && !matches!(
                c,
                '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    });
    let mut out: String = kept.by_ref().take(max).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

/// A short reason for a transport error: "connection refused", "timed out after 10s".
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {}", humantime::format_duration(timeout));
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => return "connection reset".into(),
                std::io::ErrorKind::TimedOut => {
                    return format!("timed out after {}", humantime::format_duration(timeout));
                }
                _ => {}
            }
        }
        innermost = Some(s.to_string());
        source = s.source();
    }
    if e.is_connect() {
        return format!(
            "cannot connect: {}",
            innermost.unwrap_or_else(|| "unknown error".into())
        );
    }
    match innermost {
        Some(inner) => clip(&inner, 200),
        // reqwest's own text holds the URL, and a URL may hold credentials.
        None if e.is_redirect() => "too many redirects".into(),
        None if e.is_body() || e.is_decode() => "the response body could not be read".into(),
        None => "the request failed".into(),
    }
}

/// Standard base64 with padding (basic auth, OSC 52).
pub fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiAlert {
    labels: Labels,
    #[serde(default)]
    annotations: Option<Labels>,
    starts_at: DateTime<Utc>,
    fingerprint: String,
    status: ApiAlertStatus,
    #[serde(rename = "generatorURL", default)]
    generator_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiAlertStatus {
    state: String,
    #[serde(default)]
    silenced_by: Option<Vec<String>>,
    #[serde(default)]
    inhibited_by: Option<Vec<String>>,
}

impl ApiAlert {
    fn into_alert(self, source: &str) -> Alert {
        let silenced_by = self.status.silenced_by.unwrap_or_default();
        let inhibited_by = self.status.inhibited_by.unwrap_or_default();
        let state = match self.status.state.as_str() {
            "suppressed" if !silenced_by.is_empty() => AlertState::Silenced,
            "suppressed" => AlertState::Inhibited,
            _ => AlertState::Firing,
        };
        Alert {
            fingerprint: self.fingerprint,
            labels: self.labels.into(),
            annotations: self.annotations.unwrap_or_default().into(),
            starts_at: self.starts_at,
            state,
            sources: vec![source.to_string()],
            generator_url: self.generator_url.filter(|u| !u.is_empty()),
            silenced_by,
            inhibited_by,
            team: String::new(),
            severity: Severity::None,
        }
    }
}

/// Reads the `/api/v2/alerts` array straight into [`Alert`]s, one element
/// at a time (no intermediate list of API objects).
struct AlertsSeed<'s> {
    source: &'s str,
    capacity: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for AlertsSeed<'_> {
    type Value = Vec<Alert>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Alert>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AlertsSeed<'_> {
    type Value = Vec<Alert>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of alerts")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Alert>, A::Error> {
        let mut out = Vec::with_capacity(self.capacity);
        while let Some(a) = seq.next_element::<ApiAlert>()? {
            out.push(a.into_alert(self.source));
        }
        // The guess was high (larger alerts, or a body of whitespace): the
        // list is kept for a whole refresh interval, so give the slack back.
        if out.capacity() > out.len() + out.len() / 8 {
            out.shrink_to_fit();
        }
        Ok(out)
    }
}

/// Parses an Alertmanager `/api/v2/alerts` body into alerts from `source`
/// (the client's own parsing, exposed for benchmarks and tests). Errors
/// read "empty response", "invalid response: …".
pub fn parse_alertmanager_alerts(body: &[u8], source: &str) -> Result<Vec<Alert>, String> {
    use serde::de::DeserializeSeed;
    decode_json(body, |text| {
        let mut de = serde_json::Deserializer::from_str(text);
        let seed = AlertsSeed {
            source,
            // A guess (alerts run to about 600 bytes of JSON) that saves
            // most of the list's regrowth.
            capacity: (text.len() / 600).min(1 << 16),
        };
        let alerts = seed.deserialize(&mut de)?;
        de.end()?;
        Ok(alerts)
    })
}

/// A matcher as Alertmanager's API spells it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiMatcher {
    /// Label name.
    pub name: String,
    /// Value or regex.
    pub value: String,
    /// `=~` / `!~`.
    pub is_regex: bool,
    /// `=` / `=~` (absent in old servers: true).
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl From<&Matcher> for ApiMatcher {
    fn from(m: &Matcher) -> Self {
        ApiMatcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: m.op.is_regex(),
            is_equal: m.op.is_equal(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiSilence {
    id: String,
    status: ApiSilenceStatus,
    matchers: Vec<ApiMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct ApiSilenceStatus {
    state: SilenceState,
}

#[derive(Deserialize)]
struct ApiStatus {
    cluster: ApiCluster,
}

#[derive(Deserialize)]
struct ApiCluster {
    #[serde(default)]
    status: String,
    #[serde(default)]
    peers: Option<Vec<ApiPeer>>,
}

#[derive(Deserialize)]
struct ApiPeer {
    name: String,
}

/// A silence to create (no `id`) or to update in place (`id` set).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSilence {
    /// Set to update an existing silence (Alertmanager keeps the id when
    /// only the end time, comment or author change).
    pub id: Option<String>,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// Start (now, for an acknowledgement).
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Author.
    pub created_by: String,
    /// Comment.
    pub comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostableSilence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    matchers: Vec<ApiMatcher>,
    starts_at: String,
    ends_at: String,
    created_by: &'a str,
    comment: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SilenceCreated {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The last `/api/v2/alerts` answer and what it parsed to.
type AlertsCache = std::sync::Arc<std::sync::Mutex<Option<(Vec<u8>, Vec<Alert>)>>>;

/// An Alertmanager, through API v2.
#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// A byte-identical answer (the common case between changes) is not
    /// parsed again: with 10,000 alerts that is most of a refresh's cost.
    last_alerts: AlertsCache,
}

impl AlertmanagerClient {
    /// Builds the client.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Self, ClientError> {
        Ok(AlertmanagerClient {
            endpoint: Endpoint::new(cfg)?,
            last_alerts: AlertsCache::default(),
        })
    }

    /// The source name.
    pub fn name(&self) -> &str {
        &self.endpoint.name
    }

    /// `GET /api/v2/alerts`: active, silenced and inhibited alerts.
    pub async fn alerts(&self) -> Result<Vec<Alert>, ClientError> {
        let what = "GET /api/v2/alerts";
        let body = self
            .endpoint
            .send(
                self.endpoint
                    .http
                    .get(format!("{}/api/v2/alerts", self.endpoint.base)),
                what,
            )
            .await?;
        if let Ok(cache) = self.last_alerts.lock() {
            if let Some((last, alerts)) = cache.as_ref() {
                if *last == body {
                    return Ok(alerts.clone());
                }
            }
        }
        let alerts = parse_alertmanager_alerts(&body, &self.endpoint.name)
            .map_err(|problem| self.endpoint.error(format!("{what}: {problem}"), None))?;
        if let Ok(mut cache) = self.last_alerts.lock() {
            *cache = Some((body, alerts.clone()));
        }
        Ok(alerts)
    }

    /// `GET /api/v2/silences`: every silence, expired ones included.
    pub async fn silences(&self) -> Result<Vec<Silence>, ClientError> {
        let raw: Vec<ApiSilence> = self.endpoint.get_json("/api/v2/silences").await?;
        raw.into_iter()
            .map(|s| {
                let matchers = s
                    .matchers
                    .iter()
                    .map(|m| {
                        Matcher::new(
                            &m.name,
                            MatchOp::from_flags(m.is_regex, m.is_equal),
                            &m.value,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| {
                        let id = clip(&s.id, 40);
                        let e = clip(&e.to_string(), 200);
                        self.endpoint.error(format!("silence {id}: {e}"), None)
                    })?;
                Ok(Silence {
                    id: s.id,
                    matchers,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    created_by: s.created_by,
                    comment: s.comment,
                    state: s.status.state,
                    sources: vec![self.endpoint.name.clone()],
                })
            })
            .collect()
    }

    /// `GET /api/v2/status`: the names of the cluster's peers (empty when
    /// clustering is disabled).
    pub async fn peers(&self) -> Result<Vec<String>, ClientError> {
        let status: ApiStatus = self.endpoint.get_json("/api/v2/status").await?;
        if status.cluster.status == "disabled" {
            return Ok(Vec::new());
        }
        let mut peers: Vec<String> = status
            .cluster
            .peers
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.name)
            .collect();
        peers.sort();
        Ok(peers)
    }

    /// Alerts, silences and cluster peers, fetched concurrently.
    pub async fn snapshot(&self) -> Result<AlertmanagerSnapshot, ClientError> {
        let (alerts, silences, peers) =
            tokio::try_join!(self.alerts(), self.silences(), self.peers())?;
        Ok(AlertmanagerSnapshot {
            alerts,
            silences,
            peers,
        })
    }

    /// `POST /api/v2/silences`; returns the silence id. Never retried.
    pub async fn post_silence(&self, s: &NewSilence) -> Result<String, ClientError> {
        let body = PostableSilence {
            id: s.id.as_deref(),
            matchers: s.matchers.iter().map(ApiMatcher::from).collect(),
            starts_at: rfc3339(s.starts_at),
            ends_at: rfc3339(s.ends_at),
            created_by: &s.created_by,
            comment: &s.comment,
        };
        let what = "POST /api/v2/silences";
        let req = self
            .endpoint
            .http
            .post(format!("{}/api/v2/silences", self.endpoint.base))
            .json(&body);
        let raw = self.endpoint.send(req, what).await?;
        let created: SilenceCreated = self.endpoint.decode(&raw, what)?;
        Ok(created.silence_id)
    }

    /// `DELETE /api/v2/silence/{id}`: expires the silence.
    pub async fn expire_silence(&self, id: &str) -> Result<(), ClientError> {
        let what = format!("DELETE /api/v2/silence/{id}");
        let req = self
            .endpoint
            .http
            .delete(format!("{}/api/v2/silence/{id}", self.endpoint.base));
        self.endpoint.send(req, &what).await.map(|_| ())
    }
}

#[derive(Deserialize)]
struct PromResponse {
    status: String,
    #[serde(default)]
    data: Option<PromData>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct PromData {
    alerts: Vec<PromAlert>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromAlert {
    labels: Labels,
    #[serde(default)]
    annotations: Option<Labels>,
    state: String,
    #[serde(default)]
    active_at: Option<DateTime<Utc>>,
}

/// A Prometheus server, for its pending (and firing) alerts.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    /// The endpoint.
    pub endpoint: Endpoint,
}

impl PrometheusClient {
    /// Builds the client.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Self, ClientError> {
        Ok(PrometheusClient {
            endpoint: Endpoint::new(cfg)?,
        })
    }

    /// The source name.
    pub fn name(&self) -> &str {
        &self.endpoint.name
    }

    /// `GET /api/v1/alerts`: pending and firing alerts, fingerprinted as
    /// Alertmanager would so the two can be merged.
    pub async fn alerts(&self) -> Result<Vec<Alert>, ClientError> {
        let resp: PromResponse = self.endpoint.get_json("/api/v1/alerts").await?;
        if resp.status != "success" {
            return Err(self.endpoint.error(
                format!(
                    "GET /api/v1/alerts: {}",
                    clip(
                        &resp
                            .error
                            .unwrap_or_else(|| format!("status {}", resp.status)),
                        300
                    )
                ),
                None,
            ));
        }
        let alerts = resp.data.map(|d| d.alerts).unwrap_or_default();
        let generator = format!("{}/alerts", self.endpoint.base);
        Ok(alerts
            .into_iter()
            .filter(|a| a.state == "pending" || a.state == "firing")
            .map(|a| Alert {
                fingerprint: fingerprint(&a.labels),
                labels: a.labels.into(),
                annotations: a.annotations.unwrap_or_default().into(),
                starts_at: a.active_at.unwrap_or(DateTime::UNIX_EPOCH),
                state: if a.state == "pending" {
                    AlertState::Pending
                } else {
                    AlertState::Firing
                },
                sources: vec![self.endpoint.name.clone()],
                generator_url: Some(generator.clone()),
                silenced_by: Vec::new(),
                inhibited_by: Vec::new(),
                team: String::new(),
                severity: Severity::None,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_known_values() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
    }

    #[test]
    fn api_matcher_flags() {
        let m = Matcher::parse(r#"a!~"b.*""#).expect("ok");
        let api = ApiMatcher::from(&m);
        assert!(api.is_regex);
        assert!(!api.is_equal);
        let json = serde_json::to_value(&api).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"name":"a","value":"b.*","isRegex":true,"isEqual":false})
        );
    }
}
