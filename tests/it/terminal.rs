//! Terminal safety, end to end: the real binary in a pseudo-terminal whose
//! output goes through a vt100 emulator that records what else it was asked
//! to do (window title, clipboard, bell).
//!
//! * Remote text (alert labels and annotations, release issues, CLI output)
//!   cannot drive the terminal: escape sequences arrive defanged.
//! * The terminal is given back (main screen, cursor shown, mouse capture
//!   and raw mode off) after a panic, SIGTERM, SIGHUP, SIGINT and ctrl-c.
//! * ctrl-z suspends through job control and `fg` brings the screen back.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use opsdeck_testkit::servers::Alertmanager;
use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use serde_json::json;

use crate::support::config_text;

const ROWS: u16 = 40;
const COLS: u16 = 120;

/// Window title (OSC 0), clipboard (OSC 52), clear screen (CSI 2J) and a
/// right-to-left override, between markers.
const PAYLOAD: &str = "A\x1b]0;pwned\x07B\x1b]52;c;cHduZWQ=\x07C\x1b[2JD\u{202e}E";
/// [`PAYLOAD`] as it must appear: the ESC and BEL bytes and the override are
/// gone, the rest is inert text.
const DEFANGED: &str = "A]0;pwnedB]52;c;cHduZWQ=C[2JDE";

/// What the emulator was asked to do besides drawing.
#[derive(Default, Debug)]
struct Recorder {
    titles: Vec<String>,
    icon_names: Vec<String>,
    clipboard: Vec<String>,
    bells: usize,
}

impl vt100::Callbacks for Recorder {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.icon_names
            .push(String::from_utf8_lossy(name).into_owned());
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles
            .push(String::from_utf8_lossy(title).into_owned());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8], data: &[u8]) {
        self.clipboard
            .push(String::from_utf8_lossy(data).into_owned());
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _ty: &[u8]) {
        self.clipboard.push("<paste request>".into());
    }
}

/// A program in a pty; its output is parsed by a vt100 emulator and kept raw.
struct Session {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    parser: Arc<Mutex<vt100::Parser<Recorder>>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _home: tempfile::TempDir,
}

impl Session {
    /// opsdeck with `args` (and `--config` when given).
    fn opsdeck(args: &[&str], config: Option<&Path>, env: &[(&str, &str)]) -> Session {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if let Some(c) = config {
            all.push("--config".into());
            all.push(c.display().to_string());
        }
        Session::start(Path::new(env!("CARGO_BIN_EXE_opsdeck")), &all, env)
    }

