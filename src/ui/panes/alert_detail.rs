//! The alert detail below the alerts table: everything an alert holds,
//! each value wrapped under its key, never cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::alerts::matcher::quote;
use crate::app::state::State;
use crate::ui::chrome::{severity_style, severity_tag, state_style};
use crate::ui::text::{age, clean, until, wrap};
use crate::ui::theme::Role;

/// Label column width in the detail pane.
const KEY_WIDTH: usize = 14;

/// `key  value`, the value wrapped to the pane and indented under itself.
fn kv_lines(key: &str, value: &str, width: usize, key_style: Style) -> Vec<Line<'static>> {
    let room = width.saturating_sub(KEY_WIDTH).max(10);
    wrap(&clean(value), room)
        .into_iter()
        .enumerate()
        .map(|(n, chunk)| {
            let label = if n == 0 {
                clean(key).into_owned()
            } else {
                String::new()
            };
            Line::from(vec![
                Span::styled(format!("{label:<w$} ", w = KEY_WIDTH - 1), key_style),
                Span::raw(chunk),
            ])
        })
        .collect()
}

/// Draws the selected alert's detail into `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Panel))
        .title(" Detail (Esc closes) ");
    let Some(a) = state.selected_alert() else {
        frame.render_widget(Paragraph::new("no alert selected").block(block), area);
        return;
    };
    let width = usize::from(area.width.saturating_sub(2));
    let key = theme.style(Role::Label);
    let mut lines = vec![Line::from(vec![
        Span::styled(clean(a.name()).into_owned(), theme.style(Role::Emphasis)),
        Span::raw("  "),
        Span::styled(severity_tag(a.severity), severity_style(theme, a.severity)),
        Span::raw("  "),
        Span::styled(a.state.as_str(), state_style(theme, a.state)),
    ])];
    let mut add = |k: &str, v: &str, style: Style| lines.extend(kv_lines(k, v, width, style));
    add("team", &a.team, key);
    add(
        "age",
        &format!(
            "{} (since {})",
            age(state.now, a.starts_at),
            a.starts_at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        key,
    );
    add("sources", &a.sources.join(", "), key);
    for id in &a.silenced_by {
        let text = match state.silence(id) {
            Some(s) => format!(
                "{} — by {}: \"{}\", ends {} (in {})",
                s.id,
                s.created_by,
                s.comment,
                s.ends_at.format("%Y-%m-%d %H:%M UTC"),
                until(state.now, s.ends_at)
            ),
            None => id.clone(),
        };
        add("silenced by", &text, theme.style(Role::SilenceAccent));
    }
    let jump = state.keymap.key_for(
        crate::app::keymap::Context::Alerts,
        crate::app::keymap::Command::JumpInhibitor,
    );
    for fp in &a.inhibited_by {
        let text = match state.alerts.all.iter().find(|x| &x.fingerprint == fp) {
            Some(by) => {
                let hint = jump.as_deref().map(|k| format!(" — {k} jumps to it"));
                format!(
                    "{} ({}, {}, {}){}",
                    by.name(),
                    by.team,
                    by.severity,
                    by.states().join("+"),
                    hint.unwrap_or_default()
                )
            }
            None => format!("{fp} (not among the current alerts)"),
        };
        add("inhibited by", &text, key);
    }
    // The texts people read first (Sourcegraph puts `description` in a
    // label), then the other annotations.
    let first = ["description", "summary"];
    for k in first {
        if let Some(v) = a.annotations.get(k).or_else(|| a.labels.get(k)) {
            add(k, v, key);
        }
    }
    if let Some(url) = a.runbook_url() {
        add("runbook", url, key);
    }
    for (k, v) in a.annotations.iter() {
        if !first.contains(&k) && Some(v) != a.runbook_url() {
            add(k, v, key);
        }
    }
    if let Some(url) = &a.generator_url {
        add("generator", url, key);
    }
    add("fingerprint", &a.fingerprint, key);
    let labels = a
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(" ");
    add("labels", &labels, theme.style(Role::Muted));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
