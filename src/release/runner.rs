//! Runs a release step's command in the background and streams its output.
//!
//! Commands are already-resolved argvs from local config: `argv[0]` is executed
//! directly with `argv[1..]` as literal arguments — no shell is ever involved.
//! The child runs in its own process group so [`RunHandle::stop`] reaches the
//! whole tree (e.g. `yarn` → `node`).
//!
//! Log file format (one run per file):
//!
//! ```text
//! # opsdeck run: <argv, shell-quoted> in <cwd>
//! # started <RFC3339 UTC>
//! <stdout line, as is>
//! ! <stderr line, prefixed with "! ">
//! # exited with code N | # killed by signal S (NAME) | # failed to start: ...
//! ```
//!
//! Output lines are split on `\n`; a trailing `\r` is stripped too, invalid
//! UTF-8 is replaced lossily. After the direct child exits, output is drained
//! for at most [`DRAIN_AFTER_EXIT`] (background processes that keep the pipes
//! open would otherwise keep the run alive forever).
//! This module does not depend on any UI code.

use std::collections::BTreeMap;
use std::future::pending;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::fs::File;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::Command;
use tokio::sync::Notify;
use tokio::time::{Instant, sleep_until};

/// How long output is still read after the direct child has exited.
pub const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(2);

/// One process of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proc {
    pub argv: Vec<String>,
    /// Working directory; a leading `~/` is expanded using `$HOME`.
    pub cwd: Option<PathBuf>,
    /// Added on top of the inherited environment.
    pub env: BTreeMap<String, String>,
    /// The command as shown to the user (and in the log).
    pub shown: String,
}

/// What to run and where to log it: processes run in order, and the run
/// stops at the first that does not exit 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSpec {
    pub procs: Vec<Proc>,
    pub log_path: PathBuf,
}

impl RunSpec {
    /// The argv of every process, in order (for the audit log).
    pub fn argvs(&self) -> Vec<Vec<String>> {
        self.procs.iter().map(|p| p.argv.clone()).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// The first process started.
    Started { pid: u32 },
    /// A sequence's next command begins (sent for every command of a run
    /// of more than one, before its output).
    Command {
        index: usize,
        total: usize,
        shown: String,
    },
    /// One line without its trailing newline (lossy UTF-8).
    Output { stream: Stream, line: String },
    /// The last event of a run that started: how its last process ended
    /// (the first that failed, or the last one).
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
    },
    /// A process could not start: the last event of the run (earlier
    /// commands of a sequence may have run).
    Failed { error: String },
}

#[derive(Default)]
struct Shared {
    running: AtomicBool,
    /// A stop was asked for: no further command of a sequence starts.
    stopped: AtomicBool,
    stop: Notify,
}

/// Handle to a background run. Dropping it does not stop the command.
pub struct RunHandle {
    shared: Arc<Shared>,
}

impl RunHandle {
    /// Stops the command: SIGTERM to its whole process group, then SIGKILL
    /// after `grace` if it is still running. Idempotent. Returns immediately.
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shared.stop.notify_one();
    }

    /// True until Exited/Failed was sent (it is already false while the sink
    /// handles that final event).
    pub fn is_running(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst)
    }
}

/// Starts the command on the current tokio runtime and returns at once.
/// Events go to `sink` in order. Without a current runtime, `Failed` is sent
/// synchronously.
pub fn spawn<F>(spec: RunSpec, grace: Duration, sink: F) -> RunHandle
where
    F: Fn(RunEvent) + Send + Sync + 'static,
{
    let shared = Arc::new(Shared {
        running: AtomicBool::new(true),
        stopped: AtomicBool::new(false),
        stop: Notify::new(),
    });
    let handle = RunHandle {
        shared: shared.clone(),
    };
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn(run(spec, grace, sink, shared));
        }
        Err(e) => {
            shared.running.store(false, Ordering::SeqCst);
            sink(RunEvent::Failed {
                error: format!("no tokio runtime: {e}"),
            });
        }
    }
    handle
}

/// The default log directory: `$XDG_STATE_HOME/opsdeck/runs`
/// (`~/.local/state/opsdeck/runs`).
pub fn default_log_dir() -> Option<PathBuf> {
    log_dir_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

fn log_dir_from(
    xdg: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    let state = match xdg.map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => PathBuf::from(home.filter(|h| !h.is_empty())?).join(".local/state"),
    };
    Some(state.join("opsdeck").join("runs"))
}

