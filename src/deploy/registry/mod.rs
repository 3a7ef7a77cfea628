//! The registry HTTP API v2 client (Docker Registry v2 / OCI distribution):
//! list a repository's tags and resolve a tag to its manifest digest.
//!
//! Authentication follows the registry token flow: a request answered with
//! 401 and `WWW-Authenticate: Bearer realm=…,service=…,scope=…` fetches a
//! token from the realm (with Basic credentials when configured), caches it
//! per scope and retries once; a `Basic` challenge is retried once with the
//! configured credentials. Credentials and tokens never appear in logs,
//! `Debug` output or error messages.

use std::collections::HashMap;
use std::error::Error as _;
use std::fmt;
use std::future::Future;
use std::io::ErrorKind;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use reqwest::header::{ACCEPT, HeaderMap, LINK, WWW_AUTHENTICATE};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use url::Url;

use super::imageref::{check_digest, is_valid_tag};
use crate::net::{clip, decode_json};

/// The `Accept` list of manifest requests: indexes first, then single images.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// The largest response body the client accepts (as for the alerts clients).
pub const MAX_BODY: usize = crate::net::MAX_BODY;
/// How much of an error answer is read for its message.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// The largest token endpoint answer accepted.
const MAX_TOKEN_BODY: usize = 1024 * 1024;

/// `n` of `tags/list` requests (registries may return smaller pages).
const PAGE_SIZE: usize = 1000;
/// Give up following `Link` headers after this many pages.
const MAX_PAGES: usize = 1000;

/// How to authenticate to a registry (and to its token realm).
#[derive(Clone)]
pub enum RegistryAuth {
    Anonymous,
    Basic { username: String, password: String },
}

impl fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryAuth::Anonymous => f.write_str("Anonymous"),
            RegistryAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// A failed registry call; the message is a short sentence naming the
/// registry host (and repository), never credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegistryError {
    pub message: String,
    /// The HTTP status, when the registry answered with an error (401 when
    /// authentication failed).
    pub status: Option<u16>,
    /// No answer within the timeout.
    pub timed_out: bool,
}

impl RegistryError {
    /// An error with this message (no HTTP status, not a timeout).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: None,
            timed_out: false,
        }
    }

    fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

/// What to send as `Authorization`.
#[derive(Clone)]
enum Cred {
    Bearer(String),
    Basic,
}

/// A client for one registry. Clones share the token cache.
#[derive(Clone)]
pub struct RegistryClient {
    /// Base URL without trailing slash; API paths start with `/v2/`.
    base: String,
    /// `host[:port]`, for messages.
    host: String,
    auth: RegistryAuth,
    http: reqwest::Client,
    timeout: Duration,
    /// Scope (`repository:<name>:pull`) → credential that worked for it.
    creds: Arc<Mutex<HashMap<String, Cred>>>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TagList {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct TokenBody {
    #[serde(default)]
    token: String,
    #[serde(default)]
    access_token: String,
}

impl RegistryClient {
    /// `base_url` like `https://registry-1.docker.io` or `http://127.0.0.1:5000`
    /// (no credentials in the URL: use [`RegistryAuth::Basic`]). `timeout`
    /// bounds each HTTP request.
    pub fn new(
        base_url: &str,
        auth: RegistryAuth,
        timeout: Duration,
    ) -> Result<Self, RegistryError> {
        let base = base_url.trim_end_matches('/');
        let url = Url::parse(base)
            .map_err(|e| RegistryError::new(format!("invalid registry URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RegistryError::new(
                "registry URL must not contain credentials (configure them separately)",
            ));
        }
        let host = match (url.scheme(), url.host_str()) {
            ("http" | "https", Some(host)) => match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            },
            _ => {
                return Err(RegistryError::new(format!(
                    "invalid registry URL {base}: expected http(s)://host[:port]"
                )));
            }
        };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RegistryError::new(format!("registry {host}: {e}")))?;
        Ok(Self {
            base: base.to_string(),
            host,
            auth,
            http,
            timeout,
            creds: Arc::default(),
        })
    }

