//! Screen geometry that `update` needs too (scroll limits, page sizes),
//! computed from the terminal size by the same functions the views draw
//! with, so a layout change cannot leave the keys behind. Clicks read the
//! hit map instead (where things were actually drawn).

use ratatui::layout::{Constraint, Layout, Rect};

use super::overlays::dialogs::ConfirmLayout;
use crate::app::keymap::Keymap;
use crate::app::overlays::confirm::Confirm;

/// How far something scrolls, and how far a page key moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scroll {
    /// The largest offset (0: everything fits).
    pub max: usize,
    /// Lines a page key moves.
    pub page: usize,
}

/// The screen's header, body and footer rows.
pub fn screen(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The body of a terminal `cols` × `rows`.
pub fn body(cols: u16, rows: u16) -> Rect {
    let [_, body, _] = screen(Rect::new(0, 0, cols, rows));
    body
}

/// The alerts view's team list width for a terminal `cols` wide whose
/// longest team name takes `longest` cells: room for the name, the
/// selection mark and the counts, at least 34 and at most a third of the
/// width (or 34 on a narrow terminal).
pub fn team_list_width(longest: usize, cols: u16) -> u16 {
    const MIN: u16 = 34;
    let need = u16::try_from(longest.saturating_add(TEAM_LIST_EXTRA)).unwrap_or(u16::MAX);
    need.clamp(MIN, (cols / 3).max(MIN))
}

/// The team list's cells besides the name: borders, "▶ ", a gap and the
/// severity counts ("3c 12e 4w 2i ").
pub const TEAM_LIST_EXTRA: usize = 2 + 2 + 1 + 13;

/// Rows a page key moves in the lists (the list less its frame, the
/// column header and the lines around it).
pub fn list_page(rows: u16) -> usize {
    usize::from(rows.saturating_sub(8)).max(1)
}

/// Every line the overview draws at the terminal's size (`state.cols` ×
/// `state.rows`), with the thing each lists: the rows its cursor walks.
pub fn overview_lines(
    state: &crate::app::state::State,
) -> Vec<Option<crate::app::panes::overview::state::Item>> {
    super::panes::overview::lines(state, body(state.cols, state.rows))
}

/// The help screen's scroll at this size.
pub fn help_scroll(keymap: &Keymap, cols: u16, rows: u16) -> Scroll {
    let total = super::overlays::help::help_lines(keymap, cols);
    let inner = usize::from(super::overlays::help::help_rect(body(cols, rows), total).height)
        .saturating_sub(2)
        .max(1);
    Scroll {
        max: total.saturating_sub(inner),
        page: inner.saturating_sub(1).max(1),
    }
}

/// The `:messages` list's scroll at this size, for `count` messages.
pub fn messages_scroll(count: usize, cols: u16, rows: u16) -> Scroll {
    let rect = super::overlays::messages::messages_rect(body(cols, rows), count);
    let inner = usize::from(rect.height.saturating_sub(2)).max(1);
    Scroll {
        max: count.saturating_sub(inner),
        page: inner.saturating_sub(1).max(1),
    }
}

/// Where `R`'s list of `count` recently resolved alerts goes in `area`
/// (one line at least, for "nothing resolved").
pub fn resolved_rect(area: Rect, count: usize) -> Rect {
    let height = u16::try_from(count.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    super::overlays::dialogs::centered(area, 110, height)
}

/// `R`'s list's scroll at this size, for `count` rows.
pub fn resolved_scroll(count: usize, cols: u16, rows: u16) -> Scroll {
    let rect = resolved_rect(body(cols, rows), count);
    let inner = usize::from(rect.height.saturating_sub(3)).max(1);
    Scroll {
        max: count.saturating_sub(inner),
        page: inner.saturating_sub(1).max(1),
    }
}

/// A y/N question's detail scroll at this size.
pub fn confirm_scroll(confirm: &Confirm, cols: u16, rows: u16) -> Scroll {
    let layout = ConfirmLayout::new(confirm, body(cols, rows));
    match layout.window() {
        Some(window) => Scroll {
            max: layout.details.len() - window,
            page: window.saturating_sub(1).max(1),
        },
        None => Scroll { max: 0, page: 1 },
    }
}

/// A silence's detail scroll (in the silences list) at this size.
pub fn silence_detail_scroll(
    state: &crate::app::state::State,
    silence: &crate::alerts::model::Silence,
    cols: u16,
    rows: u16,
) -> Scroll {
    let area = body(cols, rows);
    let lines = super::overlays::silences::detail_lines(
        state,
        silence,
        usize::from(area.width.saturating_sub(2)),
    );
    let inner = usize::from(area.height.saturating_sub(2)).max(1);
    Scroll {
        max: lines.len().saturating_sub(inner),
        page: inner.saturating_sub(1).max(1),
    }
}