    fn start(program: &Path, args: &[String], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("OPSDECK_CONFIG");
        // A backtrace would scroll color-eyre's report off the screen.
        cmd.env_remove("RUST_BACKTRACE");
        cmd.env_remove("RUST_LIB_BACKTRACE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            std::num::NonZeroU16::new(ROWS).expect("rows"),
            std::num::NonZeroU16::new(COLS).expect("cols"),
            0,
            Recorder::default(),
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // Under the parser's lock, so the two always agree.
                let mut parser = p.lock().expect("parser");
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
                parser.process(&buf[..n]);
            }
        });
        Session {
            child,
            writer,
            master: pty.master,
            parser,
            raw,
            _home: home,
        }
    }

    fn pid(&self) -> Pid {
        Pid::from_raw(
            self.child
                .process_id()
                .and_then(|p| i32::try_from(p).ok())
                .expect("child pid"),
        )
    }

    fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    fn row(&self, n: u16) -> String {
        self.screen()
            .lines()
            .nth(usize::from(n))
            .unwrap_or("")
            .to_string()
    }

    fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// Runs `f` on the emulator's state.
    fn with<T>(&self, f: impl FnOnce(&vt100::Parser<Recorder>) -> T) -> T {
        f(&self.parser.lock().expect("parser"))
    }

    fn alternate_screen(&self) -> bool {
        self.with(|p| p.screen().alternate_screen())
    }

    fn cursor_hidden(&self) -> bool {
        self.with(|p| p.screen().hide_cursor())
    }

    fn mouse_captured(&self) -> bool {
        self.with(|p| p.screen().mouse_protocol_mode() != vt100::MouseProtocolMode::None)
    }

    /// Whether the pty is in raw mode (no line editing, no signal keys).
    fn raw_mode(&self) -> bool {
        let termios = self.master.get_termios().expect("termios of the pty");
        let local = format!("{:?}", termios.local_flags);
        !local.contains("ICANON") && !local.contains("ISIG")
    }

    fn wait_until(&self, what: &str, mut cond: impl FnMut(&Session) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if cond(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.screen());
    }

    fn wait_for_text(&self, text: &str) {
        self.wait_until(&format!("{text:?} on screen"), |s| {
            s.screen().contains(text)
        });
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(100));
    }

    fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait") {
                // Let the reader take in the last output.
                std::thread::sleep(Duration::from_millis(150));
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the program did not exit; screen:\n{}", self.screen());
    }

    /// `(alternate screen, cursor hidden, mouse captured, raw mode)`.
    fn modes(&self) -> [bool; 4] {
        [
            self.alternate_screen(),
            self.cursor_hidden(),
            self.mouse_captured(),
            self.raw_mode(),
        ]
    }

    /// Waits until every mode is `want`; the output arrives in pieces (the
    /// cursor is hidden after the cells are drawn, for one).
    fn wait_modes(&self, want: bool, when: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.modes() == [want; 4] {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let [alt, hidden, mouse, raw] = self.modes();
        panic!(
            "{when}: expected every mode {want}, got alternate screen {alt}, cursor hidden {hidden}, mouse capture {mouse}, raw mode {raw}; screen:\n{}",
            self.screen()
        );
    }

    /// The console owns the terminal: alternate screen, cursor hidden,
    /// mouse captured, raw mode.
    fn assert_taken(&self, when: &str) {
        self.wait_modes(true, when);
    }

    /// The terminal is as the shell expects it: main screen, cursor shown,
    /// no mouse capture, not in raw mode.
    fn assert_restored(&self, when: &str) {
        self.wait_modes(false, when);
    }

    /// Nothing was injected: no title, clipboard or bell request, no escape
    /// sequence of the payload in the output stream, no bidi override.
    fn assert_not_injected(&self) {
        let rec = self.with(|p| format!("{:?}", p.callbacks()));
        self.with(|p| {
            let c = p.callbacks();
            assert!(c.titles.is_empty() && c.icon_names.is_empty(), "{rec}");
            assert!(c.clipboard.is_empty(), "{rec}");
            assert_eq!(c.bells, 0, "{rec}");
        });
        let raw = self.raw();
        for seq in [
            &b"\x1b]0;"[..],
            b"\x1b]52;",
            b"\x1b[2J",
            b"\x07",
            "\u{202e}".as_bytes(),
        ] {
            assert!(
                find(&raw, seq).is_none(),
                "the output contains {:?}",
                String::from_utf8_lossy(seq)
            );
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `(state, ppid)` from `/proc/<pid>/stat`.
fn proc_stat(pid: Pid) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: skip past it.
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((state, ppid))
}

fn children(parent: Pid) -> Vec<Pid> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .map(Pid::from_raw)
        .filter(|&pid| proc_stat(pid).is_some_and(|(_, ppid)| ppid == parent.as_raw()))
        .collect()
}

fn write_config(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// An Alertmanager holding one alert with the payload in its name, team,
/// annotations and labels; returns it with a config for it.
fn injected_alertmanager(dir: &tempfile::TempDir) -> (Alertmanager, PathBuf) {
    let am = Alertmanager::start();
    am.post_alerts(&json!([{
        "labels": {
            "alertname": format!("evil{PAYLOAD}"),
            "level": "warning",
            "owner": "ops\x1b]0;pwned\x07",
            "extra": format!("label {PAYLOAD}"),
        },
        "annotations": {
            "description": format!("desc {PAYLOAD}"),
            "summary": format!("sum {PAYLOAD}"),
            "note": format!("note {PAYLOAD}"),
        },
        "generatorURL": "http://prometheus.example/graph",
    }]));
    // No bell on new alerts: the test asserts that nothing rang.
    let path = write_config(
        dir,
        &config_text(&[("prod", &am.url)], &[], "[notify]\nbell = false\n"),
    );
    (am, path)
}

#[test]
fn alert_labels_and_annotations_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_am, config) = injected_alertmanager(&dir);
    let mut s = Session::opsdeck(&[], Some(&config), &[]);
    // The overview lists the team.
    s.wait_for_text("ops]0;pwned");
    s.send("1");
    s.wait_for_text(&format!("evil{DEFANGED}"));
    // Focus the alert and open its detail pane.
    s.send("\t");
    s.send("\r");
    s.wait_for_text(&format!("desc {DEFANGED}"));
    s.wait_for_text(&format!("note {DEFANGED}"));
    let screen = s.screen();
    assert!(screen.contains("labels"), "{screen}");
    assert!(
        screen.contains(&format!("extra=\"label {DEFANGED}\"")),
        "{screen}"
    );
    // Nothing cleared the screen: the header is still on the first row.
    assert!(s.row(0).contains(" opsdeck "), "{screen}");
    s.assert_not_injected();
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored("after q");
}

