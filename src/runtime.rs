//! The runtime: owns the state, the source tasks and the action channel;
//! runs effects in the background and feeds their results back as actions.
//! [`Runtime::run_terminal`] adds the terminal; tests drive a [`Runtime`]
//! headless through [`Runtime::sender`] and [`Runtime::run_until`].

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use crate::quiet_backend::QuietBackend;
use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

/// The console's terminal: crossterm on stdout, silent when nothing changed.
type ConsoleTerminal =
    ratatui::Terminal<QuietBackend<ratatui::backend::CrosstermBackend<io::Stdout>>>;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::alerts::client::{AlertmanagerClient, PrometheusClient};
use crate::alerts::source::{SourceClient, Sources};
use crate::app::panes::release::state::ReleaseState;
use crate::app::state::AlertSettings;
use crate::app::{
    Action, DeployEvent, Effect, ReleaseEvent, SilenceOp, SilenceOutcome, SilenceRequest, State,
    update,
};
use crate::config::Config;
use crate::core::SourceKind;
use crate::deploy::service::Deployer;
use crate::poll::Poller;
use crate::release::backend::Backend;
use crate::release::runner::{self, RunHandle};
use std::sync::Arc;

/// Builds a client per configured source, in config order.
pub fn clients(config: &Config) -> Result<Vec<SourceClient>> {
    let mut out = Vec::new();
    for am in &config.alertmanager {
        out.push(SourceClient::Alertmanager(AlertmanagerClient::new(am)?));
    }
    for p in &config.prometheus {
        out.push(SourceClient::Prometheus(PrometheusClient::new(p)?));
    }
    Ok(out)
}

/// A fresh state for a config.
pub fn initial_state(
    config: &Config,
    clients: &[SourceClient],
    release: Option<&Backend>,
    demo: bool,
) -> State {
    let mut sources: Vec<(String, SourceKind)> = clients
        .iter()
        .map(|c| (c.name().to_string(), c.kind()))
        .collect();
    if let Some(b) = release {
        let kind = match b {
            Backend::Github { .. } => SourceKind::Github,
            Backend::File(_) => SourceKind::File,
        };
        sources.push((b.name().to_string(), kind));
    }
    let mut state = State::new(
        AlertSettings::from_config(config),
        sources,
        demo,
        Utc::now(),
    );
    if config.deploy.is_some() {
        state.sources.push(crate::app::state::SourceStatus::new(
            "deploy",
            SourceKind::Deploy,
        ));
    }
    state.release = ReleaseState::from_config(config);
    state.deploy.configured = config.deploy.is_some();
    // Validated when the config was loaded; an invalid keymap cannot get here.
    state.keymap = crate::app::keymap::Keymap::with_overrides(&config.keys).unwrap_or_default();
    state.read_only = config.read_only;
    state.read_only_locked = config.read_only;
    state.contexts = config.context.keys().cloned().collect();
    state.alerts.notify.teams = config.notify.teams.clone();
    state
}

/// The running app, with or without a terminal.
pub struct Runtime {
    /// The state.
    pub state: State,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
    sources: Sources,
    alertmanagers: HashMap<String, AlertmanagerClient>,
    release: Option<(Backend, Poller)>,
    run: Option<RunHandle>,
    deploy: Option<(Arc<Deployer>, Poller)>,
    audit: crate::audit::Audit,
    notify_bell: bool,
    #[cfg_attr(not(feature = "desktop-notify"), allow(dead_code))]
    notify_desktop: bool,
    switch_to: Option<String>,
}

/// Why the console stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// `:context NAME`: restart with that context.
    SwitchContext(String),
}

