//! The release view: the tracking issue's title and people, overall and
//! per-section progress, the steps (cursor on one), and the output of the
//! step's command when one ran.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::panes::release::state::OutputKind;
use crate::app::panes::release::state::RunView;
use crate::app::state::State;
use crate::release::command::Resolution;
use crate::ui::panes::release_links;
use crate::ui::text::{age, clean, stale_age};
use crate::ui::theme::Role;

/// A text progress bar: `██████░░░░`.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// Draws the release view into `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let r = &state.release;
    let Some(doc) = &r.doc else {
        let status = state.sources.iter().find(|s| {
            matches!(
                s.kind,
                crate::alerts::model::SourceKind::Github | crate::alerts::model::SourceKind::File
            )
        });
        let text = match status.and_then(|s| s.error.clone()) {
            Some(e) => vec![
                Line::styled("Could not load the checklist:", theme.style(Role::Emphasis)),
                Line::styled(clean(&e).into_owned(), theme.style(Role::Bad)),
                Line::from("r retries."),
            ],
            None => vec![Line::from("loading the release checklist…")],
        };
        frame.render_widget(
            Paragraph::new(text).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.style(Role::Panel))
                    .title(" Release "),
            ),
            area,
        );
        return;
    };
    let output_height = if r.run.is_some() { area.height / 3 } else { 0 };
    let [top, body, output] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(3),
        Constraint::Length(output_height),
    ])
    .areas(area);

    // The issue, its people and the overall bar.
    let (done, total) = doc.checklist.progress();
    let number = doc.number.map(|n| format!("#{n} ")).unwrap_or_default();
    let mut facts = vec![Span::styled(
        clean(&doc.repo).into_owned(),
        theme.style(Role::Muted),
    )];
    if let Some(m) = &doc.milestone {
        facts.push(Span::raw(format!(" · milestone {}", clean(m))));
    }
    if let Some(a) = &doc.assignee {
        facts.push(Span::raw(format!(" · captain @{}", clean(a))));
    }
    if let Some(b) = doc.blockers {
        let style = if b > 0 {
            theme.style(Role::Urgent)
        } else {
            theme.style(Role::Ok)
        };
        facts.push(Span::raw(" · "));
        facts.push(Span::styled(
            format!("{b} blocker{}", crate::core::words::s(b)),
            style,
        ));
    }
    if let Some(at) = state
        .sources
        .iter()
        .find(|s| {
            matches!(
                s.kind,
                crate::alerts::model::SourceKind::Github | crate::alerts::model::SourceKind::File
            )
        })
        .and_then(|s| s.last_ok)
        .and_then(|at| stale_age(state.now, at))
    {
        facts.push(Span::styled(
            format!(" · data {at} old"),
            theme.style(Role::Muted),
        ));
    }
    let width = usize::from(top.width.saturating_sub(20)).clamp(10, 60);
    let header = vec![
        Line::from(vec![
            Span::styled(number, theme.style(Role::Accent)),
            Span::styled(clean(&doc.title).into_owned(), theme.style(Role::Emphasis)),
        ]),
        Line::from(facts),
        Line::from(vec![
            Span::raw("Overall  "),
            Span::styled(bar(done, total, width), theme.style(Role::Progress)),
            Span::raw(format!(" {done}/{total}")),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(header).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(theme.style(Role::Panel))
                .title(" Release "),
        ),
        top,
    );

    let [sections_area, steps_area] =
        Layout::horizontal([Constraint::Length(38), Constraint::Min(20)]).areas(body);
    sections(state, frame, sections_area);
    steps(state, frame, steps_area);
    if let Some(run) = &r.run {
        self::output(state, run, frame, output);
    }
}

fn sections(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let Some(doc) = &state.release.doc else {
        return;
    };
    let current = doc
        .checklist
        .steps
        .get(state.release.cursor)
        .map(|s| s.section);
    let mut lines = Vec::new();
    for (i, s) in doc.checklist.sections.iter().enumerate() {
        if s.steps.is_empty() {
            continue;
        }
        let (d, t) = doc.checklist.section_progress(i);
        let title = if s.title.is_empty() {
            "(top)"
        } else {
            s.title.as_str()
        };
        let style = if Some(i) == current {
            theme.style(Role::Emphasis)
        } else {
            theme.style(Role::Text)
        };
        let bar_style = if d == t {
            theme.style(Role::Progress)
        } else {
            theme.style(Role::Attention)
        };
        lines.push(Line::from(vec![Span::styled(
            format!("{:<20.20}", clean(title)),
            style,
        )]));
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", bar(d, t, 20)), bar_style),
            Span::raw(format!(" {d}/{t}")),
        ]));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::Panel))
                .title(" Sections "),
        ),
        area,
    );
}

