//! Faults while the app runs headless: real servers killed and restarted
//! (Alertmanager 20 times, Prometheus, the registry), GitHub failing and
//! recovering, and servers that accept a connection and never answer.
//!
//! After each kill the source must show as down with its error within two
//! refresh intervals, keeping the time of its last good data (so its age
//! keeps counting); the first refresh after the restart must succeed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use opsdeck::alerts::source::SourceEvent;
use opsdeck::app::state::{SourceStatus, State};
use opsdeck::app::{Action, DeployEvent, ReleaseEvent};
use opsdeck::config::Config;
use opsdeck::deploy::sync::{ImageStatus, SyncState};
use opsdeck::runtime::Runtime;
use opsdeck_testkit::git::git;
use opsdeck_testkit::github::{Fault, GithubFake, IssueSeed};
use opsdeck_testkit::push::push_image;
use opsdeck_testkit::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};
use opsdeck_testkit::servers::{Alertmanager, DockerRegistry, Prometheus, SAMPLE_RULES};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use crate::hostile::Hang;
use crate::support::{sg_alert, summary};

/// What an action tells about a source's refresh.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    /// A refresh of this source finished, well or not, at this time.
    Done {
        name: String,
        ok: bool,
        at: DateTime<Utc>,
    },
    Other,
}

fn seen(action: &Action) -> Seen {
    let done = |name: &str, ok: bool, at: &DateTime<Utc>| Seen::Done {
        name: name.to_string(),
        ok,
        at: *at,
    };
    match action {
        Action::Source(SourceEvent::Alertmanager { name, result, at }) => {
            done(name, result.is_ok(), at)
        }
        Action::Source(SourceEvent::Prometheus {
            name, result, at, ..
        }) => done(name, result.is_ok(), at),
        Action::Release(event) => match event.as_ref() {
            ReleaseEvent::Loaded { result, at } => done("github", result.is_ok(), at),
            _ => Seen::Other,
        },
        Action::Deploy(DeployEvent::Loaded { result, at }) => done("deploy", result.is_ok(), at),
        _ => Seen::Other,
    }
}

/// Processes actions, showing each (before it is applied) and the state
/// after it to `f`, until `f` returns `Some`; panics after `limit`.
async fn watch<T>(
    rt: &mut Runtime,
    limit: Duration,
    what: &str,
    mut f: impl FnMut(&Seen, &State) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let action = match tokio::time::timeout_at(deadline, rt.next_action()).await {
            Ok(Some(action)) => action,
            Ok(None) => panic!("the app's channel closed while waiting for {what}"),
            Err(_) => panic!(
                "no {what} within {limit:?}\n{}",
                summary_with_deploy(&rt.state)
            ),
        };
        let s = seen(&action);
        rt.dispatch(action);
        rt.state.now = Utc::now();
        if let Some(v) = f(&s, &rt.state) {
            return v;
        }
    }
}

fn summary_with_deploy(s: &State) -> String {
    let mut out = summary(s);
    if let Some(snap) = &s.deploy.snapshot {
        for i in &snap.images {
            out.push_str(&format!(
                "image {} {} {:?}\n",
                i.repository,
                i.sync.as_str(),
                i.reason
            ));
        }
    }
    out
}

fn status(rt: &Runtime, name: &str) -> SourceStatus {
    rt.state
        .source(name)
        .unwrap_or_else(|| panic!("no source {name}"))
        .clone()
}

/// The header line as drawn.
fn header(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(200, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    let buf = terminal.backend().buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_string())
        .collect()
}

