//! Insta snapshots of the silences list's `/` filter and a silence's
//! detail at 80×24 and 120×36, from the fixture of `snapshots.rs` (three
//! open silences; two of them cover an alert each).

use crossterm::event::KeyCode;
use opsdeck::app::{Action, State, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::snapshots::{key, keys, loaded};

fn at(cols: u16, rows: u16) -> State {
    let mut state = loaded(false);
    update(&mut state, Action::Resize(cols, rows));
    state
}

fn screen(state: &State) -> TestBackend {
    let mut terminal =
        Terminal::new(TestBackend::new(state.cols, state.rows)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    terminal.backend().clone()
}

fn text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `level=warning`: the INC and postgres silences by the warnings they
/// cover; not the staging maintenance (no `level` matcher, no alert).
fn filtered(cols: u16, rows: u16) -> State {
    let mut state = at(cols, rows);
    keys(&mut state, "S/level=warning");
    key(&mut state, KeyCode::Enter);
    state
}

#[test]
fn silences_filtered_at_80x24_and_120x36() {
    for (cols, rows, name) in [
        (80, 24, "silences_filtered_80"),
        (120, 36, "silences_filtered_120"),
    ] {
        let state = filtered(cols, rows);
        let backend = screen(&state);
        let shown = text(&backend);
        assert!(
            shown.contains("Silences (2 of 3) · filter: level=warning"),
            "{shown}"
        );
        assert!(shown.contains("INC-1234"), "{shown}");
        assert!(!shown.contains("staging maintenance"), "{shown}");
        insta::assert_snapshot!(name, backend);
    }
}

#[test]
fn silences_filter_being_typed_with_an_error_keeps_the_list() {
    let mut state = at(120, 36);
    // `x=~` (no silence or alert has `x`: as "") parses; `(` does not.
    keys(&mut state, "S/level=warning x=~(");
    let backend = screen(&state);
    let shown = text(&backend);
    assert!(shown.contains("Silences (2 of 3)"), "{shown}");
    let last = shown.lines().last().unwrap_or_default().to_string();
    assert!(
        last.starts_with("/level=warning x=~(█  invalid regex"),
        "{last}"
    );
    insta::assert_snapshot!("silences_filter_error_120", backend);
}

#[test]
fn silence_detail_at_80x24_and_120x36() {
    for (cols, rows, name) in [
        (80, 24, "silence_detail_80"),
        (120, 36, "silence_detail_120"),
    ] {
        let mut state = filtered(cols, rows);
        // The second row: the INC silence (two matchers).
        keys(&mut state, "j");
        key(&mut state, KeyCode::Enter);
        let backend = screen(&state);
        let shown = text(&backend);
        assert!(shown.contains("Covers 1 alert now:"), "{shown}");
        assert!(shown.contains("held by     prod"), "{shown}");
        assert!(shown.contains("INC-1234: rollback in progress"), "{shown}");
        assert!(
            shown.contains("frontend_internal_api_error_responses"),
            "{shown}"
        );
        insta::assert_snapshot!(name, backend);
    }
}
