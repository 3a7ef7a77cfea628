//! Commands proposed by the tracking issue itself — fenced blocks and inline
//! code — run headless against the GitHub-shaped test server, in a real git
//! checkout with a bare `origin`: sequences run in order and stop at the
//! first failure, `N=…` reaches only listed names, shell syntax is refused
//! unless `release.allow.shell` allows it, text blocks are copied, not run.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crossterm::event::KeyCode;
use opsdeck::app::Effect;
use opsdeck::app::panes::release::state::OutputKind;
use opsdeck::app::state::{Overlay, State};
use opsdeck::config::Config;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::git::{GitRepo, git};
use opsdeck_testkit::github::{GithubFake, IssueSeed};

use crate::support::{code, key, press, until};

const REPO: &str = "sourcegraph/sourcegraph";

/// Shaped like Sourcegraph's tracking issues since late 2020: commands in
/// fenced blocks under the item, headings with dates, a message to paste.
const BODY: &str = r#"This release is scheduled for **December 20, 2020**.

## Cut release (3 working days before release, December 17, 2020)

- [ ] Create the `3.23` branch off the CHANGELOG commit and push it:
  ```sh
  git branch 3.23 && git push origin 3.23
  ```
- [ ] Create and tag the first release candidate:
  ```sh
  N=1; ./dev/release/rc.sh $N
  ```
- [ ] Verify the candidate, then tag it:
  ```sh
  # stops at the first failure
  ./dev/release/verify.sh
  ./dev/release/rc.sh 2
  ```
- [ ] Post a release status update to Slack - review all release-blocking issues.
  ```text
  :rocket: 3.23.0-rc.1 is out! Please test it and report blockers in #dev-chat.
  ```
- [ ] Save the status for the record: `./dev/release/rc.sh status | tee status.txt`
- [ ] Build with a patched loader:
  ```sh
  LD_PRELOAD=/tmp/evil.so ./dev/release/rc.sh 3
  ```
"#;

struct Setup {
    fake: GithubFake,
    repo: GitRepo,
    rt: Runtime,
}

async fn setup(allow: &str) -> Setup {
    let fake = GithubFake::start().await.expect("fake");
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(16108),
        title: "3.23 release tracking issue".into(),
        body: BODY.into(),
        state: "open".into(),
        ..IssueSeed::default()
    });
    let repo = GitRepo::new(&[("CHANGELOG.md", "# Changelog\n".into())]);
    let scripts = repo.checkout.join("dev/release");
    std::fs::create_dir_all(&scripts).expect("mkdir");
    for (name, text) in [
        // Records its argument and $N, one line per run.
        (
            "rc.sh",
            "#!/bin/sh\necho \"rc $1 N=$N\"\necho \"$1 $N\" >> ran.txt\n",
        ),
        (
            "verify.sh",
            "#!/bin/sh\necho 'verifying…'\necho 'smoke test failed' >&2\nexit 4\n",
        ),
    ] {
        let path = scripts.join(name);
        std::fs::write(&path, text).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let text = format!(
        "[alerts]\nrefresh = \"1h\"\n\n[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n\
         [release]\nrepo = \"{REPO}\"\nissue = 16108\nrefresh = \"1h\"\ncwd = \"{}\"\nlog_dir = \"{}\"\n\
         [release.allow]\n{allow}\n",
        fake.url,
        repo.checkout.display(),
        std::env::temp_dir().join("opsdeck-test-runs").display(),
    );
    let cfg = Config::parse(&text, Path::new("commands.toml")).unwrap_or_else(|e| panic!("{e}"));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    rt.dispatch(opsdeck::app::Action::Command(
        opsdeck::app::keymap::Command::ViewRelease,
    ));
    until(&mut rt, 15, "the checklist", |s| s.release.doc.is_some()).await;
    Setup { fake, repo, rt }
}

const ALLOW: &str =
    "commands = [\"git branch \", \"git push origin \", \"./dev/release/\"]\nenv = [\"N\"]";

fn select(rt: &mut Runtime, text: &str) -> String {
    let doc = rt.state.release.doc.as_ref().expect("loaded");
    let idx = doc
        .checklist
        .steps
        .iter()
        .position(|s| s.text.starts_with(text))
        .unwrap_or_else(|| panic!("no step {text:?}"));
    rt.state.release.cursor = idx;
    doc.checklist.steps[idx].id.clone()
}

fn message(s: &State) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn confirm_details(s: &State) -> Vec<String> {
    match s.overlays.last() {
        Some(Overlay::Confirm(c)) => c.details.clone(),
        other => panic!("no confirmation: {other:?}"),
    }
}

async fn run_to_end(rt: &mut Runtime) {
    press(rt, [key('y')]).await;
    until(rt, 15, "the run's end", |s| {
        s.release.run.as_ref().is_some_and(|r| !r.running())
    })
    .await;
}

fn output(s: &State) -> Vec<(OutputKind, String)> {
    s.release
        .run
        .as_ref()
        .map(|r| r.lines.clone())
        .unwrap_or_default()
}

