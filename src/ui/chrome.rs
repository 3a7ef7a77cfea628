//! The header (title, DEMO badge, view tabs, source health) and the footer
//! (filter bar, status message, key hints), plus shared styles.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::text::{age, clean, stale_age};
use super::theme::{Role, Theme};
use crate::alerts::model::{AlertState, Severity, skipped_summary};
use crate::app::state::{Level, Overlay, State, View};

/// The colour of a severity, from the theme.
pub fn severity_style(theme: &Theme, s: Severity) -> Style {
    theme.severity(s)
}

/// Short severity tag for tables.
pub fn severity_tag(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Error => "ERR",
        Severity::Warning => "WARN",
        Severity::Info => "INFO",
        Severity::None => "-",
    }
}

/// The left part of the header; `audit` names the demo's audit log in its
/// note; `compact` drops the demo note and shortens inactive tabs to their
/// key, for narrow terminals.
fn header_left(state: &State, compact: bool, audit: bool) -> Vec<Span<'static>> {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(" opsdeck ", theme.style(Role::Header))];
    if state.demo {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(" DEMO ", theme.style(Role::BadgeDemo)));
        let note = match &state.demo_audit_log {
            Some(path) if audit => format!(
                " simulated data · audit log {}",
                clean(&path.display().to_string())
            ),
            _ => " simulated data".to_string(),
        };
        if !compact {
            spans.push(Span::styled(note, theme.style(Role::DemoNote)));
        }
    }
    if state.read_only {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            " READ-ONLY ",
            theme.style(Role::BadgeReadOnly),
        ));
    }
    if let Some(ctx) = &state.context {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" {} ", clean(ctx)),
            theme.style(Role::BadgeContext),
        ));
    }
    spans.push(Span::raw(" "));
    // Each tab shows its view's key from the live keymap (a remapped key
    // shows as it is; a disabled one leaves the name alone).
    use crate::app::keymap::{Command as C, Context};
    for (command, name, view) in [
        (C::ViewOverview, "Overview", View::Overview),
        (C::ViewAlerts, "Alerts", View::Alerts),
        (C::ViewRelease, "Release", View::Release),
        (C::ViewDeploy, "Deploy", View::Deploy),
    ] {
        let text = match state.keymap.key_for(Context::Global, command) {
            Some(key) if compact && state.view != view => format!(" {key} "),
            Some(key) => format!(" {key} {name} "),
            None => format!(" {name} "),
        };
        let role = if state.view == view {
            Role::TabActive
        } else {
            Role::Tab
        };
        spans.push(Span::styled(text, theme.style(role)));
    }
    spans
}

