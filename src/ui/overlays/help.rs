//! The `?` help screen, generated from the live keymap: every binding with
//! its description, grouped by where it applies, in two columns.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use super::dialogs::centered;
use crate::app::keymap::{Context, Keymap};
use crate::app::state::State;
use crate::ui::theme::Role;

/// Where the help box goes in `area` for `total` lines.
pub fn help_rect(area: Rect, total: usize) -> Rect {
    let height = u16::try_from(total).unwrap_or(u16::MAX).saturating_add(2);
    centered(area, 118, height)
}

/// The help screen's filter examples.
pub const FILTER_EXAMPLES: [&str; 3] = [
    "@severity=critical owner!=search",
    "alertname=~\"warning_.*\" @state=silenced",
    "@team=search disk",
];

/// Below this many columns the help screen is one column, not two.
pub const HELP_TWO_COLUMNS: u16 = 100;

/// The help screen's columns: the key contexts in each (one column on a
/// narrow terminal), the filter examples last.
pub fn help_columns(cols: u16) -> Vec<Vec<Context>> {
    let left = vec![Context::Global, Context::Alerts];
    let right = vec![
        Context::Silences,
        Context::Release,
        Context::Deploy,
        Context::Overview,
    ];
    if cols >= HELP_TWO_COLUMNS {
        vec![left, right]
    } else {
        vec![left.into_iter().chain(right).collect()]
    }
}

/// Lines of the help screen's longest column: per context a heading, its
/// bindings (and disabled ones) and a blank line; then the filter examples
/// under their heading.
pub fn help_lines(keymap: &Keymap, cols: u16) -> usize {
    let columns = help_columns(cols);
    let last = columns.len().saturating_sub(1);
    columns
        .iter()
        .enumerate()
        .map(|(i, contexts)| {
            let keys: usize = contexts
                .iter()
                .map(|c| {
                    2 + keymap.bindings.iter().filter(|b| b.context == *c).count()
                        + keymap.disabled.iter().filter(|b| b.context == *c).count()
                })
                .sum();
            keys + if i == last {
                1 + FILTER_EXAMPLES.len()
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// A help text fitted to `room` columns, cut with `…` when it is longer.
fn fit(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        text.to_owned()
    } else {
        crate::core::text::clip(text, room.saturating_sub(1))
    }
}

/// One context's bindings, each line at most `width` columns.
fn section(state: &State, context: Context, width: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(16);
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
            Span::raw(fit(b.help, room)),
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
                fit(&format!("{}: {}", b.command.name(), b.help), room),
                theme.style(Role::Dim),
            ),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

/// Draws help over `area`, scrolled down `offset` lines: two columns on a
/// wide terminal, one on a narrow one (nothing is cut off sideways); the
/// title says how to scroll when it does not fit.
pub fn render(state: &State, frame: &mut Frame, area: Rect, offset: usize) {
    let theme = &state.theme;
    let total = help_lines(&state.keymap, state.cols);
    let rect = help_rect(area, total);
    let inner_rows = usize::from(rect.height.saturating_sub(2));
    let offset = offset.min(total.saturating_sub(inner_rows));
    let title = if total > inner_rows {
        format!(
            " Help — lines {}–{} of {total} · j/k scroll · Esc or ? closes ",
            offset + 1,
            (offset + inner_rows).min(total)
        )
    } else {
        " Help — Esc or ? closes ".to_string()
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::Panel))
        .title(title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let columns = help_columns(state.cols);
    let last = columns.len().saturating_sub(1);
    let constraints = vec![Constraint::Ratio(1, columns.len().max(1) as u32); columns.len()];
    let areas = Layout::horizontal(constraints).split(inner);
    let texts: Vec<Vec<Line<'static>>> = columns
        .iter()
        .zip(areas.iter())
        .enumerate()
        .map(|(i, (contexts, area))| {
            let width = usize::from(area.width);
            let mut lines: Vec<Line<'static>> = contexts
                .iter()
                .flat_map(|c| section(state, *c, width))
                .collect();
            if i == last {
                lines.push(Line::styled("Filter examples:", theme.style(Role::Title)));
                for example in FILTER_EXAMPLES {
                    lines.push(Line::styled(
                        fit(&format!("  {example}"), width),
                        theme.style(Role::Muted),
                    ));
                }
            }
            lines
        })
        .collect();
    let scroll = u16::try_from(offset).unwrap_or(u16::MAX);
    for (lines, area) in texts.into_iter().zip(areas.iter()) {
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), *area);
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn help_texts_are_cut_with_an_ellipsis_only_when_too_long() {
        assert_eq!(
            fit("copy link or step text (OSC 52)", 31),
            "copy link or step text (OSC 52)"
        );
        assert_eq!(fit("copy link or step text (OSC 52)", 12), "copy link o…");
        assert_eq!(
            fit("copy link or step text (OSC 52)", 12).chars().count(),
            12
        );
    }
}
