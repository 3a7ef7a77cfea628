//! Real Prometheus / Alertmanager / Docker registry processes on loopback.
//!
//! Everything here is synchronous std code (no tokio), so it can be used from
//! plain `#[test]`s and from `#[tokio::test]`s alike. Note that the blocking
//! calls (`start`, `wait_for`, `get_json`, ...) block the calling thread: from
//! a `#[tokio::test]` that also runs in-process servers/tasks, use
//! `flavor = "multi_thread"` or wrap the call in `spawn_blocking`.
//!
//! The binaries come from Debian packages. A missing binary is a hard test
//! failure (never a skip) with a message naming the package to install.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How the README tells people to run the test-suite.
pub const TEST_COMMAND: &str = "./scripts/test";

/// How long a freshly spawned server gets to answer its readiness endpoint.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Attempts at starting a server when its port turned out to be taken.
const START_ATTEMPTS: usize = 3;

/// Timeout of a single harness HTTP request (connect, read and write each).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------

/// Locates `bin` (in /usr/bin, then in `$PATH`) or panics with a message that
/// names the Debian package providing it and the README test command.
pub fn require_binary(bin: &str, debian_package: &str) -> PathBuf {
    let mut candidates = vec![Path::new("/usr/bin").join(bin)];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join(bin)));
    }
    for candidate in candidates {
        if is_executable(&candidate) {
            return candidate;
        }
    }
    panic!(
        "required test server binary `{bin}` was not found (looked in /usr/bin and $PATH).\n\
         opsdeck's integration tests run real servers and never skip: install the Debian \
         package `{debian_package}` (sudo apt-get install {debian_package}) and run the \
         test-suite the way the README says: `{TEST_COMMAND}`"
    );
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// `/usr/bin/prometheus-alertmanager` (Debian package `prometheus-alertmanager`).
pub fn alertmanager_bin() -> PathBuf {
    require_binary("prometheus-alertmanager", "prometheus-alertmanager")
}

/// `/usr/bin/amtool` (shipped in Debian package `prometheus-alertmanager`).
pub fn amtool_bin() -> PathBuf {
    require_binary("amtool", "prometheus-alertmanager")
}

/// `/usr/bin/prometheus` (Debian package `prometheus`).
pub fn prometheus_bin() -> PathBuf {
    require_binary("prometheus", "prometheus")
}

/// `/usr/bin/docker-registry` (Debian package `docker-registry`).
pub fn docker_registry_bin() -> PathBuf {
    require_binary("docker-registry", "docker-registry")
}

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/// A currently free TCP port on 127.0.0.1 (bind to port 0, read it, drop).
///
/// Racy by nature; the server start functions retry with fresh ports when a
/// server dies with "address already in use".
pub fn free_port() -> u16 {
    free_ports(1, false)[0]
}

