//! One poller ([`crate::poll`]) per source. Each refreshes at its interval and
//! on demand; on-demand requests coalesce (any number of requests made while a
//! fetch is running lead to exactly one more fetch), and a slow or dead source
//! delays only itself. Results go to a sink callback, which the runtime turns
//! into actions; nothing here knows about the UI.

use std::sync::Arc;
use std::time::Duration;

use crate::poll::Poller;
use chrono::{DateTime, Utc};

use super::client::{AlertmanagerClient, ClientError, PrometheusClient};
use super::history::History;
use super::model::{Alert, AlertmanagerSnapshot, Skipped, SourceKind};

/// What one fetch of one source produced.
#[derive(Debug, Clone)]
pub enum SourceEvent {
    /// A fetch started (the header shows a spinner-free "…" marker).
    Fetching {
        /// Source name.
        name: String,
    },
    /// An Alertmanager's alerts, silences and peers.
    Alertmanager {
        /// Source name.
        name: String,
        /// The snapshot, or why there is none.
        result: Result<AlertmanagerSnapshot, ClientError>,
        /// When the fetch finished.
        at: DateTime<Utc>,
    },
    /// A Prometheus' `ALERTS` history (its own poller, its own interval;
    /// a failure leaves the source's health alone).
    History {
        /// The Prometheus' name.
        name: String,
        /// The history, or why there is none.
        result: Result<History, ClientError>,
        /// Series it sent that were not understood (skipped).
        skipped: Vec<Skipped>,
        /// When the fetch finished.
        at: DateTime<Utc>,
    },
    /// A Prometheus' pending and firing alerts.
    Prometheus {
        /// Source name.
        name: String,
        /// The alerts, or why there are none.
        result: Result<Vec<Alert>, ClientError>,
        /// Records it sent that were not understood (skipped).
        skipped: Vec<Skipped>,
        /// When the fetch finished.
        at: DateTime<Utc>,
    },
}

impl SourceEvent {
    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            SourceEvent::Fetching { name }
            | SourceEvent::Alertmanager { name, .. }
            | SourceEvent::History { name, .. }
            | SourceEvent::Prometheus { name, .. } => name,
        }
    }
}

/// A client of either kind.
#[derive(Debug, Clone)]
pub enum SourceClient {
    /// Alertmanager.
    Alertmanager(AlertmanagerClient),
    /// Prometheus.
    Prometheus(PrometheusClient),
}

impl SourceClient {
    /// The source name.
    pub fn name(&self) -> &str {
        match self {
            SourceClient::Alertmanager(c) => c.name(),
            SourceClient::Prometheus(c) => c.name(),
        }
    }

    /// The source kind.
    pub fn kind(&self) -> SourceKind {
        match self {
            SourceClient::Alertmanager(_) => SourceKind::Alertmanager,
            SourceClient::Prometheus(_) => SourceKind::Prometheus,
        }
    }

    /// Fetches once.
    pub async fn fetch(&self) -> SourceEvent {
        match self {
            SourceClient::Alertmanager(c) => {
                let result = c.snapshot().await;
                SourceEvent::Alertmanager {
                    name: c.name().to_string(),
                    result,
                    at: Utc::now(),
                }
            }
            SourceClient::Prometheus(c) => {
                let (result, skipped) = match c.alerts().await {
                    Ok((alerts, skipped)) => (Ok(alerts), skipped),
                    Err(e) => (Err(e), Vec::new()),
                };
                SourceEvent::Prometheus {
                    name: c.name().to_string(),
                    result,
                    skipped,
                    at: Utc::now(),
                }
            }
        }
    }
}

/// Fetches every source once, concurrently (used by the CLI).
pub async fn fetch_all(clients: &[SourceClient]) -> Vec<SourceEvent> {
    futures::future::join_all(clients.iter().map(SourceClient::fetch)).await
}

/// Logs the records a fetch skipped, once each time the set changes (a
/// refresh every few seconds must not repeat the same warning).
fn log_skipped(event: &SourceEvent, logged: &std::sync::Mutex<Vec<Skipped>>) {
    let skipped = match event {
        SourceEvent::Alertmanager { result: Ok(s), .. } => &s.skipped,
        SourceEvent::Prometheus { skipped, .. } => skipped,
        _ => return,
    };
    let Ok(mut last) = logged.lock() else { return };
    if *last != *skipped {
        for s in skipped {
            tracing::warn!(source = %event.name(), "not understood: {}", s.detail);
        }
        *last = skipped.clone();
    }
}

