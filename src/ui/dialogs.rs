//! Dialogs drawn over the view: the acknowledge form and y/N confirmations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::text::clean;
use crate::alerts::grouping::count_matching;
use crate::app::state::{AckForm, Confirm, FormField, State};

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(h);
    v
}

fn dialog(title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(Style::default().fg(Color::Cyan))
        .title(title)
}

/// The acknowledge form.
pub fn ack_form(state: &State, form: &AckForm, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 100, 16);
    frame.render_widget(Clear, rect);
    let label = Style::default().fg(Color::Cyan);
    let mut lines = vec![Line::from("")];
    for field in FormField::ALL {
        let input = form.input(field);
        let focused = field == form.field && !form.submitting;
        let mut spans = vec![
            Span::styled(if focused { "▶ " } else { "  " }, label),
            Span::styled(format!("{:<9}", field.label()), label),
        ];
        let text = input.text();
        if focused {
            let split = text
                .char_indices()
                .nth(input.cursor())
                .map_or(text.len(), |(b, _)| b);
            spans.push(Span::raw(text[..split].to_string()));
            spans.push(Span::styled("█", Style::default().fg(Color::Gray)));
            spans.push(Span::raw(text[split..].to_string()));
        } else {
            spans.push(Span::raw(text.to_string()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    let preview = match form.parsed_matchers() {
        Ok(m) => {
            let n = count_matching(&state.alerts, &m);
            Span::styled(
                format!(
                    "  matches {n} current alert{}",
                    if n == 1 { "" } else { "s" }
                ),
                Style::default().fg(if n == 0 { Color::Yellow } else { Color::Green }),
            )
        }
        Err(e) => Span::styled(
            format!("  matchers: {e}"),
            Style::default().fg(Color::Yellow),
        ),
    };
    lines.push(Line::from(preview));
    lines.push(Line::from(Span::styled(
        format!("  silence goes to: {}", form.targets.join(", ")),
        Style::default().fg(Color::Gray),
    )));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            format!("  ✗ {}", clean(e)),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        )));
    }
    if form.submitting {
        lines.push(Line::from("  submitting…"));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "  Enter submit · Tab/↑↓ field · Esc cancel",
        Style::default().fg(Color::DarkGray),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog(format!(" Acknowledge {} ", clean(&form.alertname)))),
        rect,
    );
}

/// A y/N question.
pub fn confirm(c: &Confirm, frame: &mut Frame, area: Rect) {
    let width = 90.min(area.width);
    let inner = usize::from(width.saturating_sub(4)).max(1);
    let wrapped: usize = c
        .details
        .iter()
        .take(10)
        .map(|d| (d.chars().count() + 2).div_ceil(inner).max(1))
        .sum::<usize>()
        + (c.question.chars().count() + 2).div_ceil(inner).max(1);
    let height = u16::try_from(wrapped).unwrap_or(20).min(20) + 5;
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let mut lines = vec![
        Line::from(""),
        Line::from(Span::styled(
            format!("  {}", clean(&c.question)),
            Style::default().add_modifier(Modifier::BOLD),
        )),
    ];
    for d in c.details.iter().take(10) {
        lines.push(Line::from(Span::styled(
            format!("  {}", clean(d)),
            Style::default().fg(Color::Gray),
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled(
            "y",
            Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" yes   "),
        Span::styled(
            "N",
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Span::raw(" no (default; any other key)"),
    ]));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog(" Confirm [y/N] ".into())),
        rect,
    );
}
