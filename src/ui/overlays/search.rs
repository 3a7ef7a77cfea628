//! The `/` search line of the release and deploy views, at the bottom of
//! the body: what is typed and how many rows match.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::overlays::search::{Search, haystack, matches};
use crate::app::state::State;
use crate::ui::theme::Role;

/// Draws the search line over the bottom of `area`.
pub fn render(state: &State, search: &Search, frame: &mut Frame, area: Rect) {
    let t = &state.theme;
    let query = search.input.text();
    let rows = haystack(state).unwrap_or_default();
    let hits = matches(&rows, query).len();
    let (count, role) = match (query.is_empty(), hits) {
        (true, _) => ("type to search".to_string(), Role::Dim),
        (false, 0) => ("no match".to_string(), Role::Bad),
        (false, 1) => ("1 match".to_string(), Role::Muted),
        (false, n) => (format!("{n} matches"), Role::Muted),
    };
    let height = 2.min(area.height);
    let rect = Rect {
        x: area.x,
        y: area.y + area.height.saturating_sub(height),
        width: area.width,
        height,
    };
    frame.render_widget(Clear, rect);
    let line = Line::from(vec![
        Span::styled("/", t.style(Role::Accent)),
        Span::styled(query.to_string(), t.style(Role::Text)),
        Span::styled("█", t.style(Role::Muted)),
        Span::styled(format!("  {count}"), t.style(role)),
    ]);
    frame.render_widget(
        Paragraph::new(line).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(t.style(Role::BorderFocus))
                .title(" search — Enter keeps · Esc goes back · then n / N next, previous "),
        ),
        rect,
    );
}