/// The running source tasks.
pub struct Sources {
    pollers: Vec<Poller>,
}

impl Sources {
    /// Spawns one poller per client on the current runtime. Each fetches at
    /// once, then every `every`, and whenever [`Sources::refresh_all`] asks.
    pub fn spawn<F>(clients: Vec<SourceClient>, every: Duration, sink: F) -> Sources
    where
        F: Fn(SourceEvent) + Send + Sync + Clone + 'static,
    {
        let pollers = clients
            .into_iter()
            .map(|client| {
                let name = client.name().to_string();
                let started = SourceEvent::Fetching { name: name.clone() };
                let client = Arc::new(client);
                let logged: Arc<std::sync::Mutex<Vec<Skipped>>> = Arc::default();
                Poller::spawn(
                    &name,
                    every,
                    started,
                    move || {
                        let client = client.clone();
                        let logged = logged.clone();
                        async move {
                            let event = client.fetch().await;
                            log_skipped(&event, &logged);
                            event
                        }
                    },
                    sink.clone(),
                )
            })
            .collect();
        Sources { pollers }
    }

    /// Adds a poller reading `client`'s `ALERTS` history over `window`
    /// every `every` (and on `r`).
    pub fn spawn_history<F>(
        &mut self,
        client: PrometheusClient,
        window: Duration,
        every: Duration,
        sink: F,
    ) where
        F: Fn(SourceEvent) + Send + Sync + Clone + 'static,
    {
        let name = client.name().to_string();
        // Not the source's own name: its health is not the history's.
        let started = SourceEvent::Fetching {
            name: format!("{name} history"),
        };
        let client = Arc::new(client);
        let poller = Poller::spawn(
            &name,
            every,
            started,
            move || {
                let client = client.clone();
                async move {
                    let (result, skipped) = match client.history(window, Utc::now()).await {
                        Ok((h, skipped)) => (Ok(h), skipped),
                        Err(e) => (Err(e), Vec::new()),
                    };
                    SourceEvent::History {
                        name: client.name().to_string(),
                        result,
                        skipped,
                        at: Utc::now(),
                    }
                }
            },
            sink,
        );
        self.pollers.push(poller);
    }

    /// Asks every source to refresh now. Requests coalesce.
    pub fn refresh_all(&self) {
        for p in &self.pollers {
            p.refresh();
        }
    }

    /// Asks one source to refresh now.
    pub fn refresh(&self, name: &str) {
        for p in self.pollers.iter().filter(|p| p.name == name) {
            p.refresh();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HttpSourceConfig;
    use std::sync::Mutex;

    fn dead_source(name: &str) -> SourceClient {
        // Port 9 on loopback: nothing listens, the connection is refused.
        let cfg: HttpSourceConfig = toml::from_str(&format!(
            "name = \"{name}\"\nurl = \"http://127.0.0.1:9\"\ntimeout = \"2s\""
        ))
        .expect("config");
        SourceClient::Alertmanager(AlertmanagerClient::new(&cfg).expect("client"))
    }

    #[tokio::test]
    async fn refresh_requests_coalesce_and_errors_are_reported() {
        let events: Arc<Mutex<Vec<SourceEvent>>> = Arc::default();
        let sink = {
            let events = events.clone();
            move |e: SourceEvent| events.lock().expect("lock").push(e)
        };
        let sources = Sources::spawn(vec![dead_source("a")], Duration::from_secs(3600), sink);
        // Wait for the first fetch to finish.
        for _ in 0..100 {
            if events.lock().expect("lock").len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for _ in 0..5 {
            sources.refresh_all();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let events = events.lock().expect("lock");
        let fetches = events
            .iter()
            .filter(|e| matches!(e, SourceEvent::Alertmanager { .. }))
            .count();
        // The first fetch; the first request wakes the idle task; the other
        // four arrive while it fetches and coalesce into one more. Not six.
        assert_eq!(fetches, 3, "{events:?}");
        match &events[1] {
            SourceEvent::Alertmanager { result: Err(e), .. } => {
                let text = e.to_string();
                assert!(text.starts_with("a: GET /api/v2/"), "{text}");
                assert!(text.ends_with(": connection refused"), "{text}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
