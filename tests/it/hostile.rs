//! Hostile answers for every client: truncated JSON, wrong types, a body
//! over the cap, invalid UTF-8, HTML error pages, an empty 200. Each must
//! give an error that names the source and says what was wrong; none may
//! panic. Served by a tiny raw HTTP server in this file, so the bytes on the
//! wire are exactly the ones under test.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use opsdeck::alerts::client::{AlertmanagerClient, MAX_BODY, NewSilence, PrometheusClient};
use opsdeck::alerts::matcher::Matcher;
use opsdeck::alerts::model::RecordKind;
use opsdeck::config::Config;
use opsdeck::deploy::registry::{RegistryAuth, RegistryClient};
use opsdeck::deploy::service::Deployer;
use opsdeck::release::github::GithubClient;
use opsdeck::runtime::Runtime;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use crate::support::until;

/// What the hostile server sends.
#[derive(Debug, Clone)]
pub enum Body {
    /// These bytes, with a `Content-Length`.
    Bytes(Vec<u8>),
    /// This many spaces, chunked (no length known up front), written a
    /// chunk at a time so nothing large is held in memory.
    Chunked(usize),
    /// This many spaces behind an honest `Content-Length`.
    Declared(usize),
}

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

impl Reply {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            content_type,
            headers: Vec::new(),
            body: Body::Bytes(body.into()),
        }
    }

    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, "application/json", body)
    }
}

/// A raw HTTP/1.1 server answering every request with the current [`Reply`]
/// (and `Connection: close`). Dropping it stops it and its connections.
pub struct HostileServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub addr: SocketAddr,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl HostileServer {
    pub async fn start(reply: Reply) -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let reply = Arc::new(Mutex::new(reply));
        let current = reply.clone();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((sock, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let reply = current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                connections.spawn(serve(sock, reply));
                // Reap finished connections so the set stays small.
                while connections.try_join_next().is_some() {}
            }
        });
        HostileServer {
            url: format!("http://{addr}"),
            addr,
            reply,
            hits,
            task,
        }
    }

    pub fn set(&self, reply: Reply) {
        *self.reply.lock().unwrap_or_else(PoisonError::into_inner) = reply;
    }

    /// Connections accepted so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        502 => "Bad Gateway",
        _ => "Whatever",
    }
}

async fn serve(mut sock: TcpStream, reply: Reply) {
    // Read the head and any declared body, so closing sends no reset.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let is_head = head.starts_with("head ");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }

    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nConnection: close\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    match &reply.body {
        Body::Bytes(b) => out.push_str(&format!("Content-Length: {}\r\n\r\n", b.len())),
        Body::Chunked(_) => out.push_str("Transfer-Encoding: chunked\r\n\r\n"),
        Body::Declared(n) => out.push_str(&format!("Content-Length: {n}\r\n\r\n")),
    }
    if sock.write_all(out.as_bytes()).await.is_err() || is_head {
        return;
    }
    let spaces = vec![b' '; 64 * 1024];
    let _ = match &reply.body {
        Body::Bytes(b) => sock.write_all(b).await,
        Body::Chunked(total) => {
            let mut left = *total;
            let mut result = Ok(());
            while left > 0 && result.is_ok() {
                let n = left.min(spaces.len());
                let mut frame = format!("{n:x}\r\n").into_bytes();
                frame.extend_from_slice(&spaces[..n]);
                frame.extend_from_slice(b"\r\n");
                result = sock.write_all(&frame).await;
                left -= n;
            }
            match result {
                Ok(()) => sock.write_all(b"0\r\n\r\n").await,
                Err(e) => Err(e),
            }
        }
        Body::Declared(total) => {
            let mut left = *total;
            let mut result = Ok(());
            while left > 0 && result.is_ok() {
                let n = left.min(spaces.len());
                result = sock.write_all(&spaces[..n]).await;
                left -= n;
            }
            result
        }
    };
    let _ = sock.shutdown().await;
}

