//! update tests: Acknowledge form.

use super::*;

// ---------------------------------------------------------------------------
// Acknowledge form
// ---------------------------------------------------------------------------

#[test]
fn a_opens_the_form_prefilled_from_the_selected_alert() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    assert!(press(&mut state, 'a').is_empty());
    let f = form(&state);
    let a = alert_named(&state, SEARCH_CRIT);
    assert_eq!(f.fingerprint, a.fingerprint);
    assert_eq!(f.alertname, SEARCH_CRIT);
    assert_eq!(f.targets, vec!["am"]);
    assert_eq!(
        f.matchers.text(),
        "alertname=\"critical_frontend_90th_percentile_search_request_duration\", \
         description=\"frontend: 15s+ 90th percentile search request duration\", \
         level=\"critical\", name=\"90th_percentile_search_request_duration\", \
         owner=\"search\", service_name=\"frontend\""
    );
    assert_eq!(f.matchers.text(), expected_matchers_text(a));
    assert_eq!(f.duration.text(), "2h");
    assert_eq!(f.author.text(), "alice");
    assert_eq!(f.comment.text(), "acknowledged from opsdeck");
    assert_eq!(f.field, FormField::Matchers);
    assert_eq!((f.error.as_ref(), f.submitting), (None, false));
}

#[test]
fn form_keys_edit_fields_and_do_not_reach_the_view() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'a');
    // Tab / Down / Up / BackTab cycle the fields.
    code(&mut state, KeyCode::Tab);
    assert_eq!(form(&state).field, FormField::Duration);
    code(&mut state, KeyCode::Down);
    assert_eq!(form(&state).field, FormField::Author);
    code(&mut state, KeyCode::Down);
    code(&mut state, KeyCode::Tab);
    assert_eq!(form(&state).field, FormField::Matchers);
    code(&mut state, KeyCode::BackTab);
    assert_eq!(form(&state).field, FormField::Comment);
    code(&mut state, KeyCode::Up);
    assert_eq!(form(&state).field, FormField::Author);

    // `q`, `j` and `?` are text here.
    ctrl(&mut state, 'u');
    type_text(&mut state, "bob q?j");
    assert_eq!(form(&state).author.text(), "bob q?j");
    assert!(!state.quit);
    assert_eq!(state.overlays.len(), 1);
    assert_eq!(state.alerts.alert, 0);

    // Esc closes the form without an effect.
    assert!(code(&mut state, KeyCode::Esc).is_empty());
    assert!(state.overlays.is_empty());
}

#[test]
fn enter_asks_for_confirmation_and_any_key_but_y_cancels_keeping_the_form() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'a');
    // Make the form differ from its defaults, to see it is kept.
    code(&mut state, KeyCode::Tab);
    code(&mut state, KeyCode::Tab);
    code(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "INC-42");
    let before = form(&state).clone();

    for cancel in [
        KeyCode::Char('n'),
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Char('q'),
    ] {
        assert!(code(&mut state, KeyCode::Enter).is_empty());
        let c = confirm(&state);
        assert_eq!(
            c.question, "Create a silence matching 1 alert for 2h?",
            "confirm after {cancel:?}"
        );
        assert_eq!(c.details[1], "on am");
        assert!(
            code(&mut state, cancel).is_empty(),
            "{cancel:?} must not act"
        );
        assert!(!state.quit);
        assert_eq!(state.overlays.len(), 1, "{cancel:?} leaves only the form");
        assert_eq!(form(&state), &before, "{cancel:?} keeps the form as typed");
        assert_eq!(
            state.message.as_ref().map(|m| m.text.as_str()),
            Some("cancelled")
        );
    }
}

