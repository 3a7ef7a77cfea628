//! Mutations are never retried automatically: when the server times out once,
//! the user sees the error, retries by hand, and exactly one object exists.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;
use crossterm::event::KeyCode;
use opsdeck::app::state::Overlay;
use opsdeck::config::Config;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::github::{Fault, GithubFake, IssueSeed};
use opsdeck_testkit::servers::Alertmanager;
use serde_json::json;

use crate::support::{code, config_text, key, press, select_team, sg_alert, until};

/// A proxy in front of a real Alertmanager whose first silence POST hangs
/// past the client's timeout and is then dropped (never forwarded).
#[derive(Clone)]
struct Proxy {
    upstream: String,
    posts: Arc<AtomicUsize>,
    http: reqwest::Client,
}

async fn forward(
    AxState(p): AxState<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    if method == Method::POST
        && uri.path() == "/api/v2/silences"
        && p.posts.fetch_add(1, Ordering::SeqCst) == 0
    {
        tokio::time::sleep(Duration::from_secs(3)).await;
        return (StatusCode::GATEWAY_TIMEOUT, "upstream timed out").into_response();
    }
    let url = format!(
        "{}{}",
        p.upstream,
        uri.path_and_query().map_or("", |q| q.as_str())
    );
    let mut req = p.http.request(method, url).body(body);
    if let Some(ct) = headers.get("content-type") {
        req = req.header("content-type", ct);
    }
    match req.send().await {
        Ok(resp) => {
            let status =
                StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = resp.bytes().await.unwrap_or_default();
            (status, bytes).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_silence_is_not_retried_and_the_user_retry_makes_one() {
    let am = tokio::task::spawn_blocking(Alertmanager::start)
        .await
        .expect("am");
    am.post_alerts(&json!([sg_alert(
        "critical",
        "gitserver",
        "disk_space_remaining",
        "distribution"
    )]));
    let proxy = Proxy {
        upstream: am.url.clone(),
        posts: Arc::new(AtomicUsize::new(0)),
        http: reqwest::Client::new(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let text =
        config_text(&[("prod", &url)], &[], "").replace("timeout = \"3s\"", "timeout = \"1s\"");
    let cfg = Config::parse(&text, std::path::Path::new("t.toml")).expect("config");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "the alert", |s| s.alerts.all.len() == 1).await;
    select_team(&mut rt, "distribution").await;
    press(&mut rt, [key('a'), code(KeyCode::Enter), key('y')]).await;
    until(
        &mut rt,
        10,
        "the timeout in the form",
        |s| matches!(s.overlays.last(), Some(Overlay::AckForm(f)) if f.error.is_some()),
    )
    .await;
    let Some(Overlay::AckForm(form)) = rt.state.overlays.last() else {
        unreachable!("checked")
    };
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("timed out")),
        "{:?}",
        form.error
    );
    // Wait past the proxy's hang: no retry happened behind the user's back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        proxy.posts.load(Ordering::SeqCst),
        1,
        "exactly one POST so far"
    );
    assert_eq!(am.get_json("/api/v2/silences"), json!([]));
    // The user retries: Enter, y.
    press(&mut rt, [code(KeyCode::Enter), key('y')]).await;
    until(&mut rt, 10, "the silence", |s| s.overlays.is_empty()).await;
    assert_eq!(proxy.posts.load(Ordering::SeqCst), 2);
    let silences = am.get_json("/api/v2/silences");
    assert_eq!(
        silences.as_array().map(Vec::len),
        Some(1),
        "exactly one silence: {silences}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_patch_and_comment_are_not_retried() {
    let github = GithubFake::start().await.expect("github");
    github.add_issue(IssueSeed {
        repo: "o/r".into(),
        number: Some(7),
        title: "3.23 release tracking issue".into(),
        body: "## Setup\n\n- [ ] Cut the branch\n".into(),
        ..IssueSeed::default()
    });
    // The PATCH hangs past the 1s timeout, then fails: nothing is written.
    github.fail_next(Fault {
        delay: Some(Duration::from_secs(2)),
        ..Fault::status(Some("PATCH"), "/issues/7", 504)
    });
    let text = format!(
        "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\ntimeout = \"1s\"\n[release]\nrepo = \"o/r\"\nissue = 7\naudit_comments = true\nrefresh = \"1h\"\n",
        github.url
    );
    let cfg = Config::parse(&text, std::path::Path::new("t.toml")).expect("config");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('2')]).await;
    until(&mut rt, 10, "the checklist", |s| s.release.doc.is_some()).await;
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the timeout", |s| s.release.pending.is_none()).await;
    let msg = rt
        .state
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        msg.contains("timed out") && msg.contains("not retried"),
        "{msg}"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let patches = |g: &GithubFake| g.requests().iter().filter(|r| r.method == "PATCH").count();
    assert_eq!(patches(&github), 1, "one PATCH, no automatic retry");
    assert!(
        github
            .issue_body("o/r", 7)
            .is_some_and(|b| b.contains("- [ ] Cut the branch"))
    );
    // The comment POST times out once too.
    github.fail_next(Fault {
        delay: Some(Duration::from_secs(2)),
        ..Fault::status(Some("POST"), "/comments", 504)
    });
    // The user retries the tick: it lands; the audit comment times out and
    // is reported, not retried.
    until(&mut rt, 10, "reloaded", |s| s.release.doc.is_some()).await;
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the tick", |s| s.release.pending.is_none()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(patches(&github), 2);
    assert!(
        github
            .issue_body("o/r", 7)
            .is_some_and(|b| b.contains("- [x] Cut the branch"))
    );
    let posts = github
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "one comment POST, no automatic retry");
    assert!(
        github.comments("o/r", 7).is_empty(),
        "the timed-out comment was not created"
    );
    let msg = rt
        .state
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(msg.contains("audit comment failed"), "{msg}");
}
