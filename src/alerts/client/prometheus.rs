//! Prometheus, `/api/v1/alerts`: pending and firing alerts.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ClientError, Endpoint, Problem, clip};
use crate::alerts::history::{History, HistoryError, at_unix, step_for};
use crate::alerts::model::{Alert, AlertState, Labels, RecordKind, Severity, Skipped, fingerprint};
use crate::config::HttpSourceConfig;
use serde_json::value::RawValue;

/// The most JSON a compressed history answer may inflate to (its
/// compressed body is held to the usual cap).
pub const MAX_HISTORY_TEXT: u64 = 1 << 30;

#[derive(Deserialize)]
struct PromResponse<'a> {
    status: String,
    #[serde(default, borrow)]
    data: Option<PromData<'a>>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct PromData<'a> {
    #[serde(borrow)]
    alerts: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromAlert {
    labels: Labels,
    #[serde(default)]
    annotations: Option<Labels>,
    state: String,
    #[serde(default)]
    active_at: Option<DateTime<Utc>>,
}

/// A Prometheus server, for its pending (and firing) alerts.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    /// The endpoint.
    pub endpoint: Endpoint,
}

impl PrometheusClient {
    /// Builds the client.
    pub fn new(cfg: &HttpSourceConfig) -> Result<Self, ClientError> {
        Ok(PrometheusClient {
            endpoint: Endpoint::new(cfg)?,
        })
    }

    /// The source name.
    pub fn name(&self) -> &str {
        &self.endpoint.name
    }

    /// `GET /api/v1/alerts`: pending and firing alerts, fingerprinted as
    /// Alertmanager would so the two can be merged.
    pub async fn alerts(&self) -> Result<(Vec<Alert>, Vec<Skipped>), ClientError> {
        let what = "GET /api/v1/alerts";
        let raw = self
            .endpoint
            .send(
                self.endpoint
                    .http
                    .get(format!("{}/api/v1/alerts", self.endpoint.base)),
                what,
            )
            .await?;
        let resp: PromResponse = self.endpoint.decode_borrowed(&raw, what)?;
        if resp.status != "success" {
            return Err(self.endpoint.error(
                Problem::Other(format!(
                    "{what}: {}",
                    clip(
                        &resp
                            .error
                            .unwrap_or_else(|| format!("status {}", resp.status)),
                        300
                    )
                )),
                None,
            ));
        }
        let records = resp.data.map(|d| d.alerts).unwrap_or_default();
        let total = records.len();
        let generator = format!("{}/alerts", self.endpoint.base);
        let mut alerts = Vec::with_capacity(total);
        let mut skipped = Vec::new();
        for (i, record) in records.into_iter().enumerate() {
            let a = match serde_json::from_str::<PromAlert>(record.get()) {
                Ok(a) => a,
                Err(e) => {
                    skipped.push(Skipped {
                        kind: RecordKind::Alert,
                        detail: format!(
                            "alert {} of {total}: {}",
                            i + 1,
                            clip(&e.to_string(), 160)
                        ),
                    });
                    continue;
                }
            };
            if a.state != "pending" && a.state != "firing" {
                continue;
            }
            alerts.push(Alert {
                fingerprint: fingerprint(&a.labels),
                labels: a.labels.into(),
                annotations: a.annotations.unwrap_or_default().into(),
                starts_at: a.active_at.unwrap_or(DateTime::UNIX_EPOCH),
                state: if a.state == "pending" {
                    AlertState::Pending
                } else {
                    AlertState::Firing
                },
                sources: vec![self.endpoint.name.clone()],
                generator_url: Some(generator.clone()),
                silenced_by: Vec::new(),
                inhibited_by: Vec::new(),
                team: String::new(),
                severity: Severity::None,
            });
        }
        Ok((alerts, skipped))
    }
}

impl PrometheusClient {
    /// `GET /api/v1/query_range` on `ALERTS`: every alert's pending and
    /// firing history over `window` up to `end`, in one request.
    ///
    /// The grid ends at `end` rounded up to the step (successive refreshes
    /// share a grid, and an alert that began a moment ago is on it). Up to
    /// a minute's step, `ALERTS` itself is read (each point sees the last
    /// evaluation); a longer step reads `max_over_time(ALERTS[step])`, so
    /// an episode between two points is not lost.
    pub async fn history(
        &self,
        window: std::time::Duration,
        end: DateTime<Utc>,
    ) -> Result<(History, Vec<Skipped>), ClientError> {
        let what = "GET /api/v1/query_range (ALERTS)";
        let step = step_for(window);
        let step_s = i64::try_from(step.as_secs()).unwrap_or(1).max(1);
        let len = usize::try_from(window.as_secs().div_ceil(step.as_secs().max(1)))
            .unwrap_or(1)
            .max(1);
        let over = end.timestamp().rem_euclid(step_s);
        let end_s = end.timestamp() + if over == 0 { 0 } else { step_s - over };
        let start_s = end_s - step_s * (i64::try_from(len).unwrap_or(1) - 1);
        let url = format!("{}/api/v1/query_range", self.endpoint.base);
        let expr = if step_s <= 60 {
            "ALERTS".to_string()
        } else {
            format!("max_over_time(ALERTS[{step_s}s])")
        };
        let query = [
            ("query", expr),
            ("start", start_s.to_string()),
            ("end", end_s.to_string()),
            ("step", format!("{step_s}s")),
        ];
        // Prometheus compresses its answers when asked: a day of 10,000
        // alerts is 54 MB of JSON and a few MB compressed, read here as it
        // is inflated, a series at a time.
        let req = self
            .endpoint
            .http
            .get(url)
            .query(&query)
            .header(reqwest::header::ACCEPT_ENCODING, "gzip");
        let raw = self.endpoint.send(req, what).await?;
        let read = if raw.starts_with(&[0x1f, 0x8b]) {
            let read = History::from_gzip(&raw, MAX_HISTORY_TEXT, at_unix(start_s), step, len);
            if let Err(HistoryError::TooLarge(_)) = read {
                let what = format!("{what}, inflated past {} MiB,", MAX_HISTORY_TEXT >> 20);
                return Err(self.endpoint.error(Problem::TooLarge { what }, None));
            }
            read
        } else {
            let text =
                crate::net::json_text(&raw).map_err(|e| self.endpoint.decode_error(what, e))?;
            History::from_matrix(text, at_unix(start_s), step, len)
        };
        let (mut history, skipped) = read.map_err(|e| {
            self.endpoint
                .error(Problem::Other(format!("{what}: {e}")), None)
        })?;
        // Nothing ends after it was read; a point of `max_over_time` sees
        // the step before it.
        history.end = history.end.min(end);
        if step_s > 60 {
            history.lead = step;
        }
        Ok((history, skipped))
    }
}
