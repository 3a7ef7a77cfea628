//! Tests of the GitHub client's pure parts: links, rate limits, the token.

use super::*;
use http::HeaderValue;

#[test]
fn link_header_next() {
    let mut h = HeaderMap::new();
    h.insert(
            http::header::LINK,
            HeaderValue::from_static(
                "<https://x/api/v3/repos/o/r/issues?page=2>; rel=\"next\", <https://x/api/v3/repos/o/r/issues?page=5>; rel=\"last\"",
            ),
        );
    assert_eq!(
        next_link(&h).as_deref(),
        Some("https://x/api/v3/repos/o/r/issues?page=2")
    );
    assert_eq!(next_link(&HeaderMap::new()), None);
}

#[test]
fn rate_limit_detection() {
    let mut h = HeaderMap::new();
    h.insert("retry-after", HeaderValue::from_static("7"));
    assert_eq!(
        rate_limit_wait(StatusCode::FORBIDDEN, &h, ""),
        Some(Duration::from_secs(7))
    );
    assert_eq!(rate_limit_wait(StatusCode::NOT_FOUND, &h, ""), None);
    let mut h = HeaderMap::new();
    h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
    let reset = (Utc::now().timestamp() + 100).to_string();
    h.insert(
        "x-ratelimit-reset",
        HeaderValue::from_str(&reset).expect("header"),
    );
    let wait =
        rate_limit_wait(StatusCode::FORBIDDEN, &h, "API rate limit exceeded").expect("limited");
    assert!((95..=100).contains(&wait.as_secs()), "{wait:?}");
    // A 403 that is not a rate limit.
    assert_eq!(
        rate_limit_wait(
            StatusCode::FORBIDDEN,
            &HeaderMap::new(),
            "Resource not accessible"
        ),
        None
    );
}

#[test]
fn token_from_command_and_env() {
    let cfg = GithubConfig {
        token_command: Some(vec!["echo".into(), " s3cret ".into()]),
        ..GithubConfig::default()
    };
    assert_eq!(token(&cfg).expect("ok").as_deref(), Some("s3cret"));
    let cfg = GithubConfig {
        token_command: Some(vec!["false".into()]),
        ..GithubConfig::default()
    };
    let e = token(&cfg).expect_err("fails");
    assert!(e.message.contains("failed"), "{e}");
    let cfg = GithubConfig {
        token_env: Some("OPSDECK_TEST_SURELY_UNSET_VAR".into()),
        ..GithubConfig::default()
    };
    assert_eq!(token(&cfg).expect("ok"), None);
}
