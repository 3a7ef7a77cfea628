//! The `?` help screen, generated from the live keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::dialogs::centered;
use crate::app::keymap::Context;
use crate::app::state::State;

/// Draws help over `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    for context in [
        Context::Global,
        Context::Alerts,
        Context::Silences,
        Context::Release,
    ] {
        lines.push(Line::styled(
            context.title(),
            Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
        ));
        for b in state
            .keymap
            .bindings
            .iter()
            .filter(|b| b.context == context)
        {
            let keys = b
                .keys
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {keys:<22}"),
                    Style::default().add_modifier(Modifier::BOLD),
                ),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::styled(
        "Filter: severity=critical owner!=search alertname=~\"warning_.*\" @state=silenced @team=search text",
        Style::default().fg(Color::Gray),
    ));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, 104, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .title(" Help — Esc or ? closes "),
        ),
        rect,
    );
}
