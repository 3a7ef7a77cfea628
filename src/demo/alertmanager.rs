//! Alertmanager API v2 subset: alerts, silences and status, with the
//! validation rules and error texts of Alertmanager 0.25.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    routing::get,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Shared;
use super::data::{DemoAlert, Labels, Rng, catalog};

/// Seconds between two churn steps.
const CHURN_SECS: i64 = 20;

type ApiError = (StatusCode, String);

fn bad(msg: impl Into<String>) -> ApiError {
    (StatusCode::BAD_REQUEST, msg.into())
}

fn not_found() -> ApiError {
    (StatusCode::NOT_FOUND, "silence not found".into())
}

/// Timestamps as Alertmanager prints them (RFC 3339, milliseconds, `Z`).
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A silence matcher as it appears on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Matcher {
    name: String,
    value: String,
    #[serde(default)]
    is_regex: bool,
    #[serde(default = "default_true")]
    is_equal: bool,
}

fn default_true() -> bool {
    true
}

/// A validated matcher with its anchored regex compiled.
#[derive(Debug, Clone)]
struct Compiled {
    m: Matcher,
    re: Option<Regex>,
}

fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Compiled {
    fn new(m: Matcher) -> Result<Self, String> {
        if !valid_label_name(&m.name) {
            return Err(format!("invalid label name {:?}", m.name));
        }
        let re = if m.is_regex {
            let re = Regex::new(&format!("^(?:{})$", m.value)).map_err(|e| {
                let msg = e
                    .to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                format!("invalid regular expression {:?}: {msg}", m.value)
            })?;
            Some(re)
        } else {
            None
        };
        Ok(Self { m, re })
    }

    fn matches_value(&self, v: &str) -> bool {
        let hit = match &self.re {
            Some(re) => re.is_match(v),
            None => self.m.value == v,
        };
        hit == self.m.is_equal
    }

    /// A missing label matches like the empty string.
    fn matches(&self, labels: &Labels) -> bool {
        self.matches_value(labels.get(&self.m.name).map_or("", String::as_str))
    }
}

/// Parses an Alertmanager `filter` query value such as `alertname=~"foo.*"`.
fn parse_filter(raw: &str) -> Result<Compiled, ApiError> {
    let err = || bad(format!("bad matcher format: {raw}"));
    let s = raw
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let (name, rest) = s.split_at(s.find(['=', '!']).ok_or_else(err)?);
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .ok_or_else(err)?;
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    let m = Matcher {
        name: name.trim().into(),
        value: value.into(),
        is_regex: op.ends_with('~'),
        is_equal: !op.starts_with('!'),
    };
    Compiled::new(m).map_err(|_| err())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SilenceState {
    Active,
    Pending,
    Expired,
}

#[derive(Debug, Clone)]
struct Silence {
    id: String,
    matchers: Vec<Compiled>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    comment: String,
}

impl Silence {
    fn state(&self, now: DateTime<Utc>) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if self.ends_at <= now {
            SilenceState::Expired
        } else {
            SilenceState::Active
        }
    }

    fn matches(&self, labels: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }

    fn expire(&mut self, now: DateTime<Utc>) {
        self.ends_at = now;
        self.starts_at = self.starts_at.min(now);
        self.updated_at = now;
    }

    fn to_json(&self, now: DateTime<Utc>) -> Value {
        let state = match self.state(now) {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
        };
        let matchers: Vec<&Matcher> = self.matchers.iter().map(|c| &c.m).collect();
        json!({
            "id": self.id,
            "status": { "state": state },
            "updatedAt": ts(self.updated_at),
            "comment": self.comment,
            "createdBy": self.created_by,
            "endsAt": ts(self.ends_at),
            "matchers": matchers,
            "startsAt": ts(self.starts_at),
        })
    }
}

/// Body of `POST /api/v2/silences`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostableSilence {
    #[serde(default)]
    id: Option<String>,
    matchers: Vec<Matcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: String,
    comment: String,
}

