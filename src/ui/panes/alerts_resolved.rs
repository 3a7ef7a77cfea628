//! "Recently resolved": the alerts that stopped firing within
//! `history_resolved`, from Prometheus' history (Alertmanager no longer has
//! them) — a section under the alerts view, and `R`'s full list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders, Cell, Clear, Row, Table};

use crate::app::panes::alerts::history::Resolved;
use crate::app::state::State;
use crate::ui::chrome::{severity_style, severity_tag};
use crate::ui::text::{age, clean, fit};
use crate::ui::theme::Role;

/// Rows the section shows at most (`R` lists them all).
const SECTION_ROWS: usize = 3;

/// The section's height in a view `height` rows tall: none without
/// anything resolved, with the detail open, or on a short terminal.
pub fn section_height(state: &State, height: u16) -> u16 {
    let n = state.alerts.history.resolved.len();
    if n == 0 || state.alerts.detail || height < 18 {
        return 0;
    }
    // Borders and the header around the rows.
    u16::try_from(n.min(SECTION_ROWS)).unwrap_or(3) + 3
}

/// "last 1h": how far back the list looks.
fn within(state: &State) -> String {
    crate::ui::text::window(state.alerts.settings.history_resolved.as_secs())
}

/// How long it fired, in minutes or more ("35m", "2h 5m").
fn fired(r: &Resolved) -> String {
    let secs = u64::try_from(r.episode.duration().num_seconds()).unwrap_or(0);
    if secs < 60 {
        return format!("{secs}s");
    }
    humantime::format_duration(std::time::Duration::from_secs(secs - secs % 60)).to_string()
}

/// The table of `rows`, for `width` cells.
fn table<'a>(state: &'a State, rows: &'a [Resolved], width: u16) -> Table<'a> {
    let theme = &state.theme;
    let team_w = rows
        .iter()
        .map(|r| r.team.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, usize::from(width / 5).max(4));
    // Borders, SEV, the team, RESOLVED, FIRED and the gaps.
    let fixed = 2 + 4 + team_w + 13 + 14 + 5;
    // The names as wide as the longest shown, so the times sit beside them.
    let longest = rows.iter().map(|r| clean(r.name()).chars().count()).max();
    let name_w = longest
        .unwrap_or(5)
        .clamp(5, usize::from(width).saturating_sub(fixed).max(5));
    let body: Vec<Row> = rows
        .iter()
        .map(|r| {
            Row::new(vec![
                Cell::from(severity_tag(r.severity)).style(severity_style(theme, r.severity)),
                Cell::from(fit(&clean(&r.team), team_w)),
                Cell::from(fit(&clean(r.name()), name_w)),
                Cell::from(format!("{} ago", age(state.now, r.episode.end))),
                Cell::from(fired(r)),
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(4),
        Constraint::Length(u16::try_from(team_w).unwrap_or(4)),
        Constraint::Length(u16::try_from(name_w).unwrap_or(5)),
        Constraint::Length(13),
        Constraint::Fill(1),
    ];
    Table::new(body, widths).header(
        Row::new(["SEV", "TEAM", "ALERT", "RESOLVED", "FIRED FOR"])
            .style(theme.style(Role::TableHeader)),
    )
}

/// Draws the section into `area`: the newest few, and how to see all.
pub fn render_section(state: &State, frame: &mut Frame, area: Rect) {
    let view = &state.alerts.history;
    let n = view.resolved.len();
    let shown = &view.resolved[..n.min(usize::from(area.height.saturating_sub(3)))];
    let key = state
        .keymap
        .key_for(
            crate::app::keymap::Context::Alerts,
            crate::app::keymap::Command::Resolved,
        )
        .unwrap_or_else(|| ":resolved".into());
    let mut title = if shown.len() < n {
        format!(
            " Recently resolved · last {} · {} of {n} — {key} lists all ",
            within(state),
            shown.len()
        )
    } else {
        format!(" Recently resolved · last {} ({n}) ", within(state))
    };
    if let Some(e) = &view.error {
        title.push_str(&format!("— stale: {} ", clean(e)));
    }
    let title = fit(&title, usize::from(area.width.saturating_sub(2)));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(state.theme.style(Role::Border))
        .title(title);
    frame.render_widget(table(state, shown, area.width).block(block), area);
}

/// `R`'s list over `area`, scrolled down `offset` rows: every recently
/// resolved alert, newest first.
pub fn render_overlay(state: &State, frame: &mut Frame, area: Rect, offset: usize) {
    let theme = &state.theme;
    let view = &state.alerts.history;
    let n = view.resolved.len();
    let rect = crate::ui::layout::resolved_rect(area, n);
    let rows = usize::from(rect.height.saturating_sub(3));
    let offset = offset.min(n.saturating_sub(rows));
    let what = match (&view.history, n) {
        (None, _) => "no history: [alerts] history is off or Prometheus has not answered".into(),
        (Some(_), 0) => format!("nothing stopped firing in the last {}", within(state)),
        _ if n > rows => format!(
            "{}–{} of {n}, newest first · j/k scroll",
            offset + 1,
            (offset + rows).min(n)
        ),
        _ => format!("{n}, newest first"),
    };
    let title = format!(
        " Recently resolved (last {}) — {what} · Esc closes ",
        within(state)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::Panel))
        .title(Span::styled(
            fit(&title, usize::from(rect.width.saturating_sub(2))),
            theme.style(Role::Title),
        ));
    let shown = &view.resolved[offset.min(n)..(offset + rows).min(n)];
    frame.render_widget(Clear, rect);
    frame.render_widget(table(state, shown, rect.width).block(block), rect);
}
