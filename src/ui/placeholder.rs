//! The release and deploy views until they are configured.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

/// "not configured" for a view.
pub fn render(frame: &mut Frame, area: Rect, title: &str, section: &str) {
    let text = vec![
        Line::from(""),
        Line::styled(
            format!("{title}: not configured"),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Line::from(""),
        Line::from(format!(
            "Add a {section} section to your config to use this view."
        )),
        Line::from("Press 1 for alerts."),
    ];
    frame.render_widget(
        Paragraph::new(text).alignment(Alignment::Center).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {title} ")),
        ),
        area,
    );
}
