//! Bumps as reviewers want them: one branch and pull request per image
//! (`[deploy] bump = "per-image"`, `bump --per-image`), named for what they
//! do, and an existing bump found before the y/N — against the real
//! `docker-registry`, real git with a bare remote, and the GitHub-shaped
//! test server.

use std::path::Path;

use opsdeck::app::state::Overlay;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::git::{GitRepo, git};
use opsdeck_testkit::github::GithubFake;
use opsdeck_testkit::servers::DockerRegistry;

use crate::deploy_states::{config, config_file, config_text, deployment, message, pin};
use crate::support::{key, opsdeck_bin, press, push_images, until};

const GH_REPO: &str = "sourcegraph/deploy-sourcegraph";

/// Two images one version behind.
async fn two_behind(registry: &DockerRegistry) -> (GitRepo, Vec<String>) {
    let d = push_images(
        &registry.url,
        &[
            ("sourcegraph/frontend", "3.22.0", "fe-3.22.0"),
            ("sourcegraph/frontend", "3.23.0", "fe-3.23.0"),
            ("sourcegraph/gitserver", "3.22.0", "gs-3.22.0"),
            ("sourcegraph/gitserver", "3.23.0", "gs-3.23.0"),
        ],
    )
    .await;
    let repo = GitRepo::new(&[
        (
            "base/frontend/frontend.Deployment.yaml",
            deployment("frontend", &pin("sourcegraph/frontend", "3.22.0", &d[0])),
        ),
        (
            "base/gitserver/gitserver.StatefulSet.yaml",
            deployment("gitserver", &pin("sourcegraph/gitserver", "3.22.0", &d[2])),
        ),
    ]);
    (repo, d)
}

/// `[github]` at the fake and pull requests on, then `extra` in `[deploy]`.
fn with_github(repo: &Path, registry: &str, github: &str, extra: &str) -> String {
    let deploy = config_text(repo, registry, "").replacen(
        "[deploy]\n",
        &format!("[deploy]\npull_request = true\ngithub_repo = \"{GH_REPO}\"\n{extra}"),
        1,
    );
    format!(
        "[github]\napi_url = \"{github}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n{deploy}"
    )
}

