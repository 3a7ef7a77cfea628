//! The real binary's CLI: exit codes, config errors, and the scriptable
//! commands against a real Alertmanager.

use std::path::Path;
use std::process::Output;

use opsdeck_testkit::servers::Alertmanager;
use serde_json::{Value, json};

use crate::support::{config_text, sg_alert};

fn opsdeck(args: &[&str], config: Option<&Path>) -> Output {
    crate::support::opsdeck_bin(args, config)
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
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    // In text, "no alerts" would read as all clear: it says there is no data.
    let o = opsdeck(&["alerts"], Some(&example));
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("no data: every alert source failed (prod: ")
            && out.contains("connection refused"),
        "{out}"
    );
    assert!(!out.contains("no alerts"), "{out}");
    assert!(
        stderr(&o).contains("warning: prod-prom: "),
        "{}",
        stderr(&o)
    );

    // Nothing configured to ask: said, and not a success.
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = write_config(dir.path(), "");
    let o = opsdeck(&["alerts"], Some(&empty));
    assert_eq!(
        (o.status.code(), stdout(&o).trim()),
        (Some(1), "no Alertmanager or Prometheus is configured")
    );
}

/// A real Alertmanager holding a search alert, a route-assigned zoekt alert
/// (no owner label) and `more`, with a config routing zoekt to search;
/// returns once Alertmanager lists them all.
fn search_alertmanager(more: &[Value]) -> (Alertmanager, tempfile::TempDir, std::path::PathBuf) {
    let am = Alertmanager::start();
    let mut alerts = vec![
        sg_alert("critical", "frontend", "hard_error_rate", "search"),
        sg_alert("warning", "zoekt-webserver", "indexed_search_errors", ""),
    ];
    alerts.extend(more.iter().cloned());
    let n = alerts.len();
    am.post_alerts(&Value::Array(alerts));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &config_text(
            &[("prod", &am.url)],
            &[],
            "[[alerts.route]]\nteam = \"search\"\nmatchers = ['service_name=~\"zoekt.*\"']\n",
        ),
    );
    opsdeck_testkit::servers::wait_for("alerts in AM", std::time::Duration::from_secs(10), || {
        (am.get_json("/api/v2/alerts").as_array()?.len() == n).then_some(())
    });
    (am, dir, path)
}

