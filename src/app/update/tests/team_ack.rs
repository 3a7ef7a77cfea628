//! update tests: Acknowledge a team.

use super::*;

// ---------------------------------------------------------------------------
// Acknowledge a team
// ---------------------------------------------------------------------------

#[test]
fn shift_a_acknowledges_every_shown_alert_of_the_team() {
    let mut state = fixture();
    // search has 2 shown alerts and 1 silenced; show the silenced one too:
    // it must still not be counted.
    press(&mut state, 's');
    assert_eq!(state.alerts.groups[0].total(), 3);
    // A opens the team form (duration, author, comment; no matchers) …
    assert!(press(&mut state, 'A').is_empty());
    let f = form(&state);
    assert_eq!(
        f.set,
        Some(crate::app::overlays::ack_form::AckSet::Group(
            "search".into()
        ))
    );
    assert_eq!(f.field, FormField::Duration);
    assert_eq!(f.fields(), &FormField::ALL[1..]);
    // … Enter shows every silence it will make, then y/N.
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    let c = confirm(&state);
    assert_eq!(c.question, "Acknowledge all 2 alerts of search for 2h?");
    // The whole scope: each silence that will be made, with its alert,
    // and the silenced one it leaves alone.
    assert_eq!(c.details.len(), 4, "{:?}", c.details);
    assert_eq!(
        c.details[3],
        "1 alert already silenced or inhibited: left alone"
    );
    assert_eq!(
        c.details[0],
        "2 silences, one per active alert, by alice: \"acknowledged from opsdeck\", ending 2020-11-20 14:00 UTC"
    );
    assert!(
        c.details[1]
            .starts_with("· critical_frontend_90th_percentile_search_request_duration {alertname="),
        "{}",
        c.details[1]
    );
    assert!(c.details[2].ends_with(r#"service_name="zoekt-indexserver"} on am"#));
    let effects = press(&mut state, 'y');
    let [Effect::CreateSilences(reqs)] = effects.as_slice() else {
        panic!("expected one CreateSilences, got {effects:?}");
    };
    assert_eq!(reqs.len(), 2);
    let expected: Vec<Vec<Matcher>> = [SEARCH_CRIT, SEARCH_WARN]
        .iter()
        .map(|n| label_equalities(alert_named(&state, n)))
        .collect();
    let got: Vec<Vec<Matcher>> = reqs.iter().map(|r| r.silence.matchers.clone()).collect();
    assert_eq!(got, expected);
    assert!(reqs.iter().all(|r| r.target == "am"
        && r.silence.id.is_none()
        && r.silence.ends_at == now() + TimeDelta::hours(2)
        && r.silence.created_by == "alice"));
    assert!(form(&state).submitting);
}

#[test]
fn shift_a_is_cancelled_by_default_and_says_so_when_nothing_is_left() {
    let mut state = fixture();
    press(&mut state, 'A');
    code(&mut state, KeyCode::Enter);
    // Enter on the y/N is No: back to the form, Esc closes it.
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert!(matches!(top_overlay(&state), Some(Overlay::AckForm(_))));
    code(&mut state, KeyCode::Esc);
    assert!(state.overlays.is_empty());

    // A team whose only alert is silenced.
    let mut snap = snapshot("am");
    snap.alerts.retain(|a| a.name() == SEARCH_SILENCED);
    update(&mut state, am_event("am", snap, now()));
    update(&mut state, prom_event(vec![]));
    assert_eq!(team_names(&state), vec!["search"]);
    assert!(press(&mut state, 'A').is_empty());
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("all of search: nothing to acknowledge (every alert is silenced or inhibited)")
    );
}

#[test]
fn team_ack_outcomes_with_one_failure_report_both() {
    let mut state = fixture();
    press(&mut state, 'A');
    code(&mut state, KeyCode::Enter);
    let effects = press(&mut state, 'y');
    let [Effect::CreateSilences(reqs)] = effects.as_slice() else {
        panic!("expected one CreateSilences, got {effects:?}");
    };
    let effects = update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![
                ok_outcome("am", &reqs[0].silence, "sil-a"),
                SilenceOutcome {
                    target: "am".into(),
                    request: Some(reqs[1].silence.clone()),
                    result: Err("HTTP 500: boom".into()),
                },
            ],
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some(("1 created, but failed: am: HTTP 500: boom", Level::Error))
    );
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Silenced);
    assert_eq!(alert_named(&state, SEARCH_WARN).state, AlertState::Firing);
}
