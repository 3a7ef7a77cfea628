//! The alerts view: teams on the left, the selected team's alerts on the
//! right, and the selected alert's detail below when open.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row, Table, TableState,
};

use crate::alerts::matcher::quote;
use crate::alerts::model::{Alert, AlertState, Severity};
use crate::app::state::{Focus, HitMap, HitTarget, State};
use crate::ui::chrome::{severity_style, severity_tag};
use crate::ui::text::{
    age, cells, clean, fit, plural, rows_shown, suppressed_counts, until, window_start, wrap,
};
use crate::ui::theme::{Role, Theme};

/// Draws the alerts view into `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let (top, detail) = if state.alerts.detail {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        (top, Some(bottom))
    } else {
        (area, None)
    };
    let longest = state
        .alerts
        .groups
        .iter()
        .map(|g| cells(&clean(&g.team)))
        .max()
        .unwrap_or(0);
    let team_width = crate::ui::layout::team_list_width(longest, area.width);
    let [teams_area, alerts_area] =
        Layout::horizontal([Constraint::Length(team_width), Constraint::Min(20)]).areas(top);
    teams(state, frame, teams_area, hits);
    alerts(state, frame, alerts_area, hits);
    if let Some(area) = detail {
        self::detail(state, frame, area);
    }
}

fn focus_block(theme: &Theme, title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        theme.style(Role::BorderFocus)
    } else {
        theme.style(Role::Border)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

fn counts_spans(theme: &Theme, counts: &[usize; 5]) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for s in Severity::ALL {
        let n = counts[s.index()];
        if n > 0 {
            let letter = match s {
                Severity::Critical => "c",
                Severity::Error => "e",
                Severity::Warning => "w",
                Severity::Info => "i",
                Severity::None => " other",
            };
            spans.push(Span::styled(
                format!("{n}{letter} "),
                severity_style(theme, s),
            ));
        }
    }
    spans
}

