//! Insta snapshots of what the release view gained with #13: the blocker
//! list (`b`) at 80×24 and 120×40, empty and unknown; the header's warning
//! when a load could not fetch the blockers. Built through `update`, with
//! a fixed clock, from the demo's tracking issue.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::panes::release::state::ReleaseState;
use opsdeck::app::state::{AlertSettings, Overlay};
use opsdeck::app::{Action, Effect, ReleaseEvent, State, update};
use opsdeck::core::SourceKind;
use opsdeck::demo::github::{DEMO_ISSUE, DEMO_REPO, DEMO_TRACKING_BODY};
use opsdeck::release::backend::ReleaseDoc;
use opsdeck::release::blockers::Blocker;
use opsdeck::release::tasklist::Checklist;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 30, 12, 0, 0)
        .single()
        .expect("valid time")
}

const QUERY: &str = r#"repo:sourcegraph/sourcegraph is:issue is:open label:"release-blocker""#;

fn blocker(
    number: u64,
    title: &str,
    assignee: Option<&str>,
    labels: &[&str],
    days: i64,
) -> Blocker {
    Blocker {
        repo: DEMO_REPO.into(),
        number,
        title: title.into(),
        url: format!("https://github.example/{DEMO_REPO}/issues/{number}"),
        assignee: assignee.map(str::to_string),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        created_at: now() - TimeDelta::days(days) - TimeDelta::hours(3),
    }
}

/// The demo's three open blockers.
fn demo_blockers() -> Vec<Blocker> {
    vec![
        blocker(
            16215,
            "campaigns: changeset reconciler retries immediately after code host rate limits",
            Some("dave"),
            &["release-blocker", "team/campaigns"],
            4,
        ),
        blocker(
            16190,
            "search: zoekt indexserver crashloops on large monorepos",
            Some("carol"),
            &["release-blocker", "bug", "team/search"],
            5,
        ),
        blocker(
            16178,
            "distribution: server image fails to start on a read-only root file system",
            None,
            &["release-blocker", "team/distribution"],
            6,
        ),
    ]
}

fn doc(blockers: Option<Vec<Blocker>>, warnings: Vec<String>) -> ReleaseDoc {
    ReleaseDoc {
        repo: DEMO_REPO.into(),
        number: Some(DEMO_ISSUE),
        title: "3.23 release tracking issue".into(),
        milestone: Some("3.23".into()),
        assignee: Some("alice".into()),
        blockers: blockers.as_ref().map(Vec::len),
        blocker_issues: blockers,
        blocker_query: Some(QUERY.into()),
        warnings,
        links: Default::default(),
        read_back: false,
        url: Some(format!(
            "https://github.example/{DEMO_REPO}/issues/{DEMO_ISSUE}"
        )),
        body: DEMO_TRACKING_BODY.into(),
        checklist: Checklist::parse(DEMO_TRACKING_BODY),
    }
}

fn state(doc: ReleaseDoc, cols: u16, rows: u16) -> State {
    let cfg = opsdeck::config::Config::parse(
        "[release]\nrepo = \"sourcegraph/sourcegraph\"\nissue = 16108\n",
        std::path::Path::new("snap.toml"),
    )
    .expect("config");
    let mut state = State::new(
        AlertSettings::from_config(&cfg),
        vec![("github".into(), SourceKind::Github)],
        false,
        now(),
    );
    state.release = ReleaseState::from_config(&cfg);
    update(&mut state, Action::Resize(cols, rows));
    update(
        &mut state,
        Action::Release(Box::new(ReleaseEvent::Loaded {
            result: Ok(doc),
            at: now() - TimeDelta::seconds(3),
        })),
    );
    press(&mut state, KeyCode::Char('2'));
    state
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn screen(state: &State, cols: u16, rows: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(cols, rows)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    terminal.backend().clone()
}

fn text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn blocker_list_wide() {
    let mut s = state(doc(Some(demo_blockers()), Vec::new()), 120, 40);
    press(&mut s, KeyCode::Char('b'));
    press(&mut s, KeyCode::Char('j'));
    assert!(matches!(s.overlays.last(), Some(Overlay::Blockers(_))));
    let backend = screen(&s, 120, 40);
    let t = text(&backend);
    assert!(t.contains(" Blockers (3) "), "{t}");
    for cell in [
        "#16190",
        "@carol",
        "4d",
        "—",
        "release-blocker, bug, team/search",
    ] {
        assert!(t.contains(cell), "{cell}:\n{t}");
    }
    assert!(t.contains(&format!("query: {QUERY}")), "{t}");
    insta::assert_snapshot!("blockers_wide", backend);
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        [Effect::OpenUrl(format!(
            "https://github.example/{DEMO_REPO}/issues/16190"
        ))]
    );
}

