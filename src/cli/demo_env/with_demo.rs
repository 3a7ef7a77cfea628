//! The demo's endpoints and config (feature `demo`).

use color_eyre::eyre::{Result, eyre};

use crate::config::{Config, ConfigError};
use crate::demo::DemoServer;
use crate::demo::deploy::DEMO_DEPLOY_REPO;

/// The in-process endpoints of the demo (one server on one port) and its
/// deploy repository, kept alive while they are used.
pub type Demo = DemoServer;

/// The demo's config: the real clients pointed at the in-process endpoints.
pub fn demo_config(demo: &Demo) -> Result<Config, ConfigError> {
    let text = format!(
        r#"
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

/// Starts the demo endpoints.
pub async fn start() -> Result<Demo> {
    DemoServer::start()
        .await
        .map_err(|e| eyre!("starting the demo endpoints: {e}"))
}
