//! Alerts as Alertmanager really holds them: RE2 regexes opsdeck must keep
//! and understand, records it cannot, and suppression states kept apart.
//! Against real Alertmanagers on loopback.

use opsdeck::alerts::matcher::MatchOp;
use opsdeck::alerts::model::RecordKind;
use opsdeck::runtime::Runtime;
use serde_json::json;

use crossterm::event::KeyCode;
use opsdeck_testkit::servers::Alertmanager;

use crate::support::{
    code, config, config_text, key, opsdeck_bin, press, select_team, sg_alert, summary, until,
};

/// A silence as amtool would post it, ending in an hour.
fn silence(matchers: serde_json::Value, author: &str, comment: &str) -> serde_json::Value {
    let now = chrono::Utc::now();
    json!({
        "matchers": matchers,
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::TimeDelta::hours(1)).to_rfc3339(),
        "createdBy": author,
        "comment": comment,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re2_silences_are_kept_and_one_not_understood_never_hides_the_rest() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        {"labels": {"alertname": "NodeDown", "instance": "10.0.0.1:9100", "owner": "infra"}},
        {"labels": {"alertname": "NodeDown", "instance": "10x0y0z1:9100", "owner": "infra"}},
        sg_alert("warning", "frontend", "slow_search", "search"),
    ]));
    // RE2's literal quoting: Alertmanager compiles it, and so must we.
    let quoted = am.post_silence(&silence(
        json!([{"name": "instance", "value": r"\Q10.0.0.1\E:\d+", "isRegex": true, "isEqual": true}]),
        "alice",
        "node 1 maintenance",
    ));
    // A pattern RE2 accepts that the Rust regex crate cannot compile (it
    // exceeds the crate's size limit): kept, marked, never fatal.
    let huge = r"\pL{1000}";
    let odd = am.post_silence(&silence(
        json!([
            {"name": "alertname", "value": "slow", "isRegex": false, "isEqual": true},
            {"name": "instance", "value": huge, "isRegex": true, "isEqual": true},
        ]),
        "bob",
        "odd regex",
    ));
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "alerts and silences", |s| {
        s.alerts.all.len() == 3 && s.alerts.silences.len() == 2
    })
    .await;
    let state = &rt.state;

    // \Q…\E: stored as typed, matches exactly the literal address.
    let q = state.silence(&quoted).expect("the \\Q silence is listed");
    assert_eq!(q.matchers[0].value, r"\Q10.0.0.1\E:\d+");
    assert_eq!(q.matchers[0].op, MatchOp::Re);
    assert!(q.matchers[0].problem().is_none(), "{:?}", q.matchers[0]);
    assert!(q.matchers[0].matches(Some("10.0.0.1:9100")));
    assert!(!q.matchers[0].matches(Some("10x0y0z1:9100")));
    // Alertmanager agrees: it silences the one, not the other.
    let silenced: Vec<String> = state
        .alerts
        .all
        .iter()
        .filter(|a| a.silenced_by.contains(&quoted))
        .filter_map(|a| a.labels.get("instance").map(str::to_string))
        .collect();
    assert_eq!(silenced, ["10.0.0.1:9100"]);

    // The regex not understood here: the silence is kept, with the reason.
    let o = state.silence(&odd).expect("the odd silence is kept");
    assert_eq!(o.matchers[1].value, huge);
    let problem = o.matchers[1].problem().expect("marked");
    assert!(problem.contains("invalid regex"), "{problem}");
    // The source still shows all three alerts and is marked degraded.
    let prod = state.source("prod").expect("prod");
    assert!(prod.ok(), "{prod:?}");
    assert_eq!(prod.skipped.len(), 1, "{:?}", prod.skipped);
    assert_eq!(prod.skipped[0].kind, RecordKind::Silence);
    assert!(
        prod.skipped[0]
            .detail
            .starts_with(&format!("silence {odd}: regex not understood here: ")),
        "{}",
        prod.skipped[0].detail
    );
    assert!(
        state
            .alerts
            .all
            .iter()
            .any(|a| a.name() == "warning_frontend_slow_search"),
        "{}",
        summary(state)
    );
    // On screen: the header says so, the overview names the record.
    let header = first_line(state);
    assert!(
        header.contains("prod ⚠ 1 silence not understood"),
        "{header}"
    );
    let mut overview = state.clone();
    overview.view = opsdeck::app::state::View::Overview;
    let screen = screen_text(&overview);
    assert!(
        screen.contains("⚠ prod: 1 silence not understood — silence"),
        "{screen}"
    );
    assert!(screen.contains(&odd[..8]), "{screen}");
}

