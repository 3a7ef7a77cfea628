//! The overview update, without a terminal: j/k across the sections, g/G,
//! Enter on each kind of row, `o`/`y` on a row's link, the cursor kept on
//! the same thing across a refresh, the highlight and a click.

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::state::Item;
use super::update::rows;
use crate::alerts::model::{Alert, AlertState, AlertmanagerSnapshot, SourceKind};
use crate::alerts::source::SourceEvent;
use crate::alerts::testing::AlertBuilder;
use crate::app::action::{Action, Effect};
use crate::app::overlays::Overlay;
use crate::app::overlays::blockers::Blockers;
use crate::app::state::{AlertSettings, Focus, State, View};
use crate::app::update;
use crate::deploy::sync::{DeploySnapshot, ImageStatus, SyncState};
use crate::release::backend::ReleaseDoc;
use crate::release::blockers::Blocker;
use crate::release::tasklist::Checklist;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 12, 1, 12, 0, 0)
        .single()
        .expect("time")
}

fn alert(fp: &str, name: &str, team: &str, level: &str, minutes_ago: i64) -> Alert {
    AlertBuilder::new(&[("alertname", name), ("owner", team), ("level", level)])
        .fingerprint(fp)
        .source("am")
        .state(AlertState::Firing)
        .starts_at(now() - chrono::TimeDelta::minutes(minutes_ago))
        .generator_url(&format!("http://prom/{name}"))
        .build()
}

fn alerts_event(alerts: Vec<Alert>) -> Action {
    Action::Source(SourceEvent::Alertmanager {
        name: "am".into(),
        result: Ok(AlertmanagerSnapshot {
            alerts,
            silences: Vec::new(),
            peers: Vec::new(),
            skipped: Vec::new(),
        }),
        at: now(),
    })
}

fn two_alerts() -> Vec<Alert> {
    vec![
        alert("fp-crit", "DiskFull", "search", "critical", 5),
        alert("fp-warn", "SlowQuery", "cloud", "warning", 10),
    ]
}

fn blocker(number: u64) -> Blocker {
    Blocker {
        repo: "o/r".into(),
        number,
        title: format!("blocker {number}"),
        url: format!("https://github.example/o/r/issues/{number}"),
        assignee: None,
        labels: vec!["release-blocker".into()],
        created_at: now(),
    }
}

fn doc() -> ReleaseDoc {
    let body = "- [x] Freeze\n- [ ] Tag\n- [ ] Ship\n";
    let blockers = vec![blocker(11), blocker(12)];
    ReleaseDoc {
        repo: "o/r".into(),
        number: Some(7),
        title: "3.23".into(),
        milestone: None,
        assignee: None,
        blockers: Some(blockers.len()),
        blocker_query: None,
        blocker_issues: Some(blockers),
        warnings: Vec::new(),
        links: Default::default(),
        read_back: false,
        url: Some("https://github.example/o/r/issues/7".into()),
        body: body.into(),
        checklist: Checklist::parse(body),
    }
}

fn image(key: &str, sync: SyncState) -> ImageStatus {
    let repository = key.split_once('/').map_or(key, |(_, r)| r).to_string();
    ImageStatus {
        key: key.into(),
        host: "reg".into(),
        repository,
        refs: Vec::new(),
        pinned_tag: Some("1.0.0".into()),
        pinned_digest: None,
        policy: None,
        channel: None,
        published: None,
        sync,
        reason: Some("1.0.0 → 1.1.0".into()),
        running: Vec::new(),
    }
}

fn snapshot(images: Vec<ImageStatus>) -> DeploySnapshot {
    DeploySnapshot {
        images,
        untracked: Vec::new(),
        errors: Vec::new(),
        files: 1,
        branch: "main".into(),
        at: now(),
    }
}

/// Two teams' alerts, a release with two blockers and two open steps, two
/// images; the overview shown on a 120×40 terminal (stacked).
fn fixture() -> State {
    let config = crate::config::Config::default();
    let mut state = State::new(
        AlertSettings::from_config(&config),
        vec![("am".into(), SourceKind::Alertmanager)],
        false,
        now(),
    );
    state.view = View::Overview;
    state.release.configured = true;
    state.release.doc = Some(doc());
    state.release.placed = true;
    state.deploy.configured = true;
    state.deploy.snapshot = Some(snapshot(vec![
        image("reg/o/one", SyncState::OutOfSync),
        image("reg/o/two", SyncState::Synced),
    ]));
    update::update(&mut state, Action::Resize(120, 40));
    update::update(&mut state, alerts_event(two_alerts()));
    state
}

