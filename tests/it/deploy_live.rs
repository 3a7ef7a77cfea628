//! Deployment sync against a real `docker-registry` holding images the test
//! pushes itself (blob upload + manifest PUT), a real git repository with a
//! bare remote, and the GitHub-shaped test server for pull requests.

use std::path::Path;
use std::process::Command;

use opsdeck::app::action::Effect;
use opsdeck::app::overlays::Overlay;
use opsdeck::config::{BumpMode, Config};
use opsdeck::deploy::service::{Ask, Deployer, Existing};
use opsdeck::deploy::sync::SyncState;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::git::{GitRepo, git};
use opsdeck_testkit::github::GithubFake;
use opsdeck_testkit::push::push_image;
use opsdeck_testkit::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};
use opsdeck_testkit::servers::DockerRegistry;

use crate::support::{key, press, until};

fn frontend_yaml(image: &str) -> String {
    format!(
        "# Frontend for the deploy test.\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrator\n          image: \"{image}\" # same pin\n      containers:\n        - name: frontend\n          image: {image}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: frontend # no image here\n"
    )
}

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
    )
}

fn config(repo: &Path, registry_url: &str, github: Option<&str>, extra: &str) -> Config {
    let gh = github
        .map(|u| format!("[github]\napi_url = \"{u}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n"))
        .unwrap_or_default();
    let text = format!(
        "{gh}\n[deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = [\"base/**/*.yaml\"]\nremote = \"origin\"\npull_request = {}\ngithub_repo = \"sourcegraph/deploy-sourcegraph\"\nrefresh = \"1h\"\n\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{registry_url}\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/server\"\nkind = \"channel\"\ntag = \"insiders\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/zoekt-*\"\nkind = \"regex\"\nregex = '^0\\.0\\.(\\d+)$'\norder = \"numeric\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n{extra}",
        repo.display(),
        github.is_some(),
    );
    Config::parse(&text, Path::new("deploy-test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn pin(repo: &str, tag: &str, digest: &str) -> String {
    format!("index.docker.io/{repo}:{tag}@{digest}")
}

/// Pushes the standard set of images; returns (frontend 3.22.0, 3.23.1,
/// gitserver 3.23.0, server insiders old, server insiders new, zoekt 0.0.2) digests.
fn push_standard(url: &str) -> [String; 6] {
    let fe_old = push_image(url, "sourcegraph/frontend", "3.22.0", "fe-3.22.0");
    push_image(url, "sourcegraph/frontend", "3.23.0", "fe-3.23.0");
    let fe_new = push_image(url, "sourcegraph/frontend", "3.23.1", "fe-3.23.1");
    push_image(url, "sourcegraph/frontend", "3.24.0-rc.1", "fe-rc");
    let gs = push_image(url, "sourcegraph/gitserver", "3.23.0", "gs-3.23.0");
    let server_old = push_image(url, "sourcegraph/server", "insiders", "server-a");
    let server_new = push_image(url, "sourcegraph/server", "insiders", "server-b");
    push_image(url, "sourcegraph/zoekt-webserver", "0.0.9", "z9");
    let zoekt = push_image(url, "sourcegraph/zoekt-webserver", "0.0.20", "z20");
    [fe_old, fe_new, gs, server_old, server_new, zoekt]
}

fn standard_repo(d: &[String; 6]) -> GitRepo {
    GitRepo::new(&[
        (
            "base/frontend/frontend.Deployment.yaml",
            frontend_yaml(&pin("sourcegraph/frontend", "3.22.0", &d[0])),
        ),
        (
            "base/gitserver/gitserver.Deployment.yaml",
            deployment("gitserver", &pin("sourcegraph/gitserver", "3.23.0", &d[2])),
        ),
        (
            "base/server/server.Deployment.yaml",
            deployment("server", &pin("sourcegraph/server", "insiders", &d[3])),
        ),
        (
            "base/zoekt/zoekt.Deployment.yaml",
            deployment(
                "zoekt",
                &pin("sourcegraph/zoekt-webserver", "0.0.20", &d[5]),
            ),
        ),
        ("README.md", "not scanned\n".into()),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_states_for_semver_channel_and_regex_against_a_real_registry() {
    let registry = DockerRegistry::start();
    let url = registry.url.clone();
    let d = tokio::task::spawn_blocking(move || push_standard(&url))
        .await
        .expect("push");
    let repo = standard_repo(&d);
    let deployer = Deployer::from_config(&config(&repo.checkout, &registry.url, None, ""))
        .expect("deployer")
        .expect("configured");
    let snap = deployer.refresh().await.expect("refresh");
    assert_eq!(snap.files, 4);
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    let by = |r: &str| {
        snap.images
            .iter()
            .find(|i| i.repository == r)
            .unwrap_or_else(|| panic!("{r}"))
    };

    let fe = by("sourcegraph/frontend");
    assert_eq!(fe.sync, SyncState::OutOfSync);
    assert_eq!(
        fe.reason.as_deref(),
        Some("3.22.0 → 3.23.1"),
        "pre-releases are not newest"
    );
    assert_eq!(fe.refs.len(), 2, "container and initContainer");
    assert_eq!((fe.refs[0].line, fe.refs[1].line), (11, 14));
    assert_eq!(
        fe.published.as_ref().and_then(|p| p.digest.clone()),
        Some(d[1].clone())
    );

    assert_eq!(by("sourcegraph/gitserver").sync, SyncState::Synced);
    assert_eq!(
        by("sourcegraph/zoekt-webserver").sync,
        SyncState::Synced,
        "0.0.20 > 0.0.9 numerically"
    );
    let server = by("sourcegraph/server");
    assert_eq!(
        server.sync,
        SyncState::ChannelMoved,
        "the insiders tag moved"
    );
    assert!(
        server
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("insiders moved")),
        "{:?}",
        server.reason
    );
    assert_ne!(d[3], d[4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bump_rewrites_exactly_the_pin_commits_pushes_and_opens_a_pr() {
    let registry = DockerRegistry::start();
    let url = registry.url.clone();
    let d = tokio::task::spawn_blocking(move || push_standard(&url))
        .await
        .expect("push");
    let repo = standard_repo(&d);
    let github = GithubFake::start().await.expect("github");
    let cfg = config(&repo.checkout, &registry.url, Some(&github.url), "");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    press(&mut rt, [key('3')]).await;
    until(&mut rt, 20, "the deploy scan", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    // The frontend comes first (out of sync, by name).
    let first = rt
        .state
        .deploy
        .snapshot
        .as_ref()
        .map(|s| s.images[0].repository.clone());
    assert_eq!(first.as_deref(), Some("sourcegraph/frontend"));
    press(&mut rt, [key('b')]).await;
    until(&mut rt, 10, "the diff", |s| !s.overlays.is_empty()).await;
    let Some(opsdeck::app::state::Overlay::Confirm(c)) = rt.state.overlays.last() else {
        panic!("expected the diff confirmation");
    };
    assert!(
        c.details
            .iter()
            .any(|l| l == "--- a/base/frontend/frontend.Deployment.yaml"),
        "{:?}",
        c.details
    );
    assert!(
        c.details.iter().any(
            |l| l.starts_with("+          image: index.docker.io/sourcegraph/frontend:3.23.1@")
        )
    );
    // It says everything y will do, the pull request included.
    assert_eq!(
        c.details.last().map(String::as_str),
        Some(
            "then: commit on opsdeck/bump-frontend-3.23.1, push, open a pull request in sourcegraph/deploy-sourcegraph"
        )
    );
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 20, "the bump", |s| {
        s.deploy.busy.is_none() && s.deploy.last_bump.is_some()
    })
    .await;

    // Byte for byte: only the two pins' tag and digest changed.
    let branch = "opsdeck/bump-frontend-3.23.1";
    let old = frontend_yaml(&pin("sourcegraph/frontend", "3.22.0", &d[0]));
    let expected = old.replace(
        &pin("sourcegraph/frontend", "3.22.0", &d[0]),
        &pin("sourcegraph/frontend", "3.23.1", &d[1]),
    );
    let committed = git(
        &repo.bare,
        &[
            "show",
            &format!("{branch}:base/frontend/frontend.Deployment.yaml"),
        ],
    );
    assert_eq!(format!("{committed}\n"), expected);
    let changed = git(&repo.bare, &["diff", "--name-only", "master", branch]);
    assert_eq!(changed, "base/frontend/frontend.Deployment.yaml");
    let message = git(&repo.bare, &["log", "-1", "--format=%s", branch]);
    assert_eq!(message, "sourcegraph/frontend: 3.22.0 → 3.23.1");
    // The user's checkout stays on master, untouched.
    assert_eq!(
        git(&repo.checkout, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "master"
    );
    assert_eq!(git(&repo.checkout, &["status", "--porcelain"]), "");
    // The pull request.
    let pulls = github.pulls("sourcegraph/deploy-sourcegraph");
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0]["head"], branch);
    assert_eq!(pulls[0]["base"], "master");
    assert_eq!(pulls[0]["title"], "sourcegraph/frontend: 3.22.0 → 3.23.1");
    assert!(
        rt.state
            .deploy
            .last_bump
            .as_deref()
            .is_some_and(|u| u.ends_with("/pull/1")),
        "{:?}",
        rt.state.deploy.last_bump
    );

    // Bumping again: the plan finds the open pull request before any y/N
    // and offers to open it; carrying it out anyway changes nothing.
    let snap = rt.state.deploy.snapshot.clone().expect("snapshot");
    let deployer = Deployer::from_config(&cfg)
        .expect("deployer")
        .expect("configured");
    let bumps = deployer
        .plan(&snap, &[snap.images[0].key.clone()], BumpMode::Grouped)
        .await
        .expect("plan");
    let url = rt.state.deploy.last_bump.clone().expect("the PR");
    assert_eq!(
        bumps.plans[0].existing,
        Some(Existing::Pull {
            number: 1,
            url: url.clone()
        })
    );
    assert_eq!(bumps.warnings, Vec::<String>::new());
    let Ask::Open { question, .. } = bumps.ask(None) else {
        panic!("expected the PR offered: {:?}", bumps.ask(None));
    };
    assert_eq!(
        question,
        "PR #1 already bumps sourcegraph/frontend to 3.23.1 — open it?"
    );
    // The console asks the same on b, and y opens the PR instead of
    // bumping (pure update on a copy: no browser in a test).
    until(&mut rt, 20, "the refresh after the bump", |s| {
        s.deploy
            .snapshot
            .as_ref()
            .is_some_and(|x| x.images[0].sync == SyncState::OutOfSync)
    })
    .await;
    press(&mut rt, [key('b')]).await;
    until(&mut rt, 20, "the question", |s| {
        matches!(s.overlays.last(), Some(Overlay::Confirm(_)))
    })
    .await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        unreachable!()
    };
    assert_eq!(c.question, question);
    let mut copy = rt.state.clone();
    let effects = opsdeck::app::update::update(&mut copy, key('y'));
    assert_eq!(effects, vec![Effect::OpenUrl(url)]);
    press(&mut rt, [key('n')]).await;
    let e = deployer
        .bump(&bumps.plans[0])
        .await
        .expect_err("exists")
        .to_string();
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(github.pulls("sourcegraph/deploy-sourcegraph").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dirty_tree_is_refused_and_nothing_changes() {
    let registry = DockerRegistry::start();
    let url = registry.url.clone();
    let d = tokio::task::spawn_blocking(move || push_standard(&url))
        .await
        .expect("push");
    let repo = standard_repo(&d);
    std::fs::write(repo.checkout.join("README.md"), "local edit\n").expect("write");
    let deployer = Deployer::from_config(&config(&repo.checkout, &registry.url, None, ""))
        .expect("deployer")
        .expect("configured");
    let snap = deployer.refresh().await.expect("refresh");
    let bumps = deployer
        .plan(&snap, &[snap.images[0].key.clone()], BumpMode::Grouped)
        .await
        .expect("plan");
    let e = deployer
        .bump(&bumps.plans[0])
        .await
        .expect_err("dirty")
        .to_string();
    assert!(
        e.contains("uncommitted changes") && e.contains("README.md"),
        "{e}"
    );
    let branches = git(&repo.checkout, &["branch", "--list", "opsdeck/*"]);
    assert_eq!(branches, "", "no branch was created");
    assert_eq!(
        git(&repo.bare, &["branch", "--list", "opsdeck/*"]),
        "",
        "nothing was pushed"
    );
    assert_eq!(
        std::fs::read_to_string(repo.checkout.join("README.md")).expect("read"),
        "local edit\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_that_is_down_gives_unknown_while_the_rest_is_shown() {
    let registry = DockerRegistry::start();
    let url = registry.url.clone();
    let d = tokio::task::spawn_blocking(move || push_standard(&url))
        .await
        .expect("push");
    let dead = opsdeck_testkit::servers::free_port();
    let mut repo_files = vec![
        (
            "base/frontend/frontend.Deployment.yaml",
            frontend_yaml(&pin("sourcegraph/frontend", "3.22.0", &d[0])),
        ),
        (
            "base/other/other.Deployment.yaml",
            deployment(
                "other",
                &format!("quay.example:{dead}/sourcegraph/other:1.0.0"),
            ),
        ),
    ];
    repo_files.push((
        "base/broken/broken.yaml",
        "apiVersion: v1\nkind: [unclosed\n".into(),
    ));
    let repo = GitRepo::new(&repo_files);
    let cfg = config(
        &repo.checkout,
        &registry.url,
        None,
        &format!(
            "\n[[deploy.registry]]\nhost = \"quay.example:{dead}\"\nurl = \"http://127.0.0.1:{dead}\"\ntimeout = \"2s\"\n"
        ),
    );
    let deployer = Deployer::from_config(&cfg)
        .expect("deployer")
        .expect("configured");
    let snap = deployer.refresh().await.expect("refresh");
    let other = snap
        .images
        .iter()
        .find(|i| i.repository == "sourcegraph/other")
        .expect("other");
    assert_eq!(other.sync, SyncState::Unknown);
    assert!(
        other
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("connection refused")),
        "{:?}",
        other.reason
    );
    let fe = snap
        .images
        .iter()
        .find(|i| i.repository == "sourcegraph/frontend")
        .expect("fe");
    assert_eq!(
        fe.sync,
        SyncState::OutOfSync,
        "the working registry is still used"
    );
    assert_eq!(snap.errors.len(), 1, "{:?}", snap.errors);
    let e = snap.errors[0].to_string();
    // The parser stops where the unclosed `[` needed its `]`.
    assert!(e.starts_with("base/broken/broken.yaml:3:1: "), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_token_challenge_is_followed() {
    let registry = FakeRegistry::start(FakeRegistryOptions {
        bearer: Some(("robot".into(), "s3cret".into())),
        page_size: Some(2),
        ..Default::default()
    })
    .await
    .expect("registry");
    let tags = ["3.21.0", "3.22.0", "3.22.1", "3.23.0", "3.23.1"];
    let pairs: Vec<(String, String)> = tags
        .iter()
        .map(|t| (t.to_string(), demo_digest(t)))
        .collect();
    let refs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(t, d)| (t.as_str(), d.as_str()))
        .collect();
    registry.set_tags("sourcegraph/frontend", &refs);
    let repo = GitRepo::new(&[(
        "base/frontend/frontend.Deployment.yaml",
        frontend_yaml(&pin(
            "sourcegraph/frontend",
            "3.23.1",
            &demo_digest("3.23.1"),
        )),
    )]);
    // The password reaches opsdeck through its environment: run the binary.
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg_path = dir.path().join("config.toml");
    std::fs::write(
        &cfg_path,
        format!(
            "[deploy]\nrepo = \"{}\"\npaths = [\"base/**/*.yaml\"]\n[[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{}\"\nusername = \"robot\"\npassword_env = \"OPSDECK_TEST_REGISTRY_PASSWORD\"\n[[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n",
            repo.checkout.display(),
            registry.url
        ),
    )
    .expect("write config");
    let run = |password: &'static str| {
        let cfg_path = cfg_path.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_opsdeck"))
                .args(["deploy", "--json", "--config"])
                .arg(&cfg_path)
                .env("OPSDECK_TEST_REGISTRY_PASSWORD", password)
                .env(
                    "XDG_STATE_HOME",
                    std::env::temp_dir().join("opsdeck-test-state"),
                )
                .output()
                .expect("run opsdeck")
        })
    };
    let out = run("s3cret").await.expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["images"][0]["sync"], "synced", "{doc}");
    assert_eq!(doc["images"][0]["published"]["tag"], "3.23.1");
    let log = registry.requests();
    // Two pins of one image: one lookup — the challenge, the token, three
    // pages of tags, one HEAD for the newest tag's digest.
    assert_eq!(
        log,
        [
            "GET /v2/sourcegraph/frontend/tags/list?n=1000",
            "GET /token?service=fake-registry&scope=repository%3Asourcegraph%2Ffrontend%3Apull",
            "GET /v2/sourcegraph/frontend/tags/list?n=1000",
            "GET /v2/sourcegraph/frontend/tags/list?n=2&last=3.22.0",
            "GET /v2/sourcegraph/frontend/tags/list?n=2&last=3.23.0",
            "HEAD /v2/sourcegraph/frontend/manifests/3.23.1",
        ]
    );

    // A wrong password: a clear unknown, no secret in the output.
    let out = run("wrong").await.expect("join");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["images"][0]["sync"], "unknown");
    assert!(
        doc["images"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("401")),
        "{doc}"
    );
    assert!(
        !text.contains("wrong") && !text.contains("s3cret"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_registry_asking_for_basic_auth() {
    use opsdeck::deploy::registry::{RegistryAuth, RegistryClient};
    // `robot` / `s3cret`, bcrypt ($2b$, cost 12) as htpasswd stores it.
    let registry = DockerRegistry::start_with_htpasswd(
        "robot:$2b$12$EZUtu0fu4YNdnKlq7TYFJurHDZnpreXB3V8fK0GcABtZDXFAnDIli",
    );
    let timeout = std::time::Duration::from_secs(10);
    // Without credentials: the 401 challenge is reported clearly.
    let anonymous =
        RegistryClient::new(&registry.url, RegistryAuth::Anonymous, timeout).expect("client");
    let e = anonymous
        .tags("sourcegraph/frontend")
        .await
        .expect_err("401");
    assert!(e.to_string().contains("401"), "{e}");
    // With them, the Basic challenge is answered.
    let robot = RegistryClient::new(
        &registry.url,
        RegistryAuth::Basic {
            username: "robot".into(),
            password: "s3cret".into(),
        },
        timeout,
    )
    .expect("client");
    let e = robot
        .tags("sourcegraph/frontend")
        .await
        .expect_err("no such repository yet");
    assert!(
        e.to_string().contains("NAME_UNKNOWN") || e.to_string().contains("404"),
        "{e}"
    );
    let wrong = RegistryClient::new(
        &registry.url,
        RegistryAuth::Basic {
            username: "robot".into(),
            password: "nope".into(),
        },
        timeout,
    )
    .expect("client");
    let e = wrong
        .digest("sourcegraph/frontend", "3.22.0")
        .await
        .expect_err("401");
    let text = e.to_string();
    assert!(text.contains("401") && !text.contains("nope"), "{text}");
}

/// Registry lookups: one per repository however many pins name it, and at
/// most `concurrency` requests at once (reached, so they do overlap).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_are_one_per_repository_with_bounded_concurrency() {
    let registry = FakeRegistry::start(FakeRegistryOptions {
        delay: Some(std::time::Duration::from_millis(100)),
        ..Default::default()
    })
    .await
    .expect("registry");
    let names: Vec<String> = (0..8).map(|i| format!("sourcegraph/svc{i}")).collect();
    let mut files = Vec::new();
    for name in &names {
        registry.set_tags(
            name,
            &[
                ("3.22.0", &demo_digest(&format!("{name}-old"))),
                ("3.23.0", &demo_digest(&format!("{name}-new"))),
            ],
        );
        // Three manifests pin each image.
        for copy in 0..3 {
            let short = name.trim_start_matches("sourcegraph/");
            files.push((
                format!("base/{short}/{short}-{copy}.Deployment.yaml"),
                deployment(
                    short,
                    &pin(name, "3.22.0", &demo_digest(&format!("{name}-old"))),
                ),
            ));
        }
    }
    let refs: Vec<(&str, String)> = files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
    let repo = GitRepo::new(&refs);
    let text = format!(
        "[deploy]\nrepo = \"{}\"\nbranch = \"master\"\npaths = [\"base/**/*.yaml\"]\nconcurrency = 3\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{}\"\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n",
        repo.checkout.display(),
        registry.url
    );
    let cfg = Config::parse(&text, Path::new("lookups.toml")).unwrap_or_else(|e| panic!("{e}"));
    let deployer = Deployer::from_config(&cfg)
        .expect("deployer")
        .expect("configured");
    let scanned = deployer.scan().await.expect("scan");
    assert!(scanned.errors.is_empty(), "{:?}", scanned.errors);
    assert!(scanned.untracked.is_empty(), "{:?}", scanned.untracked);
    assert_eq!((scanned.files, scanned.pins.len()), (24, 24));
    let lookups = deployer.lookups(&scanned.pins).await;
    assert_eq!(lookups.len(), 8);
    assert!(
        lookups
            .values()
            .all(|l| l.as_ref().is_ok_and(|p| p.tag == "3.23.0")),
        "{lookups:?}"
    );
    let log = registry.requests();
    for name in &names {
        let tags = format!("GET /v2/{name}/tags/list?n=1000");
        let head = format!("HEAD /v2/{name}/manifests/3.23.0");
        assert_eq!(log.iter().filter(|r| **r == tags).count(), 1, "{log:#?}");
        assert_eq!(log.iter().filter(|r| **r == head).count(), 1, "{log:#?}");
    }
    assert_eq!(log.len(), 16, "{log:#?}");
    assert_eq!(registry.peak_in_flight(), 3, "concurrency = 3");
}
