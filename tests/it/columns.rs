//! Columns sized from the content and the terminal, at 80×24, 120×36 and
//! 160×45, with Sourcegraph's long names: whole when there is room, "…"
//! where cut, and the rows indicator when a list does not fit.

use super::*;

const LONG: &str = "critical_frontend_90th_percentile_search_request_duration";

/// `prod` with 40 alerts owned by `frontend-platform` (one with Sourcegraph's
/// longest name) and two per-pod silences that differ only at the end.
fn crowded(cols: u16, rows: u16) -> State {
    crowded_with(cols, rows, 0)
}

/// [`crowded`], and `teams` more teams of one alert each.
fn crowded_with(cols: u16, rows: u16, teams: usize) -> State {
    let mut snap = prod_snapshot();
    for n in 0..teams {
        snap.alerts.push(sourcegraph(
            "info",
            "worker",
            "queue_size",
            "a queue",
            &format!("team-{n:02}"),
            5,
        ));
    }
    snap.alerts.push(sourcegraph(
        "critical",
        "frontend",
        "90th_percentile_search_request_duration",
        "20s+ 90th percentile successful search request duration over 5m",
        "frontend-platform",
        7,
    ));
    for n in 0..39 {
        snap.alerts.push(sourcegraph(
            "warning",
            "frontend",
            &format!("check_{n:02}"),
            "a check",
            "frontend-platform",
            10 + n,
        ));
    }
    for pod in ["frontend-7d9f-abc", "frontend-7d9f-xyz"] {
        snap.silences.push(silence(
            &format!("0000{pod}"),
            vec![
                Matcher::equal("alertname", "warning_frontend_container_restarts"),
                Matcher::equal("namespace", "prod"),
                Matcher::equal("pod", pod),
            ],
            30,
            "dave",
            "restarts",
        ));
    }
    for n in 0..30 {
        snap.silences.push(silence(
            &format!("batch{n:03}"),
            vec![Matcher::equal("job", &format!("batch-{n:02}"))],
            600 + i64::from(n),
            "erin",
            "nightly batch",
        ));
    }
    let mut state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("prom".into(), SourceKind::Prometheus),
        ],
        false,
        now(),
    );
    let at = now() - TimeDelta::seconds(5);
    update(
        &mut state,
        Action::Source(SourceEvent::Alertmanager {
            name: "prod".into(),
            result: Ok(snap),
            at,
        }),
    );
    update(&mut state, prom_ok(at));
    update(&mut state, Action::Resize(cols, rows));
    keys(&mut state, "1");
    state
}

fn draw(state: &State, cols: u16, rows: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(cols, rows)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    text(terminal.backend())
}

/// Selects the team `frontend-platform` in the team list.
fn select_frontend_platform(state: &mut State) {
    for _ in 0..10 {
        if state
            .selected_group()
            .is_some_and(|g| g.key == "frontend-platform")
        {
            return;
        }
        keys(state, "j");
    }
    panic!("no frontend-platform team");
}

#[test]
fn team_names_fit_or_end_in_an_ellipsis() {
    for (cols, rows, whole) in [(80, 24, false), (120, 36, true), (160, 45, true)] {
        let state = crowded(cols, rows);
        let t = draw(&state, cols, rows);
        assert_eq!(
            t.contains("frontend-platform "),
            whole,
            "{cols}×{rows}: whole team name\n{t}"
        );
        if !whole {
            assert!(t.contains("frontend-platfo…"), "{cols}×{rows}\n{t}");
        }
        assert!(!t.contains("frontend-platfor "), "{cols}×{rows}\n{t}");
    }
}

#[test]
fn the_long_alert_name_shows_whole_when_there_is_room() {
    for (cols, rows) in [(80, 24), (120, 36), (160, 45)] {
        let mut state = crowded(cols, rows);
        select_frontend_platform(&mut state);
        let t = draw(&state, cols, rows);
        if cols >= 160 {
            assert!(t.contains(LONG), "{cols}×{rows}\n{t}");
        } else {
            assert!(!t.contains(LONG), "{cols}×{rows}\n{t}");
            assert!(t.contains("critical_frontend_90th"), "{cols}×{rows}\n{t}");
            let cut = t
                .lines()
                .find(|l| l.contains("critical_frontend_90th"))
                .unwrap_or_default();
            assert!(cut.contains('…'), "{cols}×{rows}: {cut}");
        }
    }
}

#[test]
fn the_alert_list_says_which_rows_show() {
    // 24 rows: 40 alerts in a table of 24 - 2 - 3 = 19 rows.
    let mut state = crowded(80, 24);
    select_frontend_platform(&mut state);
    let t = draw(&state, 80, 24);
    assert!(t.contains("rows 1–19 of 40"), "{t}");
    keys(&mut state, "lG");
    let t = draw(&state, 80, 24);
    assert!(t.contains("rows 22–40 of 40"), "{t}");
    // At 160×45 the window is 40 rows: all fit, no indicator.
    let mut state = crowded(160, 45);
    select_frontend_platform(&mut state);
    let t = draw(&state, 160, 45);
    assert!(!t.contains("rows "), "{t}");
    insta::assert_snapshot!("columns_alerts_80x24", draw(&crowded(80, 24), 80, 24));
}

