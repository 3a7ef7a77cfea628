//! Keys of the blocker list: j/k and the arrows move, g/G jump, Enter or
//! `o` opens the selected blocker's page, `y` copies its link, Esc (or `b`)
//! closes. The global keys the list does not use itself (quit, help,
//! refresh, and `o`/`y` wherever they are bound) still work.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Blockers, selected};
use crate::app::action::Effect;
use crate::app::keymap::{Command, Context};
use crate::app::overlays::{Handled, Overlay};
use crate::app::state::{Level, State};

/// Opens the list over the release view.
pub fn open(state: &mut State) {
    state.overlays.push(Overlay::Blockers(Blockers::default()));
}

/// What a key does in the list.
enum Act {
    Move(isize),
    Top,
    Bottom,
    Open,
    Copy,
    Close,
    Global(Command),
    Nothing,
}

fn act(state: &State, key: KeyEvent) -> Act {
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => Act::Move(1),
        KeyCode::Char('k') | KeyCode::Up => Act::Move(-1),
        KeyCode::PageDown => Act::Move(isize::try_from(state.page).unwrap_or(10)),
        KeyCode::PageUp => Act::Move(-isize::try_from(state.page).unwrap_or(10)),
        KeyCode::Char('g') | KeyCode::Home => Act::Top,
        KeyCode::Char('G') | KeyCode::End => Act::Bottom,
        KeyCode::Enter | KeyCode::Char('o') => Act::Open,
        KeyCode::Char('y') => Act::Copy,
        KeyCode::Esc | KeyCode::Char('b') => Act::Close,
        _ => match state.keymap.lookup(Context::Global, key) {
            Some(Command::OpenUrl) => Act::Open,
            Some(Command::CopyUrl) => Act::Copy,
            Some(Command::Back) => Act::Close,
            Some(cmd @ (Command::Quit | Command::Help | Command::Refresh)) => Act::Global(cmd),
            _ => Act::Nothing,
        },
    }
}

/// A key while the list is open.
pub fn key(state: &mut State, key: KeyEvent) -> Handled {
    let act = act(state, key);
    let len = super::items(state).len();
    let Some(Overlay::Blockers(list)) = state.overlays.last_mut() else {
        return Handled::Done(Vec::new());
    };
    let last = len.saturating_sub(1);
    // The list may have shrunk on a reload.
    list.cursor = list.cursor.min(last);
    match act {
        Act::Move(by) => list.cursor = list.cursor.saturating_add_signed(by).min(last),
        Act::Top => list.cursor = 0,
        Act::Bottom => list.cursor = last,
        Act::Close => {
            state.overlays.pop();
        }
        Act::Open | Act::Copy => {
            let list = list.clone();
            let Some(url) = selected(state, &list).map(|b| b.url.clone()) else {
                state.say(Level::Error, "no blocker selected");
                return Handled::Done(Vec::new());
            };
            let effect = if matches!(act, Act::Open) {
                state.say(Level::Info, format!("opening {url}"));
                Effect::OpenUrl(url)
            } else {
                state.say(Level::Info, format!("copied {url}"));
                Effect::Copy(url)
            };
            return Handled::Done(vec![effect]);
        }
        Act::Global(cmd) => return Handled::Global(cmd),
        Act::Nothing => {}
    }
    Handled::Done(Vec::new())
}
