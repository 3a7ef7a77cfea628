//! The runtime: owns the state, the source tasks and the action channel;
//! runs effects in the background and feeds their results back as actions.
//! [`Runtime::run_terminal`] adds the terminal; tests drive a [`Runtime`]
//! headless through [`Runtime::sender`] and [`Runtime::run_until`].
//!
//! This file is the loop; `workers` carries out effects (and writes the
//! audit log where a mutation happens), `tui` owns the terminal and
//! `signals` the signals.

pub mod looked;
pub mod quiet_backend;
mod signals;
mod tui;
mod workers;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::alerts::client::{AlertmanagerClient, PrometheusClient};
use crate::alerts::source::{SourceClient, Sources};
use crate::app::panes::release::state::ReleaseState;
use crate::app::state::AlertSettings;
use crate::app::{Action, DeployEvent, ReleaseEvent, State, update};
use crate::config::Config;
use crate::core::SourceKind;
use crate::deploy::service::Deployer;
use crate::poll::Poller;
use crate::release::backend::Backend;
use crate::release::runner::RunHandle;
use signals::{Received, Signals};
use std::sync::Arc;
use tui::{ConsoleTerminal, enter_terminal, leave_terminal};
#[cfg(unix)]
use tui::{is_suspend_key, stop_self, take_terminal};

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
    if demo {
        state.demo_audit_log = config.audit_log.clone();
        // The demo looked last a quarter of an hour ago: what fired since
        // shows as new.
        state.alerts.looked.left = Some(state.now - chrono::TimeDelta::minutes(15));
    }
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
    /// Where the alerts view's last look is kept (none: not kept).
    looked_file: Option<std::path::PathBuf>,
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
        let history = config
            .alerts
            .history_source(&config.prometheus)
            .and_then(|name| {
                clients.iter().find_map(|c| match c {
                    SourceClient::Prometheus(p) if p.name() == name => Some(p.clone()),
                    _ => None,
                })
            });
        let mut sources = Sources::spawn(clients, config.alerts.refresh, sink.clone());
        if let Some(client) = history {
            let a = &config.alerts;
            sources.spawn_history(client, a.history_window, a.history_refresh, sink);
        }
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
                    let _ = tx.send(Action::Release(Box::new(event)));
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
            looked_file: None,
        })
    }

    /// Keeps the alerts view's last look in `file` across runs: what it
    /// holds is the baseline of "new" now, and [`Runtime::save_looked`]
    /// writes it back.
    pub fn keep_looked(&mut self, file: std::path::PathBuf) {
        let looked = &mut self.state.alerts.looked;
        looked.left = looked::load(&file);
        if self.state.view == crate::app::state::View::Alerts {
            looked.open();
        }
        self.looked_file = Some(file);
    }

    /// Writes the last look (now, when the alerts view is still open).
    pub fn save_looked(&self) {
        let Some(file) = &self.looked_file else {
            return;
        };
        let looked = &self.state.alerts.looked;
        let at = if self.state.view == crate::app::state::View::Alerts {
            Some(self.state.now)
        } else {
            looked.left
        };
        if let Some(at) = at {
            if let Err(e) = looked::save(file, at) {
                tracing::warn!(path = %file.display(), error = %e, "last look not kept");
            }
        }
    }

    /// A sender for actions (keys, commands) into the app.
    pub fn sender(&self) -> UnboundedSender<Action> {
        self.tx.clone()
    }

    /// Applies one action and starts its effects. Returns false once the
    /// app should quit.
    pub fn dispatch(&mut self, action: Action) -> bool {
        let effects = update(&mut self.state, action);
        for effect in effects {
            self.execute(effect);
        }
        !self.state.quit
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
        self.save_looked();
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
