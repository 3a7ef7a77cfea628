//! An in-process fake of GitHub's REST API (v3), shaped like GitHub
//! Enterprise: everything lives under `http://127.0.0.1:PORT/api/v3`.
//!
//! Used by the embedded demo (release checklist view) and by tests. Responses
//! carry the full JSON objects GitHub sends (users, labels, milestones,
//! issues, comments, pull requests — all deserializable into octocrab's
//! models) plus GitHub's usual headers (`x-ratelimit-*`,
//! `x-github-request-id`, …). Tests can seed data, inspect what was sent,
//! inject faults ([`Fault`]) and require a token.
//!
//! Supported routes (below the `/api/v3` prefix): `GET /user`,
//! `GET|PATCH /repos/{o}/{r}/issues/{n}`, `GET /repos/{o}/{r}/issues`,
//! `GET /repos/{o}/{r}/milestones`, `GET|POST /repos/{o}/{r}/issues/{n}/comments`,
//! `GET|POST /repos/{o}/{r}/pulls`. Anything else is a GitHub-style 404.
//! Every `owner/name` exists (an unknown one is simply empty).

mod demo;
mod json;
mod routes;
mod store;
#[cfg(test)]
mod tests;

use std::io;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

pub use demo::{DEMO_ISSUE, DEMO_REPO, DEMO_TRACKING_BODY};
use routes::Reply;
use store::Store;

/// Path prefix of the API, as on GitHub Enterprise Server.
const API_PREFIX: &str = "/api/v3";

/// A running fake. Dropping it aborts the server task.
#[derive(Debug)]
pub struct GithubFake {
    /// API base URL, `http://127.0.0.1:PORT/api/v3` (no trailing slash).
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

/// An issue to seed with [`GithubFake::add_issue`].
#[derive(Debug, Clone)]
pub struct IssueSeed {
    /// `"owner/name"`; defaults to [`DEMO_REPO`].
    pub repo: String,
    /// The issue number; `None` picks the next free one. An existing issue
    /// with the same number is replaced.
    pub number: Option<u64>,
    pub title: String,
    /// Markdown body; empty means `"body": null`.
    pub body: String,
    /// Label names; unknown labels are created.
    pub labels: Vec<String>,
    /// Milestone title; created (open) if missing.
    pub milestone: Option<String>,
    /// `"open"` (default) or `"closed"`.
    pub state: String,
    pub assignee: Option<String>,
    /// Defaults to now; `updated_at` starts equal to it.
    pub created_at: Option<DateTime<Utc>>,
}

impl Default for IssueSeed {
    fn default() -> Self {
        Self {
            repo: DEMO_REPO.to_string(),
            number: None,
            title: String::new(),
            body: String::new(),
            labels: Vec::new(),
            milestone: None,
            state: "open".to_string(),
            assignee: None,
            created_at: None,
        }
    }
}

/// An injected failure, queued with [`GithubFake::fail_next`]. It applies to
/// the next `times` requests whose method matches and whose path (without
/// the `/api/v3` prefix, followed by `?query`) contains `path_contains`.
/// Faults are checked before the token and routing; the request is still
/// recorded.
#[derive(Debug, Clone)]
pub struct Fault {
    /// e.g. `"PATCH"` (case-insensitive); `None` matches any method.
    pub method: Option<String>,
    /// Substring of `path?query`; empty matches everything.
    pub path_contains: String,
    /// Response status; `0` means "only apply `delay`, then answer normally".
    pub status: u16,
    /// Raw response body; empty means GitHub's error JSON for `status`.
    pub body: String,
    /// Extra response headers; they replace the default ones of the same name.
    pub headers: Vec<(String, String)>,
    /// How many matching requests fail (default 1; 0 never matches).
    pub times: usize,
    /// Sleep this long before answering (for timeout tests).
    pub delay: Option<Duration>,
}

impl Default for Fault {
    fn default() -> Self {
        Self {
            method: None,
            path_contains: String::new(),
            status: 500,
            body: String::new(),
            headers: Vec::new(),
            times: 1,
            delay: None,
        }
    }
}

impl Fault {
    /// A plain error status with GitHub's error JSON (`Not Found`,
    /// `Validation Failed` for a too-long body, `Server Error`, …).
    pub fn status(method: Option<&str>, path_contains: &str, status: u16) -> Fault {
        let doc = json::doc_url(method.unwrap_or("GET"), path_contains);
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status,
            body: json::status_error(status, doc),
            ..Fault::default()
        }
    }

