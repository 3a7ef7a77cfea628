//! The simulation's request and answer, as handlers see them, and GitHub's
//! pagination (`per_page`, `page`, the `Link` header).

use std::collections::HashMap;

use serde_json::Value;

use super::json;

/// A request below the `/api/v3` prefix.
pub(super) struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a HashMap<String, String>,
    pub raw_query: &'a str,
    pub body: &'a [u8],
    /// The API base URL.
    pub base: &'a str,
}

#[derive(Debug)]
pub(super) struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn new(status: u16, body: String) -> Reply {
        Reply {
            status,
            body,
            headers: Vec::new(),
        }
    }

    pub fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, value.to_string())
    }

    pub fn not_found(doc: &str) -> Reply {
        Reply::new(404, json::error_body(404, "Not Found", None, doc))
    }

    pub fn invalid(doc: &str, errors: Value) -> Reply {
        Reply::new(
            422,
            json::error_body(422, "Validation Failed", Some(errors), doc),
        )
    }

    pub fn header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }
}

/// Applies `per_page`/`page` and builds the `Link` header (absolute URLs
/// to `url`, other query parameters kept).
pub(super) fn paginate<T>(
    items: Vec<T>,
    req: &Request,
    url: &str,
) -> (Vec<T>, Vec<(String, String)>) {
    let param = |name: &str| {
        let value = req.query.get(name).and_then(|v| v.parse::<usize>().ok());
        value.filter(|&v| v > 0)
    };
    let per_page = param("per_page").unwrap_or(30).min(100);
    let page = param("page").unwrap_or(1);
    let last = items.len().div_ceil(per_page).max(1);
    let keep: Vec<&str> = req
        .raw_query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .collect();
    let link = |n: usize, rel: &str| {
        let query = keep
            .iter()
            .copied()
            .chain([format!("page={n}").as_str()])
            .collect::<Vec<_>>()
            .join("&");
        format!("<{url}?{query}>; rel=\"{rel}\"")
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
        links.push(link(last, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
    }
    let skip = (page - 1).saturating_mul(per_page);
    let items = items.into_iter().skip(skip).take(per_page).collect();
    let headers = if links.is_empty() {
        Vec::new()
    } else {
        vec![("link".to_string(), links.join(", "))]
    };
    (items, headers)
}
