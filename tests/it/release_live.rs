//! The release view driven headless against the GitHub-shaped test server
//! (full, realistic JSON; reached through `github.api_url` like GitHub
//! Enterprise), and the `opsdeck release` CLI.

use std::path::Path;
use std::time::Duration;

use crossterm::event::KeyCode;
use opsdeck::app::state::{Overlay, State, View};
use opsdeck::config::Config;
use opsdeck::runtime::Runtime;
use opsdeck_testkit::github::{Fault, GithubFake, IssueSeed};

use crate::support::{code, key, press, until};

const REPO: &str = "sourcegraph/sourcegraph";

const BODY: &str = "Tracking the 3.23 release. See the [handbook](https://about.sourcegraph.com/handbook).\n\
\n\
## Setup\n\
\n\
- [x] Confirm the release captain\n\
- [ ] Check status: `yarn release release:status`\n\
\n\
## Prepare release\n\
\n\
- [ ] Create release candidate: `yarn release release:create-candidate 1`\n\
- [ ] Run the smoke tests `touch MARKER`\n\
- [ ] Announce the freeze\n\
\n\
<!-- Do not edit below this line -->\n";

fn seed(fake: &GithubFake, number: u64, body: &str) {
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(number),
        title: "3.23 release tracking issue".into(),
        body: body.into(),
        labels: vec!["release-tracking".into()],
        milestone: Some("3.23".into()),
        state: "open".into(),
        assignee: Some("alice".into()),
        ..IssueSeed::default()
    });
}

