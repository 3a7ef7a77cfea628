//! The silences list (`S`): every open silence, soonest end first; `u`
//! expires and `e` extends the selected one after y/N. `/` filters it with
//! the alerts filter language (see [`Filter::matches_silence`]) as it is
//! typed; Enter opens a silence's detail (its alerts now, scrollable),
//! where `u` and `e` work too and Esc goes back to the list.

pub mod keys;

use crate::alerts::matcher::Filter;
use crate::alerts::model::Silence;
use crate::app::panes::alerts::state::FilterBar;
use crate::app::state::State;

/// The silences list's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SilencesList {
    /// The selected row (of the filtered list).
    pub row: usize,
    /// The `/` filter: its input, whether it is being typed, the last one
    /// that parsed (applied) and why the input does not parse.
    pub filter: FilterBar,
    /// The input and filter kept before this edit (Esc while typing puts
    /// them back).
    pub kept: (String, Filter),
    /// The silence whose detail is open.
    pub detail: Option<Detail>,
}

/// One silence's detail, inside the list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detail {
    /// The silence's id.
    pub id: String,
    /// Lines scrolled down.
    pub scroll: usize,
}

impl SilencesList {
    /// The list with this row selected.
    pub fn at(row: usize) -> SilencesList {
        SilencesList {
            row,
            ..SilencesList::default()
        }
    }
}

/// The open silences that pass the list's filter, soonest end first.
pub fn shown<'a>(state: &'a State, list: &SilencesList) -> Vec<&'a Silence> {
    let filter = &list.filter.applied;
    state
        .open_silences()
        .into_iter()
        .filter(|s| {
            filter.is_empty() || filter.matches_silence(s, &crate::app::scope::covered(state, s))
        })
        .collect()
}

#[cfg(test)]
mod tests;
