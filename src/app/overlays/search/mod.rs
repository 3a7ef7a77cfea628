//! `/` in the release and deploy views: search, as in `less` — typing moves
//! the cursor to the first row that matches (step text; image, file or
//! untracked value), Enter keeps it there, Esc puts it back, and `n` / `N`
//! go to the next or previous match later. Case-insensitive, plain text.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::input::LineInput;
use crate::app::overlays::Overlay;
use crate::app::state::{Level, State, View};

/// The search being typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Search {
    /// What is typed (without the `/`).
    pub input: LineInput,
    /// The cursor when the search opened (Esc goes back to it).
    pub origin: usize,
}

/// The rows of the shown view, as text to search in order; `None` where
/// the view has no search.
pub fn haystack(state: &State) -> Option<Vec<String>> {
    match state.view {
        View::Release => Some(
            state
                .release
                .doc
                .as_ref()
                .map(|d| d.checklist.steps.iter().map(|s| s.text.clone()).collect())
                .unwrap_or_default(),
        ),
        View::Deploy => Some(state.deploy.search_texts()),
        View::Alerts | View::Overview => None,
    }
}

fn cursor(state: &mut State) -> Option<&mut usize> {
    match state.view {
        View::Release => Some(&mut state.release.cursor),
        View::Deploy => Some(&mut state.deploy.cursor),
        View::Alerts | View::Overview => None,
    }
}

/// The matching rows of `rows` for `query` (lower-cased containment).
pub fn matches(rows: &[String], query: &str) -> Vec<usize> {
    let q = query.to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.to_lowercase().contains(&q))
        .map(|(i, _)| i)
        .collect()
}

/// The first match at or after `from` (wrapping), or before it going back.
fn next(hits: &[usize], from: usize, forward: bool) -> Option<usize> {
    if forward {
        hits.iter()
            .copied()
            .find(|&i| i >= from)
            .or(hits.first().copied())
    } else {
        hits.iter()
            .rev()
            .copied()
            .find(|&i| i <= from)
            .or(hits.last().copied())
    }
}

/// Opens the search in the shown view.
pub fn open(state: &mut State) {
    let origin = match state.view {
        View::Release => state.release.cursor,
        View::Deploy => state.deploy.cursor,
        View::Alerts | View::Overview => return,
    };
    state.overlays.push(Overlay::Search(Box::new(Search {
        input: LineInput::default(),
        origin,
    })));
}

/// Keys while typing.
pub fn key(state: &mut State, key: KeyEvent) {
    let Some(Overlay::Search(search)) = state.overlays.last_mut() else {
        return;
    };
    let origin = search.origin;
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
            if let Some(c) = cursor(state) {
                *c = origin;
            }
        }
        KeyCode::Enter => {
            let query = search.input.text().to_string();
            state.overlays.pop();
            if !query.is_empty() {
                state.search = Some((state.view, query));
            }
        }
        _ => {
            if search.input.handle(key) {
                let query = search.input.text().to_string();
                let rows = haystack(state).unwrap_or_default();
                let hits = matches(&rows, &query);
                if let (Some(found), Some(c)) = (next(&hits, origin, true), cursor(state)) {
                    *c = found;
                }
            }
        }
    }
}

/// `n` / `N`: the next or previous match of the last search in this view.
pub fn again(state: &mut State, forward: bool) {
    let query = match &state.search {
        Some((view, q)) if *view == state.view => q.clone(),
        _ => {
            state.say(Level::Info, "no search yet — / searches");
            return;
        }
    };
    let rows = haystack(state).unwrap_or_default();
    let hits = matches(&rows, &query);
    let Some(at) = cursor(state).map(|c| *c) else {
        return;
    };
    let from = if forward {
        at + 1
    } else {
        at.saturating_sub(1)
    };
    match next(&hits, from, forward) {
        Some(found) => {
            if let Some(c) = cursor(state) {
                *c = found;
            }
            let n = hits.iter().position(|&i| i == found).map_or(0, |p| p + 1);
            state.say(Level::Info, format!("/{query}: {n} of {}", hits.len()));
        }
        None => state.say(Level::Info, format!("/{query}: no match")),
    }
}

#[cfg(test)]
mod tests;
