//! A real `prometheus-alertmanager`: single, prefixed, clustered.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::process::{ServerProcess, json_request, launch, new_tempdir, try_get_json, write_file};
use super::{READY_TIMEOUT, alertmanager_bin, free_port, free_ports};

/// Alertmanager config: everything routes to a receiver without integrations.
pub const ALERTMANAGER_CONFIG: &str = r#"route:
  receiver: "null"
  group_by: ["alertname"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
"#;

/// A real `prometheus-alertmanager` on 127.0.0.1.
pub struct Alertmanager {
    /// Base URL without trailing slash, including the route prefix if any,
    /// e.g. `http://127.0.0.1:41234` or `http://127.0.0.1:41234/alertmanager`.
    pub url: String,
    pub port: u16,
    /// Gossip port (TCP+UDP) when clustered, `None` for a single instance.
    pub cluster_port: Option<u16>,
    /// Route prefix (`""` or e.g. `"/alertmanager"`).
    pub prefix: String,
    process: ServerProcess,
    ready_url: String,
    dir: TempDir,
}

#[derive(Clone, Copy)]
struct AmPorts {
    web: u16,
    cluster: Option<u16>,
}

impl Alertmanager {
    /// Single, non-clustered instance (`--cluster.listen-address=`).
    pub fn start() -> Alertmanager {
        Self::launch("", None, &[])
    }

    /// Single instance serving everything under `prefix` (e.g. `/alertmanager`);
    /// `url` includes the prefix.
    pub fn start_with_prefix(prefix: &str) -> Alertmanager {
        let prefix = normalize_prefix(prefix);
        Self::launch(&prefix, None, &[])
    }

    /// Two clustered members that gossip with each other; returns once both
    /// list 2 peers in `/api/v2/status`. Each member names the other as
    /// `--cluster.peer`, so either can be restarted and rejoins.
    pub fn start_ha_pair() -> (Alertmanager, Alertmanager) {
        let ports = free_ports(4, true);
        let (web1, cluster1, web2, cluster2) = (ports[0], ports[1], ports[2], ports[3]);
        let first = Self::launch("", Some((web1, cluster1)), &[cluster2]);
        let first_cluster = first
            .cluster_port
            .expect("clustered member has a cluster port");
        let second = Self::launch("", Some((web2, cluster2)), &[first_cluster]);
        for member in [&first, &second] {
            member.wait_for_peers(2, READY_TIMEOUT);
        }
        (first, second)
    }

    /// `cluster`: preferred `(web, cluster)` ports for the first attempt.
    pub(crate) fn launch(prefix: &str, cluster: Option<(u16, u16)>, peers: &[u16]) -> Alertmanager {
        Self::launch_with(ALERTMANAGER_CONFIG, prefix, cluster, peers)
    }

    /// Single, non-clustered instance with its own `alertmanager.yml`
    /// (e.g. one with `inhibit_rules`).
    pub fn start_with_config(config_yaml: &str) -> Alertmanager {
        Self::launch_with(config_yaml, "", None, &[])
    }

    fn launch_with(
        config_yaml: &str,
        prefix: &str,
        cluster: Option<(u16, u16)>,
        peers: &[u16],
    ) -> Alertmanager {
        let bin = alertmanager_bin();
        let dir = new_tempdir("alertmanager");
        let config_path = dir.path().join("alertmanager.yml");
        write_file(&config_path, config_yaml);
        let storage = dir.path().join("data");
        let log_path = dir.path().join("alertmanager.log");
        let clustered = cluster.is_some();

        let (process, ready_url, ports) = launch("alertmanager", bin, log_path, |attempt| {
            let ports = match cluster {
                Some((web, cluster)) if attempt == 1 => AmPorts {
                    web,
                    cluster: Some(cluster),
                },
                _ if clustered => {
                    let p = free_ports(2, true);
                    AmPorts {
                        web: p[0],
                        cluster: Some(p[1]),
                    }
                }
                _ => AmPorts {
                    web: free_port(),
                    cluster: None,
                },
            };
            let mut args = vec![
                format!("--config.file={}", config_path.display()),
                format!("--storage.path={}", storage.display()),
                format!("--web.listen-address=127.0.0.1:{}", ports.web),
                "--log.level=debug".to_string(),
                // Otherwise links (e.g. in /api/v2/status, notifications) use the hostname.
                format!("--web.external-url=http://127.0.0.1:{}{prefix}", ports.web),
            ];
            if !prefix.is_empty() {
                args.push(format!("--web.route-prefix={prefix}"));
            }
            match ports.cluster {
                None => args.push("--cluster.listen-address=".to_string()),
                Some(cluster_port) => {
                    args.push(format!("--cluster.listen-address=127.0.0.1:{cluster_port}"));
                    args.push(format!(
                        "--cluster.advertise-address=127.0.0.1:{cluster_port}"
                    ));
                    for peer in peers {
                        args.push(format!("--cluster.peer=127.0.0.1:{peer}"));
                    }
                    args.extend(
                        [
                            "--cluster.gossip-interval=100ms",
                            "--cluster.pushpull-interval=1s",
                            "--cluster.probe-interval=500ms",
                            "--cluster.reconnect-interval=1s",
                            "--cluster.peer-timeout=1s",
                            "--cluster.settle-timeout=5s",
                        ]
                        .map(String::from),
                    );
                }
            }
            let ready_url = format!("http://127.0.0.1:{}{prefix}/-/ready", ports.web);
            (args, ready_url, ports.web, ports)
        });

        Alertmanager {
            url: format!("http://127.0.0.1:{}{prefix}", ports.web),
            port: ports.web,
            cluster_port: ports.cluster,
            prefix: prefix.to_string(),
            process,
            ready_url,
            dir,
        }
    }

    /// Waits until `/api/v2/status` lists `n` cluster peers (itself included).
    pub fn wait_for_peers(&self, n: usize, timeout: Duration) {
        let what = format!("alertmanager {} to see {n} cluster peers", self.url);
        let start = Instant::now();
        loop {
            let peers = self
                .try_get_json("/api/v2/status")
                .ok()
                .and_then(|s| s["cluster"]["peers"].as_array().map(Vec::len));
            if peers == Some(n) {
                return;
            }
            if start.elapsed() >= timeout {
                panic!(
                    "timed out after {timeout:?} waiting for {what} (last saw {peers:?})\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `cluster.status` from `/api/v2/status`: "disabled", "settling" or "ready".
    pub fn cluster_status(&self) -> String {
        self.get_json("/api/v2/status")["cluster"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// POST `/api/v2/alerts` with an array of
    /// `{labels, annotations, startsAt?, endsAt?, generatorURL?}`; panics on non-2xx.
    pub fn post_alerts(&self, alerts: &Value) {
        assert!(
            alerts.is_array(),
            "post_alerts wants a JSON array, got {alerts}"
        );
        self.post_json("/api/v2/alerts", alerts);
    }

    /// Creates a silence via POST `/api/v2/silences`, returning its ID.
    /// `silence` is `{matchers, startsAt, endsAt, createdBy, comment}`.
    pub fn post_silence(&self, silence: &Value) -> String {
        let answer = self.post_json("/api/v2/silences", silence);
        answer["silenceID"]
            .as_str()
            .unwrap_or_else(|| panic!("no silenceID in answer {answer}"))
            .to_string()
    }

    /// GET `{url}{path}` (path like `/api/v2/silences`), parsed; panics on
    /// transport errors or non-2xx answers.
    pub fn get_json(&self, path: &str) -> Value {
        json_request(&self.process, "GET", &format!("{}{path}", self.url), None)
    }

    /// Like [`get_json`](Self::get_json) but returns the error (e.g. while stopped).
    pub fn try_get_json(&self, path: &str) -> Result<Value, String> {
        try_get_json(&format!("{}{path}", self.url))
    }

    /// POST JSON to `{url}{path}`; the parsed answer (`Null` if empty). Panics on non-2xx.
    pub fn post_json(&self, path: &str, body: &Value) -> Value {
        json_request(
            &self.process,
            "POST",
            &format!("{}{path}", self.url),
            Some(body),
        )
    }

    /// DELETE `{url}{path}` (e.g. `/api/v2/silence/{id}`). Panics on non-2xx.
    pub fn delete(&self, path: &str) -> Value {
        json_request(
            &self.process,
            "DELETE",
            &format!("{}{path}", self.url),
            None,
        )
    }

    /// Temp dir holding config (`alertmanager.yml`), storage (`data/`) and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("alertmanager.yml")
    }

    /// Last lines of the server's stdout/stderr.
    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Stops the server (SIGTERM so silences are snapshotted to storage,
    /// SIGKILL after 5s). Idempotent.
    pub fn stop(&mut self) {
        self.process.terminate();
    }

    /// Hard SIGKILL, no state flush. Idempotent.
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// (Re)starts on the same ports and storage; stops first if running.
    /// Waits for readiness (and, when clustered, does not wait for peers).
    pub fn restart(&mut self) {
        self.process.restart(&self.ready_url, self.port);
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        self.process.kill();
    }
}

fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}
