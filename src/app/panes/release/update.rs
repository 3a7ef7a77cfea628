//! The release view's state and its part of `update`: moving through steps,
//! ticking, and triggering a step's command. Pure, like the rest of `app`.

use super::state::{MAX_OUTPUT_LINES, PendingRun, RunView};
use crate::app::action::{Effect, ReleaseEvent};
use crate::app::input::LineInput;
use crate::app::keymap::Command;
use crate::app::overlays::Overlay;
use crate::app::overlays::confirm::{Confirm, PendingOp};
use crate::app::overlays::prompt::Prompt;
use crate::app::state::{Level, SourceStatus, State};
use crate::core::SourceKind;
use crate::release::backend::ReleaseDoc;
use crate::release::command::Resolution;
use crate::release::runner::{RunEvent, RunSpec, log_path_for};

use super::state::OutputKind;

/// A message of the release view (an error shows there, wherever the user
/// was when it came in).
fn say(state: &mut State, level: Level, text: impl Into<String>) {
    state.say_in(crate::app::state::View::Release, level, text);
}

/// The release view's source status entry, if any.
fn status(state: &mut State) -> Option<&mut SourceStatus> {
    state.source_of_kind(&[SourceKind::Github, SourceKind::File])
}

/// Applies a background release event.
pub fn on_event(state: &mut State, event: ReleaseEvent) -> Vec<Effect> {
    match event {
        ReleaseEvent::Fetching => {
            if let Some(s) = status(state) {
                s.fetching = true;
            }
        }
        ReleaseEvent::Loaded { result, at } => {
            if let Some(s) = status(state) {
                s.record(&result, at);
            }
            if let Ok(doc) = result {
                set_doc(state, doc);
            }
        }
        ReleaseEvent::Ticked { id, done, result } => {
            state.release.pending = None;
            match result {
                Ok(outcome) => {
                    let text = outcome
                        .doc
                        .checklist
                        .step(&id)
                        .map(|s| s.text.clone())
                        .unwrap_or(id);
                    set_doc(state, outcome.doc);
                    let now = state.now;
                    if let Some(s) = status(state) {
                        s.last_ok = Some(now);
                        s.error = None;
                    }
                    match outcome.warning {
                        Some(w) => say(state, Level::Error, w),
                        None => say(
                            state,
                            Level::Info,
                            format!("{} {text}", if done { "ticked" } else { "unticked" }),
                        ),
                    }
                }
                Err(e) => {
                    say(state, Level::Error, format!("not changed: {e}"));
                    // Show what the issue holds now.
                    return vec![Effect::ReleaseRefresh];
                }
            }
        }
        ReleaseEvent::Run { run, event } => return on_run_event(state, run, event),
    }
    Vec::new()
}

fn set_doc(state: &mut State, mut doc: ReleaseDoc) {
    let r = &mut state.release;
    // A tick's read-back fetches neither blockers nor link states: keep the last ones.
    doc.keep_unfetched(r.doc.as_ref());
    // Keep the cursor on the same step id across reloads.
    let keep = r.selected_id().map(str::to_string);
    let first_load = !r.placed;
    r.doc = Some(doc);
    let Some(doc) = &r.doc else { return };
    if first_load {
        r.cursor = doc.checklist.first_open().unwrap_or(0);
        r.placed = true;
    } else if let Some(i) = keep.and_then(|id| doc.checklist.steps.iter().position(|s| s.id == id))
    {
        r.cursor = i;
    } else {
        r.cursor = r.cursor.min(doc.checklist.steps.len().saturating_sub(1));
    }
}