fn release_config(api: &str, release: &str) -> Config {
    let text = format!(
        "[alerts]\nrefresh = \"1h\"\n\n[github]\napi_url = \"{api}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n[release]\nrepo = \"{REPO}\"\nrefresh = \"1h\"\nstop_grace = \"300ms\"\nlog_dir = \"{}\"\n{release}\n",
        std::env::temp_dir().join("opsdeck-test-runs").display()
    );
    Config::parse(&text, Path::new("release-test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

async fn loaded(cfg: &Config) -> Runtime {
    let mut rt = Runtime::start(cfg, false).expect("runtime");
    rt.dispatch(opsdeck::app::Action::Command(
        opsdeck::app::keymap::Command::ViewRelease,
    ));
    until(&mut rt, 15, "the checklist", |s| s.release.doc.is_some()).await;
    rt
}

fn message(s: &State) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Puts the cursor on the step whose text starts with `text`; returns its id.
fn select(rt: &mut Runtime, text: &str) -> String {
    let doc = rt.state.release.doc.as_ref().expect("loaded");
    let idx = doc
        .checklist
        .steps
        .iter()
        .position(|s| s.text.starts_with(text))
        .unwrap_or_else(|| panic!("no step {text:?}"));
    let id = doc.checklist.steps[idx].id.clone();
    rt.state.release.cursor = idx;
    id
}

fn patches(fake: &GithubFake) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_by_number_shows_progress_and_starts_on_the_first_open_step() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    let cfg = release_config(&fake.url, "issue = 16108");
    let rt = loaded(&cfg).await;
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert_eq!(doc.number, Some(16108));
    assert_eq!(doc.title, "3.23 release tracking issue");
    assert_eq!(doc.milestone.as_deref(), Some("3.23"));
    assert_eq!(doc.assignee.as_deref(), Some("alice"));
    assert_eq!(doc.checklist.progress(), (1, 5));
    assert_eq!(doc.checklist.section_progress(0), (1, 2));
    let cursor = &doc.checklist.steps[rt.state.release.cursor];
    assert_eq!(cursor.text, "Check status: yarn release release:status");
    assert_eq!(rt.state.view, View::Release);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_the_newest_open_issue_by_label_and_milestone_and_counts_blockers() {
    let fake = GithubFake::start().await.expect("fake");
    let old = chrono::Utc::now() - chrono::TimeDelta::days(30);
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(15000),
        title: "3.22 release tracking issue".into(),
        body: "- [ ] old".into(),
        labels: vec!["release-tracking".into()],
        milestone: Some("3.22".into()),
        created_at: Some(old),
        ..IssueSeed::default()
    });
    seed(&fake, 16108, BODY);
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(16200),
        title: "Unrelated".into(),
        labels: vec!["bug".into()],
        milestone: Some("3.23".into()),
        ..IssueSeed::default()
    });
    for n in [16190, 16191] {
        fake.add_issue(IssueSeed {
            repo: REPO.into(),
            number: Some(n),
            title: format!("blocker {n}"),
            labels: vec!["release-blocker".into()],
            milestone: Some("3.23".into()),
            ..IssueSeed::default()
        });
    }
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(16192),
        title: "closed blocker".into(),
        labels: vec!["release-blocker".into()],
        milestone: Some("3.23".into()),
        state: "closed".into(),
        ..IssueSeed::default()
    });
    let cfg = release_config(
        &fake.url,
        "label = \"release-tracking\"\nmilestone = \"3.23\"",
    );
    let rt = loaded(&cfg).await;
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert_eq!(doc.number, Some(16108));
    assert_eq!(doc.blockers, Some(2), "two open blockers in 3.23");

    // Without the milestone, the newest open one still wins.
    let cfg = release_config(&fake.url, "label = \"release-tracking\"");
    let rt = loaded(&cfg).await;
    assert_eq!(
        rt.state.release.doc.as_ref().and_then(|d| d.number),
        Some(16108)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_and_untick_with_space_keeping_someone_elses_edits() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    let cfg = release_config(&fake.url, "issue = 16108");
    let mut rt = loaded(&cfg).await;
    select(&mut rt, "Announce the freeze");

    // Someone else ticks another step and edits a line after we loaded.
    let theirs = BODY
        .replace("- [ ] Check status", "- [x] Check status")
        .replace(
            "Announce the freeze",
            "Announce the freeze in #dev-announce",
        );
    fake.set_issue_body(REPO, 16108, &theirs);
    // Their text change renames our step's id: the tick is refused, nothing is written.
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the refusal", |s| s.release.pending.is_none()).await;
    assert!(
        message(&rt.state).contains("not changed"),
        "{}",
        message(&rt.state)
    );
    assert_eq!(
        fake.issue_body(REPO, 16108).as_deref(),
        Some(theirs.as_str())
    );
    assert_eq!(patches(&fake), 0);

    // The refusal reloaded the issue; tick a step whose text they did not change.
    until(&mut rt, 10, "their edit loaded", |s| {
        s.release
            .doc
            .as_ref()
            .is_some_and(|d| d.checklist.progress() == (2, 5))
    })
    .await;
    select(&mut rt, "Run the smoke tests");
    let mut third = theirs.replace(
        "Tracking the 3.23 release.",
        "Tracking the 3.23 release (edited).",
    );
    fake.set_issue_body(REPO, 16108, &third);
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the tick", |s| s.release.pending.is_none()).await;
    third = third.replace("- [ ] Run the smoke tests", "- [x] Run the smoke tests");
    assert_eq!(
        fake.issue_body(REPO, 16108).as_deref(),
        Some(third.as_str()),
        "exactly our checkbox changed; their tick, their text edits survive"
    );
    assert_eq!(patches(&fake), 1);
    assert!(
        message(&rt.state).starts_with("ticked"),
        "{}",
        message(&rt.state)
    );

    // x unticks it again.
    press(&mut rt, [key('x')]).await;
    until(&mut rt, 10, "the untick", |s| s.release.pending.is_none()).await;
    let fourth = third.replace("- [x] Run the smoke tests", "- [ ] Run the smoke tests");
    assert_eq!(
        fake.issue_body(REPO, 16108).as_deref(),
        Some(fourth.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vanished_step_is_refused_and_nothing_is_written() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    let cfg = release_config(&fake.url, "issue = 16108");
    let mut rt = loaded(&cfg).await;
    let id = select(&mut rt, "Announce the freeze");
    let without = BODY.replace("- [ ] Announce the freeze\n", "");
    fake.set_issue_body(REPO, 16108, &without);
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the refusal", |s| s.release.pending.is_none()).await;
    let m = message(&rt.state);
    assert!(m.contains(&id) && m.contains("no longer"), "{m}");
    assert_eq!(
        fake.issue_body(REPO, 16108).as_deref(),
        Some(without.as_str())
    );
    assert_eq!(patches(&fake), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_errors_are_clear_and_writes_are_never_retried() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);

    // 404: a missing issue.
    let cfg = release_config(&fake.url, "issue = 999");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 10, "a 404", |s| {
        s.sources.iter().any(|x| x.error.is_some())
    })
    .await;
    let err = rt
        .state
        .sources
        .iter()
        .find_map(|x| x.error.clone())
        .unwrap_or_default();
    assert!(
        err.contains("404") && err.contains("sourcegraph/sourcegraph#999"),
        "{err}"
    );

    // 401: the server wants a token we do not have.
    fake.require_token(Some("right"));
    let cfg = release_config(&fake.url, "issue = 16108");
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 10, "a 401", |s| {
        s.sources.iter().any(|x| x.error.is_some())
    })
    .await;
    let err = rt
        .state
        .sources
        .iter()
        .find_map(|x| x.error.clone())
        .unwrap_or_default();
    assert!(err.contains("401") && err.contains("token"), "{err}");
    fake.require_token(None);

    // 5xx on a read: shown, and the next refresh recovers.
    fake.fail_next(Fault::status(Some("GET"), "/issues/16108", 502));
    let mut rt = Runtime::start(&cfg, false).expect("runtime");
    until(&mut rt, 10, "a 502", |s| {
        s.sources.iter().any(|x| x.error.is_some())
    })
    .await;
    let err = rt
        .state
        .sources
        .iter()
        .find_map(|x| x.error.clone())
        .unwrap_or_default();
    assert!(err.contains("server error 502"), "{err}");
    press(&mut rt, [key('r')]).await;
    until(&mut rt, 10, "recovery", |s| {
        s.release.doc.is_some() && s.sources.iter().all(|x| x.error.is_none())
    })
    .await;

    // 422 on the PATCH: the error names GitHub's reason; one PATCH only.
    rt.dispatch(opsdeck::app::Action::Command(
        opsdeck::app::keymap::Command::ViewRelease,
    ));
    fake.fail_next(Fault::status(Some("PATCH"), "/issues/16108", 422));
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the 422", |s| s.release.pending.is_none()).await;
    let m = message(&rt.state);
    assert!(m.contains("422") && m.contains("body is too long"), "{m}");
    // A 5xx on the PATCH is not retried either.
    fake.fail_next(Fault::status(Some("PATCH"), "/issues/16108", 503));
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the 503", |s| s.release.pending.is_none()).await;
    assert!(message(&rt.state).contains("503"), "{}", message(&rt.state));
    assert_eq!(patches(&fake), 2, "each failed write was sent exactly once");
    assert_eq!(fake.issue_body(REPO, 16108).as_deref(), Some(BODY));

    // Rate limited far into the future: a clear error with the reset time.
    fake.fail_next(Fault::rate_limited(
        Some("GET"),
        "/issues/16108",
        None,
        3600,
    ));
    press(&mut rt, [key('r')]).await;
    until(&mut rt, 10, "the rate limit", |s| {
        s.sources.iter().any(|x| x.error.is_some())
    })
    .await;
    let err = rt
        .state
        .sources
        .iter()
        .find_map(|x| x.error.clone())
        .unwrap_or_default();
    assert!(
        err.contains("rate limit") && err.contains("resets at"),
        "{err}"
    );

    // Rate limited with retry-after: 1 — the read waits and succeeds.
    fake.fail_next(Fault::rate_limited(
        Some("GET"),
        "/issues/16108",
        Some(1),
        1,
    ));
    press(&mut rt, [key('r')]).await;
    until(&mut rt, 10, "the read after waiting", |s| {
        s.sources.iter().all(|x| x.error.is_none()) && !s.sources.iter().any(|x| x.fetching)
    })
    .await;
    let gets = fake
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/issues/16108"))
        .count();
    assert!(gets >= 2, "the rate-limited read was retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_comments_name_the_step_and_the_user() {
    let fake = GithubFake::start().await.expect("fake");
    fake.set_user("release-bot");
    seed(&fake, 16108, BODY);
    let cfg = release_config(&fake.url, "issue = 16108\naudit_comments = true");
    let mut rt = loaded(&cfg).await;
    select(&mut rt, "Announce the freeze");
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the tick", |s| s.release.pending.is_none()).await;
    assert_eq!(
        fake.comments(REPO, 16108),
        ["ticked Announce the freeze — release-bot via opsdeck"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_command_streams_output_and_ticks_a_failing_one_does_not() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    let cfg = release_config(
        &fake.url,
        "issue = 16108\n\
         [[release.step]]\nmatch = \"create release candidate\"\nrun = [\"sh\", \"-c\", \"echo candidate {rc}; echo warning >&2\"]\n\
         [[release.step]]\nmatch = \"announce\"\nrun = [\"sh\", \"-c\", \"echo announcing; exit 3\"]\n",
    );
    let mut rt = loaded(&cfg).await;
    let candidate = select(&mut rt, "Create release candidate");
    // Enter: the placeholder is asked for, then y/N (default No).
    press(&mut rt, [code(KeyCode::Enter)]).await;
    assert!(matches!(rt.state.overlays.last(), Some(Overlay::Prompt(_))));
    press(&mut rt, [key('2'), code(KeyCode::Enter)]).await;
    match rt.state.overlays.last() {
        Some(Overlay::Confirm(c)) => {
            assert!(
                c.details
                    .iter()
                    .any(|d| d == "$ sh -c 'echo candidate 2; echo warning >&2'"),
                "{:?}",
                c.details
            );
        }
        other => panic!("expected the confirmation, got {other:?}"),
    }
    press(&mut rt, [key('y')]).await;
    until(&mut rt, 10, "the command ticked its step", |s| {
        s.release.pending.is_none()
            && s.release
                .doc
                .as_ref()
                .is_some_and(|d| d.checklist.step(&candidate).is_some_and(|st| st.done))
    })
    .await;
    let run = rt.state.release.run.as_ref().expect("run");
    let lines: Vec<&str> = run.lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(
        lines.contains(&"candidate 2") && lines.contains(&"warning"),
        "{lines:?}"
    );
    assert_eq!(run.exit, Some((Some(0), None)));
    let log = std::fs::read_to_string(&run.log_path).expect("log file");
    assert!(log.contains("candidate 2"), "{log}");
    assert!(
        fake.issue_body(REPO, 16108)
            .is_some_and(|b| b.contains("- [x] Create release candidate"))
    );
    // The cursor moved to the next open step.
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert_eq!(
        doc.checklist.steps[rt.state.release.cursor].text,
        "Run the smoke tests touch MARKER"
    );

    // A failing command: exit code shown, nothing ticked.
    select(&mut rt, "Announce the freeze");
    let before = patches(&fake);
    press(&mut rt, [code(KeyCode::Enter), key('y')]).await;
    until(&mut rt, 10, "the failure", |s| {
        s.release.run.as_ref().is_some_and(|r| r.exit.is_some())
    })
    .await;
    assert!(
        message(&rt.state).contains("exited with code 3"),
        "{}",
        message(&rt.state)
    );
    assert_eq!(patches(&fake), before, "nothing ticked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disallowed_inline_command_is_refused_and_never_executed() {
    let fake = GithubFake::start().await.expect("fake");
    let dir = tempfile::tempdir().expect("tempdir");
    seed(&fake, 16108, BODY);
    let cfg = release_config(
        &fake.url,
        &format!(
            "issue = 16108\ncwd = \"{}\"\n[release.allow]\ninline = [\"yarn release \"]\n",
            dir.path().display()
        ),
    );
    let mut rt = loaded(&cfg).await;
    select(&mut rt, "Run the smoke tests");
    press(&mut rt, [code(KeyCode::Enter)]).await;
    assert!(
        rt.state.overlays.is_empty(),
        "no confirmation for a refused command"
    );
    let m = message(&rt.state);
    assert!(m.contains("not run") && m.contains("touch MARKER"), "{m}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!dir.path().join("MARKER").exists(), "the command never ran");
    assert!(rt.state.release.run.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_a_running_command() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    let cfg = release_config(
        &fake.url,
        "issue = 16108\n[[release.step]]\nmatch = \"announce\"\nrun = [\"sh\", \"-c\", \"echo started; sleep 30\"]\n",
    );
    let mut rt = loaded(&cfg).await;
    select(&mut rt, "Announce the freeze");
    press(&mut rt, [code(KeyCode::Enter), key('y')]).await;
    until(&mut rt, 10, "output", |s| {
        s.release.run.as_ref().is_some_and(|r| !r.lines.is_empty())
    })
    .await;
    press(&mut rt, [crate::support::ctrl('c')]).await;
    assert!(
        !rt.state.quit,
        "the first ctrl-c stops the command, not opsdeck"
    );
    until(&mut rt, 10, "the stop", |s| {
        s.release.run.as_ref().is_some_and(|r| r.exit.is_some())
    })
    .await;
    assert_eq!(
        rt.state.release.run.as_ref().and_then(|r| r.exit),
        Some((None, Some(15)))
    );
    assert!(
        message(&rt.state).contains("stopped by SIGTERM"),
        "{}",
        message(&rt.state)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_lists_what_the_blocker_search_finds_and_a_failed_search_is_a_warning() {
    let fake = GithubFake::start().await.expect("fake");
    seed(&fake, 16108, BODY);
    for (n, milestone) in [(16190, Some("3.23")), (16178, None)] {
        fake.add_issue(IssueSeed {
            repo: REPO.into(),
            number: Some(n),
            title: format!("blocker {n}"),
            labels: vec!["release-blocker".into()],
            milestone: milestone.map(str::to_string),
            assignee: Some("carol".into()),
            ..IssueSeed::default()
        });
    }
    let cfg = release_config(&fake.url, "issue = 16108");
    let mut rt = loaded(&cfg).await;
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert_eq!(doc.blockers, Some(2), "the default query counts #16178 too");
    press(&mut rt, [key('b'), key('j')]).await;
    match rt.state.overlays.last() {
        Some(Overlay::Blockers(list)) => assert_eq!(list.cursor, 1),
        other => panic!("expected the blocker list, got {other:?}"),
    }
    let listed: Vec<u64> = opsdeck::app::overlays::blockers::items(&rt.state)
        .iter()
        .map(|b| b.number)
        .collect();
    assert_eq!(listed, [16190, 16178]);
    press(&mut rt, [code(KeyCode::Esc)]).await;
    assert!(rt.state.overlays.is_empty());

    // The search fails on the next refresh: the checklist still loads, the
    // count is unknown and the warning is kept on the checklist.
    fake.fail_next(Fault::status(Some("GET"), "/search/issues", 503));
    fake.set_issue_body(
        REPO,
        16108,
        &BODY.replace("- [ ] Announce", "- [x] Announce"),
    );
    press(&mut rt, [key('r')]).await;
    until(&mut rt, 10, "the reload", |s| {
        s.release
            .doc
            .as_ref()
            .is_some_and(|d| d.checklist.progress() == (2, 5))
    })
    .await;
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert_eq!((doc.blockers, doc.blocker_issues.as_ref()), (None, None));
    assert!(
        doc.warnings
            .iter()
            .any(|w| w.starts_with("blockers unknown") && w.contains("503")),
        "{:?}",
        doc.warnings
    );
    assert!(
        rt.state.sources.iter().all(|s| s.error.is_none()),
        "the load itself succeeded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_states_load_with_the_checklist_and_a_tick_keeps_them() {
    use opsdeck_testkit::github::{CheckSeed, PullSeed};
    let fake = GithubFake::start().await.expect("fake");
    fake.add_pull(PullSeed {
        repo: REPO.into(),
        number: Some(16201),
        title: "search: cap zoekt merge memory".into(),
        head: "zoekt-merge-memory".into(),
        state: "merged".into(),
        ..PullSeed::default()
    });
    fake.add_check_run(
        REPO,
        "zoekt-merge-memory",
        CheckSeed {
            name: "test".into(),
            status: "completed".into(),
            conclusion: Some("success".into()),
            app: String::new(),
        },
    );
    let body = BODY.replace(
        "- [ ] Announce the freeze\n",
        "- [ ] Announce the freeze once #16201 and #999 are in\n",
    );
    seed(&fake, 16108, &body);
    let cfg = release_config(&fake.url, "issue = 16108");
    let mut rt = loaded(&cfg).await;
    let id = select(&mut rt, "Announce the freeze");
    let doc = rt.state.release.doc.as_ref().expect("doc");
    let states = &doc.links.get(&id).expect("links").states;
    let shown: Vec<(String, &str)> = states
        .iter()
        .map(|s| (s.target.label(REPO), s.state_str()))
        .collect();
    assert_eq!(
        shown,
        [
            ("#16201".to_string(), "merged"),
            ("#999".to_string(), "unknown")
        ],
        "a 404 link is unknown; the other shows"
    );
    assert_eq!(
        states[0].checks,
        Some(opsdeck::release::links::Checks::Success)
    );
    let fetches = |fake: &GithubFake| {
        fake.requests()
            .iter()
            .filter(|r| r.path.contains("/pulls/") || r.path.contains("/commits/"))
            .count()
    };
    let before = fetches(&fake);
    press(&mut rt, [key(' ')]).await;
    until(&mut rt, 10, "the tick", |s| s.release.pending.is_none()).await;
    let doc = rt.state.release.doc.as_ref().expect("doc");
    assert!(doc.checklist.step(&id).is_some_and(|s| s.done));
    assert_eq!(doc.links.get(&id).map(|l| l.states.len()), Some(2), "kept");
    assert_eq!(fetches(&fake), before, "the read-back fetched no link");
}
