//! The overview, the start screen: a cursor over its rows (top alerts,
//! teams, the release's blockers and next steps, images) and Enter opening
//! the row's thing in its view. The rows are the ones the view draws
//! (`ui::layout::overview_lines`), so keys and screen agree.

pub mod state;
#[cfg(test)]
mod tests;
pub mod update;