/// Runs the binary off the async threads: (code, stdout, stderr).
async fn run(args: Vec<&'static str>, config: std::path::PathBuf) -> (Option<i32>, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = opsdeck_bin(&args, Some(&config));
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_image_makes_a_branch_and_pull_request_each_and_finds_them_next_time() {
    let registry = DockerRegistry::start();
    let github = GithubFake::start().await.expect("github");
    let (repo, d) = two_behind(&registry).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let text = with_github(
        &repo.checkout,
        &registry.url,
        &github.url,
        "bump = \"per-image\"\n",
    );
    let path = config_file(dir.path(), &text);

    let (code, stdout, stderr) = run(vec!["deploy", "bump", "--all", "--yes"], path.clone()).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    // One branch per image, named for what it does, each changing only its
    // image's file.
    let branches = git(
        &repo.bare,
        &["branch", "--list", "opsdeck/*", "--format=%(refname:short)"],
    );
    assert_eq!(
        branches,
        "opsdeck/bump-frontend-3.23.0\nopsdeck/bump-gitserver-3.23.0"
    );
    for (branch, file, image, old, new) in [
        (
            "opsdeck/bump-frontend-3.23.0",
            "base/frontend/frontend.Deployment.yaml",
            "sourcegraph/frontend",
            &d[0],
            &d[1],
        ),
        (
            "opsdeck/bump-gitserver-3.23.0",
            "base/gitserver/gitserver.StatefulSet.yaml",
            "sourcegraph/gitserver",
            &d[2],
            &d[3],
        ),
    ] {
        assert_eq!(
            git(&repo.bare, &["diff", "--name-only", "master", branch]),
            file
        );
        let name = image.rsplit('/').next().unwrap_or(image);
        let expected = deployment(name, &pin(image, "3.22.0", old))
            .replace(&pin(image, "3.22.0", old), &pin(image, "3.23.0", new));
        let committed = git(&repo.bare, &["show", &format!("{branch}:{file}")]);
        assert_eq!(format!("{committed}\n"), expected);
        assert_eq!(
            git(&repo.bare, &["log", "-1", "--format=%s", branch]),
            format!("{image}: 3.22.0 → 3.23.0")
        );
    }
    let pulls = github.pulls(GH_REPO);
    let heads: Vec<&str> = pulls.iter().filter_map(|p| p["head"].as_str()).collect();
    assert_eq!(
        heads,
        [
            "opsdeck/bump-frontend-3.23.0",
            "opsdeck/bump-gitserver-3.23.0"
        ]
    );
    assert_eq!(stdout.matches("/pull/").count(), 2, "{stdout}");

    // Again: both exist as open pull requests, found before anything is
    // asked or pushed; their links are printed and nothing else happens.
    let (code, stdout, stderr) = run(vec!["deploy", "bump", "--all", "--yes"], path.clone()).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("PR #1 already bumps sourcegraph/frontend to 3.23.0")
            && stderr.contains("PR #2 already bumps sourcegraph/gitserver to 3.23.0"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing to bump: it exists already"),
        "{stderr}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.contains("/pull/")).count(),
        2,
        "{stdout}"
    );
    assert_eq!(
        github.pulls(GH_REPO).len(),
        2,
        "no pull request was asked for"
    );

    // gitserver's pull request closed without merging: its branch lingers.
    // That is not a bump done: named, with how to redo it, and exit 1.
    let closed = reqwest::Client::new()
        .patch(format!("{}/repos/{GH_REPO}/issues/2", github.url))
        .json(&serde_json::json!({ "state": "closed" }))
        .send()
        .await
        .expect("close");
    assert!(closed.status().is_success());
    let (code, stdout, stderr) = run(vec!["deploy", "bump", "--all", "--yes"], path.clone()).await;
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "branch opsdeck/bump-gitserver-3.23.0 already exists on origin with no open pull \
             request: it bumps sourcegraph/gitserver to 3.23.0; delete it to bump again"
        ),
        "{stderr}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.contains("/pull/")).count(),
        1,
        "{stdout}"
    );
    assert_eq!(github.pulls(GH_REPO).len(), 2);

    // --grouped overrides the config: one plan for both, its own branch.
    let (code, stdout, stderr) = run(
        vec!["deploy", "bump", "--all", "--grouped", "--dry-run"],
        path,
    )
    .await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("branch opsdeck/bump-2-images-"), "{stderr}");
    assert_eq!(stdout.matches("+++ b/").count(), 2, "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_asks_once_for_per_image_bumps_and_leaves_an_existing_branch_alone() {
    let registry = DockerRegistry::start();
    let (repo, _) = two_behind(&registry).await;
    // gitserver's bump branch is on the remote already (no pull requests
    // configured): it is left alone and said so.
    git(
        &repo.checkout,
        &["branch", "opsdeck/bump-gitserver-3.23.0", "master"],
    );
    git(
        &repo.checkout,
        &["push", "-q", "origin", "opsdeck/bump-gitserver-3.23.0"],
    );
    git(
        &repo.checkout,
        &["branch", "-D", "opsdeck/bump-gitserver-3.23.0"],
    );
    git(&repo.checkout, &["fetch", "-q", "--prune", "origin"]);
    let text = config_text(&repo.checkout, &registry.url, "").replacen(
        "[deploy]\n",
        "[deploy]\nbump = \"per-image\"\n",
        1,
    );
    let cfg = opsdeck::config::Config::parse(&text, Path::new("bumps.toml")).expect("config");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 20, "the deploy view", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    press(&mut rt, [key('3'), key('B')]).await;
    until(&mut rt, 20, "the question", |s| {
        matches!(s.overlays.last(), Some(Overlay::Confirm(_)))
    })
    .await;
    let Some(Overlay::Confirm(c)) = rt.state.overlays.last() else {
        unreachable!()
    };
    assert_eq!(c.question, "Bump sourcegraph/frontend 3.22.0 → 3.23.0?");
    assert!(
        c.details.iter().any(|l| l
            == "left alone: branch opsdeck/bump-gitserver-3.23.0 already exists on origin with \
                no open pull request: it bumps sourcegraph/gitserver to 3.23.0; delete it to bump again"),
        "{:#?}",
        c.details
    );
    assert!(
        !c.details
            .iter()
            .any(|l| l.contains("gitserver.StatefulSet")),
        "{:#?}",
        c.details
    );
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 30, "the bump", |s| {
        s.deploy.busy.is_none() && s.deploy.last_bump.is_some()
    })
    .await;
    assert_eq!(
        git(
            &repo.bare,
            &["branch", "--list", "opsdeck/*", "--format=%(refname:short)"]
        ),
        "opsdeck/bump-frontend-3.23.0\nopsdeck/bump-gitserver-3.23.0"
    );
    // The existing branch was not touched: it still points at master.
    assert_eq!(
        git(&repo.bare, &["rev-parse", "opsdeck/bump-gitserver-3.23.0"]),
        git(&repo.bare, &["rev-parse", "master"])
    );

    // Grouped (the default), b on frontend: its one-image branch is the
    // per-image one just pushed, so nothing is asked and it says why.
    let cfg2 = config(&repo.checkout, &registry.url, "");
    let mut rt2 = Runtime::start(&cfg2, false).expect("runtime");
    until(&mut rt2, 20, "the deploy view", |s| {
        s.deploy.snapshot.is_some()
    })
    .await;
    press(&mut rt2, [key('3'), key('b')]).await;
    until(&mut rt2, 20, "the answer", |s| {
        s.deploy.busy.is_none() && message(s).contains("nothing")
    })
    .await;
    assert_eq!(
        message(&rt2.state),
        "nothing to bump: branch opsdeck/bump-frontend-3.23.0 already exists on origin with no \
         open pull request: it bumps sourcegraph/frontend to 3.23.0; delete it to bump again"
    );
    assert!(rt2.state.overlays.is_empty(), "no question is asked");
}
