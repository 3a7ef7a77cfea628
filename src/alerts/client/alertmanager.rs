//! Alertmanager, API v2: alerts, silences, cluster status; creating,
//! updating and expiring silences.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ClientError, DecodeError, Endpoint, clip, decode_json};
use crate::alerts::matcher::{MatchOp, Matcher};
use crate::alerts::model::{
    Alert, AlertState, AlertmanagerSnapshot, Labels, RecordKind, Severity, Silence, SilenceState,
    Skipped,
};
use crate::config::HttpSourceConfig;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiAlert {
    labels: Labels,
    #[serde(default)]
    annotations: Option<Labels>,
    starts_at: DateTime<Utc>,
    fingerprint: String,
    status: ApiAlertStatus,
    #[serde(rename = "generatorURL", default)]
    generator_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiAlertStatus {
    state: String,
    #[serde(default)]
    silenced_by: Option<Vec<String>>,
    #[serde(default)]
    inhibited_by: Option<Vec<String>>,
}

impl ApiAlert {
    fn into_alert(self, source: &str) -> Alert {
        let silenced_by = self.status.silenced_by.unwrap_or_default();
        let inhibited_by = self.status.inhibited_by.unwrap_or_default();
        let state = match self.status.state.as_str() {
            "suppressed" if !silenced_by.is_empty() => AlertState::Silenced,
            "suppressed" => AlertState::Inhibited,
            _ => AlertState::Firing,
        };
        Alert {
            fingerprint: self.fingerprint,
            labels: self.labels.into(),
            annotations: self.annotations.unwrap_or_default().into(),
            starts_at: self.starts_at,
            state,
            sources: vec![source.to_string()],
            generator_url: self.generator_url.filter(|u| !u.is_empty()),
            silenced_by,
            inhibited_by,
            team: String::new(),
            severity: Severity::None,
        }
    }
}

/// Reads the `/api/v2/alerts` array straight into [`Alert`]s, one element
/// at a time (no intermediate list of API objects).
struct AlertsSeed<'s> {
    source: &'s str,
    capacity: usize,
}

impl<'de> serde::de::DeserializeSeed<'de> for AlertsSeed<'_> {
    type Value = Vec<Alert>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Alert>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for AlertsSeed<'_> {
    type Value = Vec<Alert>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of alerts")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Alert>, A::Error> {
        let mut out = Vec::with_capacity(self.capacity);
        while let Some(a) = seq.next_element::<ApiAlert>()? {
            out.push(a.into_alert(self.source));
        }
        // The guess was high (larger alerts, or a body of whitespace): the
        // list is kept for a whole refresh interval, so give the slack back.
        if out.capacity() > out.len() + out.len() / 8 {
            out.shrink_to_fit();
        }
        Ok(out)
    }
}

/// Parses an Alertmanager `/api/v2/alerts` body into alerts from `source`
/// (the client's own parsing, exposed for benchmarks and tests), with the
/// records that could not be understood: skipped and counted, never failing
/// the rest. Errors (a body that is not a list at all) read "empty
/// response", "invalid response: …".
pub fn parse_alertmanager_alerts(
    body: &[u8],
    source: &str,
) -> Result<(Vec<Alert>, Vec<Skipped>), DecodeError> {
    use serde::de::DeserializeSeed;
    // The fast path: every record is good (the common case), decoded in one
    // pass with no intermediate values.
    let strict = decode_json(body, |text| {
        let mut de = serde_json::Deserializer::from_str(text);
        let seed = AlertsSeed {
            source,
            // A guess (alerts run to about 600 bytes of JSON) that saves
            // most of the list's regrowth.
            capacity: (text.len() / 600).min(1 << 16),
        };
        let alerts = seed.deserialize(&mut de)?;
        de.end()?;
        Ok(alerts)
    });
    let problem = match strict {
        Ok(alerts) => return Ok((alerts, Vec::new())),
        Err(problem) => problem,
    };
    // Something is wrong: if the body is still a list, decode it record by
    // record and skip the bad ones; if not, the first error stands.
    let Ok(records) = decode_json(body, serde_json::from_str::<Vec<&RawValue>>) else {
        return Err(problem);
    };
    let total = records.len();
    let mut alerts = Vec::with_capacity(total);
    let mut skipped = Vec::new();
    for (i, raw) in records.into_iter().enumerate() {
        match serde_json::from_str::<ApiAlert>(raw.get()) {
            Ok(a) => alerts.push(a.into_alert(source)),
            Err(e) => skipped.push(Skipped {
                kind: RecordKind::Alert,
                detail: format!(
                    "alert {} of {total}{}: {}",
                    i + 1,
                    record_name(raw, &["labels", "alertname"]),
                    clip(&e.to_string(), 160)
                ),
            }),
        }
    }
    Ok((alerts, skipped))
}

