//! A simulated container registry (Docker Registry HTTP API v2), for the
//! demo's deploy pane.
//!
//! Routes: `GET /v2/`, `GET /v2/<name>/tags/list[?n=&last=]` and
//! `HEAD|GET /v2/<name>/manifests/<tag|digest>`. Errors use the registry's
//! JSON shape (`{"errors":[{"code","message","detail"}]}`). Tags are listed
//! in lexical order, like distribution does. Every answer carries
//! `docker-distribution-api-version: registry/2.0`.
//!
//! The test kit (`opsdeck-testkit`) wraps the router with token auth, an
//! outage switch, a server-side page size, delays and request recording
//! (see [`Registry::router_with`]); none of that is in this crate.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

// The library's own unit tests (in `deploy/`) use the test kit's fake under
// this path.
#[cfg(test)]
pub use opsdeck_testkit::registry::{FakeRegistry, FakeRegistryOptions};

/// The media type of the manifests it serves.
pub const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The simulated registry: repositories with tags, and its router. Clones
/// share the data.
#[derive(Debug, Clone)]
pub struct Registry {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The path the router is served under (`""` at the root), for links.
    prefix: String,
    /// Repository → (tag, digest) pairs.
    repos: Mutex<BTreeMap<String, Vec<(String, String)>>>,
}

impl Shared {
    fn repos(&self) -> MutexGuard<'_, BTreeMap<String, Vec<(String, String)>>> {
        self.repos.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Registry {
    /// An empty registry whose router is served under `prefix` (`""` at the
    /// root, `"/registry"` nested there; `Link` headers include it).
    pub fn new(prefix: &str) -> Registry {
        Registry {
            shared: Arc::new(Shared {
                prefix: prefix.trim_end_matches('/').to_string(),
                repos: Mutex::default(),
            }),
        }
    }

    /// Replaces `repository`'s tags with `(tag, digest)` pairs (digest
    /// `sha256:<64 hex>`); the repository exists afterwards.
    pub fn set_tags(&self, repository: &str, tags: &[(&str, &str)]) {
        let tags = tags.iter().map(|(t, d)| (t.to_string(), d.to_string()));
        self.shared
            .repos()
            .insert(repository.to_string(), tags.collect());
    }

    /// The router.
    pub fn router(&self) -> Router {
        self.router_with(|routes| routes)
    }

    /// The router with `wrap` applied to the routes, inside the layer that
    /// adds `docker-distribution-api-version`, so what `wrap`'s layers
    /// answer themselves gets it too.
    pub fn router_with(&self, wrap: impl FnOnce(Router) -> Router) -> Router {
        let routes = Router::new()
            .fallback(handle)
            .with_state(self.shared.clone());
        wrap(routes).layer(axum::middleware::map_response(api_version))
    }
}

async fn api_version(mut response: Response) -> Response {
    response.headers_mut().insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    response
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

/// An API path: `/v2/` (the ping, name `""`), `/v2/<name>/tags/list` or
/// `/v2/<name>/manifests/<reference>`.
struct ApiPath<'a> {
    name: &'a str,
    reference: Option<&'a str>,
}

fn api_path(path: &str) -> Option<ApiPath<'_>> {
    let rest = path
        .strip_prefix("/v2")
        .filter(|r| r.is_empty() || r.starts_with('/'))?;
    let rest = rest.trim_start_matches('/');
    if rest.is_empty() {
        return Some(ApiPath {
            name: "",
            reference: None,
        });
    }
    if let Some(name) = rest.strip_suffix("/tags/list") {
        return Some(ApiPath {
            name,
            reference: None,
        });
    }
    let (name, reference) = rest.rsplit_once("/manifests/")?;
    Some(ApiPath {
        name,
        reference: Some(reference),
    })
}

/// The repository an API path names (`""` for the `/v2/` ping), `None` for
/// a path that is not one of the routes.
pub fn repository(path: &str) -> Option<&str> {
    api_path(path).map(|p| p.name)
}

/// A JSON answer.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    Reply::json(status, body).into_response()
}

/// An error in the registry's shape.
pub fn error_response(status: StatusCode, code: &str, message: &str, detail: Value) -> Response {
    Reply::error(status, code, message, detail).into_response()
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

    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        let h = response.headers_mut();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                h.insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    route(&shared, &method, &uri).into_response()
}

fn route(shared: &Shared, method: &Method, uri: &Uri) -> Reply {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let Some(api) = api_path(uri.path()) else {
        return Reply::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "page not found",
            Value::Null,
        );
    };
    if method != Method::GET && method != Method::HEAD {
        return Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "UNSUPPORTED",
            "The operation is unsupported.",
            Value::Null,
        );
    }
    if api.name.is_empty() && api.reference.is_none() {
        return Reply::json(StatusCode::OK, &json!({}));
    }
    let repos = shared.repos();
    let Some(tags) = repos.get(api.name) else {
        let detail = json!({ "name": api.name });
        return Reply::error(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            "repository name not known to registry",
            detail,
        );
    };
    match api.reference {
        None => tag_list(shared, api.name, tags, &query),
        Some(reference) => manifest(tags, reference),
    }
}

/// The tags in lexical order after `last`, `n` at a time with a `Link` to
/// the next page.
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
    let limit = query
        .get("n")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0);
    let more = limit.filter(|&l| all.len() > l);
    if let Some(limit) = limit {
        all.truncate(limit);
    }
    let reply = Reply::json(StatusCode::OK, &json!({ "name": name, "tags": all }));
    match (more, all.last()) {
        (Some(l), Some(last)) => reply.header(
            "link",
            format!(
                "<{}/v2/{name}/tags/list?n={l}&last={last}>; rel=\"next\"",
                shared.prefix
            ),
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
}