fn teams(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let theme = &state.theme;
    let active: usize = state
        .alerts
        .groups
        .iter()
        .map(|g| g.counts.iter().sum::<usize>())
        .sum();
    let silenced: usize = state.alerts.groups.iter().map(|g| g.silenced).sum();
    let inhibited: usize = state.alerts.groups.iter().map(|g| g.inhibited).sum();
    let room = usize::from(area.width.saturating_sub(2));
    let n = state.alerts.groups.len();
    // The name column: the longest name, or what the list leaves it.
    let name_width = state
        .alerts
        .groups
        .iter()
        .map(|g| cells(&clean(&g.team)))
        .max()
        .unwrap_or(0)
        .clamp(
            4,
            usize::from(area.width)
                .saturating_sub(crate::ui::layout::TEAM_LIST_EXTRA)
                .max(4),
        );
    let visible = usize::from(area.height.saturating_sub(2)).max(1);
    let start = window_start(state.alerts.team.min(n.saturating_sub(1)), visible);
    let scroll = rows_shown(start, visible, n);
    let title = if silenced + inhibited == 0 {
        format!(" Teams ({n}) · {} ", plural(active, "alert"))
    } else {
        // The longest form that fits, down to "11 +2s +1inh".
        let words = suppressed_counts(silenced, inhibited, false);
        let short = suppressed_counts(silenced, inhibited, true);
        [
            format!(" Teams ({n}) · {} {words} ", plural(active, "alert")),
            format!(" Teams ({n}) · {active} {words} "),
            format!(" Teams ({n}) · {active} {short} "),
        ]
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or_else(|| format!(" Teams ({n}) "))
    };
    // The scroll position when the list does not fit, in place of the
    // counts if both do not.
    let title = match scroll {
        Some(rows) if cells(&title) + cells(&rows) + 2 <= room => format!("{title}· {rows} "),
        Some(rows) => format!(" Teams ({n}) · {rows} "),
        None => title,
    };
    let items: Vec<ListItem> = state
        .alerts
        .groups
        .iter()
        .map(|g| {
            let name = fit(&clean(&g.team), name_width);
            let pad = name_width.saturating_sub(cells(&name));
            let mut spans = vec![Span::styled(
                format!("{name}{:pad$} ", ""),
                theme.style(Role::Emphasis),
            )];
            spans.extend(counts_spans(theme, &g.counts));
            // The words when they fit the row, else "+1s +1inh".
            let used: usize = spans
                .iter()
                .map(|s| s.content.chars().count())
                .sum::<usize>()
                + 2;
            let stale = state
                .team_stale_since(g)
                .map(|t| format!(" stale {}", age(state.now, t)));
            let stale_len = stale.as_ref().map_or(0, |s| s.chars().count());
            let mut suppressed = suppressed_counts(g.silenced, g.inhibited, false);
            if used + suppressed.chars().count() + stale_len > room {
                suppressed = suppressed_counts(g.silenced, g.inhibited, true);
            }
            if !suppressed.is_empty() {
                spans.push(Span::styled(suppressed, theme.style(Role::Dim)));
            }
            if let Some(stale) = stale {
                // Its data stopped coming: the whole row is dimmed, and
                // says so when there is room (the alert rows always do).
                let used: usize = spans
                    .iter()
                    .map(|s| s.content.chars().count())
                    .sum::<usize>()
                    + 2;
                let stale = if used + stale_len <= room {
                    stale
                } else {
                    " stale".into()
                };
                if used + stale.chars().count() <= room {
                    spans.push(Span::styled(stale, theme.style(Role::Warning)));
                }
                return ListItem::new(Line::from(spans)).style(theme.style(Role::Dim));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let focused = state.alerts.focus == Focus::Teams && state.overlays.is_empty();
    let list = List::new(items)
        .block(focus_block(theme, title.clone(), focused))
        .highlight_symbol("▶ ")
        .highlight_style(theme.style(Role::Selected));
    let mut ls = ListState::default();
    if !state.alerts.groups.is_empty() {
        ls.select(Some(state.alerts.team));
    }
    if state.alerts.groups.is_empty() {
        let msg = if state.alerts.all.is_empty() {
            state
                .alerts_unavailable()
                .map(|why| clean(&why).into_owned())
                .unwrap_or_else(|| "no alerts firing".into())
        } else {
            "no alerts match the filter".into()
        };
        frame.render_widget(
            Paragraph::new(msg)
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(focus_block(theme, title, focused)),
            area,
        );
        return;
    }
    frame.render_stateful_widget(list, area, &mut ls);
    crate::ui::record(hits, HitTarget::Teams, area, 0, ls.offset());
}

fn state_style(theme: &Theme, s: AlertState) -> Style {
    theme.style(match s {
        AlertState::Firing => Role::Firing,
        AlertState::Pending => Role::Pending,
        AlertState::Silenced | AlertState::Inhibited => Role::Silenced,
    })
}

fn alerts(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let theme = &state.theme;
    let focused = state.alerts.focus == Focus::Alerts && state.overlays.is_empty();
    let Some(group) = state.selected_group() else {
        frame.render_widget(
            Paragraph::new("").block(focus_block(theme, " Alerts ".into(), focused)),
            area,
        );
        return;
    };
    let active: usize = group.counts.iter().sum();
    let mut title = format!(" {} — {}", clean(&group.team), plural(active, "alert"));
    let suppressed = suppressed_counts(group.silenced, group.inhibited, false);
    if !suppressed.is_empty() {
        title.push(' ');
        title.push_str(&suppressed);
        if group.hidden > 0 {
            title.push_str(" hidden (s shows)");
        }
    }
    title.push(' ');
    // Only the rows that can be visible are built: a window around the
    // selection as tall as the area.
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let selected = state.alerts.alert.min(group.total().saturating_sub(1));
    let start = window_start(selected, visible);
    // The scroll position when the rows do not fit; the counts give way
    // to it when both do not ("of 40" says how many).
    if let Some(rows) = rows_shown(start, visible, group.alerts.len()) {
        let room = usize::from(area.width.saturating_sub(4));
        title = if cells(&title) + cells(&rows) + 2 <= room {
            format!("{title}· {rows} ")
        } else {
            let team = fit(&clean(&group.team), room.saturating_sub(cells(&rows) + 5));
            format!(" {team} · {rows} ")
        };
    }
    // The name column fits the longest visible name, up to 60% of the width.
    let longest = group
        .alerts
        .iter()
        .skip(start)
        .take(visible)
        .map(|&i| cells(&clean(state.alerts.all[i].name())))
        .max()
        .unwrap_or(5);
    // At most 55% of the width, and never so wide that the fixed columns
    // (and their gaps) would be squeezed and cut.
    let most =
        (area.width.saturating_mul(11) / 20).min(area.width.saturating_sub(2 + 4 + 9 + 4 + 4));
    let name_width = u16::try_from(longest)
        .unwrap_or(u16::MAX)
        .clamp(5, most.max(5));
    // Inside the borders: three fixed columns, the name, four gaps.
    let summary_width = usize::from(area.width.saturating_sub(2 + 4 + 9 + 4 + 4 + name_width));
    let widths = (usize::from(name_width), summary_width);
    let rows: Vec<Row> = group
        .alerts
        .iter()
        .skip(start)
        .take(visible)
        .map(|&i| alert_row(state, &state.alerts.all[i], widths))
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(4),
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Length(name_width),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(["SEV", "STATE", "AGE", "ALERT", "SUMMARY"]).style(theme.style(Role::TableHeader)),
    )
    .block(focus_block(theme, title, focused))
    .row_highlight_style(if focused {
        theme.style(Role::Selected)
    } else {
        theme.style(Role::SelectedUnfocused)
    });
    let mut ts = TableState::default();
    ts.select(Some(selected - start));
    frame.render_stateful_widget(table, area, &mut ts);
    // The rows built are the window from `start`; the table scrolls no more.
    crate::ui::record(hits, HitTarget::Alerts, area, 1, start + ts.offset());
}

/// One alert's row; the name and summary are cut to `widths` with "…".
fn alert_row<'a>(state: &State, a: &'a Alert, widths: (usize, usize)) -> Row<'a> {
    let theme = &state.theme;
    let stale = if state.any_source_failing() {
        state.stale_since(a)
    } else {
        None
    };
    let summary = match stale {
        Some(t) => format!("stale {} · {}", age(state.now, t), clean(a.summary())),
        None => clean(a.summary()).into_owned(),
    };
    let row = Row::new(vec![
        Cell::from(severity_tag(a.severity)).style(severity_style(theme, a.severity)),
        Cell::from(if a.is_silenced() && a.is_inhibited() {
            "sil+inh"
        } else {
            a.state.as_str()
        })
        .style(state_style(theme, a.state)),
        Cell::from(age(state.now, a.starts_at)),
        Cell::from(fit(&clean(a.name()), widths.0)),
        Cell::from(fit(&summary, widths.1)),
    ]);
    if stale.is_some() {
        row.style(theme.style(Role::Dim))
    } else {
        row
    }
}

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

fn detail(state: &State, frame: &mut Frame, area: Rect) {
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
