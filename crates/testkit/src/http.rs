//! The harness's blocking HTTP client (`reqwest::blocking`), for talking to
//! the real servers from plain `#[test]`s and `#[tokio::test]`s alike.
//!
//! reqwest's blocking client refuses to run on a thread inside a tokio
//! runtime (debug builds panic), and tests call the harness from
//! `#[tokio::test]`s, so every request runs on a short-lived thread of its
//! own. Like the servers' own clients would, it does not follow redirects,
//! keeps no idle connections (servers are stopped and restarted under it)
//! and ignores proxy settings.

use std::io;
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};

/// Timeout of one harness request as a whole.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of connecting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A response: status, headers and body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names are lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }
}

fn client() -> io::Result<&'static Client> {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json, */*"));
    let client = Client::builder()
        .default_headers(headers)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .no_proxy()
        .build()
        .map_err(io::Error::other)?;
    Ok(CLIENT.get_or_init(|| client))
}

/// One blocking request. `body` is `(content_type, bytes)`. Errors are
/// transport errors only; any HTTP status is returned as `Ok`.
pub fn http_request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
) -> io::Result<HttpResponse> {
    std::thread::scope(|scope| {
        let request = scope.spawn(|| send(method, url, body));
        request
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn send(method: &str, url: &str, body: Option<(&str, &[u8])>) -> io::Result<HttpResponse> {
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let mut request = client()?.request(method, url);
    if let Some((content_type, bytes)) = body {
        request = request
            .header(CONTENT_TYPE, content_type)
            .body(bytes.to_vec());
    }
    let response = request.send().map_err(io::Error::other)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect();
    let bytes = response.bytes().map_err(io::Error::other)?;
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// GET `url`; `Some` only for a 2xx answer.
pub fn http_get_ok(url: &str) -> Option<HttpResponse> {
    http_request("GET", url, None)
        .ok()
        .filter(HttpResponse::is_success)
}
