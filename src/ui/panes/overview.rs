//! The overview, opsdeck's start screen: alerts per team, release progress
//! and deploy sync at a glance — side by side on wide terminals, stacked on
//! narrow ones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

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

/// Draws the overview into `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let areas: Vec<Rect> = if area.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Ratio(1, 3); 3])
            .split(area)
            .to_vec()
    } else {
        Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(30),
            Constraint::Percentage(30),
        ])
        .split(area)
        .to_vec()
    };
    frame.render_widget(
        Paragraph::new(alerts(
            state,
            usize::from(areas[0].height.saturating_sub(2)),
            usize::from(areas[0].width.saturating_sub(2)),
        ))
        .block(block(state, "Alerts by team", Command::ViewAlerts)),
        areas[0],
    );
    frame.render_widget(
        Paragraph::new(release(state))
            .wrap(Wrap { trim: true })
            .block(block(state, "Release", Command::ViewRelease)),
        areas[1],
    );
    frame.render_widget(
        Paragraph::new(deploy(state))
            .wrap(Wrap { trim: true })
            .block(block(state, "Deploy sync", Command::ViewDeploy)),
        areas[2],
    );
}

fn alerts(state: &State, rows: usize, width: usize) -> Vec<Line<'static>> {
    let t = &state.theme;
    if state.alerts.groups.is_empty() {
        let text = state
            .alerts_unavailable()
            .map(|why| clean(&why).into_owned())
            .unwrap_or_else(|| "no alerts firing".into());
        return vec![Line::styled(text, t.style(Role::Muted))];
    }
    let mut lines = Vec::new();
    // The newest critical alert, first: it is what an on-call wants to see.
    if let Some(a) = state
        .alerts
        .all
        .iter()
        .filter(|a| a.severity == Severity::Critical && a.state == AlertState::Firing)
        .max_by_key(|a| a.starts_at)
    {
        // The name gives way (with "…") so the team and age stay visible.
        let tail = format!(" {} · {}", clean(&a.team), age(state.now, a.starts_at));
        let room = width.saturating_sub("newest critical ".len() + tail.chars().count());
        lines.push(Line::from(vec![
            Span::styled("newest critical ", t.style(Role::Muted)),
            Span::styled(
                crate::ui::text::fit(&clean(a.name()), room),
                t.style(Role::Critical),
            ),
            Span::styled(tail, t.style(Role::Muted)),
        ]));
    }
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
    for g in state
        .alerts
        .groups
        .iter()
        .take(rows.saturating_sub(lines.len()))
    {
        let mut spans = vec![Span::styled(
            format!("{:<18} ", crate::ui::text::fit(&clean(&g.team), 18)),
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
    lines
}

fn release(state: &State) -> Vec<Line<'static>> {
    let t = &state.theme;
    let r = &state.release;
    if !r.configured {
        return vec![Line::styled(
            "not configured ([release])",
            t.style(Role::Muted),
        )];
    }
    let Some(doc) = &r.doc else {
        return vec![Line::styled("loading…", t.style(Role::Muted))];
    };
    let (done, total) = doc.checklist.progress();
    let mut lines = vec![
        Line::styled(clean(&doc.title).into_owned(), t.style(Role::Title)),
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
    }
    if let Some(next) = doc
        .checklist
        .first_open()
        .and_then(|i| doc.checklist.steps.get(i))
    {
        lines.push(Line::from(vec![
            Span::styled("next: ", t.style(Role::Muted)),
            Span::styled(clean(&next.text).into_owned(), t.style(Role::Text)),
        ]));
    } else {
        lines.push(Line::styled("every step is done", t.style(Role::Ok)));
    }
    lines
}

fn deploy(state: &State) -> Vec<Line<'static>> {
    let t = &state.theme;
    let d = &state.deploy;
    if !d.configured {
        return vec![Line::styled(
            "not configured ([deploy])",
            t.style(Role::Muted),
        )];
    }
    let Some(snap) = &d.snapshot else {
        return vec![Line::styled("scanning…", t.style(Role::Muted))];
    };
    let count = |s: SyncState| snap.images.iter().filter(|i| i.sync == s).count();
    let sep = || Span::styled(" · ", t.style(Role::Muted));
    let mut counts = vec![Span::styled(
        format!("{}\u{a0}out\u{a0}of\u{a0}sync", count(SyncState::OutOfSync)),
        t.style(Role::Attention),
    )];
    // The states that are often none are named only when there are some.
    // A count and its words never wrap apart (no-break spaces).
    let moved = count(SyncState::ChannelMoved);
    if moved > 0 {
        counts.push(sep());
        counts.push(Span::styled(
            format!("{moved}\u{a0}channel\u{a0}moved"),
            t.style(Role::Attention),
        ));
    }
    let drift = count(SyncState::Drift);
    if drift > 0 {
        counts.push(sep());
        counts.push(Span::styled(
            format!("{drift}\u{a0}drift"),
            t.style(Role::Urgent),
        ));
    }
    counts.extend([
        sep(),
        Span::styled(
            format!("{}\u{a0}unknown", count(SyncState::Unknown)),
            t.style(Role::Bad),
        ),
        sep(),
        Span::styled(
            format!("{}\u{a0}synced", count(SyncState::Synced)),
            t.style(Role::Ok),
        ),
    ]);
    if !snap.untracked.is_empty() {
        counts.push(sep());
        counts.push(Span::styled(
            format!("{}\u{a0}untracked", snap.untracked.len()),
            t.style(Role::Attention),
        ));
    }
    let mut lines = vec![Line::from(counts)];
    // Worst first: the images are sorted that way.
    for i in snap
        .images
        .iter()
        .filter(|i| i.sync != SyncState::Synced)
        .take(6)
    {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<28.28} ", clean(&i.repository)),
                t.style(Role::Text),
            ),
            Span::styled(
                clean(i.reason.as_deref().unwrap_or("")).into_owned(),
                t.style(Role::Muted),
            ),
        ]));
    }
    lines
}
