//! update tests: the alerts' history from Prometheus.

use super::*;
use crate::alerts::history::{History, Point, at_unix};

/// A `query_range` answer with one firing series per `(labels, steps)`,
/// on a one-minute grid ending at `now()`.
fn history_of(series: &[(&Alert, &[usize])], len: usize) -> History {
    let start = now().timestamp() - 60 * (len as i64 - 1);
    let result: Vec<serde_json::Value> = series
        .iter()
        .map(|(a, steps)| {
            let mut metric = serde_json::Map::new();
            metric.insert("__name__".into(), "ALERTS".into());
            metric.insert("alertstate".into(), "firing".into());
            for (k, v) in a.labels.iter() {
                metric.insert(k.into(), v.into());
            }
            let values: Vec<serde_json::Value> = steps
                .iter()
                .map(|k| serde_json::json!([start + 60 * *k as i64, "1"]))
                .collect();
            serde_json::json!({"metric": metric, "values": values})
        })
        .collect();
    let body = serde_json::json!({"status": "success", "data": {"resultType": "matrix", "result": result}});
    let (h, skipped) = History::from_matrix(
        &body.to_string(),
        at_unix(start),
        Duration::from_secs(60),
        len,
    )
    .expect("history");
    assert!(skipped.is_empty());
    h
}

fn history_event(result: Result<History, ClientError>) -> Action {
    Action::Source(SourceEvent::History {
        name: "prom".into(),
        result,
        skipped: Vec::new(),
        at: now(),
    })
}

#[test]
fn a_history_read_shows_per_alert_and_a_failed_one_keeps_it_stale() {
    let mut state = fixture();
    let crit = alert_named(&state, SEARCH_CRIT).clone();
    let h = history_of(&[(&crit, &[1, 2, 5, 8, 9])], 10);
    assert!(update(&mut state, history_event(Ok(h))).is_empty());
    let view = &state.alerts.history;
    let s = view.summary(&crit).expect("its series");
    assert_eq!(s.episodes.len(), 3);
    assert!(s.flapping(state.alerts.settings.flap_threshold));
    assert_eq!(
        view.points(&crit)
            .map(|p| p.iter().filter(|x| **x == Point::Firing).count()),
        Some(5)
    );
    // An alert without a series has no summary.
    assert!(view.summary(alert_named(&state, SEARCH_WARN)).is_none());

    // Prometheus stops answering the history: the last one stays, marked
    // stale; the source's own health is the alerts' fetch's, untouched.
    let prom_before = state.sources.iter().find(|s| s.name == "prom").cloned();
    let err = ClientError {
        source: "prom".into(),
        message: crate::net::Problem::Other("connection refused".into()),
        status: None,
    };
    update(&mut state, history_event(Err(err)));
    assert!(state.alerts.history.history.is_some());
    assert_eq!(
        state.alerts.history.error.as_deref(),
        Some("connection refused")
    );
    assert_eq!(
        state.sources.iter().find(|s| s.name == "prom").cloned(),
        prom_before
    );
    // And the alerts view works as without history.
    assert_eq!(team_names(&state), vec!["search", "source", UNOWNED]);
}
