//! `/` in the release view: typing moves to the first matching step, Enter
//! keeps it, Esc goes back, `n` / `N` walk the matches and wrap.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::alerts::model::SourceKind;
use crate::app::action::Action;
use crate::app::overlays::Overlay;
use crate::app::state::{AlertSettings, State, View};
use crate::app::update;
use crate::release::backend::ReleaseDoc;
use crate::release::tasklist::Checklist;

const BODY: &str = "## Cut\n- [x] Create the 3.23 release branch\n- [ ] Tag 3.23.0-rc.1\n## Release\n- [ ] Publish the release blog post\n- [ ] Tag 3.23.0 final\n- [ ] Update the CHANGELOG\n";

fn state() -> State {
    let now = Utc
        .with_ymd_and_hms(2020, 12, 1, 12, 0, 0)
        .single()
        .expect("time");
    let mut state = State::new(
        AlertSettings::from_config(&crate::config::Config::default()),
        vec![("github".into(), SourceKind::Github)],
        false,
        now,
    );
    state.release.configured = true;
    state.release.doc = Some(ReleaseDoc {
        repo: "o/r".into(),
        number: Some(7),
        title: "3.23".into(),
        milestone: None,
        assignee: None,
        blockers: None,
        blocker_query: None,
        blocker_issues: None,
        warnings: Vec::new(),
        links: Default::default(),
        read_back: false,
        url: None,
        body: BODY.into(),
        checklist: Checklist::parse(BODY),
    });
    state.view = View::Release;
    state
}

fn press(state: &mut State, code: KeyCode) {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

fn said(state: &State) -> String {
    state
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn typing_moves_to_the_first_match_and_enter_keeps_it() {
    let mut s = state();
    s.release.cursor = 0;
    typed(&mut s, "/");
    assert!(matches!(s.overlays.last(), Some(Overlay::Search(_))));
    typed(&mut s, "TAG");
    assert_eq!(s.release.cursor, 1, "case-insensitive: Tag 3.23.0-rc.1");
    typed(&mut s, " 3.23.0 ");
    assert_eq!(s.release.cursor, 3, "narrowed: Tag 3.23.0 final");
    press(&mut s, KeyCode::Enter);
    assert!(s.overlays.is_empty());
    assert_eq!(s.release.cursor, 3);
    assert_eq!(s.search, Some((View::Release, "TAG 3.23.0 ".into())));
}

#[test]
fn esc_puts_the_cursor_back() {
    let mut s = state();
    s.release.cursor = 2;
    typed(&mut s, "/changelog");
    assert_eq!(s.release.cursor, 4);
    press(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty());
    assert_eq!(s.release.cursor, 2);
    assert_eq!(s.search, None);
}

#[test]
fn n_and_shift_n_walk_the_matches_and_wrap() {
    let mut s = state();
    s.release.cursor = 0;
    typed(&mut s, "/tag");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.release.cursor, 1);
    typed(&mut s, "n");
    assert_eq!(s.release.cursor, 3);
    assert_eq!(said(&s), "/tag: 2 of 2");
    typed(&mut s, "n");
    assert_eq!(s.release.cursor, 1, "wraps to the first");
    typed(&mut s, "N");
    assert_eq!(s.release.cursor, 3, "and back to the last");
    // No match: said so, the cursor stays.
    typed(&mut s, "/zzz");
    assert_eq!(s.release.cursor, 3);
    press(&mut s, KeyCode::Enter);
    typed(&mut s, "n");
    assert_eq!(said(&s), "/zzz: no match");
}

#[test]
fn n_before_any_search_says_how_to_search() {
    let mut s = state();
    typed(&mut s, "n");
    assert_eq!(said(&s), "no search yet — / searches");
}
