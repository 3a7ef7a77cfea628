//! The demo Prometheus' `GET /api/v1/query_range`: the `ALERTS` series of
//! the simulated alerts over the asked grid, so the demo shows history —
//! sparklines, episodes, flapping and the recently resolved. Whatever the
//! query, it answers for `ALERTS` (opsdeck asks nothing else).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::data::DemoAlert;

/// The most points one series may hold (Prometheus refuses above 11,000).
const MAX_POINTS: f64 = 11_000.0;

/// `query_range` over the demo's alerts.
pub(super) async fn query_range(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Value> {
    // Seconds, or a duration like Prometheus takes ("288s", "5m").
    let num = |k: &str| {
        params.get(k).and_then(|v| {
            v.parse::<f64>()
                .ok()
                .or_else(|| humantime::parse_duration(v).ok().map(|d| d.as_secs_f64()))
        })
    };
    let (Some(start), Some(end), Some(step)) = (num("start"), num("end"), num("step")) else {
        return refuse("start, end and step are required");
    };
    if step <= 0.0 || end < start || (end - start) / step > MAX_POINTS {
        return refuse("exceeded maximum resolution of 11,000 points per timeseries");
    }
    let now = Utc::now();
    let store = shared.store(now);
    let mut result = Vec::new();
    for a in &store.alerts {
        for (state, spans) in [("firing", firing(a, now)), ("pending", pending(a, now))] {
            let values = samples(&spans, start, end, step);
            if values.is_empty() {
                continue;
            }
            let mut metric = a.labels.clone();
            metric.insert("__name__".into(), "ALERTS".into());
            metric.insert("alertstate".into(), state.into());
            result.push(json!({ "metric": metric, "values": values }));
        }
    }
    Json(json!({ "status": "success", "data": { "resultType": "matrix", "result": result } }))
}

fn refuse(why: &str) -> Json<Value> {
    Json(json!({ "status": "error", "errorType": "bad_data", "error": why }))
}

/// When an alert fired: a flappy one also twice earlier in the day, its
/// last ended episode, and now when it fires.
fn firing(a: &DemoAlert, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut spans = Vec::new();
    if a.pending {
        return spans;
    }
    let first = a
        .last_episode
        .map_or(a.starts_at, |(s, _)| s.min(a.starts_at));
    if a.flappy {
        for (ago, minutes) in [(7, 40), (3, 20)] {
            let start = first - Duration::hours(ago);
            spans.push((start, start + Duration::minutes(minutes)));
        }
    }
    spans.extend(a.last_episode);
    if a.active {
        spans.push((a.starts_at, now));
    }
    spans
}

/// When an alert was pending (the demo's pending ones, since they began).
fn pending(a: &DemoAlert, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if a.pending {
        vec![(a.starts_at, now)]
    } else {
        Vec::new()
    }
}

/// `[t, "1"]` at every grid point inside a span.
fn samples(
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    start: f64,
    end: f64,
    step: f64,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut t = start;
    while t <= end {
        // What a point sees: the step before it, as
        // `max_over_time(ALERTS[step])` does.
        let inside = spans.iter().any(|(s, e)| {
            let (s, e) = (s.timestamp() as f64, e.timestamp() as f64);
            s <= t && e > t - step
        });
        if inside {
            out.push(json!([t, "1"]));
        }
        t += step;
    }
    out
}