fn steps(state: &State, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let r = &state.release;
    let Some(doc) = &r.doc else { return };
    let width = usize::from(area.width.saturating_sub(2));
    // The selected step's link states, at most 5 lines, above its id line.
    let selected = doc.checklist.steps.get(r.cursor);
    // Why the selected step's proposed command may not run, in full.
    let mut detail: Vec<Line> = match selected.map(|s| r.rules.resolve(s)) {
        Some(Resolution::Refused { reason, .. }) => {
            crate::ui::text::wrap(&format!("✗ not allowed: {reason}"), width.max(8))
                .into_iter()
                .map(|l| Line::styled(l, theme.style(Role::Dim)))
                .collect()
        }
        _ => Vec::new(),
    };
    detail.extend(
        selected
            .and_then(|s| doc.links.get(&s.id))
            .map(|l| release_links::detail_lines(&l.states, theme, width))
            .unwrap_or_default(),
    );
    let spare = usize::from(area.height.saturating_sub(3)).saturating_sub(4);
    if detail.len() > spare.min(5) {
        let keep = spare.min(5);
        let cut = detail.len() - keep.saturating_sub(1);
        detail.truncate(keep.saturating_sub(1));
        if keep > 0 {
            detail.push(Line::styled(
                crate::core::text::clip(
                    &format!("… {cut} more line{}", crate::core::words::s(cut)),
                    width.saturating_sub(1),
                ),
                theme.style(Role::Muted),
            ));
        }
    }
    let inner_height = usize::from(area.height.saturating_sub(3))
        .saturating_sub(detail.len())
        .max(1);
    // Rows: a heading row before each section's first step, then steps.
    let mut rows: Vec<(Option<usize>, Line)> = Vec::new();
    let mut last_section = None;
    for (i, step) in doc.checklist.steps.iter().enumerate() {
        if last_section != Some(step.section) {
            last_section = Some(step.section);
            let title = &doc.checklist.sections[step.section].title;
            rows.push((
                None,
                Line::styled(
                    format!(
                        "## {}",
                        clean(if title.is_empty() { "(top)" } else { title })
                    ),
                    theme.style(Role::Title),
                ),
            ));
        }
        let selected = i == r.cursor;
        let pending = r.pending.as_ref().is_some_and(|(id, _)| *id == step.id);
        let box_text = if pending {
            "[…]"
        } else if step.done {
            "[x]"
        } else {
            "[ ]"
        };
        let resolution = r.rules.resolve(step);
        let tag = match &resolution {
            Resolution::Run(run) => {
                let n = run.commands().len();
                let count = if n > 1 {
                    format!(" ×{n}")
                } else {
                    String::new()
                };
                Span::styled(
                    format!("  ▶ {}{count}", run.source.as_str()),
                    theme.style(Role::Ok),
                )
            }
            Resolution::Refused { .. } => Span::styled(
                format!("  ✗ {}", resolution.refusal_label()),
                theme.style(Role::Dim),
            ),
            Resolution::NoCommand if !step.blocks.is_empty() => {
                Span::styled("  ⧉ text", theme.style(Role::Muted))
            }
            Resolution::NoCommand => Span::raw(""),
        };
        let mut style = if step.done {
            theme.style(Role::Dim)
        } else {
            theme.style(Role::Text)
        };
        if selected {
            style = style.patch(theme.style(Role::Selected));
        }
        let indent = "  ".repeat(step.depth);
        // Sub-steps' progress and link states beside the text.
        let mut extra: Vec<Span> = Vec::new();
        if let Some((d, t)) = doc.checklist.children_progress(i) {
            let role = if d == t { Role::Ok } else { Role::Muted };
            extra.push(Span::styled(format!(" {d}/{t}"), theme.style(role)));
        }
        let badges = doc
            .links
            .get(&step.id)
            .map(|l| release_links::step_badges(l, theme))
            .unwrap_or_default();
        // The text is cut so the command tag stays visible.
        let head = format!("{}{indent}{box_text} ", if selected { "▶" } else { " " });
        let fixed = head.chars().count() + tag.width();
        let width_of = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
        // Badges only when the text keeps room to be read; the detail line
        // below shows them for the selected step anyway.
        if width.saturating_sub(fixed + width_of(&extra) + width_of(&badges)) >= 24 {
            extra.extend(badges);
        }
        let room = width.saturating_sub(fixed + width_of(&extra));
        let mut text: String = clean(&step.text).into_owned();
        if text.chars().count() > room {
            text = text
                .chars()
                .take(room.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
        let mut spans = vec![Span::styled(format!("{head}{text}"), style)];
        spans.extend(extra);
        spans.push(tag);
        rows.push((Some(i), Line::from(spans)));
    }
    // Window around the cursor row.
    let cursor_row = rows
        .iter()
        .position(|(i, _)| *i == Some(r.cursor))
        .unwrap_or(0);
    let start = cursor_row
        .saturating_sub(inner_height.saturating_sub(1) / 2)
        .min(rows.len().saturating_sub(inner_height));
    let mut lines: Vec<Line> = rows
        .into_iter()
        .skip(start)
        .take(inner_height)
        .map(|(_, l)| l)
        .collect();
    // The selected step's id and command, on the last line.
    if let Some(step) = doc.checklist.steps.get(r.cursor) {
        let cmd = match r.rules.resolve(step) {
            Resolution::Run(run) => format!("$ {} ({})", run.summary(), run.source.as_str()),
            Resolution::Refused { code, reason } => {
                let code: Vec<&str> = code.lines().map(str::trim).collect();
                format!("not run: `{}` — {reason}", code.join("; "))
            }
            Resolution::NoCommand if !step.blocks.is_empty() => "text to copy: y".into(),
            Resolution::NoCommand => "no command".into(),
        };
        while lines.len() < inner_height {
            lines.push(Line::from(""));
        }
        lines.extend(detail);
        lines.push(Line::styled(
            crate::core::text::clip(&format!("{} · {cmd}", step.id), width.saturating_sub(1)),
            theme.style(Role::Muted),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::Panel))
                .title(" Steps — space tick · Enter run · r reload "),
        ),
        area,
    );
}

fn output(state: &State, run: &RunView, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let status = match (run.exit, &run.failed) {
        (_, Some(e)) => Span::styled(format!("failed: {}", clean(e)), theme.style(Role::Bad)),
        (Some((Some(0), _)), _) => Span::styled("exit 0 ✓", theme.style(Role::Ok)),
        (Some((Some(c), _)), _) => Span::styled(format!("exit {c} ✗"), theme.style(Role::Bad)),
        (Some((None, Some(s))), _) => {
            let name = crate::release::runner::signal_name(s);
            Span::styled(format!("stopped by {name}"), theme.style(Role::Bad))
        }
        (Some((None, None)), _) => Span::raw("ended"),
        (None, None) if run.stopping => Span::styled("stopping…", theme.style(Role::Attention)),
        (None, None) => Span::styled(
            format!("running {} · ctrl-c stops", age(state.now, run.started)),
            theme.style(Role::Attention),
        ),
    };
    let room = usize::from(area.width.saturating_sub(4));
    let title = format!(
        " {} ",
        crate::core::text::clip(
            &format!("{} — $ {}", run.step_id, run.shown),
            room.saturating_sub(1)
        )
    );
    let mut lines = vec![Line::from(vec![
        status,
        Span::styled(
            format!("  log {}", run.log_path.display()),
            theme.style(Role::Muted),
        ),
    ])];
    let height = usize::from(area.height.saturating_sub(3));
    let skip = run.lines.len().saturating_sub(height);
    lines.extend(run.lines.iter().skip(skip).map(|(kind, line)| match kind {
        OutputKind::Stdout => Line::raw(clean(line).into_owned()),
        OutputKind::Stderr => Line::styled(clean(line).into_owned(), theme.style(Role::Stderr)),
        OutputKind::Command => Line::styled(format!("$ {}", clean(line)), theme.style(Role::Title)),
    }));
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.style(Role::Panel))
                .title(title),
        ),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars() {
        assert_eq!(bar(0, 4, 4), "░░░░");
        assert_eq!(bar(2, 4, 4), "██░░");
        assert_eq!(bar(4, 4, 4), "████");
        assert_eq!(bar(0, 0, 3), "░░░");
    }
}