impl Runtime {
    /// Starts the source tasks on the current tokio runtime.
    pub fn start(config: &Config, demo: bool) -> Result<Runtime> {
        let clients = clients(config)?;
        let backend = Backend::from_config(config)?;
        let mut state = initial_state(config, &clients, backend.as_ref(), demo);
        state.theme = crate::ui::theme::Theme::from_env(config.theme.as_deref())
            .map_err(|e| eyre!("theme: {e}"))?;
        let (tx, rx) = unbounded_channel();
        let alertmanagers = clients
            .iter()
            .filter_map(|c| match c {
                SourceClient::Alertmanager(am) => Some((am.name().to_string(), am.clone())),
                SourceClient::Prometheus(_) => None,
            })
            .collect();
        let sink = {
            let tx = tx.clone();
            move |event| {
                // The receiver only goes away when the app is exiting.
                let _ = tx.send(Action::Source(event));
            }
        };
        let sources = Sources::spawn(clients, config.alerts.refresh, sink);
        let release = backend.map(|backend| {
            let every = config
                .release
                .as_ref()
                .map_or(Duration::from_secs(30), |r| r.refresh);
            let loader = backend.clone();
            let tx = tx.clone();
            let poller = Poller::spawn(
                backend.name(),
                every,
                ReleaseEvent::Fetching,
                move || {
                    let loader = loader.clone();
                    async move {
                        ReleaseEvent::Loaded {
                            result: loader.load().await,
                            at: Utc::now(),
                        }
                    }
                },
                move |event| {
                    let _ = tx.send(Action::Release(event));
                },
            );
            (backend, poller)
        });
        let deploy = Deployer::from_config(config)?.map(|deployer| {
            let deployer = Arc::new(deployer);
            let every = config
                .deploy
                .as_ref()
                .map_or(Duration::from_secs(60), |d| d.refresh);
            let worker = deployer.clone();
            let tx = tx.clone();
            let poller = Poller::spawn(
                "deploy",
                every,
                DeployEvent::Fetching,
                move || {
                    let worker = worker.clone();
                    async move {
                        DeployEvent::Loaded {
                            result: worker.refresh().await,
                            at: Utc::now(),
                        }
                    }
                },
                move |event| {
                    let _ = tx.send(Action::Deploy(event));
                },
            );
            (deployer, poller)
        });
        Ok(Runtime {
            state,
            tx,
            rx,
            sources,
            alertmanagers,
            release,
            run: None,
            deploy,
            audit: crate::audit::Audit::from_config(config),
            notify_bell: config.notify.bell,
            notify_desktop: config.notify.desktop,
            switch_to: None,
        })
    }

    /// A sender for actions (keys, commands) into the app.
    pub fn sender(&self) -> UnboundedSender<Action> {
        self.tx.clone()
    }

    /// Applies one action and starts its effects. Returns false once the
    /// app should quit.
    pub fn dispatch(&mut self, action: Action) -> bool {
        self.audit_action(&action);
        let effects = update(&mut self.state, action);
        for effect in effects {
            self.execute(effect);
        }
        !self.state.quit
    }

    /// Records the outcome of every mutation in the audit log.
    fn audit_action(&self, action: &Action) {
        use serde_json::json;
        match action {
            Action::SilencesDone { op, outcomes } => {
                let verb = match op {
                    SilenceOp::Create => "silence.create",
                    SilenceOp::Extend => "silence.extend",
                    SilenceOp::Expire => "silence.expire",
                };
                for o in outcomes {
                    let detail = match &o.request {
                        Some(req) => json!({
                            "id": o.result.as_ref().ok(),
                            "matchers": req.matchers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                            "ends_at": req.ends_at.to_rfc3339(),
                            "comment": req.comment,
                        }),
                        None => json!({ "id": o.result.as_ref().ok() }),
                    };
                    self.audit.record_result(verb, &o.target, detail, &o.result);
                }
            }
            Action::Release(ReleaseEvent::Ticked { id, done, result }) => {
                let target = self.release_target();
                self.audit.record_result(
                    if *done {
                        "release.tick"
                    } else {
                        "release.untick"
                    },
                    &target,
                    json!({ "step": id }),
                    result,
                );
            }
            Action::Release(ReleaseEvent::Run { run, event }) => {
                let Some(view) = self.state.release.run.as_ref().filter(|r| r.id == *run) else {
                    return;
                };
                let target = self.release_target();
                let detail = |extra: serde_json::Value| json!({ "step": view.step_id, "argv": view.argv, "log": view.log_path, "outcome": extra });
                match event {
                    crate::release::runner::RunEvent::Started { pid } => self.audit.record(
                        "release.run.start",
                        &target,
                        detail(json!({ "pid": pid })),
                        Ok(()),
                    ),
                    crate::release::runner::RunEvent::Exited { code, signal } => self.audit.record(
                        "release.run.exit",
                        &target,
                        detail(json!({ "code": code, "signal": signal })),
                        if *code == Some(0) {
                            Ok(())
                        } else {
                            Err("command failed")
                        },
                    ),
                    crate::release::runner::RunEvent::Failed { error } => self.audit.record(
                        "release.run.start",
                        &target,
                        detail(json!(null)),
                        Err(error.as_str()),
                    ),
                    crate::release::runner::RunEvent::Output { .. } => {}
                }
            }
            Action::Deploy(DeployEvent::Bumped { result }) => {
                let detail = match result {
                    Ok(r) => {
                        json!({ "branch": r.branch, "commit": r.commit, "pull_request": r.pull_request })
                    }
                    Err(_) => json!(null),
                };
                self.audit
                    .record_result("deploy.bump", "deploy", detail, result);
            }
            _ => {}
        }
    }