/// The top row of the console at 160×30.
fn first_line(state: &opsdeck::app::state::State) -> String {
    screen_text(state)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// `ALERTMANAGER_CONFIG` with an inhibit rule: a `NodeDown` mutes the
/// warnings of the same instance.
const INHIBITING_CONFIG: &str = r#"route:
  receiver: "null"
  group_by: ["alertname"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
inhibit_rules:
  - source_matchers: ['alertname="NodeDown"']
    target_matchers: ['severity="warning"']
    equal: ["instance"]
"#;

fn labelled(name: &str, instance: &str, severity: &str, owner: &str) -> serde_json::Value {
    json!({"labels": {"alertname": name, "instance": instance, "severity": severity, "owner": owner},
           "annotations": {"summary": format!("{name} on {instance}")}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silenced_and_inhibited_are_counted_apart_and_the_inhibitor_is_named() {
    let am = Alertmanager::start_with_config(INHIBITING_CONFIG);
    am.post_alerts(&json!([
        labelled("NodeDown", "a:9100", "critical", "infra"),
        labelled("DiskSlow", "a:9100", "warning", "storage"),
        labelled("HighLoad", "a:9100", "warning", "storage"),
        labelled("DiskSlow", "b:9100", "warning", "storage"),
    ]));
    let id = am.post_silence(&silence(
        json!([{"name": "alertname", "value": "HighLoad", "isRegex": false, "isEqual": true}]),
        "alice",
        "known",
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config_text(&[("prod", &am.url)], &[], "")).expect("write config");
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "HighLoad silenced and inhibited", |s| {
        s.alerts
            .all
            .iter()
            .any(|a| a.name() == "HighLoad" && a.is_silenced() && a.is_inhibited())
            && s.alerts.all.iter().filter(|a| a.is_inhibited()).count() == 2
    })
    .await;
    let state = &rt.state;
    let node_down = state
        .alerts
        .all
        .iter()
        .find(|a| a.name() == "NodeDown")
        .expect("NodeDown")
        .fingerprint
        .clone();
    let high = state
        .alerts
        .all
        .iter()
        .find(|a| a.name() == "HighLoad")
        .expect("HighLoad");
    assert_eq!(high.states(), ["silenced", "inhibited"]);
    assert_eq!(high.silenced_by, std::slice::from_ref(&id));
    assert_eq!(high.inhibited_by, std::slice::from_ref(&node_down));

    // Counted apart, and never as active: storage has one active warning.
    let storage = state
        .alerts
        .groups
        .iter()
        .find(|g| g.key == "storage")
        .expect("storage");
    assert_eq!(storage.counts, [0, 0, 1, 0, 0]);
    assert_eq!(
        (storage.silenced, storage.inhibited, storage.hidden),
        (1, 2, 2)
    );
    // Silenced alerts never rank a team: infra (1 critical) comes first.
    assert_eq!(state.alerts.groups[0].key, "infra");

    // @state values apart: an alert both silenced and inhibited has both.
    let names = |filter: &str| -> Vec<String> {
        let f = opsdeck::alerts::matcher::Filter::parse(filter).expect("filter");
        let mut v: Vec<String> = state
            .alerts
            .all
            .iter()
            .filter(|a| f.matches(a))
            .map(|a| format!("{}@{}", a.name(), a.labels.get("instance").unwrap_or("")))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names("@state=inhibited"),
        ["DiskSlow@a:9100", "HighLoad@a:9100"]
    );
    assert_eq!(names("@state=silenced"), ["HighLoad@a:9100"]);
    assert_eq!(
        names("@state!=inhibited"),
        ["DiskSlow@b:9100", "NodeDown@a:9100"]
    );

    // The console: show suppressed, select HighLoad, read its detail, jump.
    press(&mut rt, [key('s')]).await;
    select_team(&mut rt, "storage").await;
    while rt.state.selected_alert().map(|a| a.name()) != Some("HighLoad") {
        let before = rt.state.alerts.alert;
        press(&mut rt, [key('j')]).await;
        assert_ne!(
            rt.state.alerts.alert,
            before,
            "HighLoad not in storage\n{}",
            summary(&rt.state)
        );
    }
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let screen = screen_text(&rt.state);
    assert!(
        screen.contains("inhibited by  NodeDown (infra, critical, firing) — i jumps to it"),
        "{screen}"
    );
    assert!(screen.contains("sil+inh"), "{screen}");
    press(&mut rt, [key('i')]).await;
    let selected = rt.state.selected_alert().expect("selected");
    assert_eq!(selected.fingerprint, node_down);
    assert_eq!(
        rt.state.message.as_ref().map(|m| m.text.as_str()),
        Some("NodeDown inhibits HighLoad")
    );

    // The CLI: the same counts and order, ids and fingerprints in --json,
    // names in text.
    let o = opsdeck_bin(&["alerts", "--json"], Some(&path));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let teams: Vec<&str> = doc["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .filter_map(|t| t["team"].as_str())
        .collect();
    assert_eq!(teams, ["infra", "storage"]);
    let storage = &doc["teams"][1];
    assert_eq!(storage["counts"], json!({"warning": 1}));
    assert_eq!(
        (storage["silenced"].clone(), storage["inhibited"].clone()),
        (json!(1), json!(2))
    );
    let high = storage["alerts"]
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["alertname"] == "HighLoad")
        .expect("HighLoad listed");
    assert_eq!(high["states"], json!(["silenced", "inhibited"]));
    assert_eq!(high["silenced_by"], json!([id]));
    assert_eq!(high["inhibited_by"], json!([node_down]));
    let o = opsdeck_bin(&["alerts", "@state=inhibited"], Some(&path));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("storage (1 silenced, 2 inhibited)"),
        "the filter keeps counts apart: {text}"
    );
    assert!(
        text.contains(&format!("inhibited by NodeDown (infra, {node_down})")),
        "{text}"
    );
    assert!(
        text.contains("      HighLoad on a:9100"),
        "summary shown: {text}"
    );
    assert!(!text.contains("b:9100"), "filtered out: {text}");
    assert!(
        text.contains(&format!("      silenced by {id} (alice, ends ")),
        "{text}"
    );
    // Same-named alerts are told apart by the labels that differ; -o wide
    // prints every label.
    let o = opsdeck_bin(&["alerts", "alertname=DiskSlow"], Some(&path));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(r#"      {instance="a:9100"}"#), "{text}");
    assert!(text.contains(r#"      {instance="b:9100"}"#), "{text}");
    let o = opsdeck_bin(&["alerts", "-o", "wide", "owner=infra"], Some(&path));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(r#"      {instance="a:9100", owner="infra", severity="critical"}"#),
        "{text}"
    );
    // A filter that does not parse is refused with the reason.
    let o = opsdeck_bin(&["alerts", r#"foo=~"(""#], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unclosed group"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The whole console at 160×30, as text.
fn screen_text(state: &opsdeck::app::state::State) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `u` on an alert covered by the user's own silence and by a teammate's
/// team-wide one: both are listed with their scope, only the user's is
/// selected, and `y` expires exactly that one on the real Alertmanager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn u_expires_only_the_selected_silence_and_never_a_teammates_broad_one() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert("warning", "frontend", "slow_search", "search"),
        sg_alert("critical", "zoekt-webserver", "index_errors", "search"),
    ]));
    let mine = am.post_silence(&silence(
        json!([{"name": "alertname", "value": "warning_frontend_slow_search", "isRegex": false, "isEqual": true}]),
        "tester",
        "mine",
    ));
    let teams = am.post_silence(&silence(
        json!([{"name": "owner", "value": "search", "isRegex": false, "isEqual": true}]),
        "bob",
        "search maintenance",
    ));
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "both alerts silenced", |s| {
        s.alerts.all.len() == 2 && s.alerts.all.iter().all(|a| a.is_silenced())
    })
    .await;
    press(&mut rt, [key('s')]).await;
    select_team(&mut rt, "search").await;
    while rt.state.selected_alert().map(|a| a.name()) != Some("warning_frontend_slow_search") {
        let before = rt.state.alerts.alert;
        press(&mut rt, [key('j')]).await;
        assert_ne!(rt.state.alerts.alert, before, "{}", summary(&rt.state));
    }
    press(&mut rt, [key('u')]).await;
    let screen = screen_text(&rt.state);
    assert!(
        screen.contains("Expire 1 of 2 silences on warning_frontend_slow_search?"),
        "{screen}"
    );
    assert!(
        screen.contains(r#"[x] "#) && screen.contains(r#"[ ] "#),
        "{screen}"
    );
    assert!(
        screen.contains(r#"by bob: "search maintenance""#)
            && screen.contains("covers 2 alerts, 1 besides this one"),
        "{screen}"
    );
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 10, "the user's silence expired", |s| {
        s.silence(&mine)
            .is_some_and(|x| x.state == opsdeck::alerts::model::SilenceState::Expired)
    })
    .await;
    let states: Vec<(String, String)> = am
        .get_json("/api/v2/silences")
        .as_array()
        .expect("silences")
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap_or_default().to_string(),
                s["status"]["state"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&(mine.clone(), "expired".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&(teams.clone(), "active".into())),
        "{states:?}"
    );
}

/// When an Alertmanager stops, its alerts stay on screen but are marked
/// stale (dimmed, "stale 1m" with the age of the last data) in the alert
/// row, the team row and the overview; the ack form warns before Enter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_sources_alerts_are_marked_stale_and_the_form_warns() {
    let a = Alertmanager::start();
    let mut b = Alertmanager::start();
    a.post_alerts(&json!([sg_alert(
        "warning",
        "frontend",
        "slow_search",
        "search"
    )]));
    b.post_alerts(&json!([sg_alert(
        "critical",
        "gitserver",
        "disk",
        "distribution"
    )]));
    let cfg = config(&[("a", &a.url), ("b", &b.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "both alerts", |s| s.alerts.all.len() == 2).await;
    let name_of = |s: &opsdeck::app::state::State, stale: bool| -> Vec<String> {
        s.alerts
            .all
            .iter()
            .filter(|x| s.stale_since(x).is_some() == stale)
            .map(|x| x.name().to_string())
            .collect()
    };
    assert!(name_of(&rt.state, true).is_empty());

    b.stop();
    until(&mut rt, 15, "b failing", |s| {
        s.source("b").is_some_and(|x| x.error.is_some())
    })
    .await;
    assert_eq!(name_of(&rt.state, true), ["critical_gitserver_disk"]);
    assert_eq!(name_of(&rt.state, false), ["warning_frontend_slow_search"]);
    // Age it past a minute so the marker shows its age.
    select_team(&mut rt, "distribution").await;
    let later = rt.state.now + chrono::TimeDelta::seconds(75);
    opsdeck::app::update(&mut rt.state, opsdeck::app::Action::Tick(later));
    let screen = screen_text(&rt.state);
    assert!(screen.contains("stale 1m · "), "alert row: {screen}");
    assert!(
        screen.contains("│▶ distribution 1c  stale 1m"),
        "team row: {screen}"
    );

    press(&mut rt, [key('a')]).await;
    let screen = screen_text(&rt.state);
    assert!(
        screen.contains("⚠ b is unreachable (GET /api/v2/alerts: connection refused): the silence will likely fail"),
        "{screen}"
    );
    press(&mut rt, [code(KeyCode::Esc), key('0')]).await;
    opsdeck::app::update(&mut rt.state, opsdeck::app::Action::Tick(later));
    let screen = screen_text(&rt.state);
    assert!(screen.contains("stale 1m"), "overview: {screen}");
}
