//! The app, driven headless through its action channel, against real
//! Alertmanagers and Prometheus servers on loopback.

use std::time::Duration;

use crossterm::event::KeyCode;
use opsdeck::alerts::grouping::UNOWNED;
use opsdeck::alerts::model::{AlertState, Labels, fingerprint};
use opsdeck::app::state::Overlay;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::servers::{Alertmanager, Prometheus, SAMPLE_RULES, wait_for};
use serde_json::{Value, json};

use crate::support::{code, config, ctrl, key, press, select_team, sg_alert, summary, until};

fn silences(am: &Alertmanager) -> Vec<Value> {
    am.get_json("/api/v2/silences")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn active_silences(am: &Alertmanager) -> Vec<Value> {
    silences(am)
        .into_iter()
        .filter(|s| s["status"]["state"] == "active")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_by_team_label_by_route_and_unowned() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert("critical", "frontend", "hard_error_rate", "search"),
        sg_alert("warning", "zoekt-webserver", "indexed_search_errors", ""),
        sg_alert("warning", "syntect-server", "worker_deaths", ""),
        {"labels": {"alertname": "HighLatency", "severity": "error", "team": "cloud"}},
    ]));
    let cfg = config(
        &[("prod", &am.url)],
        &[],
        "[[alerts.route]]\nteam = \"search\"\nmatchers = ['service_name=~\"zoekt.*|searcher\"']\n",
    );
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "four alerts", |s| s.alerts.all.len() == 4).await;

    let teams: Vec<(&str, usize)> = rt
        .state
        .alerts
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.total()))
        .collect();
    assert_eq!(
        teams,
        vec![("search", 2), ("cloud", 1), (UNOWNED, 1)],
        "{}",
        summary(&rt.state)
    );
    let search = &rt.state.alerts.groups[0];
    // Critical first inside the team.
    let first = &rt.state.alerts.all[search.alerts[0]];
    assert_eq!(first.name(), "critical_frontend_hard_error_rate");
    let routed = &rt.state.alerts.all[search.alerts[1]];
    assert_eq!(routed.labels.get("service_name"), Some("zoekt-webserver"));
    assert!(!routed.labels.contains_key("owner"));

    // Our fingerprint is Alertmanager's.
    for a in &rt.state.alerts.all {
        assert_eq!(fingerprint(&a.labels), a.fingerprint, "{}", a.name());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_from_prometheus_and_firing_shown_once() {
    let am = Alertmanager::start();
    let prom = Prometheus::start(SAMPLE_RULES, &[&am]);
    let cfg = config(&[("am", &am.url)], &[("prom", &prom.url)], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(
        &mut rt,
        30,
        "firing alerts in both sources and a pending one",
        |s| {
            let firing_in_both = s
                .alerts
                .all
                .iter()
                .filter(|a| a.state == AlertState::Firing && a.sources == ["am", "prom"])
                .count();
            let pending = s.alerts.all.iter().any(|a| a.state == AlertState::Pending);
            firing_in_both == 2 && pending
        },
    )
    .await;
    let names: Vec<&str> = rt.state.alerts.all.iter().map(|a| a.name()).collect();
    assert_eq!(rt.state.alerts.all.len(), 3, "each alert once: {names:?}");
    let pending = rt
        .state
        .alerts
        .all
        .iter()
        .find(|a| a.state == AlertState::Pending)
        .expect("pending");
    assert_eq!(pending.name(), "critical_gitserver_disk_space_remaining");
    assert_eq!(pending.sources, ["prom"]);
    assert_eq!(pending.team, "distribution");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ha_pair_dedups_and_ack_creates_one_silence() {
    let (a, b) = Alertmanager::start_ha_pair();
    let alert = sg_alert(
        "critical",
        "gitserver",
        "disk_space_remaining",
        "distribution",
    );
    // Prometheus sends every alert to every member; so do we.
    a.post_alerts(&json!([alert]));
    b.post_alerts(&json!([alert]));
    let cfg = config(&[("prod-a", &a.url), ("prod-b", &b.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "one alert from both members", |s| {
        s.alerts.all.len() == 1 && s.alerts.all[0].sources == ["prod-a", "prod-b"]
    })
    .await;
    assert_eq!(
        rt.state.clusters(),
        vec![vec!["prod-a".to_string(), "prod-b".to_string()]]
    );

    select_team(&mut rt, "distribution").await;
    press(&mut rt, [key('a'), code(KeyCode::Enter), key('y')]).await;
    until(&mut rt, 10, "the alert silenced", |s| {
        s.alerts.all[0].state == AlertState::Silenced && s.overlays.is_empty()
    })
    .await;

    // Gossip brings the silence to the other member: one id on both.
    let ids = wait_for(
        "the silence on both members",
        Duration::from_secs(15),
        || {
            let (sa, sb) = (active_silences(&a), active_silences(&b));
            (sa.len() == 1 && sb.len() == 1).then(|| (sa[0]["id"].clone(), sb[0]["id"].clone()))
        },
    );
    assert_eq!(ids.0, ids.1, "one silence, replicated");
    assert_eq!(silences(&a).len(), 1, "exactly one silence was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_extend_and_unack_through_keys() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert("warning", "frontend", "slow_search", "search"),
        sg_alert("critical", "frontend", "hard_error_rate", "search"),
    ]));
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "two alerts", |s| s.alerts.all.len() == 2).await;
    select_team(&mut rt, "search").await;
    let target = rt.state.selected_alert().expect("selected").clone();
    assert_eq!(target.name(), "critical_frontend_hard_error_rate");

    // a: the form, prefilled with the alert's labels, shows its match count.
    press(&mut rt, [key('a')]).await;
    match rt.state.overlays.last() {
        Some(Overlay::AckForm(form)) => {
            assert!(
                form.matchers
                    .text()
                    .contains(r#"alertname="critical_frontend_hard_error_rate""#)
            );
            assert_eq!(form.duration.text(), "2h");
            assert_eq!(form.author.text(), "tester");
            assert_eq!(form.comment.text(), "on it");
        }
        other => panic!("expected the form, got {other:?}"),
    }
    // Enter, then the default answer (Enter = No) creates nothing.
    press(&mut rt, [code(KeyCode::Enter), code(KeyCode::Enter)]).await;
    assert!(matches!(
        rt.state.overlays.last(),
        Some(Overlay::AckForm(_))
    ));
    assert!(silences(&am).is_empty(), "No is the default");
    press(&mut rt, [code(KeyCode::Enter), key('y')]).await;
    until(&mut rt, 10, "silenced after refresh", |s| {
        s.alerts
            .all
            .iter()
            .any(|a| a.fingerprint == target.fingerprint && a.state == AlertState::Silenced)
            && s.alerts.local.is_empty()
    })
    .await;
    let created = silences(&am);
    assert_eq!(created.len(), 1, "exactly one silence: {created:?}");
    let id = created[0]["id"].as_str().expect("id").to_string();
    assert_eq!(created[0]["createdBy"], "tester");
    assert_eq!(created[0]["comment"], "on it");
    let alerts = am.get_json("/api/v2/alerts");
    let silenced = alerts
        .as_array()
        .expect("alerts")
        .iter()
        .find(|a| a["fingerprint"] == target.fingerprint.as_str())
        .expect("alert in AM");
    assert_eq!(silenced["status"]["silencedBy"], json!([id]));
    let old_end = chrono::DateTime::parse_from_rfc3339(created[0]["endsAt"].as_str().expect("end"))
        .expect("rfc3339");

    // Show silenced alerts so the selection can stay on it; e extends, keeping the id.
    press(&mut rt, [key('s')]).await;
    let row = rt.state.selected_group().and_then(|g| {
        g.alerts
            .iter()
            .position(|&i| rt.state.alerts.all[i].fingerprint == target.fingerprint)
    });
    let mut keys = vec![key('g')];
    keys.extend(std::iter::repeat_n(
        key('j'),
        row.expect("silenced alert shown"),
    ));
    press(&mut rt, keys).await;
    assert_eq!(
        rt.state.selected_alert().map(|a| a.fingerprint.clone()),
        Some(target.fingerprint.clone())
    );
    press(&mut rt, [key('e'), key('y')]).await;
    let extended = wait_for("the silence extended", Duration::from_secs(10), || {
        let s = silences(&am);
        let end = chrono::DateTime::parse_from_rfc3339(s[0]["endsAt"].as_str()?).ok()?;
        (end > old_end).then_some((s, end))
    });
    assert_eq!(extended.0.len(), 1, "extend made no new silence");
    assert_eq!(extended.0[0]["id"], id.as_str(), "extend keeps the id");
    let added = (extended.1 - old_end).num_minutes();
    assert!(
        (119..=121).contains(&added),
        "extended by ack_duration, got {added} min"
    );

    // u asks first; y expires it.
    until(&mut rt, 10, "extension seen", |s| {
        s.silence(&id).is_some_and(|x| x.ends_at > old_end)
    })
    .await;
    press(&mut rt, [key('u')]).await;
    assert!(matches!(rt.state.overlays.last(), Some(Overlay::Pick(_))));
    press(&mut rt, [key('y')]).await;
    wait_for("the silence expired", Duration::from_secs(10), || {
        (silences(&am)[0]["status"]["state"] == "expired").then_some(())
    });
    until(&mut rt, 10, "the alert firing again", |s| {
        s.alerts
            .all
            .iter()
            .any(|a| a.fingerprint == target.fingerprint && a.state == AlertState::Firing)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_error_text_is_shown_in_the_form() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([sg_alert(
        "warning",
        "frontend",
        "slow_search",
        "search"
    )]));
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "one alert", |s| s.alerts.all.len() == 1).await;
    select_team(&mut rt, "search").await;
    let mut keys = vec![key('a'), ctrl('u')];
    // RE2 (Go) allows at most 1000 repetitions; the Rust regex crate more:
    // opsdeck accepts the pattern, Alertmanager refuses it.
    keys.extend(r#"foo=~"a{1001}""#.chars().map(key));
    keys.extend([code(KeyCode::Enter), key('y')]);
    press(&mut rt, keys).await;
    until(
        &mut rt,
        10,
        "Alertmanager's error in the form",
        |s| matches!(s.overlays.last(), Some(Overlay::AckForm(f)) if f.error.is_some()),
    )
    .await;
    let Some(Overlay::AckForm(form)) = rt.state.overlays.last() else {
        unreachable!("checked above")
    };
    let error = form.error.clone().unwrap_or_default();
    assert!(error.contains("invalid repeat count"), "{error}");
    assert_eq!(
        form.matchers.text(),
        r#"foo=~"a{1001}""#,
        "the form keeps its contents"
    );
    assert!(silences(&am).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_source_shows_in_health_while_the_rest_works() {
    let a = Alertmanager::start();
    let mut b = Alertmanager::start_with_prefix("/alertmanager");
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
    until(&mut rt, 20, "both alerts (b behind a path prefix)", |s| {
        s.alerts.all.len() == 2
    })
    .await;

    b.stop();
    until(&mut rt, 15, "b down", |s| {
        s.source("b").and_then(|x| x.error.clone()).is_some()
    })
    .await;
    let status = rt.state.source("b").expect("b").clone();
    assert!(
        status
            .error
            .as_deref()
            .is_some_and(|e| e.contains("connection refused")),
        "{status:?}"
    );
    assert!(status.last_ok.is_some(), "the age of b's last data is kept");
    // a keeps refreshing; b's last data stays on screen.
    let a_before = rt.state.source("a").and_then(|x| x.last_ok);
    until(&mut rt, 10, "a refreshed", |s| {
        s.source("a").and_then(|x| x.last_ok) > a_before
    })
    .await;
    assert!(rt.state.source("a").is_some_and(|x| x.ok()));
    assert_eq!(rt.state.alerts.all.len(), 2);

    b.restart();
    until(&mut rt, 15, "b back", |s| {
        s.source("b").is_some_and(|x| x.ok())
    })
    .await;
}

#[test]
fn fingerprint_matches_alertmanager_for_unicode_labels() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([{"labels": {"alertname": "x", "zeta": "ünïcödé", "a": "1"}}]));
    let alerts = wait_for("the alert", Duration::from_secs(10), || {
        let v = am.get_json("/api/v2/alerts");
        (!v.as_array()?.is_empty()).then_some(v)
    });
    let labels: Labels = serde_json::from_value(alerts[0]["labels"].clone()).expect("labels");
    assert_eq!(alerts[0]["fingerprint"], fingerprint(&labels).as_str());
}

fn amtool_silence(name: &str, value: &str, author: &str, comment: &str) -> Value {
    let now = chrono::Utc::now();
    json!({
        "matchers": [{"name": name, "value": value, "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::TimeDelta::hours(1)).to_rfc3339(),
        "createdBy": author,
        "comment": comment,
    })
}

/// The silences list against a real Alertmanager: `/@severity=critical`
/// keeps only the silence over the critical alert (by what Alertmanager
/// says it silences), Enter opens its detail with both alerts it covers,
/// and `u` there expires it on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silences_list_filters_and_opens_a_detail_whose_u_expires_it() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert("warning", "frontend", "slow_search", "search"),
        sg_alert("critical", "zoekt-webserver", "index_errors", "search"),
    ]));
    let mine = am.post_silence(&amtool_silence(
        "alertname",
        "warning_frontend_slow_search",
        "tester",
        "mine",
    ));
    let teams = am.post_silence(&amtool_silence(
        "owner",
        "search",
        "bob",
        "search maintenance",
    ));
    let other = am.post_silence(&amtool_silence("owner", "nobody", "carol", "planned"));
    let cfg = config(&[("prod", &am.url)], &[], "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "both alerts silenced, three silences", |s| {
        s.alerts.all.len() == 2
            && s.alerts.all.iter().all(|a| a.is_silenced())
            && s.open_silences().len() == 3
    })
    .await;
    press(&mut rt, [key('S'), key('/')]).await;
    press(&mut rt, "@severity=critical".chars().map(key)).await;
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let Some(Overlay::Silences(list)) = rt.state.overlays.last() else {
        panic!("expected the silences list: {}", summary(&rt.state));
    };
    let shown: Vec<String> = opsdeck::app::overlays::silences::shown(&rt.state, list)
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(shown, vec![teams.clone()], "mine {mine}, other {other}");
    let screen = crate::support::screen_text(&rt.state, 120, 30);
    assert!(
        screen.contains("Silences (1 of 3) · filter: @severity=critical"),
        "{screen}"
    );
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let screen = crate::support::screen_text(&rt.state, 120, 30);
    assert!(screen.contains(&format!("id          {teams}")), "{screen}");
    assert!(screen.contains("held by     prod"), "{screen}");
    assert!(screen.contains("Covers 2 alerts now:"), "{screen}");
    assert!(
        screen.contains("critical_zoekt_webserver_index_errors")
            && screen.contains("warning_frontend_slow_search"),
        "{screen}"
    );
    press(&mut rt, [key('u')]).await;
    let screen = crate::support::screen_text(&rt.state, 120, 30);
    assert!(
        screen.contains(&format!("Expire 1 silence ({teams})?")),
        "{screen}"
    );
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 10, "bob's silence expired", |s| {
        s.silence(&teams)
            .is_some_and(|x| x.state == opsdeck::alerts::model::SilenceState::Expired)
    })
    .await;
    let expired = silences(&am)
        .iter()
        .any(|s| s["id"] == teams.as_str() && s["status"]["state"] == "expired");
    assert!(expired, "{:?}", silences(&am));
    assert!(
        active_silences(&am)
            .iter()
            .any(|s| s["id"] == mine.as_str()),
        "{:?}",
        silences(&am)
    );
}
