//! Dialogs drawn over the view: the acknowledge form and y/N confirmations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::alerts::grouping::count_matching;
use crate::app::overlays::ack_form::AckSet;
use crate::app::state::{AckForm, Confirm, State};
use crate::ui::text::{clean, wrap};
use crate::ui::theme::{Role, Theme};

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(h);
    v
}

fn dialog(theme: &Theme, title: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(Role::BorderFocus))
        .title(title)
}

/// The acknowledge form.
pub fn ack_form(state: &State, form: &AckForm, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let width = 100.min(area.width);
    let label_style = theme.style(Role::Label);
    let mut lines = vec![Line::from("")];
    let room = usize::from(width.saturating_sub(15)).max(10);
    if let Some(set) = &form.set {
        let label = match set {
            AckSet::Group(_) => "Alerts",
            AckSet::Marked(_) => "Marked",
        };
        lines.push(Line::from(vec![
            Span::styled("  ", label_style),
            Span::styled(format!("{label:<9}"), label_style),
            Span::raw(format!(
                "{}: one silence per active alert, with its labels",
                clean(&set.describe())
            )),
        ]));
    }
    for &field in form.fields() {
        let input = form.input(field);
        let focused = field == form.field && !form.submitting;
        let text = input.text();
        // The cursor is drawn as a block inside the text.
        let shown = if focused {
            let split = text
                .char_indices()
                .nth(input.cursor())
                .map_or(text.len(), |(b, _)| b);
            format!("{}█{}", &text[..split], &text[split..])
        } else {
            text.to_string()
        };
        // Shown cleaned; the text sent to Alertmanager stays as typed.
        for (n, part) in wrap(&clean(&shown), room).into_iter().enumerate() {
            let (marker, label) = if n == 0 {
                (if focused { "▶ " } else { "  " }, field.label())
            } else {
                ("  ", "")
            };
            lines.push(Line::from(vec![
                Span::styled(marker, label_style),
                Span::styled(format!("{label:<9}"), label_style),
                Span::raw(part),
            ]));
        }
    }
    lines.push(Line::from(""));
    if let Some(set) = &form.set {
        set_preview(state, set, room, &mut lines);
    }
    let preview = match form.parsed_matchers() {
        _ if form.set.is_some() => Span::raw(""),
        Ok(m) => {
            let n = count_matching(&state.alerts.all, &m);
            Span::styled(
                format!("  matches {n} current alert{}", crate::core::words::s(n)),
                theme.style(if n == 0 { Role::Attention } else { Role::Ok }),
            )
        }
        Err(e) => Span::styled(format!("  matchers: {e}"), theme.style(Role::Attention)),
    };
    if form.set.is_none() {
        lines.push(Line::from(preview));
    }
    // When it would end; a long one stands out (a typo such as 999d).
    let ends = humantime::parse_duration(form.duration.text().trim())
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| state.now.checked_add_signed(d));
    if let Some(end) = ends {
        let long = end - state.now > chrono::TimeDelta::days(7);
        lines.push(Line::from(Span::styled(
            format!(
                "  ends {}{}",
                end.format("%Y-%m-%d %H:%M UTC"),
                if long { " — longer than a week" } else { "" }
            ),
            theme.style(if long { Role::Attention } else { Role::Muted }),
        )));
    }
    lines.push(Line::from(Span::styled(
        format!("  silence goes to: {}", form.targets.join(", ")),
        theme.style(Role::Muted),
    )));
    // A target that is not answering is said before Enter, not after.
    for target in &form.targets {
        if let Some(e) = state.source(target).and_then(|s| s.error.as_deref()) {
            lines.push(Line::from(Span::styled(
                format!(
                    "  ⚠ {} is unreachable ({}): the silence will likely fail",
                    clean(target),
                    clean(e)
                ),
                theme.style(Role::Attention),
            )));
        }
    }
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            format!("  ✗ {}", clean(e)),
            theme.style(Role::Urgent),
        )));
    }
    if form.submitting {
        lines.push(Line::from("  submitting…"));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "  Enter submit · Tab/↑↓ field · Esc cancel",
        theme.style(Role::Dim),
    )));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(dialog(
                theme,
                format!(" Acknowledge {} ", clean(&form.alertname)),
            )),
        rect,
    );
}

/// The silences a set form will make: one line each, at most eight, then
/// how many more (the y/N lists them all), and what it leaves alone.
fn set_preview(state: &State, set: &AckSet, room: usize, lines: &mut Vec<Line<'static>>) {
    let theme = &state.theme;
    let now = state.now;
    let Some(plan) = crate::app::scope::set_ack(state, set, now, now, "", "") else {
        return;
    };
    lines.push(Line::from(Span::styled(
        format!(
            "  {} silence{} will be made:",
            plan.count,
            crate::core::words::s(plan.count)
        ),
        theme.style(if plan.count == 0 {
            Role::Attention
        } else {
            Role::Ok
        }),
    )));
    const SHOWN: usize = 8;
    for p in plan.preview.iter().take(SHOWN) {
        lines.push(Line::from(Span::styled(
            format!("  · {}", crate::ui::text::fit(&clean(p), room + 9)),
            theme.style(Role::Muted),
        )));
    }
    if plan.preview.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!(
                "  … and {} more (all listed before y/N)",
                plan.preview.len() - SHOWN
            ),
            theme.style(Role::Muted),
        )));
    }
    if plan.suppressed > 0 {
        lines.push(Line::from(Span::styled(
            format!(
                "  {} already silenced or inhibited: left alone",
                crate::core::words::plural(plan.suppressed, "alert")
            ),
            theme.style(Role::Muted),
        )));
    }
}

