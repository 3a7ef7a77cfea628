//! An in-process fake container registry (Docker Registry HTTP API v2), for
//! the demo's deploy pane and for tests of the registry client.
//!
//! Routes: `GET /v2/`, `GET /v2/<name>/tags/list[?n=&last=]`,
//! `HEAD|GET /v2/<name>/manifests/<tag|digest>` and, with
//! [`FakeRegistryOptions::bearer`], the token endpoint `GET /token`. Errors
//! use the registry's JSON shape (`{"errors":[{"code","message","detail"}]}`).
//! Tags are listed in lexical order, like distribution does.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";
const SERVICE: &str = "fake-registry";

/// Options of [`FakeRegistry::start`].
#[derive(Debug, Clone, Default)]
pub struct FakeRegistryOptions {
    /// Require token auth; `(username, password)` for the token endpoint,
    /// served at `{url}/token`.
    pub bearer: Option<(String, String)>,
    /// Paginate `tags/list` with `Link` headers, at most this many per page.
    pub page_size: Option<usize>,
    /// Answer every request this much later (to observe concurrency; see
    /// [`FakeRegistry::peak_in_flight`]).
    pub delay: Option<std::time::Duration>,
}

/// A running fake registry. Dropping it aborts the server task.
#[derive(Debug)]
pub struct FakeRegistry {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
struct Shared {
    url: String,
    opts: FakeRegistryOptions,
    state: Mutex<FakeState>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

#[derive(Debug, Default)]
struct FakeState {
    /// Repository → (tag, digest) pairs.
    repos: BTreeMap<String, Vec<(String, String)>>,
    /// `"METHOD path?query"` and the request headers.
    requests: Vec<(String, HeaderMap)>,
    /// Issued token → its scope.
    tokens: HashMap<String, String>,
    down: bool,
}

impl FakeRegistry {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start(opts: FakeRegistryOptions) -> io::Result<FakeRegistry> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            url: url.clone(),
            opts,
            state: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!(%err, "fake registry stopped");
            }
        });
        Ok(FakeRegistry { url, shared, task })
    }

    /// Replaces `repository`'s tags with `(tag, digest)` pairs (digest
    /// `sha256:<64 hex>`); the repository exists afterwards.
    pub fn set_tags(&self, repository: &str, tags: &[(&str, &str)]) {
        let tags = tags.iter().map(|(t, d)| (t.to_string(), d.to_string()));
        self.shared
            .lock()
            .repos
            .insert(repository.to_string(), tags.collect());
    }

    /// `"METHOD path?query"` of every request so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .lock()
            .requests
            .iter()
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// Every request so far with the value of its `header` (if sent).
    pub fn requests_with(&self, header: &str) -> Vec<(String, Option<String>)> {
        let state = self.shared.lock();
        let value = |h: &HeaderMap| {
            h.get(header)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        state
            .requests
            .iter()
            .map(|(r, h)| (r.clone(), value(h)))
            .collect()
    }

    /// The most requests it was ever answering at once.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak_in_flight.load(Ordering::SeqCst)
    }

    /// When down, every request gets 503 `UNAVAILABLE`.
    pub fn set_down(&self, down: bool) {
        self.shared.lock().down = down;
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A deterministic fake `sha256:<64 hex>` digest of `seed` (FNV-1a, then
/// xorshift64* expanded to 256 bits; not SHA-256).
pub fn demo_digest(seed: &str) -> String {
    let mut x = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let mut out = String::from("sha256:");
    for _ in 0..4 {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.push_str(&format!("{:016x}", x.wrapping_mul(0x2545_f491_4f6c_dd1d)));
    }
    out
}

struct Reply {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    fn json(status: StatusCode, body: &Value) -> Reply {
        let headers = vec![("content-type", "application/json; charset=utf-8".into())];
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    fn error(status: StatusCode, code: &str, message: &str, detail: Value) -> Reply {
        let error = json!({ "errors": [{ "code": code, "message": message, "detail": detail }] });
        Reply::json(status, &error)
    }

    fn header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak_in_flight.fetch_max(now, Ordering::SeqCst);
    if let Some(delay) = shared.opts.delay {
        tokio::time::sleep(delay).await;
    }
    let response = answer(&shared, &method, &uri, &headers);
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

fn answer(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    let line = format!(
        "{method} {}",
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    let mut state = shared.lock();
    state.requests.push((line, headers.clone()));
    let reply = if state.down {
        let status = StatusCode::SERVICE_UNAVAILABLE;
        Reply::error(status, "UNAVAILABLE", "service unavailable", Value::Null)
    } else {
        route(shared, &mut state, method, uri, headers)
    };
    let mut response = (reply.status, reply.body).into_response();
    let h = response.headers_mut();
    h.insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    for (name, value) in reply.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            h.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

fn route(
    shared: &Shared,
    state: &mut FakeState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Reply {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let read = method == Method::GET || method == Method::HEAD;
    let unsupported = || {
        Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "UNSUPPORTED",
            "The operation is unsupported.",
            Value::Null,
        )
    };
    let path = uri.path();
    if path == "/token" && shared.opts.bearer.is_some() {
        return if read {
            token(shared, state, headers, &query)
        } else {
            unsupported()
        };
    }
    let Some(rest) = path
        .strip_prefix("/v2")
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return Reply::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "page not found",
            Value::Null,
        );
    };
    let rest = rest.trim_start_matches('/');
    let (name, reference) = if rest.is_empty() {
        ("", None)
    } else if let Some(name) = rest.strip_suffix("/tags/list") {
        (name, None)
    } else if let Some((name, reference)) = rest.rsplit_once("/manifests/") {
        (name, Some(reference))
    } else {
        return Reply::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "page not found",
            Value::Null,
        );
    };
    if !read {
        return unsupported();
    }
    if let Some(challenge) = challenge(shared, state, headers, name) {
        return challenge;
    }
    if rest.is_empty() {
        return Reply::json(StatusCode::OK, &json!({}));
    }
    let Some(tags) = state.repos.get(name) else {
        let detail = json!({ "name": name });
        return Reply::error(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            "repository name not known to registry",
            detail,
        );
    };
    match reference {
        None => tag_list(shared, name, tags, &query),
        Some(reference) => manifest(tags, reference),
    }
}

/// `None` when the request may proceed, else the 401 challenge.
fn challenge(shared: &Shared, state: &FakeState, headers: &HeaderMap, name: &str) -> Option<Reply> {
    shared.opts.bearer.as_ref()?;
    let scope = format!("repository:{name}:pull");
    let token = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let granted = token
        .and_then(|t| t.strip_prefix("Bearer "))
        .and_then(|t| state.tokens.get(t));
    if granted.is_some_and(|g| name.is_empty() || *g == scope) {
        return None;
    }
    let mut www = format!(
        "Bearer realm=\"{}/token\",service=\"{SERVICE}\"",
        shared.url
    );
    let mut detail = Value::Null;
    if !name.is_empty() {
        www.push_str(&format!(",scope=\"{scope}\""));
        detail = json!([{ "Type": "repository", "Name": name, "Action": "pull" }]);
    }
    let reply = Reply::error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
        "authentication required",
        detail,
    );
    Some(reply.header("www-authenticate", www))
}

/// `GET /token?service=&scope=` with Basic credentials.
fn token(
    shared: &Shared,
    state: &mut FakeState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Reply {
    let (user, password) = shared.opts.bearer.clone().unwrap_or_default();
    let expected = {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    };
    if headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Reply::error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "incorrect username or password",
            Value::Null,
        );
    }
    let scope = query.get("scope").cloned().unwrap_or_default();
    let token = format!(
        "fake-{}",
        &demo_digest(&format!("{scope}#{}", state.tokens.len()))[7..39]
    );
    state.tokens.insert(token.clone(), scope);
    let issued = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Reply::json(
        StatusCode::OK,
        &json!({ "token": token, "access_token": token, "expires_in": 300, "issued_at": issued }),
    )
}

fn tag_list(
    shared: &Shared,
    name: &str,
    tags: &[(String, String)],
    query: &HashMap<String, String>,
) -> Reply {
    let mut all: Vec<&str> = tags.iter().map(|(t, _)| t.as_str()).collect();
    all.sort_unstable();
    all.dedup();
    if let Some(last) = query.get("last") {
        all.retain(|t| *t > last.as_str());
    }
    let n = query
        .get("n")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0);
    let limit = match (n, shared.opts.page_size) {
        (Some(n), Some(p)) => Some(n.min(p)),
        (n, p) => n.or(p),
    };
    let more = limit.filter(|&l| all.len() > l);
    if let Some(limit) = limit {
        all.truncate(limit);
    }
    let reply = Reply::json(StatusCode::OK, &json!({ "name": name, "tags": all }));
    match (more, all.last()) {
        (Some(l), Some(last)) => reply.header(
            "link",
            format!("</v2/{name}/tags/list?n={l}&last={last}>; rel=\"next\""),
        ),
        _ => reply,
    }
}

