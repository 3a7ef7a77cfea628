//! The overview, opsdeck's start screen: alerts per team, release progress
//! and deploy sync at a glance — side by side on wide terminals, stacked on
//! narrow ones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::alerts::model::{AlertState, Severity};
use crate::app::keymap::{Command, Context};
use crate::app::state::State;
use crate::deploy::sync::SyncState;
use crate::ui::text::{age, clean};
use crate::ui::theme::Role;

/// Wide enough for three columns.
const SIDE_BY_SIDE: u16 = 150;

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

/// Draws the overview into `area`: the configured summaries share the
/// space (side by side when wide, stacked otherwise); one that is not
/// configured is a single line at the bottom, not a third of the screen.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
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
    for (pane, rect) in shown.iter().zip(areas) {
        let rows = usize::from(rect.height.saturating_sub(2));
        let width = usize::from(rect.width.saturating_sub(2));
        let (lines, title, view) = match pane {
            Pane::Alerts => (
                alerts(state, rows, width),
                "Alerts by team",
                Command::ViewAlerts,
            ),
            Pane::Release => (release(state, rows, width), "Release", Command::ViewRelease),
            Pane::Deploy => (
                deploy(state, rows, width),
                "Deploy sync",
                Command::ViewDeploy,
            ),
        };
        frame.render_widget(Paragraph::new(lines).block(block(state, title, view)), rect);
    }
    let t = &state.theme;
    for (k, pane) in missing.iter().enumerate().take(usize::from(notes)) {
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

fn alerts(state: &State, rows: usize, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    if state.alerts.teams().is_empty() {
        let text = state
            .alerts_unavailable()
            .map(|why| clean(&why).into_owned())
            .unwrap_or_else(|| "no alerts firing".into());
        return vec![Line::styled(text, t.style(Role::Muted))];
    }
    let mut lines = Vec::new();
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
        lines.push(Line::from(vec![
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
        ]));
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
    lines.push(Line::styled("teams".to_string(), t.style(Role::Title)));
    for g in groups.iter().take(fits) {
        let mut spans = vec![Span::styled(
            format!("{:<team_w$} ", crate::ui::text::fit(&clean(&g.key), team_w)),
            t.style(Role::Text),
        )];
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
        lines.push(Line::from(spans));
    }
    if groups.len() > fits {
        lines.push(more(state, groups.len() - fits, "teams"));
    }
    lines
}

fn release(state: &State, rows: usize, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let r = &state.release;
    let Some(doc) = &r.doc else {
        return vec![Line::styled("loading…", t.style(Role::Muted))];
    };
    let (done, total) = doc.checklist.progress();
    let mut lines = vec![
        Line::styled(
            crate::ui::text::fit(&clean(&doc.title), width),
            t.style(Role::Title),
        ),
        Line::from(vec![
            Span::styled(
                crate::ui::release_bar(done, total, 24),
                t.style(Role::Progress),
            ),
            Span::styled(format!(" {done}/{total}"), t.style(Role::Text)),
        ]),
    ];
    if let Some(b) = doc.blockers {
        let role = if b > 0 { Role::Bad } else { Role::Ok };
        lines.push(Line::styled(
            format!("{b} open blocker{}", crate::core::words::s(b)),
            t.style(role),
        ));
        // The blockers themselves, oldest first, as many as fit in a third.
        let list = doc.blocker_issues.as_deref().unwrap_or(&[]);
        let room = (rows.saturating_sub(lines.len()) / 3).min(list.len());
        for bl in list.iter().take(room) {
            let text = format!("  #{} {}", bl.number, clean(&bl.title));
            lines.push(Line::styled(
                crate::ui::text::fit(&text, width),
                t.style(Role::Muted),
            ));
        }
        if b > room && room > 0 {
            lines.push(more(state, b - room, "blockers (b in the release view)"));
        }
    }
    let open: Vec<&crate::release::tasklist::Step> =
        doc.checklist.steps.iter().filter(|s| !s.done).collect();
    if open.is_empty() {
        lines.push(Line::styled("every step is done", t.style(Role::Ok)));
        return lines;
    }
    if rows.saturating_sub(lines.len()) <= 2 {
        // Room for one line: the next step, with how many follow.
        let rest = if open.len() > 1 {
            format!(" (+{} more)", open.len() - 1)
        } else {
            String::new()
        };
        let text = format!("next: {}", clean(&open[0].text));
        let room = width.saturating_sub(rest.chars().count());
        lines.push(Line::from(vec![
            Span::styled(crate::ui::text::fit(&text, room), t.style(Role::Text)),
            Span::styled(rest, t.style(Role::Dim)),
        ]));
        return lines;
    }
    lines.push(Line::styled("next steps".to_string(), t.style(Role::Title)));
    let room = rows.saturating_sub(lines.len());
    let fits = if open.len() > room {
        room.saturating_sub(1)
    } else {
        open.len()
    };
    for step in open.iter().take(fits) {
        let indent = "  ".repeat(step.depth);
        let text = format!("[ ] {indent}{}", clean(&step.text));
        lines.push(Line::styled(
            crate::ui::text::fit(&text, width),
            t.style(Role::Text),
        ));
    }
    if open.len() > fits {
        lines.push(more(state, open.len() - fits, "open steps"));
    }
    lines
}

fn deploy(state: &State, rows: usize, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    let d = &state.deploy;
    let Some(snap) = &d.snapshot else {
        return vec![Line::styled("scanning…", t.style(Role::Muted))];
    };
    let count = |s: SyncState| snap.images.iter().filter(|i| i.sync == s).count();
    let mut counts: Vec<(String, Role)> = vec![(
        format!("{} out of sync", count(SyncState::OutOfSync)),
        Role::Attention,
    )];
    // The states that are often none are named only when there are some.
    let moved = count(SyncState::ChannelMoved);
    if moved > 0 {
        counts.push((format!("{moved} channel moved"), Role::Attention));
    }
    let drift = count(SyncState::Drift);
    if drift > 0 {
        counts.push((format!("{drift} drift"), Role::Urgent));
    }
    counts.push((format!("{} unknown", count(SyncState::Unknown)), Role::Bad));
    counts.push((format!("{} synced", count(SyncState::Synced)), Role::Ok));
    if !snap.untracked.is_empty() {
        counts.push((
            format!("{} untracked", snap.untracked.len()),
            Role::Attention,
        ));
    }
    // Whole counts per line: a count and its words never wrap apart.
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (text, role) in counts {
        let w = text.chars().count() + if line.is_empty() { 0 } else { 3 };
        if !line.is_empty() && used + w > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if !line.is_empty() {
            line.push(Span::styled(" · ", t.style(Role::Muted)));
        }
        used += text.chars().count() + if line.is_empty() { 0 } else { 3 };
        line.push(Span::styled(text, t.style(role)));
    }
    lines.push(Line::from(line));
    // Worst first: the images are sorted that way.
    let behind: Vec<&crate::deploy::sync::ImageStatus> = snap
        .images
        .iter()
        .filter(|i| i.sync != SyncState::Synced)
        .collect();
    // One name column for every image listed, out of sync or not.
    let name_w = snap
        .images
        .iter()
        .map(|i| i.repository.chars().count())
        .max()
        .unwrap_or(0)
        .min((width / 2).max(10));
    let room = rows.saturating_sub(lines.len());
    let fits = if behind.len() > room {
        room.saturating_sub(1)
    } else {
        behind.len()
    };
    for i in behind.iter().take(fits) {
        let reason = clean(i.reason.as_deref().unwrap_or("")).into_owned();
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:<name_w$} ",
                    crate::ui::text::fit(&clean(&i.repository), name_w)
                ),
                t.style(Role::Text),
            ),
            Span::styled(
                crate::ui::text::fit(&reason, width.saturating_sub(name_w + 1)),
                t.style(Role::Muted),
            ),
        ]));
    }
    if behind.len() > fits {
        lines.push(more(state, behind.len() - fits, "images"));
    }
    // Room left: the synced images too, muted, so the pane shows them all.
    let synced: Vec<&crate::deploy::sync::ImageStatus> = snap
        .images
        .iter()
        .filter(|i| i.sync == SyncState::Synced)
        .collect();
    let room = rows.saturating_sub(lines.len());
    if behind.len() == fits && !synced.is_empty() && room > 0 {
        let fits = if synced.len() > room {
            room.saturating_sub(1)
        } else {
            synced.len()
        };
        let w = name_w;
        for i in synced.iter().take(fits) {
            let tag = i.pinned_tag.as_deref().unwrap_or("");
            lines.push(Line::styled(
                format!(
                    "{:<w$} synced {}",
                    crate::ui::text::fit(&clean(&i.repository), w),
                    clean(tag)
                ),
                t.style(Role::Dim),
            ));
        }
        if synced.len() > fits {
            lines.push(more(state, synced.len() - fits, "synced"));
        }
    }
    lines
}
