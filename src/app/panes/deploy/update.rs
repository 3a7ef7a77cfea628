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
use crate::deploy::service::Ask;

/// A message of the deploy view (an error shows there, wherever the user
/// was when it came in).
fn say(state: &mut State, level: Level, text: impl Into<String>) {
    state.say_in(crate::app::state::View::Deploy, level, text);
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
                Ok(bumps) => {
                    // "preparing the diff…" is done: the dialog shows it.
                    state.message = None;
                    let left_out = state
                        .deploy
                        .left_out
                        .take()
                        .map(|l| format!("{l}; bump each with b"));
                    match bumps.ask(left_out.as_deref()) {
                        Ask::Bump { question, details } => {
                            let plans = bumps.plans.into_iter().filter(|p| p.existing.is_none());
                            state.overlays.push(Overlay::Confirm(Confirm {
                                question,
                                details,
                                op: PendingOp::Bump(plans.collect()),
                            }));
                        }
                        Ask::Open {
                            question,
                            details,
                            url,
                        } => state.overlays.push(Overlay::Confirm(Confirm {
                            question,
                            details,
                            op: PendingOp::OpenUrl(url),
                        })),
                        Ask::Nothing(text) => say(state, Level::Info, text),
                    }
                }
                Err(e) => say(state, Level::Error, format!("cannot bump: {e}")),
            }
        }
        DeployEvent::Bumped { results } => {
            state.deploy.busy = None;
            let mut done = Vec::new();
            let mut problems = Vec::new();
            for (branch, result) in results {
                match result {
                    Ok(r) => {
                        done.push(r.pull_request.clone().unwrap_or_else(|| {
                            format!("branch {} ({})", r.branch, short(&r.commit))
                        }));
                        problems.extend(r.warning);
                    }
                    Err(e) => problems.push(format!("{branch}: bump failed: {e}")),
                }
            }
            if let Some(last) = done.last() {
                state.deploy.last_bump = Some(last.clone());
            }
            let bumped = (!done.is_empty()).then(|| format!("bumped: {}", done.join(", ")));
            match (bumped, problems.is_empty()) {
                (Some(b), true) => say(state, Level::Info, b),
                (None, true) => {}
                (b, _) => {
                    let all: Vec<String> = b.into_iter().chain(problems).collect();
                    say(state, Level::Error, all.join("; "));
                }
            }
            if !done.is_empty() {
                return vec![Effect::DeployRefresh];
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
        Command::Search => crate::app::overlays::search::open(state),
        Command::SearchNext => crate::app::overlays::search::again(state, true),
        Command::SearchPrev => crate::app::overlays::search::again(state, false),
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
                            format!("{} is {}; nothing to bump", i.repository, i.sync.label());
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
pub fn start_bump(state: &mut State, plans: Vec<crate::deploy::service::BumpPlan>) -> Vec<Effect> {
    let what = match plans.as_slice() {
        [one] => one.branch.clone(),
        many => format!("{} branches", many.len()),
    };
    state.deploy.busy = Some(format!("pushing {what}"));
    say(
        state,
        Level::Info,
        format!("committing and pushing {what}…"),
    );
    vec![Effect::Bump(plans)]
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
