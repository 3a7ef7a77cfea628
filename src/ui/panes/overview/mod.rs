//! The overview, opsdeck's start screen: alerts per team, release progress
//! and deploy sync at a glance — side by side on wide terminals, stacked on
//! narrow ones. Each line carries the thing it lists ([`lines`]); the
//! overview's cursor walks those (`app::panes::overview`), and the row
//! under it is drawn in the selection style.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::alerts::model::{AlertState, Severity};
use crate::app::keymap::{Command, Context};
use crate::app::panes::overview::state::Item;
use crate::app::state::{HitList, HitMap, HitTarget, State};
use crate::ui::text::{age, clean};
use crate::ui::theme::Role;

/// Wide enough for three columns.
const SIDE_BY_SIDE: u16 = 150;

mod sections;
use sections::{deploy, release};

/// A column's frame, titled with the key of the view it summarises (from
/// the live keymap, so a remapped key shows as it is).
fn block(state: &State, title: &str, view: Command) -> Block<'static> {
    let mut spans = Vec::with_capacity(2);
    let title = match state.keymap.key_for(Context::Global, view) {
        Some(key) => {
            spans.push(Span::styled(
                format!(" {key} "),
                state.theme.style(Role::Key),
            ));
            format!("{title} ")
        }
        None => format!(" {title} "),
    };
    spans.push(Span::styled(title, state.theme.style(Role::Title)));
    Block::default()
        .borders(Borders::ALL)
        .border_style(state.theme.style(Role::Border))
        .title(Line::from(spans))
}

/// One of the three summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pane {
    Alerts,
    Release,
    Deploy,
}

/// One section's lines and, beside each, the thing it lists (a
/// selectable row) or `None` (headings, counts, `+N more`).
#[derive(Default)]
struct Rows {
    lines: Vec<Line<'static>>,
    items: Vec<Option<Item>>,
}

impl Rows {
    /// A section of one line.
    fn one(line: Line<'static>) -> Rows {
        let mut rows = Rows::default();
        rows.push(line);
        rows
    }

    /// A line that lists nothing.
    fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
        self.items.push(None);
    }

    /// A selectable row.
    fn item(&mut self, line: Line<'static>, item: Item) {
        self.lines.push(line);
        self.items.push(Some(item));
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    /// Keeps the lines that fit in `height` rows.
    fn truncate(&mut self, height: usize) {
        self.lines.truncate(height);
        self.items.truncate(height);
    }
}

/// One summary as drawn: where, and its lines.
struct Section {
    pane: Pane,
    rect: Rect,
    rows: Rows,
}

/// The overview's layout in `area`: the configured summaries with their
/// lines (cut to what fits), the bottom strip and the ones not configured.
fn sections(state: &State, area: Rect) -> (Vec<Section>, Rect, Vec<Pane>) {
    let panes = [
        (Pane::Alerts, true),
        (Pane::Release, state.release.configured),
        (Pane::Deploy, state.deploy.configured),
    ];
    let shown: Vec<Pane> = panes.iter().filter(|(_, c)| *c).map(|(p, _)| *p).collect();
    let missing: Vec<Pane> = panes.iter().filter(|(_, c)| !*c).map(|(p, _)| *p).collect();
    let notes = u16::try_from(missing.len())
        .unwrap_or(0)
        .min(area.height / 2);
    let [main, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(notes)]).areas(area);
    let n = u32::try_from(shown.len().max(1)).unwrap_or(1);
    let areas: Vec<Rect> = if main.width >= SIDE_BY_SIDE {
        Layout::horizontal(vec![Constraint::Ratio(1, n); shown.len()])
            .split(main)
            .to_vec()
    } else {
        // The alerts get the larger share: they are what on-call reads.
        let weights: Vec<Constraint> = shown
            .iter()
            .map(|p| match p {
                Pane::Alerts => Constraint::Fill(4),
                _ => Constraint::Fill(3),
            })
            .collect();
        Layout::vertical(weights).split(main).to_vec()
    };
    let sections = shown
        .iter()
        .zip(areas)
        .map(|(&pane, rect)| {
            let height = usize::from(rect.height.saturating_sub(2));
            let width = usize::from(rect.width.saturating_sub(2));
            let mut rows = match pane {
                Pane::Alerts => alerts(state, height, width),
                Pane::Release => release(state, height, width),
                Pane::Deploy => deploy(state, height, width),
            };
            rows.truncate(height);
            Section { pane, rect, rows }
        })
        .collect();
    (sections, bottom, missing)
}