fn parse(text: &str) -> Config {
    Config::parse(text, Path::new("faults.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// One kill/restart cycle of an alerts source: checks the down state, the
/// kept age and the recovery. `kill` and `restart` act on the server.
async fn down_and_up<S>(
    rt: &mut Runtime,
    name: &str,
    refresh: Duration,
    cycle: usize,
    server: &mut S,
    kill: impl FnOnce(&mut S),
    restart: impl FnOnce(&mut S),
) {
    let before = status(rt, name);
    assert!(before.ok(), "cycle {cycle}: {name} healthy before the kill");
    let alerts_before = rt.state.alerts.all.len();

    kill(server);
    let killed = Instant::now();
    watch(
        rt,
        2 * refresh,
        &format!("cycle {cycle}: {name} down within two refresh intervals"),
        |_, s| s.source(name).and_then(|x| x.error.clone()),
    )
    .await;
    assert!(killed.elapsed() <= 2 * refresh, "cycle {cycle}");
    let down = status(rt, name);
    let error = down.error.clone().unwrap_or_default();
    assert!(
        error.contains(": connection") || error.contains("closed"),
        "cycle {cycle}: {error}"
    );
    assert!(!down.ok());
    // The last good data and its time are kept: its age keeps counting.
    assert!(
        down.last_ok.is_some() && down.last_ok >= before.last_ok,
        "cycle {cycle}: {down:?} vs {before:?}"
    );
    assert_eq!(rt.state.alerts.all.len(), alerts_before, "cycle {cycle}");
    let line = header(&rt.state);
    assert!(
        line.contains(&format!("{name} ✗ ")) && line.contains(" old)"),
        "cycle {cycle}: {line}"
    );
    if cycle % 5 == 1 {
        // Another failed refresh changes neither the time nor the data.
        watch(
            rt,
            2 * refresh,
            &format!("cycle {cycle}: another failed refresh of {name}"),
            |e, _| matches!(e, Seen::Done { name: n, ok: false, .. } if n == name).then_some(()),
        )
        .await;
        let again = status(rt, name);
        assert_eq!(again.last_ok, down.last_ok, "cycle {cycle}");
        assert!(again.error.is_some());
        let every = chrono::TimeDelta::from_std(refresh).expect("delta");
        assert!(rt.state.now - again.last_ok.unwrap_or_default() >= every);
    }

    restart(server);
    let restarted = Utc::now();
    // The first refresh that finishes after the restart succeeds (one that
    // was refused before it may still be queued).
    let (ok, at) = watch(
        rt,
        3 * refresh,
        &format!("cycle {cycle}: a refresh of {name} after the restart"),
        |e, _| match e {
            Seen::Done { name: n, ok, at } if n == name && *at > restarted => Some((*ok, *at)),
            _ => None,
        },
    )
    .await;
    let up = status(rt, name);
    assert!(
        ok,
        "cycle {cycle}: the first refresh after the restart failed: {up:?}"
    );
    assert!(up.ok() && up.error.is_none(), "cycle {cycle}: {up:?}");
    assert_eq!(up.last_ok, Some(at), "cycle {cycle}: fresh data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_killed_and_restarted_20_times() {
    const CYCLES: usize = 20;
    let refresh = Duration::from_millis(500);
    let mut am = Alertmanager::start();
    let alert = json!([sg_alert(
        "critical",
        "frontend",
        "hard_error_rate",
        "search"
    )]);
    am.post_alerts(&alert);
    let cfg = parse(&format!(
        "[[alertmanager]]\nname = \"am\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n[alerts]\nrefresh = \"500ms\"\n",
        am.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    watch(&mut rt, Duration::from_secs(10), "the alert", |_, s| {
        (s.alerts.all.len() == 1 && s.source("am").is_some_and(SourceStatus::ok)).then_some(())
    })
    .await;
    let started = Instant::now();
    for cycle in 1..=CYCLES {
        down_and_up(
            &mut rt,
            "am",
            refresh,
            cycle,
            &mut am,
            Alertmanager::kill,
            |am| {
                am.restart();
                // Alerts live in memory: post it again, as Prometheus would.
                am.post_alerts(&alert);
            },
        )
        .await;
    }
    eprintln!(
        "{CYCLES} Alertmanager kill/restart cycles in {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_killed_and_restarted() {
    const CYCLES: usize = 4;
    let refresh = Duration::from_secs(1);
    let mut prom = Prometheus::start(SAMPLE_RULES, &[]);
    let cfg = parse(&format!(
        "[[prometheus]]\nname = \"prom\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n[alerts]\nrefresh = \"1s\"\n",
        prom.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    watch(&mut rt, Duration::from_secs(20), "prom's alerts", |_, s| {
        (!s.alerts.all.is_empty() && s.source("prom").is_some_and(SourceStatus::ok)).then_some(())
    })
    .await;
    let started = Instant::now();
    for cycle in 1..=CYCLES {
        down_and_up(
            &mut rt,
            "prom",
            refresh,
            cycle,
            &mut prom,
            Prometheus::kill,
            Prometheus::restart,
        )
        .await;
    }
    eprintln!(
        "{CYCLES} Prometheus kill/restart cycles in {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Deploy: the registry killed and restarted
// ---------------------------------------------------------------------------

/// A deploy checkout on `master` holding these manifests.
fn deploy_repo(files: &[(&str, String)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let checkout = dir.path().join("deploy");
    std::fs::create_dir_all(&checkout).expect("mkdir");
    git(&checkout, &["init", "--quiet", "--initial-branch=master"]);
    for (path, text) in files {
        let p = checkout.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    git(&checkout, &["add", "."]);
    git(&checkout, &["commit", "--quiet", "-m", "manifests"]);
    (dir, checkout)
}

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
    )
}

fn image<'a>(s: &'a State, repository: &str) -> Option<&'a ImageStatus> {
    s.deploy
        .snapshot
        .as_ref()?
        .images
        .iter()
        .find(|i| i.repository == repository)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_killed_and_restarted_gives_unknown_while_deploy_stays_ok() {
    const CYCLES: usize = 3;
    let refresh = Duration::from_secs(1);
    let mut registry = DockerRegistry::start();
    let digest = push_image(&registry.url, "sourcegraph/frontend", "3.23.0", "fe");
    let (_dir, checkout) = deploy_repo(&[(
        "base/frontend.yaml",
        deployment(
            "frontend",
            &format!("index.docker.io/sourcegraph/frontend:3.23.0@{digest}"),
        ),
    )]);
    let cfg = parse(&format!(
        "[deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = [\"base/*.yaml\"]\nrefresh = \"1s\"\n\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n",
        checkout.display(),
        registry.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    let synced = |s: &State| {
        image(s, "sourcegraph/frontend").is_some_and(|i| i.sync == SyncState::Synced)
            && s.source("deploy").is_some_and(SourceStatus::ok)
    };
    watch(
        &mut rt,
        Duration::from_secs(15),
        "frontend synced",
        |_, s| synced(s).then_some(()),
    )
    .await;
    let host = format!("127.0.0.1:{}", registry.port);
    let started = Instant::now();
    for cycle in 1..=CYCLES {
        let before = status(&rt, "deploy");
        registry.kill();
        let killed = Instant::now();
        watch(
            &mut rt,
            2 * refresh,
            &format!("cycle {cycle}: frontend unknown within two refresh intervals"),
            |_, s| {
                image(s, "sourcegraph/frontend")
                    .is_some_and(|i| i.sync == SyncState::Unknown)
                    .then_some(())
            },
        )
        .await;
        assert!(killed.elapsed() <= 2 * refresh);
        let frontend = image(&rt.state, "sourcegraph/frontend").expect("frontend");
        assert_eq!(
            frontend.reason.as_deref(),
            Some(format!("registry {host}: connection refused").as_str()),
            "cycle {cycle}"
        );
        // The deploy source itself is fine: it refreshed, and says why the
        // image is unknown.
        let deploy = status(&rt, "deploy");
        assert!(deploy.ok(), "cycle {cycle}: {deploy:?}");
        assert!(
            deploy.last_ok > before.last_ok,
            "cycle {cycle}: a fresh refresh"
        );

        registry.restart();
        let restarted = Utc::now();
        let (ok, at) = watch(
            &mut rt,
            3 * refresh,
            &format!("cycle {cycle}: a deploy refresh after the restart"),
            |e, _| match e {
                Seen::Done { name, ok, at } if name == "deploy" && *at > restarted => {
                    Some((*ok, *at))
                }
                _ => None,
            },
        )
        .await;
        assert!(ok, "cycle {cycle}");
        assert!(
            synced(&rt.state),
            "cycle {cycle}: {}",
            summary_with_deploy(&rt.state)
        );
        assert_eq!(
            image(&rt.state, "sourcegraph/frontend").and_then(|i| i.reason.clone()),
            None
        );
        assert_eq!(status(&rt, "deploy").last_ok, Some(at));
    }
    eprintln!(
        "{CYCLES} registry kill/restart cycles in {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// GitHub failing and recovering
// ---------------------------------------------------------------------------

const REPO: &str = "sourcegraph/sourcegraph";

fn seeded_github(fake: &GithubFake) {
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(16108),
        title: "3.23 release tracking issue".into(),
        body: "## Setup\n\n- [x] Confirm the captain\n- [ ] Cut the branch\n".into(),
        labels: vec!["release-tracking".into()],
        milestone: Some("3.23".into()),
        ..IssueSeed::default()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_failing_and_recovering() {
    let refresh = Duration::from_millis(500);
    let fake = GithubFake::start().await.expect("fake");
    seeded_github(&fake);
    let cfg = parse(&format!(
        "[alerts]\nrefresh = \"1h\"\n\n[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\ntimeout = \"1s\"\n\n\
         [release]\nrepo = \"{REPO}\"\nissue = 16108\nrefresh = \"500ms\"\n",
        fake.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    watch(&mut rt, Duration::from_secs(10), "the checklist", |_, s| {
        (s.release.doc.is_some() && s.source("github").is_some_and(SourceStatus::ok)).then_some(())
    })
    .await;
    // Down for two refreshes each time, in three ways.
    let faults: [(Fault, &str); 4] = [
        (
            Fault::status(Some("GET"), "/issues/16108", 503).times(2),
            "GitHub: sourcegraph/sourcegraph#16108: GitHub server error 503",
        ),
        (
            Fault::delay(Some("GET"), "/issues/16108", Duration::from_millis(1500)).times(2),
            "GitHub: cannot reach ",
        ),
        (
            Fault {
                status: 502,
                body: "<html><body><h1>502 Bad Gateway</h1></body></html>".into(),
                headers: vec![("content-type".into(), "text/html".into())],
                ..Fault::status(Some("GET"), "/issues/16108", 502)
            }
            .times(2),
            "GitHub: sourcegraph/sourcegraph#16108: GitHub server error 502; try again",
        ),
        (
            Fault::status(Some("GET"), "/issues/16108", 503).times(2),
            "GitHub: sourcegraph/sourcegraph#16108: GitHub server error 503",
        ),
    ];
    let started = Instant::now();
    for (cycle, (fault, expected)) in faults.into_iter().enumerate() {
        let before = status(&rt, "github");
        assert!(before.ok(), "cycle {cycle}: {before:?}");
        let timeout = fault.delay.is_some();
        fake.fail_next(fault);
        let failed = Instant::now();
        // A timeout takes the timeout (1s) to show.
        let limit = 2 * refresh
            + if timeout {
                Duration::from_secs(1)
            } else {
                Duration::ZERO
            };
        let mut outcomes = Vec::new();
        watch(
            &mut rt,
            limit,
            &format!("cycle {cycle}: github down"),
            |e, _| {
                if let Seen::Done { name, ok, .. } = e
                    && name == "github"
                {
                    outcomes.push(*ok);
                }
                outcomes.contains(&false).then_some(())
            },
        )
        .await;
        assert!(failed.elapsed() <= limit);
        let down = status(&rt, "github");
        let error = down.error.clone().unwrap_or_default();
        assert!(error.starts_with(expected), "cycle {cycle}: {error}");
        if timeout {
            assert!(error.ends_with(": timed out after 1s"), "{error}");
        }
        assert!(down.last_ok.is_some() && down.last_ok >= before.last_ok);
        assert!(rt.state.release.doc.is_some(), "the checklist stays");
        // The second failure keeps the time of the last good data; the
        // load after the faults run out succeeds.
        watch(
            &mut rt,
            2 * limit + refresh,
            &format!("cycle {cycle}: github back"),
            |e, _| {
                if let Seen::Done { name, ok, .. } = e
                    && name == "github"
                {
                    outcomes.push(*ok);
                }
                outcomes.contains(&true).then_some(())
            },
        )
        .await;
        assert_eq!(
            outcomes
                .iter()
                .skip_while(|ok| **ok)
                .copied()
                .collect::<Vec<_>>(),
            [false, false, true],
            "cycle {cycle}: two failed loads, then the first one after works"
        );
        let up = status(&rt, "github");
        assert!(
            up.ok() && up.last_ok > down.last_ok,
            "cycle {cycle}: {up:?}"
        );
    }
    eprintln!("4 GitHub down/up cycles in {:?}", started.elapsed());
}

// ---------------------------------------------------------------------------
// Servers that accept the connection and never answer
// ---------------------------------------------------------------------------

/// Runs for `window`, collecting the times of `healthy`'s good refreshes,
/// until `hung` has failed; returns (the good refresh times, `hung`'s error).
async fn healthy_beside_hung(
    rt: &mut Runtime,
    healthy: &str,
    hung: &str,
    window: Duration,
) -> (Vec<DateTime<Utc>>, String) {
    let start = Instant::now();
    let mut good = Vec::new();
    let mut hung_error = None;
    let deadline = tokio::time::Instant::now() + window;
    while tokio::time::Instant::now() < deadline {
        let Ok(Some(action)) = tokio::time::timeout_at(deadline, rt.next_action()).await else {
            break;
        };
        let e = seen(&action);
        rt.dispatch(action);
        rt.state.now = Utc::now();
        if let Seen::Done { name, ok, at } = e {
            if name == healthy {
                assert!(ok, "{healthy} failed: {:?}", rt.state.source(healthy));
                good.push(at);
            }
            if name == hung && hung_error.is_none() {
                assert!(!ok, "{hung} answered?");
                hung_error = rt.state.source(hung).and_then(|s| s.error.clone());
                let took = start.elapsed();
                assert!(
                    took >= Duration::from_millis(900) && took < Duration::from_secs(3),
                    "{hung} failed after {took:?}, not after its 1s timeout"
                );
            }
        }
    }
    (
        good,
        hung_error.unwrap_or_else(|| panic!("{hung} never failed")),
    )
}

/// The healthy source refreshed every interval the whole time.
fn assert_regular(good: &[DateTime<Utc>], refresh: Duration, window: Duration) {
    let expected = (window.as_millis() / refresh.as_millis()) as usize;
    assert!(
        good.len() + 1 >= expected,
        "{} good refreshes in {window:?}: {good:?}",
        good.len()
    );
    let slack = chrono::TimeDelta::milliseconds(500);
    let every = chrono::TimeDelta::from_std(refresh).expect("delta");
    for pair in good.windows(2) {
        assert!(pair[1] - pair[0] <= every + slack, "a gap: {good:?}");
    }
}

fn healthy_am_config(am: &Alertmanager) -> String {
    format!(
        "[[alertmanager]]\nname = \"good\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n",
        am.url
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_alertmanager_times_out_and_delays_no_other_source() {
    let refresh = Duration::from_secs(1);
    let window = Duration::from_millis(4500);
    let am = Alertmanager::start();
    let hang = Hang::start();
    let cfg = parse(&format!(
        "{}[[alertmanager]]\nname = \"hung\"\nurl = \"{}\"\ntimeout = \"1s\"\n\n[alerts]\nrefresh = \"1s\"\n",
        healthy_am_config(&am),
        hang.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    let (good, error) = healthy_beside_hung(&mut rt, "good", "hung", window).await;
    assert!(
        error.starts_with("GET /api/v2/") && error.ends_with(": timed out after 1s"),
        "{error}"
    );
    assert_regular(&good, refresh, window);
    assert!(status(&rt, "good").ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_github_times_out_and_delays_no_other_source() {
    let refresh = Duration::from_secs(1);
    let window = Duration::from_millis(4500);
    let am = Alertmanager::start();
    let hang = Hang::start();
    let cfg = parse(&format!(
        "{}[alerts]\nrefresh = \"1s\"\n\n[github]\napi_url = \"{}/api/v3\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\ntimeout = \"1s\"\n\n\
         [release]\nrepo = \"{REPO}\"\nissue = 16108\nrefresh = \"1s\"\n",
        healthy_am_config(&am),
        hang.url
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    let (good, error) = healthy_beside_hung(&mut rt, "good", "github", window).await;
    assert_eq!(
        error,
        format!(
            "GitHub: cannot reach {}/api/v3: timed out after 1s",
            hang.url
        )
    );
    assert_regular(&good, refresh, window);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_registry_times_out_and_delays_no_other_source() {
    let refresh = Duration::from_secs(1);
    let window = Duration::from_millis(4500);
    let am = Alertmanager::start();
    let hang = Hang::start();
    let healthy = FakeRegistry::start(FakeRegistryOptions::default())
        .await
        .expect("fake registry");
    let digest = demo_digest("gitserver:3.23.0");
    healthy.set_tags("sourcegraph/gitserver", &[("3.23.0", &digest)]);
    let (_dir, checkout) = deploy_repo(&[
        (
            "base/frontend.yaml",
            deployment("frontend", "hung.example/sourcegraph/frontend:3.22.0"),
        ),
        (
            "base/gitserver.yaml",
            deployment(
                "gitserver",
                &format!("good.example/sourcegraph/gitserver:3.23.0@{digest}"),
            ),
        ),
    ]);
    let cfg = parse(&format!(
        "{}[alerts]\nrefresh = \"1s\"\n\n\
         [deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = [\"base/*.yaml\"]\nrefresh = \"1s\"\n\n\
         [[deploy.registry]]\nhost = \"hung.example\"\nurl = \"{}\"\ntimeout = \"1s\"\n\n\
         [[deploy.registry]]\nhost = \"good.example\"\nurl = \"{}\"\ntimeout = \"2s\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n\n\
         [[deploy.instance]]\nname = \"dogfood\"\nversion_url = \"{}/__version\"\nimages = [\"sourcegraph/gitserver\"]\ntimeout = \"1s\"\n",
        healthy_am_config(&am),
        checkout.display(),
        hang.url,
        healthy.url,
        hang.url,
    ));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    let started = Instant::now();
    let mut good = Vec::new();
    let mut deploy_at = None;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(4500);
    while tokio::time::Instant::now() < deadline {
        let Ok(Some(action)) = tokio::time::timeout_at(deadline, rt.next_action()).await else {
            break;
        };
        let e = seen(&action);
        rt.dispatch(action);
        rt.state.now = Utc::now();
        match e {
            Seen::Done { name, ok, at } if name == "good" => {
                assert!(ok);
                good.push(at);
            }
            Seen::Done { name, ok, .. } if name == "deploy" && deploy_at.is_none() => {
                assert!(ok, "{:?}", rt.state.source("deploy"));
                deploy_at = Some(started.elapsed());
            }
            _ => {}
        }
    }
    let took = deploy_at.expect("a deploy refresh finished");
    assert!(
        took < Duration::from_secs(3),
        "the refresh is bounded by the 1s timeout: {took:?}"
    );
    assert_regular(&good, refresh, window);
    let port = hang.port;
    let frontend = image(&rt.state, "sourcegraph/frontend").expect("frontend");
    assert_eq!(frontend.sync, SyncState::Unknown);
    assert_eq!(
        frontend.reason.as_deref(),
        Some(format!("registry 127.0.0.1:{port}: timed out after 1s").as_str())
    );
    // The healthy registry's image was looked up all the same.
    let gitserver = image(&rt.state, "sourcegraph/gitserver").expect("gitserver");
    assert_eq!(gitserver.sync, SyncState::Synced, "{gitserver:?}");
    let running = &gitserver.running;
    assert_eq!(running.len(), 1);
    assert!(
        running[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("timed out")),
        "{running:?}"
    );
    assert!(status(&rt, "deploy").ok());
}
