//! Alerts by owning team: the merged alerts of every source, grouped by
//! team, with the filter bar, the detail pane and the silence actions.

pub mod history;
pub mod marks;
pub mod silences;
pub mod sources;
pub mod state;
pub mod update;
