//! End-to-end: the real binary in a pseudo-terminal, driven with keys.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opsdeck_testkit::servers::{Alertmanager, wait_for};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::json;

use crate::support::{config_text, sg_alert};

#[path = "pty_triage.rs"]
mod triage;

/// The binary running in a pty, its screen parsed by a vt100 emulator.
struct Session {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    /// Bytes the binary wrote to the terminal so far.
    written: Arc<std::sync::atomic::AtomicUsize>,
    _home: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str], config: Option<&Path>) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_opsdeck"));
        cmd.args(args);
        if let Some(c) = config {
            cmd.arg("--config");
            cmd.arg(c);
        }
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("OPSDECK_CONFIG");
        cmd.env_remove("NO_COLOR");
        let child = pty.slave.spawn_command(cmd).expect("spawn opsdeck");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(40).expect("rows"),
            std::num::NonZeroU16::new(120).expect("cols"),
            0,
        )));
        let p = parser.clone();
        let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let w = written.clone();
        std::thread::spawn(move || {
            let _master = pty.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
                w.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
            }
        });
        Session {
            child,
            writer,
            parser,
            written,
            _home: home,
        }
    }

    fn written(&self) -> usize {
        self.written.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    fn wait_for_text(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{text:?} never appeared on screen:\n{}", self.screen());
    }

    fn wait_for_gone(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if !self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{text:?} stayed on screen:\n{}", self.screen());
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("opsdeck did not exit:\n{}", self.screen());
    }

    fn alternate_screen(&self) -> bool {
        self.parser
            .lock()
            .expect("parser")
            .screen()
            .alternate_screen()
    }
}

#[test]
fn acknowledge_with_keys_creates_the_silence_and_q_restores_the_terminal() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([sg_alert(
        "critical",
        "gitserver",
        "disk_space_remaining",
        "distribution"
    )]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config_text(&[("prod", &am.url)], &[], "")).expect("write config");

    let mut s = Session::start(&[], Some(&path));
    s.wait_for_text("critical_gitserver_disk_space");
    assert!(
        s.alternate_screen(),
        "the console uses the alternate screen"
    );
    assert!(
        !s.screen().contains("DEMO"),
        "a configured console is not the demo"
    );
    // The console starts on the overview; 1 opens the alerts.
    s.send("1");
    s.send("\t");
    s.send("a");
    s.wait_for_text("Acknowledge critical_gitserver_disk_space_remaining");
    s.wait_for_text("matches 1 current alert");
    s.send("\r");
    s.wait_for_text("Confirm [y/N]");
    s.send("y");
    let silence = wait_for(
        "the silence in Alertmanager",
        Duration::from_secs(10),
        || {
            let v = am.get_json("/api/v2/silences");
            let arr = v.as_array()?;
            (arr.len() == 1).then(|| arr[0].clone())
        },
    );
    assert_eq!(silence["createdBy"], "tester");
    assert_eq!(silence["status"]["state"], "active");
    s.wait_for_text("created");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    assert!(
        !s.alternate_screen(),
        "the terminal left the alternate screen"
    );
}

#[test]
fn demo_starts_with_no_config_and_ctrl_c_quits() {
    let mut s = Session::start(&[], None);
    s.wait_for_text("DEMO");
    s.wait_for_text("search");
    s.send("2");
    s.wait_for_text("3.23 release tracking issue");
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    assert!(!s.alternate_screen());
}

#[test]
fn tick_a_release_step_with_keys() {
    use opsdeck_testkit::github::{DEMO_ISSUE, DEMO_REPO, GithubFake};
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    let fake = rt.block_on(GithubFake::start_demo()).expect("fake");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n[release]\nrepo = \"{DEMO_REPO}\"\nissue = {DEMO_ISSUE}\n",
            fake.url
        ),
    )
    .expect("write config");
    let before = fake.issue_body(DEMO_REPO, DEMO_ISSUE).expect("body");
    assert!(before.contains("- [ ] Check the release state"));

    let mut s = Session::start(&[], Some(&path));
    s.send("2");
    s.wait_for_text("3.23 release tracking issue");
    // The cursor starts on the first open step; space ticks it.
    s.wait_for_text("▶[ ] Check the release state");
    s.send(" ");
    s.wait_for_text("ticked Check the release state");
    let after = fake.issue_body(DEMO_REPO, DEMO_ISSUE).expect("body");
    assert_eq!(
        after,
        before.replacen(
            "- [ ] Check the release state",
            "- [x] Check the release state",
            1
        ),
        "exactly that checkbox changed"
    );
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    drop(fake);
}

