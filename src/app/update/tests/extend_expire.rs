//! update tests: Extend and expire.

use super::*;

// ---------------------------------------------------------------------------
// Extend and expire
// ---------------------------------------------------------------------------

#[test]
fn e_extends_the_alerts_silence_keeping_id_matchers_and_start() {
    let mut state = fixture();
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    // e asks first (default No), stating old → new end …
    assert_eq!(press(&mut state, 'e'), vec![]);
    let p = pick(&state);
    assert_eq!(
        p.question(),
        format!("Extend 1 of 1 silence on {SEARCH_SILENCED}?")
    );
    assert_eq!(
        p.items[0].lines[2],
        "  ends 2020-11-20 13:00 UTC → 2020-11-20 15:00 UTC"
    );
    assert_eq!(press(&mut state, 'n'), vec![]);
    assert!(top_overlay(&state).is_none());
    // … and y extends.
    assert_eq!(press(&mut state, 'e'), vec![]);
    let effects = press(&mut state, 'y');
    let old = searcher_silence("am");
    assert_eq!(
        effects,
        vec![Effect::ExtendSilences(vec![SilenceRequest {
            target: "am".into(),
            silence: NewSilence {
                id: Some("sil-searcher".into()),
                matchers: vec![Matcher::equal("alertname", SEARCH_SILENCED)],
                starts_at: old.starts_at,
                ends_at: old.ends_at + TimeDelta::hours(2),
                created_by: "alice".into(),
                comment: "sil-searcher: known issue, fix is rolling out".into(),
            },
        }])]
    );
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("extending…")
    );

    // The answer moves the end at once.
    let Effect::ExtendSilences(reqs) = &effects[0] else {
        unreachable!()
    };
    let effects = update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Extend,
            outcomes: vec![ok_outcome("am", &reqs[0].silence, "sil-searcher")],
        },
    );
    assert_eq!(effects, vec![Effect::Refresh]);
    assert_eq!(
        state.silence("sil-searcher").map(|s| s.ends_at),
        Some(now() + TimeDelta::hours(3))
    );
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("silence sil-searcher extended")
    );
    // A refresh still showing the old end does not undo it.
    update(&mut state, am_event("am", snapshot("am"), now()));
    assert_eq!(
        state.silence("sil-searcher").map(|s| s.ends_at),
        Some(now() + TimeDelta::hours(3))
    );
}

#[test]
fn e_on_an_unsilenced_alert_is_an_error_without_effect() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_CRIT);
    assert!(press(&mut state, 'e').is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some((
            "nothing to extend: critical_frontend_90th_percentile_search_request_duration has no open silence",
            Level::Error
        ))
    );
    assert!(state.overlays.is_empty());
}

#[test]
fn u_asks_then_y_expires_the_alerts_silence_and_no_is_the_default() {
    let mut state = fixture();
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    assert!(press(&mut state, 'u').is_empty());
    let p = pick(&state);
    assert_eq!(
        p.question(),
        format!("Expire 1 of 1 silence on {SEARCH_SILENCED}?")
    );
    assert_eq!(
        p.items[0].lines,
        vec![
            format!("sil-sear {{alertname=\"{SEARCH_SILENCED}\"}}"),
            "  by alice: \"sil-searcher: known issue, fix is rolling out\" · ends 2020-11-20 13:00 UTC · covers only this alert".to_string(),
        ]
    );
    assert!(
        p.items[0].selected,
        "alice's own silence of only this alert"
    );

    // Default: no.
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("cancelled")
    );

    press(&mut state, 'u');
    let effects = press(&mut state, 'y');
    assert_eq!(
        effects,
        vec![Effect::ExpireSilences(vec![(
            "am".into(),
            "sil-searcher".into()
        )])]
    );
    assert!(state.overlays.is_empty());

    // Done: the alert fires again at once, the silence is no longer open.
    let effects = update(
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
    assert_eq!(effects, vec![Effect::Refresh]);
    let a = alert_named(&state, SEARCH_SILENCED);
    assert_eq!((a.state, a.silenced_by.len()), (AlertState::Firing, 0));
    let open: Vec<&str> = state
        .open_silences()
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(open, vec!["sil-soon"]);
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("silence sil-searcher expired")
    );
}

#[test]
fn u_on_an_unsilenced_alert_is_an_error() {
    let mut state = fixture();
    select_alert(&mut state, SOURCE_CRIT);
    assert!(press(&mut state, 'u').is_empty());
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some((
            "nothing to expire: critical_gitserver_disk_space_remaining has no open silence",
            Level::Error
        ))
    );
}