#[test]
fn y_creates_one_silence_with_the_alerts_labels_as_matchers() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    let a = alert_named(&state, SEARCH_CRIT);
    assert_eq!(
        reqs,
        vec![SilenceRequest {
            target: "am".into(),
            silence: NewSilence {
                id: None,
                matchers: label_equalities(a),
                starts_at: now(),
                ends_at: now() + TimeDelta::hours(2),
                created_by: "alice".into(),
                comment: "acknowledged from opsdeck".into(),
            },
        }]
    );
    assert_eq!(reqs[0].silence.matchers.len(), 6);
    assert!(reqs[0].silence.matchers.iter().all(|m| m.op == MatchOp::Eq));
    // The form waits for the answer.
    assert_eq!(state.overlays.len(), 1);
    assert!(form(&state).submitting);
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("creating silence…")
    );
    // While submitting, keys are ignored.
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert!(press(&mut state, 'x').is_empty());
    assert_eq!(state.overlays.len(), 1);
    assert_eq!(form(&state).author.text(), "alice");
}

#[test]
fn edited_fields_are_used_in_the_request() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'a');
    ctrl(&mut state, 'u');
    type_text(
        &mut state,
        r#"{alertname=~"critical_frontend_.*", owner="search"}"#,
    );
    code(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "30m");
    code(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "  bob ");
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        confirm(&state).question,
        "Create a silence matching 1 alert for 30m?"
    );
    assert_eq!(
        confirm(&state).details[0],
        r#"{alertname=~"critical_frontend_.*", owner="search"}"#
    );
    match press(&mut state, 'y').as_slice() {
        [Effect::CreateSilences(reqs)] => {
            assert_eq!(reqs.len(), 1);
            let s = &reqs[0].silence;
            assert_eq!(
                s.matchers,
                vec![
                    Matcher::new("alertname", MatchOp::Re, "critical_frontend_.*").expect("valid"),
                    Matcher::equal("owner", "search"),
                ]
            );
            assert_eq!(s.ends_at - s.starts_at, TimeDelta::minutes(30));
            assert_eq!(s.created_by, "bob");
        }
        other => panic!("expected one CreateSilences, got {other:?}"),
    }
}

#[test]
fn created_silence_closes_the_form_silences_the_alert_at_once_and_refreshes() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    let effects = update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![ok_outcome("am", &reqs[0].silence, "sil-new")],
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    assert!(state.overlays.is_empty());
    let a = alert_named(&state, SEARCH_CRIT);
    assert_eq!(a.state, AlertState::Silenced);
    assert_eq!(a.silenced_by, vec!["sil-new"]);
    // Hidden now: search shows only its warning.
    assert_eq!(group_alert_names(&state, "search"), vec![SEARCH_WARN]);
    let search = state
        .alerts
        .groups
        .iter()
        .find(|g| g.key == "search")
        .expect("search");
    assert_eq!((search.total(), search.hidden), (1, 2));
    let s = state.silence("sil-new").expect("local silence listed");
    assert_eq!(
        (s.state, s.ends_at, s.sources.clone()),
        (
            SilenceState::Active,
            now() + TimeDelta::hours(2),
            vec!["am".to_string()]
        )
    );
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some(("silence sil-new created", Level::Info))
    );

    // A refresh that does not show the silence yet keeps the overlay…
    update(&mut state, am_event("am", snapshot("am"), now()));
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Silenced);
    assert_eq!(state.alerts.local.len(), 1);
    // …and one that does ends it.
    let mut snap = snapshot("am");
    let mut silenced = search_crit("am");
    silenced.state = AlertState::Silenced;
    silenced.silenced_by = vec!["sil-new".into()];
    snap.alerts[0] = silenced;
    snap.silences.push(Silence {
        id: "sil-new".into(),
        matchers: reqs[0].silence.matchers.clone(),
        starts_at: now(),
        ends_at: now() + TimeDelta::hours(2),
        created_by: "alice".into(),
        comment: "acknowledged from opsdeck".into(),
        state: SilenceState::Active,
        sources: vec!["am".into()],
    });
    update(&mut state, am_event("am", snap, now()));
    assert!(state.alerts.local.is_empty());
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Silenced);
}

#[test]
fn a_local_silence_that_never_shows_up_expires_after_a_minute() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![ok_outcome("am", &reqs[0].silence, "sil-new")],
        },
    );
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(59)));
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Silenced);
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(60)));
    assert!(state.alerts.local.is_empty());
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Firing);
    assert_eq!(state.silence("sil-new"), None);
}

