//! update tests: Data, grouping, selection.

use super::*;

// ---------------------------------------------------------------------------
// Data, grouping, selection
// ---------------------------------------------------------------------------

#[test]
fn sources_are_merged_grouped_by_team_with_counts_and_unowned_bucket() {
    let state = fixture();
    assert_eq!(state.alerts.all.len(), 6);
    // search: 1 critical + 1 warning shown, 1 silenced hidden; source: 1
    // critical + 1 pending warning; unowned: 1 warning.
    assert_eq!(team_names(&state), vec!["search", "source", UNOWNED]);
    let search = &state.alerts.groups[0];
    assert_eq!(search.counts, [1, 0, 1, 0, 0]);
    assert_eq!(search.hidden, 1);
    assert_eq!(search.worst(), Severity::Critical);
    assert_eq!(
        group_alert_names(&state, "search"),
        vec![SEARCH_CRIT, SEARCH_WARN]
    );
    let source = &state.alerts.groups[1];
    assert_eq!(source.counts, [1, 0, 1, 0, 0]);
    assert_eq!(source.hidden, 0);
    assert_eq!(
        group_alert_names(&state, "source"),
        vec![SOURCE_CRIT, SOURCE_PENDING]
    );
    let unowned = &state.alerts.groups[2];
    assert_eq!(unowned.counts, [0, 0, 1, 0, 0]);
    assert_eq!(group_alert_names(&state, UNOWNED), vec![UNOWNED_WARN]);

    let pending = alert_named(&state, SOURCE_PENDING);
    assert_eq!(pending.state, AlertState::Pending);
    assert_eq!(pending.sources, vec!["prom"]);
    assert_eq!(pending.severity, Severity::Warning);
    let silenced = alert_named(&state, SEARCH_SILENCED);
    assert_eq!(silenced.state, AlertState::Silenced);
    assert_eq!(silenced.team, "search");

    // The expired silence is merged but not open.
    assert_eq!(state.alerts.silences.len(), 3);
    let open: Vec<&str> = state
        .open_silences()
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(open, vec!["sil-soon", "sil-searcher"]);

    let am = state.source("am").expect("am");
    assert_eq!(
        (am.last_ok, am.error.as_deref(), am.ok()),
        (Some(now()), None, true)
    );
}

#[test]
fn a_firing_prometheus_twin_is_shown_once() {
    let mut state = fixture();
    let mut twin = source_crit("prom");
    twin.state = AlertState::Firing;
    update(&mut state, prom_event(vec![source_pending(), twin]));
    assert_eq!(state.alerts.all.len(), 6);
    let a = alert_named(&state, SOURCE_CRIT);
    assert_eq!(a.sources, vec!["am", "prom"]);
    assert_eq!(a.state, AlertState::Firing);
}

#[test]
fn fetching_marks_the_source_and_a_result_clears_it() {
    let mut state = fixture();
    update(
        &mut state,
        Action::Source(SourceEvent::Fetching { name: "am".into() }),
    );
    assert!(state.source("am").expect("am").fetching);
    // Unknown sources are ignored.
    update(
        &mut state,
        Action::Source(SourceEvent::Fetching {
            name: "nope".into(),
        }),
    );
    assert_eq!(state.sources.len(), 2);
    update(&mut state, am_event("am", snapshot("am"), now()));
    assert!(!state.source("am").expect("am").fetching);
}

#[test]
fn j_k_g_g_move_the_team_then_the_alert_selection_and_tab_switches_focus() {
    let mut state = fixture();
    assert_eq!(
        (state.alerts.focus, state.alerts.team, state.alerts.alert),
        (Focus::Teams, 0, 0)
    );
    assert_eq!(selected_name(&state), SEARCH_CRIT);

    press(&mut state, 'j');
    assert_eq!(
        state.selected_group().map(|g| g.key.as_str()),
        Some("source")
    );
    assert_eq!(selected_name(&state), SOURCE_CRIT);
    press(&mut state, 'j');
    press(&mut state, 'j'); // clamps at the last team
    assert_eq!(state.alerts.team, 2);
    assert_eq!(
        state.selected_group().map(|g| g.key.as_str()),
        Some(UNOWNED)
    );
    press(&mut state, 'k');
    assert_eq!(state.alerts.team, 1);
    press(&mut state, 'g');
    assert_eq!(state.alerts.team, 0);
    press(&mut state, 'G');
    assert_eq!(state.alerts.team, 2);
    press(&mut state, 'g');

    code(&mut state, KeyCode::Tab);
    assert_eq!(state.alerts.focus, Focus::Alerts);
    press(&mut state, 'j');
    assert_eq!((state.alerts.team, state.alerts.alert), (0, 1));
    assert_eq!(selected_name(&state), SEARCH_WARN);
    press(&mut state, 'j'); // clamps: two shown alerts
    assert_eq!(state.alerts.alert, 1);
    press(&mut state, 'k');
    assert_eq!(state.alerts.alert, 0);
    press(&mut state, 'G');
    assert_eq!(state.alerts.alert, 1);
    code(&mut state, KeyCode::Up);
    assert_eq!(state.alerts.alert, 0);
    code(&mut state, KeyCode::End);
    assert_eq!(state.alerts.alert, 1);
    code(&mut state, KeyCode::Home);
    assert_eq!(state.alerts.alert, 0);

    code(&mut state, KeyCode::Tab);
    assert_eq!(state.alerts.focus, Focus::Teams);
    // Moving the team resets the alert selection.
    code(&mut state, KeyCode::Tab);
    press(&mut state, 'j');
    code(&mut state, KeyCode::BackTab);
    press(&mut state, 'j');
    assert_eq!((state.alerts.team, state.alerts.alert), (1, 0));
}

