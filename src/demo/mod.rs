//! The embedded demo environment (cargo feature `demo`): simulated
//! Alertmanager (API v2), Prometheus (API v1), GitHub, container registry and
//! deployed instances, plus a deploy repository, so opsdeck can run without a
//! config file and exercise its real HTTP clients.
//!
//! One axum router on one listener, `127.0.0.1:<ephemeral port>`, serves
//! everything under path prefixes: `/alertmanager/api/v2/...`,
//! `/prometheus/api/v1/...`, `/github/api/v3/...`, `/registry/v2/...` and
//! `/instances/<name>/__version`. This module holds only the simulations
//! and their seed data; the tests' fakes (fault injection, recording) are in
//! the `opsdeck-testkit` crate.

mod alertmanager;
mod data;
pub mod deploy;
pub mod github;
mod history;
pub mod registry;

use std::io;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::{Json, Router, extract::State, routing::get};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use alertmanager::Store;
use data::Rng;

/// Options for the demo endpoints.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Seed of the deterministic PRNG (silence ids, cluster name, churn order).
    pub seed: u64,
    /// When true, every 20 s one "flappy" alert resolves or re-fires.
    pub churn: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            churn: true,
        }
    }
}

/// The running demo. Dropping it aborts the server task and removes the
/// deploy repository.
#[derive(Debug)]
pub struct DemoServer {
    /// Alertmanager base URL (includes the `/alertmanager` path prefix).
    pub alertmanager_url: String,
    /// Prometheus base URL (includes the `/prometheus` path prefix).
    pub prometheus_url: String,
    /// GitHub API base URL (`…/github/api/v3`).
    pub github_url: String,
    /// Registry base URL (`…/registry`; the API is below it at `/v2/`).
    pub registry_url: String,
    /// Base URL of the instances' `/<name>/__version` endpoints.
    pub instances_url: String,
    /// The deploy repository; `None` when it could not be created (no `git`).
    deploy: Option<deploy::Checkout>,
    task: JoinHandle<()>,
}

impl DemoServer {
    /// Binds `127.0.0.1:0` and spawns the server on the current tokio runtime
    /// with [`DemoOptions::default`].
    pub async fn start() -> io::Result<DemoServer> {
        Self::start_with(DemoOptions::default()).await
    }

    /// Like [`DemoServer::start`] with an explicit seed and churn setting.
    pub async fn start_with(opts: DemoOptions) -> io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared::new(&opts, Utc::now()));
        let github = github::Github::demo(&format!("{base}/github{}", github::API_PREFIX));
        let registry = registry::Registry::new("/registry");
        deploy::seed_registry(&registry);
        // The deploy repository needs git; without it the demo still runs.
        let checkout = match deploy::Checkout::create().await {
            Ok(checkout) => Some(checkout),
            Err(e) => {
                tracing::warn!(error = %e, "demo deploy repository unavailable");
                None
            }
        };
        let alerts = Router::new()
            .nest("/alertmanager", alertmanager::router())
            .nest(
                "/prometheus",
                Router::new()
                    .route("/api/v1/alerts", get(prometheus_alerts))
                    .route("/api/v1/query_range", get(history::query_range)),
            )
            .with_state(shared);
        let app = alerts
            .nest("/github", github.router())
            .nest("/registry", registry.router())
            .nest("/instances", deploy::instances());
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::warn!(%err, "demo server stopped");
            }
        });
        tracing::info!(%addr, "demo endpoints listening");
        Ok(DemoServer {
            alertmanager_url: format!("{base}/alertmanager"),
            prometheus_url: format!("{base}/prometheus"),
            github_url: github.url().to_string(),
            registry_url: format!("{base}/registry"),
            instances_url: format!("{base}/instances"),
            deploy: checkout,
            task,
        })
    }

    /// The deploy checkout; `None` when it could not be created (no `git`).
    pub fn deploy_repo(&self) -> Option<&Path> {
        self.deploy.as_ref().map(|c| c.repo.as_path())
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// State shared by all handlers.
#[derive(Debug)]
pub(crate) struct Shared {
    churn: bool,
    cluster_name: String,
    store: Mutex<Store>,
}

impl Shared {
    fn new(opts: &DemoOptions, started: DateTime<Utc>) -> Self {
        const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let mut rng = Rng::new(!opts.seed);
        let suffix: String = (0..20)
            .map(|_| char::from(CROCKFORD[rng.below(CROCKFORD.len())]))
            .collect();
        Self {
            churn: opts.churn,
            cluster_name: format!("01DEMO{suffix}"),
            store: Mutex::new(Store::new(opts.seed, started)),
        }
    }

    /// Locks the store (recovering from poisoning) and applies due churn.
    fn store(&self, now: DateTime<Utc>) -> MutexGuard<'_, Store> {
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        if self.churn {
            store.advance(now);
        }
        store
    }
}