/// Alertmanager's `validateSilence` rules for the matchers.
fn validate(matchers: Vec<Matcher>) -> Result<Vec<Compiled>, String> {
    if matchers.is_empty() {
        return Err("at least one matcher required".into());
    }
    let compiled = matchers
        .into_iter()
        .enumerate()
        .map(|(i, m)| Compiled::new(m).map_err(|e| format!("invalid label matcher {i}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if compiled.iter().all(|c| c.matches_value("")) {
        return Err("at least one matcher must not match the empty string".into());
    }
    Ok(compiled)
}

/// All mutable demo state: the alert catalogue and the silences.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) started: DateTime<Utc>,
    pub(crate) alerts: Vec<DemoAlert>,
    silences: Vec<Silence>,
    rng: Rng,
    /// Churn steps applied so far.
    tick: i64,
}

impl Store {
    pub(crate) fn new(seed: u64, started: DateTime<Utc>) -> Self {
        let mut rng = Rng::new(seed);
        let matcher = Matcher {
            name: "alertname".into(),
            value: "warning_gitserver_running_git_commands".into(),
            is_regex: false,
            is_equal: true,
        };
        let silence = Silence {
            id: rng.uuid(),
            matchers: vec![Compiled {
                m: matcher,
                re: None,
            }],
            starts_at: started - Duration::minutes(30),
            ends_at: started + Duration::hours(2),
            updated_at: started - Duration::minutes(30),
            created_by: "alice".into(),
            comment: "investigating, see INC-42".into(),
        };
        Self {
            started,
            alerts: catalog(started),
            silences: vec![silence],
            rng,
            tick: 0,
        }
    }

    /// Applies every churn step due by `now`: each toggles one flappy alert
    /// (resolve if firing, re-fire if resolved), chosen by the seeded PRNG.
    pub(crate) fn advance(&mut self, now: DateTime<Utc>) {
        let target = (now - self.started).num_seconds() / CHURN_SECS;
        let flappy: Vec<usize> = (0..self.alerts.len())
            .filter(|&i| self.alerts[i].flappy)
            .collect();
        while self.tick < target && !flappy.is_empty() {
            self.tick += 1;
            let at = self.started + Duration::seconds(self.tick * CHURN_SECS);
            let pick = flappy[self.rng.below(flappy.len())];
            if let Some(alert) = self.alerts.get_mut(pick) {
                alert.active = !alert.active;
                if alert.active {
                    alert.starts_at = at;
                } else {
                    alert.last_episode = Some((alert.starts_at, at));
                }
            }
        }
    }

    fn silenced_by(&self, labels: &Labels, now: DateTime<Utc>) -> Vec<String> {
        let active = |s: &&Silence| s.state(now) == SilenceState::Active && s.matches(labels);
        self.silences
            .iter()
            .filter(active)
            .map(|s| s.id.clone())
            .collect()
    }

    /// Alertmanager's `Silences.Set`: update in place when possible,
    /// otherwise expire the previous silence and create a new one.
    fn set_silence(&mut self, p: PostableSilence, now: DateTime<Utc>) -> Result<String, ApiError> {
        let prev = match p.id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => Some(
                self.silences
                    .iter()
                    .position(|s| s.id == id)
                    .ok_or_else(not_found)?,
            ),
            None => None,
        };
        let matchers = validate(p.matchers).map_err(|e| bad(format!("silence invalid: {e}")))?;
        let mut new = Silence {
            id: String::new(),
            matchers,
            starts_at: p.starts_at.max(now),
            ends_at: p.ends_at,
            updated_at: now,
            created_by: p.created_by,
            comment: p.comment,
        };
        if let Some(old) = prev.and_then(|i| self.silences.get_mut(i)) {
            let state = old.state(now);
            let same = old
                .matchers
                .iter()
                .map(|c| &c.m)
                .eq(new.matchers.iter().map(|c| &c.m));
            if same && state != SilenceState::Expired {
                if state == SilenceState::Active {
                    new.starts_at = old.starts_at;
                }
                new.id = old.id.clone();
                *old = new;
                return Ok(old.id.clone());
            }
            if state != SilenceState::Expired {
                old.expire(now);
            }
        }
        new.id = self.rng.uuid();
        let id = new.id.clone();
        self.silences.push(new);
        Ok(id)
    }
}

/// The Alertmanager routes, to be nested under the `/alertmanager` prefix.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/alerts", get(list_alerts))
        .route("/api/v2/silences", get(list_silences).post(post_silence))
        .route(
            "/api/v2/silence/{id}",
            get(get_silence).delete(delete_silence),
        )
        .route("/api/v2/status", get(status))
        .route("/-/healthy", get(|| async { "OK" }))
        .route("/-/ready", get(|| async { "OK" }))
}

