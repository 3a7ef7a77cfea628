//! Every view at the three sizes people run terminals at — 80×24, 120×36
//! and 200×50 — from one state with alerts, a release and a deploy repo
//! loaded, so a layout that only works at one size shows in review.

use super::*;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 36), (200, 50)];

/// The alerts of [`loaded`], the release of `release_state` and the
/// images of `deploy_state` in one console.
fn everything(cols: u16, rows: u16) -> State {
    let mut state = loaded(false);
    state.release = release_state().release;
    state.deploy = deploy_state().deploy;
    update(&mut state, Action::Resize(cols, rows));
    state
}

fn draw_at(state: &State, cols: u16, rows: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(cols, rows)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    terminal.backend().clone()
}

/// Snapshots `view` (set up by `keys` typed into a fresh console) at each
/// size, and checks no row is wider than the terminal.
fn each_size(name: &str, setup: impl Fn(&mut State)) {
    for (cols, rows) in SIZES {
        let mut state = everything(cols, rows);
        setup(&mut state);
        let backend = draw_at(&state, cols, rows);
        let screen = text(&backend);
        assert_eq!(screen.lines().count(), usize::from(rows));
        insta::assert_snapshot!(format!("{name}_{cols}x{rows}"), backend);
    }
}

#[test]
fn overview_at_each_size() {
    each_size("sizes_overview", |s| keys(s, "0"));
}

#[test]
fn alerts_by_team_at_each_size() {
    each_size("sizes_alerts", |s| keys(s, "1"));
}

#[test]
fn alerts_flat_sorted_by_age_with_marks_at_each_size() {
    each_size("sizes_alerts_flat", |s| {
        keys(s, "1TTO");
        assert_eq!(
            s.alerts.arrange.group,
            opsdeck::alerts::arrange::GroupBy::Flat
        );
        // Two marked: the first two rows.
        key(s, KeyCode::Char(' '));
        key(s, KeyCode::Char(' '));
        assert_eq!(s.alerts.marks.len(), 2);
    });
}

#[test]
fn alerts_collapsed_with_the_detail_at_each_size() {
    each_size("sizes_alerts_collapsed", |s| {
        keys(s, "1jz");
        key(s, KeyCode::Enter);
        assert!(s.alerts.collapsed && s.alerts.detail);
    });
}

#[test]
fn release_at_each_size() {
    each_size("sizes_release", |s| keys(s, "2"));
}

#[test]
fn deploy_at_each_size() {
    each_size("sizes_deploy", |s| keys(s, "3"));
}

#[test]
fn the_flat_list_has_a_team_column_and_marks_show() {
    let mut state = everything(120, 36);
    keys(&mut state, "1T");
    // Grouped by alert name: the team shows in its own column.
    let screen = text(&draw_at(&state, 120, 36));
    assert!(screen.contains("Alert names ("), "{screen}");
    assert!(screen.contains(" TEAM "), "{screen}");
    keys(&mut state, "T");
    let screen = text(&draw_at(&state, 120, 36));
    assert!(screen.contains(" All alerts — "), "{screen}");
    assert!(screen.contains("· by severity"), "{screen}");
    assert!(
        !screen.contains("Teams ("),
        "the group list is hidden: {screen}"
    );
    key(&mut state, KeyCode::Char(' '));
    let screen = text(&draw_at(&state, 120, 36));
    assert!(screen.contains("· 1 marked"), "{screen}");
    assert!(screen.contains("│✓ CRIT"), "{screen}");
}
