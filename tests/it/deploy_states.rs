//! Deployment sync states on deploy-sourcegraph-shaped repositories, against
//! a real `docker-registry` (images pushed by the test) and real git
//! repositories: untracked `image:` values, channel pins, drift.

use std::path::Path;

use opsdeck::app::state::{Overlay, State};
use opsdeck::config::{BumpMode, Config};
use opsdeck::deploy::service::{DeploySnapshot, Deployer};
use opsdeck::deploy::sync::SyncState;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::git::{GitRepo, git};
use opsdeck_testkit::servers::DockerRegistry;

use crate::support::{key, opsdeck_bin, press, push_images, screen_text, until};

/// A Deployment with one container.
pub(crate) fn deployment(name: &str, image_line: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image_line}\n"
    )
}

pub(crate) fn pin(repo: &str, tag: &str, digest: &str) -> String {
    format!("index.docker.io/{repo}:{tag}@{digest}")
}

/// `[deploy]` on `repo` with every `sourcegraph/*` image under semver, the
/// registry serving `index.docker.io`; `extra` is appended (more policies
/// first in the file win, so they go in `before`).
pub(crate) fn config_text(repo: &Path, registry_url: &str, before: &str) -> String {
    format!(
        "[deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = [\"base/**/*.yaml\"]\nremote = \"origin\"\nrefresh = \"1h\"\n\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{registry_url}\"\n\n\
         {before}\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n",
        repo.display(),
    )
}

