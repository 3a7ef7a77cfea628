//! Alert history from a real Prometheus: rules that fire steadily, flap
//! with `time()` and resolve after a few seconds, read back through one
//! `query_range` on `ALERTS` over a one-minute window.

use std::time::Duration;

use chrono::Utc;
use opsdeck::alerts::client::PrometheusClient;
use opsdeck::alerts::history::History;
use opsdeck::alerts::model::Labels;
use opsdeck_testkit::servers::Prometheus;

use crate::support::config;

fn rules(resolve_at: i64) -> String {
    format!(
        r#"groups:
- name: history
  interval: 1s
  rules:
  - alert: Steady
    expr: vector(1)
    labels: {{team: storage, severity: warning}}
  - alert: Flapping
    expr: vector(1) and on() (floor(vector(time())) % 6 < 3)
    labels: {{team: storage, severity: critical}}
  - alert: Resolved
    expr: vector(1) and on() (vector(time()) < {resolve_at})
    labels: {{team: search, severity: warning}}
  - alert: SlowToFire
    expr: vector(1)
    for: 1h
    labels: {{team: search, severity: info}}
"#
    )
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn timeline<'a>(
    h: &'a History,
    name: &str,
    team: &str,
    severity: &str,
) -> &'a opsdeck::alerts::history::Timeline {
    // As Alertmanager holds it: the rule's labels plus an external one.
    let alert = labels(&[
        ("alertname", name),
        ("team", team),
        ("severity", severity),
        ("cluster", "prod"),
    ]);
    h.of(&alert)
        .unwrap_or_else(|| panic!("{name} has no history: {h:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn episodes_firing_time_flapping_and_resolved_from_real_alerts_series() {
    let started = Utc::now().timestamp();
    let prom = Prometheus::start(&rules(started + 4), &[]);
    let cfg = config(&[], &[("prom", &prom.url)], "");
    let client = PrometheusClient::new(&cfg.prometheus[0]).expect("client");
    // Long enough for two flaps (3 s on, 3 s off) and the resolve.
    tokio::time::sleep(Duration::from_secs(16)).await;

    let window = Duration::from_secs(60);
    let (h, skipped) = client.history(window, Utc::now()).await.expect("history");
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(h.step, Duration::from_secs(1));
    assert_eq!(h.len, 60);

    let steady = h.summarize(timeline(&h, "Steady", "storage", "warning"));
    assert_eq!(steady.episodes.len(), 1, "{steady:?}");
    assert!(steady.episodes[0].open, "still firing");
    assert!(!steady.flapping(3));
    let secs = steady.firing.num_seconds();
    assert!((10..=20).contains(&secs), "fired {secs}s of ~16");

    let flapping = h.summarize(timeline(&h, "Flapping", "storage", "critical"));
    assert!(
        flapping.episodes.len() >= 2,
        "on 3 s, off 3 s for 16 s: {flapping:?}"
    );
    // Each episode is about 3 s (Prometheus evaluates every second); one
    // still firing may have begun a moment ago.
    for e in &flapping.episodes {
        let d = e.duration().num_seconds();
        let least = if e.open { 0 } else { 1 };
        assert!((least..=4).contains(&d), "episode of {d}s: {flapping:?}");
    }
    assert!(flapping.firing < steady.firing);

    // What fires now (as Alertmanager would say): Steady, not Resolved.
    let resolved = h.resolved(Duration::from_secs(60), |i| {
        h.timelines()[i].labels.get("alertname") == Some("Steady")
    });
    let names: Vec<&str> = resolved
        .iter()
        .filter_map(|(t, _)| t.labels.get("alertname"))
        .collect();
    assert!(names.contains(&"Resolved"), "{names:?}");
    assert!(!names.contains(&"Steady"), "{names:?}");
    let (_, episode) = resolved
        .iter()
        .find(|(t, _)| t.labels.get("alertname") == Some("Resolved"))
        .expect("Resolved");
    assert!(episode.duration().num_seconds() <= 5, "{episode:?}");

    // Prometheus writes the answer the one way the fast path reads (no
    // spaces, `status` first, `metric` before `values`, nothing after the
    // result); read exactly instead, the same history.
    let end = Utc::now().timestamp();
    let raw = reqwest::Client::new()
        .get(format!("{}/api/v1/query_range", prom.url))
        .query(&[
            ("query", "ALERTS".to_string()),
            ("start", (end - 59).to_string()),
            ("end", end.to_string()),
            ("step", "1s".to_string()),
        ])
        .send()
        .await
        .expect("query_range")
        .text()
        .await
        .expect("body");
    assert!(
        raw.starts_with(r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"ALERTS","alertname":"#),
        "{raw}"
    );
    assert!(
        raw.contains(r#""},"values":[["#) && raw.ends_with("]}]}}"),
        "{raw}"
    );
    let at = opsdeck::alerts::history::at_unix(end - 59);
    let fast = History::from_matrix(&raw, at, Duration::from_secs(1), 60).expect("fast");
    let exact =
        History::from_reader(raw.as_bytes(), at, Duration::from_secs(1), 60).expect("exact");
    assert_eq!(fast, exact);
    assert_eq!(fast.0.timelines().len(), 4, "{:?}", fast.0);

    // Pending only (for: 1h): seen, never firing.
    let slow = h.summarize(timeline(&h, "SlowToFire", "search", "info"));
    assert!(slow.first_seen.is_some());
    assert!(slow.episodes.is_empty());
    assert_eq!(slow.firing.num_seconds(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_that_is_down_is_an_error_not_an_empty_history() {
    let mut prom = Prometheus::start(&rules(0), &[]);
    let cfg = config(&[], &[("prom", &prom.url)], "");
    prom.stop();
    let client = PrometheusClient::new(&cfg.prometheus[0]).expect("client");
    let e = client
        .history(Duration::from_secs(60), Utc::now())
        .await
        .expect_err("down");
    assert!(
        e.to_string().contains("GET /api/v1/query_range (ALERTS)"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_reads_history_in_its_own_poller_and_a_dead_prometheus_leaves_it_stale() {
    use crate::support::until;
    use opsdeck::runtime::Runtime;

    let started = Utc::now().timestamp();
    let mut prom = Prometheus::start(&rules(started + 4), &[]);
    let cfg = config(&[], &[("prom", &prom.url)], "");
    let mut cfg = cfg;
    cfg.alerts.history_window = Duration::from_secs(60);
    cfg.alerts.history_refresh = Duration::from_secs(1);
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    // Flapping's history shows two episodes once it has flapped twice.
    until(&mut rt, 30, "two flaps in the history", |s| {
        s.alerts.all.iter().any(|a| {
            a.name() == "Flapping"
                && s.alerts
                    .history
                    .summary(a)
                    .is_some_and(|h| h.episodes.len() >= 2)
        })
    })
    .await;
    assert!(rt.state.alerts.history.error.is_none());
    let teams: Vec<&str> = rt
        .state
        .alerts
        .teams()
        .iter()
        .map(|g| g.key.as_str())
        .collect();
    assert!(teams.contains(&"storage"), "{teams:?}");
    // The team's line counts its alerts firing together: Steady and
    // Flapping at the most.
    let storage = rt.state.alerts.history.team("storage").expect("storage");
    assert_eq!(storage.iter().max(), Some(&2), "{storage:?}");

    // Resolved stopped firing 4 s in: Prometheus no longer reports it, the
    // history does, with how long it fired.
    until(&mut rt, 20, "Resolved recently resolved", |s| {
        s.alerts
            .history
            .resolved
            .iter()
            .any(|r| r.name() == "Resolved")
    })
    .await;
    let names: Vec<&str> = rt
        .state
        .alerts
        .history
        .resolved
        .iter()
        .map(|r| r.name())
        .collect();
    assert!(!names.contains(&"Steady"), "still fires: {names:?}");
    let gone = &rt.state.alerts.history.resolved[0];
    assert!(gone.episode.duration().num_seconds() <= 5, "{gone:?}");
    assert_eq!(gone.team, "search");
    let text = crate::support::screen_text(&rt.state, 140, 40);
    assert!(text.contains("Recently resolved · last 1h (1)"), "{text}");

    // Since the last look: leave the view, and what fires anew after is
    // new on coming back (Flapping re-fires every 6 s; Steady is old).
    rt.dispatch(opsdeck::app::Action::Command(
        opsdeck::app::keymap::Command::ViewOverview,
    ));
    let left = rt.state.alerts.looked.left.expect("left");
    until(&mut rt, 20, "Flapping firing anew", |s| {
        s.alerts
            .all
            .iter()
            .any(|a| a.name() == "Flapping" && a.starts_at > left)
    })
    .await;
    rt.dispatch(opsdeck::app::Action::Command(
        opsdeck::app::keymap::Command::ViewAlerts,
    ));
    let looked = rt.state.alerts.looked;
    let new: Vec<&str> = rt
        .state
        .alerts
        .all
        .iter()
        .filter(|a| looked.is_new(a))
        .map(|a| a.name())
        .collect();
    assert_eq!(new, vec!["Flapping"]);
    let storage = rt
        .state
        .alerts
        .groups
        .iter()
        .position(|g| g.key == "storage")
        .expect("storage");
    rt.state.alerts.team = storage;
    let text = crate::support::screen_text(&rt.state, 140, 40);
    assert!(text.contains("storage — 2 alerts · 1 new"), "{text}");

    // Prometheus goes away: the history stays, marked stale; the alerts
    // it last gave stay listed (their own source marks them stale).
    prom.stop();
    until(&mut rt, 20, "the history marked stale", |s| {
        s.alerts.history.error.is_some()
    })
    .await;
    assert!(rt.state.alerts.history.history.is_some());
    assert!(!rt.state.alerts.all.is_empty());
}

#[test]
fn the_cli_adds_history_to_each_alert_and_lists_the_recently_resolved() {
    let started = Utc::now().timestamp();
    let prom = Prometheus::start(&rules(started + 4), &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    let text = crate::support::config_text(&[], &[("prom", &prom.url)], "")
        .replace("[alerts]\n", "[alerts]\nflap_threshold = 2\n");
    std::fs::write(&path, text).expect("write config");
    std::thread::sleep(Duration::from_secs(14));
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("--config")
            .arg(&path)
            .args(args)
            .output()
            .expect("run opsdeck");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    // Flapping is listed only while it fires (3 s of every 6): ask until
    // it is.
    let mut json = serde_json::Value::Null;
    for _ in 0..20 {
        json = serde_json::from_str(&run(&["alerts", "--history", "1m", "--json"])).expect("json");
        if json
            .to_string()
            .contains("\"alertname\":\"Flapping\",\"annotations\"")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let alerts: Vec<&serde_json::Value> = json["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .flat_map(|t| t["alerts"].as_array().expect("alerts"))
        .collect();
    let named = |n: &str| {
        alerts
            .iter()
            .find(|a| a["alertname"] == n)
            .unwrap_or_else(|| panic!("{n} missing: {json}"))
    };
    let steady = &named("Steady")["history"];
    assert_eq!(steady["window"], "1m");
    assert_eq!(steady["episodes"], 1);
    assert_eq!(steady["flapping"], false);
    assert!(steady["first_seen"].is_string(), "{steady}");
    let fired = steady["firing_seconds"].as_i64().expect("seconds");
    assert!((8..=20).contains(&fired), "{steady}");
    let flapping = &named("Flapping")["history"];
    // It may be between flaps right now; it has flapped at least twice.
    assert!(flapping["episodes"].as_u64() >= Some(2), "{flapping}");
    assert_eq!(flapping["flapping"], true, "flap_threshold = 2: {flapping}");
    let resolved = json["resolved"].as_array().expect("resolved");
    assert!(
        resolved
            .iter()
            .any(|r| r["alertname"] == "Resolved"
                && r["fired_seconds"].as_i64().is_some_and(|s| s <= 5)),
        "{json}"
    );
    // Without --history, no history keys at all.
    let plain: serde_json::Value = serde_json::from_str(&run(&["alerts", "--json"])).expect("json");
    assert!(plain.get("resolved").is_none());
    assert!(!plain.to_string().contains("\"history\""));

    let text = run(&["alerts", "--history"]);
    assert!(text.contains("history: 1 episode, fired "), "{text}");
    assert!(
        text.contains("recently resolved (last 60m):")
            || text.contains("recently resolved (last 1h):"),
        "{text}"
    );
    assert!(text.contains("  Resolved  resolved "), "{text}");
}

#[test]
fn the_cli_refuses_a_bad_window_before_fetching() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        crate::support::config_text(&[], &[("prom", "http://127.0.0.1:9")], ""),
    )
    .expect("write config");
    for (arg, want) in [
        (
            "yesterday",
            "--history \"yesterday\" is not a window such as 24h or 90m",
        ),
        ("10s", "the window must be between 1m and 31d"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
            .arg("--config")
            .arg(&path)
            .args(["alerts", "--history", arg])
            .output()
            .expect("run opsdeck");
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{arg}: {err}");
    }
}
