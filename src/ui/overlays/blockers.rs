//! The blocker list (`b` in the release view): number, title, assignee,
//! age and labels of each open blocker, the selected one highlighted.
//! Every cell is fitted to its column with `…` when cut; a list longer
//! than the box scrolls with the cursor and says which rows it shows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::dialogs::centered;
use crate::app::overlays::blockers::{Blockers, Shown, shown};
use crate::app::state::State;
use crate::release::blockers::Blocker;
use crate::ui::text::{age, clean, fit, wrap};
use crate::ui::theme::{Role, Theme};

/// Widest the box gets.
const MAX_WIDTH: u16 = 120;

/// `text` fitted to `width` columns and padded to exactly `width`.
fn cell(text: &str, width: usize) -> String {
    let fitted = fit(text, width);
    let pad = width.saturating_sub(fitted.width());
    format!("{fitted}{}", " ".repeat(pad))
}

/// One row's texts: `#number` (or `owner/name#number` for another
/// repository), title, `@assignee`, age, labels.
fn texts(state: &State, b: &Blocker) -> [String; 5] {
    let own = state.release.doc.as_ref().is_some_and(|d| d.repo == b.repo);
    let number = if own {
        format!("#{}", b.number)
    } else {
        format!("{}#{}", clean(&b.repo), b.number)
    };
    let assignee = b
        .assignee
        .as_ref()
        .map_or_else(|| "—".to_string(), |a| format!("@{}", clean(a)));
    let labels: Vec<String> = b.labels.iter().map(|l| clean(l).into_owned()).collect();
    [
        number,
        clean(&b.title).into_owned(),
        assignee,
        age(state.now, b.created_at),
        labels.join(", "),
    ]
}

/// Column widths for rows of `texts` in `inner` columns (gaps of one).
fn widths(rows: &[[String; 5]], inner: usize) -> [usize; 5] {
    let natural = |i: usize, header: &str, cap: usize| {
        rows.iter()
            .map(|r| r[i].width())
            .chain([header.width()])
            .max()
            .unwrap_or(0)
            .min(cap)
    };
    let number = natural(0, "#", 24);
    let assignee = natural(2, "ASSIGNEE", 18);
    let age = natural(3, "AGE", 5);
    let rest = inner.saturating_sub(number + assignee + age + 4);
    let labels_natural = natural(4, "LABELS", usize::MAX);
    let labels = labels_natural.min(rest * 2 / 5);
    [number, rest.saturating_sub(labels), assignee, age, labels]
}

fn row(texts: &[String; 5], widths: &[usize; 5]) -> String {
    texts
        .iter()
        .zip(widths)
        .map(|(t, &w)| cell(t, w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message lines for a list with no rows.
fn message(theme: &Theme, shown: &Shown, room: usize) -> Vec<Line<'static>> {
    let (text, role) = match shown {
        Shown::Found { query, .. } => (
            format!(
                "no open blockers (query: {})",
                query.map_or_else(|| "?".into(), |q| clean(q).into_owned())
            ),
            Role::Ok,
        ),
        Shown::Unknown { why: [], .. } => (
            "blockers unknown: they were not fetched".to_string(),
            Role::Warning,
        ),
        Shown::Unknown { why, .. } => (
            why.iter()
                .map(|w| clean(w).into_owned())
                .collect::<Vec<_>>()
                .join(" · "),
            Role::Warning,
        ),
        Shown::NotGithub => (
            "blockers are found on GitHub only; this checklist is a local file".to_string(),
            Role::Muted,
        ),
        Shown::NotLoaded => ("the checklist has not loaded yet".to_string(), Role::Muted),
    };
    wrap(&text, room)
        .into_iter()
        .map(|l| Line::styled(l, theme.style(role)))
        .collect()
}

/// Draws the list centred over `area`.
pub fn render(state: &State, list: &Blockers, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let shown = shown(state);
    let width = MAX_WIDTH.min(area.width);
    let inner = usize::from(width.saturating_sub(2));
    let (items, query, total) = match shown {
        Shown::Found {
            items,
            query,
            total,
        } => (items, query, total),
        Shown::Unknown { query, .. } => (&[][..], query, 0),
        _ => (&[][..], None, 0),
    };
    let rows: Vec<[String; 5]> = items.iter().map(|b| texts(state, b)).collect();
    let mut title = if total > items.len() {
        format!(" Blockers ({} of {total}) ", items.len())
    } else if items.is_empty() {
        " Blockers ".to_string()
    } else {
        format!(" Blockers ({total}) ")
    };
    let mut lines: Vec<Line> = Vec::new();
    let cursor = list.cursor.min(rows.len().saturating_sub(1));
    if rows.is_empty() {
        lines.extend(message(theme, &shown, inner));
    } else {
        let widths = widths(&rows, inner);
        let header = ["#", "TITLE", "ASSIGNEE", "AGE", "LABELS"].map(str::to_string);
        lines.push(Line::styled(
            row(&header, &widths),
            theme.style(Role::TableHeader),
        ));
        // Border, header and the query line take 4 rows.
        let visible = usize::from(area.height.saturating_sub(4))
            .min(rows.len())
            .max(1);
        let start = (cursor + 1).saturating_sub(visible);
        if visible < rows.len() {
            title.push_str(&format!(
                "· rows {}–{} of {} ",
                start + 1,
                start + visible,
                rows.len()
            ));
        }
        for (i, texts) in rows.iter().enumerate().skip(start).take(visible) {
            let style = if i == cursor {
                theme.style(Role::Selected)
            } else {
                Style::default()
            };
            lines.push(Line::styled(row(texts, &widths), style));
        }
    }
    // The last line: the query, which rows show, the keys.
    let mut foot = Vec::new();
    if !rows.is_empty() {
        if let Some(q) = query {
            foot.push(format!("query: {}", clean(q)));
        }
        foot.push("Enter/o open · y copy link · Esc close".into());
    } else {
        foot.push("Esc close".into());
    }
    let keys = foot.pop().unwrap_or_default();
    let room = inner.saturating_sub(keys.width() + 2);
    let left = fit(&foot.join(" · "), room);
    let gap = inner.saturating_sub(left.width() + keys.width());
    lines.push(Line::from(vec![
        Span::styled(left, theme.style(Role::Muted)),
        Span::raw(" ".repeat(gap)),
        Span::styled(keys, theme.style(Role::Dim)),
    ]));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Rounded)
                .border_style(theme.style(Role::BorderFocus))
                .title(title),
        ),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_fitted_and_padded() {
        assert_eq!(cell("abc", 5), "abc  ");
        assert_eq!(cell("abcdef", 4), "abc…");
        let rows = [[
            "#16190".to_string(),
            "search: zoekt indexserver crashloops on large monorepos".to_string(),
            "@carol".to_string(),
            "3d".to_string(),
            "release-blocker, bug, team/search".to_string(),
        ]];
        let w = widths(&rows, 78);
        assert_eq!(w.iter().sum::<usize>() + 4, 78, "{w:?}");
        assert_eq!((w[0], w[2], w[3]), (6, 8, 3));
        let line = row(&rows[0], &w);
        assert_eq!(line.width(), 78);
        assert!(line.contains('…'), "{line}");
    }
}
