//! Real Prometheus / Alertmanager / Docker registry processes on loopback.
//!
//! Everything here is synchronous std code, so it can be used from plain
//! `#[test]`s and from `#[tokio::test]`s alike. Note that the blocking calls
//! (`start`, `wait_for`, `get_json`, ...) block the calling thread: from a
//! `#[tokio::test]` that also runs in-process servers/tasks, use
//! `flavor = "multi_thread"` or wrap the call in `spawn_blocking`.
//!
//! The binaries come from Debian packages. A missing binary is a hard test
//! failure (never a skip) with a message naming the package to install.

mod alertmanager;
mod docker_registry;
mod process;
mod prometheus;
#[cfg(test)]
mod selftest;

use std::fs;
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use alertmanager::{ALERTMANAGER_CONFIG, Alertmanager};
pub use docker_registry::DockerRegistry;
pub use prometheus::{Prometheus, SAMPLE_FIRING, SAMPLE_PENDING, SAMPLE_RULES};

/// How the README tells people to run the test-suite.
pub const TEST_COMMAND: &str = "./scripts/test";

/// How long a freshly spawned server gets to answer its readiness endpoint.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

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
pub(crate) fn free_ports(n: usize, udp_too: bool) -> Vec<u16> {
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
