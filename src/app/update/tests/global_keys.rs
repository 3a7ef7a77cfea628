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