/// `<dir>/<UTC yyyymmdd-HHMMSS>-<step-id with '/' replaced by '_'>.log`.
pub fn log_path_for(dir: &Path, step_id: &str, now: chrono::DateTime<chrono::Utc>) -> PathBuf {
    let id = step_id.replace('/', "_");
    dir.join(format!("{}-{id}.log", now.format("%Y%m%d-%H%M%S")))
}

/// Quotes argv words like a POSIX shell would need them (for display only).
fn shell_join(argv: &[String]) -> String {
    let quote = |w: &String| {
        let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
        if !w.is_empty() && w.chars().all(safe) {
            w.clone()
        } else {
            format!("'{}'", w.replace('\'', r"'\''"))
        }
    };
    argv.iter().map(quote).collect::<Vec<_>>().join(" ")
}

fn expand_tilde(p: &Path) -> PathBuf {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    match (p.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => p.to_path_buf(),
    }
}

fn io_desc(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_string(),
        None => e.to_string(),
    }
}

/// Best-effort log writer; the first error is returned once, then logging stops.
struct Log {
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

impl Log {
    async fn open(path: &Path) -> (Log, Option<String>) {
        let res = async {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                tokio::fs::create_dir_all(parent).await?;
            }
            File::create(path).await
        }
        .await;
        match res {
            Ok(f) => (
                Log {
                    path: path.to_path_buf(),
                    file: Some(BufWriter::new(f)),
                },
                None,
            ),
            Err(e) => {
                let log = Log {
                    path: path.to_path_buf(),
                    file: None,
                };
                let msg = log.error_msg(&e);
                (log, Some(msg))
            }
        }
    }

    fn error_msg(&self, e: &std::io::Error) -> String {
        tracing::warn!(path = %self.path.display(), error = %e, "cannot write run log");
        format!("opsdeck: cannot write log {}: {e}", self.path.display())
    }

    async fn line(&mut self, text: &str) -> Option<String> {
        let file = self.file.as_mut()?;
        let res = async {
            file.write_all(text.as_bytes()).await?;
            file.write_all(b"\n").await
        }
        .await;
        self.check(res)
    }

    async fn close(&mut self) -> Option<String> {
        let file = self.file.as_mut()?;
        let res = file.flush().await;
        let err = self.check(res);
        self.file = None;
        err
    }

    fn check(&mut self, res: std::io::Result<()>) -> Option<String> {
        let e = res.err()?;
        self.file = None;
        Some(self.error_msg(&e))
    }
}

async fn sleep_opt(deadline: Option<Instant>) {
    match deadline {
        Some(d) => sleep_until(d).await,
        None => pending().await,
    }
}

/// Kills a command's process group when dropped before the command exited.
struct GroupGuard {
    pid: u32,
    exited: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if !self.exited && self.pid != 0 {
            signal_group(self.pid, Signal::SIGKILL);
        }
    }
}

fn signal_group(pid: u32, sig: Signal) {
    let Ok(raw) = i32::try_from(pid) else { return };
    if let Err(e) = killpg(Pid::from_raw(raw), sig) {
        tracing::debug!(pid, ?sig, error = %e, "killpg failed");
    }
}

/// Turns a raw line (possibly with trailing `\n` / `\r\n`) into an event text.
fn take_line(buf: &mut Vec<u8>) -> String {
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    let line = String::from_utf8_lossy(buf).into_owned();
    buf.clear();
    line
}

/// How one process of a run ended.
enum Ended {
    /// It ran; the log line says how it ended.
    Exited {
        code: Option<i32>,
        signal: Option<i32>,
        text: String,
    },
    /// It could not start.
    Failed(String),
}

