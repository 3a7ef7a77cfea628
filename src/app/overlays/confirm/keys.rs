//! Keys on a y/N question: j/k and the page keys scroll long details;
//! `y` carries out the pending operation; any other key cancels.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::PendingOp;
use crate::app::action::Effect;
use crate::app::overlays::Overlay;
use crate::app::state::{Level, State};

/// A key on the question.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    // j/k and the page keys scroll long details (a diff); they neither
    // confirm nor cancel. Every other key answers.
    let Some(Overlay::Confirm(open)) = state.overlays.last() else {
        return Vec::new();
    };
    // As the dialog lays them out at this terminal size.
    let scroll = crate::ui::layout::confirm_scroll(open, state.cols, state.rows);
    let (most, page) = (scroll.max, scroll.page);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let scroll = &mut state.confirm_scroll;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => *scroll = (*scroll + 1).min(most),
        KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
        KeyCode::PageDown => *scroll = (*scroll + page).min(most),
        KeyCode::Char('d') if ctrl => *scroll = (*scroll + page).min(most),
        KeyCode::PageUp => *scroll = scroll.saturating_sub(page),
        KeyCode::Char('u') if ctrl => *scroll = scroll.saturating_sub(page),
        _ => {
            state.confirm_scroll = 0;
            return answer_confirm(state, key);
        }
    }
    Vec::new()
}

fn answer_confirm(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = state.overlays.pop() else {
        return Vec::new();
    };
    if !matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
        state.say(Level::Info, "cancelled");
        return Vec::new();
    }
    match confirm.op {
        PendingOp::Create {
            requests,
            from_form,
        } => {
            if from_form {
                if let Some(Overlay::AckForm(form)) = state.overlays.last_mut() {
                    form.submitting = true;
                    form.error = None;
                }
            }
            state.say(Level::Info, "creating silence…");
            vec![Effect::CreateSilences(requests)]
        }
        PendingOp::Expire(targets) => {
            state.say(Level::Info, "expiring…");
            vec![Effect::ExpireSilences(targets)]
        }
        PendingOp::Run(run) => crate::app::panes::release::update::start_run(state, *run),
        PendingOp::Bump(plans) => crate::app::panes::deploy::update::start_bump(state, plans),
        PendingOp::OpenUrl(url) => vec![Effect::OpenUrl(url)],
        PendingOp::Extend(requests) => {
            state.say(Level::Info, "extending…");
            vec![Effect::ExtendSilences(requests)]
        }
        PendingOp::Quit => {
            state.quit = true;
            vec![Effect::StopRun, Effect::Quit]
        }
    }
}
