//! A simulated GitHub REST API (v3), shaped like GitHub Enterprise:
//! everything lives under `{base}/api/v3`.
//!
//! The embedded demo serves it for the release checklist and the deploy
//! pull requests. Responses carry the full JSON objects GitHub sends (users,
//! labels, milestones, issues, comments, pull requests — all deserializable
//! into octocrab's models) plus GitHub's usual headers (`x-ratelimit-*`,
//! `x-github-request-id`, …). The test kit (`opsdeck-testkit`) wraps the
//! router with request recording, fault injection and a token check (see
//! [`Github::router_with`]); none of that is in this crate.
//!
//! Supported routes (below the `/api/v3` prefix): `GET /user`,
//! `GET /search/issues`, `GET|PATCH /repos/{o}/{r}/issues/{n}`,
//! `GET /repos/{o}/{r}/issues`, `GET /repos/{o}/{r}/milestones`,
//! `GET|POST /repos/{o}/{r}/issues/{n}/comments`,
//! `GET|POST /repos/{o}/{r}/pulls`, `GET /repos/{o}/{r}/pulls/{n}`,
//! `GET /repos/{o}/{r}/commits/{ref}/status` and `…/check-runs`. Anything
//! else is a GitHub-style 404.
//! Every `owner/name` exists (an unknown one is simply empty).

mod ci;
mod demo;
mod http;
mod json;
mod routes;
mod search;
mod seed;
mod store;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use demo::{DEMO_ISSUE, DEMO_TRACKING_BODY};
use http::Reply;
#[cfg(feature = "testkit")]
pub use json::{doc_url, error_body};
pub use seed::DEMO_REPO;
#[cfg(not(test))]
pub use seed::IssueSeed;
#[cfg(not(test))]
pub use seed::{CheckSeed, PullSeed, StatusSeed};
use store::Store;

// The library's own unit tests (in `release/`) use the test kit's fake under
// this path; the test kit is built against another copy of this crate, so
// its `IssueSeed` is this module's `IssueSeed` there.
#[cfg(test)]
pub use opsdeck_testkit::github::{CheckSeed, Fault, GithubFake, IssueSeed, PullSeed, StatusSeed};

/// Path prefix of the API, as on GitHub Enterprise Server.
pub const API_PREFIX: &str = "/api/v3";

/// The path below [`API_PREFIX`], if `path` has the prefix.
pub fn api_path(path: &str) -> Option<&str> {
    path.strip_prefix(API_PREFIX).filter(|p| p.starts_with('/'))
}

/// The simulated GitHub: its data and its router. Clones share the data.
#[derive(Debug, Clone)]
pub struct Github {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The API base URL (`…/api/v3`), which the answers' URLs point at.
    base: String,
    store: Mutex<Store>,
}

impl Shared {
    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Extra headers of a [`reply`], applied over GitHub's standard ones.
#[derive(Debug, Clone)]
struct ReplyHeaders(Vec<(String, String)>);

/// An answer in GitHub's shape: `status`, a (JSON) `body`, and `headers`
/// that replace the standard ones of the same name, which the router adds
/// on the way out.
pub fn reply(status: u16, body: String, headers: Vec<(String, String)>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, body).into_response();
    response.extensions_mut().insert(ReplyHeaders(headers));
    response
}

impl Github {
    /// An empty GitHub whose API is served at `base` (`http://host:port/…/api/v3`,
    /// no trailing slash).
    pub fn new(base: &str) -> Github {
        Github {
            shared: Arc::new(Shared {
                base: base.to_string(),
                store: Mutex::new(Store::new()),
            }),
        }
    }

    /// A GitHub seeded with the demo release data (see [`DEMO_REPO`]).
    pub fn demo(base: &str) -> Github {
        let github = Github::new(base);
        demo::seed(&mut github.shared.store());
        github
    }

    /// The API base URL.
    pub fn url(&self) -> &str {
        &self.shared.base
    }

    /// The router, to be served at the origin of [`Github::url`] (or nested
    /// under the path in front of its `/api/v3`).
    pub fn router(&self) -> Router {
        self.router_with(|routes| routes)
    }