    /// The primary rate limit: 403 with `x-ratelimit-remaining: 0` and a
    /// reset `reset_in_secs` from now, plus `retry-after` when given.
    pub fn rate_limited(
        method: Option<&str>,
        path_contains: &str,
        retry_after: Option<u64>,
        reset_in_secs: u64,
    ) -> Fault {
        let reset = Utc::now()
            .timestamp()
            .saturating_add_unsigned(reset_in_secs);
        let mut headers: Vec<(String, String)> = [
            ("x-ratelimit-limit", "5000".to_string()),
            ("x-ratelimit-remaining", "0".to_string()),
            ("x-ratelimit-reset", reset.to_string()),
            ("x-ratelimit-used", "5000".to_string()),
            ("x-ratelimit-resource", "core".to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v))
        .into();
        if let Some(secs) = retry_after {
            headers.push(("retry-after".to_string(), secs.to_string()));
        }
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 403,
            body: json::error_body(
                403,
                "API rate limit exceeded for user ID 1.",
                None,
                "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
            ),
            headers,
            ..Fault::default()
        }
    }

    /// A secondary (abuse) rate limit: 403 with `retry-after` while the
    /// primary quota still has room.
    pub fn secondary_rate_limit(
        method: Option<&str>,
        path_contains: &str,
        retry_after: u64,
    ) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 403,
            body: json::error_body(
                403,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you \
                 try again. If you reach out to GitHub Support for help, please include the \
                 request ID E5B8:3A1F:9C2D41:A0B3E2:5FB7C1D4.",
                None,
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            ),
            headers: vec![("retry-after".to_string(), retry_after.to_string())],
            ..Fault::default()
        }
    }

    /// Only delays matching requests, which are then answered normally.
    pub fn delay(method: Option<&str>, path_contains: &str, delay: Duration) -> Fault {
        Fault {
            method: method.map(str::to_string),
            path_contains: path_contains.to_string(),
            status: 0,
            delay: Some(delay),
            ..Fault::default()
        }
    }

    /// Builder-style: fail `times` matching requests.
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }
}

/// One request as received by the fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the `/api/v3` prefix (the full path if it was missing).
    pub path: String,
    /// Raw query string, without `?` (empty if none).
    pub query: String,
    /// Request body (lossy UTF-8).
    pub body: String,
    /// Whether an `Authorization` header was present.
    pub authorized: bool,
}

/// State shared with the handler.
#[derive(Debug)]
struct Shared {
    base: String,
    store: Mutex<Store>,
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl GithubFake {
    /// An empty fake on `127.0.0.1:<ephemeral>`, spawned on the current
    /// tokio runtime.
    pub async fn start() -> io::Result<GithubFake> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}{API_PREFIX}");
        let shared = Arc::new(Shared {
            base: base.clone(),
            store: Mutex::new(Store::new()),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!(%err, "github fake stopped");
            }
        });
        tracing::debug!(%addr, "github fake listening");
        Ok(GithubFake {
            url: base,
            shared,
            task,
        })
    }

    /// A fake seeded with the demo release data (see [`DEMO_REPO`]).
    pub async fn start_demo() -> io::Result<GithubFake> {
        let fake = Self::start().await?;
        demo::seed(&mut fake.shared.store());
        Ok(fake)
    }

    /// Adds (or replaces) an issue authored by the current user; returns
    /// its number.
    pub fn add_issue(&self, seed: IssueSeed) -> u64 {
        let mut store = self.shared.store();
        let author = store.user.clone();
        store.insert_issue(seed, &author)
    }

    /// Returns the number of the milestone titled `title`, creating an open
    /// one if needed.
    pub fn add_milestone(&self, repo: &str, title: &str) -> u64 {
        self.shared.store().ensure_milestone(repo, title)
    }

    /// The issue's body (`Some("")` for a null body), `None` if no such issue.
    pub fn issue_body(&self, repo: &str, number: u64) -> Option<String> {
        let store = self.shared.store();
        let issue = store.repos.get(repo)?.issues.get(&number)?;
        Some(issue.body.clone().unwrap_or_default())
    }

    /// Simulates someone else editing the issue: sets the body and bumps
    /// `updated_at`. No-op if the issue does not exist.
    pub fn set_issue_body(&self, repo: &str, number: u64, body: &str) {
        let mut store = self.shared.store();
        if let Some(issue) = store.issue_mut(repo, number) {
            issue.body = Some(body.to_string());
            issue.touch();
        }
    }

    /// Comment bodies of an issue, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<String> {
        let store = self.shared.store();
        let issue = store.repos.get(repo).and_then(|r| r.issues.get(&number));
        issue.map_or_else(Vec::new, |i| {
            i.comments.iter().map(|c| c.body.clone()).collect()
        })
    }

    /// The JSON bodies of every `POST /repos/{repo}/pulls` that reached the
    /// endpoint (including ones rejected with 422), in order.
    pub fn pulls(&self, repo: &str) -> Vec<serde_json::Value> {
        let store = self.shared.store();
        store
            .repos
            .get(repo)
            .map_or_else(Vec::new, |r| r.pull_bodies.clone())
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.store().requests.clone()
    }

    /// Queues a fault; faults are matched in the order they were queued.
    pub fn fail_next(&self, fault: Fault) {
        self.shared.store().faults.push(fault);
    }

    /// When `Some`, requests must carry `Authorization: Bearer <t>` (or
    /// `token <t>`); others get 401 `Bad credentials`.
    pub fn require_token(&self, token: Option<&str>) {
        self.shared.store().token = token.map(str::to_string);
    }

    /// Sets the authenticated user (default `octocat`): `GET /user`, the
    /// author of new comments, pull requests and seeded issues.
    pub fn set_user(&self, login: &str) {
        self.shared.store().user = login.to_string();
    }
}