#[test]
fn blocker_list_narrow_cuts_with_an_ellipsis() {
    let mut s = state(doc(Some(demo_blockers()), Vec::new()), 80, 24);
    press(&mut s, KeyCode::Char('b'));
    let backend = screen(&s, 80, 24);
    let t = text(&backend);
    assert!(t.contains("#16215"), "{t}");
    assert!(
        t.contains('…'),
        "long titles and labels are cut visibly:\n{t}"
    );
    insta::assert_snapshot!("blockers_narrow", backend);
}

#[test]
fn blocker_list_scrolls_and_says_which_rows_show() {
    let many: Vec<Blocker> = (0..30)
        .map(|i| {
            blocker(
                16100 + i,
                &format!("blocker number {i}"),
                Some("erin"),
                &["release-blocker"],
                i64::try_from(i).unwrap_or(0),
            )
        })
        .collect();
    let mut s = state(doc(Some(many), Vec::new()), 80, 24);
    press(&mut s, KeyCode::Char('b'));
    press(&mut s, KeyCode::End);
    let t = text(&screen(&s, 80, 24));
    assert!(t.contains("#16129") && !t.contains("#16100"), "{t}");
    assert!(t.contains(" Blockers (30) · rows 13–30 of 30 "), "{t}");
}

#[test]
fn blocker_list_empty_and_unknown() {
    let mut s = state(doc(Some(Vec::new()), Vec::new()), 80, 24);
    press(&mut s, KeyCode::Char('b'));
    let backend = screen(&s, 80, 24);
    let t = text(&backend);
    assert!(
        t.contains("│no open blockers (query: repo:sourcegraph/sourcegraph is:issue is:open")
            && t.contains("│label:\"release-blocker\")"),
        "{t}"
    );
    insta::assert_snapshot!("blockers_empty", backend);

    let why = "blockers unknown: GitHub: searching issues (repo:sourcegraph/sourcegraph is:issue is:open label:\"release-blocker\"): GitHub server error 502; try again";
    let mut s = state(doc(None, vec![why.into()]), 120, 40);
    let header = text(&screen(&s, 120, 40));
    let first = header.lines().next().unwrap_or_default().to_string();
    assert!(first.ends_with("github ⚠ blockers unknown"), "{first}");
    press(&mut s, KeyCode::Char('b'));
    let backend = screen(&s, 120, 40);
    assert!(
        text(&backend).contains("server error 502"),
        "{}",
        text(&backend)
    );
    insta::assert_snapshot!("blockers_unknown", backend);
}

/// The demo's tracking issue as the GitHub-shaped server serves it, loaded
/// the real way: the steps' link states and the sub-steps' progress show
/// beside the steps, the selected step's links in words below them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_states_and_sub_step_progress() {
    let fake = opsdeck_testkit::github::GithubFake::start_demo()
        .await
        .expect("fake");
    let cfg = opsdeck::config::Config::parse(
        &format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n[release]\nrepo = \"{DEMO_REPO}\"\nissue = {DEMO_ISSUE}\n",
            fake.url
        ),
        std::path::Path::new("snap.toml"),
    )
    .expect("config");
    let backend = opsdeck::release::backend::Backend::from_config(&cfg)
        .expect("backend")
        .expect("configured");
    let loaded = backend.load().await.expect("load");
    let mut state = state(loaded, 120, 40);
    let campaigns = state
        .release
        .doc
        .as_ref()
        .and_then(|d| {
            d.checklist
                .steps
                .iter()
                .position(|s| s.text.starts_with("Campaigns"))
        })
        .expect("the campaigns sub-step");
    state.release.cursor = campaigns;
    let shown = screen(&state, 120, 40);
    let t = text(&shown);
    assert!(
        t.contains("Triage open release blockers with their owning teams: 0/3"),
        "{t}"
    );
    assert!(t.contains("#16209 draft ✗"), "{t}");
    assert!(
        t.contains("#16209 pull request draft · checks failure"),
        "{t}"
    );
    insta::assert_snapshot!("release_links", shown);
}