async fn run<F>(spec: RunSpec, grace: Duration, sink: F, shared: Arc<Shared>)
where
    F: Fn(RunEvent) + Send + Sync + 'static,
{
    let finish = |ev: RunEvent| {
        shared.running.store(false, Ordering::SeqCst);
        sink(ev);
    };
    let (mut log, mut log_err) = Log::open(&spec.log_path).await;
    let total = spec.procs.len();
    let shown_cwd = |proc: &Proc| {
        proc.cwd
            .as_deref()
            .map(expand_tilde)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    };
    let header = match spec.procs.as_slice() {
        [one] => format!(
            "# opsdeck run: {} in {}",
            shell_join(&one.argv),
            shown_cwd(one).display()
        ),
        many => format!(
            "# opsdeck run: {} commands, stopping at the first failure",
            many.len()
        ),
    };
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for text in [header, format!("# started {started}")] {
        log_err = log_err.or(log.line(&text).await);
    }
    if total == 0 {
        log.line("# failed to start: empty command").await;
        log.close().await;
        return finish(RunEvent::Failed {
            error: "empty command".to_string(),
        });
    }
    let mut first = true;
    for (index, proc) in spec.procs.iter().enumerate() {
        if index > 0 && shared.stopped.load(Ordering::SeqCst) {
            let error = format!("stopped before `{}`", proc.shown);
            log.line(&format!("# {error}")).await;
            log.close().await;
            return finish(RunEvent::Failed { error });
        }
        if total > 1 {
            let line = format!("# $ {} (in {})", proc.shown, shown_cwd(proc).display());
            log_err = log_err.or(log.line(&line).await);
            sink(RunEvent::Command {
                index,
                total,
                shown: proc.shown.clone(),
            });
        }
        let ended = run_proc(proc, grace, &sink, &shared, &mut log, log_err.take(), first).await;
        first = false;
        match ended {
            Ended::Failed(error) => {
                log.line(&format!("# failed to start: {error}")).await;
                log.close().await;
                return finish(RunEvent::Failed { error });
            }
            Ended::Exited { code, signal, text } => {
                let mut err = log.line(&text).await;
                if code == Some(0) && index + 1 < total {
                    if let Some(line) = err {
                        sink(RunEvent::Output {
                            stream: Stream::Stderr,
                            line,
                        });
                    }
                    continue;
                }
                if code != Some(0) && index + 1 < total {
                    let skipped = total - index - 1;
                    let text = format!("# stopped: {skipped} later command(s) not run");
                    err = err.or(log.line(&text).await);
                }
                err = err.or(log.close().await);
                if let Some(line) = err {
                    sink(RunEvent::Output {
                        stream: Stream::Stderr,
                        line,
                    });
                }
                return finish(RunEvent::Exited { code, signal });
            }
        }
    }
}

