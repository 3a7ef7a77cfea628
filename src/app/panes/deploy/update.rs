//! The deploy view's part of `update`: moving through images and untracked
//! values, and bumping one (`b`) or all out-of-sync images and moved
//! channels (`B`; drifted pins are left out, and its confirmation names
//! them) after showing the exact diff. Pure, like the rest of `app`.

use crate::app::action::{DeployEvent, Effect};
use crate::app::keymap::Command;
use crate::app::overlays::Overlay;
use crate::app::overlays::confirm::{Confirm, PendingOp};
use crate::app::panes::deploy::state::DeployRow;
use crate::app::state::{HitTarget, Level, SourceStatus, State};
use crate::core::SourceKind;
use crate::deploy::plan::select_all;

fn say(state: &mut State, level: Level, text: impl Into<String>) {
    state.say(level, text);
}

fn status(state: &mut State) -> Option<&mut SourceStatus> {
    state.source_of_kind(&[SourceKind::Deploy])
}

/// Applies a background deploy event.
pub fn on_event(state: &mut State, event: DeployEvent) -> Vec<Effect> {
    match event {
        DeployEvent::Fetching => {
            if let Some(s) = status(state) {
                s.fetching = true;
            }
        }
        DeployEvent::Loaded { result, at } => {
            if let Some(s) = status(state) {
                s.record(&result, at);
            }
            if let Ok(snapshot) = result {
                let d = &mut state.deploy;
                let keep = d.selected_key().map(str::to_string);
                let rows = snapshot.images.len() + snapshot.untracked.len();
                d.cursor = keep
                    .and_then(|k| snapshot.images.iter().position(|i| i.key == k))
                    .unwrap_or(d.cursor)
                    .min(rows.saturating_sub(1));
                d.snapshot = Some(snapshot);
            }
        }
        DeployEvent::Planned { result } => {
            state.deploy.busy = None;
            match result {
                Ok(plan) => {
                    // "preparing the diff…" is done: the dialog shows it.
                    state.message = None;
                    let mut details = plan.scope();
                    if !details.is_empty() {
                        details.push(String::new());
                    }
                    details.extend(plan.diff.lines().map(str::to_string));
                    details.push(String::new());
                    if let Some(left_out) = state.deploy.left_out.take() {
                        details.push(format!("{left_out}; bump each with b"));
                    }
                    details.push(match &plan.pull_request_in {
                        Some(repo) => format!(
                            "then: commit on {}, push, open a pull request in {repo}",
                            plan.branch
                        ),
                        None => format!("then: commit on {}, push", plan.branch),
                    });
                    state.overlays.push(Overlay::Confirm(Confirm {
                        question: plan.question(),
                        details,
                        op: PendingOp::Bump(Box::new(plan)),
                    }));
                }
                Err(e) => say(state, Level::Error, format!("cannot bump: {e}")),
            }
        }
        DeployEvent::Bumped { result } => {
            state.deploy.busy = None;
            match result {
                Ok(done) => {
                    let where_ = done.pull_request.clone().unwrap_or_else(|| {
                        format!("branch {} ({})", done.branch, short(&done.commit))
                    });
                    state.deploy.last_bump = Some(where_.clone());
                    match done.warning {
                        Some(w) => say(state, Level::Error, w),
                        None => say(state, Level::Info, format!("bumped: {where_}")),
                    }
                    return vec![Effect::DeployRefresh];
                }
                Err(e) => say(state, Level::Error, format!("bump failed: {e}")),
            }
        }
    }
    Vec::new()
}

fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// Esc: closes the detail pane. False when it was not open.
pub fn back(state: &mut State) -> bool {
    std::mem::take(&mut state.deploy.detail)
}

/// A command in the deploy view.
pub fn command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let last = state.deploy.rows().saturating_sub(1);
    let d = &mut state.deploy;
    match cmd {
        Command::Down => d.cursor = (d.cursor + 1).min(last),
        Command::Up => d.cursor = d.cursor.saturating_sub(1),
        Command::Top => d.cursor = 0,
        Command::Bottom => d.cursor = last,
        Command::PageDown => d.cursor = (d.cursor + state.page).min(last),
        Command::PageUp => d.cursor = d.cursor.saturating_sub(state.page),
        Command::Open => d.detail = !d.detail,
        Command::Bump | Command::BumpAll => {
            if let Some(what) = &d.busy {
                let text = format!("still {what}; wait a moment");
                say(state, Level::Info, text);
                return Vec::new();
            }
            let Some(snapshot) = &d.snapshot else {
                return Vec::new();
            };
            let mut left_out = None;
            let keys: Vec<String> = if cmd == Command::Bump {
                match d.selected() {
                    Some(DeployRow::Untracked(u)) => {
                        let text = format!(
                            "{}:{} is untracked ({}); only a plain image reference can be bumped",
                            u.file, u.line, u.reason
                        );
                        say(state, Level::Error, text);
                        return Vec::new();
                    }
                    Some(DeployRow::Image(i)) if i.sync.bumpable() => vec![i.key.clone()],
                    Some(DeployRow::Image(i)) => {
                        let text =
                            format!("{} is {}; nothing to bump", i.repository, i.sync.as_str());
                        say(state, Level::Error, text);
                        return Vec::new();
                    }
                    None => return Vec::new(),
                }
            } else {
                // Drifted pins are left out, and the confirmation says so.
                let selection = select_all(&snapshot.images, false);
                left_out = selection.left_out();
                selection.keys
            };
            if keys.is_empty() {
                let text = match left_out {
                    Some(left_out) => format!("nothing else to bump; {left_out}; bump each with b"),
                    None => "nothing to bump: no image is out of sync, no channel moved".into(),
                };
                say(state, Level::Info, text);
                return Vec::new();
            }
            state.deploy.left_out = left_out;
            let d = &mut state.deploy;
            d.busy = Some("preparing the bump".into());
            say(state, Level::Info, "preparing the diff…");
            return vec![Effect::PlanBump { keys }];
        }
        _ => {}
    }
    Vec::new()
}

/// `y` on a bump confirmation.
pub fn start_bump(state: &mut State, plan: crate::deploy::service::BumpPlan) -> Vec<Effect> {
    state.deploy.busy = Some(format!("pushing {}", plan.branch));
    say(
        state,
        Level::Info,
        format!("committing and pushing {}…", plan.branch),
    );
    vec![Effect::Bump(Box::new(plan))]
}

/// The last bump's pull request.
pub fn url(state: &State) -> Option<String> {
    state
        .deploy
        .last_bump
        .clone()
        .filter(|u| u.starts_with("http"))
}

/// A click on the image table.
pub fn click(state: &mut State, target: HitTarget, row: usize) {
    if target == HitTarget::DeployImages && row < state.deploy.rows() {
        state.deploy.cursor = row;
    }
}
