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

/// A 24 h history (288 points of 5 min) for every alert of the state:
/// each fires in a pattern of its own (steady, flapping, recent), so the
/// column and the detail show what real series look like.
fn with_history(state: &mut State) {
    use opsdeck::alerts::history::{History, at_unix};
    let len = 288usize;
    let step = 300i64;
    let end = now().timestamp() - now().timestamp() % step;
    let start = end - step * (len as i64 - 1);
    let result: Vec<serde_json::Value> = state
        .alerts
        .all
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let mut metric = serde_json::Map::new();
            metric.insert("__name__".into(), "ALERTS".into());
            let state = if a.state == opsdeck::alerts::model::AlertState::Pending {
                "pending"
            } else {
                "firing"
            };
            metric.insert("alertstate".into(), state.into());
            for (k, v) in a.labels.iter() {
                metric.insert(k.into(), v.into());
            }
            let fires = |k: usize| match n % 3 {
                0 => k >= len - 40,     // started in the last ~3 h
                1 => (k / 24) % 2 == 1, // flapping every 2 h
                _ => k >= len / 2,      // the last 12 h
            };
            let values: Vec<serde_json::Value> = (0..len)
                .filter(|k| fires(*k))
                .map(|k| serde_json::json!([start + step * k as i64, "1"]))
                .collect();
            serde_json::json!({"metric": metric, "values": values})
        })
        .chain([
            // No longer in Alertmanager: it stopped firing 20 minutes ago
            // after 2 hours.
            serde_json::json!({
                "metric": {"__name__": "ALERTS", "alertstate": "firing",
                    "alertname": "GitserverDiskFull", "owner": "search", "level": "critical"},
                "values": (len - 29..len - 4)
                    .map(|k| serde_json::json!([start + step * k as i64, "1"]))
                    .collect::<Vec<_>>(),
            }),
        ])
        .collect();
    let body = serde_json::json!({"status": "success", "data": {"resultType": "matrix", "result": result}});
    let (h, _) = History::from_matrix(
        &body.to_string(),
        at_unix(start),
        std::time::Duration::from_secs(step as u64),
        len,
    )
    .expect("history");
    let routing = state.alerts.settings.routing.clone();
    state
        .alerts
        .history
        .read(Ok(h), Vec::new(), now(), &routing);
    state.recompute();
}

#[test]
fn alerts_with_team_history_new_alerts_and_the_recently_resolved_at_each_size() {
    let setup = |s: &mut State| {
        with_history(s);
        // Looked last 20 minutes ago: what started since is new.
        keys(s, "0");
        s.alerts.looked.left = Some(now() - chrono::TimeDelta::minutes(20));
        keys(s, "1");
    };
    each_size("sizes_alerts_since", setup);
    let mut state = everything(120, 36);
    setup(&mut state);
    let screen = text(&draw_at(&state, 120, 36));
    assert!(
        screen.contains("Recently resolved · last 1h (1)"),
        "{screen}"
    );
    assert!(screen.contains("GitserverDiskFull"), "{screen}");
    assert!(
        screen.contains("fired for") || screen.contains("FIRED FOR"),
        "{screen}"
    );
    let new = state
        .alerts
        .selected_group()
        .map(|g| {
            g.alerts
                .iter()
                .filter(|&&i| state.alerts.looked.is_new(&state.alerts.all[i]))
                .count()
        })
        .unwrap_or(0);
    assert!(new > 0, "the fixture has alerts younger than 20 minutes");
    assert!(screen.contains(&format!(" · {new} new")), "{screen}");
    assert!(
        screen.contains("new CRIT") || screen.contains("new WARN"),
        "{screen}"
    );
    // `R` lists them all, Esc closes.
    keys(&mut state, "R");
    let screen = text(&draw_at(&state, 120, 36));
    assert!(
        screen.contains("Recently resolved (last 1h) — 1, newest first"),
        "{screen}"
    );
    insta::assert_snapshot!("sizes_resolved_overlay_120x36", draw_at(&state, 120, 36));
    key(&mut state, KeyCode::Esc);
    assert!(state.overlays.is_empty());
}

#[test]
fn alerts_with_the_history_column_and_detail_at_each_size() {
    each_size("sizes_alerts_history", |s| {
        with_history(s);
        keys(s, "1");
        key(s, KeyCode::Tab);
        key(s, KeyCode::Enter);
    });
    let mut state = everything(120, 36);
    with_history(&mut state);
    keys(&mut state, "1");
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Enter);
    let screen = text(&draw_at(&state, 120, 36));
    assert!(
        screen.contains(" 24h "),
        "the column names its window: {screen}"
    );
    assert!(screen.contains("▇"), "{screen}");
    assert!(screen.contains("history       first seen "), "{screen}");
    assert!(screen.contains("(last 24h)"), "{screen}");
    assert!(
        screen.contains("timeline      ····"),
        "quiet, then firing: {screen}"
    );
}