#[test]
fn alerts_ack_silences_unack_against_a_real_alertmanager() {
    let (am, _dir, path) = search_alertmanager(&[]);

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
        json!([{"name": "prod", "kind": "alertmanager", "ok": true, "error": null, "not_understood": []}])
    );

    // No terminal and no --yes: refused, nothing created.
    let o = opsdeck(
        &["ack", "alertname=critical_frontend_hard_error_rate"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(am.get_json("/api/v2/silences"), json!([]));
    // The end is shown before anything is asked; a long one stands out.
    let o = opsdeck(
        &[
            "ack",
            "alertname=critical_frontend_hard_error_rate",
            "--for",
            "999d",
        ],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(" — longer than a week; is --for right?"),
        "{}",
        stderr(&o)
    );
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
    // Counted as the console counts it: apart from the firing ones.
    assert_eq!(doc["teams"][0]["counts"], json!({"warning": 1}));
    assert_eq!(
        (&doc["teams"][0]["silenced"], &doc["teams"][0]["inhibited"]),
        (&json!(1), &json!(0))
    );
    let o = opsdeck(&["alerts"], Some(&path));
    assert!(
        stdout(&o).starts_with("search (1 warning, 1 silenced)\n"),
        "{}",
        stdout(&o)
    );

    // Extend: refused locally for a zero duration; the scope and old → new
    // end are printed; without a terminal and --yes, nothing changes.
    let ends = |am: &Alertmanager| -> String {
        am.get_json("/api/v2/silences")[0]["endsAt"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let before = ends(&am);
    let o = opsdeck(&["extend", &id[..8], "--for", "0s", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("must last longer"), "{}", stderr(&o));
    let o = opsdeck(&["extend", &id[..8], "--for", "1h"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("covers 1 alert"), "{}", stderr(&o));
    assert!(stderr(&o).contains(" → "), "{}", stderr(&o));
    assert_eq!(ends(&am), before, "nothing changed without --yes");
    let o = opsdeck(&["extend", &id, "--for", "1h", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with(&format!("extended {id} on prod to ")),
        "{}",
        stdout(&o)
    );
    let after = ends(&am);
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).expect("time");
    let grown = parse(&after) - parse(&before);
    assert!(
        (grown - chrono::TimeDelta::hours(1)).num_seconds().abs() < 5,
        "{before} → {after}"
    );

    // Unack: a prefix under 8 characters is refused, nothing is expired
    // without --yes, and the scope is printed first.
    let o = opsdeck(&["unack", &id[..5], "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is too short"), "{}", stderr(&o));
    let o = opsdeck(&["unack", &id[..8]], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(r#"{alertname="critical_frontend_hard_error_rate"}"#),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("by cli: \"looking\""), "{}", stderr(&o));
    assert_eq!(
        am.get_json("/api/v2/silences")[0]["status"]["state"],
        "active"
    );
    let o = opsdeck(&["unack", &id[..8], "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        am.get_json("/api/v2/silences")[0]["status"]["state"],
        "expired"
    );

    let o = opsdeck(&["unack", "no-such-id", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no silence no-such-id"),
        "{}",
        stderr(&o)
    );

    // Durations at or below zero never reach the server.
    let o = opsdeck(&["ack", "alertname=x", "--for", "0s", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("must last longer"), "{}", stderr(&o));
    let o = opsdeck(&["ack", "alertname=x", "--for=-1h", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(r#"--for "-1h""#), "{}", stderr(&o));
    // A pre-silence for an alert that is not firing says so, on one line.
    let o = opsdeck(
        &["ack", "NotFiringYet", "--for", "10m", "--yes"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let notes: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("matches no current alert"))
        .collect();
    assert_eq!(notes.len(), 1, "{}", stderr(&o));

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

#[test]
fn the_demo_has_history_flapping_and_recently_resolved_alerts() {
    let o = opsdeck(&["alerts", "--history", "--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("no history"), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let alerts: Vec<&Value> = doc["teams"]
        .as_array()
        .expect("teams")
        .iter()
        .flat_map(|t| t["alerts"].as_array().expect("alerts"))
        .collect();
    let flapping = alerts
        .iter()
        .filter(|a| a["history"]["flapping"] == true)
        .count();
    assert!(
        flapping >= 2,
        "flappy demo alerts fired thrice today: {doc}"
    );
    let steady = alerts
        .iter()
        .find(|a| a["alertname"] == "warning_searcher_container_memory_usage")
        .expect("the day-old alert");
    assert_eq!(steady["history"]["episodes"], 1, "{steady}");
    let fired = steady["history"]["firing_seconds"].as_i64().expect("secs");
    assert!(fired > 23 * 3600, "fired all of the window: {steady}");
    let resolved: Vec<&str> = doc["resolved"]
        .as_array()
        .expect("resolved")
        .iter()
        .filter_map(|r| r["alertname"].as_str())
        .collect();
    assert!(resolved.contains(&"NodeDiskPressure"), "{resolved:?}");
}

/// Runs the binary off the async runtime (the GitHub fake lives on it).
async fn opsdeck_async(args: Vec<String>, config: std::path::PathBuf) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        opsdeck(&args, Some(&config))
    })
    .await
    .expect("join")
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_json_tick_and_run() {
    use opsdeck_testkit::github::{DEMO_ISSUE, DEMO_REPO, GithubFake};
    let fake = GithubFake::start_demo().await.expect("fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n[release]\nrepo = \"{DEMO_REPO}\"\nissue = {DEMO_ISSUE}\nlog_dir = \"{}\"\nvars = {{ rc = \"7\" }}\n\n\
             [[release.step]]\nmatch = \"create the first release candidate\"\nrun = [\"sh\", \"-c\", \"echo rc {{rc}}\"]\n\n\
             [[release.step]]\nmatch = \"verify the candidate\"\nrun = [\"sh\", \"-c\", \"echo failing; exit 4\"]\n",
            fake.url,
            dir.path().join("runs").display()
        ),
    );

    // `yarn` on PATH makes the issue's `yarn release …` a proposed command.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let yarn = bin.join("yarn");
    std::fs::write(&yarn, "#!/bin/sh\necho yarn \"$@\"\n").expect("write");
    std::fs::set_permissions(&yarn, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let path_env = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let json_path = path.clone();
    let o = tokio::task::spawn_blocking(move || {
        crate::support::opsdeck_bin_env(
            &["release", "--json"],
            Some(&json_path),
            &[("PATH", path_env)],
        )
    })
    .await
    .expect("join");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(doc["repo"], DEMO_REPO);
    assert_eq!(doc["number"], DEMO_ISSUE);
    assert_eq!(doc["title"], "3.23 release tracking issue");
    assert_eq!(doc["milestone"], "3.23");
    assert_eq!(doc["assignee"], "alice");
    // The default query counts #16178, which has no milestone.
    assert_eq!(doc["blockers"], 3);
    assert_eq!(
        doc["blocker_query"],
        "repo:sourcegraph/sourcegraph is:issue is:open label:\"release-blocker\""
    );
    let blockers = doc["blocker_issues"].as_array().expect("blocker_issues");
    let numbers: Vec<u64> = blockers
        .iter()
        .filter_map(|b| b["number"].as_u64())
        .collect();
    assert_eq!(numbers, [16215, 16190, 16178]);
    assert_eq!(
        blockers[2],
        serde_json::json!({
            "number": 16178,
            "title": "distribution: server image fails to start on a read-only root file system",
            "url": "https://github.example/sourcegraph/sourcegraph/issues/16178",
            "assignee": "frank",
        })
    );
    assert_eq!(doc["warnings"], serde_json::json!([]));
    let total = doc["total"].as_u64().expect("total");
    let done = doc["done"].as_u64().expect("done");
    let sections = doc["sections"].as_array().expect("sections");
    let titles: Vec<&str> = sections
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Setup",
            "Prepare release",
            "Stage release",
            "Finalize release",
            "Post-release"
        ]
    );
    let steps: Vec<&Value> = sections
        .iter()
        .flat_map(|s| s["steps"].as_array().expect("steps"))
        .collect();
    assert_eq!(steps.len() as u64, total);
    let find = |prefix: &str| {
        steps
            .iter()
            .find(|s| s["text"].as_str().is_some_and(|t| t.starts_with(prefix)))
            .copied()
            .unwrap_or_else(|| panic!("no step {prefix}"))
    };
    // What steps link to, with its live state.
    let links = |prefix: &str| find(prefix)["links"].clone();
    let search = links("Search: the zoekt memory fix");
    assert_eq!(
        search,
        json!([{
            "kind": "pull", "ref": "#16201", "state": "merged", "checks": "success",
            "url": "https://github.example/sourcegraph/sourcegraph/pull/16201",
            "title": "search: cap memory during zoekt shard merges",
        }])
    );
    let campaigns = links("Campaigns: rate-limit back-off");
    assert_eq!(
        (
            &campaigns[0]["kind"],
            &campaigns[0]["ref"],
            &campaigns[0]["state"],
            &campaigns[0]["checks"]
        ),
        (
            &json!("pull"),
            &json!("#16209"),
            &json!("draft"),
            &json!("failure")
        ),
        "an issue shorthand GitHub says is a pull request"
    );
    let branch = links("Merge the deployment pull requests");
    assert_eq!(
        (
            &branch[0]["kind"],
            &branch[0]["ref"],
            &branch[0]["state"],
            &branch[0]["checks"]
        ),
        (
            &json!("ref"),
            &json!("3.23"),
            &json!("pending"),
            &json!("pending")
        )
    );
    assert_eq!(find("Cut the 3.23 section")["links"], json!([]));
    let candidate = find("Create the first release candidate");
    assert_eq!(candidate["command"], json!(["sh", "-c", "echo rc {rc}"]));
    assert_eq!(candidate["command_source"], "config");
    let status = find("Check the release state");
    assert_eq!(
        status["command"],
        Value::Null,
        "inline commands are not allowed by this config"
    );
    assert_eq!(status["command_source"], "none");
    assert_eq!(status["proposed"], "yarn release release:status");
    assert_eq!(
        status["refused"],
        "commands from the issue are not allowed (release.allow.commands is empty)"
    );

    // The text lists the blockers and the links' states; a failed search is
    // a warning, not a failure, and a failed link is unknown with its error.
    let o = opsdeck_async(strings(&["release"]), path.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for line in [
        "→ #16201 merged, checks success",
        "→ #16209 draft, checks failure",
        "→ 3.23 CI pending",
    ] {
        assert!(text.contains(line), "{line}:\n{text}");
    }
    assert!(text.contains("3 open blockers"), "{text}");
    assert!(
        text.contains("\n  blocker #16178 distribution: server image fails to start on a read-only root file system  @frank\n"),
        "{text}"
    );
    fake.fail_next(opsdeck_testkit::github::Fault::status(
        Some("GET"),
        "/search/issues",
        503,
    ));
    fake.fail_next(opsdeck_testkit::github::Fault::status(
        Some("GET"),
        "/pulls/16201",
        404,
    ));
    let o = opsdeck_async(strings(&["release", "--json"]), path.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let unknown: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        (&unknown["blockers"], &unknown["blocker_issues"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(unknown["total"], doc["total"], "the checklist still loads");
    let warning = unknown["warnings"][0].as_str().expect("a warning");
    assert!(
        warning.starts_with("blockers unknown: GitHub: searching issues")
            && warning.contains("503"),
        "{warning}"
    );
    assert!(
        stderr(&o).contains("warning: blockers unknown"),
        "{}",
        stderr(&o)
    );
    let steps_of = |doc: &Value| -> Vec<Value> {
        doc["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["steps"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    let unknown_steps = steps_of(&unknown);
    let link_of = |prefix: &str| {
        unknown_steps
            .iter()
            .find(|s| s["text"].as_str().is_some_and(|t| t.starts_with(prefix)))
            .map(|s| s["links"][0].clone())
            .unwrap_or_default()
    };
    let gone = link_of("Search: the zoekt memory fix");
    assert_eq!(
        (&gone["state"], &gone["checks"]),
        (&json!("unknown"), &Value::Null)
    );
    assert!(
        gone["error"].as_str().is_some_and(|e| e.contains("404")),
        "{gone}"
    );
    assert_eq!(link_of("Campaigns: rate-limit back-off")["state"], "draft");

    // tick / tick --undo
    let id = status["id"].as_str().expect("id").to_string();
    let o = opsdeck_async(strings(&["release", "tick", &id]), path.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("ticked {id} ({}/{total} done)", done + 1)),
        "{}",
        stdout(&o)
    );
    let body = fake.issue_body(DEMO_REPO, DEMO_ISSUE).expect("body");
    assert!(body.contains("- [x] Check the release state"), "{body}");
    let o = opsdeck_async(strings(&["release", "tick", &id, "--undo"]), path.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = opsdeck_async(
        strings(&["release", "tick", "setup/no-such-step"]),
        path.clone(),
    )
    .await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no longer"), "{}", stderr(&o));

    // run: refused without a terminal and without --yes; the command's exit code otherwise.
    let cid = candidate["id"].as_str().expect("id").to_string();
    let o = opsdeck_async(strings(&["release", "run", &cid]), path.clone()).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    let o = opsdeck_async(strings(&["release", "run", &cid, "--yes"]), path.clone()).await;
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "rc 7");
    assert!(
        fake.issue_body(DEMO_REPO, DEMO_ISSUE)
            .is_some_and(|b| b.contains("- [x] Create the first release candidate"))
    );
    let failing = find("Verify the candidate")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let o = opsdeck_async(
        strings(&["release", "run", &failing, "--yes"]),
        path.clone(),
    )
    .await;
    assert_eq!(o.status.code(), Some(4), "the command's exit code");
    assert!(stderr(&o).contains("not ticked"), "{}", stderr(&o));
    // A step whose inline code is not allowed: refused, exit 1.
    let o = opsdeck_async(strings(&["release", "run", &id, "--yes"]), path.clone()).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
}

#[test]
fn release_file_backend_with_crlf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("RELEASE.md");
    let body = "# 3.23 release\r\n\r\n## Setup\r\n\r\n- [ ] Branch\r\n- [x] Captain\r\n";
    std::fs::write(&md, body).expect("write");
    let path = write_config(
        dir.path(),
        &format!("[release]\nfile = \"{}\"\n", md.display()),
    );
    let o = opsdeck(&["release", "--json"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        (doc["done"].as_u64(), doc["total"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(doc["title"], "3.23 release");
    let o = opsdeck(&["release", "tick", "setup/branch"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&md).expect("read"),
        body.replace("- [ ] Branch", "- [x] Branch")
    );
}

#[test]
fn release_tick_typo_prefix_and_already_ticked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("RELEASE.md");
    let body = "# 3.24 release\n\n## Setup\n\n- [x] Check the release state\n- [ ] Cut the branch\n- [ ] Create the tracking issue\n- [ ] Create the milestone\n";
    std::fs::write(&md, body).expect("write");
    let path = write_config(
        dir.path(),
        &format!("[release]\nfile = \"{}\"\n", md.display()),
    );
    let read = || std::fs::read_to_string(&md).expect("read");

    // `opsdeck release` lists the ids the errors point to.
    let o = opsdeck(&["release"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(setup/check-the-release-state)"),
        "{}",
        stdout(&o)
    );

    // A typo: the nearest id, how to list them, exit 1, nothing written.
    let o = opsdeck(
        &["release", "tick", "setup/chek-the-release-state"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "no step \"setup/chek-the-release-state\"; did you mean \"setup/check-the-release-state\"?"
        ),
        "{err}"
    );
    assert!(
        err.contains("run `opsdeck release` to list the step ids"),
        "{err}"
    );
    assert!(!err.contains("is no longer in the issue"), "{err}");
    let o = opsdeck(&["release", "tick", "nosuch"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no step \"nosuch\""), "{}", stderr(&o));
    assert_eq!(read(), body);

    // An ambiguous prefix names the candidates; nothing written.
    let o = opsdeck(&["release", "tick", "setup/create"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "\"setup/create\" is ambiguous: 2 step ids start with it: \
             setup/create-the-tracking-issue, setup/create-the-milestone"
        ),
        "{err}"
    );
    assert_eq!(read(), body);

    // A unique prefix ticks the step it names.
    let o = opsdeck(&["release", "tick", "setup/cut"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "ticked setup/cut-the-branch (2/4 done)");
    let ticked = body.replace("- [ ] Cut", "- [x] Cut");
    assert_eq!(read(), ticked);

    // Already in the wanted state: success, the file untouched.
    let modified = std::fs::metadata(&md)
        .and_then(|m| m.modified())
        .expect("mtime");
    let o = opsdeck(
        &["release", "tick", "setup/check-the-release-state"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "already ticked: setup/check-the-release-state (2/4 done); nothing was changed"
    );
    assert!(!stderr(&o).contains("someone else"), "{}", stderr(&o));
    let o = opsdeck(
        &["release", "tick", "setup/create-the-m", "--undo"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "already unticked: setup/create-the-milestone (2/4 done); nothing was changed"
    );
    assert_eq!(read(), ticked);
    assert_eq!(
        std::fs::metadata(&md)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified,
        "not rewritten"
    );
}

/// `ack --team` uses the console's team routing: the team label and
/// `[[alerts.route]]` (here a route-assigned zoekt alert with no owner),
/// one silence per active alert, each with the alert's exact labels.
#[test]
fn ack_team_silences_every_active_alert_of_the_team_including_routed_ones() {
    let (am, _dir, path) = search_alertmanager(&[sg_alert(
        "warning",
        "gitserver",
        "disk_space",
        "distribution",
    )]);

    // The preview names both alerts; no terminal, no --yes: nothing made.
    let o = opsdeck(&["ack", "--team", "search"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("2 silences for the 2 active alerts of search"),
        "{err}"
    );
    assert!(err.contains("critical_frontend_hard_error_rate {"), "{err}");
    assert!(
        err.contains("warning_zoekt_webserver_indexed_search_errors {"),
        "{err}"
    );
    assert_eq!(am.get_json("/api/v2/silences"), json!([]));

    let o = opsdeck(&["ack", "--team", "nobody", "--yes"], Some(&path));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(r#"no team "nobody""#), "{}", stderr(&o));

    let o = opsdeck(
        &["ack", "--team", "search", "--for", "1h", "--yes"],
        Some(&path),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    let silences = am.get_json("/api/v2/silences");
    let mut services: Vec<String> = silences
        .as_array()
        .expect("array")
        .iter()
        .map(|s| {
            let m = s["matchers"].as_array().expect("matchers");
            assert!(
                m.iter()
                    .all(|m| m["isEqual"] == true && m["isRegex"] == false)
            );
            m.iter()
                .find(|m| m["name"] == "service_name")
                .and_then(|m| m["value"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    services.sort();
    assert_eq!(services, ["frontend", "zoekt-webserver"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_check_warns_when_the_blockers_cannot_be_counted() {
    use opsdeck_testkit::github::{DEMO_ISSUE, DEMO_REPO, Fault, GithubFake};
    let fake = GithubFake::start_demo().await.expect("fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n[release]\nrepo = \"{DEMO_REPO}\"\nissue = {DEMO_ISSUE}\n",
            fake.url
        ),
    );
    fake.fail_next(Fault::status(Some("GET"), "/search/issues", 502));
    let o = opsdeck_async(strings(&["config", "check"]), path).await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "a warning is not a failure: {}",
        stderr(&o)
    );
    let out = stdout(&o);
    let warning = out
        .lines()
        .find(|l| l.contains("blockers unknown"))
        .unwrap_or_else(|| panic!("no warning:\n{out}"));
    assert!(warning.contains("502"), "{warning}");
    assert!(out.contains("3.23 release tracking issue"), "{out}");
}