/// A y/N question.
/// Details longer than the screen scroll by `scroll` lines (j/k).
/// How a y/N question lays out in `area`: its width, the question's lines,
/// every detail line (wrapped, diff lines cut by width) with its role, and
/// how many detail lines fit. The dialog and the scroll keys both use it.
pub struct ConfirmLayout {
    /// Dialog width.
    pub width: u16,
    /// The question, wrapped.
    pub question: Vec<String>,
    /// The details as drawn, one entry per screen line.
    pub details: Vec<(String, Role)>,
    /// Detail lines that fit at once.
    pub budget: usize,
}

impl ConfirmLayout {
    /// Lays out `c` in `area`.
    pub fn new(c: &Confirm, area: Rect) -> ConfirmLayout {
        let width = 100.min(area.width);
        let room = usize::from(width.saturating_sub(6)).max(10);
        let question = wrap(&clean(&c.question), room);
        // Details (a diff, for bumps) fill what the screen allows: all but
        // the question and the blank line above it, the blank and answer
        // lines below, and the borders.
        let fixed = question.len() + 1 + 4;
        let budget = usize::from(area.height).saturating_sub(fixed).max(3);
        let mut details = Vec::new();
        for d in &c.details {
            let role = if d.starts_with("+++") || d.starts_with("---") {
                Role::DiffFile
            } else if d.starts_with('+') {
                Role::DiffAdd
            } else if d.starts_with('-') {
                Role::DiffDel
            } else if d.starts_with("@@") {
                Role::DiffHunk
            } else {
                Role::Muted
            };
            // Diff lines keep their spaces: cut by width, not at words.
            let diff_line = d.starts_with(['+', '-', ' ']) || d.starts_with("@@");
            let parts = if diff_line {
                let chars: Vec<char> = clean(d).chars().collect();
                chars.chunks(room).map(|c| c.iter().collect()).collect()
            } else {
                wrap(&clean(d), room)
            };
            details.extend(parts.into_iter().map(|part| (part, role)));
        }
        ConfirmLayout {
            width,
            question,
            details,
            budget,
        }
    }

    /// The detail lines shown between the "more above" and "more below"
    /// lines once the details do not fit (`None` when they fit).
    pub fn window(&self) -> Option<usize> {
        (self.details.len() > self.budget).then(|| self.budget.saturating_sub(2).max(1))
    }
}

/// Draws a y/N question with its details scrolled down `scroll` lines.
pub fn confirm(theme: &Theme, c: &Confirm, scroll: usize, frame: &mut Frame, area: Rect) {
    let layout = ConfirmLayout::new(c, area);
    let width = layout.width;
    let mut lines = vec![Line::from("")];
    for part in &layout.question {
        lines.push(Line::from(Span::styled(
            format!("  {part}"),
            theme.style(Role::Emphasis),
        )));
    }
    let budget = layout.budget;
    let window = layout.window();
    let mut detail_lines: Vec<Line> = layout
        .details
        .into_iter()
        .map(|(part, role)| Line::from(Span::styled(format!("  {part}"), theme.style(role))))
        .collect();
    if let Some(window) = window {
        // One line each for what is above and below the window.
        let total = detail_lines.len();
        let from = scroll.min(total - window);
        let below = total - from - window;
        let mut shown: Vec<Line> = Vec::with_capacity(budget);
        shown.push(Line::styled(
            if from > 0 {
                format!("  ↑ {from} more lines (k scrolls up)")
            } else {
                String::new()
            },
            theme.style(Role::Dim),
        ));
        shown.extend(detail_lines.drain(from..from + window));
        shown.push(Line::styled(
            if below > 0 {
                format!("  … {below} more lines (j scrolls down)")
            } else {
                "  (end)".to_string()
            },
            theme.style(Role::Dim),
        ));
        detail_lines = shown;
    }
    lines.extend(detail_lines);
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("y", theme.style(Role::Yes)),
        Span::raw(" yes   "),
        Span::styled("N", theme.style(Role::No)),
        Span::raw(" no (default; any other key but j/k)"),
    ]));
    show(theme, lines, width, " Confirm [y/N] ", frame, area);
}

/// Draws `lines` in a dialog box `width` wide and as tall as they are,
/// centred in `area` over whatever is below.
pub(super) fn show(
    theme: &Theme,
    lines: Vec<Line<'static>>,
    width: u16,
    title: &str,
    frame: &mut Frame,
    area: Rect,
) {
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(dialog(theme, title.into())),
        rect,
    );
}

/// A one-line question (a placeholder value).
pub fn prompt(
    theme: &Theme,
    p: &crate::app::overlays::prompt::Prompt,
    frame: &mut Frame,
    area: Rect,
) {
    let rect = centered(area, 70, 7);
    frame.render_widget(Clear, rect);
    let lines = vec![
        Line::from(""),
        Line::from(vec![
            Span::styled(format!("  {}: ", p.label), theme.style(Role::Label)),
            Span::raw(p.input.text().to_string()),
            Span::styled("█", theme.style(Role::Muted)),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            format!("  for {} · Enter next · Esc cancel", p.run.step_id),
            theme.style(Role::Dim),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(dialog(theme, " Command needs a value ".into())),
        rect,
    );
}
