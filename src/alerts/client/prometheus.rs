//! Prometheus, `/api/v1/alerts`: pending and firing alerts.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{ClientError, Endpoint, Problem, clip};
use crate::alerts::model::{Alert, AlertState, Labels, RecordKind, Severity, Skipped, fingerprint};
use crate::config::HttpSourceConfig;
use serde_json::value::RawValue;

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