    fn release_target(&self) -> String {
        self.state
            .release
            .doc
            .as_ref()
            .map(|d| match d.number {
                Some(n) => format!("{}#{n}", d.repo),
                None => d.repo.clone(),
            })
            .unwrap_or_else(|| "release".into())
    }

    fn execute(&mut self, effect: Effect) {
        match effect {
            Effect::Quit => self.state.quit = true,
            Effect::OpenUrl(url) => {
                let opener = if cfg!(target_os = "macos") {
                    "open"
                } else {
                    "xdg-open"
                };
                let spawned = std::process::Command::new(opener)
                    .arg(&url)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn();
                if let Err(e) = spawned {
                    self.state.say(
                        crate::app::state::Level::Error,
                        format!("cannot open {url}: {opener}: {e}"),
                    );
                }
            }
            Effect::Copy(text) => {
                // OSC 52: the terminal puts it on the clipboard (works over ssh).
                let _ = crossterm::execute!(
                    io::stdout(),
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
                );
            }
            Effect::Notify { title, body } => {
                tracing::info!(%title, "notification");
                if self.notify_bell {
                    let _ = io::Write::write_all(&mut io::stdout(), b"\x07");
                    let _ = io::Write::flush(&mut io::stdout());
                }
                #[cfg(feature = "desktop-notify")]
                if self.notify_desktop {
                    let _ = std::process::Command::new("notify-send")
                        .args(["--app-name=opsdeck", &title, &body])
                        .stdin(std::process::Stdio::null())
                        .spawn();
                }
                let _ = body;
            }
            Effect::LoadTheme(spec) => {
                let _ = self
                    .tx
                    .send(Action::ThemeLoaded(crate::ui::theme::Theme::from_env(
                        Some(&spec),
                    )));
            }
            Effect::SwitchContext(name) => {
                self.switch_to = Some(name);
                self.state.quit = true;
            }
            Effect::Refresh => {
                self.sources.refresh_all();
                if let Some((_, poller)) = &self.release {
                    poller.refresh();
                }
                if let Some((_, poller)) = &self.deploy {
                    poller.refresh();
                }
            }
            Effect::DeployRefresh => {
                if let Some((_, poller)) = &self.deploy {
                    poller.refresh();
                }
            }
            Effect::PlanBump { keys } => {
                let (Some((deployer, _)), Some(snapshot)) =
                    (&self.deploy, self.state.deploy.snapshot.clone())
                else {
                    return;
                };
                let deployer = deployer.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = deployer.plan(&snapshot, &keys).await;
                    let _ = tx.send(Action::Deploy(DeployEvent::Planned { result }));
                });
            }
            Effect::Bump(plan) => {
                let Some((deployer, _)) = &self.deploy else {
                    return;
                };
                let deployer = deployer.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = deployer.bump(&plan).await;
                    let _ = tx.send(Action::Deploy(DeployEvent::Bumped { result }));
                });
            }
            Effect::ReleaseRefresh => {
                if let Some((_, poller)) = &self.release {
                    poller.refresh();
                }
            }
            Effect::SetStep { id, done } => {
                let Some((backend, _)) = &self.release else {
                    return;
                };
                let backend = backend.clone();
                let number = self.state.release.doc.as_ref().and_then(|d| d.number);
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = backend.set_step(number, &id, done).await;
                    let _ = tx.send(Action::Release(ReleaseEvent::Ticked { id, done, result }));
                });
            }
            Effect::Run { run, spec, grace } => {
                let tx = self.tx.clone();
                self.run = Some(runner::spawn(spec, grace, move |event| {
                    let _ = tx.send(Action::Release(ReleaseEvent::Run { run, event }));
                }));
            }
            Effect::StopRun => {
                if let Some(handle) = &self.run {
                    handle.stop();
                }
            }
            Effect::CreateSilences(reqs) => self.post_silences(SilenceOp::Create, reqs),
            Effect::ExtendSilences(reqs) => self.post_silences(SilenceOp::Extend, reqs),
            Effect::ExpireSilences(targets) => {
                let clients = self.alertmanagers.clone();
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let mut outcomes = Vec::new();
                    for (target, id) in targets {
                        let result = match clients.get(&target) {
                            Some(c) => c.expire_silence(&id).await.map(|()| id.clone()),
                            None => Err(crate::alerts::client::ClientError {
                                source: target.clone(),
                                message: "no such Alertmanager".into(),
                                status: None,
                            }),
                        };
                        outcomes.push(SilenceOutcome {
                            target,
                            request: None,
                            result: result.map_err(|e| e.message),
                        });
                    }
                    let _ = tx.send(Action::SilencesDone {
                        op: SilenceOp::Expire,
                        outcomes,
                    });
                });
            }
        }
    }

    fn post_silences(&self, op: SilenceOp, reqs: Vec<SilenceRequest>) {
        let clients = self.alertmanagers.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for req in reqs {
                let result = match clients.get(&req.target) {
                    Some(c) => c.post_silence(&req.silence).await.map_err(|e| e.message),
                    None => Err("no such Alertmanager".into()),
                };
                outcomes.push(SilenceOutcome {
                    target: req.target,
                    request: Some(req.silence),
                    result,
                });
            }
            let _ = tx.send(Action::SilencesDone { op, outcomes });
        });
    }

    /// Waits for the next action (from sources, effects or a test).
    pub async fn next_action(&mut self) -> Option<Action> {
        self.rx.recv().await
    }

    /// Processes actions until `done(&state)` holds or `timeout` passes;
    /// returns whether it held. For headless tests.
    pub async fn run_until(&mut self, timeout: Duration, done: impl Fn(&State) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.state) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(action)) => {
                    self.dispatch(action);
                    self.state.now = Utc::now();
                }
                Ok(None) | Err(_) => return done(&self.state),
            }
        }
        true
    }

    /// Runs the interactive console until the user quits. Restores the
    /// terminal (raw mode off, main screen, cursor shown, mouse capture off)
    /// on every path: quitting, errors, SIGTERM/SIGHUP/SIGINT (`Signals`)
    /// and panics — the hook `enter_terminal` installs restores it before
    /// color-eyre's hook prints the report, so the report lands on the main
    /// screen.
    pub async fn run_terminal(mut self) -> Result<Exit> {
        let mut terminal = enter_terminal().wrap_err("setting up the terminal")?;
        let result = self.event_loop(&mut terminal).await;
        leave_terminal();
        drop(terminal);
        self.stop_run_before_exit().await;
        result?;
        Ok(match self.switch_to.take() {
            Some(name) => Exit::SwitchContext(name),
            None => Exit::Quit,
        })
    }

    /// A release command still running when the console ends (quit after
    /// its y/N, or a signal) is stopped the way ctrl-c stops it — SIGTERM to
    /// its process group, SIGKILL after the grace — and waited for, so
    /// nothing it started outlives the console.
    async fn stop_run_before_exit(&mut self) {
        let Some(handle) = self.run.as_ref().filter(|h| h.is_running()) else {
            return;
        };
        eprintln!("opsdeck: stopping the running command…");
        handle.stop();
        let deadline =
            tokio::time::Instant::now() + self.state.release.stop_grace + Duration::from_secs(2);
        while handle.is_running() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn event_loop(&mut self, terminal: &mut ConsoleTerminal) -> Result<()> {
        // TEST HOOK (tests/it/terminal.rs), inert unless the variable is set:
        // the first key press panics, to check that a panic restores the
        // terminal and shows color-eyre's report. Not a user feature.
        let debug_panic = std::env::var_os("OPSDECK_DEBUG_PANIC").is_some();
        let size = terminal.size().wrap_err("reading the terminal size")?;
        self.dispatch(Action::Resize(size.width, size.height));
        let mut events = EventStream::new();
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut signals = Signals::new()?;
        self.draw(terminal)?;
        loop {
            let action = tokio::select! {
                ev = events.next() => match ev {
                    Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                        if debug_panic {
                            panic!("OPSDECK_DEBUG_PANIC is set: panicking on a key press (test hook)");
                        }
                        // ctrl-z is terminal plumbing, not app state: in raw
                        // mode the tty delivers it as a key, not as SIGTSTP.
                        #[cfg(unix)]
                        if is_suspend_key(&k) {
                            self.suspend(terminal)?;
                            continue;
                        }
                        Action::Key(k)
                    }
                    Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                    Some(Ok(Event::Mouse(m))) => Action::Mouse(m),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(eyre!("reading terminal input: {e}")),
                    None => return Ok(()),
                },
                Some(action) = self.rx.recv() => action,
                _ = ticks.tick() => Action::Tick(Utc::now()),
                signal = signals.recv() => match signal {
                    Received::Quit(name) => {
                        tracing::info!(signal = name, "terminating on signal");
                        return Ok(());
                    }
                    // `kill -TSTP`: the same as ctrl-z.
                    Received::Suspend => {
                        #[cfg(unix)]
                        self.suspend(terminal)?;
                        continue;
                    }
                },
            };
            if !self.dispatch(action) {
                return Ok(());
            }
            // Drain what else is queued, then draw once.
            while let Ok(action) = self.rx.try_recv() {
                if !self.dispatch(action) {
                    return Ok(());
                }
            }
            self.draw(terminal)?;
        }
    }

    fn draw(&mut self, terminal: &mut ConsoleTerminal) -> Result<()> {
        let mut hits = crate::app::state::HitMap::default();
        terminal
            .draw(|frame| crate::ui::render_recording(&self.state, frame, &mut hits))
            .map(|_| ())
            .wrap_err("drawing the screen")?;
        // The mouse reads where the lists went on this frame.
        self.state.hits = hits;
        Ok(())
    }

    /// ctrl-z (or a SIGTSTP from `kill -TSTP`): gives the terminal back and
    /// stops the process the way a terminal-generated SIGTSTP would; once
    /// continued (`fg`), takes the terminal again and redraws every cell (the
    /// shell drew on the screen meanwhile, and terminals clear the alternate
    /// screen on entering it).
    #[cfg(unix)]
    fn suspend(&mut self, terminal: &mut ConsoleTerminal) -> Result<()> {
        tracing::info!("suspending");
        leave_terminal();
        stop_self();
        tracing::info!("resuming");
        take_terminal().wrap_err("taking the terminal back after ctrl-z")?;
        // `resize` clears the screen and forgets what ratatui believes is on
        // it, so the next draw repaints everything (and, unlike
        // `Terminal::clear`, it does not query the cursor position).
        // The shell may have shown the cursor meanwhile.
        terminal.backend_mut().forget();
        let size = terminal.size().wrap_err("reading the terminal size")?;
        terminal
            .resize(size.into())
            .wrap_err("clearing the screen")?;
        self.dispatch(Action::Resize(size.width, size.height));
        self.draw(terminal)
    }
}

