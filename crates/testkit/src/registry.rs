//! The registry fake: opsdeck's simulated registry
//! ([`opsdeck::demo::registry::Registry`]) on a port of its own, with what
//! only tests need layered around its routes as axum middleware: request
//! recording and concurrency counting, a delay, an outage switch
//! ([`FakeRegistry::set_down`]), a server-side page size and Docker-style
//! token auth (a `/token` endpoint and `WWW-Authenticate: Bearer`
//! challenges), all chosen with [`FakeRegistryOptions`].

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::io;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use base64::Engine;
use opsdeck::demo::registry::{Registry, error_response, json_response, repository};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

pub use opsdeck::demo::registry::{MANIFEST_V2, demo_digest};

/// The `service` of the token challenge.
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
    registry: Registry,
    control: Arc<Control>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
struct Control {
    url: String,
    opts: FakeRegistryOptions,
    state: Mutex<ControlState>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
}

#[derive(Debug, Default)]
struct ControlState {
    /// `"METHOD path?query"` and the request headers.
    requests: Vec<(String, HeaderMap)>,
    /// Issued token → its scope.
    tokens: HashMap<String, String>,
    down: bool,
}

impl Control {
    fn lock(&self) -> MutexGuard<'_, ControlState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl FakeRegistry {
    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start(opts: FakeRegistryOptions) -> io::Result<FakeRegistry> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let registry = Registry::new("");
        let control = Arc::new(Control {
            url: url.clone(),
            opts,
            state: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        });
        let app = registry.router_with(|routes| {
            routes
                .layer(middleware::from_fn_with_state(control.clone(), page_size))
                .layer(middleware::from_fn_with_state(control.clone(), bearer))
                .layer(middleware::from_fn_with_state(control.clone(), outage))
                .layer(middleware::from_fn_with_state(control.clone(), record))
        });
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("fake registry stopped: {err}");
            }
        });
        Ok(FakeRegistry {
            url,
            registry,
            control,
            task,
        })
    }

    /// Replaces `repository`'s tags with `(tag, digest)` pairs (digest
    /// `sha256:<64 hex>`); the repository exists afterwards.
    pub fn set_tags(&self, repository: &str, tags: &[(&str, &str)]) {
        self.registry.set_tags(repository, tags);
    }

    /// `"METHOD path?query"` of every request so far, in order.
    pub fn requests(&self) -> Vec<String> {
        let state = self.control.lock();
        state.requests.iter().map(|(r, _)| r.clone()).collect()
    }

    /// Every request so far with the value of its `header` (if sent).
    pub fn requests_with(&self, header: &str) -> Vec<(String, Option<String>)> {
        let state = self.control.lock();
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
        self.control.peak_in_flight.load(Ordering::SeqCst)
    }

    /// When down, every request gets 503 `UNAVAILABLE`.
    pub fn set_down(&self, down: bool) {
        self.control.lock().down = down;
    }
}

impl Drop for FakeRegistry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Counts the request in flight, waits the configured delay, records it
/// and passes it on.
async fn record(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    let now = control.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    control.peak_in_flight.fetch_max(now, Ordering::SeqCst);
    if let Some(delay) = control.opts.delay {
        tokio::time::sleep(delay).await;
    }
    let uri = request.uri();
    let line = format!(
        "{} {}",
        request.method(),
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    control
        .lock()
        .requests
        .push((line, request.headers().clone()));
    let response = next.run(request).await;
    control.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

/// While down, 503 `UNAVAILABLE` for everything.
async fn outage(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    if control.lock().down {
        let status = StatusCode::SERVICE_UNAVAILABLE;
        return error_response(status, "UNAVAILABLE", "service unavailable", Value::Null);
    }
    next.run(request).await
}

/// With [`FakeRegistryOptions::bearer`]: the token endpoint, and a 401
/// challenge for reads of the API without a token for their repository.
async fn bearer(State(control): State<Arc<Control>>, request: Request, next: Next) -> Response {
    let Some((user, password)) = control.opts.bearer.clone() else {
        return next.run(request).await;
    };
    let read = request.method() == Method::GET || request.method() == Method::HEAD;
    let path = request.uri().path();
    if path == "/token" {
        if !read {
            return error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "UNSUPPORTED",
                "The operation is unsupported.",
                Value::Null,
            );
        }
        return token(&control, request.headers(), request.uri(), &user, &password);
    }
    if let Some(name) = repository(path).filter(|_| read) {
        if let Some(challenge) = challenge(&control, request.headers(), name) {
            return challenge;
        }
    }
    next.run(request).await
}

/// `None` when the request may proceed, else the 401 challenge.
fn challenge(control: &Control, headers: &HeaderMap, name: &str) -> Option<Response> {
    let scope = format!("repository:{name}:pull");
    let token = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let state = control.lock();
    let granted = token
        .and_then(|t| t.strip_prefix("Bearer "))
        .and_then(|t| state.tokens.get(t));
    if granted.is_some_and(|g| name.is_empty() || *g == scope) {
        return None;
    }
    let mut www = format!(
        "Bearer realm=\"{}/token\",service=\"{SERVICE}\"",
        control.url
    );
    let mut detail = Value::Null;
    if !name.is_empty() {
        www.push_str(&format!(",scope=\"{scope}\""));
        detail = json!([{ "Type": "repository", "Name": name, "Action": "pull" }]);
    }
    let mut response = error_response(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
        "authentication required",
        detail,
    );
    if let Ok(value) = HeaderValue::from_str(&www) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    Some(response)
}

/// `GET /token?service=&scope=` with Basic credentials.
fn token(
    control: &Control,
    headers: &HeaderMap,
    uri: &Uri,
    user: &str,
    password: &str,
) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    if headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "incorrect username or password",
            Value::Null,
        );
    }
    let scope = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut state = control.lock();
    let token = format!(
        "fake-{}",
        &demo_digest(&format!("{scope}#{}", state.tokens.len()))[7..39]
    );
    state.tokens.insert(token.clone(), scope);
    let issued = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json_response(
        StatusCode::OK,
        &json!({ "token": token, "access_token": token, "expires_in": 300, "issued_at": issued }),
    )
}

/// With [`FakeRegistryOptions::page_size`]: caps the `n` of tag-list
/// requests (or sets it), so the simulation pages at most that many.
async fn page_size(
    State(control): State<Arc<Control>>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(size) = control.opts.page_size else {
        return next.run(request).await;
    };
    if request.uri().path().ends_with("/tags/list") {
        let query = request.uri().query().unwrap_or("");
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let asked = pairs
            .iter()
            .rev()
            .find(|(k, _)| k == "n")
            .and_then(|(_, n)| n.parse::<usize>().ok())
            .filter(|&n| n > 0);
        let n = asked.map_or(size, |n| n.min(size));
        pairs.retain(|(k, _)| k != "n");
        pairs.push(("n".to_string(), n.to_string()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let uri = format!("{}?{query}", request.uri().path());
        if let Ok(uri) = uri.parse() {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}