    /// `GET /v2/<name>/tags/list?n=…` following `Link: <…>; rel="next"`
    /// pagination (relative or absolute links); returns all tags (unsorted,
    /// as given).
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>, RegistryError> {
        let ctx = format!("registry {} {repository}", self.host);
        if !valid_name(repository) {
            return Err(RegistryError::new(format!(
                "{ctx}: invalid repository name"
            )));
        }
        let scope = format!("repository:{repository}:pull");
        let first = format!("{}/v2/{repository}/tags/list?n={PAGE_SIZE}", self.base);
        let mut url = Url::parse(&first).map_err(|e| RegistryError::new(format!("{ctx}: {e}")))?;
        let mut tags = Vec::new();
        for _ in 0..MAX_PAGES {
            let resp = self
                .request(Method::GET, &url, "application/json", &scope, &ctx)
                .await?;
            let next = next_link(resp.headers(), &url);
            let body = self.read(resp, MAX_BODY, &ctx).await?;
            let page: TagList = decode_json(&body, serde_json::from_str)
                .map_err(|problem| RegistryError::new(format!("{ctx}: tags/list: {problem}")))?;
            if page.name.is_none() && page.tags.is_none() {
                return Err(RegistryError::new(format!(
                    "{ctx}: tags/list: invalid response: no name and no tags"
                )));
            }
            // A tag outside the grammar cannot be pinned; never offer it.
            let page = page.tags.unwrap_or_default();
            let listed = page.len();
            let before = tags.len();
            tags.extend(page.into_iter().filter(|t| is_valid_tag(t)));
            if tags.len() - before < listed {
                tracing::debug!(host = %self.host, repository, "registry listed invalid tags; ignored");
            }
            match next {
                // Credentials go with every page: never to another origin.
                Some(next) if next.origin() != url.origin() => {
                    return Err(RegistryError::new(format!(
                        "{ctx}: tags/list: the next page is on another host ({}); not followed",
                        clip(next.host_str().unwrap_or("?"), 100)
                    )));
                }
                Some(next) if next != url => url = next,
                _ => return Ok(tags),
            }
        }
        Err(RegistryError::new(format!(
            "{ctx}: more than {MAX_PAGES} pages of tags"
        )))
    }

    /// `HEAD /v2/<name>/manifests/<reference>` with [`MANIFEST_ACCEPT`];
    /// returns the `Docker-Content-Digest` header (error if missing).
    pub async fn digest(&self, repository: &str, reference: &str) -> Result<String, RegistryError> {
        let sep = if reference.contains(':') { '@' } else { ':' };
        let ctx = format!("registry {} {repository}{sep}{reference}", self.host);
        let reference_ok = reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:".contains(&b));
        if !valid_name(repository) || reference.is_empty() || !reference_ok {
            return Err(RegistryError::new(format!(
                "{ctx}: invalid repository name or reference"
            )));
        }
        let scope = format!("repository:{repository}:pull");
        let url = format!("{}/v2/{repository}/manifests/{reference}", self.base);
        let url = Url::parse(&url).map_err(|e| RegistryError::new(format!("{ctx}: {e}")))?;
        let resp = self
            .request(Method::HEAD, &url, MANIFEST_ACCEPT, &scope, &ctx)
            .await?;
        let Some(digest) = resp.headers().get("docker-content-digest") else {
            return Err(RegistryError::new(format!(
                "{ctx}: response has no Docker-Content-Digest header"
            )));
        };
        // It may end up in a manifest on a bump: only a well-formed digest.
        match digest.to_str().map(str::trim) {
            Ok(d) if d.len() <= 200 && check_digest(d).is_ok() => Ok(d.to_string()),
            _ => Err(RegistryError::new(format!(
                "{ctx}: invalid Docker-Content-Digest header"
            ))),
        }
    }

