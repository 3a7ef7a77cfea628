//! Tests against real git repositories in temporary directories.

use super::*;

const FRONTEND: &str = "base/frontend/frontend.Deployment.yaml";
const GITSERVER: &str = "base/gitserver/gitserver.StatefulSet.yaml";
const COMPOSE: &str = "docker-compose/docker-compose.yaml";
const BRANCH: &str = "opsdeck/bump-frontend-3.23.0";

/// Test-side git with a fixed identity and no signing; panics on failure.
async fn git(dir: &Path, args: &[&str]) -> String {
    let pre = [
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "commit.gpgsign=false",
    ];
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    let out = run(dir, &pre, &args, None).await.expect("git");
    String::from_utf8(out).expect("utf8").trim().to_owned()
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect("read")
}

fn owned(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    bare: PathBuf,
    work: PathBuf,
    repo: Repo,
}

/// A bare `origin` and a clone with manifests committed and pushed on master.
async fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (bare, work) = (tmp.path().join("remote.git"), tmp.path().join("work"));
    let init = ["-c", "init.defaultBranch=master", "init", "--quiet"];
    git(
        tmp.path(),
        &[&init[..], &["--bare", bare.to_str().expect("utf8")]].concat(),
    )
    .await;
    git(
        tmp.path(),
        &[&init[..], &[work.to_str().expect("utf8")]].concat(),
    )
    .await;
    for (k, v) in [
        ("user.name", "Fixture"),
        ("user.email", "fixture@example.com"),
        ("commit.gpgsign", "false"),
    ] {
        git(&work, &["config", k, v]).await;
    }
    write(&work, FRONTEND, b"image: frontend:3.22.0\n");
    write(&work, GITSERVER, b"image: gitserver:3.22.0\n");
    write(&work, COMPOSE, b"services: {}\n");
    write(&work, "README.md", b"# deploy\n");
    git(&work, &["add", "-A"]).await;
    git(&work, &["commit", "--quiet", "-m", "initial"]).await;
    git(
        &work,
        &["remote", "add", "origin", bare.to_str().expect("utf8")],
    )
    .await;
    git(&work, &["push", "--quiet", "-u", "origin", "master"]).await;
    let repo = Repo::open(&work).await.expect("open");
    Fixture {
        _tmp: tmp,
        bare,
        work,
        repo,
    }
}

#[tokio::test]
async fn open_finds_the_top_level_and_rejects_non_work_trees() {
    let f = fixture().await;
    assert_eq!(
        Repo::open(&f.work.join("base/frontend"))
            .await
            .expect("subdir")
            .path,
        f.repo.path
    );
    assert!(
        Repo::open(&f.bare).await.is_err(),
        "a bare repo has no work tree"
    );
    let err = Repo::open(&f.work.join("nope"))
        .await
        .expect_err("missing dir");
    assert!(
        err.message
            .starts_with("git rev-parse --show-toplevel failed: fatal: "),
        "{err}"
    );
}

#[tokio::test]
async fn files_at_reads_the_branch_not_the_working_tree() {
    let f = fixture().await;
    write(&f.work, FRONTEND, b"image: frontend:9.9.9\n");
    write(&f.work, "base/untracked.yaml", b"x: 1\n");
    let globs = [
        "base/**/*.yaml".to_owned(),
        "docker-compose/*.yaml".to_owned(),
    ];
    let expected = owned(&[
        (FRONTEND, "image: frontend:3.22.0\n"),
        (GITSERVER, "image: gitserver:3.22.0\n"),
        (COMPOSE, "services: {}\n"),
    ]);
    let mut expected = expected;
    expected.sort();
    for branch in ["master", "origin/master"] {
        assert_eq!(
            f.repo.files_at(branch, &globs).await.expect("files_at"),
            expected,
            "{branch}"
        );
    }
    // `*` stays within one directory; `.yml` is not `.yaml`.
    let none = ["base/*.yaml".to_owned(), "docker-compose/*.yml".to_owned()];
    assert_eq!(f.repo.files_at("master", &none).await, Ok(vec![]));
    let err = f
        .repo
        .files_at("no-such-branch", &globs)
        .await
        .expect_err("bad ref");
    assert!(
        err.message
            .starts_with("git ls-tree -r -z --full-tree no-such-branch failed: fatal: "),
        "{err}"
    );
    assert!(f.repo.files_at("master", &["[".to_owned()]).await.is_err());
}