fn on_run_event(state: &mut State, run: u64, event: RunEvent) -> Vec<Effect> {
    let Some(view) = state.release.run.as_mut().filter(|v| v.id == run) else {
        return Vec::new();
    };
    match event {
        RunEvent::Started { .. } => {}
        RunEvent::Command { shown, .. } => view.lines.push((OutputKind::Command, shown)),
        RunEvent::Output { stream, line } => {
            view.lines.push((stream.into(), line));
            if view.lines.len() > MAX_OUTPUT_LINES {
                let extra = view.lines.len() - MAX_OUTPUT_LINES;
                view.lines.drain(..extra);
                view.dropped += extra;
            }
        }
        RunEvent::Failed { error } => {
            view.failed = Some(error.clone());
            say(
                state,
                Level::Error,
                format!("could not run: {error}; step not ticked"),
            );
        }
        RunEvent::Exited { code, signal } => {
            view.exit = Some((code, signal));
            let step_id = view.step_id.clone();
            if code == Some(0) {
                let doc = state.release.doc.as_ref();
                let idx = doc.and_then(|d| d.checklist.steps.iter().position(|s| s.id == step_id));
                let already = idx
                    .and_then(|i| doc.map(|d| d.checklist.steps[i].done))
                    .unwrap_or(false);
                // The cursor moves to the next open step.
                if let (Some(i), Some(d)) = (idx, doc) {
                    if let Some(next) = d.checklist.next_open_after(i) {
                        state.release.cursor = next;
                    }
                }
                if already {
                    say(
                        state,
                        Level::Info,
                        "command succeeded; the step was already ticked",
                    );
                    return Vec::new();
                }
                say(state, Level::Info, "command succeeded; ticking the step…");
                state.release.pending = Some((step_id.clone(), true));
                return vec![Effect::SetStep {
                    id: step_id,
                    done: true,
                }];
            }
            let how = match (code, signal) {
                (Some(c), _) => format!("exited with code {c}"),
                (None, Some(s)) => {
                    format!("was stopped by {}", crate::release::runner::signal_name(s))
                }
                (None, None) => "ended".to_string(),
            };
            say(
                state,
                Level::Error,
                format!("command {how}; step not ticked"),
            );
        }
    }
    Vec::new()
}

