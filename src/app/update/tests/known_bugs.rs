//! update tests: Known bugs in src/.

use super::*;

// ---------------------------------------------------------------------------
// Known bugs in src/ (reported, not fixed here): enable once fixed.
// ---------------------------------------------------------------------------

#[test]

fn ctrl_c_quits_while_typing() {
    let mut state = fixture();
    press(&mut state, '/');
    assert_eq!(ctrl(&mut state, 'c'), vec![Effect::Quit]);

    let mut state = fixture();
    press(&mut state, 'a');
    assert_eq!(ctrl(&mut state, 'c'), vec![Effect::Quit]);
}

#[test]

fn silences_list_row_follows_a_shrinking_list() {
    let mut state = fixture();
    press(&mut state, 'S');
    press(&mut state, 'G');
    press(&mut state, 'u');
    press(&mut state, 'y');
    update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Expire,
            outcomes: vec![SilenceOutcome {
                target: "am".into(),
                request: None,
                result: Ok("sil-searcher".into()),
            }],
        },
    );
    assert_eq!(state.open_silences().len(), 1);
    // The list highlights its only row; `u` must act on it.
    assert!(press(&mut state, 'u').is_empty());
    assert_eq!(confirm(&state).question, "Expire 1 silence (sil-soon)?");
}

#[test]

fn unack_survives_a_refresh_of_an_unrelated_alertmanager() {
    let mut state = State::new(
        settings(),
        vec![
            ("eu".into(), SourceKind::Alertmanager),
            ("us".into(), SourceKind::Alertmanager),
        ],
        false,
        now(),
    );
    update(&mut state, am_event("eu", snapshot("eu"), now()));
    update(
        &mut state,
        am_event("us", AlertmanagerSnapshot::default(), now()),
    );
    update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Expire,
            outcomes: vec![SilenceOutcome {
                target: "eu".into(),
                request: None,
                result: Ok("sil-searcher".into()),
            }],
        },
    );
    assert_eq!(
        alert_named(&state, SEARCH_SILENCED).state,
        AlertState::Firing
    );
    // `us` refreshes first; `eu` has not yet reported the expiry.
    update(
        &mut state,
        am_event("us", AlertmanagerSnapshot::default(), now()),
    );
    assert_eq!(
        alert_named(&state, SEARCH_SILENCED).state,
        AlertState::Firing
    );
}

#[test]
fn an_empty_alert_list_says_why() {
    let sources = |kinds: &[(&str, SourceKind)]| {
        State::new(
            settings(),
            kinds.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            false,
            now(),
        )
    };
    let none = sources(&[("deploy", SourceKind::Deploy)]);
    assert_eq!(
        none.alerts_unavailable().as_deref(),
        Some("no Alertmanager or Prometheus is configured")
    );
    let mut state = sources(&[
        ("am", SourceKind::Alertmanager),
        ("am2", SourceKind::Alertmanager),
    ]);
    assert_eq!(
        state.alerts_unavailable().as_deref(),
        Some("waiting for sources…")
    );
    update(&mut state, am_error("am", "connection refused"));
    assert_eq!(
        state.alerts_unavailable().as_deref(),
        Some("waiting for sources…"),
        "one failed, one not answered yet"
    );
    update(&mut state, am_error("am2", "timed out after 10s"));
    assert_eq!(
        state.alerts_unavailable().as_deref(),
        Some("no data: every alert source failed (am: connection refused)")
    );
    // Data from any source: an empty list means nothing is firing.
    update(
        &mut state,
        am_event("am2", AlertmanagerSnapshot::default(), now()),
    );
    assert_eq!(state.alerts_unavailable(), None);
}