#[test]
fn alertmanager_refusal_keeps_the_form_open_with_its_text() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    let before = form(&state).clone();
    let refusal = "HTTP 400: silence invalid: at least one matcher must not match the empty string";
    let effects = update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![SilenceOutcome {
                target: "am".into(),
                request: Some(reqs[0].silence.clone()),
                result: Err(refusal.into()),
            }],
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    assert_eq!(state.overlays.len(), 1);
    let f = form(&state);
    assert!(!f.submitting);
    assert_eq!(f.error.as_deref(), Some(format!("am: {refusal}").as_str()));
    assert_eq!(
        (
            f.matchers.text(),
            f.duration.text(),
            f.author.text(),
            f.comment.text()
        ),
        (
            before.matchers.text(),
            before.duration.text(),
            before.author.text(),
            before.comment.text()
        )
    );
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Firing);
    assert!(state.alerts.local.is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some((format!("failed: am: {refusal}").as_str(), Level::Error))
    );
    // Typing clears the error; the form can be submitted again.
    type_text(&mut state, " ");
    assert_eq!(form(&state).error, None);
}

#[test]
fn garbage_matchers_show_a_parse_error_on_enter_and_no_effect() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'a');
    ctrl(&mut state, 'u');
    type_text(&mut state, r#"alertname="unterminated"#);
    code(&mut state, KeyCode::Tab);
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(state.overlays.len(), 1, "no confirmation");
    let f = form(&state);
    assert_eq!(f.field, FormField::Matchers);
    assert_eq!(
        f.error.as_deref(),
        Some("matchers: unterminated quote starting at column 11")
    );
    assert!(press(&mut state, 'y').is_empty());
    assert_eq!(form(&state).matchers.text(), r#"alertname="unterminatedy"#);

    // Free text after the first word (amtool's alertname shorthand) is refused.
    ctrl(&mut state, 'u');
    type_text(&mut state, "just words");
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(
        form(&state).error.as_deref(),
        Some("matchers: expected a matcher such as name=\"value\" at column 6, found \"words\"")
    );
    // So are filter fields, and an empty list.
    ctrl(&mut state, 'u');
    type_text(&mut state, "@team=search");
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        form(&state).error.as_deref(),
        Some("matchers: @team cannot be used in a silence")
    );
    ctrl(&mut state, 'u');
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        form(&state).error.as_deref(),
        Some("matchers: at least one matcher is needed")
    );
    assert_eq!(state.overlays.len(), 1);
}

#[test]
fn bad_duration_and_empty_author_are_refused_on_their_field() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'a');
    code(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "soon");
    code(&mut state, KeyCode::Up);
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(form(&state).field, FormField::Duration);
    assert_eq!(
        form(&state).error.as_deref(),
        Some("duration: \"soon\" is not a duration such as 2h or 30m")
    );
    ctrl(&mut state, 'u');
    type_text(&mut state, "0s");
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        form(&state).error.as_deref(),
        Some("duration: must be longer than zero")
    );
    ctrl(&mut state, 'u');
    type_text(&mut state, "1h 30m");
    code(&mut state, KeyCode::Tab);
    ctrl(&mut state, 'u');
    type_text(&mut state, "   ");
    code(&mut state, KeyCode::Tab);
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(form(&state).field, FormField::Author);
    assert_eq!(
        form(&state).error.as_deref(),
        Some("author: who is acknowledging?")
    );
    assert_eq!(state.overlays.len(), 1);
}

#[test]
fn a_on_a_pending_prometheus_alert_targets_the_alertmanager() {
    let mut state = fixture();
    select_alert(&mut state, SOURCE_PENDING);
    let reqs = ack_selected(&mut state);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "am");
    assert_eq!(
        reqs[0].silence.matchers,
        label_equalities(alert_named(&state, SOURCE_PENDING))
    );
}

#[test]
fn a_without_an_alertmanager_or_an_alert_says_why() {
    let mut state = State::new(
        settings(),
        vec![("prom".into(), SourceKind::Prometheus)],
        false,
        now(),
    );
    assert!(press(&mut state, 'a').is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some(("no alert selected", Level::Error))
    );
    update(&mut state, prom_event(vec![source_pending()]));
    assert!(press(&mut state, 'a').is_empty());
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("no Alertmanager is configured to hold a silence")
    );
}