    /// A response's body, at most `limit` bytes (a larger one is an error
    /// naming the cap, found before it is all read when the length is
    /// declared).
    async fn read(
        &self,
        mut resp: Response,
        limit: usize,
        ctx: &str,
    ) -> Result<Vec<u8>, RegistryError> {
        let too_large = || {
            RegistryError::new(format!(
                "{ctx}: response larger than {} MiB",
                limit.div_ceil(1 << 20)
            ))
        };
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(&e))? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// One authenticated read: cached credential for `scope`, else none; on
    /// 401 answer the challenge and retry once. Non-2xx becomes an error.
    async fn request(
        &self,
        method: Method,
        url: &Url,
        accept: &str,
        scope: &str,
        ctx: &str,
    ) -> Result<Response, RegistryError> {
        let cached = self.cached(scope);
        let build = |cred: Option<&Cred>| {
            let req = self
                .http
                .request(method.clone(), url.clone())
                .header(ACCEPT, accept);
            self.authorize(req, cred)
        };
        let mut resp = self.send(|| build(cached.as_ref())).await?;
        tracing::debug!(%method, %url, status = %resp.status(), "registry request");
        if resp.status() == StatusCode::UNAUTHORIZED {
            if cached.is_some() {
                self.lock().remove(scope);
            }
            let Some(cred) = self.answer_challenge(resp.headers(), scope, ctx).await? else {
                return Err(self.auth_error(ctx, None));
            };
            resp = self.send(|| build(Some(&cred))).await?;
            tracing::debug!(%method, %url, status = %resp.status(), "registry request (authenticated)");
            if resp.status() == StatusCode::UNAUTHORIZED {
                return Err(self.auth_error(ctx, None));
            }
            self.lock().insert(scope.to_string(), cred);
        }
        if !resp.status().is_success() {
            return Err(status_error(resp, ctx).await);
        }
        Ok(resp)
    }

    /// The credential answering a 401's `WWW-Authenticate` challenge, if any.
    async fn answer_challenge(
        &self,
        headers: &HeaderMap,
        scope: &str,
        ctx: &str,
    ) -> Result<Option<Cred>, RegistryError> {
        let challenge = headers.get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok());
        let Some((scheme, params)) = challenge.map(parse_challenge) else {
            return Ok(None);
        };
        if scheme.eq_ignore_ascii_case("basic") {
            return Ok(matches!(self.auth, RegistryAuth::Basic { .. }).then_some(Cred::Basic));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Ok(None);
        }
        let realm = params.get("realm").map(String::as_str).unwrap_or_default();
        let mut token_url = Url::parse(realm)
            .map_err(|_| self.auth_error(ctx, Some(format!("bad token realm {realm:?}"))))?;
        {
            let mut query = token_url.query_pairs_mut();
            if let Some(service) = params.get("service") {
                query.append_pair("service", service);
            }
            query.append_pair("scope", params.get("scope").map_or(scope, String::as_str));
        }
        let resp = self
            .send(|| self.authorize(self.http.get(token_url.clone()), Some(&Cred::Basic)))
            .await?;
        let status = resp.status();
        tracing::debug!(realm = %token_url.origin().ascii_serialization(), %status, "registry token request");
        if !status.is_success() {
            return Err(self.auth_error(ctx, Some(format!("token endpoint answered {status}"))));
        }
        let body = self
            .read(resp, MAX_TOKEN_BODY, &format!("{ctx}: token endpoint"))
            .await?;
        let token = serde_json::from_slice::<TokenBody>(&body)
            .ok()
            .map(|t| {
                if t.token.is_empty() {
                    t.access_token
                } else {
                    t.token
                }
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.auth_error(ctx, Some("token endpoint sent no token".into())))?;
        Ok(Some(Cred::Bearer(token)))
    }

    fn authorize(&self, req: RequestBuilder, cred: Option<&Cred>) -> RequestBuilder {
        match (cred, &self.auth) {
            (Some(Cred::Bearer(token)), _) => req.bearer_auth(token),
            (Some(Cred::Basic), RegistryAuth::Basic { username, password }) => {
                req.basic_auth(username, Some(password))
            }
            _ => req,
        }
    }

    /// Sends a read, retrying once (never more) when the connection was reset.
    async fn send(&self, build: impl Fn() -> RequestBuilder) -> Result<Response, RegistryError> {
        match build().send().await {
            Err(err) if is_reset(&err) => {
                tracing::debug!(host = %self.host, "registry connection reset; retrying once");
                build().send().await.map_err(|e| self.transport_error(&e))
            }
            result => result.map_err(|e| self.transport_error(&e)),
        }
    }

