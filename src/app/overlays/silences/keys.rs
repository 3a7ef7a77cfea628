//! The silences list's keys: the list, the filter being typed, the detail.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Detail, SilencesList, shown};
use crate::alerts::matcher::Filter;
use crate::app::action::Effect;
use crate::app::keymap::Command;
use crate::app::overlays::{Handled, Overlay};
use crate::app::panes::alerts::silences::{ask_expire, extend};
use crate::app::panes::alerts::state::FilterBar;
use crate::app::state::{Level, State};

fn list(state: &mut State) -> Option<&mut SilencesList> {
    match state.overlays.last_mut() {
        Some(Overlay::Silences(list)) => Some(list),
        _ => None,
    }
}

/// A key while the filter is typed: Enter keeps it (once it parses), Esc
/// puts back the one before, anything else edits and narrows the list.
pub fn filter_key(state: &mut State, key: KeyEvent) {
    let Some(list) = list(state) else {
        return;
    };
    let bar = &mut list.filter;
    match key.code {
        KeyCode::Esc => {
            let (text, filter) = list.kept.clone();
            list.filter = FilterBar {
                input: crate::app::input::LineInput::new(&text),
                editing: false,
                applied: filter,
                error: None,
            };
        }
        KeyCode::Enter => match bar.error.clone() {
            Some(e) => state.say(
                Level::Error,
                format!("filter not applied: {e} (fix it, or Esc to cancel)"),
            ),
            None => bar.editing = false,
        },
        _ => {
            if bar.input.handle(key) {
                match Filter::parse_for_silences(bar.input.text()) {
                    Ok(f) => {
                        bar.applied = f;
                        bar.error = None;
                        list.row = 0;
                    }
                    // The list keeps the last filter that parsed.
                    Err(e) => bar.error = Some(e.message),
                }
            }
        }
    }
}

/// A command in the silences list (or the detail open in it).
pub fn command(state: &mut State, cmd: Command) -> Handled {
    if matches!(cmd, Command::Quit | Command::Help | Command::Refresh) {
        return Handled::Global(cmd);
    }
    let Some(Overlay::Silences(open)) = state.overlays.last() else {
        return Handled::Done(Vec::new());
    };
    if open.detail.is_some() {
        return Handled::Done(detail_command(state, cmd));
    }
    let ids: Vec<String> = shown(state, open).iter().map(|s| s.id.clone()).collect();
    let Some(list) = list(state) else {
        return Handled::Done(Vec::new());
    };
    let last = ids.len().saturating_sub(1);
    // The list may have shrunk since the row was chosen.
    list.row = list.row.min(last);
    match cmd {
        Command::Down => list.row = (list.row + 1).min(last),
        Command::Up => list.row = list.row.saturating_sub(1),
        Command::Top => list.row = 0,
        Command::Bottom => list.row = last,
        Command::Filter => {
            list.kept = (
                list.filter.input.text().to_string(),
                list.filter.applied.clone(),
            );
            list.filter.editing = true;
        }
        Command::Open => {
            if let Some(id) = ids.get(list.row) {
                list.detail = Some(Detail {
                    id: id.clone(),
                    scroll: 0,
                });
            }
        }
        // A filter is cleared first; the next Esc closes the list.
        Command::Back if !list.filter.input.text().is_empty() => {
            list.filter = FilterBar::default();
            list.kept = Default::default();
        }
        Command::Back => {
            state.overlays.pop();
        }
        Command::Unack | Command::Extend => {
            let Some(id) = ids.get(list.row).cloned() else {
                return Handled::Done(Vec::new());
            };
            return Handled::Done(mutate(state, cmd, id));
        }
        _ => {}
    }
    Handled::Done(Vec::new())
}

fn mutate(state: &mut State, cmd: Command, id: String) -> Vec<Effect> {
    if cmd == Command::Extend {
        return extend(state, &[id]);
    }
    ask_expire(state, std::slice::from_ref(&id), &format!("({id})"));
    Vec::new()
}

fn detail_command(state: &mut State, cmd: Command) -> Vec<Effect> {
    let Some(Some(id)) = list(state).map(|l| l.detail.as_ref().map(|d| d.id.clone())) else {
        return Vec::new();
    };
    let scroll = state
        .silence(&id)
        .map(|s| crate::ui::layout::silence_detail_scroll(state, s, state.cols, state.rows));
    let Some(detail) = list(state).and_then(|l| l.detail.as_mut()) else {
        return Vec::new();
    };
    let scroll = scroll.unwrap_or(crate::ui::layout::Scroll { max: 0, page: 1 });
    match cmd {
        Command::Down => detail.scroll = (detail.scroll + 1).min(scroll.max),
        Command::Up => detail.scroll = detail.scroll.saturating_sub(1),
        Command::Top => detail.scroll = 0,
        Command::Bottom => detail.scroll = scroll.max,
        Command::Back => {
            if let Some(list) = list(state) {
                list.detail = None;
            }
        }
        Command::Unack | Command::Extend => return mutate(state, cmd, id),
        _ => {}
    }
    Vec::new()
}