#[tokio::test]
async fn files_at_skips_non_utf8_and_handles_many_files() {
    let f = fixture().await;
    write(&f.work, "base/binary.yaml", &[0xff, 0xfe, b'\n']);
    for i in 0..500 {
        write(
            &f.work,
            &format!("base/many/f{i:03}.yaml"),
            format!("n: {i}\n").as_bytes(),
        );
    }
    git(&f.work, &["add", "-A"]).await;
    git(&f.work, &["commit", "--quiet", "-m", "many"]).await;
    let start = std::time::Instant::now();
    let files = f
        .repo
        .files_at("master", &["base/**".to_owned()])
        .await
        .expect("files_at");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(
        files.len(),
        502,
        "500 + frontend + gitserver; the binary is skipped"
    );
    assert!(files.contains(&("base/many/f123.yaml".to_owned(), "n: 123\n".to_owned())));
    assert!(files.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
}

#[tokio::test]
async fn dirty_files_lists_changed_tracked_files_only() {
    let f = fixture().await;
    assert_eq!(f.repo.dirty_files().await, Ok(vec![]));
    write(&f.work, FRONTEND, b"changed\n");
    write(&f.work, "untracked.txt", b"new\n");
    assert_eq!(f.repo.dirty_files().await, Ok(vec![FRONTEND.to_owned()]));
    git(&f.work, &["mv", "README.md", "README2.md"]).await;
    let mut dirty = f.repo.dirty_files().await.expect("status");
    dirty.sort();
    assert_eq!(dirty, vec!["README2.md".to_owned(), FRONTEND.to_owned()]);
}

#[tokio::test]
async fn branch_exists_checks_local_and_remote_tracking_exactly() {
    let f = fixture().await;
    git(&f.work, &["branch", "local-only"]).await;
    git(&f.work, &["branch", "opsdeck/bump-x"]).await;
    git(
        &f.work,
        &["update-ref", "refs/remotes/origin/remote-only", "HEAD"],
    )
    .await;
    for (name, remote, expected) in [
        ("master", "origin", true),
        ("local-only", "origin", true),
        ("remote-only", "origin", true),
        ("remote-only", "", false),
        ("remote-only", "upstream", false),
        ("absent", "origin", false),
        ("opsdeck", "origin", false),
    ] {
        assert_eq!(
            f.repo.branch_exists(name, remote).await,
            Ok(expected),
            "{name} {remote}"
        );
    }
}

#[tokio::test]
async fn commit_on_new_branch_leaves_the_user_alone() {
    let f = fixture().await;
    write(&f.work, "README.md", b"dirty\n");
    let head = git(&f.work, &["rev-parse", "HEAD"]).await;
    let files = owned(&[
        (FRONTEND, "image: frontend:3.23.0\n"),
        ("base/new/x.yaml", "new: true\n"),
    ]);
    let sha = f
        .repo
        .commit_on_new_branch("origin/master", BRANCH, &files, "Bump frontend")
        .await
        .expect("commit");
    assert_eq!(git(&f.work, &["rev-parse", BRANCH]).await, sha);
    assert_eq!(git(&f.work, &["rev-parse", &format!("{sha}^")]).await, head);
    for (path, content) in &files {
        assert_eq!(
            git(&f.work, &["show", &format!("{BRANCH}:{path}")]).await,
            content.trim_end()
        );
    }
    assert_eq!(
        git(&f.work, &["show", &format!("{BRANCH}:{GITSERVER}")]).await,
        "image: gitserver:3.22.0"
    );
    let log = git(&f.work, &["log", "-1", "--format=%an <%ae>|%s", BRANCH]).await;
    assert_eq!(log, "Fixture <fixture@example.com>|Bump frontend");
    // The user's branch, HEAD, working tree and index are untouched.
    assert_eq!(
        git(&f.work, &["symbolic-ref", "--short", "HEAD"]).await,
        "master"
    );
    assert_eq!(git(&f.work, &["rev-parse", "HEAD"]).await, head);
    assert_eq!(read(&f.work, "README.md"), "dirty\n");
    assert_eq!(read(&f.work, FRONTEND), "image: frontend:3.22.0\n");
    assert!(!f.work.join("base/new").exists());
    assert_eq!(f.repo.dirty_files().await, Ok(vec!["README.md".to_owned()]));
    assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
    // No upstream was set up from origin/master.
    assert_eq!(
        f.repo.config_value(&format!("branch.{BRANCH}.merge")).await,
        Ok(String::new())
    );
    // An existing branch is refused and left as it was.
    let err = f
        .repo
        .commit_on_new_branch("master", BRANCH, &files, "again")
        .await
        .expect_err("exists");
    assert_eq!(err.message, format!("branch {BRANCH} already exists"));
    assert_eq!(git(&f.work, &["rev-parse", BRANCH]).await, sha);
}

#[tokio::test]
async fn failed_commits_leave_nothing_behind() {
    let f = fixture().await;
    let unchanged = owned(&[(FRONTEND, "image: frontend:3.22.0\n")]);
    let err = f
        .repo
        .commit_on_new_branch("master", BRANCH, &unchanged, "noop")
        .await
        .expect_err("no change");
    assert!(
        err.message.starts_with("git commit failed: ") && err.message.contains("nothing to commit"),
        "{err}"
    );
    let changed = owned(&[(FRONTEND, "x\n")]);
    let err = f
        .repo
        .commit_on_new_branch("no-such-base", BRANCH, &changed, "m")
        .await
        .expect_err("base");
    assert!(err.message.contains("git worktree add"), "{err}");
    for (branch, path) in [
        (BRANCH, "../evil.yaml"),
        (BRANCH, ".git/config"),
        ("bad..name", FRONTEND),
    ] {
        let files = owned(&[(path, "x\n")]);
        assert!(
            f.repo
                .commit_on_new_branch("master", branch, &files, "m")
                .await
                .is_err(),
            "{branch} {path}"
        );
    }
    // A committed symlink must not let a write escape the worktree.
    std::os::unix::fs::symlink(f.bare.as_path(), f.work.join("link")).expect("symlink");
    git(&f.work, &["add", "link"]).await;
    git(&f.work, &["commit", "--quiet", "-m", "link"]).await;
    let through = owned(&[("link/evil", "x\n")]);
    let err = f
        .repo
        .commit_on_new_branch("master", BRANCH, &through, "m")
        .await
        .expect_err("symlink");
    assert!(err.message.contains("symlink"), "{err}");
    assert!(!f.bare.join("evil").exists());
    assert_eq!(f.repo.branch_exists(BRANCH, "origin").await, Ok(false));
    assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
}

#[tokio::test]
async fn a_dropped_commit_cleans_up_after_itself() {
    let f = fixture().await;
    let dir = unique_temp_dir();
    git(
        &f.work,
        &[
            "worktree",
            "add",
            "--quiet",
            "-b",
            BRANCH,
            dir.to_str().expect("utf8"),
            "master",
        ],
    )
    .await;
    let guard = WorktreeGuard {
        repo: f.repo.path.clone(),
        dir: dir.clone(),
        branch: BRANCH.to_owned(),
        armed: true,
    };
    drop(guard);
    assert!(!dir.exists());
    assert_eq!(f.repo.branch_exists(BRANCH, "").await, Ok(false));
    assert_eq!(git(&f.work, &["worktree", "list"]).await.lines().count(), 1);
}

#[tokio::test]
async fn commits_fall_back_to_an_opsdeck_identity() {
    let f = fixture().await;
    git(&f.work, &["config", "user.name", ""]).await;
    git(&f.work, &["config", "user.email", ""]).await;
    let files = owned(&[(COMPOSE, "services: {a: {}}\n")]);
    f.repo
        .commit_on_new_branch("master", BRANCH, &files, "m")
        .await
        .expect("commit");
    let author = git(&f.work, &["log", "-1", "--format=%an <%ae>", BRANCH]).await;
    assert_eq!(author, "opsdeck <opsdeck@localhost>");
}

#[tokio::test]
async fn push_lands_the_branch_and_failures_say_why() {
    let f = fixture().await;
    let files = owned(&[(FRONTEND, "image: frontend:3.23.0\n")]);
    let sha = f
        .repo
        .commit_on_new_branch("origin/master", BRANCH, &files, "m")
        .await
        .expect("commit");
    f.repo.push("origin", BRANCH).await.expect("push");
    assert_eq!(git(&f.bare, &["rev-parse", BRANCH]).await, sha);
    assert_eq!(f.repo.branch_exists(BRANCH, "origin").await, Ok(true));

    let err = f
        .repo
        .push("nope", BRANCH)
        .await
        .expect_err("missing remote");
    let expected = format!(
        "git push nope {BRANCH} failed: fatal: 'nope' does not appear to be a git repository"
    );
    assert!(err.message.starts_with(&expected), "{err}");
    assert!(f.repo.push("--force", BRANCH).await.is_err());

    f.repo.delete_branch(BRANCH).await.expect("delete");
    assert_eq!(f.repo.branch_exists(BRANCH, "").await, Ok(false));
    assert!(f.repo.delete_branch(BRANCH).await.is_err());
}

#[tokio::test]
async fn bump_branch_names_are_valid_refs() {
    let name = |items: &[(&str, &str)]| bump_branch_name(&owned(items));
    assert_eq!(
        name(&[("index.docker.io/sourcegraph/frontend", "3.23.0")]),
        BRANCH
    );
    assert_eq!(
        name(&[("redis", "7.2"), ("redis", "7.2")]),
        "opsdeck/bump-redis-7.2"
    );
    assert_eq!(
        name(&[("a/b", "x..y~1^2:3?*[\\ @{z}.lock")]),
        "opsdeck/bump-b-x.-y-1-2-3------{z}-lock"
    );
    assert_eq!(name(&[("app", "1.")]), "opsdeck/bump-app-1-");
    let two = [("org/frontend", "3.23.0"), ("org/gitserver", "3.23.0")];
    let multi = name(&two);
    assert!(
        multi.starts_with("opsdeck/bump-2-images-") && multi.len() == 30,
        "{multi}"
    );
    assert_eq!(name(&[two[1], two[0]]), multi, "order does not matter");
    assert_ne!(name(&[("org/frontend", "3.23.1"), two[1]]), multi);
    let candidates = [
        name(&[("w", "..lock")]),
        name(&[("x/y", ".hidden.")]),
        name(&[("x/", "a\tb")]),
        multi,
    ];
    for candidate in candidates {
        let out = exec(
            &std::env::temp_dir(),
            &[],
            &argv!["check-ref-format", "--branch", candidate],
        )
        .await;
        assert!(
            out.expect("git").status.success(),
            "git refuses {candidate:?}"
        );
    }
}