pub(crate) fn config(repo: &Path, registry_url: &str, before: &str) -> Config {
    Config::parse(
        &config_text(repo, registry_url, before),
        Path::new("deploy-states.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

async fn refresh(cfg: &Config) -> DeploySnapshot {
    Deployer::from_config(cfg)
        .expect("deployer")
        .expect("configured")
        .refresh()
        .await
        .expect("refresh")
}

pub(crate) fn message(state: &State) -> String {
    state
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Writes the config to a file for the binary.
pub(crate) fn config_file(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untracked_values_are_listed_counted_and_never_bumped() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/frontend", "3.23.1", "fe-3.23.1"),
        ],
    )
    .await;
    let repo = GitRepo::new(&[
        (
            "base/frontend/frontend.Deployment.yaml",
            deployment("frontend", &pin("sourcegraph/frontend", "3.22.0", &d[0])),
        ),
        (
            "base/helm/chart.Deployment.yaml",
            format!(
                "{}---\n{}",
                deployment("plain-template", "{{ .Values.image }}"),
                deployment(
                    "quoted-template",
                    "\"{{ .Values.registry }}/org/frontend:{{ .Values.tag }}\""
                )
            ),
        ),
        (
            "base/env/env.Deployment.yaml",
            deployment("from-env", "${IMAGE} # set by the deploy script"),
        ),
        (
            "base/typo/typo.Deployment.yaml",
            deployment("typo", "Sourcegraph/Frontend:3.22.0"),
        ),
    ]);
    let cfg = config(&repo.checkout, &registry.url, "");
    let snap = refresh(&cfg).await;
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    assert_eq!(snap.files, 4);
    // The plain pin is still found and compared.
    assert_eq!(snap.images.len(), 1);
    assert_eq!(snap.images[0].sync, SyncState::OutOfSync);
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
    assert_eq!(
        listed,
        vec![
            (
                "base/env/env.Deployment.yaml",
                10,
                "${IMAGE}",
                "templated: ${IMAGE}".to_string()
            ),
            (
                "base/helm/chart.Deployment.yaml",
                10,
                "{{ .Values.image }}",
                "templated: {{ .Values.image }}".to_string()
            ),
            (
                "base/helm/chart.Deployment.yaml",
                21,
                "{{ .Values.registry }}/org/frontend:{{ .Values.tag }}",
                "templated: {{ .Values.registry }}, {{ .Values.tag }}".to_string()
            ),
            (
                "base/typo/typo.Deployment.yaml",
                10,
                "Sourcegraph/Frontend:3.22.0",
                "not an image reference: repository name component \"Sourcegraph\" must be lowercase"
                    .to_string()
            ),
        ]
    );

    // `deploy --json` lists them under "untracked".
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config_file(dir.path(), &config_text(&repo.checkout, &registry.url, ""));
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || opsdeck_bin(&["deploy", "--json"], Some(&p)))
        .await
        .expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        doc["untracked"],
        serde_json::json!([
            {"file": "base/env/env.Deployment.yaml", "line": 10, "text": "${IMAGE}",
             "reason": "templated: ${IMAGE}"},
            {"file": "base/helm/chart.Deployment.yaml", "line": 10, "text": "{{ .Values.image }}",
             "reason": "templated: {{ .Values.image }}"},
            {"file": "base/helm/chart.Deployment.yaml", "line": 21,
             "text": "{{ .Values.registry }}/org/frontend:{{ .Values.tag }}",
             "reason": "templated: {{ .Values.registry }}, {{ .Values.tag }}"},
            {"file": "base/typo/typo.Deployment.yaml", "line": 10,
             "text": "Sourcegraph/Frontend:3.22.0",
             "reason": "not an image reference: repository name component \"Sourcegraph\" must be lowercase"},
        ]),
        "{doc}"
    );
    assert_eq!(doc["images"].as_array().map(Vec::len), Some(1), "{doc}");
    // `config check` warns about them (a warning, not a failure).
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || opsdeck_bin(&["config", "check"], Some(&p)))
        .await
        .expect("join");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains(
            "! deploy (manifest) 4 image values untracked (templated, or not an image reference; each listed with its file:line by `opsdeck deploy`)"
        ),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{text}");

    // The console: counted in the header, listed after the images, and a
    // bump key on one says why it cannot be bumped.
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('3')]).await;
    until(&mut rt, 20, "the deploy scan", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    let shown = screen_text(&rt.state, 200, 30);
    assert!(
        shown.contains(
            "1 out of sync · 0 channel moved · 0 drift · 0 unknown · 0 synced · 4 untracked"
        ),
        "{shown}"
    );
    let row = |needle: &str| {
        shown
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no row with {needle:?}: {shown}"))
            .to_string()
    };
    assert!(
        row("templated: {{ .Values.image }}").starts_with("│untracked   {{ .Values.image }}"),
        "{shown}"
    );
    assert!(
        shown.contains("templated: ${IMAGE} · base/env/env.Deployment.yaml:10"),
        "{shown}"
    );
    press(&mut rt, [key('G'), key('b')]).await;
    assert!(rt.state.overlays.is_empty(), "no bump is planned");
    assert_eq!(
        message(&rt.state),
        "base/typo/typo.Deployment.yaml:10 is untracked (not an image reference: repository name component \"Sourcegraph\" must be lowercase); only a plain image reference can be bumped"
    );
    press(&mut rt, [key('B')]).await;
    until(&mut rt, 10, "the diff", |s| !s.overlays.is_empty()).await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        panic!("expected the bump confirmation");
    };
    assert_eq!(c.question, "Bump sourcegraph/frontend 3.22.0 → 3.23.1?");
    assert!(
        !c.details.iter().any(|l| l.contains("helm")),
        "{:?}",
        c.details
    );
    // Nothing was committed or pushed by looking.
    assert_eq!(git(&repo.bare, &["branch", "--list", "opsdeck/*"]), "");
}

