//! Tests of the registry client against in-process fakes.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::demo::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};

const T: Duration = Duration::from_secs(5);

fn client(url: &str, auth: RegistryAuth) -> RegistryClient {
    RegistryClient::new(url, auth, T).unwrap()
}

fn basic(user: &str, password: &str) -> RegistryAuth {
    RegistryAuth::Basic {
        username: user.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn tags_follow_pagination() {
    let opts = FakeRegistryOptions {
        page_size: Some(2),
        ..Default::default()
    };
    let fake = FakeRegistry::start(opts).await.unwrap();
    let tags: Vec<(String, String)> = ["5.0.0", "5.0.1", "5.1.0", "latest", "insiders"]
        .map(|t| (t.to_string(), demo_digest(t)))
        .into();
    let pairs: Vec<(&str, &str)> = tags.iter().map(|(t, d)| (t.as_str(), d.as_str())).collect();
    fake.set_tags("sourcegraph/frontend", &pairs);
    let got = client(&fake.url, RegistryAuth::Anonymous)
        .tags("sourcegraph/frontend")
        .await;
    assert_eq!(
        got.unwrap(),
        ["5.0.0", "5.0.1", "5.1.0", "insiders", "latest"]
    );
    assert_eq!(
        fake.requests(),
        [
            "GET /v2/sourcegraph/frontend/tags/list?n=1000",
            "GET /v2/sourcegraph/frontend/tags/list?n=2&last=5.0.1",
            "GET /v2/sourcegraph/frontend/tags/list?n=2&last=insiders",
        ]
    );
}

#[tokio::test]
async fn digest_uses_head_with_accept_list() {
    let fake = FakeRegistry::start(FakeRegistryOptions::default())
        .await
        .unwrap();
    let d = demo_digest("frontend:5.1.0");
    fake.set_tags("sourcegraph/frontend", &[("5.1.0", &d)]);
    let c = client(&format!("{}/", fake.url), RegistryAuth::Anonymous);
    assert_eq!(c.digest("sourcegraph/frontend", "5.1.0").await.unwrap(), d);
    assert_eq!(c.digest("sourcegraph/frontend", &d).await.unwrap(), d);
    let seen = fake.requests_with("accept");
    assert_eq!(seen[0].0, "HEAD /v2/sourcegraph/frontend/manifests/5.1.0");
    assert_eq!(seen[0].1.as_deref(), Some(MANIFEST_ACCEPT));

    let err = c.digest("sourcegraph/frontend", "nope").await.unwrap_err();
    let host = fake.url.trim_start_matches("http://");
    assert_eq!(
        err.message,
        format!("registry {host} sourcegraph/frontend:nope: 404 Not Found")
    );
    let err = c.tags("sourcegraph/nothing").await.unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "registry {host} sourcegraph/nothing: 404 NAME_UNKNOWN repository name not known to registry"
        )
    );
    assert!(
        c.tags("../etc")
            .await
            .unwrap_err()
            .message
            .contains("invalid repository name")
    );
}

#[tokio::test]
async fn bearer_flow_caches_token_and_reports_bad_credentials() {
    let opts = FakeRegistryOptions {
        bearer: Some(("ci".into(), "s3cret".into())),
        ..Default::default()
    };
    let fake = FakeRegistry::start(opts).await.unwrap();
    fake.set_tags(
        "team/api",
        &[("v1", &demo_digest("a")), ("v2", &demo_digest("b"))],
    );
    let c = client(&fake.url, basic("ci", "s3cret"));
    assert_eq!(c.tags("team/api").await.unwrap(), ["v1", "v2"]);
    assert_eq!(
        c.clone().digest("team/api", "v2").await.unwrap(),
        demo_digest("b")
    );
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 4, "{reqs:?}"); // challenge, token, retry, cached HEAD
    assert_eq!(
        reqs[1],
        "GET /token?service=fake-registry&scope=repository%3Ateam%2Fapi%3Apull"
    );
    assert!(
        fake.requests_with("authorization")[3]
            .1
            .as_deref()
            .unwrap()
            .starts_with("Bearer ")
    );

    for auth in [basic("ci", "wrong"), RegistryAuth::Anonymous] {
        let err = client(&fake.url, auth)
            .tags("team/api")
            .await
            .unwrap_err()
            .message;
        assert!(
            err.contains(": 401: authentication required (token endpoint answered 401"),
            "{err}"
        );
        assert!(!err.contains("wrong") && !err.contains("s3cret"), "{err}");
    }
    assert!(!format!("{:?}", basic("ci", "s3cret")).contains("s3cret"));
}

#[tokio::test]
async fn down_and_unreachable_registries_are_errors() {
    let fake = FakeRegistry::start(FakeRegistryOptions::default())
        .await
        .unwrap();
    fake.set_tags("a/b", &[("1", &demo_digest("1"))]);
    fake.set_down(true);
    let c = client(&fake.url, RegistryAuth::Anonymous);
    let err = c.tags("a/b").await.unwrap_err().message;
    assert!(
        err.ends_with("a/b: 503 UNAVAILABLE service unavailable"),
        "{err}"
    );
    fake.set_down(false);
    assert_eq!(c.tags("a/b").await.unwrap(), ["1"]);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&format!("http://127.0.0.1:{port}"), RegistryAuth::Anonymous);
    let err = c.tags("a/b").await.unwrap_err().message;
    assert_eq!(
        err,
        format!("registry 127.0.0.1:{port}: connection refused")
    );
    assert!(RegistryClient::new("http://u:p@h", RegistryAuth::Anonymous, T).is_err());
}

#[tokio::test]
async fn connection_reset_is_retried_exactly_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut sock, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = sock.read(&mut [0; 1024]).await; // then drop: close mid-request
        }
    });
    let err = client(&url, RegistryAuth::Anonymous)
        .tags("a/b")
        .await
        .unwrap_err();
    assert!(err.message.starts_with("registry 127.0.0.1:"), "{err}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn challenge_and_link_parsing() {
    let (scheme, p) = parse_challenge(
        r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#,
    );
    assert_eq!(scheme, "Bearer");
    assert_eq!(p["realm"], "https://auth.docker.io/token");
    assert_eq!(p["scope"], "repository:a/b:pull,push");
    let mut h = HeaderMap::new();
    h.insert(
        LINK,
        r#"<https://other/v2/a/tags/list?n=2&last=x>; rel="next""#
            .parse()
            .unwrap(),
    );
    let cur = Url::parse("http://h/v2/a/tags/list?n=5").unwrap();
    assert_eq!(
        next_link(&h, &cur).unwrap().as_str(),
        "https://other/v2/a/tags/list?n=2&last=x"
    );
    h.insert(LINK, "</v2/a/tags/list?last=y>; rel=next".parse().unwrap());
    assert_eq!(
        next_link(&h, &cur).unwrap().as_str(),
        "http://h/v2/a/tags/list?last=y"
    );
    assert!(valid_name("sourcegraph/frontend") && !valid_name("a//b") && !valid_name("A"));
}
