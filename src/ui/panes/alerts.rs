//! The alerts view: teams on the left, the selected team's alerts on the
//! right, and the selected alert's detail below when open.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, List, ListItem, ListState, Paragraph, Row, Table, TableState,
};

use crate::alerts::arrange::{GroupBy, SortBy};
use crate::alerts::grouping::Group;
use crate::alerts::history::sparkline;
use crate::alerts::model::{Alert, Severity};
use crate::app::state::{Focus, HitMap, HitTarget, State};
use crate::ui::chrome::{severity_style, severity_tag, state_style};
use crate::ui::text::{
    age, cells, clean, fit, plural, rows_shown, suppressed_counts, window_start,
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
    // What stopped firing lately, under the lists.
    let section = super::alerts_resolved::section_height(state, top.height);
    let (top, resolved) = if section > 0 {
        let [top, bottom] =
            Layout::vertical([Constraint::Min(8), Constraint::Length(section)]).areas(top);
        (top, Some(bottom))
    } else {
        (top, None)
    };
    if let Some(area) = resolved {
        super::alerts_resolved::render_section(state, frame, area);
    }
    if state.alerts.list_hidden() {
        // Collapsed or flat: the alerts take the whole width.
        alerts(state, frame, top, hits);
    } else {
        let longest = state
            .alerts
            .groups
            .iter()
            .map(|g| cells(&clean(&g.key)))
            .max()
            .unwrap_or(0);
        let spark = if state.alerts.history.teams.is_empty() {
            0
        } else {
            TEAM_SPARK + 1
        };
        let team_width = crate::ui::layout::team_list_width(longest + spark, area.width);
        let [teams_area, alerts_area] =
            Layout::horizontal([Constraint::Length(team_width), Constraint::Min(20)]).areas(top);
        teams(state, frame, teams_area, hits);
        alerts(state, frame, alerts_area, hits);
    }
    if let Some(area) = detail {
        super::alert_detail::render(state, frame, area);
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

/// How wide [`counts_spans`] draws `counts`, without drawing them.
fn counts_width(counts: &[usize; 5]) -> usize {
    Severity::ALL
        .iter()
        .filter_map(|s| {
            let n = counts[s.index()];
            let digits = n.checked_ilog10().map_or(1, |d| d as usize + 1);
            let letter = if *s == Severity::None { 6 } else { 1 };
            (n > 0).then_some(digits + letter + 1)
        })
        .sum()
}

/// The cells of a team's sparkline in the team list.
const TEAM_SPARK: usize = 8;

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
        .map(|g| cells(&clean(&g.key)))
        .max()
        .unwrap_or(0)
        .clamp(
            4,
            usize::from(area.width)
                .saturating_sub(crate::ui::layout::TEAM_LIST_EXTRA)
                .max(4),
        );
    // Each team's firing alerts over the window, where the names leave room.
    // The severity counts are never cut for it.
    let counts = state
        .alerts
        .groups
        .iter()
        .map(|g| counts_width(&g.counts))
        .max()
        .unwrap_or(0);
    let spark = if state.alerts.history.teams.is_empty()
        || room < 2 + name_width + 1 + TEAM_SPARK + 1 + counts
    {
        0
    } else {
        TEAM_SPARK
    };
    let visible = usize::from(area.height.saturating_sub(2)).max(1);
    let start = window_start(state.alerts.team.min(n.saturating_sub(1)), visible);
    let scroll = rows_shown(start, visible, n);
    let groups = state.alerts.arrange.group.plural();
    let title = if silenced + inhibited == 0 {
        format!(" {groups} ({n}) · {} ", plural(active, "alert"))
    } else {
        // The longest form that fits, down to "11 +2s +1inh".
        let words = suppressed_counts(silenced, inhibited, false);
        let short = suppressed_counts(silenced, inhibited, true);
        [
            format!(" {groups} ({n}) · {} {words} ", plural(active, "alert")),
            format!(" {groups} ({n}) · {active} {words} "),
            format!(" {groups} ({n}) · {active} {short} "),
        ]
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or_else(|| format!(" {groups} ({n}) "))
    };
    // The scroll position when the list does not fit, in place of the
    // counts if both do not.
    let title = match scroll {
        Some(rows) if cells(&title) + cells(&rows) + 2 <= room => format!("{title}· {rows} "),
        Some(rows) => format!(" {groups} ({n}) · {rows} "),
        None => title,
    };
    // Only the rows on screen are built (a fleet has thousands of teams).
    let shown = &state.alerts.groups[start.min(n)..(start + visible).min(n)];
    let items: Vec<ListItem> = shown
        .iter()
        .map(|g| {
            let name = fit(&clean(&g.key), name_width);
            let pad = name_width.saturating_sub(cells(&name));
            let mut spans = vec![Span::styled(
                format!("{name}{:pad$} ", ""),
                theme.style(Role::Emphasis),
            )];
            if spark > 0 {
                let line = state.alerts.history.team(&g.key).map_or_else(
                    || " ".repeat(spark),
                    |c| crate::alerts::history::count_sparkline(c, spark),
                );
                spans.push(Span::styled(format!("{line} "), theme.style(Role::Firing)));
            }
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
        ls.select(Some(state.alerts.team.saturating_sub(start)));
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
    crate::ui::record(hits, HitTarget::Teams, area, 0, start + ls.offset());
}

/// The alert table's title: the group (and where it is in the list when
/// that is hidden), its counts, the marks and a sort that is not the
/// default.
fn table_title(state: &State, group: &Group) -> String {
    let pane = &state.alerts;
    let flat = pane.arrange.group == GroupBy::Flat;
    let name = if flat {
        "All alerts".to_string()
    } else if pane.collapsed && pane.groups.len() > 1 {
        format!(
            "{} ({} of {})",
            clean(&group.key),
            pane.team + 1,
            pane.groups.len()
        )
    } else {
        clean(&group.key).into_owned()
    };
    let active: usize = group.counts.iter().sum();
    let mut title = format!(" {name} — {}", plural(active, "alert"));
    let suppressed = suppressed_counts(group.silenced, group.inhibited, false);
    if !suppressed.is_empty() {
        title.push(' ');
        title.push_str(&suppressed);
        if group.hidden > 0 {
            title.push_str(" hidden (s shows)");
        }
    }
    let new = group
        .alerts
        .iter()
        .filter(|&&i| pane.looked.is_new(&pane.all[i]))
        .count();
    if new > 0 {
        title.push_str(&format!(" · {new} new"));
    }
    if !pane.marks.is_empty() {
        title.push_str(&format!(" · {} marked", pane.marks.len()));
    }
    if flat || pane.arrange.sort != SortBy::Severity {
        title.push_str(&format!(" · by {}", pane.arrange.sort));
    }
    title.push(' ');
    title
}

/// The widths of the table's text columns.
struct Widths {
    /// The mark column (0 when nothing is marked).
    mark: u16,
    /// The "new" column (0 when no row started firing since the last look).
    new: u16,
    /// The team column (0 when grouped by team).
    team: u16,
    /// The history sparkline (0 without history or room).
    spark: u16,
    /// The alert name.
    name: u16,
    /// The summary (what is left).
    summary: u16,
}

/// Narrower than this, the summary column is left out.
const MIN_SUMMARY: u16 = 8;

/// Column widths from the visible rows and the area: the name fits the
/// longest visible name (up to 55% of the width), the team column the
/// longest team (up to a fifth), the summary takes the rest; the fixed
/// columns are never squeezed.
fn widths(state: &State, rows: &[usize], width: u16) -> Widths {
    let longest = |f: &dyn Fn(&Alert) -> usize| {
        let n = rows.iter().map(|&i| f(&state.alerts.all[i])).max();
        u16::try_from(n.unwrap_or(0)).unwrap_or(u16::MAX)
    };
    let mark = if state.alerts.marks.is_empty() { 0 } else { 2 };
    let looked = &state.alerts.looked;
    let new = if rows.iter().any(|&i| looked.is_new(&state.alerts.all[i])) {
        4
    } else {
        0
    };
    // The sparkline where it leaves the name 20 cells: 12 wide, or 6.
    let spark = match state.alerts.history.history {
        None => 0,
        Some(_) if width >= 100 => 13,
        Some(_) if width >= 76 => 7,
        Some(_) => 0,
    };
    // Borders, SEV, STATE, AGE and the gaps between the columns.
    let fixed = 2 + 4 + 9 + 4 + 4 + mark + new + spark;
    let team = if state.alerts.arrange.group == GroupBy::Team {
        0
    } else {
        longest(&|a| cells(&clean(&a.team))).clamp(4, (width / 5).max(4)) + 1
    };
    let most = (width.saturating_mul(11) / 20).min(width.saturating_sub(fixed + team));
    let mut name = longest(&|a| cells(&clean(a.name()))).clamp(5, most.max(5));
    let mut summary = width.saturating_sub(fixed + team + name);
    if summary < MIN_SUMMARY {
        // Too narrow to say anything: the name has it instead.
        name += summary;
        summary = 0;
    }
    Widths {
        mark,
        new,
        team,
        spark,
        name,
        summary,
    }
}

fn alerts(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let theme = &state.theme;
    let focused = state.alerts.focus == Focus::Alerts && state.overlays.is_empty();
    let Some(group) = state.selected_group() else {
        let msg = if state.alerts.list_hidden() && !state.alerts.all.is_empty() {
            "no alerts match the filter"
        } else {
            ""
        };
        frame.render_widget(
            Paragraph::new(msg).block(focus_block(theme, " Alerts ".into(), focused)),
            area,
        );
        return;
    };
    let mut title = table_title(state, group);
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
            let team = fit(&clean(&group.key), room.saturating_sub(cells(&rows) + 5));
            format!(" {team} · {rows} ")
        };
    }
    let shown: Vec<usize> = group
        .alerts
        .iter()
        .skip(start)
        .take(visible)
        .copied()
        .collect();
    let w = widths(state, &shown, area.width);
    let rows: Vec<Row> = shown
        .iter()
        .map(|&i| alert_row(state, &state.alerts.all[i], &w))
        .collect();
    let mut columns = Vec::with_capacity(7);
    let mut header = Vec::with_capacity(7);
    if w.mark > 0 {
        columns.push(Constraint::Length(1));
        header.push("");
    }
    if w.new > 0 {
        columns.push(Constraint::Length(3));
        header.push("");
    }
    columns.extend([
        Constraint::Length(4),
        Constraint::Length(9),
        Constraint::Length(4),
    ]);
    header.extend(["SEV", "STATE", "AGE"]);
    let window = history_header(state);
    if w.spark > 0 {
        columns.push(Constraint::Length(w.spark - 1));
        header.push(window.as_str());
    }
    if w.team > 0 {
        columns.push(Constraint::Length(w.team - 1));
        header.push("TEAM");
    }
    if w.summary > 0 {
        columns.extend([Constraint::Length(w.name), Constraint::Fill(1)]);
        header.extend(["ALERT", "SUMMARY"]);
    } else {
        columns.push(Constraint::Fill(1));
        header.push("ALERT");
    }
    let table = Table::new(rows, columns)
        .header(Row::new(header).style(theme.style(Role::TableHeader)))
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

/// The sparkline column's header: the window it covers ("24h", "7d").
fn history_header(state: &State) -> String {
    match &state.alerts.history.history {
        Some(h) => crate::ui::text::window(h.step.as_secs() * h.len as u64),
        None => String::new(),
    }
}

/// One alert's row; the team, name and summary are cut to their widths
/// with "…".
fn alert_row<'a>(state: &State, a: &'a Alert, w: &Widths) -> Row<'a> {
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
    let mut cells_out = Vec::with_capacity(7);
    if w.mark > 0 {
        let mark = if state.alerts.marks.contains(&a.fingerprint) {
            "✓"
        } else {
            " "
        };
        cells_out.push(Cell::from(mark).style(theme.style(Role::Key)));
    }
    if w.new > 0 {
        let new = if state.alerts.looked.is_new(a) {
            "new"
        } else {
            ""
        };
        cells_out.push(Cell::from(new).style(theme.style(Role::Warning)));
    }
    cells_out.extend([
        Cell::from(severity_tag(a.severity)).style(severity_style(theme, a.severity)),
        Cell::from(if a.is_silenced() && a.is_inhibited() {
            "sil+inh"
        } else {
            a.state.as_str()
        })
        .style(state_style(theme, a.state)),
        Cell::from(age(state.now, a.starts_at)),
    ]);
    if w.spark > 0 {
        let cells = usize::from(w.spark - 1);
        let line = state
            .alerts
            .history
            .points(a)
            .map_or_else(|| " ".repeat(cells), |p| sparkline(p, cells));
        cells_out.push(Cell::from(line).style(theme.style(Role::Firing)));
    }
    if w.team > 0 {
        cells_out.push(Cell::from(fit(&clean(&a.team), usize::from(w.team - 1))));
    }
    cells_out.push(Cell::from(fit(&clean(a.name()), usize::from(w.name))));
    if w.summary > 0 {
        cells_out.push(Cell::from(fit(&summary, usize::from(w.summary))));
    }
    let row = Row::new(cells_out);
    if stale.is_some() {
        row.style(theme.style(Role::Dim))
    } else {
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_width_is_what_the_counts_draw() {
        let theme = Theme::default();
        for counts in [
            [0, 0, 0, 0, 0],
            [3, 0, 7, 0, 0],
            [10, 1, 100, 9, 12],
            [0, 0, 0, 0, 1],
        ] {
            let drawn: usize = counts_spans(&theme, &counts)
                .iter()
                .map(|s| s.content.chars().count())
                .sum();
            assert_eq!(counts_width(&counts), drawn, "{counts:?}");
        }
    }
}
