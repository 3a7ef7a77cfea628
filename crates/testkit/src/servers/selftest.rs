//! Self-tests of the server harness (`cargo test -p opsdeck-testkit servers::`).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;
use crate::http::http_request;

fn alert_names(alerts: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = alerts
        .iter()
        .filter_map(|a| a["labels"]["alertname"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn free_port_is_bindable() {
    let port = free_port();
    assert_ne!(port, 0);
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("free_port returned a bindable port");
}

#[test]
fn wait_for_returns_value_and_times_out_loudly() {
    let mut calls = 0;
    let value = wait_for("third call", Duration::from_secs(5), || {
        calls += 1;
        (calls == 3).then_some(calls)
    });
    assert_eq!(value, 3);

    let started = Instant::now();
    let panic = std::panic::catch_unwind(|| {
        wait_for(
            "something that never happens",
            Duration::from_millis(300),
            || None::<()>,
        )
    })
    .expect_err("wait_for must panic on timeout");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("something that never happens"),
        "{message}"
    );
}

#[test]
fn missing_binary_panics_naming_package_and_test_command() {
    let panic = std::panic::catch_unwind(|| {
        require_binary("opsdeck-no-such-binary", "opsdeck-no-such-package")
    })
    .expect_err("must panic");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("opsdeck-no-such-package"), "{message}");
    assert!(message.contains(TEST_COMMAND), "{message}");
}

#[test]
fn single_alertmanager_has_clustering_disabled_and_survives_restart() {
    let mut am = Alertmanager::start();
    assert_eq!(am.url, format!("http://127.0.0.1:{}", am.port));
    assert_eq!(am.cluster_port, None);
    let status = am.get_json("/api/v2/status");
    assert_eq!(status["cluster"]["status"], "disabled", "{status}");
    assert_eq!(status["versionInfo"]["version"], "0.25.0", "{status}");

    am.post_alerts(&json!([{
        "labels": {"alertname": "harness_selftest", "level": "warning", "owner": "search"},
        "annotations": {"description": "posted by the harness self-test"},
        "generatorURL": "http://example.invalid/graph"
    }]));
    let alerts = am.get_json("/api/v2/alerts");
    assert_eq!(
        alert_names(alerts.as_array().expect("array")),
        ["harness_selftest"]
    );

    let now = chrono::Utc::now();
    let id = am.post_silence(&json!({
        "matchers": [{"name": "alertname", "value": "harness_selftest", "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
        "createdBy": "selftest",
        "comment": "harness"
    }));

    am.stop();
    am.stop(); // idempotent
    assert!(
        am.try_get_json("/api/v2/status").is_err(),
        "stopped server must not answer"
    );
    am.restart();
    let silences = am.get_json("/api/v2/silences");
    let ids: Vec<&str> = silences
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [id.as_str()],
        "silence survives a graceful stop/restart"
    );
}

#[test]
fn prefixed_alertmanager_serves_under_prefix() {
    let am = Alertmanager::start_with_prefix("/alertmanager");
    assert_eq!(am.url, format!("http://127.0.0.1:{}/alertmanager", am.port));
    assert_eq!(
        am.get_json("/api/v2/status")["cluster"]["status"],
        "disabled"
    );
    let unprefixed = http_request(
        "GET",
        &format!("http://127.0.0.1:{}/api/v2/status", am.port),
        None,
    )
    .expect("request without prefix");
    assert!(
        !unprefixed.is_success(),
        "without the prefix the API must not answer: {unprefixed:?}"
    );
}

#[test]
fn ha_pair_members_see_each_other() {
    let (a, b) = Alertmanager::start_ha_pair();
    assert_ne!(a.cluster_port, None);
    assert_ne!(b.cluster_port, None);
    for member in [&a, &b] {
        let status = member.get_json("/api/v2/status");
        assert_eq!(
            status["cluster"]["peers"].as_array().map(Vec::len),
            Some(2),
            "{status}"
        );
    }
    // Gossip: an alert posted to one member is not replicated (alerts are
    // per-instance), but silences are.
    let now = chrono::Utc::now();
    let id = a.post_silence(&json!({
        "matchers": [{"name": "owner", "value": "search", "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
        "createdBy": "selftest",
        "comment": "replicated"
    }));
    wait_for(
        "silence to gossip to the second member",
        Duration::from_secs(10),
        || {
            let silences = b.get_json("/api/v2/silences");
            silences
                .as_array()?
                .iter()
                .any(|s| s["id"] == id.as_str())
                .then_some(())
        },
    );

    // A member going away and coming back (both directions, as each names the
    // other as --cluster.peer).
    let mut b = b;
    b.stop();
    a.wait_for_peers(1, Duration::from_secs(10));
    b.restart();
    a.wait_for_peers(2, Duration::from_secs(10));
    b.wait_for_peers(2, Duration::from_secs(10));
    let mut a = a;
    a.stop();
    b.wait_for_peers(1, Duration::from_secs(10));
    a.restart();
    a.wait_for_peers(2, Duration::from_secs(10));
    b.wait_for_peers(2, Duration::from_secs(10));
}

#[test]
fn prometheus_sample_rules_fire_pend_and_notify_alertmanager() {
    let am = Alertmanager::start_with_prefix("/alertmanager");
    let prom = Prometheus::start(SAMPLE_RULES, &[&am]);
    assert_eq!(prom.url, format!("http://127.0.0.1:{}", prom.port));

    let states = wait_for(
        "prometheus firing + pending sample alerts",
        Duration::from_secs(10),
        || {
            let alerts = prom.alerts();
            let of = |state: &str| {
                let mut names: Vec<String> = alerts
                    .iter()
                    .filter(|a| a["state"] == state)
                    .filter_map(|a| a["labels"]["alertname"].as_str().map(str::to_string))
                    .collect();
                names.sort();
                names
            };
            let (firing, pending) = (of("firing"), of("pending"));
            (firing.len() == SAMPLE_FIRING.len() && pending.len() == SAMPLE_PENDING.len())
                .then_some((firing, pending))
        },
    );
    let mut expected_firing: Vec<&str> = SAMPLE_FIRING.to_vec();
    expected_firing.sort();
    assert_eq!(states.0, expected_firing);
    assert_eq!(states.1, SAMPLE_PENDING);

    // Prometheus' discovery manager hands alertmanager targets to the notifier
    // only every 5s, so the first delivery takes ~5-6s after start.
    let received = wait_for(
        "firing sample alerts to reach alertmanager",
        Duration::from_secs(15),
        || {
            let alerts = am.get_json("/api/v2/alerts");
            let alerts = alerts.as_array()?;
            (alerts.len() == SAMPLE_FIRING.len()).then(|| alerts.clone())
        },
    );
    assert_eq!(alert_names(&received), expected_firing);
    let slow = received
        .iter()
        .find(|a| a["labels"]["alertname"] == "warning_frontend_slow_search")
        .expect("slow search alert");
    assert_eq!(slow["labels"]["owner"], "search");
    assert_eq!(slow["labels"]["level"], "warning");
    assert_eq!(slow["labels"]["service_name"], "frontend");
    assert_eq!(slow["labels"]["name"], "slow_search");
    assert!(
        slow["annotations"]["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("frontend:"))
    );
    assert!(
        slow["generatorURL"]
            .as_str()
            .is_some_and(|u| u.starts_with(&prom.url)),
        "{slow}"
    );
}

#[test]
fn docker_registry_answers_v2_catalog() {
    let registry = DockerRegistry::start();
    let catalog = registry.get_json("/v2/_catalog");
    assert_eq!(catalog["repositories"], json!([]), "{catalog}");
}

#[test]
fn port_collision_with_a_live_server_is_detected_and_retried() {
    // Another Alertmanager already answers /-/ready on the port we "pick" first:
    // the harness must not mistake it for ours, and must retry on new ports.
    let other = Alertmanager::start();
    let cluster_port = free_port();
    let am = Alertmanager::launch("", Some((other.port, cluster_port)), &[]);
    assert_ne!(am.port, other.port, "must have moved to a fresh port");
    assert!(
        am.log_tail().contains("address already in use"),
        "{}",
        am.log_tail()
    );
    // It is really the clustered instance, not `other` (clustering disabled).
    assert_ne!(am.cluster_status(), "disabled");
    assert_eq!(other.cluster_status(), "disabled");
}
