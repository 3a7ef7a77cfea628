//! The demo's endpoints and config (feature `demo`).

use std::io;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, eyre};

use crate::config::{Config, ConfigError};
use crate::demo::DemoServer;
use crate::demo::deploy::DEMO_DEPLOY_REPO;

/// The in-process endpoints of the demo (one server on one port) and its
/// deploy repository, and the demo's own temporary directory (its audit
/// log), kept alive while they are used; dropping it removes them.
#[derive(Debug)]
pub struct Demo {
    server: DemoServer,
    scratch: Scratch,
}

impl Demo {
    /// The demo's audit log: a file in its own temporary directory, removed
    /// with the demo. The user's audit log is never written by the demo.
    pub fn audit_log(&self) -> PathBuf {
        self.scratch.0.join("audit.jsonl")
    }
}

/// A temporary directory, created for this process alone (mode 0700) and
/// removed when dropped.
#[derive(Debug)]
struct Scratch(PathBuf);

impl Scratch {
    fn create() -> io::Result<Scratch> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        let mut last = None;
        for n in 0..100 {
            let dir = base.join(format!("opsdeck-demo-{pid}-{n}"));
            let mut builder = std::fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            // `create`, not `create_all`: a directory that is already there
            // (someone else's) is never used.
            match builder.create(&dir) {
                Ok(()) => return Ok(Scratch(dir)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free name")))
    }

    #[cfg(test)]
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo's config: the real clients pointed at the in-process endpoints,
/// and its audit log in its own temporary directory ([`Demo::audit_log`]).
pub fn demo_config(demo: &Demo) -> Result<Config, ConfigError> {
    let audit = toml_string(&demo.audit_log());
    let demo = &demo.server;
    let text = format!(
        r#"
audit_log = {audit}

[[alertmanager]]
name = "demo-am"
url = "{am}"

[[prometheus]]
name = "demo-prom"
url = "{prom}"

[alerts]
refresh = "5s"
ack_comment = "acknowledged in the opsdeck demo"

[[alerts.route]]
team = "search"
matchers = ['service_name=~"zoekt.*|searcher"']

[github]
api_url = "{github}"

[release]
repo = "{repo}"
issue = {issue}
refresh = "10s"
vars = {{ version = "3.23.0" }}

# Harmless stand-ins for the real release tooling: they only print.
[[release.step]]
match = "release candidate"
run = ["sh", "-c", "echo 'Creating release candidate {{rc}} for {{version}}'; sleep 1; echo 'demo: tagged v{{version}}-rc.{{rc}} (nothing was pushed)'"]

[[release.step]]
match = "release state"
run = ["sh", "-c", "echo 'demo: release {{version}} status'; echo '  blockers: see the issue'; echo '  CI: green'"]

[[release.step]]
match = "stage|changelog|close|announce"
run = ["sh", "-c", "echo 'demo: running a release step…'; sleep 1; echo 'demo: done'"]

# What the issue itself proposes may run only if each of its commands starts
# with one of these; the demo allows none of the real tools (try Enter on
# the release-branch step to see the refusal, y on the status update to copy
# its text).
[release.allow]
commands = ["yarn release release:status"]
env = ["N"]
"#,
        am = demo.alertmanager_url,
        prom = demo.prometheus_url,
        github = demo.github_url,
        repo = crate::demo::github::DEMO_REPO,
        issue = crate::demo::github::DEMO_ISSUE,
    );
    let deploy = match demo.deploy_repo() {
        None => String::new(),
        Some(repo) => format!(
            r#"
[deploy]
repo = "{repo}"
branch = "master"
paths = ["base/**/*.yaml"]
remote = "origin"
pull_request = true
github_repo = "{gh_repo}"
refresh = "30s"

[[deploy.registry]]
host = "index.docker.io"
url = "{registry}"

[[deploy.policy]]
match = "sourcegraph/zoekt-*"
kind = "regex"
regex = '^0\.0\.(\d+)$'
order = "numeric"

[[deploy.policy]]
match = "sourcegraph/*"
kind = "semver"

[[deploy.instance]]
name = "dogfood"
version_url = "{instances}/dogfood/__version"
images = ["sourcegraph/frontend"]

[[deploy.instance]]
name = "k8s"
version_url = "{instances}/k8s/__version"
images = ["sourcegraph/frontend"]
"#,
            repo = repo.display(),
            gh_repo = DEMO_DEPLOY_REPO,
            registry = demo.registry_url,
            instances = demo.instances_url,
        ),
    };
    Config::parse(&format!("{text}{deploy}"), std::path::Path::new("<demo>"))
}

/// A path as a TOML string (a basic string, quoted and escaped).
fn toml_string(path: &Path) -> String {
    toml::Value::String(path.to_string_lossy().into_owned()).to_string()
}

/// Starts the demo endpoints and makes its temporary directory.
pub async fn start() -> Result<Demo> {
    let scratch =
        Scratch::create().map_err(|e| eyre!("creating the demo's temporary directory: {e}"))?;
    let server = DemoServer::start()
        .await
        .map_err(|e| eyre!("starting the demo endpoints: {e}"))?;
    Ok(Demo { server, scratch })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_audits_into_its_own_directory_and_removes_it() {
        let demo = start().await.expect("demo");
        let dir = demo.scratch.path().to_path_buf();
        assert!(dir.is_dir());
        let config = demo_config(&demo).expect("config");
        assert_eq!(
            config.audit_log.as_deref(),
            Some(dir.join("audit.jsonl").as_path())
        );
        assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        std::fs::write(dir.join("audit.jsonl"), "{}\n").expect("write");
        drop(demo);
        assert!(!dir.exists(), "removed with the demo");
    }

    #[test]
    fn two_scratch_directories_never_share_a_name() {
        let a = Scratch::create().expect("a");
        let b = Scratch::create().expect("b");
        assert_ne!(a.path(), b.path());
    }

    #[test]
    fn an_odd_path_is_quoted_for_toml() {
        let text = format!("audit_log = {}", toml_string(Path::new("/tmp/a \"b\"\\c")));
        let config = Config::parse(&text, Path::new("t")).expect("parses");
        assert_eq!(
            config.audit_log.as_deref(),
            Some(Path::new("/tmp/a \"b\"\\c"))
        );
    }
}