/// A command in the release view.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let len = state
        .release
        .doc
        .as_ref()
        .map_or(0, |d| d.checklist.steps.len());
    let r = &mut state.release;
    let last = len.saturating_sub(1);
    match cmd {
        Command::Down => r.cursor = (r.cursor + 1).min(last),
        Command::Up => r.cursor = r.cursor.saturating_sub(1),
        Command::Top => r.cursor = 0,
        Command::Bottom => r.cursor = last,
        Command::PageDown => r.cursor = (r.cursor + state.page).min(last),
        Command::PageUp => r.cursor = r.cursor.saturating_sub(state.page),
        Command::Tick => return tick(state),
        Command::Trigger => trigger(state),
        Command::Search => crate::app::overlays::search::open(state),
        Command::SearchNext => crate::app::overlays::search::again(state, true),
        Command::SearchPrev => crate::app::overlays::search::again(state, false),
        Command::StopRun => {
            if let Some(run) = state.release.run.as_mut().filter(|r| r.running()) {
                run.stopping = true;
                say(
                    state,
                    Level::Info,
                    "stopping the command (SIGTERM, then SIGKILL)…",
                );
                return vec![Effect::StopRun];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Esc: closes a finished command's output. False when there was nothing
/// to close.
pub fn back(state: &mut State) -> bool {
    if state.release.run.as_ref().is_some_and(|r| !r.running()) {
        state.release.run = None;
        return true;
    }
    false
}

fn tick(state: &mut State) -> Vec<Effect> {
    if let Some((id, _)) = &state.release.pending {
        let text = format!("still writing {id}; wait a moment");
        say(state, Level::Info, text);
        return Vec::new();
    }
    let Some(step) = state
        .release
        .doc
        .as_ref()
        .and_then(|d| d.checklist.steps.get(state.release.cursor))
    else {
        return Vec::new();
    };
    let (id, done) = (step.id.clone(), !step.done);
    state.release.pending = Some((id.clone(), done));
    say(
        state,
        Level::Info,
        format!("{} {id}…", if done { "ticking" } else { "unticking" }),
    );
    vec![Effect::SetStep { id, done }]
}

fn trigger(state: &mut State) {
    if state.release.running() {
        say(
            state,
            Level::Error,
            "a command is already running (ctrl-c stops it)",
        );
        return;
    }
    let Some(step) = state
        .release
        .doc
        .as_ref()
        .and_then(|d| d.checklist.steps.get(state.release.cursor))
    else {
        return;
    };
    let step_id = step.id.clone();
    match state.release.rules.resolve(step) {
        Resolution::NoCommand if !state.release.rules.proposal(step).texts.is_empty() => say(
            state,
            Level::Error,
            "no command for this step: its block is text to copy (y copies it)",
        ),
        Resolution::NoCommand => say(state, Level::Error, "no command configured for this step"),
        Resolution::Refused { code, reason } => say(
            state,
            Level::Error,
            format!(
                "not run: the issue proposes `{}`, but {reason}",
                one_line(&code)
            ),
        ),
        Resolution::Run(resolved) => {
            let mut vars = state.release.rules.vars.clone();
            if let Some(m) = state.release.doc.as_ref().and_then(|d| d.milestone.clone()) {
                vars.entry("milestone".into()).or_insert(m);
            }
            let missing = resolved.missing(&vars);
            let pending = PendingRun {
                step_id,
                resolved,
                vars,
                missing,
            };
            ask_next(state, pending);
        }
    }
}

/// A proposed command on one line, for a message.
fn one_line(code: &str) -> String {
    code.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Asks for the next missing variable, or for the final y/N.
pub fn ask_next(state: &mut State, mut run: PendingRun) {
    if let Some(name) = run.missing.first().cloned() {
        state.overlays.push(Overlay::Prompt(Box::new(Prompt {
            label: format!("Value for {}", run.resolved.var_label(&name)),
            input: LineInput::default(),
            run,
        })));
        return;
    }
    let filled = match run.resolved.fill(&run.vars) {
        Ok(filled) => filled,
        Err(missing) => {
            run.missing = missing;
            return ask_next(state, run);
        }
    };
    let mut details = filled.details(&run.resolved);
    details.push("the step is ticked if it exits 0".into());
    state.overlays.push(Overlay::Confirm(Confirm {
        question: format!("Run the command for {}?", run.step_id),
        details,
        op: PendingOp::Run(Box::new(run)),
    }));
}

/// `y` on a run confirmation: start it.
pub fn start_run(state: &mut State, run: PendingRun) -> Vec<Effect> {
    let filled = match run.resolved.fill(&run.vars) {
        Ok(filled) => filled,
        Err(missing) => {
            let names = missing.join(", ");
            say(
                state,
                Level::Error,
                format!("not run: no value for {names}"),
            );
            return Vec::new();
        }
    };
    let id = state.release.next_run;
    state.release.next_run += 1;
    let log_path = log_path_for(&state.release.log_dir, &run.step_id, state.now);
    let shown = filled
        .procs
        .iter()
        .map(|p| p.shown.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let spec = RunSpec {
        procs: filled.procs,
        log_path: log_path.clone(),
    };
    state.release.run = Some(RunView {
        id,
        step_id: run.step_id.clone(),
        shown,
        cwd: run.resolved.cwd,
        lines: Vec::new(),
        dropped: 0,
        started: state.now,
        exit: None,
        failed: None,
        log_path,
        stopping: false,
    });
    say(
        state,
        Level::Info,
        format!("running the command for {}…", run.step_id),
    );
    vec![Effect::Run {
        run: id,
        spec,
        grace: state.release.stop_grace,
    }]
}

/// What `y` copies besides a link: the selected step's first code block
/// that is not its command (a message to paste, a checklist to fill).
pub fn copy_text(state: &State) -> Option<String> {
    let r = &state.release;
    let step = r.doc.as_ref()?.checklist.steps.get(r.cursor)?;
    r.rules.proposal(step).texts.into_iter().next()
}

/// The tracking issue's link.
pub fn url(state: &State) -> Option<String> {
    state.release.doc.as_ref().and_then(|d| d.url.clone())
}