/// Every line the overview draws in `area`, its sections in screen order
/// (alerts, release, deploy; top to bottom in each), with the thing each
/// lists. The overview's cursor walks the `Some`s; clicks index it.
pub fn lines(state: &State, area: Rect) -> Vec<Option<Item>> {
    let (sections, _, _) = sections(state, area);
    sections.into_iter().flat_map(|s| s.rows.items).collect()
}

/// Draws the overview into `area`: the configured summaries share the
/// space (side by side when wide, stacked otherwise); one that is not
/// configured is a single line at the bottom, not a third of the screen.
/// The row under the cursor is highlighted; each section's lines are
/// recorded in `hits` (numbered across the sections, as [`lines`] does).
pub fn render(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let (sections, bottom, missing) = sections(state, area);
    let chosen = {
        let rows: Vec<Item> = sections
            .iter()
            .flat_map(|s| s.rows.items.iter().flatten().cloned())
            .collect();
        state.overview.position(&rows).map(|i| rows[i].clone())
    };
    let mut first = 0;
    for Section { pane, rect, rows } in sections {
        let (title, view) = match pane {
            Pane::Alerts => ("Alerts by team", Command::ViewAlerts),
            Pane::Release => ("Release", Command::ViewRelease),
            Pane::Deploy => ("Deploy sync", Command::ViewDeploy),
        };
        let count = rows.len();
        let at = rows
            .items
            .iter()
            .position(|i| i.is_some() && i.as_ref() == chosen.as_ref());
        frame.render_widget(
            Paragraph::new(rows.lines).block(block(state, title, view)),
            rect,
        );
        let inner = Rect::new(
            rect.x.saturating_add(1),
            rect.y.saturating_add(1),
            rect.width.saturating_sub(2),
            rect.height.saturating_sub(2),
        );
        if let Some(at) = at.and_then(|a| u16::try_from(a).ok()) {
            let row = Rect::new(inner.x, inner.y.saturating_add(at), inner.width, 1);
            frame
                .buffer_mut()
                .set_style(row.intersection(inner), state.theme.style(Role::Selected));
        }
        let height = u16::try_from(count).unwrap_or(u16::MAX).min(inner.height);
        hits.lists.push(HitList {
            target: HitTarget::Overview,
            rows: (inner.x, inner.y, inner.width, height),
            first,
        });
        first += count;
    }
    let notes = usize::from(bottom.height);
    let t = &state.theme;
    for (k, pane) in missing.iter().enumerate().take(notes) {
        let (name, section, view) = match pane {
            Pane::Release => ("Release", "[release]", Command::ViewRelease),
            Pane::Deploy => ("Deploy sync", "[deploy]", Command::ViewDeploy),
            Pane::Alerts => continue,
        };
        let key = state
            .keymap
            .key_for(Context::Global, view)
            .map_or(String::new(), |k| format!("{k} "));
        let line = Line::from(vec![
            Span::styled(format!(" {key}"), t.style(Role::Key)),
            Span::styled(format!("{name} "), t.style(Role::Title)),
            Span::styled(
                format!("not configured — add {section} to the config (README: Configuration)"),
                t.style(Role::Muted),
            ),
        ]);
        let y = bottom.y + u16::try_from(k).unwrap_or(0);
        frame.render_widget(
            Paragraph::new(line),
            Rect::new(bottom.x, y, bottom.width, 1),
        );
    }
}

/// `+N more` in the muted style.
fn more(state: &State, n: usize, what: &str) -> Line<'static> {
    Line::styled(format!("+{n} more {what}"), state.theme.style(Role::Dim))
}

