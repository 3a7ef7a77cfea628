//! Alerts as Alertmanager really holds them: RE2 regexes opsdeck must keep
//! and understand, records it cannot, and suppression states kept apart.
//! Against real Alertmanagers on loopback.

use opsdeck::alerts::matcher::MatchOp;
use opsdeck::alerts::model::RecordKind;
use opsdeck::runtime::Runtime;
use serde_json::json;

use crate::common::Alertmanager;
use crate::support::{config, sg_alert, summary, until};

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
        s.alerts.len() == 3 && s.silences.len() == 2
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
            .iter()
            .any(|a| a.name() == "warning_frontend_slow_search"),
        "{}",
        summary(state)
    );
    // On screen: the header says so, and the silences list marks it.
    let header = first_line(state);
    assert!(
        header.contains("prod ⚠ 1 silence not understood"),
        "{header}"
    );
}

/// The top row of the console at 160×30.
fn first_line(state: &opsdeck::app::state::State) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    let buf = terminal.backend().buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, 0)].symbol().to_string())
        .collect()
}