/// Runs one process to its end, streaming its output.
async fn run_proc<F>(
    proc: &Proc,
    grace: Duration,
    sink: &F,
    shared: &Shared,
    log: &mut Log,
    log_err: Option<String>,
    first: bool,
) -> Ended
where
    F: Fn(RunEvent) + Send + Sync + 'static,
{
    let cwd = proc.cwd.as_deref().map(expand_tilde);
    let Some(program) = proc.argv.first() else {
        return Ended::Failed("empty command".to_string());
    };
    if let Some(dir) = &cwd {
        let error = match tokio::fs::metadata(dir).await {
            Ok(m) if m.is_dir() => None,
            Ok(_) => Some(format!(
                "working directory {} is not a directory",
                dir.display()
            )),
            Err(e) => Some(format!(
                "working directory {} does not exist ({})",
                dir.display(),
                io_desc(&e)
            )),
        };
        if let Some(error) = error {
            return Ended::Failed(error);
        }
    }

    let mut cmd = Command::new(program);
    cmd.args(&proc.argv[1..])
        .envs(&proc.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(dir) = &cwd {
        cmd.current_dir(dir);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let what = match e.kind() {
                std::io::ErrorKind::NotFound => "command not found",
                std::io::ErrorKind::PermissionDenied => "permission denied",
                _ => "cannot start",
            };
            return Ended::Failed(format!("{program}: {what} ({})", io_desc(&e)));
        }
    };
    let pid = child.id().unwrap_or_default();
    // If this task is dropped before the command ends (the runtime shuts
    // down), its whole process group is killed, not just the first process.
    let mut group = GroupGuard { pid, exited: false };
    if first {
        sink(RunEvent::Started { pid });
    }
    let report = |err: Option<String>| {
        if let Some(line) = err {
            sink(RunEvent::Output {
                stream: Stream::Stderr,
                line,
            });
        }
    };
    report(log_err);
    // A stop asked for between two commands reaches this one at once.
    let mut term_sent = false;
    let mut kill_at: Option<Instant> = None;
    if shared.stopped.load(Ordering::SeqCst) {
        term_sent = true;
        signal_group(pid, Signal::SIGTERM);
        kill_at = Some(Instant::now() + grace);
    }
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        unreachable!("stdout and stderr are piped")
    };
    let (mut out, mut err) = (BufReader::new(stdout), BufReader::new(stderr));
    let (mut out_buf, mut err_buf) = (Vec::new(), Vec::new());
    let (mut out_eof, mut err_eof) = (false, false);
    let mut status: Option<std::io::Result<ExitStatus>> = None;
    let mut drain_until: Option<Instant> = None;

    while !(out_eof && err_eof && status.is_some()) {
        let (stream, buf, eof, res) = tokio::select! {
            r = out.read_until(b'\n', &mut out_buf), if !out_eof => (Stream::Stdout, &mut out_buf, &mut out_eof, r),
            r = err.read_until(b'\n', &mut err_buf), if !err_eof => (Stream::Stderr, &mut err_buf, &mut err_eof, r),
            s = child.wait(), if status.is_none() => {
                group.exited = true;
                status = Some(s);
                drain_until = Some(Instant::now() + DRAIN_AFTER_EXIT);
                continue;
            }
            _ = shared.stop.notified(), if !term_sent => {
                term_sent = true;
                signal_group(pid, Signal::SIGTERM);
                kill_at = Some(Instant::now() + grace);
                continue;
            }
            _ = sleep_opt(kill_at) => {
                kill_at = None;
                signal_group(pid, Signal::SIGKILL);
                continue;
            }
            _ = sleep_opt(drain_until) => {
                tracing::warn!(pid, "output still open after the command exited; detaching");
                break;
            }
        };
        match res {
            Ok(n) => {
                *eof = n == 0;
                if buf.is_empty() {
                    continue;
                }
            }
            Err(e) => {
                tracing::warn!(pid, ?stream, error = %e, "reading command output failed");
                *eof = true;
                if buf.is_empty() {
                    continue;
                }
            }
        }
        let line = take_line(buf);
        let logged = match stream {
            Stream::Stdout => log.line(&line).await,
            Stream::Stderr => log.line(&format!("! {line}")).await,
        };
        sink(RunEvent::Output { stream, line });
        report(logged);
    }
    // Partial lines left when detaching after the drain deadline.
    for (stream, buf) in [
        (Stream::Stdout, &mut out_buf),
        (Stream::Stderr, &mut err_buf),
    ] {
        if !buf.is_empty() {
            sink(RunEvent::Output {
                stream,
                line: take_line(buf),
            });
        }
    }

    let (code, signal, text) = match status {
        Some(Ok(s)) => match (s.code(), s.signal()) {
            (_, Some(sig)) => {
                let name = Signal::try_from(sig).map(|s| s.as_str()).unwrap_or("?");
                (
                    None,
                    Some(sig),
                    format!("# killed by signal {sig} ({name})"),
                )
            }
            (code, None) => (
                code,
                None,
                format!("# exited with code {}", code.unwrap_or(-1)),
            ),
        },
        Some(Err(e)) => (None, None, format!("# exit status unknown: {e}")),
        None => (None, None, "# exit status unknown".to_string()),
    };
    Ended::Exited { code, signal, text }
}