fn alerts(state: &State, rows: usize, width: usize) -> Rows {
    let t = &state.theme;
    if state.alerts.teams().is_empty() {
        let text = state
            .alerts_unavailable()
            .map(|why| clean(&why).into_owned())
            .unwrap_or_else(|| "no alerts firing".into());
        return Rows::one(Line::styled(text, t.style(Role::Muted)));
    }
    let mut lines = Rows::default();
    // A degraded source says what it could not read (the log has each).
    for src in state.sources.iter().filter(|s| !s.skipped.is_empty()) {
        let text = format!(
            "⚠ {}: {} — {}",
            clean(&src.name),
            crate::alerts::model::skipped_summary(&src.skipped),
            clean(&src.skipped[0].detail)
        );
        for part in crate::ui::text::wrap(&text, width.max(10)) {
            lines.push(Line::styled(part, t.style(Role::Warning)));
        }
    }
    let skipped = &state.alerts.history.skipped;
    if let Some(first) = skipped.first() {
        let text = format!(
            "⚠ history: {} series not understood — {}",
            skipped.len(),
            clean(&first.detail)
        );
        for part in crate::ui::text::wrap(&text, width.max(10)) {
            lines.push(Line::styled(part, t.style(Role::Warning)));
        }
    }
    // The most severe, newest alerts across every team: what on-call reads
    // first. At most a third of the rows, so the teams stay in view.
    let mut shown: Vec<&crate::alerts::model::Alert> = state
        .alerts
        .groups
        .iter()
        .flat_map(|g| g.alerts.iter().filter_map(|&i| state.alerts.all.get(i)))
        .filter(|a| a.state == AlertState::Firing)
        .collect();
    shown.sort_by_key(|a| (a.severity.index(), std::cmp::Reverse(a.starts_at)));
    // A third of the rows at least; more where the teams leave room, so
    // the pane is filled on a tall terminal.
    let free = rows.saturating_sub(lines.len());
    let teams_need = state.alerts.teams().len() + 2;
    let top = (free / 3).max(free.saturating_sub(teams_need)).max(1);
    let team_w = state
        .alerts
        .groups
        .iter()
        .map(|g| g.key.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, (width / 3).max(6));
    for a in shown.iter().take(top) {
        let sev = match a.severity {
            Severity::Critical => "CRIT",
            Severity::Error => "ERR ",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
            Severity::None => "    ",
        };
        let when = format!(" {}", age(state.now, a.starts_at));
        let room = width.saturating_sub(5 + team_w + 1 + when.chars().count());
        lines.item(
            Line::from(vec![
                Span::styled(format!("{sev} "), t.severity(a.severity)),
                Span::styled(
                    format!(
                        "{:<team_w$} ",
                        crate::ui::text::fit(&clean(&a.team), team_w)
                    ),
                    t.style(Role::Muted),
                ),
                Span::styled(
                    format!("{:<room$}", crate::ui::text::fit(&clean(a.name()), room)),
                    t.style(Role::Text),
                ),
                Span::styled(when, t.style(Role::Muted)),
            ]),
            Item::Alert(a.fingerprint.clone()),
        );
    }
    if shown.len() > top {
        lines.push(more(state, shown.len() - top, "firing"));
    }
    let groups = &state.alerts.teams();
    let room = rows.saturating_sub(lines.len() + 1);
    let fits = if groups.len() > room {
        room.saturating_sub(1)
    } else {
        groups.len()
    };
    let history = &state.alerts.history;
    let spark = if !history.teams.is_empty() && width >= team_w + 40 {
        8
    } else {
        0
    };
    lines.push(Line::styled(
        teams_title(state, spark > 0),
        t.style(Role::Title),
    ));
    for g in groups.iter().take(fits) {
        let mut spans = vec![Span::styled(
            format!("{:<team_w$} ", crate::ui::text::fit(&clean(&g.key), team_w)),
            t.style(Role::Text),
        )];
        if spark > 0 {
            // How many of its alerts fired, over the history's window.
            let line = history.team(&g.key).map_or_else(
                || " ".repeat(spark),
                |c| crate::alerts::history::count_sparkline(c, spark),
            );
            spans.push(Span::styled(format!("{line} "), t.style(Role::Firing)));
        }
        for s in Severity::ALL {
            let n = g.counts[s.index()];
            if n > 0 {
                spans.push(Span::styled(format!("{n} {} ", s.as_str()), t.severity(s)));
            }
        }
        let suppressed = crate::ui::text::suppressed_counts(g.silenced, g.inhibited, false);
        if !suppressed.is_empty() {
            spans.push(Span::styled(suppressed, t.style(Role::Dim)));
        }
        if let Some(since) = state.team_stale_since(g) {
            spans.push(Span::styled(
                format!(" stale {}", crate::ui::text::age(state.now, since)),
                t.style(Role::Warning),
            ));
        }
        lines.item(Line::from(spans), Item::Team(g.key.clone()));
    }
    if groups.len() > fits {
        lines.push(more(state, groups.len() - fits, "teams"));
    }
    lines
}

/// "teams", with what the sparklines show and how many alerts started
/// firing since the alerts view was last left.
fn teams_title(state: &State, spark: bool) -> String {
    let mut title = "teams".to_string();
    if let (true, Some(secs)) = (spark, state.alerts.history.window_secs()) {
        title.push_str(&format!(" · firing over {}", crate::ui::text::window(secs)));
    }
    let looked = crate::app::panes::alerts::history::Looked {
        since: state.alerts.looked.left,
        left: None,
    };
    let new = state.alerts.all.iter().filter(|a| looked.is_new(a)).count();
    if new > 0 {
        title.push_str(&format!(" · {new} new since you last looked"));
    }
    title
}
