//! update tests: High availability and source health.

use super::*;

// ---------------------------------------------------------------------------
// High availability and source health
// ---------------------------------------------------------------------------

fn ha_state() -> State {
    let mut state = State::new(
        settings(),
        vec![
            ("am-a".into(), SourceKind::Alertmanager),
            ("am-b".into(), SourceKind::Alertmanager),
        ],
        false,
        now(),
    );
    let peers = vec!["01EXAMPLEPEERA".to_string(), "01EXAMPLEPEERB".to_string()];
    for name in ["am-a", "am-b"] {
        let mut snap = snapshot(name);
        snap.peers = peers.clone();
        update(&mut state, am_event(name, snap, now()));
    }
    state
}

#[test]
fn ha_pair_shows_each_alert_once_and_acks_through_one_member() {
    let mut state = ha_state();
    assert_eq!(
        state.clusters(),
        vec![vec!["am-a".to_string(), "am-b".to_string()]]
    );
    assert_eq!(state.alerts.all.len(), 5);
    let a = alert_named(&state, SEARCH_CRIT);
    assert_eq!(a.sources, vec!["am-a", "am-b"]);
    // The same silence from both members is one silence.
    assert_eq!(state.alerts.silences.len(), 3);
    assert_eq!(
        state.silence("sil-searcher").map(|s| s.sources.clone()),
        Some(vec!["am-a".to_string(), "am-b".to_string()])
    );

    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "am-a");
    assert_eq!(form(&state).targets, vec!["am-a"]);

    // Expiring goes to one member as well.
    code(&mut state, KeyCode::Esc);
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    press(&mut state, 'u');
    assert_eq!(
        press(&mut state, 'y'),
        vec![Effect::ExpireSilences(vec![(
            "am-a".into(),
            "sil-searcher".into()
        )])]
    );
}

#[test]
fn ha_pair_sends_to_the_second_member_when_the_first_failed() {
    let mut state = ha_state();
    update(&mut state, am_error("am-a", "connection refused"));
    // am-a's last good snapshot still counts for the cluster and the data.
    assert_eq!(
        state.clusters(),
        vec![vec!["am-a".to_string(), "am-b".to_string()]]
    );
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "am-b");

    code(&mut state, KeyCode::Esc);
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    assert_eq!(press(&mut state, 'e'), vec![]);
    let effects = press(&mut state, 'y');
    let [Effect::ExtendSilences(reqs)] = effects.as_slice() else {
        panic!("expected ExtendSilences, got {effects:?}");
    };
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "am-b");
}

#[test]
fn two_unclustered_alertmanagers_each_get_a_silence() {
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
    update(&mut state, am_event("us", snapshot("us"), now()));
    assert_eq!(state.clusters().len(), 2);
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    let targets: Vec<&str> = reqs.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, vec!["eu", "us"]);
    assert_eq!(reqs[0].silence, reqs[1].silence);
}

#[test]
fn a_failed_fetch_sets_the_error_and_keeps_the_previous_data() {
    let mut state = fixture();
    let alerts_before = state.alerts.all.clone();
    let groups_before = state.alerts.groups.clone();
    let effects = update(&mut state, am_error("am", "connection refused"));
    assert!(effects.is_empty());
    let am = state.source("am").expect("am");
    assert_eq!(am.error.as_deref(), Some("connection refused"));
    assert_eq!(am.last_ok, Some(now()));
    assert!(!am.ok());
    assert_eq!(state.alerts.all, alerts_before);
    assert_eq!(state.alerts.groups, groups_before);

    let effects = update(
        &mut state,
        Action::Source(SourceEvent::Prometheus {
            name: "prom".into(),
            result: Err(ClientError {
                source: "prom".into(),
                message: "HTTP 503: service unavailable".into(),
                status: Some(503),
            }),
            skipped: Vec::new(),
            at: now(),
        }),
    );
    assert!(effects.is_empty());
    assert_eq!(
        state.source("prom").and_then(|s| s.error.as_deref()),
        Some("HTTP 503: service unavailable")
    );
    assert_eq!(state.alerts.all, alerts_before);

    // The next good fetch clears the error.
    update(&mut state, am_event("am", snapshot("am"), now() + mins(1)));
    let am = state.source("am").expect("am");
    assert_eq!(
        (am.error.as_deref(), am.last_ok),
        (None, Some(now() + mins(1)))
    );
}
