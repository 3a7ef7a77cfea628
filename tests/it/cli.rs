//! The real binary's CLI: exit codes, config errors, and the scriptable
//! commands against a real Alertmanager.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::common::Alertmanager;
use crate::support::{config_text, sg_alert};

fn opsdeck(args: &[&str], config: Option<&Path>) -> Output {
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
    cmd.args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("OPSDECK_CONFIG")
        .stdin(Stdio::null());
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.output().expect("run opsdeck")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn usage_errors_exit_2_and_config_errors_exit_1_with_position() {
    let o = opsdeck(&["--no-such-flag"], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        "[alerts]\nrefresh = \"10s\"\nack_duraton = \"2h\"\n",
    );
    let o = opsdeck(&["alerts"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:3:1:", path.display())), "{err}");
    assert!(err.contains("unknown field `ack_duraton`"), "{err}");
    assert!(err.contains("did you mean `ack_duration`?"), "{err}");

    let o = opsdeck(&["alerts"], Some(Path::new("/nonexistent/opsdeck.toml")));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("config file not found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn example_config_is_accepted_by_the_binary() {
    // The example points at ports nothing listens on: the command runs,
    // reports each source as down, and exits 1 (no source answered).
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml.example");
    let o = opsdeck(&["alerts", "--json"], Some(&example));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json on stdout");
    let names: Vec<&str> = doc["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["prod", "prod-prom"]);
}

#[test]
fn alerts_ack_silences_unack_against_a_real_alertmanager() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert("critical", "frontend", "hard_error_rate", "search"),
        sg_alert("warning", "zoekt-webserver", "indexed_search_errors", ""),
    ]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &config_text(
            &[("prod", &am.url)],
            &[],
            "[[alerts.route]]\nteam = \"search\"\nmatchers = ['service_name=~\"zoekt.*\"']\n",
        ),
    );
    crate::common::wait_for("alerts in AM", std::time::Duration::from_secs(10), || {
        (am.get_json("/api/v2/alerts").as_array()?.len() == 2).then_some(())
    });

    let o = opsdeck(&["alerts", "--json"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(doc["teams"].as_array().expect("teams").len(), 1);
    let team = &doc["teams"][0];
    assert_eq!(team["team"], "search");
    assert_eq!(team["counts"], json!({"critical": 1, "warning": 1}));
    let first = &team["alerts"][0];
    assert_eq!(first["alertname"], "critical_frontend_hard_error_rate");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["state"], "firing");
    assert_eq!(first["sources"], json!(["prod"]));
    assert_eq!(first["silenced_by"], json!([]));
    assert_eq!(first["labels"]["owner"], "search");
    assert!(first["fingerprint"].as_str().is_some_and(|f| f.len() == 16));
    assert_eq!(
        doc["sources"],
        json!([{"name": "prod", "kind": "alertmanager", "ok": true, "error": null}])
    );

    // No terminal and no --yes: refused, nothing created.
    let o = opsdeck(
        &["ack", "alertname=critical_frontend_hard_error_rate"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(am.get_json("/api/v2/silences"), json!([]));

    let o = opsdeck(
        &[
            "ack",
            "alertname=critical_frontend_hard_error_rate",
            "--for",
            "30m",
            "--comment",
            "looking",
            "--author",
            "cli",
            "--yes",
        ],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();
    assert!(
        stderr(&o).contains("matches 1 current alert"),
        "{}",
        stderr(&o)
    );
    let silences = am.get_json("/api/v2/silences");
    assert_eq!(silences.as_array().expect("array").len(), 1);
    assert_eq!(silences[0]["id"], id.as_str());
    assert_eq!(silences[0]["createdBy"], "cli");
    assert_eq!(silences[0]["comment"], "looking");

    let o = opsdeck(&["silences", "--json"], Some(&path));
    let listed: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(
        listed[0]["matchers"],
        json!(["alertname=\"critical_frontend_hard_error_rate\""])
    );

    let o = opsdeck(&["alerts", "--json"], Some(&path));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(doc["teams"][0]["alerts"][0]["state"], "silenced");
    assert_eq!(doc["teams"][0]["alerts"][0]["silenced_by"], json!([id]));

    let o = opsdeck(&["unack", &id[..8]], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        am.get_json("/api/v2/silences")[0]["status"]["state"],
        "expired"
    );

    let o = opsdeck(&["unack", "no-such-id"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not found"), "{}", stderr(&o));

    let o = opsdeck(&["ack", "not a matcher", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("expected a matcher"), "{}", stderr(&o));
}

#[test]
fn demo_serves_alerts_without_a_config() {
    let o = opsdeck(&["alerts", "--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let total: usize = doc["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .map(|t| t["alerts"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(total >= 20, "a few dozen demo alerts, got {total}");
    let teams: Vec<&str> = doc["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .filter_map(|t| t["team"].as_str())
        .collect();
    assert!(
        teams.contains(&"search") && teams.contains(&"unowned"),
        "{teams:?}"
    );
}
