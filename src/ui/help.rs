//! The `?` help screen, generated from the live keymap: every binding with
//! its description, grouped by where it applies, in two columns.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::dialogs::centered;
use super::theme::Role;
use crate::app::keymap::Context;
use crate::app::state::State;

fn section(state: &State, context: Context) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let mut lines = vec![Line::styled(context.title(), theme.style(Role::Title))];
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
        // A remapped binding is marked; the config changed it.
        let mark = if b.remapped { "*" } else { " " };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark}{keys:<14}"), theme.style(Role::Key)),
            Span::raw(b.help),
        ]));
    }
    for b in state
        .keymap
        .disabled
        .iter()
        .filter(|b| b.context == context)
    {
        lines.push(Line::from(vec![
            Span::styled(format!(" *{:<14}", "disabled"), theme.style(Role::Dim)),
            Span::styled(
                format!("{}: {}", b.command.name(), b.help),
                theme.style(Role::Dim),
            ),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

/// Draws help over `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let mut left = section(state, Context::Global);
    left.extend(section(state, Context::Alerts));
    let mut right = section(state, Context::Silences);
    right.extend(section(state, Context::Release));
    right.extend(section(state, Context::Deploy));
    right.push(Line::styled("Filter examples:", theme.style(Role::Title)));
    for example in [
        "severity=critical owner!=search",
        "alertname=~\"warning_.*\" @state=silenced",
        "@team=search disk",
    ] {
        right.push(Line::styled(
            format!("  {example}"),
            theme.style(Role::Muted),
        ));
    }
    let height = u16::try_from(left.len().max(right.len()))
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, 118, height);
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::Panel))
        .title(" Help — Esc or ? closes ");
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
}
