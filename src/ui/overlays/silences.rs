//! The silences list (`S`): active and pending silences, soonest end first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, TableState};

use crate::alerts::matcher::Matcher;
use crate::app::state::State;
use crate::ui::text::{clean, until};
use crate::ui::theme::Role;

/// Draws the list over `area`.
pub fn render(state: &State, selected: usize, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let silences = state.open_silences();
    let rows: Vec<Row> = silences
        .iter()
        .map(|s| {
            let matchers = s
                .matchers
                .iter()
                .map(Matcher::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            Row::new(vec![
                Cell::from(clean(&s.id).chars().take(8).collect::<String>()),
                Cell::from(s.state.as_str()),
                Cell::from(until(state.now, s.ends_at)),
                Cell::from(clean(&s.created_by).into_owned()),
                Cell::from(clean(&s.comment).into_owned()),
                Cell::from(match s.matchers.iter().find_map(Matcher::problem) {
                    // Kept as the server holds it; Alertmanager's own
                    // silencedBy says which alerts it covers.
                    Some(problem) => Line::from(vec![
                        Span::styled(
                            format!("⚠ regex not understood here: {} · ", clean(problem)),
                            theme.style(Role::Warning),
                        ),
                        Span::raw(clean(&matchers).into_owned()),
                    ]),
                    None => Line::from(clean(&matchers).into_owned()),
                }),
            ])
        })
        .collect();
    let title = format!(
        " Silences ({}) — u expire · e extend · Esc back ",
        silences.len()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(14),
            Constraint::Percentage(30),
            Constraint::Percentage(70),
        ],
    )
    .header(
        Row::new([
            "ID",
            "STATE",
            "ENDS IN",
            "CREATED BY",
            "COMMENT",
            "MATCHERS",
        ])
        .style(theme.style(Role::TableHeader)),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::SilenceAccent))
            .title(title),
    )
    .row_highlight_style(theme.style(Role::Selected));
    let mut ts = TableState::default();
    if !silences.is_empty() {
        ts.select(Some(selected.min(silences.len() - 1)));
    }
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(table, area, &mut ts);
}