    /// `"registry <host>: connection refused"` and the like: about the
    /// host, not a repository, so a registry that is down reads the same
    /// for each of its images.
    fn transport_error(&self, err: &reqwest::Error) -> RegistryError {
        let timed_out = err.is_timeout() || io_kind(err) == Some(ErrorKind::TimedOut);
        let what = if timed_out {
            format!(
                "timed out after {}",
                humantime::format_duration(self.timeout)
            )
        } else {
            match io_kind(err) {
                Some(ErrorKind::ConnectionRefused) => "connection refused".into(),
                Some(ErrorKind::ConnectionReset) => "connection reset by peer".into(),
                _ => clip(&innermost(err), 200),
            }
        };
        RegistryError {
            timed_out,
            ..RegistryError::new(format!("registry {}: {what}", self.host))
        }
    }

    fn auth_error(&self, ctx: &str, why: Option<String>) -> RegistryError {
        let why = why.unwrap_or_else(|| match self.auth {
            RegistryAuth::Basic { .. } => "basic auth or token failed".into(),
            RegistryAuth::Anonymous => "anonymous access refused; configure credentials".into(),
        });
        RegistryError::new(format!("{ctx}: 401: authentication required ({why})")).with_status(401)
    }

    fn cached(&self, scope: &str) -> Option<Cred> {
        self.lock().get(scope).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cred>> {
        self.creds.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `"<status> <CODE> <message>"` from the registry's error JSON, or the
/// status' reason phrase (HEAD responses have no body).
async fn status_error(mut resp: Response, ctx: &str) -> RegistryError {
    let status = resp.status();
    // Enough of the body for the message; the rest is not read.
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ERROR_BODY {
            body.clear();
            break;
        }
    }
    let detail = match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(e) if !e.errors.is_empty() => {
            let items = e.errors.iter().map(|e| {
                format!("{} {}", clip(&e.code, 40), clip(&e.message, 200))
                    .trim()
                    .to_string()
            });
            clip(&items.collect::<Vec<_>>().join("; "), 300)
        }
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    RegistryError::new(format!("{ctx}: {} {detail}", status.as_u16())).with_status(status.as_u16())
}

/// Distribution's repository name grammar, loosely: `/`-separated
/// components of `[a-z0-9._-]` starting and ending alphanumeric.
fn valid_name(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    name.split('/').all(|c| {
        let bytes = c.as_bytes();
        matches!((bytes.first(), bytes.last()), (Some(&f), Some(&l)) if alnum(f) && alnum(l))
            && bytes.iter().all(|&b| alnum(b) || b"._-".contains(&b))
    })
}

/// The `rel="next"` target of a `Link` header, resolved against `current`.
fn next_link(headers: &HeaderMap, current: &Url) -> Option<Url> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|value| {
            value.split(',').find_map(|link| {
                let (target, params) = link.split_once(';')?;
                let is_next = params
                    .split(';')
                    .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
                let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
                is_next.then(|| current.join(target).ok()).flatten()
            })
        })
}

/// `Bearer realm="…",service="…",scope="a,b"` → (`Bearer`, params).
fn parse_challenge(header: &str) -> (String, HashMap<String, String>) {
    let (scheme, mut rest) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    let mut params = HashMap::new();
    loop {
        rest = rest.trim_start_matches([' ', ',']);
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let (value, tail) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            },
            None => after.split_once(',').unwrap_or((after, "")),
        };
        params.insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        rest = tail;
    }
    (scheme.to_string(), params)
}

fn io_kind(err: &reqwest::Error) -> Option<ErrorKind> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = e.source();
    }
    None
}

fn innermost(err: &reqwest::Error) -> String {
    let mut last: &dyn std::error::Error = err;
    while let Some(next) = last.source() {
        last = next;
    }
    if std::ptr::addr_eq(last, err) {
        // reqwest's own text names the URL; say what kind of failure it was.
        return if err.is_redirect() {
            "too many redirects".into()
        } else if err.is_body() || err.is_decode() {
            "the response body could not be read".into()
        } else {
            "the request failed".into()
        };
    }
    last.to_string()
}

/// A connection dropped under an idempotent read (stale keep-alive, proxy reset).
fn is_reset(err: &reqwest::Error) -> bool {
    use ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
    !err.is_timeout()
        && !err.is_connect()
        && (matches!(
            io_kind(err),
            Some(ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof)
        ) || innermost(err).contains("connection closed before message completed"))
}

/// Runs `f` over `items` with at most `limit` in flight (bounded
/// concurrency), preserving input order in the output.
pub async fn bounded<T, R, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    futures::stream::iter(items.into_iter().map(f))
        .buffered(limit.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests;