/// `n` distinct free ports, all reserved at the same time so they differ.
/// With `udp_too`, the port is also free for UDP (memberlist gossip binds both).
fn free_ports(n: usize, udp_too: bool) -> Vec<u16> {
    let mut held: Vec<(TcpListener, Option<UdpSocket>)> = Vec::with_capacity(n);
    let mut tries = 0;
    while held.len() < n {
        tries += 1;
        assert!(tries < 1000, "could not find {n} free loopback ports");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("local_addr of probe listener")
            .port();
        let udp = if udp_too {
            match UdpSocket::bind(("127.0.0.1", port)) {
                Ok(sock) => Some(sock),
                Err(_) => continue,
            }
        } else {
            None
        };
        held.push((listener, udp));
    }
    held.iter()
        .map(|(l, _)| l.local_addr().expect("local_addr").port())
        .collect()
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/// Polls `f` every 100ms until it returns `Some`, or panics naming `what`
/// once `timeout` has passed (`f` is always called at least once).
pub fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = f() {
            return value;
        }
        if start.elapsed() >= timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------------------
// Minimal HTTP/1.0 client
// ---------------------------------------------------------------------------

/// A response of [`http_request`].
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One blocking HTTP/1.0 request to a plain `http://host:port/path` URL.
/// `body` is `(content_type, bytes)`. Errors are transport errors only; any
/// HTTP status is returned as `Ok`.
pub fn http_request(
    method: &str,
    url: &str,
    body: Option<(&str, &[u8])>,
) -> io::Result<HttpResponse> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("only http:// URLs are supported: {url}"),
        )
    })?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addrs: Vec<SocketAddr> = host.to_socket_addrs()?.collect();
    let mut last_err = io::Error::new(
        io::ErrorKind::NotFound,
        format!("{host} resolved to nothing"),
    );
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_err = e,
        }
    }
    let mut stream = stream.ok_or(last_err)?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;

    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nAccept: application/json, */*\r\nConnection: close\r\n"
    );
    if let Some((content_type, bytes)) = body {
        request.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            bytes.len()
        ));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    if let Some((_, bytes)) = body {
        stream.write_all(bytes)?;
    }
    stream.flush()?;

    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_http_response(&raw)
}

fn parse_http_response(raw: &[u8]) -> io::Result<HttpResponse> {
    let bad = |msg: &str| io::Error::new(io::ErrorKind::InvalidData, msg.to_string());
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of HTTP headers in response"))?;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(&format!("bad HTTP status line {status_line:?}")))?;
    let chunked = lines.any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let mut body = raw[head_end + 4..].to_vec();
    if chunked {
        body = dechunk(&body).ok_or_else(|| bad("malformed chunked body"))?;
    }
    Ok(HttpResponse {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// GET `url`; `Some` only for a 2xx answer.
pub fn http_get_ok(url: &str) -> Option<HttpResponse> {
    http_request("GET", url, None)
        .ok()
        .filter(HttpResponse::is_success)
}

// ---------------------------------------------------------------------------
// Child process bookkeeping shared by all servers
// ---------------------------------------------------------------------------

struct ServerProcess {
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
    fn new(
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

    fn command_line(&self) -> String {
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

    fn is_running(&mut self) -> bool {
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
    fn log_tail(&self) -> String {
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
    fn spawn_and_wait(&mut self, ready_url: &str) -> Result<(), ()> {
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

    /// SIGKILL and reap. Idempotent.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM (so servers flush their state to disk), SIGKILL after 5s. Idempotent.
    fn terminate(&mut self) {
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
fn launch<P>(
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

fn new_tempdir(what: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("opsdeck-{what}-"))
        .tempdir()
        .expect("create temp dir for test server")
}

fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn parse_json(what: &str, url: &str, body: &str) -> Value {
    if body.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("{what}: {url} returned invalid JSON ({e}): {body}"))
}

fn json_request(process: &ServerProcess, method: &str, url: &str, body: Option<&Value>) -> Value {
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

fn try_get_json(url: &str) -> Result<Value, String> {
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

// ---------------------------------------------------------------------------
// Alertmanager
// ---------------------------------------------------------------------------

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
    pub(super) fn launch(prefix: &str, cluster: Option<(u16, u16)>, peers: &[u16]) -> Alertmanager {
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
        self.process.terminate();
        if self.process.spawn_and_wait(&self.ready_url).is_err() {
            panic!(
                "alertmanager could not restart on port {}: address already in use\n{}",
                self.port,
                self.log_tail()
            );
        }
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

// ---------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------

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
        self.process.terminate();
        if self.process.spawn_and_wait(&self.ready_url).is_err() {
            panic!(
                "prometheus could not restart on port {}: address already in use\n{}",
                self.port,
                self.log_tail()
            );
        }
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

// ---------------------------------------------------------------------------
// Docker registry (distribution v2)
// ---------------------------------------------------------------------------

/// A real `docker-registry` (distribution 2.8) on 127.0.0.1 with filesystem
/// storage in a temp dir and deletes enabled.
pub struct DockerRegistry {
    /// e.g. `http://127.0.0.1:41236` (API under `/v2/`).
    pub url: String,
    pub port: u16,
    process: ServerProcess,
    ready_url: String,
    dir: TempDir,
}

impl DockerRegistry {
    pub fn start() -> DockerRegistry {
        Self::launch_with(None)
    }

    /// A registry that asks for HTTP basic auth (`auth: htpasswd`); `htpasswd`
    /// is a `user:bcrypt-hash` line. Unauthenticated requests get a 401 with a
    /// `WWW-Authenticate: Basic` challenge, so readiness is read from the
    /// debug server's `/debug/health` on a second port.
    pub fn start_with_htpasswd(htpasswd: &str) -> DockerRegistry {
        Self::launch_with(Some(htpasswd))
    }

    fn launch_with(htpasswd: Option<&str>) -> DockerRegistry {
        let bin = docker_registry_bin();
        let dir = new_tempdir("registry");
        let storage = dir.path().join("storage");
        let log_path = dir.path().join("registry.log");
        let auth_file = dir.path().join("htpasswd");
        if let Some(line) = htpasswd {
            write_file(&auth_file, &format!("{line}\n"));
        }
        let (process, ready_url, port) = launch("docker-registry", bin, log_path, |_attempt| {
            let port = free_port();
            let config_path = dir.path().join("config.yml");
            let mut config = format!(
                "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: \"{}\"\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.display()
            );
            let mut ready = format!("http://127.0.0.1:{port}/v2/");
            if htpasswd.is_some() {
                let debug = free_port();
                config.push_str(&format!(
                    "  debug:\n    addr: 127.0.0.1:{debug}\nauth:\n  htpasswd:\n    realm: opsdeck-test\n    path: \"{}\"\n",
                    auth_file.display()
                ));
                ready = format!("http://127.0.0.1:{debug}/debug/health");
            }
            write_file(&config_path, &config);
            let args = vec!["serve".to_string(), config_path.display().to_string()];
            (args, ready, port, port)
        });
        DockerRegistry {
            url: format!("http://127.0.0.1:{port}"),
            port,
            process,
            ready_url,
            dir,
        }
    }

    pub fn get_json(&self, path: &str) -> Value {
        json_request(&self.process, "GET", &format!("{}{path}", self.url), None)
    }

    /// Temp dir holding config, storage and the log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    pub fn stop(&mut self) {
        self.process.terminate();
    }

    /// Hard SIGKILL. Idempotent.
    pub fn kill(&mut self) {
        self.process.kill();
    }

    pub fn restart(&mut self) {
        self.process.terminate();
        if self.process.spawn_and_wait(&self.ready_url).is_err() {
            panic!(
                "docker-registry could not restart on port {}\n{}",
                self.port,
                self.log_tail()
            );
        }
    }
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        self.process.kill();
    }
}