async fn list_alerts(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<Value>, ApiError> {
    let (mut active, mut silenced) = (true, true);
    let mut filters = Vec::new();
    for (key, value) in &params {
        match key.as_str() {
            "filter" => filters.push(parse_filter(value)?),
            "active" | "silenced" | "inhibited" | "unprocessed" => {
                let b: bool = value.parse().map_err(|_| {
                    bad(format!("{key} in query must be of type boolean: {value:?}"))
                })?;
                // Nothing is ever inhibited or unprocessed in the demo.
                match key.as_str() {
                    "active" => active = b,
                    "silenced" => silenced = b,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let now = Utc::now();
    let store = shared.store(now);
    // Prometheus re-sends about once a minute; endsAt is that plus the resend window.
    let updated = store.started + Duration::minutes((now - store.started).num_minutes());
    let mut out = Vec::new();
    for a in store.alerts.iter().filter(|a| a.active && !a.pending) {
        if !filters.iter().all(|f| f.matches(&a.labels)) {
            continue;
        }
        let silenced_by = store.silenced_by(&a.labels, now);
        let suppressed = !silenced_by.is_empty();
        if (suppressed && !silenced) || (!suppressed && !active) {
            continue;
        }
        out.push(json!({
            "annotations": a.annotations,
            "endsAt": ts(updated + Duration::minutes(4)),
            "fingerprint": a.fingerprint,
            "receivers": [{ "name": "demo" }],
            "startsAt": ts(a.starts_at),
            "status": {
                "inhibitedBy": [],
                "silencedBy": silenced_by,
                "state": if suppressed { "suppressed" } else { "active" },
            },
            "updatedAt": ts(updated.max(a.starts_at)),
            "generatorURL": a.generator_url,
            "labels": a.labels,
        }));
    }
    Ok(Json(Value::Array(out)))
}

/// Sorted like Alertmanager: active by endsAt, then pending by startsAt,
/// then expired by most recently ended.
async fn list_silences(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let now = Utc::now();
    let store = shared.store(now);
    let mut list: Vec<&Silence> = store.silences.iter().collect();
    list.sort_by_key(|s| {
        let state = s.state(now);
        let key = match state {
            SilenceState::Active => s.ends_at.timestamp_millis(),
            SilenceState::Pending => s.starts_at.timestamp_millis(),
            SilenceState::Expired => -s.ends_at.timestamp_millis(),
        };
        (state, key)
    });
    Json(list.iter().map(|s| s.to_json(now)).collect())
}

async fn get_silence(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let now = Utc::now();
    let store = shared.store(now);
    let silence = store
        .silences
        .iter()
        .find(|s| s.id == id)
        .ok_or_else(not_found)?;
    Ok(Json(silence.to_json(now)))
}

async fn post_silence(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<PostableSilence>,
) -> Result<Json<Value>, ApiError> {
    let now = Utc::now();
    if body.starts_at >= body.ends_at {
        return Err(bad(
            "Failed to create silence: start time must be before end time",
        ));
    }
    if body.ends_at < now {
        return Err(bad(
            "Failed to create silence: end time can't be in the past",
        ));
    }
    let id = shared.store(now).set_silence(body, now)?;
    Ok(Json(json!({ "silenceID": id })))
}

async fn delete_silence(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let now = Utc::now();
    let mut store = shared.store(now);
    let silence = store
        .silences
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(not_found)?;
    if silence.state(now) == SilenceState::Expired {
        return Err(bad(format!("silence {id} already expired")));
    }
    silence.expire(now);
    Ok(StatusCode::OK)
}

const CONFIG: &str = "\
global:
  resolve_timeout: 5m
route:
  receiver: demo
  group_by:
  - alertname
  - service_name
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
- name: demo
templates: []
";

async fn status(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let started = shared.store(Utc::now()).started;
    let name = &shared.cluster_name;
    Json(json!({
        "cluster": {
            "name": name,
            "peers": [{ "address": "127.0.0.1:9094", "name": name }],
            "status": "ready",
        },
        "config": { "original": CONFIG },
        "uptime": ts(started),
        "versionInfo": {
            "branch": "HEAD",
            "buildDate": "20221222-14:51:36",
            "buildUser": "opsdeck@demo",
            "goVersion": "go1.19.4",
            "revision": "demo",
            "version": "0.25.0-demo",
        },
    }))
}