/// `lang-go:insiders@…` under `sourcegraph/*` semver: compared by digest
/// with what `insiders` serves now, never proposed a version; a bump moves
/// only the digest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_pin_is_in_sync_moved_and_bumped_by_digest_only() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/lang-go", "insiders", "lang-go-a"),
            ("sourcegraph/lang-go", "3.23.0", "lang-go-3.23.0"),
            // insiders is pushed again with other content: it moved.
            ("sourcegraph/lang-go", "insiders", "lang-go-b"),
            ("sourcegraph/lang-typescript", "insiders", "lang-ts"),
            ("sourcegraph/lang-typescript", "3.23.0", "lang-ts-3.23.0"),
        ],
    )
    .await;
    let (go_old, go_new, ts) = (&d[0], &d[2], &d[3]);
    assert_ne!(go_old, go_new);
    let go_file = format!(
        "# Go code intelligence\n{}",
        deployment(
            "lang-go",
            &format!(
                "\"{}\" # follows insiders",
                pin("sourcegraph/lang-go", "insiders", go_old)
            )
        )
    );
    let repo = GitRepo::new(&[
        ("base/lang-go/lang-go.Deployment.yaml", go_file.clone()),
        (
            "base/lang-typescript/lang-typescript.Deployment.yaml",
            deployment(
                "lang-typescript",
                &pin("sourcegraph/lang-typescript", "insiders", ts),
            ),
        ),
    ]);
    let cfg = config(&repo.checkout, &registry.url, "");
    let snap = refresh(&cfg).await;
    let by = |r: &str| {
        snap.images
            .iter()
            .find(|i| i.repository == r)
            .unwrap_or_else(|| panic!("{r}"))
    };
    let go = by("sourcegraph/lang-go");
    assert_eq!(go.sync, SyncState::ChannelMoved);
    assert_eq!(go.channel.as_deref(), Some("insiders"));
    let short = |d: &str| d[7..14].to_string();
    assert_eq!(
        go.reason.as_deref(),
        Some(format!("insiders moved: {} → {}", short(go_old), short(go_new)).as_str()),
        "never insiders → 3.23.0"
    );
    assert_eq!(
        go.published
            .as_ref()
            .map(|p| (p.tag.as_str(), p.digest.as_deref())),
        Some(("insiders", Some(go_new.as_str())))
    );
    let ts_status = by("sourcegraph/lang-typescript");
    assert_eq!(ts_status.sync, SyncState::Synced, "{:?}", ts_status.reason);

    // The CLI: JSON states, and bump --all keeps the tag.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config_file(dir.path(), &config_text(&repo.checkout, &registry.url, ""));
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || opsdeck_bin(&["deploy", "--json"], Some(&p)))
        .await
        .expect("join");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let go_json = doc["images"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["image"] == "sourcegraph/lang-go"))
        .cloned()
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(go_json["sync"], "channel_moved", "{doc}");
    assert_eq!(go_json["channel"], "insiders");
    assert_eq!(go_json["policy"], "semver");
    assert_eq!(go_json["pinned"]["tag"], "insiders");
    assert_eq!(go_json["published"]["digest"], go_new.as_str());
    let p = path.clone();
    let out = tokio::task::spawn_blocking(move || {
        opsdeck_bin(&["deploy", "bump", "--all", "--dry-run"], Some(&p))
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.contains(&format!(
            "+          image: \"{}\" # follows insiders",
            pin("sourcegraph/lang-go", "insiders", go_new)
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("3.23.0"), "{stdout}");
    assert!(
        !stdout.contains("lang-typescript"),
        "a synced channel is left alone: {stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "move sourcegraph/lang-go insiders to the digest the channel serves now: sha256:{}… → sha256:{}…",
            short(go_old),
            short(go_new)
        )),
        "{stderr}"
    );

    // The console: b, the question, y; the committed file differs from the
    // original in the digest only.
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('3')]).await;
    until(&mut rt, 20, "the deploy scan", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    let shown = screen_text(&rt.state, 200, 30);
    assert!(
        shown.contains(
            "0 out of sync · 1 channel moved · 0 drift · 0 unknown · 1 synced · 0 untracked"
        ),
        "{shown}"
    );
    assert_eq!(
        rt.state.deploy.selected_key(),
        Some("docker.io/sourcegraph/lang-go"),
        "a moved channel comes before synced images"
    );
    press(&mut rt, [key('b')]).await;
    until(&mut rt, 10, "the diff", |s| !s.overlays.is_empty()).await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        panic!("expected the bump confirmation");
    };
    assert_eq!(
        c.question,
        format!(
            "Move sourcegraph/lang-go insiders to the digest the channel serves now: sha256:{}… → sha256:{}…?",
            short(go_old),
            short(go_new)
        )
    );
    let branch = format!("opsdeck/bump-lang-go-insiders-{}", short(go_new));
    assert_eq!(
        c.details.last().map(String::as_str),
        Some(format!("then: commit on {branch}, push").as_str())
    );
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 20, "the bump", |s| {
        s.deploy.busy.is_none() && s.deploy.last_bump.is_some()
    })
    .await;
    let committed = git(
        &repo.bare,
        &[
            "show",
            &format!("{branch}:base/lang-go/lang-go.Deployment.yaml"),
        ],
    );
    assert_eq!(
        format!("{committed}\n"),
        go_file.replace(go_old.as_str(), go_new)
    );
    assert_eq!(
        git(&repo.bare, &["log", "-1", "--format=%s", &branch]),
        format!(
            "sourcegraph/lang-go: insiders {} → {}",
            short(go_old),
            short(go_new)
        )
    );
    assert_eq!(
        git(&repo.bare, &["diff", "--name-only", "master", &branch]),
        "base/lang-go/lang-go.Deployment.yaml"
    );
}

