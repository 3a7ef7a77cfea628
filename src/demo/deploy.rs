//! The demo's deployment world: a small deploy repository (a git checkout
//! with a local bare remote, in a temporary directory), the registry's
//! images — some ahead of their pins — and instances that report their
//! versions. Bumps work end to end: branch, commit, push, and a pull request
//! on the demo GitHub.

use std::io;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::routing::get;

use super::registry::{Registry, demo_digest};

/// The GitHub repository bump pull requests go to.
pub const DEMO_DEPLOY_REPO: &str = "sourcegraph/deploy-sourcegraph";

/// (repository, pinned tag, published tags) of the demo images.
const IMAGES: &[(&str, &str, &[&str])] = &[
    (
        "sourcegraph/frontend",
        "3.22.0",
        &["3.21.2", "3.22.0", "3.22.1", "3.23.0"],
    ),
    ("sourcegraph/gitserver", "3.23.0", &["3.22.0", "3.23.0"]),
    ("sourcegraph/searcher", "3.22.1", &["3.22.1", "3.23.0"]),
    (
        "sourcegraph/zoekt-webserver",
        "0.0.20201104",
        &["0.0.20201104"],
    ),
    ("sourcegraph/symbols", "3.23.0", &["3.23.0", "3.24.0-rc.1"]),
    ("sourcegraph/postgres-11.4", "3.22.0", &["3.21.0", "3.22.0"]),
];

/// The demo's deploy checkout; dropping it removes its temporary directory.
#[derive(Debug)]
pub(super) struct Checkout {
    /// The deploy checkout.
    pub repo: PathBuf,
    root: PathBuf,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn pin(repo: &str, tag: &str) -> String {
    format!(
        "index.docker.io/{repo}:{tag}@{}",
        demo_digest(&format!("{repo}:{tag}"))
    )
}

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    deploy: sourcegraph\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: {name}\n          # Pinned by tag and digest; opsdeck bumps both.\n          image: {image}\n          ports:\n            - containerPort: 3080\n"
    )
}

fn git(dir: &Path, args: &[&str]) -> io::Result<()> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=opsdeck demo",
            "-c",
            "user.email=demo@opsdeck.invalid",
        ])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Builds the demo deploy repository under `root`: `remote.git` (bare) and
/// `deploy-sourcegraph` (a clone with `master` pushed).
fn build_repo(root: &Path) -> io::Result<PathBuf> {
    let bare = root.join("remote.git");
    let repo = root.join("deploy-sourcegraph");
    std::fs::create_dir_all(&bare)?;
    std::fs::create_dir_all(&repo)?;
    git(
        &bare,
        &["init", "--quiet", "--bare", "--initial-branch=master"],
    )?;
    git(&repo, &["init", "--quiet", "--initial-branch=master"])?;
    for (name, tag, _) in IMAGES {
        let short = name.trim_start_matches("sourcegraph/");
        let file = if short == "gitserver" {
            format!(
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: gitserver\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: \"{}\"\n      containers:\n        - name: gitserver\n          image: {} # keep in sync with the init container\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: gitserver\n",
                pin(name, tag),
                pin(name, tag)
            )
        } else {
            deployment(short, &pin(name, tag))
        };
        let kind = if short == "gitserver" {
            "StatefulSet"
        } else {
            "Deployment"
        };
        write(
            &repo.join(format!("base/{short}/{short}.{kind}.yaml")),
            &file,
        )?;
    }
    write(
        &repo.join("README.md"),
        "# deploy-sourcegraph (opsdeck demo)\n\nKubernetes manifests for the demo. `opsdeck` compares their image pins with the registry.\n",
    )?;
    git(&repo, &["add", "."])?;
    git(&repo, &["commit", "--quiet", "-m", "Initial manifests"])?;
    git(&repo, &["remote", "add", "origin", &bare.to_string_lossy()])?;
    git(&repo, &["push", "--quiet", "origin", "master"])?;
    git(&repo, &["fetch", "--quiet", "origin"])?;
    Ok(repo)
}

impl Checkout {
    /// Creates the repository (needs `git`).
    pub(super) async fn create() -> io::Result<Checkout> {
        let root = std::env::temp_dir().join(format!(
            "opsdeck-demo-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        ));
        let build_root = root.clone();
        let built = tokio::task::spawn_blocking(move || build_repo(&build_root))
            .await
            .map_err(io::Error::other)
            .and_then(|built| built);
        match built {
            Ok(repo) => Ok(Checkout { repo, root }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&root);
                Err(e)
            }
        }
    }
}

/// Publishes the demo images' tags in `registry`.
pub(super) fn seed_registry(registry: &Registry) {
    for (name, _, tags) in IMAGES {
        let pairs: Vec<(String, String)> = tags
            .iter()
            .map(|t| (t.to_string(), demo_digest(&format!("{name}:{t}"))))
            .collect();
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(t, d)| (t.as_str(), d.as_str()))
            .collect();
        registry.set_tags(name, &refs);
    }
}

/// The instances' version endpoints: dogfood runs the pinned frontend;
/// k8s.sgdev.org lags behind.
pub(super) fn instances() -> Router {
    Router::new()
        .route(
            "/{instance}/__version",
            get(|UrlPath(instance): UrlPath<String>| async move {
                match instance.as_str() {
                    "dogfood" => "3.22.0".to_string(),
                    _ => "3.21.2".to_string(),
                }
            }),
        )
        .route(
            "/{instance}/version.json",
            get(|| async { axum::Json(serde_json::json!({"version": "3.23.0", "build": "demo"})) }),
        )
}
