//! Helm values files (`[[deploy.values]]`) and kustomize `images:` entries
//! as pins, against a real `docker-registry` (images pushed by the test) and
//! real git repositories: scanned with file:line, compared, bumped, and the
//! committed file compared byte for byte.

use std::path::Path;

use opsdeck::config::Config;
use opsdeck::deploy::service::{DeploySnapshot, Deployer};
use opsdeck::deploy::sync::SyncState;
use opsdeck_testkit::git::{GitRepo, git};
use opsdeck_testkit::servers::DockerRegistry;

use crossterm::event::KeyCode;
use opsdeck::runtime::Runtime;

use crate::support::{code, key, opsdeck_bin, press, push_images, screen_text, until};

/// `[deploy]` on `repo`, `sourcegraph/*` under semver, the registry serving
/// `index.docker.io`; `values` is appended.
fn config_text(repo: &Path, registry_url: &str, paths: &str, values: &str) -> String {
    format!(
        "[deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = {paths}\nremote = \"origin\"\nrefresh = \"1h\"\n\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{registry_url}\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n\n{values}",
        repo.display(),
    )
}

fn config(text: &str) -> Config {
    Config::parse(text, Path::new("deploy-values.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn deployer(cfg: &Config) -> Deployer {
    Deployer::from_config(cfg)
        .expect("deployer")
        .expect("configured")
}

async fn refresh(cfg: &Config) -> DeploySnapshot {
    deployer(cfg).refresh().await.expect("refresh")
}

/// `git show REV:PATH`, byte for byte (not trimmed).
fn show(bare: &Path, rev: &str, path: &str) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(bare)
        .args(["show", &format!("{rev}:{path}")])
        .output()
        .expect("git show");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Plans and carries out a bump of `keys`; returns the branch.
async fn bump(cfg: &Config, snap: &DeploySnapshot, keys: &[&str]) -> String {
    let d = deployer(cfg);
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let bumps = d
        .plan(snap, &keys, opsdeck::config::BumpMode::Grouped)
        .await
        .expect("plan");
    let plan = &bumps.plans[0];
    let done = d.bump(plan).await.expect("bump");
    assert_eq!(done.branch, plan.branch);
    done.branch
}

/// (file, line, column) of each image's pins, by key.
fn refs(snap: &DeploySnapshot, key: &str) -> Vec<(String, usize, usize)> {
    snap.images
        .iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no {key} in {:?}", snap.images))
        .refs
        .iter()
        .map(|r| (r.file.clone(), r.line, r.column))
        .collect()
}

const VALUES: &str = "[[deploy.values]]\npaths = [\"charts/*/values.yaml\"]\ntag_keys = [\"tag\", \"defaultTag\"]\ndigest_key = \"digest\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_image_values_maps_are_compared_and_bumped_exactly() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/frontend", "3.23.1", "fe-3.23.1"),
            ("sourcegraph/gitserver", "3.22.0", "gs-3.22.0"),
            ("sourcegraph/gitserver", "3.23.1", "gs-3.23.1"),
            ("sourcegraph/searcher", "3.22.0", "se-3.22.0"),
            ("sourcegraph/searcher", "3.23.1", "se-3.23.1"),
        ],
    )
    .await;
    let values = format!(
        "\
# Sourcegraph chart values
frontend:
  replicaCount: 1
  image:
    repository: index.docker.io/sourcegraph/frontend   # the web app
    tag: \"3.22.0@{}\"   # pinned by the release tool
gitserver:
  image: {{repository: 'index.docker.io/sourcegraph/gitserver', tag: '3.22.0@{}'}}
searcher:
  image:
    repository: index.docker.io/sourcegraph/searcher
    tag: 3.22.0 # the version
    digest: \"{}\"   # the separate digest key
",
        d[0], d[2], d[4]
    );
    let repo = GitRepo::new(&[("charts/sourcegraph/values.yaml", values.clone())]);
    // The values file is under [deploy] paths too: no duplicate, no
    // "a mapping" entries.
    let text = config_text(
        &repo.checkout,
        &registry.url,
        "[\"charts/**/*.yaml\"]",
        VALUES,
    );
    let cfg = config(&text);
    let snap = refresh(&cfg).await;
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    assert!(snap.untracked.is_empty(), "{:?}", snap.untracked);
    assert_eq!(snap.files, 1);
    assert_eq!(snap.images.len(), 3, "{:?}", snap.images);
    let file = "charts/sourcegraph/values.yaml".to_string();
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/frontend"),
        [(file.clone(), 6, 11)]
    );
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/gitserver"),
        [(file.clone(), 8, 70)]
    );
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/searcher"),
        [(file.clone(), 12, 10)]
    );
    for i in &snap.images {
        assert_eq!(i.sync, SyncState::OutOfSync, "{i:?}");
        assert_eq!(i.pinned_tag.as_deref(), Some("3.22.0"));
        assert_eq!(i.published.as_ref().map(|p| p.tag.as_str()), Some("3.23.1"));
    }
    let searcher = snap
        .images
        .iter()
        .find(|i| i.repository == "sourcegraph/searcher")
        .expect("searcher");
    assert_eq!(searcher.pinned_digest.as_deref(), Some(d[4].as_str()));

    // `deploy --json` names the source and the map.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, &text).expect("write config");
    let out = tokio::task::spawn_blocking(move || opsdeck_bin(&["deploy", "--json"], Some(&path)))
        .await
        .expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let fe = doc["images"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["image"] == "sourcegraph/frontend"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        fe["refs"],
        serde_json::json!([{"file": file, "line": 6, "column": 11,
                            "source": "values", "path": "frontend.image"}]),
        "{doc}"
    );
    assert_eq!(fe["pinned"]["digest"], serde_json::json!(d[0]), "{doc}");

    let keys = [
        "docker.io/sourcegraph/frontend",
        "docker.io/sourcegraph/gitserver",
        "docker.io/sourcegraph/searcher",
    ];
    let branch = bump(&cfg, &snap, &keys).await;
    let expected = values
        .replace(&format!("3.22.0@{}", d[0]), &format!("3.23.1@{}", d[1]))
        .replace(&format!("3.22.0@{}", d[2]), &format!("3.23.1@{}", d[3]))
        .replace("tag: 3.22.0 # the version", "tag: 3.23.1 # the version")
        .replace(&d[4], &d[5]);
    assert_ne!(expected, values);
    assert_eq!(show(&repo.bare, &branch, &file), expected);
    assert_eq!(
        git(&repo.bare, &["diff", "--name-only", "master", &branch]),
        file
    );
    // After the bump the new branch (also in the checkout) is in sync.
    let bumped = config(&text.replace("branch = \"master\"", &format!("branch = \"{branch}\"")));
    let after = refresh(&bumped).await;
    assert!(
        after.images.iter().all(|i| i.sync == SyncState::Synced),
        "{:?}",
        after.images
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_wide_repository_names_and_templated_values() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/frontend", "3.23.1", "fe-3.23.1"),
            ("sourcegraph/gitserver", "3.22.0", "gs-3.22.0"),
        ],
    )
    .await;
    // Sourcegraph's chart layout: a chart-wide repository and default tag,
    // then each service's image name and tag.
    let values = format!(
        "\
### Common Configuration ###
sourcegraph:
  image:
    # -- Global docker image tag
    defaultTag: \"3.22.0@{fe}\"
    # -- Global docker image registry or prefix
    repository: index.docker.io/sourcegraph
    pullPolicy: IfNotPresent

frontend:
  image:
    # -- Docker image tag for the `frontend` image
    defaultTag: \"3.22.0@{fe}\"
    # -- Docker image name for the `frontend` image
    name: \"frontend\"
  # -- Name used by resources
  name: \"sourcegraph-frontend\"

gitserver:
  image:
    defaultTag: 3.22.0@{gs}
    name: gitserver
",
        fe = d[0],
        gs = d[2]
    );
    let templated = "\
sourcegraph:
  image:
    defaultTag: \"{{ .Chart.AppVersion }}\"
    repository: index.docker.io/sourcegraph
