//! update tests: Global keys.

use super::*;

// ---------------------------------------------------------------------------
// Global keys
// ---------------------------------------------------------------------------

#[test]
fn q_and_ctrl_c_quit() {
    let mut state = fixture();
    assert_eq!(press(&mut state, 'q'), vec![Effect::Quit]);
    assert!(state.quit);

    let mut state = fixture();
    assert_eq!(ctrl(&mut state, 'c'), vec![Effect::Quit]);
    assert!(state.quit);

    // From the help screen and the silences list too.
    let mut state = fixture();
    press(&mut state, '?');
    assert_eq!(ctrl(&mut state, 'c'), vec![Effect::Quit]);
    let mut state = fixture();
    press(&mut state, 'S');
    assert_eq!(press(&mut state, 'q'), vec![Effect::Quit]);
}

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut state = fixture();
    assert!(press(&mut state, '?').is_empty());
    assert_eq!(state.overlays, vec![Overlay::Help(0)]);
    // Other keys are swallowed.
    assert!(press(&mut state, 'j').is_empty());
    assert_eq!(state.alerts.team, 0);
    assert!(code(&mut state, KeyCode::Esc).is_empty());
    assert!(state.overlays.is_empty());
    press(&mut state, '?');
    press(&mut state, '?');
    assert!(state.overlays.is_empty());
    // Small terminals scroll it: j/k, G to the end, g back, clamped.
    update(&mut state, Action::Resize(80, 24));
    press(&mut state, '?');
    let lines = crate::ui::overlays::help::help_lines(&state.keymap, state.cols);
    assert!(lines > 20, "one column at 80 wide: {lines} lines");
    let max = lines - 20;
    press(&mut state, 'j');
    assert_eq!(state.overlays, vec![Overlay::Help(1)]);
    press(&mut state, 'G');
    assert_eq!(state.overlays, vec![Overlay::Help(max)]);
    press(&mut state, 'j');
    assert_eq!(
        state.overlays,
        vec![Overlay::Help(max)],
        "clamped at the end"
    );
    press(&mut state, 'k');
    assert_eq!(state.overlays, vec![Overlay::Help(max - 1)]);
    press(&mut state, 'g');
    assert_eq!(state.overlays, vec![Overlay::Help(0)]);
    code(&mut state, KeyCode::Esc);
    // `q` on help closes it rather than quitting.
    press(&mut state, '?');
    assert!(press(&mut state, 'q').is_empty());
    assert!(!state.quit);
    assert!(state.overlays.is_empty());
}

#[test]
fn r_refreshes_and_number_keys_switch_views() {
    let mut state = fixture();
    assert_eq!(press(&mut state, 'r'), vec![Effect::Refresh]);
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("refreshing…")
    );
    press(&mut state, '2');
    assert_eq!(state.view, View::Release);
    // Alerts keys do nothing elsewhere.
    assert!(press(&mut state, 'a').is_empty());
    assert!(state.overlays.is_empty());
    press(&mut state, 'j');
    assert_eq!(state.alerts.team, 0);
    press(&mut state, '3');
    assert_eq!(state.view, View::Deploy);
    press(&mut state, '1');
    assert_eq!(state.view, View::Alerts);
    // Commands can be sent directly as well.
    assert_eq!(
        update(&mut state, Action::Command(Command::Quit)),
        vec![Effect::Quit]
    );
}

#[test]
fn a_key_the_view_does_not_bind_says_where_it_works_or_that_it_does_nothing() {
    let mut state = fixture();
    press(&mut state, '0');
    assert_eq!(state.view, View::Overview);
    let text = |s: &State| s.message.as_ref().map(|m| m.text.clone());
    assert_eq!(press(&mut state, 'a'), Vec::new());
    assert_eq!(
        text(&state).as_deref(),
        Some("a (acknowledge: silence the alert or marks) works in the alerts view — press 1")
    );
    press(&mut state, 'Z');
    assert_eq!(
        text(&state).as_deref(),
        Some("Z does nothing here — ? lists the keys")
    );
    // The deploy view's keys from the alerts view.
    press(&mut state, '1');
    press(&mut state, 'B');
    assert_eq!(
        text(&state).as_deref(),
        Some("B (bump all out of sync and moved channels) works in the deploy view — press 3")
    );
}

#[test]
fn slash_on_the_overview_filters_the_alerts() {
    let mut state = fixture();
    press(&mut state, '0');
    press(&mut state, '/');
    assert_eq!(state.view, View::Alerts);
    assert!(state.alerts.filter.editing);
    type_text(&mut state, "@severity=critical");
    code(&mut state, KeyCode::Enter);
    assert!(!state.alerts.filter.editing);
    assert_eq!(state.alerts.filter.input.text(), "@severity=critical");
    // Esc goes back to where the user came from.
    code(&mut state, KeyCode::Esc);
    code(&mut state, KeyCode::Esc);
    assert_eq!(state.view, View::Overview);
}
