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

/// What the history says of an alert, in words: "first seen 3h ago · 4
/// episodes · fired 1h 12m · longest 40m · flapping", and "stale" when the
/// last read failed.
fn history_text(state: &State, a: &crate::alerts::model::Alert) -> Option<String> {
    let view = &state.alerts.history;
    let h = view.history.as_ref()?;
    let Some(s) = view.summary(a) else {
        return Some("no ALERTS series in the window".into());
    };
    let dur = |d: chrono::TimeDelta| {
        let secs = u64::try_from(d.num_seconds()).unwrap_or(0);
        humantime::format_duration(std::time::Duration::from_secs(secs - secs % 60)).to_string()
    };
    let mut parts = Vec::new();
    if let Some(t) = s.first_seen {
        parts.push(format!("first seen {} ago", age(state.now, t)));
    }
    parts.push(crate::core::words::plural(s.episodes.len(), "episode"));
    parts.push(format!("fired {}", dur(s.firing)));
    if let Some(l) = s.longest {
        parts.push(format!("longest {}", dur(l.duration())));
    }
    if s.flapping(state.alerts.settings.flap_threshold) {
        parts.push("flapping".into());
    }
    let window = crate::ui::text::window(h.step.as_secs() * h.len as u64);
    let mut text = format!("{} (last {window})", parts.join(" · "));
    if let Some(e) = &view.error {
        text.push_str(&format!(" — stale: {e}"));
    }
    if !view.skipped.is_empty() {
        let n = view.skipped.len();
        text.push_str(&format!(" ({n} series not understood: see the overview)"));
    }
    Some(text)
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
    if let Some(text) = history_text(state, a) {
        add("history", &text, key);
    }
    if let Some(points) = state.alerts.history.points(a) {
        // Quiet steps as dots: the line reads as a timeline, oldest left.
        let room = width.saturating_sub(KEY_WIDTH).max(10);
        let line = crate::alerts::history::sparkline(points, room).replace(' ', "·");
        add("timeline", &line, theme.style(Role::Firing));
    }
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
