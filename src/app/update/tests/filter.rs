//! update tests: Filter and suppressed alerts.

use super::*;

// ---------------------------------------------------------------------------
// Filter and suppressed alerts
// ---------------------------------------------------------------------------

#[test]
fn filter_narrows_live_keeps_last_good_on_error_and_esc_clears() {
    let mut state = fixture();
    press(&mut state, '/');
    assert!(state.alerts.filter.editing);
    // While editing, keys are text: `q` does not quit, `j` does not move.
    type_text(&mut state, "qj");
    assert!(!state.quit);
    assert_eq!((state.alerts.team, state.alerts.alert), (0, 0));
    assert_eq!(state.alerts.filter.input.text(), "qj");
    ctrl(&mut state, 'u');
    type_text(&mut state, "zoekt");
    assert_eq!(state.alerts.filter.input.text(), "zoekt");
    assert_eq!(team_names(&state), vec!["search"]);
    assert_eq!(group_alert_names(&state, "search"), vec![SEARCH_WARN]);

    ctrl(&mut state, 'u');
    assert_eq!(state.alerts.filter.input.text(), "");
    assert_eq!(team_names(&state), vec!["search", "source", UNOWNED]);

    type_text(&mut state, "level=critical");
    assert_eq!(team_names(&state), vec!["search", "source"]);
    assert_eq!(group_alert_names(&state, "search"), vec![SEARCH_CRIT]);
    assert_eq!(group_alert_names(&state, "source"), vec![SOURCE_CRIT]);
    assert_eq!(state.alerts.filter.error, None);

    // ` =` has no label name: the error shows, the last good filter stays.
    type_text(&mut state, " =");
    assert_eq!(state.alerts.filter.input.text(), "level=critical =");
    assert_eq!(
        state.alerts.filter.error.as_deref(),
        Some("matcher at column 16 has no label name before '='")
    );
    assert_eq!(
        state.alerts.filter.applied,
        Filter::parse("level=critical").expect("valid")
    );
    assert_eq!(team_names(&state), vec!["search", "source"]);
    // Enter does not leave an invalid filter looking applied.
    code(&mut state, KeyCode::Enter);
    assert!(state.alerts.filter.editing);
    assert_eq!(
        state.message.as_ref().map(|m| (m.text.as_str(), m.level)),
        Some((
            "filter not applied: matcher at column 16 has no label name before '=' (fix it, or Esc to clear)",
            Level::Error
        ))
    );

    code(&mut state, KeyCode::Backspace);
    assert_eq!(state.alerts.filter.error, None);

    code(&mut state, KeyCode::Esc);
    assert!(!state.alerts.filter.editing);
    assert_eq!(state.alerts.filter.input.text(), "");
    assert_eq!(state.alerts.filter.error, None);
    assert!(state.alerts.filter.applied.is_empty());
    assert_eq!(team_names(&state), vec!["search", "source", UNOWNED]);
}

#[test]
fn enter_keeps_the_filter_and_esc_later_clears_it() {
    let mut state = fixture();
    press(&mut state, '/');
    type_text(&mut state, "@team=source");
    code(&mut state, KeyCode::Enter);
    assert!(!state.alerts.filter.editing);
    assert_eq!(team_names(&state), vec!["source"]);
    // Keys are commands again.
    code(&mut state, KeyCode::Tab);
    press(&mut state, 'j');
    assert_eq!(selected_name(&state), SOURCE_PENDING);
    code(&mut state, KeyCode::Esc);
    assert!(state.alerts.filter.applied.is_empty());
    assert_eq!(state.alerts.filter.input.text(), "");
    assert_eq!(team_names(&state), vec!["search", "source", UNOWNED]);
    // The selection followed the alert to its place in the full list.
    assert_eq!(selected_name(&state), SOURCE_PENDING);
}

#[test]
fn s_toggles_silenced_alerts_and_the_hidden_count() {
    let mut state = fixture();
    assert_eq!(state.alerts.groups[0].hidden, 1);
    assert_eq!(state.alerts.groups[0].total(), 2);
    assert!(press(&mut state, 's').is_empty());
    assert!(state.alerts.show_suppressed);
    let search = &state.alerts.groups[0];
    assert_eq!(
        (search.key.as_str(), search.total(), search.hidden),
        ("search", 3, 0)
    );
    // Listed, the silenced alert is still not counted as active.
    assert_eq!(search.counts, [1, 0, 1, 0, 0]);
    assert_eq!((search.silenced, search.inhibited), (1, 0));
    assert_eq!(
        group_alert_names(&state, "search"),
        vec![SEARCH_CRIT, SEARCH_SILENCED, SEARCH_WARN]
    );
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("showing silenced and inhibited alerts")
    );
    press(&mut state, 's');
    assert!(!state.alerts.show_suppressed);
    assert_eq!(
        (
            state.alerts.groups[0].total(),
            state.alerts.groups[0].hidden
        ),
        (2, 1)
    );
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("hiding silenced and inhibited alerts")
    );
}

#[test]
fn an_info_message_fades_after_eight_seconds_but_an_error_stays() {
    let mut state = fixture();
    press(&mut state, 's');
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(7)));
    assert!(state.message.is_some());
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(8)));
    assert_eq!(state.message, None);

    select_alert(&mut state, SEARCH_CRIT);
    press(&mut state, 'e'); // not silenced: an error
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(60)));
    assert_eq!(state.message.as_ref().map(|m| m.level), Some(Level::Error));
}