#[test]
fn palette_help_and_a_remapped_quit_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    // No sources at all; quit moves to Q (q is free for nothing) and unack is disabled.
    std::fs::write(
        &path,
        "[keys.global]\nquit = \"Q\"\n[keys.alerts]\nunack = \"<disabled>\"\n",
    )
    .expect("write config");
    let mut s = Session::start(&[], Some(&path));
    s.wait_for_text("Alerts by team");
    // `:release` through the palette.
    s.send(":");
    s.wait_for_text("Tab completes");
    s.send("release\r");
    s.wait_for_text("Release checklist: not configured");
    // `?` shows the live keymap: the remapped and the disabled key.
    s.send("?");
    s.wait_for_text("Help");
    s.wait_for_text("*Q ");
    let screen = s.screen();
    assert!(screen.contains("quit"), "{screen}");
    // The alerts keys are further down: G scrolls to the end.
    s.send("G");
    s.wait_for_text("*disabled");
    let screen = s.screen();
    assert!(
        screen.contains("*disabled      unack: expire silences of the alert"),
        "{screen}"
    );
    s.send("\x1b");
    // q no longer quits; Q does.
    s.send("q");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        s.child.try_wait().expect("wait").is_none(),
        "q was remapped away"
    );
    s.send("Q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_keymap_conflict_is_reported_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "read_only = true\n[keys.alerts]\nack = \"s\"\n").expect("write config");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .arg("--config")
        .arg(&path)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", path.display())), "{err}");
    assert!(
        err.contains("key s is bound to both") && err.contains("ack ([keys.alerts])"),
        "{err}"
    );
}

#[test]
fn read_only_shows_in_the_header_and_refuses() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([sg_alert(
        "critical",
        "gitserver",
        "disk_space_remaining",
        "distribution"
    )]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config_text(&[("prod", &am.url)], &[], "")).expect("write config");
    let mut s = Session::start(&["--read-only"], Some(&path));
    s.wait_for_text("READ-ONLY");
    s.send("1");
    s.wait_for_text("critical_gitserver_disk_space");
    s.send("\t");
    s.send("a");
    s.wait_for_text("read-only: acknowledging is refused");
    assert_eq!(am.get_json("/api/v2/silences"), json!([]));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn an_idle_console_writes_nothing_to_the_terminal() {
    let am = Alertmanager::start();
    // Started two hours ago: its age reads "2h" for the whole test.
    let mut alert = sg_alert(
        "critical",
        "gitserver",
        "disk_space_remaining",
        "distribution",
    );
    alert["startsAt"] = json!((chrono::Utc::now() - chrono::TimeDelta::hours(2)).to_rfc3339());
    am.post_alerts(&json!([alert]));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    // The source refreshes every second meanwhile.
    std::fs::write(&path, config_text(&[("prod", &am.url)], &[], "")).expect("write config");
    let mut s = Session::start(&[], Some(&path));
    s.send("1");
    s.wait_for_text("critical_gitserver_disk_space");
    s.wait_for_text("2h");
    std::thread::sleep(Duration::from_secs(2));
    let before = s.written();
    std::thread::sleep(Duration::from_secs(5));
    let idle = s.written() - before;
    assert_eq!(
        idle,
        0,
        "5 s idle with 5 refreshes and 5 clock ticks wrote {idle} bytes:\n{}",
        s.screen()
    );
    // A change on screen is still drawn at once.
    am.post_alerts(&json!([sg_alert(
        "warning",
        "searcher",
        "cpu_usage",
        "search"
    )]));
    s.wait_for_text("Teams (2) · 2 alerts");
    assert!(s.written() > before, "the new alert was drawn");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn demo_with_a_config_keeps_its_remapped_quit_key_and_theme() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "theme = \"light\"\n[keys.global]\nquit = \"Q\"\n")
        .expect("write config");
    let mut s = Session::start(&["--demo"], Some(&path));
    s.wait_for_text("DEMO");
    s.wait_for_text("search");
    // The light theme's header (black on 117), not the dark one's (on cyan).
    let header_bg = {
        let parser = s.parser.lock().expect("parser");
        parser.screen().cell(0, 1).map(|c| c.bgcolor())
    };
    assert_eq!(header_bg, Some(vt100::Color::Idx(117)), "{}", s.screen());
    // The demo says where its own audit log is.
    s.wait_for_text("demo: its changes are logged to ");
    assert!(s.screen().contains("/opsdeck-demo-"), "{}", s.screen());
    // q no longer quits; Q does.
    s.send("q");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        s.child.try_wait().expect("wait").is_none(),
        "q was remapped away:\n{}",
        s.screen()
    );
    s.send("Q");
    assert_eq!(s.wait_exit(), 0);
    assert!(!s.alternate_screen());
}

#[test]
fn demo_with_a_config_that_does_not_load_warns_and_keeps_the_default_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[keys.global]\nquit = \"Q\"\n[alerts]\nrefrsh = \"5s\"\n",
    )
    .expect("write config");
    let mut s = Session::start(&["--demo"], Some(&path));
    s.wait_for_text("DEMO");
    s.wait_for_text("warning: ");
    assert!(s.screen().contains("config.toml:4:"), "{}", s.screen());
    // The config's remapping did not apply: q quits.
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}