/// A manifest by tag or digest: its digest and a minimal schema-2 body.
fn manifest(tags: &[(String, String)], reference: &str) -> Reply {
    let found = tags.iter().find(|(t, d)| {
        if reference.contains(':') {
            d == reference
        } else {
            t == reference
        }
    });
    let Some((_, digest)) = found else {
        let detail = json!({ "Tag": reference });
        return Reply::error(
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            "manifest unknown",
            detail,
        );
    };
    let body = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_V2,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 2,
            "digest": demo_digest(&format!("config {digest}")),
        },
        "layers": [],
    });
    Reply {
        status: StatusCode::OK,
        headers: vec![
            (CONTENT_TYPE.as_str(), MANIFEST_V2.to_string()),
            ("docker-content-digest", digest.clone()),
            ("etag", format!("\"{digest}\"")),
        ],
        body: body.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_base64() {
        use base64::Engine;
        let base64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let d = demo_digest("frontend");
        assert_eq!(d, demo_digest("frontend"));
        assert_ne!(d, demo_digest("frontent"));
        assert!(
            d.len() == 71
                && d[7..]
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            base64(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[tokio::test]
    async fn raw_http_shapes() {
        let fake = FakeRegistry::start(FakeRegistryOptions::default())
            .await
            .unwrap();
        let d = demo_digest("x");
        fake.set_tags("org/app", &[("1.0", &d)]);
        let http = reqwest::Client::new();
        let head = http
            .head(format!("{}/v2/org/app/manifests/1.0", fake.url))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.headers()["docker-content-digest"], d.as_str());
        assert_eq!(head.headers()["content-type"], MANIFEST_V2);
        assert!(head.bytes().await.unwrap().is_empty());
        let get = http
            .get(format!("{}/v2/org/app/manifests/{d}", fake.url))
            .send()
            .await
            .unwrap();
        let body: Value = get.json().await.unwrap();
        assert_eq!(body["schemaVersion"], 2);
        let missing = http
            .get(format!("{}/v2/org/app/manifests/2.0", fake.url))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        let body: Value = missing.json().await.unwrap();
        assert_eq!(body["errors"][0]["code"], "MANIFEST_UNKNOWN");
        let ping = http.get(format!("{}/v2/", fake.url)).send().await.unwrap();
        assert_eq!(
            ping.headers()["docker-distribution-api-version"],
            "registry/2.0"
        );
        assert_eq!(ping.text().await.unwrap(), "{}");
        let put = http
            .put(format!("{}/v2/org/app/manifests/1.0", fake.url))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 405);
    }
}
