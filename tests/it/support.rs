//! opsdeck-specific helpers for the integration tests: configs pointing at
//! the real servers, alerts in Sourcegraph's style, key actions.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::app::Action;
use opsdeck::app::state::State;
use opsdeck::config::Config;
use opsdeck::runtime::Runtime;
use serde_json::{Value, json};

/// A config with these Alertmanagers and Prometheus servers (name, url),
/// a 1s refresh, and `extra` TOML appended (routes, …).
pub fn config_text(
    alertmanagers: &[(&str, &str)],
    prometheus: &[(&str, &str)],
    extra: &str,
) -> String {
    let mut text = String::new();
    for (name, url) in alertmanagers {
        text.push_str(&format!(
            "[[alertmanager]]\nname = \"{name}\"\nurl = \"{url}\"\ntimeout = \"3s\"\n\n"
        ));
    }
    for (name, url) in prometheus {
        text.push_str(&format!(
            "[[prometheus]]\nname = \"{name}\"\nurl = \"{url}\"\ntimeout = \"3s\"\n\n"
        ));
    }
    text.push_str(
        "[alerts]\nrefresh = \"1s\"\nack_author = \"tester\"\nack_comment = \"on it\"\n\n",
    );
    text.push_str(extra);
    text
}

/// Parses [`config_text`].
pub fn config(alertmanagers: &[(&str, &str)], prometheus: &[(&str, &str)], extra: &str) -> Config {
    Config::parse(
        &config_text(alertmanagers, prometheus, extra),
        Path::new("test.toml"),
    )
    .expect("test config parses")
}

/// One alert in Sourcegraph's 2020 style, for `POST /api/v2/alerts`.
/// `owner` may be empty (no owner label).
pub fn sg_alert(level: &str, service: &str, name: &str, owner: &str) -> Value {
    let mut labels = json!({
        "alertname": format!("{level}_{}_{name}", service.replace('-', "_")),
        "level": level,
        "service_name": service,
        "name": name,
        "description": format!("{service}: {name} is bad"),
    });
    if !owner.is_empty() {
        labels["owner"] = json!(owner);
    }
    json!({
        "labels": labels,
        "annotations": {"description": format!("{service}: {name} is bad"), "summary": name},
        "generatorURL": "http://prometheus.example/graph",
    })
}

/// A key press.
pub fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// A special key press.
pub fn code(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Ctrl + a key.
pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Sends keys through the app's action channel and processes them.
pub async fn press(rt: &mut Runtime, actions: impl IntoIterator<Item = Action>) {
    let tx = rt.sender();
    let mut n = 0;
    for a in actions {
        tx.send(a).expect("app channel open");
        n += 1;
    }
    // Process at least the sent actions (sources may interleave theirs).
    let _ = n;
    rt.run_until(Duration::from_millis(200), |_| false).await;
}

/// Runs the app until `done` holds; panics with `what` and a state summary
/// after `secs` seconds.
pub async fn until(rt: &mut Runtime, secs: u64, what: &str, done: impl Fn(&State) -> bool) {
    if !rt.run_until(Duration::from_secs(secs), done).await {
        panic!(
            "timed out after {secs}s waiting for {what}\n{}",
            summary(&rt.state)
        );
    }
}

/// A readable dump of the state for failure messages.
pub fn summary(s: &State) -> String {
    let mut out = String::new();
    for src in &s.sources {
        out.push_str(&format!(
            "source {} ok={} error={:?}\n",
            src.name,
            src.ok(),
            src.error
        ));
    }
    for a in &s.alerts.all {
        out.push_str(&format!(
            "alert {} team={} sev={} state={} sources={:?} silenced_by={:?}\n",
            a.name(),
            a.team,
            a.severity,
            a.state.as_str(),
            a.sources,
            a.silenced_by
        ));
    }
    out.push_str(&format!(
        "overlays={:?}\nmessage={:?}\n",
        s.overlays, s.message
    ));
    out
}

/// Selects the team `team` and focuses its alert list, through keys.
pub async fn select_team(rt: &mut Runtime, team: &str) {
    let idx = rt
        .state
        .alerts
        .groups
        .iter()
        .position(|g| g.key == team)
        .unwrap_or_else(|| panic!("no team {team}\n{}", summary(&rt.state)));
    let mut keys = vec![key('g')];
    keys.extend(std::iter::repeat_n(key('j'), idx));
    keys.push(code(KeyCode::Tab));
    press(rt, keys).await;
    assert_eq!(
        rt.state.selected_group().map(|g| g.key.as_str()),
        Some(team)
    );
}

/// Runs the opsdeck binary with private HOME/XDG directories, no
/// `$OPSDECK_CONFIG` and no stdin.
pub fn opsdeck_bin(args: &[&str], config: Option<&std::path::Path>) -> std::process::Output {
    opsdeck_bin_env(args, config, &[])
}

/// [`opsdeck_bin`] with extra environment variables.
pub fn opsdeck_bin_env(
    args: &[&str],
    config: Option<&std::path::Path>,
    env: &[(&str, String)],
) -> std::process::Output {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    cmd.args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("OPSDECK_CONFIG")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::null());
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.output().expect("run opsdeck")
}

/// Pushes images to a registry in a blocking task (the test kit's HTTP is
/// blocking): (repository, tag, content seed) each; returns their digests.
pub async fn push_images(url: &str, images: &[(&str, &str, &str)]) -> Vec<String> {
    let url = url.to_string();
    let images: Vec<(String, String, String)> = images
        .iter()
        .map(|(r, t, s)| (r.to_string(), t.to_string(), s.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        images
            .iter()
            .map(|(r, t, s)| opsdeck_testkit::push::push_image(&url, r, t, s))
            .collect()
    })
    .await
    .expect("push")
}

/// The console's screen as text at `width` × `height`.
pub fn screen_text(state: &State, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    let buf = terminal.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
