//! `:messages`: the session's status messages, newest first, each with its
//! time (UTC), how long ago, and whether it was good news or an error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::dialogs::centered;
use crate::app::state::{Level, State};
use crate::ui::text::{age, clean};
use crate::ui::theme::Role;

/// Where the box goes in `area` for `count` messages (at least one line,
/// for "no messages yet").
pub fn messages_rect(area: Rect, count: usize) -> Rect {
    let height = u16::try_from(count.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    centered(area, 118, height)
}

/// Draws the list over `area`, scrolled down `offset` lines.
pub fn render(state: &State, frame: &mut Frame, area: Rect, offset: usize) {
    let theme = &state.theme;
    let total = state.messages.len();
    let rect = messages_rect(area, total);
    let rows = usize::from(rect.height.saturating_sub(2));
    let offset = offset.min(total.saturating_sub(rows));
    let title = if total > rows {
        format!(
            " Messages — {}–{} of {total}, newest first · j/k scroll · Esc closes ",
            offset + 1,
            (offset + rows).min(total)
        )
    } else {
        format!(" Messages — {total}, newest first · Esc closes ")
    };
    let room = usize::from(rect.width.saturating_sub(2));
    let lines: Vec<Line> = if total == 0 {
        vec![Line::styled("no messages yet", theme.style(Role::Dim))]
    } else {
        state
            .messages
            .iter()
            .rev()
            .skip(offset)
            .take(rows)
            .map(|m| {
                let (mark, role) = match m.level {
                    Level::Info => ("✓", Role::Ok),
                    Level::Error => ("✗", Role::Urgent),
                };
                let when = format!(
                    "{} {:>4} ago ",
                    m.at.format("%H:%M:%S"),
                    age(state.now, m.at)
                );
                let text_room = room.saturating_sub(when.chars().count() + 2);
                let text = clean(&m.text);
                let text = if text.chars().count() > text_room {
                    crate::core::text::clip(&text, text_room.saturating_sub(1))
                } else {
                    text.into_owned()
                };
                Line::from(vec![
                    Span::styled(when, theme.style(Role::Dim)),
                    Span::styled(format!("{mark} "), theme.style(role)),
                    Span::raw(text),
                ])
            })
            .collect()
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::Panel))
        .title(Span::styled(title, theme.style(Role::Title)));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
