//! Console-wide behaviour: the palette, read-only, URLs, notifications,
//! the mouse and the help screen.

use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEventKind};

use crate::alerts::client::ClientError;
use crate::alerts::model::{Alert, AlertmanagerSnapshot, SourceKind};
use crate::alerts::source::SourceEvent;
use crate::alerts::testing::AlertBuilder;
use crate::app::action::Action;
use crate::app::action::Effect;
use crate::app::state::AlertSettings;
use crate::app::state::{Focus, Overlay, State, View};
use crate::app::update::update;
use crossterm::event::{KeyModifiers, MouseEvent};

fn alert(name: &str, level: &str, owner: &str) -> Alert {
    AlertBuilder::new(&[("alertname", name), ("level", level), ("owner", owner)])
        .source("am")
        .generator_url("http://prom/graph")
        .build()
}

fn state() -> State {
    let config = crate::config::Config::default();
    State::new(
        AlertSettings::from_config(&config),
        vec![("am".into(), SourceKind::Alertmanager)],
        false,
        chrono::DateTime::UNIX_EPOCH,
    )
}

fn refresh(state: &mut State, alerts: Vec<Alert>) -> Vec<Effect> {
    update(
        state,
        Action::Source(SourceEvent::Alertmanager {
            name: "am".into(),
            result: Ok(AlertmanagerSnapshot {
                alerts,
                silences: vec![],
                peers: vec![],
                skipped: Vec::new(),
            }),
            at: chrono::DateTime::UNIX_EPOCH,
        }),
    )
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

#[test]
fn palette_switches_views_completes_and_remembers() {
    let mut s = state();
    typed(&mut s, ":");
    assert!(matches!(s.overlays.last(), Some(Overlay::Palette(_))));
    typed(&mut s, "rel");
    key(&mut s, KeyCode::Tab);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!()
    };
    assert_eq!(p.input.text(), "release");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Release);
    assert!(s.overlays.is_empty());
    // A unique prefix works too, and history recalls the last line.
    typed(&mut s, ":de");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Deploy);
    typed(&mut s, ":");
    key(&mut s, KeyCode::Up);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!()
    };
    assert_eq!(p.input.text(), "de");
    key(&mut s, KeyCode::Up);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!()
    };
    assert_eq!(p.input.text(), "release");
    key(&mut s, KeyCode::Esc);
    // Esc goes up to the parent, the overview — not back through the
    // visits (deploy, then release).
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Overview);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Overview);
}

#[test]
fn a_palette_command_does_what_its_key_does_in_its_view() {
    use crate::app::keymap::{Command, Context, PaletteCommand, palette};
    for entry in palette() {
        let PaletteCommand::Run(cmd) = entry.command else {
            continue;
        };
        let mut by_key = state();
        by_key.view = View::Release;
        let mut by_palette = by_key.clone();
        // By key: go to the view that binds it, then press it.
        let home = match entry.context {
            Context::Alerts | Context::Silences => Some(View::Alerts),
            Context::Release => Some(View::Release),
            Context::Deploy => Some(View::Deploy),
            Context::Overview => Some(View::Overview),
            Context::Global => None,
        };
        if let Some(v) = home.filter(|v| *v != by_key.view) {
            crate::app::nav::go(&mut by_key, v);
        }
        if cmd == Command::Ack {
            by_key.alerts.focus = crate::app::state::Focus::Alerts;
        }
        let key_effects = crate::app::update::command(&mut by_key, cmd);
        typed(&mut by_palette, &format!(":{}", entry.name));
        let palette_effects = key(&mut by_palette, KeyCode::Enter);
        assert_eq!(palette_effects, key_effects, ":{}", entry.name);
        assert_eq!(
            (by_palette.view, &by_palette.overlays),
            (by_key.view, &by_key.overlays),
            ":{}",
            entry.name
        );
    }
}

#[test]
fn a_rejected_palette_line_clears_and_the_next_colon_starts_afresh() {
    let mut s = state();
    typed(&mut s, ":frobnicate");
    key(&mut s, KeyCode::Enter);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("the palette stays open")
    };
    assert_eq!(p.input.text(), "");
    assert_eq!(
        p.error.as_deref(),
        Some("unknown command :frobnicate — Tab lists the commands")
    );
    typed(&mut s, ":bump-a");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Deploy, "no '::bump-a'");
}

#[test]
fn palette_errors_keep_it_open() {
    let mut s = state();
    typed(&mut s, ":frobnicate");
    key(&mut s, KeyCode::Enter);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("closed")
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("unknown command :frobnicate"))
    );
    key(&mut s, KeyCode::Esc);
    typed(&mut s, ":theme");
    key(&mut s, KeyCode::Enter);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("closed")
    };
    assert_eq!(p.error.as_deref(), Some(":theme needs an argument"));
    key(&mut s, KeyCode::Esc);
    typed(&mut s, ":alerts x");
    key(&mut s, KeyCode::Enter);
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("closed")
    };
    assert_eq!(
        p.error.as_deref(),
        Some(":alerts takes no argument (got \"x\")")
    );
    key(&mut s, KeyCode::Esc);
    typed(&mut s, ":theme light");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::LoadTheme("light".into())]
    );
    typed(&mut s, ":context prod");
    assert!(key(&mut s, KeyCode::Enter).is_empty(), "no such context");
    s.contexts = vec!["prod".into()];
    typed(&mut s, ":context prod");
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        vec![Effect::SwitchContext("prod".into())]
    );
    typed(&mut s, ":filter level=critical");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.alerts.filter.input.text(), "level=critical");
    assert_eq!(s.view, View::Alerts);
}