/// A listener that accepts connections and never answers; dropping it
/// closes them. (std, so it works from any test flavour.)
pub struct Hang {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Hang {
    pub fn start() -> Hang {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                match listener.accept() {
                    Ok((sock, _)) => held.push(sock),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Hang {
            url: format!("http://127.0.0.1:{port}"),
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Hang {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n";

/// A case: its name, the answer, and what the error must say.
struct Case {
    name: &'static str,
    reply: Reply,
    reason: &'static str,
}

/// The hostile answers for an endpoint whose good answer is `doc`, with
/// `wrong` a document of the right shape holding a wrong type (none for a
/// list, where one bad record is skipped, not fatal: see
/// `one_poisoned_record_is_skipped_and_counted`), and `bad_gateway` what a
/// 502 HTML page must be reported as.
fn cases(doc: &str, wrong: Option<&str>, bad_gateway: &'static str) -> Vec<Case> {
    let cut = doc.len() / 2;
    let mut not_utf8 = doc.as_bytes().to_vec();
    not_utf8.splice(1..1, [0xff, 0xfe, 0xc3]);
    let wrong = wrong.map(|wrong| Case {
        name: "wrong types",
        reply: Reply::json(wrong),
        reason: "invalid response: invalid type",
    });
    wrong
        .into_iter()
        .chain([
            Case {
                name: "truncated JSON",
                reply: Reply::json(&doc.as_bytes()[..cut]),
                reason: "invalid response: EOF while parsing",
            },
            Case {
                name: "a bare {\"labels\": 5}",
                reply: Reply::json(r#"{"labels": 5}"#),
                reason: "invalid response: ",
            },
            Case {
                name: "a huge chunked body",
                reply: Reply {
                    body: Body::Chunked(MAX_BODY + (1 << 20)),
                    ..Reply::json("")
                },
                reason: "response larger than 32 MiB",
            },
            Case {
                name: "a huge declared body",
                reply: Reply {
                    body: Body::Declared(MAX_BODY + (1 << 20)),
                    ..Reply::json("")
                },
                reason: "response larger than 32 MiB",
            },
            Case {
                name: "invalid UTF-8",
                reply: Reply::json(not_utf8),
                reason: "invalid response: not UTF-8 (at byte 1)",
            },
            Case {
                name: "an HTML 502",
                reply: Reply::new(502, "text/html", HTML_502),
                reason: bad_gateway,
            },
            Case {
                name: "an HTML page with 200",
                reply: Reply::new(200, "text/html", HTML_502),
                reason: "got HTML; is the url right?",
            },
            Case {
                name: "an empty 200",
                reply: Reply::json(""),
                reason: "empty response",
            },
            Case {
                name: "a 200 of whitespace",
                reply: Reply::json(" \r\n\t "),
                reason: "empty response",
            },
        ])
        .collect()
}

/// Runs every case against `call`, which returns the error text.
async fn check<F, Fut>(server: &HostileServer, what: &str, prefix: &str, cases: Vec<Case>, call: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    for case in cases {
        server.set(case.reply.clone());
        let started = Instant::now();
        let err = match call().await {
            Ok(()) => panic!("{what}, {}: accepted", case.name),
            Err(e) => e,
        };
        assert!(
            err.starts_with(prefix),
            "{what}, {}: the error must name the source ({prefix:?}): {err}",
            case.name
        );
        assert!(
            err.contains(case.reason),
            "{what}, {}: expected {:?} in: {err}",
            case.name,
            case.reason
        );
        assert!(
            err.len() < 300 && !err.contains('\n'),
            "{what}, {}: errors are one short line: {err}",
            case.name
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{what}, {}: took {:?}",
            case.name,
            started.elapsed()
        );
    }
}

fn parse(text: &str) -> Config {
    Config::parse(text, Path::new("hostile.toml")).unwrap_or_else(|e| panic!("{e}"))
}

const AM_ALERTS: &str = r#"[{"labels":{"alertname":"HighLatency","team":"search"},"annotations":{"summary":"slow"},"startsAt":"2020-11-20T12:00:00.000Z","endsAt":"2020-11-20T13:00:00.000Z","updatedAt":"2020-11-20T12:00:00.000Z","fingerprint":"0123456789abcdef","receivers":[{"name":"null"}],"status":{"state":"active","silencedBy":[],"inhibitedBy":[]},"generatorURL":"http://prometheus/graph"}]"#;
const AM_SILENCES: &str = r#"[{"id":"2b6d0b7c-6b4f-4d4c-9a55-0a6d2d4b1e01","status":{"state":"active"},"updatedAt":"2020-11-20T12:00:00.000Z","comment":"on it","createdBy":"alice","endsAt":"2020-11-20T14:00:00.000Z","startsAt":"2020-11-20T12:00:00.000Z","matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"HighLatency"}]}]"#;
const AM_STATUS: &str = r#"{"cluster":{"name":"01EQ","peers":[{"address":"127.0.0.1:9094","name":"01EQ"}],"status":"ready"},"config":{"original":"route: {}"},"uptime":"2020-11-20T12:00:00.000Z","versionInfo":{"version":"0.21.0"}}"#;
const PROM_ALERTS: &str = r#"{"status":"success","data":{"alerts":[{"labels":{"alertname":"DiskFull","severity":"critical"},"annotations":{"summary":"disk"},"state":"pending","activeAt":"2020-11-20T12:00:00.000Z","value":"1e+00"}]}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_and_prometheus_clients_reject_hostile_answers() {
    let server = HostileServer::start(Reply::json("")).await;
    let url = &server.url;
    let cfg = parse(&format!(
        "[[alertmanager]]\nname = \"prod\"\nurl = \"{url}\"\ntimeout = \"5s\"\n\n\
         [[prometheus]]\nname = \"prom\"\nurl = \"{url}/\"\ntimeout = \"5s\"\n"
    ));
    let am = AlertmanagerClient::new(&cfg.alertmanager[0]).expect("client");
    let prom = PrometheusClient::new(&cfg.prometheus[0]).expect("client");

    let bad_gateway = "HTTP 502 Bad Gateway";
    check(
        &server,
        "alerts",
        "prod: GET /api/v2/alerts: ",
        cases(AM_ALERTS, None, bad_gateway),
        || async { am.alerts().await.map(|_| ()).map_err(|e| e.to_string()) },
    )
    .await;
    check(
        &server,
        "silences",
        "prod: GET /api/v2/silences: ",
        cases(AM_SILENCES, None, bad_gateway),
        || async { am.silences().await.map(|_| ()).map_err(|e| e.to_string()) },
    )
    .await;
    check(
        &server,
        "status",
        "prod: GET /api/v2/status: ",
        cases(
            AM_STATUS,
            Some(&AM_STATUS.replace(r#""peers":["#, r#""peers":5,"x":["#)),
            bad_gateway,
        ),
        || async { am.peers().await.map(|_| ()).map_err(|e| e.to_string()) },
    )
    .await;
    let silence = NewSilence {
        id: None,
        matchers: vec![Matcher::parse(r#"alertname="HighLatency""#).expect("matcher")],
        starts_at: Utc::now(),
        ends_at: Utc::now() + chrono::TimeDelta::hours(2),
        created_by: "tester".into(),
        comment: "on it".into(),
    };
    check(
        &server,
        "post silence",
        "prod: POST /api/v2/silences: ",
        cases(
            r#"{"silenceID":"2b6d0b7c-6b4f-4d4c-9a55-0a6d2d4b1e01"}"#,
            Some(r#"{"silenceID":5}"#),
            bad_gateway,
        ),
        || async {
            am.post_silence(&silence)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )
    .await;
    check(
        &server,
        "prometheus",
        "prom: GET /api/v1/alerts: ",
        cases(
            PROM_ALERTS,
            Some(&PROM_ALERTS.replace(r#""alerts":["#, r#""alerts":5,"x":["#)),
            bad_gateway,
        ),
        || async { prom.alerts().await.map(|_| ()).map_err(|e| e.to_string()) },
    )
    .await;

    // Remote text in an error is clipped: a 400 with a megabyte of text,
    // a huge serde complaint, a huge Prometheus error.
    let long = "x".repeat(1 << 20);
    server.set(Reply::new(400, "text/plain", long.clone()));
    let err = am.alerts().await.expect_err("400").to_string();
    assert!(
        err.starts_with("prod: GET /api/v2/alerts: HTTP 400: xxx"),
        "{err}"
    );
    assert!(err.len() < 400, "{} bytes", err.len());
    // A huge bad record is skipped with a short reason.
    server.set(Reply::json(format!(r#"[{{"labels":"{long}"}}]"#)));
    let (alerts, skipped) = am.alerts().await.expect("the list is read");
    assert!(alerts.is_empty());
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]
            .detail
            .starts_with("alert 1 of 1: invalid type: string"),
        "{}",
        skipped[0].detail
    );
    assert!(
        skipped[0].detail.len() < 400,
        "{} bytes",
        skipped[0].detail.len()
    );
    server.set(Reply::json(format!(
        r#"{{"status":"error","errorType":"bad_data","error":"{long}"}}"#
    )));
    let err = prom.alerts().await.expect_err("error status").to_string();
    assert!(err.starts_with("prom: GET /api/v1/alerts: xxx"), "{err}");
    assert!(err.len() < 400, "{} bytes", err.len());
}

const ISSUE: &str = r#"{"url":"https://api.github.com/repos/o/r/issues/1","repository_url":"https://api.github.com/repos/o/r","labels_url":"https://api.github.com/repos/o/r/issues/1/labels{/name}","comments_url":"https://api.github.com/repos/o/r/issues/1/comments","events_url":"https://api.github.com/repos/o/r/issues/1/events","html_url":"https://github.com/o/r/issues/1","id":1,"node_id":"I_1","number":1,"title":"3.23 release","user":{"login":"alice","id":2,"node_id":"U_2","avatar_url":"https://avatars.githubusercontent.com/u/2","gravatar_id":"","url":"https://api.github.com/users/alice","html_url":"https://github.com/alice","followers_url":"https://api.github.com/users/alice/followers","following_url":"https://api.github.com/users/alice/following{/other_user}","gists_url":"https://api.github.com/users/alice/gists{/gist_id}","starred_url":"https://api.github.com/users/alice/starred{/owner}{/repo}","subscriptions_url":"https://api.github.com/users/alice/subscriptions","organizations_url":"https://api.github.com/users/alice/orgs","repos_url":"https://api.github.com/users/alice/repos","events_url":"https://api.github.com/users/alice/events{/privacy}","received_events_url":"https://api.github.com/users/alice/received_events","type":"User","site_admin":false},"labels":[],"state":"open","locked":false,"assignee":null,"assignees":[],"milestone":null,"comments":0,"created_at":"2020-11-20T12:00:00Z","updated_at":"2020-11-20T12:00:00Z","closed_at":null,"author_association":"OWNER","body":"- [ ] step"}"#;

fn github_config(api_url: &str, extra: &str) -> Config {
    parse(&format!(
        "[github]\napi_url = \"{api_url}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\ntimeout = \"5s\"\n{extra}"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_client_rejects_hostile_answers() {
    let server = HostileServer::start(Reply::json("")).await;
    let cfg = github_config(&format!("{}/api/v3", server.url), "");
    let gh = GithubClient::new(cfg.github.as_ref().expect("github"), "o/r").expect("client");

    // The document is one octocrab accepts.
    server.set(Reply::json(ISSUE));
    let issue = gh.issue(1).await.expect("a good answer parses");
    assert_eq!(issue.title, "3.23 release");

    let wrong = ISSUE.replace(r#""number":1"#, r#""number":"one""#);
    let bad_gateway = "GitHub server error 502; try again";
    check(
        &server,
        "issue",
        "GitHub: o/r#1: ",
        cases(ISSUE, Some(&wrong), bad_gateway),
        || async { gh.issue(1).await.map(|_| ()).map_err(|e| e.to_string()) },
    )
    .await;
    check(
        &server,
        "update",
        "GitHub: updating o/r#1: ",
        cases(ISSUE, Some(&wrong), bad_gateway),
        || async {
            gh.update_body(1, "- [x] step")
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )
    .await;
    check(
        &server,
        "user",
        "GitHub: the current user: ",
        cases(
            r#"{"login":"octocat","id":1}"#,
            Some(r#"{"login":5}"#),
            bad_gateway,
        ),
        || async {
            gh.current_user()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )
    .await;

    // A next page outside the API is not followed.
    let elsewhere = HostileServer::start(Reply::json("[]")).await;
    server.set(Reply {
        headers: vec![(
            "Link".into(),
            format!(
                "<{}/api/v3/repos/o/r/issues?page=2>; rel=\"next\"",
                elsewhere.url
            ),
        )],
        ..Reply::json("[]")
    });
    let err = gh
        .open_issues("release-blocker", None)
        .await
        .expect_err("cross-host page")
        .to_string();
    assert_eq!(
        err,
        format!(
            "GitHub: issues labelled \"release-blocker\" in o/r: the next page is outside {}/api/v3; not followed",
            server.url
        )
    );
    assert_eq!(elsewhere.hits(), 0);

    // A megabyte-long error message from the server is clipped.
    let long = "x".repeat(1 << 20);
    server.set(Reply::new(
        404,
        "application/json",
        format!(r#"{{"message":"{long}"}}"#),
    ));
    let err = gh.issue(1).await.expect_err("404").to_string();
    assert!(err.starts_with("GitHub: o/r#1: 404"), "{err}");
    assert!(err.len() < 400, "{} bytes", err.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_never_show_credentials() {
    // GitHub with a token from token_command and a password in the URL:
    // neither may appear in any error, whatever the server does.
    let server = HostileServer::start(Reply::json("")).await;
    let api = format!("http://opsdeck:url-s3cret@{}/api/v3", server.addr);
    let cfg = github_config(&api, "token_command = [\"echo\", \"tok-s3cret\"]\n");
    let gh = GithubClient::new(cfg.github.as_ref().expect("github"), "o/r").expect("client");
    let mut errors = Vec::new();
    let wrong = ISSUE.replace(r#""number":1"#, r#""number":"one""#);
    for case in cases(ISSUE, Some(&wrong), "502") {
        server.set(case.reply);
        let err = gh.issue(1).await.expect_err("hostile").to_string();
        assert!(err.contains(case.reason), "{}: {err}", case.name);
        errors.push(err);
    }
    let refused = format!(
        "http://opsdeck:url-s3cret@127.0.0.1:{}/api/v3",
        closed_port()
    );
    let cfg = github_config(&refused, "token_command = [\"echo\", \"tok-s3cret\"]\n");
    let gh = GithubClient::new(cfg.github.as_ref().expect("github"), "o/r").expect("client");
    let err = gh.issue(1).await.expect_err("refused").to_string();
    assert!(err.contains("connection refused"), "{err}");
    errors.push(err);
    // The same for an Alertmanager with a password in its URL: refused,
    // timed out, and hostile answers.
    let hang = Hang::start();
    for (url, timeout) in [
        (
            format!("http://opsdeck:url-s3cret@127.0.0.1:{}", closed_port()),
            "5s",
        ),
        (
            format!("http://opsdeck:url-s3cret@127.0.0.1:{}", hang.port),
            "300ms",
        ),
        (format!("http://opsdeck:url-s3cret@{}", server.addr), "5s"),
    ] {
        let cfg = parse(&format!(
            "[[alertmanager]]\nname = \"prod\"\nurl = \"{url}\"\ntimeout = \"{timeout}\"\n"
        ));
        let am = AlertmanagerClient::new(&cfg.alertmanager[0]).expect("client");
        for case in cases(AM_ALERTS, Some("{\"a\":5}"), "502") {
            server.set(case.reply);
            errors.push(am.alerts().await.expect_err("fails").to_string());
            if !url.ends_with(&server.addr.to_string()) {
                break; // refused and timed out do not depend on the answer
            }
        }
    }
    assert!(errors.iter().any(|e| e.ends_with("connection refused")));
    assert!(errors.iter().any(|e| e.ends_with("timed out after 300ms")));
    for e in &errors {
        assert!(!e.contains("s3cret"), "credentials in an error: {e}");
    }
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_client_rejects_hostile_answers() {
    let server = HostileServer::start(Reply::json("")).await;
    let client = RegistryClient::new(&server.url, RegistryAuth::Anonymous, Duration::from_secs(5))
        .expect("client");
    let host = server.url.trim_start_matches("http://").to_string();
    let doc = r#"{"name":"sourcegraph/frontend","tags":["3.22.0","3.23.0","insiders"]}"#;
    server.set(Reply::json(doc));
    assert_eq!(
        client.tags("sourcegraph/frontend").await.expect("good"),
        ["3.22.0", "3.23.0", "insiders"]
    );
    check(
        &server,
        "tags",
        &format!("registry {host} sourcegraph/frontend: "),
        cases(
            doc,
            Some(r#"{"name":"sourcegraph/frontend","tags":[3,22]}"#),
            "502 Bad Gateway",
        ),
        || async {
            client
                .tags("sourcegraph/frontend")
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    )
    .await;

    // Tags that could never be pinned (spaces, newlines, YAML) are dropped.
    server.set(Reply::json(
        r#"{"name":"a/b","tags":["3.23.0","bad tag","x\nimage: evil","-x","ok_1"]}"#,
    ));
    assert_eq!(client.tags("a/b").await.expect("tags"), ["3.23.0", "ok_1"]);

    // Credentials go with every page, so a next page on another host is
    // not followed.
    let elsewhere = HostileServer::start(Reply::json(doc)).await;
    server.set(Reply {
        headers: vec![(
            "Link".into(),
            format!("<{}/v2/a/b/tags/list?last=1>; rel=\"next\"", elsewhere.url),
        )],
        ..Reply::json(r#"{"name":"a/b","tags":["1"]}"#)
    });
    let err = client
        .tags("a/b")
        .await
        .expect_err("cross-host page")
        .to_string();
    assert_eq!(
        err,
        format!(
            "registry {host} a/b: tags/list: the next page is on another host (127.0.0.1); not followed"
        )
    );
    assert_eq!(elsewhere.hits(), 0);

    // A manifest digest that is not one is refused, never passed on.
    for digest in [
        "sha256:abc def",
        "sha256:\"; rm -rf /",
        "notadigest",
        &format!("sha256:{}", "a".repeat(5000)),
    ] {
        server.set(Reply {
            headers: vec![("Docker-Content-Digest".into(), digest.into())],
            ..Reply::json("")
        });
        let err = client
            .digest("a/b", "1.0")
            .await
            .expect_err("bad digest")
            .to_string();
        assert_eq!(
            err,
            format!("registry {host} a/b:1.0: invalid Docker-Content-Digest header")
        );
    }
    // A megabyte-long registry error is clipped.
    let long = "x".repeat(1 << 20);
    server.set(Reply::new(
        404,
        "application/json",
        format!(r#"{{"errors":[{{"code":"NAME_UNKNOWN","message":"{long}"}}]}}"#),
    ));
    let err = client.tags("a/b").await.expect_err("404").to_string();
    assert!(
        err.starts_with(&format!("registry {host} a/b: 404")),
        "{err}"
    );
    assert!(err.len() < 400, "{} bytes", err.len());
}

fn deploy_with_instance(url: &str, pointer: Option<&str>) -> Deployer {
    let pointer = pointer
        .map(|p| format!("json_pointer = \"{p}\"\n"))
        .unwrap_or_default();
    let cfg = parse(&format!(
        "[deploy]\nrepo = \"/nonexistent\"\n\n[[deploy.instance]]\nname = \"dogfood\"\nversion_url = \"{url}/__version\"\nimages = [\"sourcegraph/frontend\"]\ntimeout = \"5s\"\n{pointer}"
    ));
    Deployer::from_config(&cfg)
        .expect("deployer")
        .expect("configured")
}

/// What `Deployer::versions` gives for one hostile answer.
async fn version(deployer: &Deployer) -> Result<String, String> {
    let mut v = deployer.versions().await;
    assert_eq!(v.len(), 1);
    let v = v.remove(0);
    assert_eq!(v.name, "dogfood");
    v.version.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_version_fetch_survives_hostile_answers() {
    let server = HostileServer::start(Reply::new(200, "text/plain", "3.23.0\n")).await;
    let plain = deploy_with_instance(&server.url, None);
    let json = deploy_with_instance(&server.url, Some("/version"));
    assert_eq!(version(&plain).await, Ok("3.23.0".into()));
    server.set(Reply::json(r#"{"version":"3.23.0"}"#));
    assert_eq!(version(&json).await, Ok("3.23.0".into()));

    // What holds today: no panic, and these are errors.
    for case in cases(r#"{"version":"3.23.0"}"#, Some(r#"{"version":null}"#), "") {
        server.set(case.reply.clone());
        let got = version(&json).await;
        assert!(got.is_err(), "json, {}: {got:?}", case.name);
        let got = version(&plain).await;
        if matches!(
            case.name,
            "a huge chunked body"
                | "a huge declared body"
                | "an HTML 502"
                | "an empty 200"
                | "a 200 of whitespace"
        ) {
            assert!(got.is_err(), "plain, {}: {got:?}", case.name);
        }
    }
}

/// What `Deployer::versions` should do once it caps the body and refuses
/// non-text answers (src/deploy/service.rs, `instance_version`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_version_fetch_caps_the_body_and_refuses_html() {
    let server = HostileServer::start(Reply::json("")).await;
    let plain = deploy_with_instance(&server.url, None);
    let json = deploy_with_instance(&server.url, Some("/version"));
    for (deployer, kind) in [(&plain, "plain"), (&json, "json")] {
        for case in cases(
            r#"{"version":"3.23.0"}"#,
            Some(r#"{"version":{"a":1}}"#),
            "502",
        ) {
            if kind == "plain"
                && matches!(
                    case.name,
                    "truncated JSON" | "wrong types" | "a bare {\"labels\": 5}"
                )
            {
                continue; // a plain-text version need not be JSON
            }
            server.set(case.reply.clone());
            let started = Instant::now();
            let got = version(deployer).await;
            let err = got.expect_err(&format!("{kind}, {}", case.name));
            assert!(err.len() < 300, "{kind}, {}: {err}", case.name);
            if case.name.starts_with("a huge") {
                assert!(err.contains("32 MiB"), "{kind}, {}: {err}", case.name);
                assert!(started.elapsed() < Duration::from_secs(5));
            }
            if case.name == "an HTML page with 200" {
                assert!(err.contains("HTML"), "{kind}: {err}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_source_in_the_running_app_shows_a_clean_error() {
    let server = HostileServer::start(Reply::new(200, "text/html", HTML_502)).await;
    let cfg = parse(&format!(
        "[[alertmanager]]\nname = \"evil\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n[alerts]\nrefresh = \"500ms\"\n",
        server.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 10, "the HTML error", |s| {
        s.source("evil").and_then(|x| x.error.clone()).is_some()
    })
    .await;
    let err = rt
        .state
        .source("evil")
        .and_then(|s| s.error.clone())
        .unwrap_or_default();
    assert!(
        err.ends_with(": invalid response: got HTML; is the url right?"),
        "{err}"
    );
    // Escape sequences and bidi overrides in a payload never reach the screen.
    server.set(Reply::new(
        500,
        "text/plain",
        "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{202e}boom",
    ));
    until(&mut rt, 10, "the 500", |s| {
        s.source("evil")
            .and_then(|x| x.error.as_deref())
            .is_some_and(|e| e.contains("HTTP 500"))
    })
    .await;
    let err = rt
        .state
        .source("evil")
        .and_then(|s| s.error.clone())
        .unwrap_or_default();
    assert!(
        err.starts_with("GET /api/v2/") && err.ends_with(": HTTP 500: ]52;c;ZXZpbA==[2Jboom"),
        "control characters are dropped from remote text: {err:?}"
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&rt.state, f))
        .expect("draw");
    let buf = terminal.backend().buffer();
    let header: String = (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_string())
        .collect();
    assert!(header.contains("evil ✗"), "{header}");
    assert!(header.contains("boom"), "{header}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!header.contains(bad), "{header:?}");
    }
}

/// One record each client cannot decode, among good ones (the shapes real
/// Alertmanager 0.25 and Prometheus send): the bad one is skipped and
/// counted with a reason that names it; the good ones are all kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_poisoned_record_is_skipped_and_counted() {
    let server = HostileServer::start(Reply::json("")).await;
    let url = &server.url;
    let cfg = parse(&format!(
        "[[alertmanager]]\nname = \"prod\"\nurl = \"{url}\"\ntimeout = \"5s\"\n\n\
         [[prometheus]]\nname = \"prom\"\nurl = \"{url}\"\ntimeout = \"5s\"\n"
    ));
    let am = AlertmanagerClient::new(&cfg.alertmanager[0]).expect("client");
    let prom = PrometheusClient::new(&cfg.prometheus[0]).expect("client");
    let good = AM_ALERTS.trim_start_matches('[').trim_end_matches(']');
    let second = good
        .replace("HighLatency", "DiskFull")
        .replace("0123456789abcdef", "fedcba9876543210");
    let poisoned = good.replace("HighLatency", "Poisoned").replace(
        r#""startsAt":"2020-11-20T12:00:00.000Z""#,
        r#""startsAt":"yesterday""#,
    );

    server.set(Reply::json(format!("[{good},{poisoned},{second}]")));
    let (alerts, skipped) = am.alerts().await.expect("alerts");
    let names: Vec<&str> = alerts.iter().map(|a| a.name()).collect();
    assert_eq!(names, ["HighLatency", "DiskFull"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].kind, RecordKind::Alert);
    assert!(
        skipped[0].detail.starts_with("alert 2 of 3 (Poisoned): "),
        "{}",
        skipped[0].detail
    );

    let silence = AM_SILENCES.trim_start_matches('[').trim_end_matches(']');
    let bad_silence = silence
        .replace("2b6d0b7c", "deadbeef")
        .replace(r#""isRegex":false"#, r#""isRegex":"no""#);
    server.set(Reply::json(format!("[{bad_silence},{silence}]")));
    let (silences, skipped) = am.silences().await.expect("silences");
    assert_eq!(silences.len(), 1);
    assert_eq!(silences[0].id, "2b6d0b7c-6b4f-4d4c-9a55-0a6d2d4b1e01");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]
            .detail
            .starts_with("silence 1 of 2 (deadbeef-6b4f-4d4c-9a55-0a6d2d4b1e01): invalid type"),
        "{}",
        skipped[0].detail
    );

    server.set(Reply::json(AM_STATUS.replace(
        r#""peers":["#,
        r#""peers":[{"address":"127.0.0.1:9095"},"#,
    )));
    let (peers, skipped) = am.peers().await.expect("status");
    assert_eq!(peers, ["01EQ"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].kind, RecordKind::Status);

    let pending = PROM_ALERTS
        .split_once(r#""alerts":["#)
        .and_then(|(_, rest)| rest.strip_suffix("]}}"))
        .expect("one alert");
    let bad_pending = pending.replace(r#""severity":"critical""#, r#""severity":["critical"]"#);
    server.set(Reply::json(format!(
        r#"{{"status":"success","data":{{"alerts":[{pending},{bad_pending}]}}}}"#
    )));
    let (alerts, skipped) = prom.alerts().await.expect("prometheus");
    assert_eq!(alerts.len(), 1);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].detail.starts_with("alert 2 of 2: invalid type"),
        "{}",
        skipped[0].detail
    );

    // The snapshot keeps everything good, and a status that cannot be read
    // at all only degrades it.
    server.set(Reply::json(format!("[{good},{poisoned}]")));
    let snap = am.snapshot().await;
    // Every path gets the same answer here: alerts parse (one skipped),
    // silences are alerts (each skipped), status is a list (unreadable).
    let snap = snap.expect("a degraded snapshot, not an error");
    assert_eq!(snap.alerts.len(), 1);
    assert!(snap.silences.is_empty());
    let kinds: Vec<RecordKind> = snap.skipped.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            RecordKind::Alert,
            RecordKind::Silence,
            RecordKind::Silence,
            RecordKind::Status
        ],
        "{:?}",
        snap.skipped
    );
    assert_eq!(
        opsdeck::alerts::model::skipped_summary(&snap.skipped),
        "1 alert not understood, 2 silences not understood, 1 status record not understood"
    );
}
