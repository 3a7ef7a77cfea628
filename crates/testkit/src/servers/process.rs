//! Child process bookkeeping shared by all servers: spawning with the
//! output in a log file, readiness, retries on taken ports, stopping.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::READY_TIMEOUT;
use crate::http::{http_get_ok, http_request};

/// Attempts at starting a server when its port turned out to be taken.
const START_ATTEMPTS: usize = 3;

pub(super) struct ServerProcess {
    /// "alertmanager", "prometheus", ... for messages.
    what: String,
    bin: PathBuf,
    args: Vec<String>,
    /// Web port; readiness requires the child itself to log that it listens
    /// there, so a foreign server already on the port is never mistaken for ours.
    port: u16,
    log_path: PathBuf,
    /// Length of the log file when the current child was spawned.
    log_offset: u64,
    child: Option<Child>,
}

enum StartFailure {
    PortInUse,
    Exited(String),
    Timeout,
}

impl ServerProcess {
    pub(super) fn new(
        what: &str,
        bin: PathBuf,
        args: Vec<String>,
        port: u16,
        log_path: PathBuf,
    ) -> ServerProcess {
        ServerProcess {
            what: what.to_string(),
            bin,
            args,
            port,
            log_path,
            log_offset: 0,
            child: None,
        }
    }

    /// Whether the current child logged that it listens on `self.port`
    /// (`msg="Listening on" address=127.0.0.1:P` from Prometheus/Alertmanager,
    /// `msg="listening on 127.0.0.1:P"` from docker-registry). Logged only
    /// after the listening socket was bound.
    fn logged_listening(&self) -> bool {
        let address = format!("127.0.0.1:{}", self.port);
        self.current_log().lines().any(|line| {
            line.to_ascii_lowercase().contains("listening on") && line.contains(&address)
        })
    }