/// `convert_channels = true`: the policy proposes its newest version for a
/// channel pin, as before channel pins were their own kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn convert_channels_proposes_a_version_for_a_channel_pin() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/lang-go", "insiders", "lang-go-a"),
            ("sourcegraph/lang-go", "3.23.0", "lang-go-3.23.0"),
        ],
    )
    .await;
    let repo = GitRepo::new(&[(
        "base/lang-go/lang-go.Deployment.yaml",
        deployment("lang-go", &pin("sourcegraph/lang-go", "insiders", &d[0])),
    )]);
    let cfg = config(
        &repo.checkout,
        &registry.url,
        "[[deploy.policy]]\nmatch = \"sourcegraph/lang-*\"\nkind = \"semver\"\nconvert_channels = true\n",
    );
    let snap = refresh(&cfg).await;
    let go = &snap.images[0];
    assert_eq!(go.sync, SyncState::OutOfSync);
    assert_eq!(go.reason.as_deref(), Some("insiders → 3.23.0"));
    assert_eq!(go.channel, None);
    let deployer = Deployer::from_config(&cfg)
        .expect("deployer")
        .expect("configured");
    let bumps = deployer
        .plan(&snap, std::slice::from_ref(&go.key), BumpMode::Grouped)
        .await
        .expect("plan");
    let plan = &bumps.plans[0];
    assert_eq!(
        plan.question(),
        "Bump sourcegraph/lang-go insiders → 3.23.0?"
    );
    assert!(
        plan.diff.contains(&format!(
            "+          image: {}",
            pin("sourcegraph/lang-go", "3.23.0", &d[1])
        )),
        "{}",
        plan.diff
    );
}

