//! The silences list (`S`): every open silence, soonest end first; `u`
//! expires and `e` extends the selected one after y/N.

use crate::app::keymap::Command;
use crate::app::overlays::{Handled, Overlay};
use crate::app::panes::alerts::silences::{ask_expire, extend};
use crate::app::state::State;

/// A command in the silences list.
pub fn command(state: &mut State, cmd: Command) -> Handled {
    let len = state.open_silences().len();
    let Some(Overlay::Silences(row)) = state.overlays.last_mut() else {
        return Handled::Done(Vec::new());
    };
    let last = len.saturating_sub(1);
    // The list may have shrunk since the row was chosen.
    *row = (*row).min(last);
    match cmd {
        Command::Down => *row = (*row + 1).min(last),
        Command::Up => *row = row.saturating_sub(1),
        Command::Top => *row = 0,
        Command::Bottom => *row = last,
        Command::Back => {
            state.overlays.pop();
        }
        Command::Unack | Command::Extend => {
            let row = *row;
            let Some(id) = state.open_silences().get(row).map(|s| s.id.clone()) else {
                return Handled::Done(Vec::new());
            };
            if cmd == Command::Extend {
                return Handled::Done(extend(state, &[id]));
            }
            ask_expire(state, std::slice::from_ref(&id), &format!("({id})"));
        }
        Command::Quit | Command::Help | Command::Refresh => return Handled::Global(cmd),
        _ => {}
    }
    Handled::Done(Vec::new())
}