fn ran(repo: &GitRepo) -> String {
    std::fs::read_to_string(repo.checkout.join("ran.txt")).unwrap_or_default()
}

fn ticked(fake: &GithubFake, text: &str) -> bool {
    let body = fake.issue_body(REPO, 16108).expect("issue");
    body.contains(&format!("- [x] {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fenced_sequence_runs_each_command_in_order_and_ticks() {
    let Setup { fake, repo, mut rt } = setup(ALLOW).await;
    select(&mut rt, "Create the 3.23 branch");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let details = confirm_details(&rt.state);
    assert_eq!(details[0], "$ git branch 3.23");
    assert_eq!(details[1], "$ git push origin 3.23");
    assert!(
        details
            .contains(&"2 commands, in order; the run stops at the first that fails".to_string()),
        "{details:?}"
    );
    run_to_end(&mut rt).await;
    let run = rt.state.release.run.as_ref().expect("run");
    assert_eq!(run.exit, Some((Some(0), None)), "{:?}", output(&rt.state));
    let commands: Vec<&str> = run
        .lines
        .iter()
        .filter(|(k, _)| *k == OutputKind::Command)
        .map(|(_, l)| l.as_str())
        .collect();
    assert_eq!(commands, ["git branch 3.23", "git push origin 3.23"]);
    // Real git did both: the branch exists on the bare remote.
    let head = git(&repo.checkout, &["rev-parse", "master"]);
    assert_eq!(git(&repo.bare, &["rev-parse", "3.23"]), head);
    until(&mut rt, 10, "the tick", |_| {
        ticked(&fake, "Create the `3.23` branch")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn n_assignments_expand_and_a_failure_stops_the_sequence_unticked() {
    let Setup { fake, repo, mut rt } = setup(ALLOW).await;
    select(&mut rt, "Create and tag the first release candidate");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let details = confirm_details(&rt.state);
    assert_eq!(details[0], "$ N=1 (for the commands after)");
    assert_eq!(details[1], "$ ./dev/release/rc.sh 1");
    run_to_end(&mut rt).await;
    assert_eq!(ran(&repo), "1 1\n", "argument and environment");

    select(&mut rt, "Verify the candidate");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    run_to_end(&mut rt).await;
    let run = rt.state.release.run.as_ref().expect("run");
    assert_eq!(run.exit, Some((Some(4), None)));
    assert!(
        output(&rt.state).contains(&(OutputKind::Stderr, "smoke test failed".into())),
        "{:?}",
        output(&rt.state)
    );
    assert_eq!(ran(&repo), "1 1\n", "rc.sh 2 never ran after the failure");
    assert!(
        message(&rt.state).contains("exited with code 4"),
        "{}",
        message(&rt.state)
    );
    assert!(!ticked(&fake, "Verify the candidate"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipe_and_an_unlisted_variable_are_refused_and_never_run() {
    let Setup { repo, mut rt, .. } = setup(ALLOW).await;
    select(&mut rt, "Save the status for the record");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    assert!(rt.state.overlays.is_empty(), "no y/N for a refused command");
    assert!(
        message(&rt.state).contains("needs a shell (a `|` pipe)"),
        "{}",
        message(&rt.state)
    );
    select(&mut rt, "Build with a patched loader");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    assert!(rt.state.overlays.is_empty());
    assert!(
        message(&rt.state).contains("it sets LD_PRELOAD, which release.allow.env does not list"),
        "{}",
        message(&rt.state)
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(ran(&repo), "", "nothing ran");
    assert!(!repo.checkout.join("status.txt").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_allowed_script_runs_with_sh_after_showing_it() {
    let allow = format!("{ALLOW}\nshell = [\"./dev/release/rc.sh \", \"tee \"]");
    let Setup { repo, mut rt, .. } = setup(&allow).await;
    select(&mut rt, "Save the status for the record");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    let details = confirm_details(&rt.state);
    assert_eq!(
        &details[..2],
        [
            "sh -c with this exact script:".to_string(),
            "  ./dev/release/rc.sh status | tee status.txt".into()
        ]
    );
    run_to_end(&mut rt).await;
    assert_eq!(
        std::fs::read_to_string(repo.checkout.join("status.txt")).expect("tee wrote"),
        "rc status N=\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_block_is_copied_not_run() {
    let Setup { mut rt, .. } = setup(ALLOW).await;
    select(&mut rt, "Post a release status update");
    let effects = opsdeck::app::update(&mut rt.state, key('y'));
    assert_eq!(
        effects,
        [Effect::Copy(
            ":rocket: 3.23.0-rc.1 is out! Please test it and report blockers in #dev-chat.\n"
                .into()
        )]
    );
    let effects = opsdeck::app::update(&mut rt.state, code(KeyCode::Enter));
    assert!(effects.is_empty());
    assert_eq!(
        message(&rt.state),
        "no command for this step: its block is text to copy (y copies it)"
    );
}
