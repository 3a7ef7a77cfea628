//! The triage console end to end, in a pseudo-terminal: `/` from the
//! overview, Esc back up to it, messages that clear, the flat list and a
//! multi-select acknowledgement checked with amtool.

use std::process::Command;
use std::time::Duration;

use opsdeck_testkit::servers::{Alertmanager, amtool_bin, wait_for};
use serde_json::{Value, json};

use super::Session;
use crate::support::{config_text, sg_alert};

const DISK: &str = "critical_gitserver_disk_space_remaining";
const REDIS: &str = "critical_redis_cache_container_memory_usage";
const SYNTAX: &str = "warning_syntect_server_syntax_highlighting_timeouts";

fn three_alerts() -> (Alertmanager, tempfile::TempDir, std::path::PathBuf) {
    let am = Alertmanager::start();
    am.post_alerts(&json!([
        sg_alert(
            "critical",
            "gitserver",
            "disk_space_remaining",
            "core-application"
        ),
        sg_alert(
            "critical",
            "redis-cache",
            "container_memory_usage",
            "distribution"
        ),
        sg_alert(
            "warning",
            "syntect-server",
            "syntax_highlighting_timeouts",
            "search"
        ),
    ]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config_text(&[("prod", &am.url)], &[], "")).expect("write config");
    (am, dir, path)
}

/// amtool's JSON answer.
fn amtool(am: &Alertmanager, args: &[&str]) -> Value {
    let out = Command::new(amtool_bin())
        .args(args)
        .args(["-o", "json", "--alertmanager.url", &am.url])
        .output()
        .expect("run amtool");
    assert!(out.status.success(), "amtool {args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("amtool JSON")
}

#[test]
fn the_flat_list_marks_two_alerts_of_two_teams_and_acknowledges_them_at_once() {
    let (am, _dir, path) = three_alerts();
    let mut s = Session::start(&[], Some(&path));
    s.wait_for_text(DISK);
    s.send("1");
    // T twice: grouped by alert name, then one flat list with a TEAM column.
    s.send("T");
    s.wait_for_text("Alert names (3)");
    s.send("T");
    s.wait_for_text("All alerts — 3 alerts");
    let screen = s.screen();
    assert!(screen.contains("TEAM"), "{screen}");
    assert!(!screen.contains("Teams ("), "no group list: {screen}");
    // The two criticals come first; space marks each and moves down.
    s.send("  ");
    s.wait_for_text("· 2 marked");
    s.send("a");
    s.wait_for_text("Acknowledge 2 alerts marked");
    s.wait_for_text("2 silences will be made:");
    s.send("\r");
    s.wait_for_text("Acknowledge 2 alerts marked for 2h?");
    s.send("y");
    s.wait_for_text("2 silences created");

    // What amtool sees: two silences, each exactly one marked alert's
    // labels; the warning is the only alert left active.
    let silences = wait_for("two silences", Duration::from_secs(10), || {
        let v = amtool(&am, &["silence", "query"]);
        (v.as_array()?.len() == 2).then_some(v)
    });
    let alerts = amtool(&am, &["alert", "query", "--silenced", "--active"]);
    let alerts = alerts.as_array().expect("alerts");
    assert_eq!(alerts.len(), 3);
    for alert in alerts {
        let name = alert["labels"]["alertname"].as_str().expect("name");
        let silenced_by = alert["status"]["silencedBy"]
            .as_array()
            .expect("silencedBy");
        if name == SYNTAX {
            assert!(silenced_by.is_empty(), "{alert}");
            continue;
        }
        assert!([DISK, REDIS].contains(&name), "{name}");
        assert_eq!(silenced_by.len(), 1, "{alert}");
        let silence = silences
            .as_array()
            .and_then(|v| v.iter().find(|s| s["id"] == silenced_by[0]))
            .expect("its silence");
        let labels = alert["labels"].as_object().expect("labels");
        let matchers = silence["matchers"].as_array().expect("matchers");
        assert_eq!(matchers.len(), labels.len(), "{silence}");
        for m in matchers {
            let value = labels.get(m["name"].as_str().expect("name"));
            assert_eq!(value, Some(&m["value"]), "{m}");
            assert_eq!(
                (m["isEqual"].as_bool(), m["isRegex"].as_bool()),
                (Some(true), Some(false))
            );
        }
        assert_eq!(silence["createdBy"], "tester");
    }
    // The marks stay while their alerts exist (silenced now); Esc clears
    // them.
    s.send("\x1b");
    s.wait_for_text("2 alerts unmarked");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn slash_on_the_overview_filters_and_esc_walks_back_up_to_it() {
    let (_am, _dir, path) = three_alerts();
    let mut s = Session::start(&[], Some(&path));
    s.wait_for_text(DISK);
    // The start screen is the overview; / there types the alerts filter.
    s.send("/");
    s.send("redis");
    s.wait_for_text("Teams (1)");
    s.send("\r");
    // Enter the team, then the alert's detail.
    s.send("\r");
    s.send("\r");
    s.wait_for_text("Detail (Esc closes)");
    // Esc: the detail, then the filter, then the team list, then the
    // overview — the parents, one at a time.
    s.send("\x1b");
    s.wait_for_gone("Detail (Esc closes)");
    s.send("\x1b");
    s.wait_for_text("Teams (3)");
    s.send("\x1b");
    s.send("\x1b");
    s.wait_for_text("Alerts by team");
    assert!(s.screen().contains("Overview"), "{}", s.screen());
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_message_clears_on_the_next_key_or_fades() {
    let (_am, _dir, path) = three_alerts();
    let mut s = Session::start(&[], Some(&path));
    s.wait_for_text(DISK);
    s.send("1");
    // A key that does nothing says so, until the next key.
    s.send("Z");
    s.wait_for_text("Z does nothing here — ? lists the keys");
    s.send("j");
    s.wait_for_gone("Z does nothing here");
    // Good news fades by itself after about 8 s.
    s.send("z");
    s.wait_for_text("group list hidden: h or Tab shows it");
    s.wait_for_gone("group list hidden");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}
