//! The `u`/`e` picker: an alert's silences with their whole scope, each
//! with a checkbox; the question says exactly what `y` will do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialogs::show;
use crate::app::overlays::pick::Pick;
use crate::ui::text::{clean, wrap};
use crate::ui::theme::{Role, Theme};

/// Draws the picker centred over `area`.
pub fn render(theme: &Theme, pick: &Pick, frame: &mut Frame, area: Rect) {
    let width = 110.min(area.width);
    let room = usize::from(width.saturating_sub(8)).max(10);
    let mut lines = vec![Line::from("")];
    for part in wrap(&clean(&pick.question()), room + 2) {
        lines.push(Line::from(Span::styled(
            format!("  {part}"),
            theme.style(Role::Emphasis),
        )));
    }
    lines.push(Line::from(""));
    for (i, item) in pick.items.iter().enumerate() {
        let mark = if item.selected { "[x]" } else { "[ ]" };
        let cursor = i == pick.cursor;
        let row_style = if cursor {
            theme.style(Role::Selected)
        } else {
            theme.style(Role::Text)
        };
        for (n, text) in item.lines.iter().enumerate() {
            let style = if text.trim_start().starts_with('⚠') {
                theme.style(Role::Warning)
            } else if n == 0 {
                row_style
            } else {
                theme.style(Role::Muted)
            };
            for (k, part) in wrap(&clean(text), room).into_iter().enumerate() {
                let lead = match (n, k) {
                    (0, 0) if cursor => format!("▶ {mark} "),
                    (0, 0) => format!("  {mark} "),
                    _ => "      ".to_string(),
                };
                lines.push(Line::from(vec![
                    Span::styled(lead, row_style),
                    Span::styled(part, style),
                ]));
            }
        }
    }
    lines.push(Line::from(""));
    let verb = match pick.op {
        crate::app::overlays::pick::PickOp::Expire => " expire the selected   ",
        crate::app::overlays::pick::PickOp::Extend => " extend the selected   ",
    };
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("space", theme.style(Role::Emphasis)),
        Span::raw(" select   "),
        Span::styled("j/k", theme.style(Role::Emphasis)),
        Span::raw(" move   "),
        Span::styled("y", theme.style(Role::Yes)),
        Span::raw(verb),
        Span::styled("N", theme.style(Role::No)),
        Span::raw(" cancel (any other key)"),
    ]));
    show(theme, lines, width, " Which silences? [y/N] ", frame, area);
}