/// A re-pushed tag: `drift`, its own reason and wording, left out of
/// bump-all (console and CLI) unless `--include-drift`, bumped alone by
/// digest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_left_out_of_bump_all_and_re_pinned_alone() {
    let registry = DockerRegistry::start();
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/gitserver", "3.22.0", "gs-3.22.0"),
            ("sourcegraph/gitserver", "3.23.0", "gs-3.23.0"),
            // 3.22.0 is pushed again with other content: the tag drifted.
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0-rebuilt"),
        ],
    )
    .await;
    let (fe_pinned, gs_old, gs_new, fe_now) = (&d[0], &d[1], &d[2], &d[3]);
    let fe_file = deployment(
        "frontend",
        &format!(
            "{} # prod",
            pin("sourcegraph/frontend", "3.22.0", fe_pinned)
        ),
    );
    let repo = GitRepo::new(&[
        ("base/frontend/frontend.Deployment.yaml", fe_file.clone()),
        (
            "base/gitserver/gitserver.StatefulSet.yaml",
            deployment("gitserver", &pin("sourcegraph/gitserver", "3.22.0", gs_old)),
        ),
    ]);
    let cfg = config(&repo.checkout, &registry.url, "");
    let short = |d: &str| d[7..14].to_string();
    let snap = refresh(&cfg).await;
    let fe = snap
        .images
        .iter()
        .find(|i| i.repository == "sourcegraph/frontend")
        .expect("frontend");
    assert_eq!(fe.sync, SyncState::Drift);
    let reason = format!(
        "3.22.0 was re-pushed: pinned {}, the registry serves {}",
        short(fe_pinned),
        short(fe_now)
    );
    assert_eq!(fe.reason.as_deref(), Some(reason.as_str()));

    // The CLI.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config_file(dir.path(), &config_text(&repo.checkout, &registry.url, ""));
    let run = |args: &'static [&'static str]| {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let out = opsdeck_bin(args, Some(&path));
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
    };
    let (code, stdout, _) = run(&["deploy", "--json"]).await.expect("join");
    assert_eq!(code, Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let states: Vec<(String, String, String)> = doc["images"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| {
                    (
                        i["image"].as_str().unwrap_or("").to_string(),
                        i["sync"].as_str().unwrap_or("").to_string(),
                        i["reason"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        states,
        [
            (
                "sourcegraph/gitserver".to_string(),
                "out_of_sync".to_string(),
                "3.22.0 → 3.23.0".to_string()
            ),
            (
                "sourcegraph/frontend".to_string(),
                "drift".to_string(),
                reason.clone()
            ),
        ]
    );
    assert_eq!(doc["untracked"], serde_json::json!([]));
    let repin = format!(
        "re-pin sourcegraph/frontend 3.22.0 to the digest the registry serves now: sha256:{}… → sha256:{}…",
        short(fe_pinned),
        short(fe_now)
    );
    let (code, stdout, stderr) = run(&["deploy", "bump", "--all", "--dry-run"])
        .await
        .expect("join");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "1 drifted pin left out (sourcegraph/frontend): bump each by name, or pass --include-drift"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains("gitserver") && !stdout.contains("frontend"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(&["deploy", "bump", "--all", "--include-drift", "--dry-run"])
        .await
        .expect("join");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains(&repin), "{stderr}");
    assert!(!stderr.contains("left out"), "{stderr}");
    assert!(
        stdout.contains(&format!(
            "+          image: {} # prod",
            pin("sourcegraph/frontend", "3.22.0", fe_now)
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!(
        "+          image: {}",
        pin("sourcegraph/gitserver", "3.23.0", gs_new)
    )));
    let (code, _, stderr) = run(&["deploy", "bump", "--include-drift", "frontend"])
        .await
        .expect("join");
    assert_eq!(code, Some(2), "--include-drift goes with --all: {stderr}");

    // The console: B leaves the drifted pin out and says so; b on it asks
    // in its own words.
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('3')]).await;
    until(&mut rt, 20, "the deploy scan", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    let shown = screen_text(&rt.state, 200, 30);
    assert!(
        shown.contains(
            "1 out of sync · 0 channel moved · 1 drift · 0 unknown · 0 synced · 0 untracked"
        ),
        "{shown}"
    );
    press(&mut rt, [key('B')]).await;
    until(&mut rt, 10, "the diff", |s| !s.overlays.is_empty()).await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        panic!("expected the bump confirmation");
    };
    assert_eq!(c.question, "Bump sourcegraph/gitserver 3.22.0 → 3.23.0?");
    assert!(
        c.details.contains(
            &"1 drifted pin left out (sourcegraph/frontend); bump each with b".to_string()
        ),
        "{:?}",
        c.details
    );
    assert!(
        !c.details.iter().any(|l| l.contains("frontend.Deployment")),
        "{:?}",
        c.details
    );
    press(&mut rt, [key('n')]).await;
    assert!(rt.state.overlays.is_empty());
    press(&mut rt, [key('j'), key('b')]).await;
    until(&mut rt, 10, "the diff", |s| !s.overlays.is_empty()).await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        panic!("expected the re-pin confirmation");
    };
    let question = format!("R{}?", &repin[1..]);
    assert_eq!(c.question, question);
    assert!(
        !c.details.iter().any(|l| l.contains("left out")),
        "{:?}",
        c.details
    );
    let branch = format!("opsdeck/bump-frontend-3.22.0-repin-{}", short(fe_now));
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 20, "the re-pin", |s| {
        s.deploy.busy.is_none() && s.deploy.last_bump.is_some()
    })
    .await;
    let committed = git(
        &repo.bare,
        &[
            "show",
            &format!("{branch}:base/frontend/frontend.Deployment.yaml"),
        ],
    );
    assert_eq!(
        format!("{committed}\n"),
        fe_file.replace(fe_pinned.as_str(), fe_now)
    );
    assert_eq!(
        git(&repo.bare, &["diff", "--name-only", "master", &branch]),
        "base/frontend/frontend.Deployment.yaml",
        "gitserver was not bumped with it"
    );
    assert_eq!(
        git(&repo.bare, &["log", "-1", "--format=%s", &branch]),
        format!(
            "sourcegraph/frontend: re-pin 3.22.0 {} → {}",
            short(fe_pinned),
            short(fe_now)
        )
    );
}