#[test]
fn a_release_issue_cannot_drive_the_terminal() {
    use opsdeck_testkit::github::{GithubFake, IssueSeed};
    const REPO: &str = "acme/widgets";
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    let fake = rt.block_on(GithubFake::start()).expect("fake");
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        number: Some(7),
        title: format!("title {PAYLOAD}"),
        body: format!(
            "Tracking.\n\n## Prep {PAYLOAD}\n\n- [ ] step {PAYLOAD}\n- [ ] Second step\n"
        ),
        labels: vec!["release-tracking".into()],
        state: "open".into(),
        ..IssueSeed::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(
        &dir,
        &format!(
            "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n[release]\nrepo = \"{REPO}\"\nissue = 7\n",
            fake.url
        ),
    );
    let mut s = Session::opsdeck(&[], Some(&config), &[]);
    s.wait_for_text("Alerts by team");
    s.send("2");
    s.wait_for_text(&format!("step {DEFANGED}"));
    s.wait_for_text(&format!("title {DEFANGED}"));
    s.wait_for_text(&format!("## Prep {DEFANGED}"));
    assert!(s.row(0).contains(" opsdeck "), "{}", s.screen());
    s.assert_not_injected();
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored("after q");
    drop(fake);
}

/// `opsdeck alerts` writes to a terminal too.
#[test]
fn cli_alert_output_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_am, config) = injected_alertmanager(&dir);
    let mut s = Session::opsdeck(&["alerts"], Some(&config), &[]);
    assert_eq!(s.wait_exit(), 0, "{}", s.screen());
    let screen = s.screen();
    // The alert line comes after the team line: both are still there.
    assert!(screen.contains("ops]0;pwned"), "{screen}");
    assert!(screen.contains(&format!("evil{DEFANGED}")), "{screen}");
    s.assert_not_injected();
}

/// The console shows the demo and owns the terminal.
fn demo(env: &[(&str, &str)]) -> Session {
    let s = Session::opsdeck(&[], None, env);
    s.wait_for_text("DEMO");
    s.assert_taken("at the start");
    s
}

fn signal_restores_the_terminal(signal: Signal) {
    let mut s = demo(&[]);
    kill(s.pid(), signal).expect("kill");
    assert_eq!(s.wait_exit(), 0, "{signal}: a clean shutdown");
    s.assert_restored(signal.as_str());
}

