//! The overview's state: the cursor, and the identity of the row under it
//! so a refresh that reorders or cuts the rows keeps it on the same thing.

/// A selectable row of the overview, by identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A firing alert, by fingerprint.
    Alert(String),
    /// A team, by name.
    Team(String),
    /// An open release step, by id.
    Step(String),
    /// An open release blocker, by repository and number.
    Blocker {
        /// `owner/name`.
        repo: String,
        /// The issue number.
        number: u64,
    },
    /// An image, by key (`canonical-host/repository`).
    Image(String),
}

/// The overview's cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewState {
    /// Index into the selectable rows (screen order), used when the
    /// selected thing is no longer shown.
    pub cursor: usize,
    /// What the cursor is on.
    pub selected: Option<Item>,
}

impl OverviewState {
    /// The selected row's index among `rows`: the selected thing where it
    /// is still listed, else the cursor clamped; `None` with no rows.
    /// Render and update both resolve the cursor with this.
    pub fn position(&self, rows: &[Item]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let found = self
            .selected
            .as_ref()
            .and_then(|s| rows.iter().position(|r| r == s));
        Some(found.unwrap_or(self.cursor.min(rows.len() - 1)))
    }

    /// Puts the cursor on row `index` of `rows` (clamped).
    pub fn select(&mut self, rows: &[Item], index: usize) {
        self.cursor = index.min(rows.len().saturating_sub(1));
        self.selected = rows.get(self.cursor).cloned();
    }

    /// Resolves the cursor against `rows` (after the data or the screen
    /// changed): on the same thing where it is listed, else clamped. Until
    /// a row is chosen the cursor stays on the first (the data comes in
    /// source by source; the first to answer does not keep it).
    pub fn sync(&mut self, rows: &[Item]) {
        if self.selected.is_none() {
            return;
        }
        match self.position(rows) {
            Some(i) => self.select(rows, i),
            // Nothing listed (still loading): the thing is kept for later.
            None => self.cursor = 0,
        }
    }
}