/// A signal's name, `SIGTERM` (or its number when unknown), for "stopped
/// by SIGTERM".
pub fn signal_name(sig: i32) -> String {
    Signal::try_from(sig).map_or_else(|_| format!("signal {sig}"), |s| s.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc;

    fn spec(argv: &[&str]) -> RunSpec {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join("opsdeck-runner-tests");
        let n = N.fetch_add(1, Ordering::SeqCst);
        let name = format!("{}-{n}.log", std::process::id());
        RunSpec {
            procs: vec![proc(argv)],
            log_path: dir.join(name),
        }
    }

    fn proc(argv: &[&str]) -> Proc {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        Proc {
            shown: shell_join(&argv),
            argv,
            cwd: None,
            env: BTreeMap::new(),
        }
    }

    fn sequence(procs: &[&[&str]]) -> RunSpec {
        let mut s = spec(&[]);
        s.procs = procs.iter().map(|p| proc(p)).collect();
        s
    }

    #[tokio::test]
    async fn a_sequence_runs_in_order_and_stops_at_the_first_failure() {
        let s = sequence(&[
            &["echo", "one"],
            &["sh", "-c", "echo two; exit 3"],
            &["echo", "never"],
        ]);
        let log_path = s.log_path.clone();
        let evs = run_all(s).await;
        let command = |index: usize, shown: &str| RunEvent::Command {
            index,
            total: 3,
            shown: shown.into(),
        };
        assert_eq!(evs[0], command(0, "echo one"));
        assert!(matches!(evs[1], RunEvent::Started { .. }), "{evs:?}");
        assert_eq!(evs[3], command(1, "sh -c 'echo two; exit 3'"));
        assert_eq!(lines(&evs, Stream::Stdout), ["one", "two"]);
        assert_eq!(evs.last(), Some(&exited(Some(3), None)));
        assert_eq!(
            evs.iter()
                .filter(|e| matches!(e, RunEvent::Started { .. }))
                .count(),
            1,
            "one Started per run"
        );
        let log = std::fs::read_to_string(&log_path).expect("log");
        let body: Vec<&str> = log
            .lines()
            .filter(|l| !l.starts_with("# started"))
            .collect();
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(
            body,
            [
                "# opsdeck run: 3 commands, stopping at the first failure".to_string(),
                format!("# $ echo one (in {})", cwd.display()),
                "one".into(),
                "# exited with code 0".into(),
                format!("# $ sh -c 'echo two; exit 3' (in {})", cwd.display()),
                "two".into(),
                "# exited with code 3".into(),
                "# stopped: 1 later command(s) not run".into(),
            ]
        );

        let evs = run_all(sequence(&[&["true"], &["echo", "last"]])).await;
        assert_eq!(lines(&evs, Stream::Stdout), ["last"]);
        assert_eq!(evs.last(), Some(&exited(Some(0), None)));
        // A later command that cannot start ends the run.
        let evs = run_all(sequence(&[
            &["true"],
            &["opsdeck-no-such-program"],
            &["echo", "x"],
        ]))
        .await;
        assert!(
            matches!(evs.last(), Some(RunEvent::Failed { error }) if error.contains("command not found")),
            "{evs:?}"
        );
        assert!(lines(&evs, Stream::Stdout).is_empty());
    }

    #[tokio::test]
    async fn a_stop_ends_a_sequence_even_if_the_command_exits_zero() {
        let s = sequence(&[
            &[
                "sh",
                "-c",
                "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done",
            ],
            &["echo", "never"],
        ]);
        let (h, mut rx) = start(s, Duration::from_secs(3));
        loop {
            if let RunEvent::Output { line, .. } = next(&mut rx).await
                && line == "ready"
            {
                break;
            }
        }
        h.stop();
        let evs = collect(rx).await;
        assert!(lines(&evs, Stream::Stdout).is_empty(), "{evs:?}");
        assert_eq!(
            evs.last(),
            Some(&RunEvent::Failed {
                error: "stopped before `echo never`".into()
            })
        );
    }

    fn start(spec: RunSpec, grace: Duration) -> (RunHandle, mpsc::UnboundedReceiver<RunEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let h = spawn(spec, grace, move |ev| {
            let _ = tx.send(ev);
        });
        (h, rx)
    }

    async fn next(rx: &mut mpsc::UnboundedReceiver<RunEvent>) -> RunEvent {
        tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .expect("timeout")
            .expect("closed")
    }

    async fn collect(mut rx: mpsc::UnboundedReceiver<RunEvent>) -> Vec<RunEvent> {
        let mut evs = Vec::new();
        loop {
            let ev = next(&mut rx).await;
            let last = matches!(ev, RunEvent::Exited { .. } | RunEvent::Failed { .. });
            evs.push(ev);
            if last {
                return evs;
            }
        }
    }

    async fn run_all(spec: RunSpec) -> Vec<RunEvent> {
        let (h, rx) = start(spec, Duration::from_millis(300));
        let evs = collect(rx).await;
        assert!(!h.is_running());
        evs
    }

    fn lines(evs: &[RunEvent], want: Stream) -> Vec<String> {
        evs.iter()
            .filter_map(|e| match e {
                RunEvent::Output { stream, line } if *stream == want => Some(line.clone()),
                _ => None,
            })
            .collect()
    }

    fn exited(code: Option<i32>, signal: Option<i32>) -> RunEvent {
        RunEvent::Exited { code, signal }
    }

    #[tokio::test]
    async fn streams_stdout_in_order_and_exits_zero() {
        let evs = run_all(spec(&[
            "sh",
            "-c",
            "for i in 1 2 3 4 5; do echo line$i; done",
        ]))
        .await;
        assert!(matches!(evs[0], RunEvent::Started { pid } if pid > 0));
        assert_eq!(
            lines(&evs, Stream::Stdout),
            ["line1", "line2", "line3", "line4", "line5"]
        );
        assert_eq!(evs.last(), Some(&exited(Some(0), None)));
    }

    #[tokio::test]
    async fn stderr_tagged_and_nonzero_exit() {
        let evs = run_all(spec(&["sh", "-c", "echo out; echo err >&2; exit 4"])).await;
        assert_eq!(lines(&evs, Stream::Stdout), ["out"]);
        assert_eq!(lines(&evs, Stream::Stderr), ["err"]);
        assert_eq!(evs.last(), Some(&exited(Some(4), None)));
        let evs = run_all(spec(&["false"])).await;
        assert_eq!(evs.last(), Some(&exited(Some(1), None)));
    }

    #[tokio::test]
    async fn final_line_without_newline_and_lossy_utf8() {
        let evs = run_all(spec(&["printf", "a\\r\\nok\\377x\\nlast"])).await;
        assert_eq!(lines(&evs, Stream::Stdout), ["a", "ok\u{FFFD}x", "last"]);
    }

    #[tokio::test]
    async fn missing_program_fails() {
        let evs = run_all(spec(&["opsdeck-no-such-program", "x"])).await;
        assert_eq!(evs.len(), 1);
        let RunEvent::Failed { error } = &evs[0] else {
            panic!("{evs:?}")
        };
        assert!(
            error.starts_with("opsdeck-no-such-program: command not found"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn missing_cwd_and_empty_argv_fail() {
        let mut s = spec(&["true"]);
        s.procs[0].cwd = Some(PathBuf::from("/nonexistent/opsdeck-dir"));
        let evs = run_all(s).await;
        let [RunEvent::Failed { error }] = evs.as_slice() else {
            panic!("{evs:?}")
        };
        assert!(
            error.contains("/nonexistent/opsdeck-dir does not exist"),
            "{error}"
        );
        let evs = run_all(spec(&[])).await;
        assert_eq!(
            evs,
            [RunEvent::Failed {
                error: "empty command".into()
            }]
        );
    }

    #[tokio::test]
    async fn env_and_cwd_are_applied() {
        let mut s = spec(&["sh", "-c", "echo $OPSDECK_FOO; pwd"]);
        s.procs[0]
            .env
            .insert("OPSDECK_FOO".into(), "bar baz".into());
        s.procs[0].cwd = Some(PathBuf::from("/"));
        let evs = run_all(s).await;
        assert_eq!(lines(&evs, Stream::Stdout), ["bar baz", "/"]);
    }

    #[tokio::test]
    async fn no_shell_is_involved() {
        let evs = run_all(spec(&["echo", "$(rm -rf /)", "; ls"])).await;
        assert_eq!(lines(&evs, Stream::Stdout), ["$(rm -rf /) ; ls"]);
    }

    async fn wait_started(rx: &mut mpsc::UnboundedReceiver<RunEvent>) {
        assert!(matches!(next(rx).await, RunEvent::Started { .. }));
    }

    #[tokio::test]
    async fn stop_escalates_to_sigkill_after_grace() {
        let (h, mut rx) = start(
            spec(&["sh", "-c", "trap '' TERM; echo ready; sleep 30"]),
            Duration::from_millis(300),
        );
        wait_started(&mut rx).await;
        assert_eq!(
            next(&mut rx).await,
            RunEvent::Output {
                stream: Stream::Stdout,
                line: "ready".into()
            }
        );
        let t0 = std::time::Instant::now();
        h.stop();
        h.stop();
        let evs = collect(rx).await;
        assert_eq!(evs.last(), Some(&exited(None, Some(9))));
        assert!(t0.elapsed() >= Duration::from_millis(290));
        assert!(!h.is_running());
    }

    #[tokio::test]
    async fn stop_terminates_plain_sleep() {
        let (h, mut rx) = start(spec(&["sleep", "30"]), Duration::from_millis(300));
        assert!(h.is_running());
        wait_started(&mut rx).await;
        h.stop();
        assert_eq!(collect(rx).await.last(), Some(&exited(None, Some(15))));
    }

    fn alive(pid: &str) -> bool {
        // A zombie (state Z) counts as dead.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
            })
            .unwrap_or(false)
    }

    #[tokio::test]
    async fn stop_reaches_children_in_the_group() {
        let (h, mut rx) = start(
            spec(&["sh", "-c", "sleep 30 & echo $!; wait"]),
            Duration::from_millis(300),
        );
        wait_started(&mut rx).await;
        let RunEvent::Output { line: child, .. } = next(&mut rx).await else {
            panic!()
        };
        assert!(alive(&child));
        h.stop();
        assert_eq!(collect(rx).await.last(), Some(&exited(None, Some(15))));
        let t0 = std::time::Instant::now();
        while alive(&child) && t0.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!alive(&child), "background child {child} survived");
    }

    /// The console ending (its runtime shutting down) mid-run leaves nothing
    /// of the command behind: the whole group is killed, not just `sh`.
    #[test]
    fn a_dropped_runtime_kills_the_whole_group() {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let (h, mut rx) = rt.block_on(async {
            start(
                spec(&["sh", "-c", "sleep 30 & echo $!; wait"]),
                Duration::from_secs(5),
            )
        });
        let child = rt.block_on(async {
            wait_started(&mut rx).await;
            let RunEvent::Output { line, .. } = next(&mut rx).await else {
                panic!()
            };
            line
        });
        assert!(alive(&child) && h.is_running());
        drop(rt);
        let t0 = std::time::Instant::now();
        while alive(&child) && t0.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(&child), "background child {child} survived");
    }

    #[tokio::test]
    async fn log_file_has_header_lines_and_exit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = spec(&["sh", "-c", "echo hello; echo oops >&2; exit 3"]);
        s.log_path = dir.path().join("nested/run.log");
        let path = s.log_path.clone();
        run_all(s).await;
        let log = std::fs::read_to_string(path).expect("log");
        let l: Vec<&str> = log.lines().collect();
        assert_eq!(
            l[0],
            format!(
                "# opsdeck run: sh -c 'echo hello; echo oops >&2; exit 3' in {}",
                std::env::current_dir().expect("cwd").display()
            )
        );
        assert!(
            l[1].starts_with("# started ") && l[1].ends_with('Z'),
            "{}",
            l[1]
        );
        assert!(l.contains(&"hello") && l.contains(&"! oops"), "{log}");
        assert_eq!(l.last(), Some(&"# exited with code 3"));
    }

    #[tokio::test]
    async fn unwritable_log_is_reported_once_and_run_continues() {
        let file = tempfile::NamedTempFile::new().expect("tmp");
        let mut s = spec(&["echo", "hi"]);
        s.log_path = file.path().join("run.log"); // parent is a regular file
        let evs = run_all(s).await;
        let errs = lines(&evs, Stream::Stderr);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("opsdeck: cannot write log "),
            "{}",
            errs[0]
        );
        assert_eq!(lines(&evs, Stream::Stdout), ["hi"]);
        assert_eq!(evs.last(), Some(&exited(Some(0), None)));
    }

    #[test]
    fn paths_and_quoting() {
        let now = chrono::DateTime::parse_from_rfc3339("2024-03-05T07:08:09Z")
            .expect("ts")
            .to_utc();
        assert_eq!(
            log_path_for(Path::new("/logs"), "web/deploy", now),
            PathBuf::from("/logs/20240305-070809-web_deploy.log")
        );
        assert_eq!(
            log_dir_from(Some("/state".into()), Some("/home/u".into())),
            Some(PathBuf::from("/state/opsdeck/runs"))
        );
        assert_eq!(
            log_dir_from(Some("".into()), Some("/home/u".into())),
            Some(PathBuf::from("/home/u/.local/state/opsdeck/runs"))
        );
        assert_eq!(log_dir_from(None, None), None);
        let argv = ["yarn", "it's", "", "a b", "--x=1"].map(String::from);
        assert_eq!(shell_join(&argv), r"yarn 'it'\''s' '' 'a b' --x=1");
    }
}