/// Stops the process with SIGTSTP at its default action; returns once it is
/// continued. The console catches SIGTSTP (to give the terminal back first),
/// so the default action is put back just for this and the catching handler
/// restored after. In an orphaned process group (no job-control shell above
/// us, e.g. `ssh -t host opsdeck`) the kernel discards SIGTSTP and this
/// returns at once: the console simply comes back.
#[cfg(unix)]
fn stop_self() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, raise, sigaction};
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: installs the default action, which runs no code of ours, and
    // then reinstalls exactly the action that was there before (tokio's
    // handler, as tokio installed it).
    let previous = match unsafe { sigaction(Signal::SIGTSTP, &default) } {
        Ok(previous) => previous,
        Err(e) => {
            tracing::warn!("cannot suspend: {e}");
            return;
        }
    };
    if let Err(e) = raise(Signal::SIGTSTP) {
        tracing::warn!("cannot suspend: {e}");
    }
    // SAFETY: see above; `previous` came from `sigaction` itself.
    if let Err(e) = unsafe { sigaction(Signal::SIGTSTP, &previous) } {
        tracing::warn!("cannot catch SIGTSTP again: {e}");
    }
}

/// What a signal asks of the console.
enum Received {
    /// End it (the signal's name, for the log).
    Quit(&'static str),
    /// Suspend it, as ctrl-z does.
    Suspend,
}

/// SIGTERM, SIGHUP and SIGINT end the console the way quitting does: the
/// event loop returns, the terminal is restored and opsdeck exits 0 — a
/// requested shutdown, not a failure. (ctrl-c typed in the console is a key
/// press, not SIGINT: the terminal is in raw mode. SIGINT comes from
/// `kill -INT` or a supervisor.) SIGTSTP (`kill -TSTP`; ctrl-z typed in the
/// console is a key) suspends it the way ctrl-z does, terminal restored
/// first (see [`Runtime::suspend`]).
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    tstp: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
                int: signal(SignalKind::interrupt())?,
                tstp: signal(SignalKind::from_raw(nix::libc::SIGTSTP))?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Waits for one of the signals.
    async fn recv(&mut self) -> Received {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => Received::Quit("SIGTERM"),
            _ = self.hup.recv() => Received::Quit("SIGHUP"),
            _ = self.int.recv() => Received::Quit("SIGINT"),
            _ = self.tstp.recv() => Received::Suspend,
        }
        #[cfg(not(unix))]
        std::future::pending::<Received>().await
    }
}