fn step_id(state: &State, text: &str) -> String {
    let doc = state.release.doc.as_ref().expect("doc");
    let step = doc.checklist.steps.iter().find(|s| s.text == text);
    step.expect("step").id.clone()
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn selected(state: &State) -> Option<Item> {
    super::update::selected(state)
}

fn blocker_item(number: u64) -> Item {
    Item::Blocker {
        repo: "o/r".into(),
        number,
    }
}

#[test]
fn the_rows_are_alerts_teams_blockers_steps_and_images_in_screen_order() {
    let state = fixture();
    let expected = vec![
        Item::Alert("fp-crit".into()),
        Item::Alert("fp-warn".into()),
        Item::Team("search".into()),
        Item::Team("cloud".into()),
        blocker_item(11),
        blocker_item(12),
        Item::Step(step_id(&state, "Tag")),
        Item::Step(step_id(&state, "Ship")),
        Item::Image("reg/o/one".into()),
        Item::Image("reg/o/two".into()),
    ];
    assert_eq!(rows(&state), expected);
    // Nothing chosen yet: the first row.
    assert_eq!(selected(&state), Some(Item::Alert("fp-crit".into())));
}

#[test]
fn j_and_k_walk_across_the_sections_and_g_and_g_jump() {
    let mut state = fixture();
    let all = rows(&state);
    let mut seen = vec![selected(&state).expect("row")];
    for _ in 1..all.len() {
        press(&mut state, KeyCode::Char('j'));
        seen.push(selected(&state).expect("row"));
    }
    assert_eq!(seen, all);
    // At the bottom j stays; the arrows are the same keys.
    press(&mut state, KeyCode::Down);
    assert_eq!(selected(&state), all.last().cloned());
    press(&mut state, KeyCode::Up);
    assert_eq!(selected(&state), Some(all[all.len() - 2].clone()));
    press(&mut state, KeyCode::Char('g'));
    assert_eq!(selected(&state), Some(all[0].clone()));
    press(&mut state, KeyCode::Char('k'));
    assert_eq!(selected(&state), Some(all[0].clone()));
    press(&mut state, KeyCode::Char('G'));
    assert_eq!(selected(&state), Some(Item::Image("reg/o/two".into())));
    assert_eq!(state.view, View::Overview);
}

/// A fresh fixture with the cursor on `item`, then Enter.
fn enter_on(item: &Item) -> State {
    let mut state = fixture();
    let i = rows(&state).iter().position(|r| r == item).expect("listed");
    state.overview.select(&rows(&state), i);
    press(&mut state, KeyCode::Enter);
    state
}

#[test]
fn enter_on_an_alert_opens_it_in_the_alerts_view_with_its_detail() {
    let state = enter_on(&Item::Alert("fp-warn".into()));
    assert_eq!(state.view, View::Alerts);
    assert_eq!(
        state.selected_group().map(|g| g.key.as_str()),
        Some("cloud")
    );
    assert_eq!(
        state.selected_alert().map(|a| a.fingerprint.as_str()),
        Some("fp-warn")
    );
    assert_eq!(state.alerts.focus, Focus::Alerts);
    assert!(state.alerts.detail);
}

#[test]
fn enter_on_a_team_opens_its_alerts() {
    let state = enter_on(&Item::Team("cloud".into()));
    assert_eq!(state.view, View::Alerts);
    assert_eq!(
        state.selected_group().map(|g| g.key.as_str()),
        Some("cloud")
    );
    assert_eq!(state.alerts.alert, 0);
    assert_eq!(state.alerts.focus, Focus::Alerts);
    assert!(!state.alerts.detail);
}

#[test]
fn enter_on_a_step_selects_it_in_the_release_view() {
    let id = step_id(&fixture(), "Ship");
    let state = enter_on(&Item::Step(id.clone()));
    assert_eq!(state.view, View::Release);
    assert_eq!(state.release.selected_id(), Some(id.as_str()));
    assert!(state.overlays.is_empty());
}

#[test]
fn enter_on_a_blocker_opens_the_blocker_list_on_it() {
    let state = enter_on(&blocker_item(12));
    assert_eq!(state.view, View::Release);
    assert_eq!(
        state.overlays.last(),
        Some(&Overlay::Blockers(Blockers { cursor: 1 }))
    );
}

#[test]
fn enter_on_an_image_selects_it_in_the_deploy_view_with_its_detail() {
    let state = enter_on(&Item::Image("reg/o/two".into()));
    assert_eq!(state.view, View::Deploy);
    assert_eq!(state.deploy.selected_key(), Some("reg/o/two"));
    assert!(state.deploy.detail);
}

#[test]
fn o_and_y_act_on_the_rows_link() {
    let mut state = fixture();
    assert_eq!(
        press(&mut state, KeyCode::Char('o')),
        vec![Effect::OpenUrl("http://prom/DiskFull".into())]
    );
    let at = |state: &State, item: &Item| rows(state).iter().position(|r| r == item);
    let i = at(&state, &blocker_item(11)).expect("listed");
    state.overview.select(&rows(&state), i);
    assert_eq!(
        press(&mut state, KeyCode::Char('y')),
        vec![Effect::Copy("https://github.example/o/r/issues/11".into())]
    );
    let i = at(&state, &Item::Step(step_id(&state, "Tag"))).expect("listed");
    state.overview.select(&rows(&state), i);
    assert_eq!(
        press(&mut state, KeyCode::Char('o')),
        vec![Effect::OpenUrl(
            "https://github.example/o/r/issues/7".into()
        )]
    );
    // An image: the deploy view's link (the last bump's pull request).
    state.deploy.last_bump = Some("https://github.example/o/d/pull/3".into());
    let i = at(&state, &Item::Image("reg/o/one".into())).expect("listed");
    state.overview.select(&rows(&state), i);
    assert_eq!(
        press(&mut state, KeyCode::Char('o')),
        vec![Effect::OpenUrl("https://github.example/o/d/pull/3".into())]
    );
    // A team has none.
    let i = at(&state, &Item::Team("search".into())).expect("listed");
    state.overview.select(&rows(&state), i);
    assert!(press(&mut state, KeyCode::Char('o')).is_empty());
    assert_eq!(
        state.message.as_ref().map(|m| m.text.as_str()),
        Some("no link here")
    );
}

#[test]
fn the_cursor_stays_on_the_same_thing_across_a_refresh_and_is_clamped_when_it_goes() {
    let mut state = fixture();
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(selected(&state), Some(Item::Team("cloud".into())));
    // A new, more severe alert comes first: the rows shift, the cursor not.
    let mut more = two_alerts();
    more.push(alert("fp-new", "Down", "edge", "critical", 1));
    update::update(&mut state, alerts_event(more));
    assert_eq!(rows(&state)[0], Item::Alert("fp-new".into()));
    assert_eq!(selected(&state), Some(Item::Team("cloud".into())));
    assert_eq!(state.overview.selected, Some(Item::Team("cloud".into())));
    // The team goes: the cursor stays at its place, on what is there now.
    update::update(
        &mut state,
        alerts_event(vec![alert("fp-crit", "DiskFull", "search", "critical", 5)]),
    );
    let now_there = selected(&state).expect("a row");
    assert_eq!(state.overview.selected.as_ref(), Some(&now_there));
    assert_eq!(rows(&state)[state.overview.cursor], now_there);
    // Down from there still walks.
    press(&mut state, KeyCode::Char('j'));
    assert_ne!(selected(&state), Some(now_there));
}

#[test]
fn a_key_of_another_view_still_says_where_it_works() {
    let mut state = fixture();
    assert!(press(&mut state, KeyCode::Char('a')).is_empty());
    let text = state.message.as_ref().map(|m| m.text.clone());
    assert_eq!(
        text.as_deref(),
        Some("a (acknowledge: silence the alert or marks) works in the alerts view — press 1")
    );
    assert_eq!(state.view, View::Overview);
    assert!(state.overlays.is_empty());
}

#[test]
fn the_selected_row_is_highlighted_and_a_click_selects_a_row() {
    let mut state = fixture();
    press(&mut state, KeyCode::Char('j'));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut hits = crate::app::state::HitMap::default();
    terminal
        .draw(|f| crate::ui::render_recording(&state, f, &mut hits))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let reversed: Vec<String> = (0..40)
        .filter(|&y| (1..119).all(|x| buffer[(x, y)].modifier.contains(Modifier::REVERSED)))
        .map(|y| (1..119).map(|x| buffer[(x, y)].symbol()).collect())
        .collect();
    assert_eq!(reversed.len(), 1, "{reversed:?}");
    assert!(reversed[0].contains("SlowQuery"), "{reversed:?}");
    // A click on the line of the second step selects it.
    let y = (0..40)
        .find(|&y| {
            let line: String = (0..120).map(|x| buffer[(x, y)].symbol()).collect();
            line.contains("[ ] Ship")
        })
        .expect("drawn");
    state.hits = hits;
    update::update(
        &mut state,
        Action::Mouse(crossterm::event::MouseEvent {
            kind: crossterm::event::MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: 5,
            row: y,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(selected(&state), Some(Item::Step(step_id(&state, "Ship"))));
}