    /// The router with `wrap` applied to the routes, inside the layer that
    /// adds GitHub's standard headers, so what `wrap`'s layers answer
    /// themselves (with [`reply`]) gets them too.
    pub fn router_with(&self, wrap: impl FnOnce(Router) -> Router) -> Router {
        let routes = Router::new()
            .fallback(handle)
            .with_state(self.shared.clone());
        wrap(routes).layer(middleware::from_fn_with_state(
            self.shared.clone(),
            standard_headers,
        ))
    }
}

/// Seeding and inspection for the test kit.
#[cfg(feature = "testkit")]
impl Github {
    /// Adds (or replaces) an issue authored by the current user; returns
    /// its number.
    pub fn add_issue(&self, seed: seed::IssueSeed) -> u64 {
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

    /// Adds (or replaces) a pull request authored by the current user; its
    /// head branch points at its head commit. Returns its number.
    pub fn add_pull(&self, seed: seed::PullSeed) -> u64 {
        let mut store = self.shared.store();
        let author = store.user.clone();
        store.insert_pull(seed, &author)
    }

    /// Points a branch at a commit (a SHA derived from the name when
    /// `None`); returns the SHA.
    pub fn add_branch(&self, repo: &str, name: &str, sha: Option<&str>) -> String {
        let commit = sha.map_or_else(|| store::sha(&format!("{repo}@{name}")), str::to_string);
        let mut store = self.shared.store();
        let data = store.repo_mut(repo);
        data.branches.insert(name.to_string(), commit.clone());
        commit
    }

    /// Points a tag at a commit (derived from the name when `None`);
    /// returns the SHA.
    pub fn add_tag(&self, repo: &str, name: &str, sha: Option<&str>) -> String {
        let commit = sha.map_or_else(
            || store::sha(&format!("{repo}@tags/{name}")),
            str::to_string,
        );
        let mut store = self.shared.store();
        store
            .repo_mut(repo)
            .tags
            .insert(name.to_string(), commit.clone());
        commit
    }

    /// Reports a commit status on a branch, tag or SHA (an unknown name
    /// becomes a branch); returns the commit's SHA.
    pub fn add_status(&self, repo: &str, reference: &str, seed: seed::StatusSeed) -> String {
        self.shared.store().add_status(repo, reference, seed)
    }

    /// Reports a check run on a branch, tag or SHA (an unknown name
    /// becomes a branch); returns the commit's SHA.
    pub fn add_check_run(&self, repo: &str, reference: &str, seed: seed::CheckSeed) -> String {
        self.shared.store().add_check_run(repo, reference, seed)
    }

    /// Sets the authenticated user (default `octocat`): `GET /user`, the
    /// author of new comments, pull requests and seeded issues.
    pub fn set_user(&self, login: &str) {
        self.shared.store().user = login.to_string();
    }
}

/// The single handler: routes requests below `/api/v3`, 404s the rest.
async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let answer = match api_path(uri.path()) {
        Some(path) => {
            let query = Query::<std::collections::HashMap<String, String>>::try_from_uri(&uri)
                .map(|q| q.0)
                .unwrap_or_default();
            let req = http::Request {
                method: method.as_str(),
                path,
                query: &query,
                raw_query: uri.query().unwrap_or_default(),
                body: &body,
                base: &shared.base,
            };
            routes::route(&mut shared.store(), &req)
        }
        None => Reply::not_found("https://docs.github.com/rest"),
    };
    reply(answer.status, answer.body, answer.headers)
}

/// Counts the request against the rate limit and adds GitHub's standard
/// headers, then the answer's own ([`reply`]) over them.
async fn standard_headers(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let own = response
        .extensions_mut()
        .remove::<ReplyHeaders>()
        .map_or_else(Vec::new, |h| h.0);
    let (used, reset, request_id) = shared.store().count_request();
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
    let headers = response.headers_mut();
    for (name, value) in all.chain(own) {
        let name = HeaderName::from_bytes(name.as_bytes());
        let value = HeaderValue::from_str(&value);
        if let (Ok(name), Ok(value)) = (name, value) {
            headers.insert(name, value);
        }
    }
    response
}
