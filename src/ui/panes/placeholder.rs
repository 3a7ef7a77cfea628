//! The release and deploy views until they are configured.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::ui::theme::{Role, Theme};

/// "not configured" for a view.
pub fn render(theme: &Theme, frame: &mut Frame, area: Rect, title: &str, section: &str) {
    let text = vec![
        Line::from(""),
        Line::styled(
            format!("{title}: not configured"),
            theme.style(Role::Emphasis),
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
                .border_style(theme.style(Role::Panel))
                .title(format!(" {title} ")),
        ),
        area,
    );
}