/// ctrl-z, the suspend key (reserved: handled before the keymap).
#[cfg(unix)]
fn is_suspend_key(k: &crossterm::event::KeyEvent) -> bool {
    k.code == crossterm::event::KeyCode::Char('z')
        && k.modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL)
}

/// The thread running the console while it owns the terminal. The panic
/// hook restores the terminal only for a panic on that thread: a panic in a
/// background task is caught by tokio and the console keeps running.
static CONSOLE_THREAD: std::sync::Mutex<Option<std::thread::ThreadId>> =
    std::sync::Mutex::new(None);

/// Takes the terminal for the console and returns a ratatui terminal on
/// stdout. The first call installs a panic hook that restores the terminal
/// and then runs the previous hook (color-eyre's report).
fn enter_terminal() -> io::Result<ConsoleTerminal> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let console = CONSOLE_THREAD
                .try_lock()
                .is_ok_and(|t| *t == Some(std::thread::current().id()));
            if console {
                restore_terminal();
            }
            previous(info);
        }));
    });
    if let Ok(mut t) = CONSOLE_THREAD.lock() {
        *t = Some(std::thread::current().id());
    }
    let terminal = take_terminal().and_then(|()| {
        ratatui::Terminal::new(QuietBackend::new(ratatui::backend::CrosstermBackend::new(
            io::stdout(),
        )))
    });
    if terminal.is_err() {
        leave_terminal();
    }
    terminal
}

/// Gives the terminal back for good (the console stopped).
fn leave_terminal() {
    restore_terminal();
    if let Ok(mut t) = CONSOLE_THREAD.lock() {
        *t = None;
    }
}

/// Raw mode, the alternate screen and mouse capture (click selects, the
/// wheel scrolls; a terminal without mouse support is no error).
fn take_terminal() -> io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let _ = crossterm::execute!(io::stdout(), crossterm::event::EnableMouseCapture);
    Ok(())
}

/// Undoes [`take_terminal`] and shows the cursor (ratatui hides it while
/// drawing). Errors are ignored: after SIGHUP the terminal may be gone, and
/// there is nothing better to do. Safe to call more than once.
fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}
