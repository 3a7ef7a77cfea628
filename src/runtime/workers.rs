//! Effects carried out: each one a background task whose result comes back
//! as an action.

use std::io;

use super::Runtime;
use crate::app::{
    Action, DeployEvent, Effect, ReleaseEvent, SilenceOp, SilenceOutcome, SilenceRequest,
};
use crate::audit::Change;
use crate::release::runner::{self, RunEvent};

impl Runtime {
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

    pub(super) fn execute(&mut self, effect: Effect) {
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
                    let result = deployer.plan(&snapshot, &keys, deployer.bump_mode()).await;
                    let _ = tx.send(Action::Deploy(DeployEvent::Planned { result }));
                });
            }
            Effect::Bump(plans) => {
                let Some((deployer, _)) = &self.deploy else {
                    return;
                };
                let deployer = deployer.clone();
                let tx = self.tx.clone();
                let audit = self.audit.clone();
                tokio::spawn(async move {
                    // One after the other, each on its own: one failing
                    // does not stop the rest.
                    let mut results = Vec::with_capacity(plans.len());
                    for plan in &plans {
                        let result = deployer.bump(plan).await;
                        audit.change(&Change::bump(plan, &result), &result);
                        results.push((plan.branch.clone(), result));
                    }
                    let _ = tx.send(Action::Deploy(DeployEvent::Bumped { results }));
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
                let audit = self.audit.clone();
                let target = self.release_target();
                tokio::spawn(async move {
                    let result = backend.set_step(number, &id, done).await;
                    let change = Change::Step {
                        target: &target,
                        step: &id,
                        done,
                        unchanged: false,
                    };
                    audit.change(&change, &result);
                    let _ = tx.send(Action::Release(Box::new(ReleaseEvent::Ticked {
                        id,
                        done,
                        result,
                    })));
                });
            }
            Effect::Run { run, spec, grace } => {
                let tx = self.tx.clone();
                let audit = self.audit.clone();
                let target = self.release_target();
                let step = self
                    .state
                    .release
                    .run
                    .as_ref()
                    .filter(|r| r.id == run)
                    .map(|r| r.step_id.clone())
                    .unwrap_or_default();
                let (commands, log) = (spec.argvs(), spec.log_path.clone());
                let started = std::sync::atomic::AtomicBool::new(false);
                self.run = Some(runner::spawn(spec, grace, move |event| {
                    let (target, step, commands, log) = (&target, &step, &commands, &log);
                    match &event {
                        RunEvent::Started { pid } => {
                            started.store(true, std::sync::atomic::Ordering::SeqCst);
                            audit.change(
                                &Change::RunStart {
                                    target,
                                    step,
                                    commands,
                                    log,
                                    pid: Some(*pid),
                                },
                                &Ok::<(), &str>(()),
                            );
                        }
                        // A later command of a sequence that cannot start
                        // ends a run that started.
                        RunEvent::Failed { error }
                            if started.load(std::sync::atomic::Ordering::SeqCst) =>
                        {
                            audit.change(
                                &Change::RunExit {
                                    target,
                                    step,
                                    commands,
                                    log,
                                    code: None,
                                    signal: None,
                                },
                                &Err::<(), &str>(error),
                            )
                        }
                        RunEvent::Failed { error } => audit.change(
                            &Change::RunStart {
                                target,
                                step,
                                commands,
                                log,
                                pid: None,
                            },
                            &Err::<(), &str>(error),
                        ),
                        RunEvent::Exited { code, signal } => audit.change(
                            &Change::RunExit {
                                target,
                                step,
                                commands,
                                log,
                                code: *code,
                                signal: *signal,
                            },
                            &if *code == Some(0) {
                                Ok(())
                            } else {
                                Err("command failed")
                            },
                        ),
                        RunEvent::Output { .. } | RunEvent::Command { .. } => {}
                    }
                    let _ = tx.send(Action::Release(Box::new(ReleaseEvent::Run { run, event })));
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
                let audit = self.audit.clone();
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
                        let result = result.map_err(|e| e.message);
                        audit.change(
                            &Change::SilenceExpire {
                                target: &target,
                                id: &id,
                            },
                            &result,
                        );
                        outcomes.push(SilenceOutcome {
                            target,
                            request: None,
                            result,
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
        let audit = self.audit.clone();
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for req in reqs {
                let result = match clients.get(&req.target) {
                    Some(c) => c.post_silence(&req.silence).await.map_err(|e| e.message),
                    None => Err("no such Alertmanager".into()),
                };
                let (target, id, silence) = (&req.target, result.as_ref().ok(), &req.silence);
                let change = match op {
                    SilenceOp::Extend => Change::SilenceExtend {
                        target,
                        id: id.map(String::as_str),
                        silence,
                    },
                    _ => Change::SilenceCreate {
                        target,
                        id: id.map(String::as_str),
                        silence,
                    },
                };
                audit.change(&change, &result);
                outcomes.push(SilenceOutcome {
                    target: req.target,
                    request: Some(req.silence),
                    result,
                });
            }
            let _ = tx.send(Action::SilencesDone { op, outcomes });
        });
    }
}