searcher:
  image:
    defaultTag: ${SEARCHER_TAG} # set by CI
    name: searcher
";
    let repo = GitRepo::new(&[
        ("charts/sourcegraph/values.yaml", values.clone()),
        ("charts/templated/values.yaml", templated.to_string()),
    ]);
    let extra = format!("{VALUES}default_repository = \"index.docker.io/sourcegraph\"\n");
    let text = config_text(
        &repo.checkout,
        &registry.url,
        "[\"base/**/*.yaml\"]",
        &extra,
    );
    let cfg = config(&text);
    let snap = refresh(&cfg).await;
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    assert_eq!(snap.files, 2);
    let file = "charts/sourcegraph/values.yaml".to_string();
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/frontend"),
        [(file.clone(), 13, 18)]
    );
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/gitserver"),
        [(file.clone(), 21, 17)]
    );
    let state = |repo: &str| {
        snap.images
            .iter()
            .find(|i| i.repository == repo)
            .map(|i| i.sync)
    };
    assert_eq!(state("sourcegraph/frontend"), Some(SyncState::OutOfSync));
    assert_eq!(state("sourcegraph/gitserver"), Some(SyncState::Synced));
    assert_eq!(snap.images.len(), 2, "{:?}", snap.images);
    let listed: Vec<(&str, usize, &str, String)> = snap
        .untracked
        .iter()
        .map(|u| {
            (
                u.file.as_str(),
                u.line,
                u.text.as_str(),
                u.reason.to_string(),
            )
        })
        .collect();
    let chart_wide = format!("3.22.0@{}", d[0]);
    assert_eq!(
        listed,
        vec![
            (
                "charts/sourcegraph/values.yaml",
                5,
                chart_wide.as_str(),
                "the chart-wide default for images under index.docker.io/sourcegraph: each image's own tag is tracked".to_string()
            ),
            (
                "charts/templated/values.yaml",
                3,
                "{{ .Chart.AppVersion }}",
                "templated: {{ .Chart.AppVersion }}".to_string()
            ),
            (
                "charts/templated/values.yaml",
                7,
                "${SEARCHER_TAG}",
                "templated: ${SEARCHER_TAG}".to_string()
            ),
        ]
    );

    // The console's detail: the pin as the reference it makes, file:line,
    // and the map.
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('3')]).await;
    until(&mut rt, 20, "the deploy scan", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    assert_eq!(
        rt.state.deploy.selected_key(),
        Some("docker.io/sourcegraph/frontend")
    );
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let shown = screen_text(&rt.state, 320, 30);
    assert!(
        shown.contains(&format!(
            "charts/sourcegraph/values.yaml:13:18  index.docker.io/sourcegraph/frontend:3.22.0@{}  (values frontend.image)",
            d[0]
        )),
        "{shown}"
    );
    assert!(
        shown.contains(
            "1 out of sync · 0 channel moved · 0 drift · 0 unknown · 1 synced · 3 untracked"
        ),
        "{shown}"
    );
    drop(rt);

    // Only the frontend's defaultTag changes: the chart-wide one, with the
    // same text, stays.
    let branch = bump(&cfg, &snap, &["docker.io/sourcegraph/frontend"]).await;
    let old = format!(
        "    defaultTag: \"3.22.0@{}\"\n    # -- Docker image name",
        d[0]
    );
    let new = format!(
        "    defaultTag: \"3.23.1@{}\"\n    # -- Docker image name",
        d[1]
    );
    assert!(values.contains(&old));
    let expected = values.replace(&old, &new);
    assert_eq!(show(&repo.bare, &branch, &file), expected);
    assert!(expected.contains(&format!("defaultTag: \"3.22.0@{}\"\n    # -- Global", d[0])));
    assert_eq!(
        git(&repo.bare, &["log", "-1", "--format=%s", &branch]),
        "sourcegraph/frontend: 3.22.0 → 3.23.1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kustomize_images_entries_are_bumped_exactly() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/frontend", "3.23.1", "fe-3.23.1"),
            ("sourcegraph/searcher", "3.22.0", "se-3.22.0"),
            ("sourcegraph/searcher", "3.23.1", "se-3.23.1"),
        ],
    )
    .await;
    let kustomization = format!(
        "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  # the web app, pinned by tag and digest
  - name: sourcegraph/frontend
    newName: index.docker.io/sourcegraph/frontend
    newTag: \"3.22.0\" # bumped by opsdeck
    digest: {}
  - newTag: 3.22.0
    name: index.docker.io/sourcegraph/searcher
  - name: sourcegraph/gitserver   # renamed only
    newName: index.docker.io/sourcegraph/gitserver
",
        d[0]
    );
    let file = "overlays/prod/kustomization.yaml".to_string();
    let repo = GitRepo::new(&[(file.as_str(), kustomization.clone())]);
    let text = config_text(&repo.checkout, &registry.url, "[\"overlays/**\"]", "");
    let cfg = config(&text);
    let snap = refresh(&cfg).await;
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/frontend"),
        [(file.clone(), 9, 14)]
    );
    assert_eq!(
        refs(&snap, "docker.io/sourcegraph/searcher"),
        [(file.clone(), 11, 13)]
    );
    assert!(
        snap.images.iter().all(|i| i.sync == SyncState::OutOfSync),
        "{:?}",
        snap.images
    );
    let listed: Vec<(usize, &str, String)> = snap
        .untracked
        .iter()
        .map(|u| (u.line, u.text.as_str(), u.reason.to_string()))
        .collect();
    assert_eq!(
        listed,
        vec![(
            14,
            "index.docker.io/sourcegraph/gitserver",
            "no tag or digest: nothing to compare (only a name)".to_string()
        )]
    );

    let branch = bump(
        &cfg,
        &snap,
        &[
            "docker.io/sourcegraph/frontend",
            "docker.io/sourcegraph/searcher",
        ],
    )
    .await;
    // newTag and digest rewritten in place; the entry without a digest gets
    // no digest.
    let expected = kustomization
        .replace("newTag: \"3.22.0\" #", "newTag: \"3.23.1\" #")
        .replace(&d[0], &d[1])
        .replace("- newTag: 3.22.0\n", "- newTag: 3.23.1\n");
    assert_eq!(show(&repo.bare, &branch, &file), expected);
    assert!(!expected.contains(&d[3]));
}