impl Drop for GithubFake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The single handler: records the request, applies faults and the token
/// check, then routes.
async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let full_path = uri.path();
    let api_path = full_path
        .strip_prefix(API_PREFIX)
        .filter(|p| p.starts_with('/'));
    let path = api_path.unwrap_or(full_path);
    let raw_query = uri.query().unwrap_or_default();
    let auth = headers
        .get(AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());

    let (fault, token) = {
        let mut store = shared.store();
        store.requests.push(RecordedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: raw_query.to_string(),
            body: String::from_utf8_lossy(&body).into_owned(),
            authorized: auth.is_some(),
        });
        let fault = store.take_fault(method.as_str(), &format!("{path}?{raw_query}"));
        (fault, store.token.clone())
    };

    if let Some(fault) = fault {
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        if fault.status != 0 {
            let body = if fault.body.is_empty() {
                json::status_error(fault.status, json::doc_url(method.as_str(), path))
            } else {
                fault.body
            };
            let reply = Reply {
                status: fault.status,
                body,
                headers: fault.headers,
            };
            return finish(&shared, reply);
        }
    }

    if let Some(token) = token {
        let ok = auth.as_deref().is_some_and(|a| {
            let mut parts = a.splitn(2, ' ');
            let scheme = parts.next().unwrap_or_default();
            let given = parts.next().unwrap_or_default().trim();
            (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
                && given == token
        });
        if !ok {
            let body =
                json::error_body(401, "Bad credentials", None, "https://docs.github.com/rest");
            return finish(&shared, Reply::new(401, body));
        }
    }

    let reply = match api_path {
        Some(path) => {
            let query = Query::<std::collections::HashMap<String, String>>::try_from_uri(&uri)
                .map(|q| q.0)
                .unwrap_or_default();
            let req = routes::Request {
                method: method.as_str(),
                path,
                query: &query,
                raw_query,
                body: &body,
                base: &shared.base,
            };
            routes::route(&mut shared.store(), &req)
        }
        None => Reply::not_found("https://docs.github.com/rest"),
    };
    finish(&shared, reply)
}

/// Adds GitHub's standard headers (overridable by the reply's own) and
/// builds the response.
fn finish(shared: &Shared, reply: Reply) -> Response {
    let (used, reset, request_id) = shared.store().count_request();
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, reply.body).into_response();
    let standard = [
        (
            "content-type",
            "application/json; charset=utf-8".to_string(),
        ),
        ("x-github-api-version-selected", "2022-11-28".to_string()),
        ("x-github-media-type", "github.v3; format=json".to_string()),
        ("x-ratelimit-limit", "5000".to_string()),
        (
            "x-ratelimit-remaining",
            5000u64.saturating_sub(used).to_string(),
        ),
        ("x-ratelimit-reset", reset.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-resource", "core".to_string()),
        ("x-github-request-id", request_id),
    ];
    let all = standard.into_iter().map(|(k, v)| (k.to_string(), v));
    let headers = resp.headers_mut();
    for (name, value) in all.chain(reply.headers) {
        let name = HeaderName::from_bytes(name.as_bytes());
        let value = HeaderValue::from_str(&value);
        if let (Ok(name), Ok(value)) = (name, value) {
            headers.insert(name, value);
        }
    }
    resp
}
