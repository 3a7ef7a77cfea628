//! A real `prometheus` evaluating a rule file (no scraping).

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use super::alertmanager::Alertmanager;
use super::process::{ServerProcess, json_request, launch, new_tempdir, try_get_json, write_file};
use super::{free_port, prometheus_bin};

/// Rule file with Sourcegraph-style alerts that need no scraped data
/// (`vector(1)`), evaluated every second:
///
/// | alertname                               | state   | level    | owner        | service_name | name                   |
/// |-----------------------------------------|---------|----------|--------------|--------------|------------------------|
/// | warning_frontend_slow_search            | firing  | warning  | search       | frontend     | slow_search            |
/// | critical_frontend_hard_error_rate       | firing  | critical | source       | frontend     | hard_error_rate        |
/// | critical_gitserver_disk_space_remaining | pending | critical | distribution | gitserver    | disk_space_remaining   |
///
/// `description` is both a label (as Sourcegraph does it) and an annotation.
pub const SAMPLE_RULES: &str = r#"groups:
  - name: demo
    interval: 1s
    rules:
      - alert: warning_frontend_slow_search
        expr: vector(1)
        for: 0s
        labels:
          level: warning
          owner: search
          service_name: frontend
          name: slow_search
          description: "frontend: 99th percentile search request duration over 5s"
        annotations:
          description: "frontend: 99th percentile search request duration over 5s"
      - alert: critical_frontend_hard_error_rate
        expr: vector(1)
        for: 0s
        labels:
          level: critical
          owner: source
          service_name: frontend
          name: hard_error_rate
          description: "frontend: 2%+ hard error rate over 5m"
        annotations:
          description: "frontend: 2%+ hard error rate over 5m"
      - alert: critical_gitserver_disk_space_remaining
        expr: vector(1)
        for: 10m
        labels:
          level: critical
          owner: distribution
          service_name: gitserver
          name: disk_space_remaining
          description: "gitserver: less than 15% disk space remaining"
        annotations:
          description: "gitserver: less than 15% disk space remaining"
"#;

/// Alert names in [`SAMPLE_RULES`] that fire within ~2s of start.
pub const SAMPLE_FIRING: &[&str] = &[
    "warning_frontend_slow_search",
    "critical_frontend_hard_error_rate",
];
/// Alert names in [`SAMPLE_RULES`] that stay pending for the test's lifetime.
pub const SAMPLE_PENDING: &[&str] = &["critical_gitserver_disk_space_remaining"];

/// A real `prometheus` on 127.0.0.1 evaluating a given rule file.
pub struct Prometheus {
    /// Base URL without trailing slash, e.g. `http://127.0.0.1:41235`.
    pub url: String,
    pub port: u16,
    process: ServerProcess,
    ready_url: String,
    dir: TempDir,
}

impl Prometheus {
    /// Starts prometheus evaluating `rules_yaml` every second (no scraping),
    /// sending alerts (resend delay 1s) to `alertmanagers` (route prefixes are
    /// handled via `path_prefix`). Returns once `/-/ready` answers 200.
    pub fn start(rules_yaml: &str, alertmanagers: &[&Alertmanager]) -> Prometheus {
        let bin = prometheus_bin();
        let dir = new_tempdir("prometheus");
        let rules_path = dir.path().join("rules.yml");
        write_file(&rules_path, rules_yaml);
        let config_path = dir.path().join("prometheus.yml");
        write_file(&config_path, &prometheus_config(&rules_path, alertmanagers));
        let storage = dir.path().join("tsdb");
        let log_path = dir.path().join("prometheus.log");

        let (process, ready_url, port) = launch("prometheus", bin, log_path, |_attempt| {
            let port = free_port();
            let args = vec![
                format!("--config.file={}", config_path.display()),
                format!("--storage.tsdb.path={}", storage.display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
                "--rules.alert.resend-delay=1s".to_string(),
                // generatorURL of alerts then points here instead of at the hostname.
                format!("--web.external-url=http://127.0.0.1:{port}"),
                "--web.enable-lifecycle".to_string(),
            ];
            (args, format!("http://127.0.0.1:{port}/-/ready"), port, port)
        });

        Prometheus {
            url: format!("http://127.0.0.1:{port}"),
            port,
            process,
            ready_url,
            dir,
        }
    }

    /// GET `{url}{path}` (e.g. `/api/v1/alerts`), parsed; panics on non-2xx.
    pub fn get_json(&self, path: &str) -> Value {
        json_request(&self.process, "GET", &format!("{}{path}", self.url), None)
    }

    pub fn try_get_json(&self, path: &str) -> Result<Value, String> {
        try_get_json(&format!("{}{path}", self.url))
    }

    /// `data.alerts` of `/api/v1/alerts` (each has `labels`, `annotations`, `state`, `activeAt`, `value`).
    pub fn alerts(&self) -> Vec<Value> {
        self.get_json("/api/v1/alerts")["data"]["alerts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// SIGTERM, SIGKILL after 5s. Idempotent.
    pub fn stop(&mut self) {
        self.process.terminate();
    }

    /// Hard SIGKILL, no state flush. Idempotent.
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// (Re)starts on the same port, config and storage.
    pub fn restart(&mut self) {
        self.process.restart(&self.ready_url, self.port);
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        self.process.kill();
    }
}

fn prometheus_config(rules_path: &Path, alertmanagers: &[&Alertmanager]) -> String {
    let mut config = format!(
        "global:\n  scrape_interval: 15s\n  evaluation_interval: 1s\nrule_files:\n  - \"{}\"\n",
        rules_path.display()
    );
    if !alertmanagers.is_empty() {
        config.push_str("alerting:\n  alertmanagers:\n");
        for am in alertmanagers {
            config.push_str("    - api_version: v2\n      timeout: 5s\n");
            if !am.prefix.is_empty() {
                config.push_str(&format!("      path_prefix: \"{}\"\n", am.prefix));
            }
            config.push_str(&format!(
                "      static_configs:\n        - targets: [\"127.0.0.1:{}\"]\n",
                am.port
            ));
        }
    }
    config
}