    pub(super) fn command_line(&self) -> String {
        let mut s = self.bin.display().to_string();
        for arg in &self.args {
            s.push(' ');
            s.push_str(arg);
        }
        s
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.what);
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .unwrap_or_else(|e| panic!("open log file {}: {e}", self.log_path.display()));
        self.log_offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        writeln!(
            log,
            "==== opsdeck test harness: starting {}",
            self.command_line()
        )
        .expect("write log marker");
        let stderr = log.try_clone().expect("clone log file handle");
        let child = Command::new(&self.bin)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap_or_else(|e| panic!("failed to spawn {}: {e}", self.command_line()));
        self.child = Some(child);
    }

    pub(super) fn is_running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// Output of the current (or last) child only.
    fn current_log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log_path) {
            let mut bytes = Vec::new();
            let _ = file.read_to_end(&mut bytes);
            let start = (self.log_offset as usize).min(bytes.len());
            text = String::from_utf8_lossy(&bytes[start..]).into_owned();
        }
        text
    }

    /// The last lines of the whole log (all runs), for panic messages.
    pub(super) fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(40);
        format!(
            "---- last {} lines of {} ----\n{}\n---- end of log ----",
            lines.len() - from,
            self.log_path.display(),
            lines[from..].join("\n")
        )
    }

    fn wait_ready(&mut self, ready_url: &str, timeout: Duration) -> Result<(), StartFailure> {
        let start = Instant::now();
        loop {
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(Some(status))) => Some(status),
                _ => None,
            };
            if let Some(status) = exited {
                self.child = None;
                if self.current_log().contains("address already in use") {
                    return Err(StartFailure::PortInUse);
                }
                return Err(StartFailure::Exited(status.to_string()));
            }
            if self.logged_listening() && http_get_ok(ready_url).is_some() {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                return Err(StartFailure::Timeout);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Spawns and waits for readiness, panicking (with the log tail) on failure.
    pub(super) fn spawn_and_wait(&mut self, ready_url: &str) -> Result<(), ()> {
        self.spawn();
        match self.wait_ready(ready_url, READY_TIMEOUT) {
            Ok(()) => Ok(()),
            Err(StartFailure::PortInUse) => Err(()),
            Err(StartFailure::Exited(status)) => panic!(
                "{} exited during startup ({status}); command: {}\n{}",
                self.what,
                self.command_line(),
                self.log_tail()
            ),
            Err(StartFailure::Timeout) => {
                self.kill();
                panic!(
                    "{} did not answer {ready_url} with 2xx within {READY_TIMEOUT:?}; command: {}\n{}",
                    self.what,
                    self.command_line(),
                    self.log_tail()
                )
            }
        }
    }

    /// Stops it (SIGTERM, then SIGKILL) and starts it again with the same
    /// command line, waiting for readiness; panics with the log tail when
    /// its port was taken meanwhile.
    pub(super) fn restart(&mut self, ready_url: &str, port: u16) {
        self.terminate();
        if self.spawn_and_wait(ready_url).is_err() {
            panic!(
                "{} could not restart on port {port}: address already in use\n{}",
                self.what,
                self.log_tail()
            );
        }
    }

    /// SIGKILL and reap. Idempotent.
    pub(super) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM (so servers flush their state to disk), SIGKILL after 5s. Idempotent.
    pub(super) fn terminate(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        if matches!(child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if !matches!(child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }
}

/// Starts a server, choosing fresh ports (via `make`) and retrying when the
/// port was taken. `make(attempt)` (1-based) returns
/// `(args, ready_url, web_port, ports)`.
pub(super) fn launch<P>(
    what: &str,
    bin: PathBuf,
    log_path: PathBuf,
    mut make: impl FnMut(usize) -> (Vec<String>, String, u16, P),
) -> (ServerProcess, String, P) {
    for attempt in 1..=START_ATTEMPTS {
        let (args, ready_url, web_port, ports) = make(attempt);
        let mut process = ServerProcess::new(what, bin.clone(), args, web_port, log_path.clone());
        match process.spawn_and_wait(&ready_url) {
            Ok(()) => return (process, ready_url, ports),
            Err(()) if attempt < START_ATTEMPTS => {
                eprintln!(
                    "{what}: port already in use (attempt {attempt}/{START_ATTEMPTS}), retrying with new ports"
                );
            }
            Err(()) => panic!(
                "{what}: port already in use on all {START_ATTEMPTS} attempts; last command: {}\n{}",
                process.command_line(),
                process.log_tail()
            ),
        }
    }
    unreachable!("loop returns or panics")
}

pub(super) fn new_tempdir(what: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("opsdeck-{what}-"))
        .tempdir()
        .expect("create temp dir for test server")
}

pub(super) fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn parse_json(what: &str, url: &str, body: &str) -> Value {
    if body.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{what}: {url} returned invalid JSON ({e}): {body}"))
}

pub(super) fn json_request(
    process: &ServerProcess,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Value {
    let bytes = body.map(|b| serde_json::to_vec(b).expect("serialize JSON body"));
    let payload = bytes.as_deref().map(|b| ("application/json", b));
    let response = http_request(method, url, payload).unwrap_or_else(|e| {
        panic!(
            "{}: {method} {url} failed: {e}\n{}",
            process.what,
            process.log_tail()
        )
    });
    if !response.is_success() {
        panic!(
            "{}: {method} {url} answered HTTP {}: {}\n{}",
            process.what,
            response.status,
            response.body,
            process.log_tail()
        );
    }
    parse_json(&process.what, url, &response.body)
}

pub(super) fn try_get_json(url: &str) -> Result<Value, String> {
    let response = http_request("GET", url, None).map_err(|e| format!("GET {url}: {e}"))?;
    if !response.is_success() {
        return Err(format!(
            "GET {url}: HTTP {}: {}",
            response.status, response.body
        ));
    }
    serde_json::from_str(&response.body)
        .map_err(|e| format!("GET {url}: invalid JSON ({e}): {}", response.body))
}