#[test]
fn enter_focuses_the_alerts_then_toggles_the_detail_and_esc_backs_out() {
    let mut state = fixture();
    code(&mut state, KeyCode::Enter);
    assert_eq!(
        (state.alerts.focus, state.alerts.detail),
        (Focus::Alerts, false)
    );
    code(&mut state, KeyCode::Enter);
    assert!(state.alerts.detail);
    code(&mut state, KeyCode::Esc);
    assert_eq!(
        (state.alerts.focus, state.alerts.detail),
        (Focus::Alerts, false)
    );
    code(&mut state, KeyCode::Esc);
    assert_eq!(state.alerts.focus, Focus::Teams);
}

#[test]
fn page_keys_use_the_page_size_from_resize() {
    let mut state = State::new(
        settings(),
        vec![("am".into(), SourceKind::Alertmanager)],
        false,
        now(),
    );
    let alerts: Vec<Alert> = (0..30)
        .map(|i| {
            alert(
                &[("alertname", &format!("a{i:02}")), ("owner", "x")],
                "am",
                AlertState::Firing,
                i,
            )
        })
        .collect();
    update(
        &mut state,
        am_event(
            "am",
            AlertmanagerSnapshot {
                alerts,
                silences: vec![],
                peers: vec![],
                skipped: Vec::new(),
            },
            now(),
        ),
    );
    update(&mut state, Action::Resize(120, 18));
    assert_eq!(state.page, 10);
    code(&mut state, KeyCode::Tab);
    code(&mut state, KeyCode::PageDown);
    assert_eq!(state.alerts.alert, 10);
    ctrl(&mut state, 'd');
    ctrl(&mut state, 'd');
    ctrl(&mut state, 'd');
    assert_eq!(state.alerts.alert, 29);
    ctrl(&mut state, 'u');
    assert_eq!(state.alerts.alert, 19);
    code(&mut state, KeyCode::PageUp);
    code(&mut state, KeyCode::PageUp);
    assert_eq!(state.alerts.alert, 0);
    // A tiny terminal still pages by one row.
    update(&mut state, Action::Resize(120, 3));
    assert_eq!(state.page, 1);
}

#[test]
fn selection_stays_on_the_same_alert_when_a_refresh_reorders_them() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_WARN);
    assert_eq!(state.alerts.alert, 1);
    let fp = state
        .selected_alert()
        .expect("selected")
        .fingerprint
        .clone();

    // The source lists its alerts in another order and a newer critical
    // alert for search sorts above the selected one.
    let mut snap = snapshot("am");
    snap.alerts.reverse();
    snap.alerts.push(sg_alert(
        sg(
            "critical",
            "zoekt-webserver",
            "indexed_search_request_errors",
            Some("search"),
            "5%+ indexed search request errors",
        ),
        "am",
        AlertState::Firing,
        1,
    ));
    update(&mut state, am_event("am", snap, now()));
    assert_eq!(
        group_alert_names(&state, "search"),
        vec![
            "critical_zoekt-webserver_indexed_search_request_errors",
            SEARCH_CRIT,
            SEARCH_WARN
        ]
    );
    assert_eq!(state.alerts.alert, 2);
    assert_eq!(state.selected_alert().expect("selected").fingerprint, fp);

    // Now make another team sort first: the selected team follows too.
    let mut snap = snapshot("am");
    for i in 0..3 {
        snap.alerts.push(alert(
            &[
                ("alertname", &format!("Down{i}")),
                ("team", "platform"),
                ("severity", "critical"),
            ],
            "am",
            AlertState::Firing,
            5,
        ));
    }
    update(&mut state, am_event("am", snap, now()));
    assert_eq!(
        team_names(&state),
        vec!["platform", "search", "source", UNOWNED]
    );
    assert_eq!(state.alerts.team, 1);
    assert_eq!(state.selected_alert().expect("selected").fingerprint, fp);
}

#[test]
fn selection_is_clamped_when_the_selected_alert_resolves() {
    let mut state = fixture();
    select_alert(&mut state, SEARCH_WARN);
    let mut snap = snapshot("am");
    snap.alerts.retain(|a| a.name() != SEARCH_WARN);
    update(&mut state, am_event("am", snap, now()));
    assert_eq!(state.alerts.alert, 0);
    assert_eq!(selected_name(&state), SEARCH_CRIT);
}