#[test]
fn read_only_refuses_every_change_with_a_reason() {
    let mut s = state();
    refresh(&mut s, vec![alert("a", "critical", "search")]);
    s.read_only = true;
    s.alerts.focus = Focus::Alerts;
    for k in ['a', 'A', 'e', 'u'] {
        s.message = None;
        assert!(key(&mut s, KeyCode::Char(k)).is_empty());
        assert!(s.overlays.is_empty(), "{k}: no dialog");
        let m = s.message.clone().expect("a reason");
        assert!(m.text.starts_with("read-only:"), "{k}: {}", m.text);
    }
    s.view = View::Release;
    assert!(key(&mut s, KeyCode::Char(' ')).is_empty());
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    s.view = View::Deploy;
    assert!(key(&mut s, KeyCode::Char('b')).is_empty());
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("bumping"))
    );
    // The reason names how read-only came on.
    assert!(s.message.as_ref().is_some_and(|m| {
        m.text
            .ends_with("(switched on with :readonly for this session)")
    }));
    s.read_only_locked = true;
    key(&mut s, KeyCode::Char('b'));
    assert!(s.message.as_ref().is_some_and(|m| {
        m.text
            .ends_with("(started with --read-only or read_only = true)")
    }));
}

#[test]
fn notifications_once_per_new_critical_and_not_for_the_first_load() {
    let mut s = state();
    let first = refresh(&mut s, vec![alert("old", "critical", "search")]);
    assert!(first.is_empty(), "the first load only records");
    let next = refresh(
        &mut s,
        vec![
            alert("old", "critical", "search"),
            alert("new", "critical", "search"),
            alert("warn", "warning", "search"),
        ],
    );
    assert_eq!(next.len(), 1, "{next:?}");
    assert!(matches!(&next[0], Effect::Notify { title, .. } if title == "critical: new (search)"));
    let again = refresh(&mut s, vec![alert("new", "critical", "search")]);
    assert!(again.is_empty(), "at most one per alert");
    // Only the configured teams.
    s.alerts.notify.teams = vec!["other".into()];
    let other = refresh(&mut s, vec![alert("third", "critical", "search")]);
    assert!(other.is_empty());
    // A failed refresh notifies nothing.
    let failed = update(
        &mut s,
        Action::Source(SourceEvent::Alertmanager {
            name: "am".into(),
            result: Err(ClientError {
                source: "am".into(),
                message: "connection refused".into(),
                status: None,
            }),
            at: chrono::DateTime::UNIX_EPOCH,
        }),
    );
    assert!(failed.is_empty());
}

#[test]
fn links_open_and_copy() {
    let mut s = state();
    refresh(&mut s, vec![alert("a", "critical", "search")]);
    assert_eq!(
        key(&mut s, KeyCode::Char('o')),
        vec![Effect::OpenUrl("http://prom/graph".into())]
    );
    assert_eq!(
        key(&mut s, KeyCode::Char('y')),
        vec![Effect::Copy("http://prom/graph".into())]
    );
    // The overview: the alert under its cursor has the same link; its
    // team has none.
    s.view = View::Overview;
    assert_eq!(
        key(&mut s, KeyCode::Char('o')),
        vec![Effect::OpenUrl("http://prom/graph".into())]
    );
    key(&mut s, KeyCode::Char('j'));
    assert!(key(&mut s, KeyCode::Char('o')).is_empty());
    assert!(s.message.as_ref().is_some_and(|m| m.text == "no link here"));
}

#[test]
fn mouse_selects_and_scrolls() {
    let mut s = state();
    refresh(
        &mut s,
        vec![
            alert("a", "critical", "search"),
            alert("b", "warning", "cloud"),
            alert("c", "warning", "cloud"),
        ],
    );
    let click = |column, row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    // The mouse reads where the last frame drew the lists.
    let draw = |s: &mut State| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(s.cols, s.rows))
                .expect("terminal");
        let mut hits = crate::app::state::HitMap::default();
        terminal
            .draw(|f| crate::ui::render_recording(s, f, &mut hits))
            .expect("draw");
        s.hits = hits;
    };
    draw(&mut s);
    update(&mut s, Action::Mouse(click(5, 3)));
    assert_eq!((s.alerts.focus, s.alerts.team), (Focus::Teams, 1));
    draw(&mut s);
    update(&mut s, Action::Mouse(click(50, 4)));
    assert_eq!((s.alerts.focus, s.alerts.alert), (Focus::Alerts, 1));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 50,
        row: 4,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut s, Action::Mouse(wheel));
    assert_eq!(s.alerts.alert, 0);
}