/// ` (NAME)` for a record whose field at `path` is a string, else "".
fn record_name(raw: &RawValue, path: &[&str]) -> String {
    let value: serde_json::Value = serde_json::from_str(raw.get()).unwrap_or_default();
    let found = path
        .iter()
        .try_fold(&value, |v, key| v.get(key))
        .and_then(serde_json::Value::as_str);
    match found {
        Some(name) => format!(" ({})", clip(name, 60)),
        None => String::new(),
    }
}

/// A matcher as Alertmanager's API spells it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiMatcher {
    /// Label name.
    pub name: String,
    /// Value or regex.
    pub value: String,
    /// `=~` / `!~`.
    pub is_regex: bool,
    /// `=` / `=~` (absent in old servers: true).
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

impl From<&Matcher> for ApiMatcher {
    fn from(m: &Matcher) -> Self {
        ApiMatcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: m.op.is_regex(),
            is_equal: m.op.is_equal(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiSilence {
    id: String,
    status: ApiSilenceStatus,
    matchers: Vec<ApiMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct ApiSilenceStatus {
    state: SilenceState,
}

#[derive(Deserialize)]
struct ApiStatus {
    cluster: ApiCluster,
}

#[derive(Deserialize)]
struct ApiCluster {
    #[serde(default)]
    status: String,
    #[serde(default)]
    peers: Option<Vec<serde_json::Value>>,
}

/// A silence to create (no `id`) or to update in place (`id` set).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSilence {
    /// Set to update an existing silence (Alertmanager keeps the id when
    /// only the end time, comment or author change).
    pub id: Option<String>,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// Start (now, for an acknowledgement).
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Author.
    pub created_by: String,
    /// Comment.
    pub comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostableSilence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    matchers: Vec<ApiMatcher>,
    starts_at: String,
    ends_at: String,
    created_by: &'a str,
    comment: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SilenceCreated {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The last `/api/v2/alerts` answer and what it parsed to.
type AlertsCache = std::sync::Arc<std::sync::Mutex<Option<(Vec<u8>, Parsed)>>>;

/// Alerts and the records skipped.
type Parsed = (Vec<Alert>, Vec<Skipped>);

/// An Alertmanager, through API v2.
#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// A byte-identical answer (the common case between changes) is not
    /// parsed again: with 10,000 alerts that is most of a refresh's cost.
    last_alerts: AlertsCache,
}

impl AlertmanagerClient {
    /// Builds the client.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Self, ClientError> {
        Ok(AlertmanagerClient {
            endpoint: Endpoint::new(cfg)?,
            last_alerts: AlertsCache::default(),
        })
    }

    /// The source name.
    pub fn name(&self) -> &str {
        &self.endpoint.name
    }

    /// `GET /api/v2/alerts`: active, silenced and inhibited alerts.
    pub async fn alerts(&self) -> Result<(Vec<Alert>, Vec<Skipped>), ClientError> {
        let what = "GET /api/v2/alerts";
        let body = self
            .endpoint
            .send(
                self.endpoint
                    .http
                    .get(format!("{}/api/v2/alerts", self.endpoint.base)),
                what,
            )
            .await?;
        if let Ok(cache) = self.last_alerts.lock() {
            if let Some((last, alerts)) = cache.as_ref() {
                if *last == body {
                    return Ok(alerts.clone());
                }
            }
        }
        let alerts = parse_alertmanager_alerts(&body, &self.endpoint.name)
            .map_err(|error| self.endpoint.decode_error(what, error))?;
        if let Ok(mut cache) = self.last_alerts.lock() {
            *cache = Some((body, alerts.clone()));
        }
        Ok(alerts)
    }

    /// `GET /api/v2/silences`: every silence, expired ones included. A
    /// record that cannot be decoded is skipped; a silence whose regex does
    /// not compile here is kept, marked (see [`Matcher::from_server`]);
    /// both are listed in the second value.
    pub async fn silences(&self) -> Result<(Vec<Silence>, Vec<Skipped>), ClientError> {
        let what = "GET /api/v2/silences";
        let body = self
            .endpoint
            .send(
                self.endpoint
                    .http
                    .get(format!("{}/api/v2/silences", self.endpoint.base)),
                what,
            )
            .await?;
        let raw: Vec<&RawValue> = self.endpoint.decode_borrowed(&body, what)?;
        let total = raw.len();
        let mut silences = Vec::with_capacity(total);
        let mut skipped = Vec::new();
        for (i, record) in raw.into_iter().enumerate() {
            let s = match serde_json::from_str::<ApiSilence>(record.get()) {
                Ok(s) => s,
                Err(e) => {
                    skipped.push(Skipped {
                        kind: RecordKind::Silence,
                        detail: format!(
                            "silence {} of {total}{}: {}",
                            i + 1,
                            record_name(record, &["id"]),
                            clip(&e.to_string(), 160)
                        ),
                    });
                    continue;
                }
            };
            let matchers: Vec<Matcher> = s
                .matchers
                .iter()
                .map(|m| {
                    Matcher::from_server(
                        &m.name,
                        MatchOp::from_flags(m.is_regex, m.is_equal),
                        &m.value,
                    )
                })
                .collect();
            if let Some(problem) = matchers.iter().find_map(Matcher::problem) {
                skipped.push(Skipped {
                    kind: RecordKind::Silence,
                    detail: format!(
                        "silence {}: regex not understood here: {}",
                        clip(&s.id, 40),
                        clip(problem, 160)
                    ),
                });
            }
            silences.push(Silence {
                id: s.id,
                matchers,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                created_by: s.created_by,
                comment: s.comment,
                state: s.status.state,
                sources: vec![self.endpoint.name.clone()],
            });
        }
        Ok((silences, skipped))
    }

    /// `GET /api/v2/status`: the names of the cluster's peers (empty when
    /// clustering is disabled); a peer without a name is skipped and listed.
    pub async fn peers(&self) -> Result<(Vec<String>, Vec<Skipped>), ClientError> {
        let status: ApiStatus = self.endpoint.get_json("/api/v2/status").await?;
        if status.cluster.status == "disabled" {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut skipped = Vec::new();
        let mut peers: Vec<String> = Vec::new();
        for (i, p) in status.cluster.peers.unwrap_or_default().iter().enumerate() {
            match p.get("name").and_then(serde_json::Value::as_str) {
                Some(name) => peers.push(name.to_string()),
                None => skipped.push(Skipped {
                    kind: RecordKind::Status,
                    detail: format!("cluster peer {}: no name", i + 1),
                }),
            }
        }
        peers.sort();
        Ok((peers, skipped))
    }

    /// Alerts, silences and cluster peers, fetched concurrently. Without
    /// alerts or silences there is no snapshot; a status that cannot be
    /// read only degrades it (no peers, so no HA merge).
    pub async fn snapshot(&self) -> Result<AlertmanagerSnapshot, ClientError> {
        let (alerts, silences, peers) = tokio::join!(self.alerts(), self.silences(), self.peers());
        let (alerts, mut skipped) = alerts?;
        let (silences, more) = silences?;
        skipped.extend(more);
        let peers = match peers {
            Ok((peers, more)) => {
                skipped.extend(more);
                peers
            }
            Err(e) => {
                skipped.push(Skipped {
                    kind: RecordKind::Status,
                    detail: e.message.to_string(),
                });
                Vec::new()
            }
        };
        Ok(AlertmanagerSnapshot {
            alerts,
            silences,
            peers,
            skipped,
        })
    }

    /// `POST /api/v2/silences`; returns the silence id. Never retried.
    pub async fn post_silence(&self, s: &NewSilence) -> Result<String, ClientError> {
        let body = PostableSilence {
            id: s.id.as_deref(),
            matchers: s.matchers.iter().map(ApiMatcher::from).collect(),
            starts_at: rfc3339(s.starts_at),
            ends_at: rfc3339(s.ends_at),
            created_by: &s.created_by,
            comment: &s.comment,
        };
        let what = "POST /api/v2/silences";
        let req = self
            .endpoint
            .http
            .post(format!("{}/api/v2/silences", self.endpoint.base))
            .json(&body);
        let raw = self.endpoint.send(req, what).await?;
        let created: SilenceCreated = self.endpoint.decode(&raw, what)?;
        Ok(created.silence_id)
    }

    /// `DELETE /api/v2/silence/{id}`: expires the silence.
    pub async fn expire_silence(&self, id: &str) -> Result<(), ClientError> {
        let what = format!("DELETE /api/v2/silence/{id}");
        let req = self
            .endpoint
            .http
            .delete(format!("{}/api/v2/silence/{id}", self.endpoint.base));
        self.endpoint.send(req, &what).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_matcher_flags() {
        let m = Matcher::parse(r#"a!~"b.*""#).expect("ok");
        let api = ApiMatcher::from(&m);
        assert!(api.is_regex);
        assert!(!api.is_equal);
        let json = serde_json::to_value(&api).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"name":"a","value":"b.*","isRegex":true,"isEqual":false})
        );
    }
}