#[test]
fn shift_s_lists_open_silences_soonest_end_first_and_u_expires_the_selected() {
    let mut state = fixture();
    assert!(press(&mut state, 'S').is_empty());
    assert_eq!(
        top_overlay(&state),
        Some(&Overlay::Silences(Box::new(
            crate::app::overlays::silences::SilencesList::at(0)
        )))
    );
    let order: Vec<(&str, DateTime<Utc>)> = state
        .open_silences()
        .iter()
        .map(|s| (s.id.as_str(), s.ends_at))
        .collect();
    assert_eq!(
        order,
        vec![
            ("sil-soon", now() + mins(30)),
            ("sil-searcher", now() + mins(60))
        ]
    );

    // Navigation is clamped to the list.
    press(&mut state, 'j');
    press(&mut state, 'j');
    assert_eq!(
        top_overlay(&state),
        Some(&Overlay::Silences(Box::new(
            crate::app::overlays::silences::SilencesList::at(1)
        )))
    );
    press(&mut state, 'k');
    press(&mut state, 'k');
    assert_eq!(
        top_overlay(&state),
        Some(&Overlay::Silences(Box::new(
            crate::app::overlays::silences::SilencesList::at(0)
        )))
    );
    press(&mut state, 'G');
    assert_eq!(
        top_overlay(&state),
        Some(&Overlay::Silences(Box::new(
            crate::app::overlays::silences::SilencesList::at(1)
        )))
    );
    // Keys of the alerts view do nothing here.
    assert!(press(&mut state, 'a').is_empty());
    assert_eq!(state.overlays.len(), 1);

    assert!(press(&mut state, 'u').is_empty());
    assert_eq!(confirm(&state).question, "Expire 1 silence (sil-searcher)?");
    assert_eq!(
        press(&mut state, 'y'),
        vec![Effect::ExpireSilences(vec![(
            "am".into(),
            "sil-searcher".into()
        )])]
    );
    // Back on the list.
    assert_eq!(
        top_overlay(&state),
        Some(&Overlay::Silences(Box::new(
            crate::app::overlays::silences::SilencesList::at(1)
        )))
    );

    press(&mut state, 'g');
    assert_eq!(press(&mut state, 'e'), vec![]);
    let effects = press(&mut state, 'y');
    let [Effect::ExtendSilences(reqs)] = effects.as_slice() else {
        panic!("expected ExtendSilences, got {effects:?}");
    };
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].silence.id.as_deref(), Some("sil-soon"));
    assert_eq!(
        reqs[0].silence.ends_at,
        now() + mins(30) + TimeDelta::hours(2)
    );

    code(&mut state, KeyCode::Esc);
    assert!(state.overlays.is_empty());
    press(&mut state, 'S');
    press(&mut state, 'S');
    assert!(state.overlays.is_empty());
}

/// A teammate's team-wide silence also covers the alert: `u` lists it with
/// its matchers, author and how many other alerts it covers, unselected;
/// only the user's own silence of this alert is expired unless they opt in.
#[test]
fn u_leaves_a_teammates_broad_silence_unselected_until_space() {
    let mut snap = snapshot("am");
    let mut team_wide = silence(
        "sil-team",
        vec![Matcher::equal("owner", "search")],
        240,
        SilenceState::Active,
        "am",
    );
    team_wide.created_by = "bob".into();
    snap.silences.push(team_wide);
    for a in &mut snap.alerts {
        if a.labels.get("owner") == Some("search") && a.name() != SEARCH_CRIT {
            a.silenced_by.push("sil-team".into());
            a.state = AlertState::Silenced;
        }
    }
    let mut state = fixture();
    update(&mut state, am_event("am", snap, now()));
    press(&mut state, 's');
    select_alert(&mut state, SEARCH_SILENCED);
    press(&mut state, 'u');
    let p = pick(&state);
    let ids: Vec<(&str, bool)> = p
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.selected))
        .collect();
    assert_eq!(ids, [("sil-searcher", true), ("sil-team", false)]);
    assert!(
        p.items[1].lines[0].ends_with(r#"{owner="search"}"#),
        "{:?}",
        p.items[1]
    );
    assert!(
        p.items[1].lines[1].starts_with("  by bob: ")
            && p.items[1].lines[1].ends_with("covers 2 alerts, 1 besides this one"),
        "{:?}",
        p.items[1]
    );
    assert_eq!(
        p.question(),
        format!("Expire 1 of 2 silences on {SEARCH_SILENCED}?")
    );
    // y expires exactly the selected one.
    assert_eq!(
        press(&mut state, 'y'),
        vec![Effect::ExpireSilences(vec![(
            "am".into(),
            "sil-searcher".into()
        )])]
    );

    // Opting in: j, space selects the teammate's silence too.
    press(&mut state, 'u');
    press(&mut state, 'j');
    press(&mut state, ' ');
    assert_eq!(
        pick(&state).question(),
        format!("Expire 2 of 2 silences on {SEARCH_SILENCED}?")
    );
    // Nothing selected: y says so and keeps the picker open.
    press(&mut state, ' ');
    press(&mut state, 'k');
    press(&mut state, ' ');
    assert_eq!(pick(&state).selected(), 0);
    assert!(press(&mut state, 'y').is_empty());
    assert!(matches!(top_overlay(&state), Some(Overlay::Pick(_))));
    assert_eq!(state.message.as_ref().map(|m| m.level), Some(Level::Error));
    // Any other key cancels.
    assert!(code(&mut state, KeyCode::Enter).is_empty());
    assert!(state.overlays.is_empty());
}
