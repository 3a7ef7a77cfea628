//! `--demo` with the user's config: the demo's sources with the user's keys
//! and theme, and the demo's own audit log (never the user's).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use crossterm::event::KeyCode;
use opsdeck::app::keymap::{Command, Context};
use opsdeck::app::update;
use opsdeck::cli::Cli;
use opsdeck::runtime::Runtime;
use opsdeck::ui::theme::Theme;

use crate::support::{code, key, opsdeck_bin_env, press, select_team, until};

/// Quit moved to `Q`, the light theme, and an audit log of the user's own
/// that already holds one entry.
struct UserConfig {
    dir: tempfile::TempDir,
    path: PathBuf,
    audit: PathBuf,
}

const OLD_ENTRY: &str = "{\"action\":\"silence.create\",\"who\":\"me\"}\n";

impl UserConfig {
    fn new() -> UserConfig {
        let dir = tempfile::tempdir().expect("tempdir");
        let audit = dir.path().join("real-audit.jsonl");
        std::fs::write(&audit, OLD_ENTRY).expect("write audit log");
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            format!(
                "theme = \"light\"\naudit_log = {audit:?}\n[alerts]\nack_author = \"dana\"\n[keys.global]\nquit = \"Q\"\n\n[[alertmanager]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9\"\n",
                audit = audit.display().to_string()
            ),
        )
        .expect("write config");
        UserConfig { dir, path, audit }
    }

    fn cli(&self) -> Cli {
        Cli::try_parse_from([
            "opsdeck".as_ref(),
            "--demo".as_ref(),
            "--config".as_ref(),
            self.path.as_os_str(),
        ])
        .expect("args")
    }

    /// The user's audit log is as it was before the demo.
    fn assert_audit_untouched(&self) {
        let now = std::fs::read_to_string(&self.audit).expect("the user's audit log");
        assert_eq!(now, OLD_ENTRY, "the demo wrote to the user's audit log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_keeps_the_users_keys_and_theme_and_not_their_sources() {
    let user = UserConfig::new();
    let env = opsdeck::cli::environment(&user.cli())
        .await
        .expect("environment");
    assert!(env.demo.is_some());
    assert_eq!(env.warning, None);
    assert_eq!(
        env.settings.keymap.key_for(Context::Global, Command::Quit),
        Some("Q".to_string())
    );
    assert_eq!(env.config.theme.as_deref(), Some("light"));
    let names: Vec<&str> = env
        .config
        .alertmanager
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["demo-am"], "the sources are the demo's");

    let mut rt = Runtime::start(&env.config, true).expect("runtime");
    rt.state.keymap = env.settings.keymap.clone();
    assert_eq!(
        rt.state.theme,
        Theme::from_env(Some("light")).expect("light theme")
    );
    if std::env::var_os("NO_COLOR").is_none() {
        assert_ne!(rt.state.theme, Theme::default(), "not the default theme");
    }
    // q does nothing any more; Q quits.
    let mut state = rt.state.clone();
    update(&mut state, key('q'));
    assert!(!state.quit, "q was remapped away");
    update(&mut state, key('Q'));
    assert!(state.quit, "Q quits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_acknowledgement_in_the_demo_goes_to_the_demos_audit_log() {
    let user = UserConfig::new();
    let env = opsdeck::cli::environment(&user.cli())
        .await
        .expect("environment");
    let demo_log = env.config.audit_log.clone().expect("the demo's audit log");
    assert_ne!(demo_log, user.audit);
    assert!(
        demo_log.starts_with(std::env::temp_dir()),
        "{}",
        demo_log.display()
    );
    let demo_dir = demo_log.parent().expect("its directory").to_path_buf();
    assert!(demo_dir.is_dir());

    let mut rt = Runtime::start(&env.config, true).expect("runtime");
    assert_eq!(rt.state.demo_audit_log.as_ref(), Some(&demo_log));
    until(&mut rt, 20, "the demo's alerts", |s| {
        s.alerts.groups.iter().any(|g| g.key == "search")
    })
    .await;
    select_team(&mut rt, "search").await;
    press(&mut rt, [key('a'), code(KeyCode::Enter), key('y')]).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let entries = loop {
        let text = std::fs::read_to_string(&demo_log).unwrap_or_default();
        if text.contains("silence.create") || Instant::now() > deadline {
            break text;
        }
        rt.run_until(Duration::from_millis(100), |_| false).await;
    };
    assert!(
        entries.contains("\"action\":\"silence.create\"") && entries.contains("\"who\":\"dana\""),
        "the demo's audit log: {entries:?}"
    );
    user.assert_audit_untouched();
    drop(rt);
    drop(env);
    assert!(
        !demo_dir.exists(),
        "the demo's audit log goes with the demo"
    );
}

/// Entries of `dir` whose name starts with `opsdeck-demo-`.
fn demo_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("opsdeck-demo-"))
        .collect()
}

#[test]
fn a_cli_acknowledgement_in_the_demo_never_writes_the_users_audit_log() {
    let user = UserConfig::new();
    let state = user.dir.path().join("state");
    let tmp = user.dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let out = opsdeck_bin_env(
        &[
            "--demo",
            "ack",
            "alertname=NodeDiskPressure",
            "--for",
            "10m",
            "--yes",
        ],
        Some(&user.path),
        &[
            ("XDG_STATE_HOME", state.display().to_string()),
            ("TMPDIR", tmp.display().to_string()),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!id.is_empty(), "a silence was created: {stderr}");
    user.assert_audit_untouched();
    assert!(
        !state.join("opsdeck/audit.jsonl").exists(),
        "the demo wrote to the default audit log"
    );
    assert_eq!(demo_dirs(&tmp), Vec::<String>::new(), "removed on exit");
}

#[test]
fn a_user_config_that_does_not_load_still_starts_the_demo_with_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[keys.global]\nquit = \"Q\"\n[alerts]\nrefrsh = \"5s\"\n",
    )
    .expect("write config");
    let out = opsdeck_bin_env(&["--demo", "alerts", "--json"], Some(&path), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("warning: {}:4:", path.display()))
            && stderr.contains("did you mean `refresh`?")
            && stderr.contains("default keys and theme"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"teams\""));

    // A --config that is not there: the same.
    let missing = dir.path().join("missing.toml");
    let out = opsdeck_bin_env(&["--demo", "alerts", "--json"], Some(&missing), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("config file not found"),
        "{stderr}"
    );
}