#[test]
fn sigterm_restores_the_terminal_and_exits_0() {
    signal_restores_the_terminal(Signal::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal_and_exits_0() {
    signal_restores_the_terminal(Signal::SIGHUP);
}

#[test]
fn sigint_restores_the_terminal_and_exits_0() {
    signal_restores_the_terminal(Signal::SIGINT);
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let mut s = demo(&[]);
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored("after ctrl-c");
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let mut s = demo(&[("OPSDECK_DEBUG_PANIC", "1")]);
    s.send("x");
    let code = s.wait_exit();
    assert_ne!(code, 0, "a panic is a failure");
    s.assert_restored("after a panic");
    // color-eyre's report is on the main screen, so it was written after the
    // terminal was given back (on the alternate screen it would be gone).
    s.wait_for_text("The application panicked");
    s.wait_for_text("OPSDECK_DEBUG_PANIC is set");
    let raw = s.raw();
    let left = find(&raw, b"\x1b[?1049l").expect("left the alternate screen");
    let report = find(&raw, b"The application panicked").expect("the report");
    assert!(left < report, "the report was written before the restore");
}

/// Wait until `pid` is stopped (`T`) or running again.
fn wait_state(s: &Session, pid: Pid, stopped: bool) {
    s.wait_until(
        if stopped {
            "the console to stop"
        } else {
            "the console to continue"
        },
        |_| proc_stat(pid).is_some_and(|(state, _)| (state == 'T') == stopped),
    );
}

/// ctrl-z under a job-control shell: the console stops with the terminal
/// given back; `fg` continues it and the whole screen is drawn again.
///
/// The console cannot be the pty's session leader here: its process group
/// would be orphaned, and Linux discards SIGTSTP in orphaned groups (see the
/// next test). So a non-interactive bash with job control runs it (`set -m`:
/// its own process group, in the foreground). After the stop, bash takes the
/// terminal back and `read`s a line; a newline makes it run `fg`, which gives
/// the terminal to the console again and sends SIGCONT. (A bare SIGCONT from
/// the test would continue the console in the background, where taking the
/// tty stops it again with SIGTTOU — exactly as in a real shell.)
#[test]
fn ctrl_z_suspends_and_fg_brings_the_screen_back() {
    suspend_then_fg(|s, _| s.send("\x1a"));
}

/// `kill -TSTP` from elsewhere (a supervisor, another shell) suspends the
/// way ctrl-z does: the terminal is given back before the process stops.
#[test]
fn sigtstp_from_kill_suspends_restores_the_terminal_and_fg_brings_it_back() {
    suspend_then_fg(|_, console| kill(console, Signal::SIGTSTP).expect("kill -TSTP"));
}

/// Runs the demo as a job of an interactive bash, suspends it with
/// `suspend`, checks the terminal was given back and bash saw the job stop,
/// then `fg`s it and checks the console takes the terminal again and works.
fn suspend_then_fg(suspend: impl Fn(&mut Session, Pid)) {
    let script = r#"set -m; "$@"; read -r _; fg %1"#;
    let mut s = Session::start(
        Path::new("bash"),
        &[
            "--norc".into(),
            "--noprofile".into(),
            "-c".into(),
            script.into(),
            "opsdeck-job".into(),
            env!("CARGO_BIN_EXE_opsdeck").into(),
        ],
        &[],
    );
    s.wait_for_text("DEMO");
    let bash = s.pid();
    let mut console = Vec::new();
    s.wait_until("the console process", |_| {
        console = children(bash);
        console.len() == 1
    });
    let console = console[0];
    let foreground = |s: &Session| s.master.process_group_leader();
    assert_eq!(foreground(&s), Some(console.as_raw()), "a foreground job");
    s.assert_taken("at the start");

    suspend(&mut s, console);
    wait_state(&s, console, true);
    s.wait_until("the main screen", |s| !s.alternate_screen());
    s.assert_restored("suspended");
    // bash reports the stopped job on the main screen.
    s.wait_for_text("Stopped");
    // Real terminals clear the alternate screen on entering it; vt100 keeps
    // it. Wipe it, so the header can only come back through a full redraw.
    s.parser
        .lock()
        .expect("parser")
        .process(b"\x1b[?1049h\x1b[2J\x1b[?1049l");

    // A line for bash's `read`, then `fg`.
    s.send("\r");
    wait_state(&s, console, false);
    s.wait_until("the alternate screen again", |s| s.alternate_screen());
    s.wait_until("the header redrawn", |s| s.row(0).contains(" opsdeck "));
    s.wait_for_text("DEMO");
    assert_eq!(foreground(&s), Some(console.as_raw()));
    s.assert_taken("after fg");
    // Still working: a view switch draws.
    s.send("2");
    s.wait_for_text("3.23 release tracking issue");

    s.send("q");
    assert_eq!(s.wait_exit(), 0, "fg passes on the console's exit code");
    s.assert_restored("after q");
}

/// Without job control (the console leads its own session, so its process
/// group is orphaned and the kernel discards SIGTSTP), ctrl-z does not hang:
/// the console gives the terminal back, is not stopped, takes the terminal
/// again and redraws.
#[test]
fn ctrl_z_without_job_control_comes_straight_back() {
    let mut s = demo(&[]);
    let before = s.raw().len();
    s.send("\x1a");
    s.wait_until("the redraw", |s| {
        let raw = s.raw();
        let after = &raw[before..];
        let Some(left) = find(after, b"\x1b[?1049l") else {
            return false;
        };
        let Some(entered) = find(&after[left..], b"\x1b[?1049h") else {
            return false;
        };
        find(&after[left + entered..], b"opsdeck").is_some()
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_ne!(proc_stat(s.pid()).map(|(state, _)| state), Some('T'));
    s.assert_taken("after ctrl-z");
    assert!(s.row(0).contains(" opsdeck "), "{}", s.screen());
    s.send("2");
    s.wait_for_text("3.23 release tracking issue");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_restored("after q");
}
