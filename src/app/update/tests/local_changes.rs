//! update tests: Local changes against real timestamps.

use super::*;

// ---------------------------------------------------------------------------
// Local changes against real (millisecond) timestamps
// ---------------------------------------------------------------------------

#[test]
fn a_snapshot_at_millisecond_precision_ends_the_local_change_and_unack_sticks() {
    let mut state = fixture();
    // The runtime's clock has nanoseconds; Alertmanager keeps milliseconds.
    let t = now() + TimeDelta::nanoseconds(123_456_789);
    update(&mut state, Action::Tick(t));
    select_alert(&mut state, SEARCH_CRIT);
    let reqs = ack_selected(&mut state);
    update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![ok_outcome("am", &reqs[0].silence, "sil-new")],
        },
    );
    assert_eq!(state.alerts.local.len(), 1);

    let mut held = Silence {
        id: "sil-new".into(),
        matchers: reqs[0].silence.matchers.clone(),
        starts_at: now() + TimeDelta::milliseconds(123),
        ends_at: now() + TimeDelta::hours(2) + TimeDelta::milliseconds(123),
        created_by: "alice".into(),
        comment: "acknowledged from opsdeck".into(),
        state: SilenceState::Active,
        sources: vec!["am".into()],
    };
    let mut snap = snapshot("am");
    snap.alerts[0].state = AlertState::Silenced;
    snap.alerts[0].silenced_by = vec!["sil-new".into()];
    snap.silences.push(held.clone());
    update(&mut state, am_event("am", snap.clone(), t));
    assert!(
        state.alerts.local.is_empty(),
        "the source shows the silence"
    );
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Silenced);

    // Un-acknowledge it; once the source shows it expired, it stays so.
    let effects = update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Expire,
            outcomes: vec![SilenceOutcome {
                target: "am".into(),
                request: None,
                result: Ok("sil-new".into()),
            }],
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Firing);
    held.state = SilenceState::Expired;
    held.ends_at = t;
    snap.silences.pop();
    snap.silences.push(held);
    snap.alerts[0].state = AlertState::Firing;
    snap.alerts[0].silenced_by.clear();
    update(&mut state, am_event("am", snap, t));
    assert!(state.alerts.local.is_empty());
    assert_eq!(alert_named(&state, SEARCH_CRIT).state, AlertState::Firing);
    assert_eq!(
        state.silence("sil-new").map(|s| s.state),
        Some(SilenceState::Expired)
    );
}
