//! The silences list: `/` narrows it live with the alerts filter language,
//! a bad input keeps the last result, Esc's order, Enter's detail with the
//! alerts covered now, and `u` / `e` from the detail.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{SilencesList, shown};
use crate::alerts::grouping::Routing;
use crate::alerts::matcher::Matcher;
use crate::alerts::model::{AlertState, AlertmanagerSnapshot, Silence, SilenceState, SourceKind};
use crate::alerts::source::SourceEvent;
use crate::alerts::testing::AlertBuilder;
use crate::app::action::{Action, Effect};
use crate::app::overlays::Overlay;
use crate::app::state::{AlertSettings, State};
use crate::app::update;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn silence(id: &str, matchers: &[&str], ends_in: i64, state: SilenceState, by: &str) -> Silence {
    Silence {
        id: id.to_string(),
        matchers: matchers
            .iter()
            .map(|m| Matcher::parse(m).expect("matcher"))
            .collect(),
        starts_at: now() - TimeDelta::minutes(20),
        ends_at: now() + TimeDelta::minutes(ends_in),
        created_by: by.into(),
        comment: format!("{id}: deploy window"),
        state,
        sources: vec!["am".into()],
    }
}

/// Four open silences: on the frontend (covering two alerts), a regex on
/// backends (one), a pending one, one covering nothing.
fn fixture() -> State {
    let settings = AlertSettings {
        routing: Routing::default(),
        ack_duration: Duration::from_secs(2 * 3600),
        ack_author: "alice".into(),
        ack_comment: "acknowledged from opsdeck".into(),
        refresh: Duration::from_secs(30),
        flap_threshold: 3,
        history_resolved: std::time::Duration::from_secs(3600),
    };
    let mut state = State::new(
        settings,
        vec![("am".into(), SourceKind::Alertmanager)],
        false,
        now(),
    );
    let alert = |pairs: &[(&str, &str)], fp: &str, by: &str| {
        let mut a = AlertBuilder::new(pairs)
            .fingerprint(fp)
            .source("am")
            .state(AlertState::Silenced)
            .starts_at(now() - TimeDelta::minutes(30))
            .build();
        a.silenced_by = vec![by.to_string()];
        a
    };
    let snapshot = AlertmanagerSnapshot {
        alerts: vec![
            alert(
                &[
                    ("alertname", "FrontendDown"),
                    ("service", "frontend"),
                    ("team", "web"),
                    ("severity", "critical"),
                    ("pod", "frontend-7d9f-abc"),
                ],
                "f1",
                "sil-front",
            ),
            alert(
                &[
                    ("alertname", "FrontendSlow"),
                    ("service", "frontend"),
                    ("team", "web"),
                    ("severity", "warning"),
                ],
                "f2",
                "sil-front",
            ),
            alert(
                &[
                    ("alertname", "BackendErrors"),
                    ("service", "backend-api"),
                    ("team", "platform"),
                    ("severity", "warning"),
                ],
                "f3",
                "sil-back",
            ),
        ],
        silences: vec![
            silence(
                "sil-front",
                &[r#"service="frontend""#],
                30,
                SilenceState::Active,
                "bob",
            ),
            silence(
                "sil-back",
                &[r#"service=~"backend.*""#],
                60,
                SilenceState::Active,
                "carol",
            ),
            silence(
                "sil-pend",
                &[r#"alertname="DiskFull""#],
                90,
                SilenceState::Pending,
                "carol",
            ),
            silence(
                "sil-none",
                &[r#"owner="nobody""#],
                120,
                SilenceState::Active,
                "alice",
            ),
        ],
        peers: Vec::new(),
        skipped: Vec::new(),
    };
    let event = Action::Source(SourceEvent::Alertmanager {
        name: "am".into(),
        result: Ok(snapshot),
        at: now(),
    });
    assert!(update(&mut state, event).is_empty());
    state
}

fn code(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn press(state: &mut State, c: char) -> Vec<Effect> {
    code(state, KeyCode::Char(c))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        assert_eq!(press(state, c), Vec::new(), "typing {c:?}");
    }
}

fn list(state: &State) -> &SilencesList {
    match state.overlays.last() {
        Some(Overlay::Silences(list)) => list,
        other => panic!("expected the silences list, got {other:?}"),
    }
}

fn ids(state: &State) -> Vec<&str> {
    shown(state, list(state))
        .iter()
        .map(|s| s.id.as_str())
        .collect()
}

fn open_list() -> State {
    let mut state = fixture();
    press(&mut state, 'S');
    assert_eq!(
        ids(&state),
        ["sil-front", "sil-back", "sil-pend", "sil-none"]
    );
    state
}

#[test]
fn slash_narrows_the_list_while_typing_and_enter_keeps_it() {
    let mut state = open_list();
    press(&mut state, '/');
    assert!(list(&state).filter.editing);
    type_text(&mut state, "service=frontend");
    // By its own matcher, and the regex silence whose regex matches it.
    assert_eq!(ids(&state), ["sil-front"]);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    code(&mut state, KeyCode::Backspace);
    type_text(&mut state, "backend-api");
    assert_eq!(ids(&state), ["sil-back"]);
    code(&mut state, KeyCode::Enter);
    assert!(!list(&state).filter.editing);
    assert_eq!(ids(&state), ["sil-back"]);
    // j/k move in the narrowed list (clamped).
    press(&mut state, 'j');
    assert_eq!(list(&state).row, 0);
}

#[test]
fn free_text_and_fields_and_covered_alerts_narrow_the_list() {
    let mut state = open_list();
    press(&mut state, '/');
    type_text(&mut state, "carol");
    assert_eq!(ids(&state), ["sil-back", "sil-pend"]);
    for _ in 0..5 {
        code(&mut state, KeyCode::Backspace);
    }
    // Through the alerts it covers: team and severity are the alerts'.
    type_text(&mut state, "@severity=critical");
    assert_eq!(ids(&state), ["sil-front"]);
    for _ in 0.."@severity=critical".len() {
        code(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "@state=pending");
    assert_eq!(ids(&state), ["sil-pend"]);
    // The silences' own fields.
    for _ in 0.."pending".len() {
        code(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "active @author=carol");
    assert_eq!(ids(&state), ["sil-back"]);
    for _ in 0.."active @author=carol".len() {
        code(&mut state, KeyCode::Backspace);
    }
    type_text(&mut state, "pending @id=sil-p");
    assert_eq!(list(&state).filter.error, None);
    assert_eq!(ids(&state), ["sil-pend"]);
}

#[test]
fn an_input_that_does_not_parse_keeps_the_last_result_and_says_why() {
    let mut state = open_list();
    press(&mut state, '/');
    type_text(&mut state, "service=frontend alertname=~(");
    assert_eq!(ids(&state), ["sil-front"]);
    let error = list(&state).filter.error.clone().expect("an error");
    assert!(error.contains("invalid regex"), "{error}");
    // Enter does not leave it looking applied.
    code(&mut state, KeyCode::Enter);
    assert!(list(&state).filter.editing);
    assert!(
        state
            .message
            .as_ref()
            .is_some_and(|m| m.text.starts_with("filter not applied")),
    );
    code(&mut state, KeyCode::Backspace);
    type_text(&mut state, "Front.*");
    assert_eq!(list(&state).filter.error, None);
    assert_eq!(ids(&state), ["sil-front"]);
}

#[test]
fn esc_cancels_the_edit_then_clears_the_filter_then_closes() {
    let mut state = open_list();
    press(&mut state, '/');
    type_text(&mut state, "carol");
    code(&mut state, KeyCode::Enter);
    assert_eq!(ids(&state), ["sil-back", "sil-pend"]);
    // A new edit, cancelled: the kept filter is back.
    press(&mut state, '/');
    type_text(&mut state, " DiskFull");
    assert_eq!(ids(&state), ["sil-pend"]);
    code(&mut state, KeyCode::Esc);
    assert!(!list(&state).filter.editing);
    assert_eq!(list(&state).filter.input.text(), "carol");
    assert_eq!(ids(&state), ["sil-back", "sil-pend"]);
    // Esc in the list: the filter goes first …
    code(&mut state, KeyCode::Esc);
    assert_eq!(list(&state).filter.input.text(), "");
    assert_eq!(ids(&state).len(), 4);
    // … then the list.
    code(&mut state, KeyCode::Esc);
    assert!(state.overlays.is_empty());
}

#[test]
fn enter_opens_the_selected_silences_detail_and_esc_goes_back() {
    let mut state = open_list();
    press(&mut state, '/');
    type_text(&mut state, "carol");
    code(&mut state, KeyCode::Enter);
    press(&mut state, 'j');
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        list(&state).detail.as_ref().map(|d| d.id.as_str()),
        Some("sil-pend")
    );
    code(&mut state, KeyCode::Esc);
    assert_eq!(list(&state).detail, None);
    assert_eq!(list(&state).row, 1);
    assert_eq!(list(&state).filter.input.text(), "carol");
}

fn detail_text(state: &State, id: &str) -> Vec<String> {
    let s = state.silence(id).expect("silence");
    crate::ui::overlays::silences::detail_lines(state, s, 78)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

#[test]
fn the_detail_lists_the_alerts_the_silence_covers_now() {
    let state = open_list();
    let text = detail_text(&state, "sil-front");
    assert!(
        text.iter().any(|l| l == "id          sil-front"),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|l| l == r#"matchers    service="frontend""#)
    );
    assert!(text.iter().any(|l| l == "held by     am"));
    assert!(
        text.iter()
            .any(|l| l.starts_with("ends        2020-11-20 12:30 UTC (in 30m)"))
    );
    let at = text
        .iter()
        .position(|l| l == "Covers 2 alerts now:")
        .expect("covered header");
    assert!(text[at + 1].contains("FrontendDown"), "{text:#?}");
    assert!(text[at + 1].contains("pod=frontend-7d9f-abc"));
    assert!(text[at + 2].contains("FrontendSlow"));
    assert_eq!(text.len(), at + 3);
    let none = detail_text(&state, "sil-none");
    assert_eq!(
        none.last().map(String::as_str),
        Some("Covers no current alert")
    );
}

#[test]
fn u_and_e_work_in_the_detail() {
    let mut state = open_list();
    code(&mut state, KeyCode::Enter);
    assert!(list(&state).detail.is_some());
    assert!(press(&mut state, 'u').is_empty());
    let Some(Overlay::Confirm(c)) = state.overlays.last() else {
        panic!("expected a confirmation");
    };
    assert_eq!(c.question, "Expire 1 silence (sil-front)?");
    assert_eq!(
        press(&mut state, 'y'),
        vec![Effect::ExpireSilences(vec![(
            "am".into(),
            "sil-front".into()
        )])]
    );
    // Back in the detail.
    assert!(list(&state).detail.is_some());
    assert!(press(&mut state, 'e').is_empty());
    let Some(Overlay::Confirm(c)) = state.overlays.last() else {
        panic!("expected a confirmation");
    };
    assert_eq!(c.question, "Extend 1 silence by 2h?");
}

#[test]
fn j_and_k_scroll_the_detail_within_its_limit() {
    let mut state = open_list();
    state.rows = 10;
    code(&mut state, KeyCode::Enter);
    let limit = {
        let s = state.silence("sil-front").expect("silence");
        crate::ui::layout::silence_detail_scroll(&state, s, state.cols, state.rows).max
    };
    assert!(limit > 0);
    for _ in 0..40 {
        press(&mut state, 'j');
    }
    assert_eq!(list(&state).detail.as_ref().map(|d| d.scroll), Some(limit));
    press(&mut state, 'k');
    assert_eq!(
        list(&state).detail.as_ref().map(|d| d.scroll),
        Some(limit - 1)
    );
}

#[test]
fn a_long_covered_list_ends_with_how_many_more() {
    let mut state = open_list();
    let extra = crate::ui::overlays::silences::DETAIL_ALERTS + 5;
    for i in 0..extra {
        let mut a = AlertBuilder::new(&[("alertname", "Many"), ("owner", "nobody")])
            .fingerprint(&format!("m{i}"))
            .source("am")
            .state(AlertState::Silenced)
            .build();
        a.silenced_by = vec!["sil-none".into()];
        state.alerts.all.push(a);
    }
    let text = detail_text(&state, "sil-none");
    assert!(
        text.iter()
            .any(|l| l == &format!("Covers {extra} alerts now:"))
    );
    assert_eq!(text.last().map(String::as_str), Some("  +5 more"));
}
