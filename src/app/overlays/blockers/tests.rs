//! The blocker list: opening it, moving, opening and copying a blocker's
//! link, closing; what it shows when there are none or the count is unknown.

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Blockers, Shown, shown};
use crate::alerts::model::SourceKind;
use crate::app::action::{Action, Effect};
use crate::app::overlays::Overlay;
use crate::app::state::{AlertSettings, State, View};
use crate::app::update;
use crate::release::backend::ReleaseDoc;
use crate::release::blockers::Blocker;
use crate::release::tasklist::Checklist;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 12, 1, 12, 0, 0)
        .single()
        .expect("time")
}

fn blocker(number: u64, title: &str, assignee: Option<&str>) -> Blocker {
    Blocker {
        repo: "o/r".into(),
        number,
        title: title.into(),
        url: format!("https://github.example/o/r/issues/{number}"),
        assignee: assignee.map(str::to_string),
        labels: vec!["release-blocker".into()],
        created_at: now() - chrono::TimeDelta::days(3),
    }
}

fn doc(blockers: Option<Vec<Blocker>>) -> ReleaseDoc {
    let body = "- [ ] Tag\n";
    ReleaseDoc {
        repo: "o/r".into(),
        number: Some(7),
        title: "3.23".into(),
        milestone: None,
        assignee: None,
        blockers: blockers.as_ref().map(Vec::len),
        blocker_query: Some(r#"repo:o/r is:issue is:open label:"release-blocker""#.into()),
        blocker_issues: blockers,
        warnings: Vec::new(),
        links: Default::default(),
        read_back: false,
        url: None,
        body: body.into(),
        checklist: Checklist::parse(body),
    }
}

fn state(doc: Option<ReleaseDoc>) -> State {
    let config = crate::config::Config::default();
    let mut state = State::new(
        AlertSettings::from_config(&config),
        vec![("github".into(), SourceKind::Github)],
        false,
        now(),
    );
    state.release.configured = true;
    state.release.doc = doc;
    state.view = View::Release;
    state
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn cursor(state: &State) -> Option<usize> {
    match state.overlays.last() {
        Some(Overlay::Blockers(Blockers { cursor })) => Some(*cursor),
        _ => None,
    }
}

fn three() -> State {
    state(Some(doc(Some(vec![
        blocker(16215, "campaigns: reconciler retries", Some("dave")),
        blocker(16190, "search: zoekt crashloops", Some("carol")),
        blocker(16178, "distribution: read-only root", None),
    ]))))
}

#[test]
fn b_opens_the_list_which_moves_opens_copies_and_closes() {
    let mut s = three();
    assert_eq!(key(&mut s, KeyCode::Char('b')), Vec::new());
    assert_eq!(cursor(&s), Some(0));
    key(&mut s, KeyCode::Char('j'));
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(cursor(&s), Some(2), "stops at the last row");
    key(&mut s, KeyCode::Up);
    assert_eq!(cursor(&s), Some(1));
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::OpenUrl(
            "https://github.example/o/r/issues/16190".into()
        )]
    );
    key(&mut s, KeyCode::Char('k'));
    assert_eq!(
        key(&mut s, KeyCode::Char('o')),
        [Effect::OpenUrl(
            "https://github.example/o/r/issues/16215".into()
        )]
    );
    key(&mut s, KeyCode::Char('G'));
    assert_eq!(
        key(&mut s, KeyCode::Char('y')),
        [Effect::Copy(
            "https://github.example/o/r/issues/16178".into()
        )]
    );
    assert_eq!(
        s.message.as_ref().map(|m| m.text.as_str()),
        Some("copied https://github.example/o/r/issues/16178")
    );
    assert_eq!(cursor(&s), Some(2), "still open after o and y");
    key(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty());
    assert_eq!(s.view, View::Release, "Esc closes the list, not the view");
}

#[test]
fn global_keys_still_work_and_the_list_follows_a_reload() {
    let mut s = three();
    key(&mut s, KeyCode::Char('b'));
    key(&mut s, KeyCode::Char('G'));
    // A reload with fewer blockers: the cursor stays inside the list.
    s.release.doc = Some(doc(Some(vec![blocker(16215, "one left", None)])));
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::OpenUrl(
            "https://github.example/o/r/issues/16215".into()
        )]
    );
    assert_eq!(key(&mut s, KeyCode::Char('r')), [Effect::Refresh]);
    key(&mut s, KeyCode::Char('?'));
    assert!(matches!(s.overlays.last(), Some(Overlay::Help(_))));
    key(&mut s, KeyCode::Esc);
    assert_eq!(cursor(&s), Some(0));
    // `b` again closes it.
    key(&mut s, KeyCode::Char('b'));
    assert!(s.overlays.is_empty());
}

#[test]
fn b_is_the_release_views_key_and_the_palette_opens_it_anywhere() {
    let mut s = three();
    s.view = View::Deploy;
    key(&mut s, KeyCode::Char('b'));
    assert_eq!(cursor(&s), None, "b bumps in the deploy view");
    s.view = View::Alerts;
    key(&mut s, KeyCode::Char('b'));
    assert_eq!(cursor(&s), None);
    for c in ":blockers".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!((s.view, cursor(&s)), (View::Release, Some(0)));
}

#[test]
fn an_empty_or_unknown_list_says_so_and_has_nothing_to_open() {
    let mut s = state(Some(doc(Some(Vec::new()))));
    assert!(matches!(
        shown(&s),
        Shown::Found { items: [], total: 0, query: Some(q) } if q.starts_with("repo:o/r")
    ));
    key(&mut s, KeyCode::Char('b'));
    assert_eq!(key(&mut s, KeyCode::Enter), Vec::new());
    assert_eq!(
        s.message.as_ref().map(|m| m.text.as_str()),
        Some("no blocker selected")
    );

    let mut unknown = doc(None);
    unknown.warnings = vec!["blockers unknown: GitHub: 502".into()];
    let s = state(Some(unknown));
    assert_eq!(
        shown(&s),
        Shown::Unknown {
            why: &["blockers unknown: GitHub: 502".to_string()],
            query: Some(r#"repo:o/r is:issue is:open label:"release-blocker""#),
        }
    );
    let mut file = doc(None);
    file.number = None;
    assert_eq!(shown(&state(Some(file))), Shown::NotGithub);
    assert_eq!(shown(&state(None)), Shown::NotLoaded);
}