/// `GET /prometheus/api/v1/alerts`: firing alerts (same label sets as
/// Alertmanager's, silenced or not) plus a few Prometheus-only pending ones.
async fn prometheus_alerts(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let store = shared.store(Utc::now());
    let alerts: Vec<Value> = store
        .alerts
        .iter()
        .filter(|a| a.active || a.pending)
        .map(|a| {
            json!({
                "labels": a.labels,
                "annotations": a.annotations,
                "state": if a.pending { "pending" } else { "firing" },
                "activeAt": a.starts_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
                "value": "1e+00",
            })
        })
        .collect();
    Json(json!({ "status": "success", "data": { "alerts": alerts } }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::Duration;
    use reqwest::StatusCode;
    use std::collections::{BTreeMap, BTreeSet};

    /// A demo server (no churn) plus a client; paths are relative to the
    /// Alertmanager URL.
    struct Demo(DemoServer, reqwest::Client);

    impl Demo {
        async fn new() -> Self {
            let opts = DemoOptions {
                seed: 7,
                churn: false,
            };
            Demo(
                DemoServer::start_with(opts).await.unwrap(),
                reqwest::Client::new(),
            )
        }

        async fn get(&self, path: &str) -> Value {
            let resp = self
                .1
                .get(format!("{}{path}", self.0.alertmanager_url))
                .send()
                .await;
            let resp = resp.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            resp.json().await.unwrap()
        }

        async fn post(&self, body: Value) -> (StatusCode, String) {
            let url = format!("{}/api/v2/silences", self.0.alertmanager_url);
            let resp = self.1.post(url).json(&body).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }

        async fn delete(&self, id: &str) -> (StatusCode, String) {
            let url = format!("{}/api/v2/silence/{id}", self.0.alertmanager_url);
            let resp = self.1.delete(url).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    }

    fn arr(v: &Value) -> &Vec<Value> {
        v.as_array().unwrap()
    }

    fn silence_body(matchers: Value, ends_in_min: i64) -> Value {
        let now = Utc::now();
        json!({
            "matchers": matchers,
            "startsAt": (now - Duration::hours(1)).to_rfc3339(),
            "endsAt": (now + Duration::minutes(ends_in_min)).to_rfc3339(),
            "createdBy": "test",
            "comment": "first",
        })
    }

    #[test]
    fn fingerprint_matches_prometheus() {
        // Empty label set: no bytes hashed, so the FNV-1a 64 offset basis
        // 14695981039346656037 = 0xcbf29ce484222325.
        assert_eq!(data::fingerprint(&BTreeMap::new()), "cbf29ce484222325");
        // {alertname="x"}: FNV-1a 64 over b"alertname\xffx\xff" (h ^= byte;
        // h *= 1099511628211 mod 2^64, starting from the offset basis),
        // worked out independently of this crate.
        let labels = BTreeMap::from([("alertname".to_string(), "x".to_string())]);
        assert_eq!(data::fingerprint(&labels), "d240efc3896bf266");
    }

    #[test]
    fn churn_is_deterministic_and_changes_things() {
        let t0 = Utc::now();
        let run = |seed, minutes| {
            let mut store = Store::new(seed, t0);
            store.advance(t0 + Duration::minutes(minutes));
            let alerts = store.alerts.iter();
            alerts.map(|a| (a.active, a.starts_at)).collect::<Vec<_>>()
        };
        assert_eq!(run(3, 10), run(3, 10));
        assert_ne!(run(3, 0), run(3, 10));
    }

    #[tokio::test]
    async fn alerts_have_alertmanager_shape() {
        let demo = Demo::new().await;
        let alerts = demo.get("/api/v2/alerts").await;
        let list = arr(&alerts);
        assert!(list.len() >= 20, "only {} alerts", list.len());
        for a in list {
            let labels: BTreeMap<String, String> =
                serde_json::from_value(a["labels"].clone()).unwrap();
            assert_eq!(a["fingerprint"], data::fingerprint(&labels));
            assert_eq!(a["receivers"], json!([{ "name": "demo" }]));
            assert_eq!(a["status"]["inhibitedBy"], json!([]));
            for t in [&a["startsAt"], &a["endsAt"], &a["updatedAt"]].map(|t| t.as_str().unwrap()) {
                assert!(
                    t.ends_with('Z') && DateTime::parse_from_rfc3339(t).is_ok(),
                    "{t}"
                );
            }
            let url = a["generatorURL"].as_str().unwrap();
            assert!(url.starts_with("http://prometheus.demo:9090/graph?g0.expr="));
            assert!(a["annotations"]["description"].is_string());
        }
        // Both label conventions, and some unowned alerts; sorted by fingerprint.
        let has = |f: &dyn Fn(&Value) -> bool| list.iter().any(|a| f(&a["labels"]));
        assert!(has(&|l| l["owner"] == "search"));
        assert!(has(
            &|l| l["team"].is_string() && l["severity"] == "critical"
        ));
        assert!(has(&|l| l["owner"].is_null() && l["team"].is_null()));
        assert!(
            list.windows(2)
                .all(|w| w[0]["fingerprint"].as_str() < w[1]["fingerprint"].as_str())
        );

        // The pre-existing silence by alice suppresses exactly one alert.
        let silences = demo.get("/api/v2/silences").await;
        let alice = &silences[0];
        assert_eq!(
            (&alice["createdBy"], &alice["status"]["state"]),
            (&json!("alice"), &json!("active"))
        );
        let suppressed: Vec<_> = list
            .iter()
            .filter(|a| a["status"]["state"] == "suppressed")
            .collect();
        assert_eq!(suppressed.len(), 1);
        assert_eq!(suppressed[0]["status"]["silencedBy"], json!([alice["id"]]));

        // Query parameters.
        let unsilenced = demo.get("/api/v2/alerts?silenced=false").await;
        assert_eq!(arr(&unsilenced).len(), list.len() - 1);
        assert_eq!(arr(&demo.get("/api/v2/alerts?active=false").await).len(), 1);
        let zoekt = demo
            .get("/api/v2/alerts?filter=service_name%3D~%22zoekt-.*%22")
            .await;
        let services: BTreeSet<_> = arr(&zoekt)
            .iter()
            .map(|a| a["labels"]["service_name"].to_string())
            .collect();
        let expected = ["\"zoekt-indexserver\"", "\"zoekt-webserver\""].map(String::from);
        assert_eq!(services, BTreeSet::from(expected));
    }

    #[tokio::test]
    async fn silence_lifecycle() {
        let demo = Demo::new().await;
        let name = "warning_frontend_99th_percentile_search_request_duration";
        let state_of = |alerts: Value| {
            let alert = arr(&alerts)
                .iter()
                .find(|a| a["labels"]["alertname"] == name)
                .cloned();
            alert.unwrap()["status"].clone()
        };
        let matchers = json!([{ "name": "alertname", "value": name, "isRegex": false }]);
        let before = Utc::now();
        let (status, text) = demo.post(silence_body(matchers.clone(), 60)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let id = serde_json::from_str::<Value>(&text).unwrap()["silenceID"].clone();
        let id = id.as_str().unwrap();

        let status = state_of(demo.get("/api/v2/alerts").await);
        assert_eq!(status["state"], "suppressed");
        assert_eq!(status["silencedBy"], json!([id]));

        // startsAt in the past was moved to now; isEqual defaulted to true.
        let silence = demo.get(&format!("/api/v2/silence/{id}")).await;
        let starts = DateTime::parse_from_rfc3339(silence["startsAt"].as_str().unwrap()).unwrap();
        assert!(starts >= before - Duration::milliseconds(1));
        assert_eq!(silence["matchers"][0]["isEqual"], true);

        // Same id + same matchers: updated in place.
        let mut body = silence_body(matchers, 120);
        body["id"] = json!(id);
        body["comment"] = json!("extended");
        let (status, text) = demo.post(body).await;
        assert_eq!(
            (status, text),
            (StatusCode::OK, json!({ "silenceID": id }).to_string())
        );
        let silences = demo.get("/api/v2/silences").await;
        assert_eq!(arr(&silences).len(), 2);
        let ours: Vec<_> = arr(&silences).iter().filter(|x| x["id"] == id).collect();
        assert_eq!(ours.len(), 1);
        assert_eq!(ours[0]["comment"], "extended");

        // Expire: empty 200, then expired and the alert is active again.
        assert_eq!(demo.delete(id).await, (StatusCode::OK, String::new()));
        assert_eq!(
            demo.get(&format!("/api/v2/silence/{id}")).await["status"]["state"],
            "expired"
        );
        assert_eq!(
            state_of(demo.get("/api/v2/alerts").await)["state"],
            "active"
        );
        assert_eq!(demo.delete(id).await.0, StatusCode::BAD_REQUEST);
        let unknown = demo.delete("00000000-0000-4000-8000-000000000000").await;
        assert_eq!(unknown, (StatusCode::NOT_FOUND, "silence not found".into()));
    }

    #[tokio::test]
    async fn silence_validation_errors() {
        let demo = Demo::new().await;
        let eq = json!([{ "name": "a", "value": "x", "isRegex": false }]);
        let cases = [
            (
                json!([{ "name": "foo", "value": ".*", "isRegex": true }]),
                60,
                "silence invalid: at least one matcher must not match the empty string",
            ),
            (
                json!([]),
                60,
                "silence invalid: at least one matcher required",
            ),
            (
                json!([{ "name": "", "value": "x", "isRegex": false }]),
                60,
                "silence invalid: invalid label matcher 0: invalid label name \"\"",
            ),
            (
                json!([{ "name": "a", "value": "(", "isRegex": true }]),
                60,
                "silence invalid: invalid label matcher 0: invalid regular expression \"(\"",
            ),
            (
                eq.clone(),
                -120,
                "Failed to create silence: start time must be before end time",
            ),
            (
                eq.clone(),
                -5,
                "Failed to create silence: end time can't be in the past",
            ),
        ];
        for (matchers, ends_in, expected) in cases {
            let (status, text) = demo.post(silence_body(matchers, ends_in)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(text.starts_with(expected), "{text:?} vs {expected:?}");
        }
        let mut body = silence_body(eq, 60);
        body["id"] = json!("no-such-silence");
        assert_eq!(
            demo.post(body).await,
            (StatusCode::NOT_FOUND, "silence not found".into())
        );
    }

    #[tokio::test]
    async fn path_prefixes_and_status() {
        let demo = Demo::new().await;
        let root = demo.0.alertmanager_url.trim_end_matches("/alertmanager");
        let resp = demo
            .1
            .get(format!("{root}/api/v2/alerts"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let status = demo.get("/api/v2/status").await;
        assert_eq!(status["cluster"]["status"], "ready");
        assert!(
            status["cluster"]["name"]
                .as_str()
                .unwrap()
                .starts_with("01DEMO")
        );
        assert_eq!(status["versionInfo"]["version"], "0.25.0-demo");
        assert!(
            status["config"]["original"]
                .as_str()
                .unwrap()
                .contains("route:")
        );
    }

    #[tokio::test]
    async fn prometheus_has_pending_and_firing() {
        let demo = Demo::new().await;
        let url = format!("{}/api/v1/alerts", demo.0.prometheus_url);
        let prom: Value = demo.1.get(url).send().await.unwrap().json().await.unwrap();
        assert_eq!(prom["status"], "success");
        let alerts = arr(&prom["data"]["alerts"]);
        assert!(
            alerts
                .iter()
                .all(|a| a["value"] == "1e+00" && a["activeAt"].is_string())
        );
        let labels_of = |state: &str| -> BTreeSet<String> {
            let matching = alerts.iter().filter(|a| a["state"] == state);
            matching.map(|a| a["labels"].to_string()).collect()
        };
        let pending = labels_of("pending");
        assert!(pending.len() >= 3);
        let am = demo.get("/api/v2/alerts").await;
        let am_labels: BTreeSet<String> =
            arr(&am).iter().map(|a| a["labels"].to_string()).collect();
        assert_eq!(labels_of("firing"), am_labels);
        assert!(pending.is_disjoint(&am_labels));
    }
}