/// The deploy view with `sourcegraph/zoekt-webserver` among 26 images.
fn deploy_many(cols: u16, rows: u16) -> State {
    use opsdeck::app::DeployEvent;
    use opsdeck::deploy::service::{DeploySnapshot, scan_texts};
    use opsdeck::deploy::sync::evaluate;
    use std::collections::HashMap;

    let names = std::iter::once("zoekt-webserver".to_string())
        .chain((0..25).map(|n| format!("svc-{n:02}")));
    let files: Vec<(String, String)> = names
        .map(|name| {
            (
                format!("base/{name}.Deployment.yaml"),
                format!(
                    "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: index.docker.io/sourcegraph/{name}:3.23.0\n"
                ),
            )
        })
        .collect();
    let scanned = scan_texts(&files);
    let snapshot = DeploySnapshot {
        images: evaluate(&scanned.pins, &HashMap::new(), &[], &[]),
        untracked: scanned.untracked,
        errors: scanned.errors,
        files: scanned.files,
        branch: "master".into(),
        at: now() - TimeDelta::seconds(4),
    };
    let mut state = State::new(
        settings(),
        vec![("deploy".into(), SourceKind::Deploy)],
        false,
        now(),
    );
    state.deploy.configured = true;
    update(&mut state, Action::Resize(cols, rows));
    update(
        &mut state,
        Action::Deploy(DeployEvent::Loaded {
            result: Ok(snapshot),
            at: now() - TimeDelta::seconds(4),
        }),
    );
    keys(&mut state, "3");
    state
}

#[test]
fn deploy_images_show_whole_and_say_which_rows_show() {
    for (cols, rows, indicator) in [
        (80, 24, Some("rows 1–18 of 26")),
        (120, 36, None),
        (160, 45, None),
    ] {
        let mut state = deploy_many(cols, rows);
        let t = draw(&state, cols, rows);
        match indicator {
            Some(rows_text) => assert!(t.contains(rows_text), "{cols}×{rows}\n{t}"),
            None => assert!(!t.contains("rows "), "{cols}×{rows}\n{t}"),
        }
        // The last image (sorted by name), whole at every size.
        keys(&mut state, "G");
        let t = draw(&state, cols, rows);
        assert!(
            t.contains("sourcegraph/zoekt-webserver "),
            "{cols}×{rows}\n{t}"
        );
        if indicator.is_some() {
            assert!(t.contains("rows 9–26 of 26"), "{cols}×{rows}\n{t}");
        }
    }
    insta::assert_snapshot!("columns_deploy_80x24", draw(&deploy_many(80, 24), 80, 24));
}

#[test]
fn per_pod_silences_stay_apart_and_the_list_says_which_rows_show() {
    let abc = r#"pod="frontend-7d9f-abc""#;
    let xyz = r#"pod="frontend-7d9f-xyz""#;
    let whole = r#"alertname="warning_frontend_container_restarts", namespace="prod", pod="frontend-7d9f-abc""#;
    for (cols, rows) in [(80, 24), (120, 36), (160, 45)] {
        let mut state = crowded(cols, rows);
        keys(&mut state, "S");
        let t = draw(&state, cols, rows);
        let line = |pod: &str| {
            t.lines()
                .find(|l| l.contains(&format!("0000{pod}")[..8]) && l.contains(pod))
                .unwrap_or_default()
                .to_string()
        };
        if cols >= 160 {
            assert!(t.contains(whole), "{cols}×{rows}\n{t}");
            assert!(!t.contains("rows "), "{cols}×{rows}\n{t}");
        } else {
            assert!(!t.contains(whole), "{cols}×{rows}\n{t}");
            // Cut from the front, so the pods that tell them apart show.
            let (a, x) = (line("frontend-7d9f-abc"), line("frontend-7d9f-xyz"));
            assert!(
                a.contains("…") && a.contains("7d9f-abc\""),
                "{cols}×{rows}: {a}\n{t}"
            );
            assert!(
                x.contains("…") && x.contains("7d9f-xyz\""),
                "{cols}×{rows}: {x}\n{t}"
            );
            if cols >= 120 {
                // The whole pod matcher, after the cut.
                assert!(a.contains(abc) && x.contains(xyz), "{t}");
            }
        }
        if rows == 24 {
            // 35 silences, 24 - 2 - 3 = 19 rows.
            assert!(t.contains("rows 1–19 of 35"), "{t}");
        }
    }
    let mut state = crowded(120, 36);
    keys(&mut state, "S");
    insta::assert_snapshot!("columns_silences_120x36", draw(&state, 120, 36));
}

#[test]
fn a_long_team_list_says_which_rows_show() {
    // 6 + 30 teams in a list of 24 - 2 - 2 = 20 rows.
    let mut state = crowded_with(80, 24, 30);
    let t = draw(&state, 80, 24);
    assert!(t.contains("rows 1–20 of 36"), "{t}");
    keys(&mut state, "G");
    let t = draw(&state, 80, 24);
    assert!(t.contains("rows 17–36 of 36"), "{t}");
    // 45 rows: all 36 fit.
    let t = draw(&crowded_with(160, 45, 30), 160, 45);
    assert!(!t.contains("rows "), "{t}");
}
