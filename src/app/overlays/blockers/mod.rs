//! `b` in the release view: the release's open blockers, as the blocker
//! query found them. Enter or `o` opens the selected one's page, `y` copies
//! its link, Esc closes. The list is read from the checklist as last
//! loaded, so a reload while it is open shows the new list.

pub mod keys;
#[cfg(test)]
mod tests;

use crate::app::state::State;
use crate::release::blockers::Blocker;

/// The open list: the selected row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blockers {
    /// The row the cursor is on.
    pub cursor: usize,
}

/// What the list shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shown<'a> {
    /// The blockers found (maybe none), the query that found them, and how
    /// many there are in all (more than listed when over a page).
    Found {
        /// The listed ones.
        items: &'a [Blocker],
        /// The query as sent.
        query: Option<&'a str>,
        /// GitHub's total count.
        total: usize,
    },
    /// The count is unknown; the warnings say why.
    Unknown {
        /// Why (the load's warnings; empty when nothing was fetched yet).
        why: &'a [String],
        /// The query, if it could be filled in.
        query: Option<&'a str>,
    },
    /// A checklist file: blockers are found on GitHub only.
    NotGithub,
    /// The checklist has not loaded yet.
    NotLoaded,
}

/// What the blocker list shows for the checklist as last loaded.
pub fn shown(state: &State) -> Shown<'_> {
    let Some(doc) = state.release.doc.as_ref() else {
        return Shown::NotLoaded;
    };
    if doc.number.is_none() {
        return Shown::NotGithub;
    }
    let query = doc.blocker_query.as_deref();
    match &doc.blocker_issues {
        Some(items) => Shown::Found {
            items,
            query,
            total: doc.blockers.unwrap_or(items.len()).max(items.len()),
        },
        None => Shown::Unknown {
            why: &doc.warnings,
            query,
        },
    }
}

/// The listed blockers (empty when unknown).
pub fn items(state: &State) -> &[Blocker] {
    match shown(state) {
        Shown::Found { items, .. } => items,
        _ => &[],
    }
}

/// The blocker under the cursor of the topmost blocker list.
pub fn selected<'a>(state: &'a State, list: &Blockers) -> Option<&'a Blocker> {
    let items = items(state);
    items.get(list.cursor.min(items.len().saturating_sub(1)))
}
