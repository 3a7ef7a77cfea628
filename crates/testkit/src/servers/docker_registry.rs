//! A real `docker-registry` (distribution v2).

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use super::process::{ServerProcess, json_request, launch, new_tempdir, write_file};
use super::{docker_registry_bin, free_port};

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
        self.process.restart(&self.ready_url, self.port);
    }
}

impl Drop for DockerRegistry {
    fn drop(&mut self) {
        self.process.kill();
    }
}