/// The top line.
pub fn header(state: &State, frame: &mut Frame, area: Rect) {
    let width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let total = usize::from(area.width);
    let mut spans = header_left(state, false, true);
    let mut right = sources(state, false);
    // Too narrow: first the demo's note loses its audit log, then the tabs
    // lose their names, then healthy sources are counted instead of named
    // (a failing one is always named).
    if width(&spans) + width(&right) >= total {
        spans = header_left(state, false, false);
    }
    if width(&spans) + width(&right) >= total {
        spans = header_left(state, true, false);
    }
    if width(&spans) + width(&right) >= total {
        let compact = sources(state, true);
        if width(&compact) < width(&right) {
            right = compact;
        }
    }
    let (left_width, right_width) = (width(&spans), width(&right));
    if left_width + right_width < total {
        spans.push(Span::raw(" ".repeat(total - left_width - right_width)));
    } else {
        spans.push(Span::raw(" "));
    }
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The release checklist's source: what its last load warned about, in a
/// few words (`blockers unknown`), when it loaded with warnings.
fn release_warning(state: &State, s: &crate::app::state::SourceStatus) -> Option<String> {
    use crate::alerts::model::SourceKind;
    if !matches!(s.kind, SourceKind::Github | SourceKind::File) {
        return None;
    }
    let warnings = &state.release.doc.as_ref()?.warnings;
    let first = warnings.first()?;
    let head = first.split(':').next().unwrap_or(first);
    let more = match warnings.len() {
        1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    Some(format!("⚠ {}{more}", super::text::fit(&clean(head), 30)))
}

/// Each source's health for the header; `compact` folds the healthy ones
/// (fresh data, no error) into one count.
fn sources(state: &State, compact: bool) -> Vec<Span<'static>> {
    let theme = &state.theme;
    let mut right: Vec<Span> = Vec::new();
    let mut healthy = 0;
    for s in &state.sources {
        let stale = s.last_ok.and_then(|t| stale_age(state.now, t));
        let warning = release_warning(state, s);
        if compact
            && s.error.is_none()
            && s.last_ok.is_some()
            && stale.is_none()
            && s.skipped.is_empty()
            && warning.is_none()
        {
            healthy += 1;
            continue;
        }
        if !right.is_empty() {
            right.push(Span::raw("  "));
        }
        let data_age = s.last_ok.map(|t| age(state.now, t));
        match (&s.error, data_age) {
            (None, Some(_)) => {
                right.push(Span::raw(format!("{} ", clean(&s.name))));
                if let Some(w) = warning {
                    // Loaded, but something it points at could not be fetched.
                    right.push(Span::styled(w, theme.style(Role::Warning)));
                } else if s.skipped.is_empty() {
                    right.push(Span::styled("✓", theme.style(Role::Ok)));
                } else {
                    // Degraded: answering, but some records were skipped.
                    right.push(Span::styled(
                        format!("⚠ {}", skipped_summary(&s.skipped)),
                        theme.style(Role::Warning),
                    ));
                }
                if let Some(a) = stale {
                    right.push(Span::styled(format!(" {a}"), theme.style(Role::Warning)));
                }
            }
            (None, None) => {
                right.push(Span::raw(format!("{} ", clean(&s.name))));
                right.push(Span::styled("…", theme.style(Role::Muted)));
            }
            (Some(e), a) => {
                right.push(Span::raw(format!("{} ", clean(&s.name))));
                right.push(Span::styled(
                    format!("✗ {}", clean(e)),
                    theme.style(Role::Bad),
                ));
                let old = match a {
                    Some(a) => format!(" (data {a} old)"),
                    None => " (no data)".into(),
                };
                right.push(Span::styled(old, theme.style(Role::Muted)));
            }
        }
    }
    if healthy > 0 {
        if !right.is_empty() {
            right.push(Span::raw("  "));
        }
        let all = if healthy == state.sources.len() {
            "all "
        } else {
            ""
        };
        let s = crate::core::words::s(healthy);
        right.push(Span::raw(format!("{all}{healthy} source{s} ")));
        right.push(Span::styled("✓", theme.style(Role::Ok)));
    }
    right
}

/// The bottom line.
pub fn footer(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    // The silences list's filter being typed, else the alerts filter's.
    let typed = match state.overlays.last() {
        Some(Overlay::Silences(list)) if list.filter.editing => {
            Some((&list.filter, "  Enter keep · Esc cancel"))
        }
        _ if state.alerts.filter.editing => {
            Some((&state.alerts.filter, "  Enter apply · Esc clear"))
        }
        _ => None,
    };
    let line = if let Some((bar, hint)) = typed {
        let mut spans = vec![
            Span::styled("/", theme.style(Role::Prompt)),
            Span::raw(bar.input.text().to_string()),
            Span::styled("█", theme.style(Role::Muted)),
        ];
        if let Some(e) = &bar.error {
            spans.push(Span::styled(format!("  {e}"), theme.style(Role::Bad)));
        } else {
            spans.push(Span::styled(hint, theme.style(Role::Dim)));
        }
        Line::from(spans)
    } else if let Some(m) = state.shown_message() {
        let style = match m.level {
            Level::Info => theme.style(Role::Ok),
            Level::Error => theme.style(Role::Urgent),
        };
        // Cut with … when longer than the line (the pane shows the whole
        // reason where it has one, e.g. a refused release command).
        let width = usize::from(area.width);
        let text = clean(&m.text);
        let text = if text.chars().count() > width {
            crate::core::text::clip(&text, width.saturating_sub(1))
        } else {
            text.into_owned()
        };
        Line::from(Span::styled(text, style))
    } else {
        let mut spans = Vec::new();
        let silences = matches!(state.overlays.last(), Some(Overlay::Silences(_)));
        let detail =
            matches!(state.overlays.last(), Some(Overlay::Silences(l)) if l.detail.is_some());
        if !state.alerts.filter.input.text().is_empty() {
            spans.push(Span::styled(
                format!("filter: {}  ", state.alerts.filter.input.text()),
                theme.style(Role::Accent),
            ));
        }
        // Hints come from the live keymap, so remapped keys show as they are
        // and disabled ones disappear.
        use crate::app::keymap::{Command as C, Context};
        let (context, items): (Context, &[(C, &str)]) = match state.view {
            _ if detail => (
                Context::Silences,
                &[
                    (C::Down, "scroll"),
                    (C::Unack, "expire"),
                    (C::Extend, "extend"),
                    (C::Back, "list"),
                ],
            ),
            _ if silences => (
                Context::Silences,
                &[
                    (C::Open, "detail"),
                    (C::Filter, "filter"),
                    (C::Unack, "expire"),
                    (C::Extend, "extend"),
                    (C::Back, "back"),
                ],
            ),
            View::Overview => (
                Context::Overview,
                &[
                    (C::Open, "open"),
                    (C::ViewAlerts, "alerts"),
                    (C::ViewRelease, "release"),
                    (C::ViewDeploy, "deploy"),
                    (C::Palette, "command"),
                ],
            ),
            View::Alerts => (
                Context::Alerts,
                &[
                    (C::Ack, "ack"),
                    (C::AckTeam, "ack team"),
                    (C::Extend, "extend"),
                    (C::Unack, "unack"),
                    (C::Silences, "silences"),
                    (C::Filter, "filter"),
                    (C::ToggleSilenced, "silenced"),
                    (C::Refresh, "refresh"),
                ],
            ),
            View::Release => (
                Context::Release,
                &[
                    (C::Tick, "tick"),
                    (C::Trigger, "run step"),
                    (C::Blockers, "blockers"),
                    (C::StopRun, "stop run"),
                    (C::Back, "close output"),
                    (C::Refresh, "reload"),
                ],
            ),
            View::Deploy => (
                Context::Deploy,
                &[
                    (C::Bump, "bump"),
                    (C::BumpAll, "bump all"),
                    (C::Open, "detail"),
                    (C::Refresh, "refresh"),
                ],
            ),
        };
        let hints: Vec<String> = items
            .iter()
            .chain([(C::Help, "help"), (C::Quit, "quit")].iter())
            .filter_map(|(cmd, label)| {
                state
                    .keymap
                    .key_for(context, *cmd)
                    .map(|k| format!("{k} {label}"))
            })
            .collect();
        let used: usize = spans.iter().map(|s| s.content.width()).sum();
        let room = usize::from(area.width).saturating_sub(used);
        let hints = fit_hints(hints, 2, room);
        // Where Esc leads: the path up to the overview, at the right end,
        // only where the hints leave room for it (it never covers them).
        let trail = breadcrumb(state, silences);
        let free = room.saturating_sub(hints.width());
        spans.push(Span::styled(hints, theme.style(Role::Dim)));
        if let Some(trail) = trail.filter(|t| t.width() + 2 <= free) {
            spans.push(Span::raw(" ".repeat(free - trail.width())));
            spans.push(Span::styled(trail, theme.style(Role::Accent)));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The path Esc walks back, `Overview › Alerts › Silences`; none on the
/// overview itself.
fn breadcrumb(state: &State, silences: bool) -> Option<String> {
    if state.view == View::Overview {
        return None;
    }
    let mut path = vec![view_name(View::Overview), view_name(state.view)];
    if silences {
        path.push("Silences");
    }
    Some(path.join(" › "))
}

/// A view's name in the breadcrumb.
fn view_name(v: View) -> &'static str {
    match v {
        View::Overview => "Overview",
        View::Alerts => "Alerts",
        View::Release => "Release",
        View::Deploy => "Deploy",
    }
}

/// Joins hints with ` · ` in `room` columns: when they do not fit, hints
/// before the last `keep` (help, quit) are dropped from the end and `…`
/// stands for them; nothing is cut inside a hint.
fn fit_hints(mut hints: Vec<String>, keep: usize, room: usize) -> String {
    let joined = |h: &[String]| h.join(" · ");
    if joined(&hints).width() <= room {
        return joined(&hints);
    }
    let tail = hints.split_off(hints.len().saturating_sub(keep));
    while !hints.is_empty() {
        hints.pop();
        let mut shown = hints.clone();
        shown.push("…".to_string());
        shown.extend(tail.iter().cloned());
        if joined(&shown).width() <= room {
            return joined(&shown);
        }
    }
    let mut shown = vec!["…".to_string()];
    shown.extend(tail);
    crate::ui::text::fit(&joined(&shown), room)
}

/// An alert state's colour.
pub fn state_style(theme: &Theme, s: AlertState) -> Style {
    theme.style(match s {
        AlertState::Firing => Role::Firing,
        AlertState::Pending => Role::Pending,
        AlertState::Silenced | AlertState::Inhibited => Role::Silenced,
    })
}

#[cfg(test)]
mod hint_tests {
    use super::fit_hints;

    fn hints() -> Vec<String> {
        ["a ack", "A ack team", "e extend", "? help", "q quit"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn hints_that_fit_are_all_shown() {
        assert_eq!(
            fit_hints(hints(), 2, 80),
            "a ack · A ack team · e extend · ? help · q quit"
        );
    }

    #[test]
    fn hints_that_do_not_fit_drop_whole_and_say_so() {
        assert_eq!(fit_hints(hints(), 2, 30), "a ack · … · ? help · q quit");
        assert_eq!(fit_hints(hints(), 2, 20), "… · ? help · q quit");
    }
}
