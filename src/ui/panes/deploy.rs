//! The deploy view: per image, published → pinned → running, and sync; the
//! selected image's pins and instances in a detail pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use crate::app::panes::deploy::state::DeployRow;
use crate::app::state::{HitMap, HitTarget, State};
use crate::core::SourceKind;
use crate::deploy::scan::PinSource;
use crate::deploy::sync::{ImageStatus, SyncState};
use crate::ui::text::{cells, clean, fit, fit_line, rows_shown, stale_age, window_start};
use crate::ui::theme::{Role, Theme};

/// The widest SYNC, IMAGE, PUBLISHED, PINNED and RUNNING may be (REASON:
/// the rest); IMAGE may take up to 40% of a wider table.
const COLUMNS: [u16; 5] = [13, 26, 24, 24, 20];

/// SYNC, IMAGE, PUBLISHED and PINNED widths in a table `inner` cells wide,
/// from their longest values (`natural`): each capped, IMAGE at 26 or 40%
/// of the width, whichever is more, and cut back (IMAGE first, down to 12)
/// when the columns would not leave RUNNING its room.
fn widths(natural: [usize; 4], inner: u16) -> [u16; 4] {
    let cap = |n: usize, most: u16| u16::try_from(n).unwrap_or(u16::MAX).min(most);
    let image_cap = COLUMNS[1].max(inner.saturating_mul(2) / 5);
    let mut w = [
        cap(natural[0], COLUMNS[0]),
        cap(natural[1], image_cap),
        cap(natural[2], COLUMNS[2]),
        cap(natural[3], COLUMNS[3]),
    ];
    // Room for the four, RUNNING and the five gaps.
    let room = inner.saturating_sub(COLUMNS[4] + 5);
    let over = w.iter().sum::<u16>().saturating_sub(room);
    w[1] = w[1].saturating_sub(over).max(12.min(w[1]));
    w
}

fn sync_style(theme: &Theme, s: SyncState) -> Style {
    theme.style(match s {
        SyncState::Synced => Role::Ok,
        SyncState::OutOfSync | SyncState::ChannelMoved => Role::OutOfSync,
        SyncState::Drift => Role::Urgent,
        SyncState::Unknown => Role::Bad,
    })
}

fn short_digest(d: &str) -> String {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    format!("@{}", hex.chars().take(7).collect::<String>())
}

fn pinned(i: &ImageStatus) -> String {
    match (&i.pinned_tag, &i.pinned_digest) {
        (Some(t), Some(d)) => format!("{t}{}", short_digest(d)),
        (Some(t), None) => t.clone(),
        (None, Some(d)) => short_digest(d),
        (None, None) => "—".into(),
    }
}

fn running(theme: &Theme, i: &ImageStatus) -> Line<'static> {
    let mut spans = Vec::new();
    for r in &i.running {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        match (&r.version, r.matches_pin) {
            // A matching instance needs no version: the pin is its version.
            (Some(_), true) => spans.push(Span::styled(
                format!("{} ✓", clean(&r.instance)),
                theme.style(Role::Ok),
            )),
            (Some(v), false) => spans.push(Span::styled(
                format!("{} {}", clean(&r.instance), clean(v)),
                theme.style(Role::Attention),
            )),
            (None, _) => spans.push(Span::styled(
                format!("{} ?", clean(&r.instance)),
                theme.style(Role::Bad),
            )),
        }
    }
    Line::from(spans)
}

/// `  (Deployment frontend)`: the document kind and container, when known.
fn place(kind: Option<&str>, container: Option<&str>) -> String {
    kind.map(|k| {
        format!(
            "  ({}{})",
            clean(k),
            container
                .map(|c| format!(" {}", clean(c)))
                .unwrap_or_default()
        )
    })
    .unwrap_or_default()
}

/// Draws the deploy view into `area`.
pub fn render(state: &State, frame: &mut Frame, area: Rect, hits: &mut HitMap) {
    let theme = &state.theme;
    let d = &state.deploy;
    let status = state.sources.iter().find(|s| s.kind == SourceKind::Deploy);
    let Some(snap) = &d.snapshot else {
        let text = match status.and_then(|s| s.error.clone()) {
            Some(e) => vec![
                Line::styled(
                    "Could not read the deploy repository:",
                    theme.style(Role::Emphasis),
                ),
                Line::styled(clean(&e).into_owned(), theme.style(Role::Bad)),
                Line::from("r retries."),
            ],
            None => vec![Line::from("scanning manifests and asking registries…")],
        };
        frame.render_widget(
            Paragraph::new(text).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.style(Role::Panel))
                    .title(" Deploy "),
            ),
            area,
        );
        return;
    };
    let detail_height = if d.detail { area.height / 3 } else { 0 };
    let errors_height = u16::try_from(snap.errors.len().min(4)).unwrap_or(4);
    let [summary, table_area, errors_area, detail_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(errors_height),
        Constraint::Length(detail_height),
    ])
    .areas(area);

    let count = |s: SyncState| snap.images.iter().filter(|i| i.sync == s).count();
    // Each state's count in its words and colour, then the untracked ones.
    let states = [
        SyncState::OutOfSync,
        SyncState::ChannelMoved,
        SyncState::Drift,
        SyncState::Unknown,
        SyncState::Synced,
    ];
    let mut facts = vec![Span::raw(" ")];
    for s in states {
        facts.push(Span::styled(
            format!("{} {}", count(s), s.label()),
            sync_style(theme, s),
        ));
        facts.push(Span::raw(" · "));
    }
    facts.extend([
        Span::styled(
            format!("{} untracked", snap.untracked.len()),
            theme.style(Role::Attention),
        ),
        Span::styled(
            format!(
                "   {} manifests on {}{}",
                snap.files,
                clean(&snap.branch),
                stale_age(state.now, snap.at)
                    .map(|a| format!(" · data {a} old"))
                    .unwrap_or_default()
            ),
            theme.style(Role::Muted),
        ),
    ]);
    if let Some(b) = &d.last_bump {
        facts.push(Span::styled(
            format!(" · last bump {}", clean(b)),
            theme.style(Role::Accent),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(facts)), summary);

    // Columns as wide as their longest value (capped); REASON takes the
    // rest. Every cell is fitted to its column with "…", so nothing is cut
    // silently.
    let published_text = |i: &ImageStatus| {
        i.published
            .as_ref()
            .map(|p| match &p.digest {
                // By digest: channels, and a drifted tag.
                Some(dg) if i.channel.is_some() || i.sync == SyncState::Drift => {
                    format!("{}{}", p.tag, short_digest(dg))
                }
                _ => p.tag.clone(),
            })
            .unwrap_or_else(|| "—".into())
    };
    let longest = |header: &str, values: &mut dyn Iterator<Item = String>| {
        values
            .map(|v| cells(&clean(&v)))
            .fold(cells(header), usize::max)
    };
    let images = snap.images.iter().map(|i| i.repository.clone());
    let natural = [
        longest(
            "SYNC",
            &mut snap
                .images
                .iter()
                .map(|i| i.sync.label().to_string())
                .chain((!snap.untracked.is_empty()).then(|| "untracked".to_string())),
        ),
        longest(
            "IMAGE",
            &mut images.chain(snap.untracked.iter().map(|u| u.text.clone())),
        ),
        longest("PUBLISHED", &mut snap.images.iter().map(published_text)),
        longest("PINNED", &mut snap.images.iter().map(pinned)),
    ];
    let [w_sync, w_image, w_published, w_pinned] =
        widths(natural, table_area.width.saturating_sub(2));
    let w_running = snap
        .images
        .iter()
        .map(|i| running(theme, i).width())
        .fold(cells("RUNNING"), usize::max);
    let w_running = u16::try_from(w_running).unwrap_or(u16::MAX).min(COLUMNS[4]);
    let fixed = w_sync + w_image + w_published + w_pinned + w_running + 5 + 2;
    let w_reason = usize::from(table_area.width.saturating_sub(fixed));
    let cell = |text: &str, width: u16| Cell::from(fit(&clean(text), usize::from(width)));
    let untracked = snap.untracked.iter().map(|u| {
        Row::new(vec![
            cell("untracked", w_sync).style(theme.style(Role::Attention)),
            cell(&u.text, w_image),
            Cell::from("—"),
            Cell::from("—"),
            Cell::from(""),
            Cell::from(fit(
                &clean(&format!("{} · {}:{}", u.reason, u.file, u.line)),
                w_reason,
            )),
        ])
    });
    let rows: Vec<Row> = snap
        .images
        .iter()
        .map(|i| {
            let published = published_text(i);
            Row::new(vec![
                cell(i.sync.label(), w_sync).style(sync_style(theme, i.sync)),
                cell(&i.repository, w_image),
                cell(&published, w_published),
                cell(&pinned(i), w_pinned),
                Cell::from(fit_line(running(theme, i), usize::from(w_running))),
                Cell::from(fit(&clean(i.reason.as_deref().unwrap_or("")), w_reason)),
            ])
        })
        .chain(untracked)
        .collect();
    let mut title =
        " Images — published → pinned → running · b bump · B bump all · Enter detail ".to_string();
    let visible = usize::from(table_area.height.saturating_sub(3)).max(1);
    if let Some(shown) = rows_shown(
        window_start(d.cursor.min(d.rows().saturating_sub(1)), visible),
        visible,
        d.rows(),
    ) {
        title = format!(" Images · {shown} · b bump · B bump all · Enter detail ");
    }
    let table = Table::new(
        rows,
        [
            Constraint::Length(w_sync),
            Constraint::Length(w_image),
            Constraint::Length(w_published),
            Constraint::Length(w_pinned),
            Constraint::Length(w_running),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(["SYNC", "IMAGE", "PUBLISHED", "PINNED", "RUNNING", "REASON"])
            .style(theme.style(Role::TableHeader)),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::Panel))
            .title(title),
    )
    .row_highlight_style(theme.style(Role::Selected));
    let mut ts = TableState::default();
    if d.rows() > 0 {
        ts.select(Some(d.cursor.min(d.rows() - 1)));
    }
    frame.render_stateful_widget(table, table_area, &mut ts);
    crate::ui::record(hits, HitTarget::DeployImages, table_area, 1, ts.offset());

    if !snap.errors.is_empty() {
        let lines: Vec<Line> = snap
            .errors
            .iter()
            .take(4)
            .map(|e| {
                Line::styled(
                    format!(" ✗ {}", clean(&e.to_string())),
                    theme.style(Role::Bad),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), errors_area);
    }

    if d.detail {
        if let Some(DeployRow::Untracked(u)) = d.selected() {
            let lines = vec![
                Line::styled(
                    format!("untracked: {}", clean(&u.text)),
                    theme.style(Role::Emphasis),
                ),
                Line::styled(
                    format!("  {}", clean(&u.reason.to_string())),
                    theme.style(Role::Attention),
                ),
                Line::from(format!(
                    "  {}:{}:{}{}",
                    clean(&u.file),
                    u.line,
                    u.column,
                    place(u.kind.as_deref(), u.container.as_deref())
                )),
                Line::styled(
                    "  not compared with a registry, never bumped",
                    theme.style(Role::Muted),
                ),
            ];
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.style(Role::Panel))
                        .title(" Detail "),
                ),
                detail_area,
            );
        }
        if let Some(DeployRow::Image(i)) = d.selected() {
            let mut lines = vec![Line::styled(
                format!("{} ({})", clean(&i.key), i.policy.unwrap_or("no policy")),
                theme.style(Role::Emphasis),
            )];
            if let Some(p) = &i.published {
                lines.push(Line::from(format!(
                    "  published {}{}",
                    clean(&p.tag),
                    p.digest
                        .as_deref()
                        .map(|d| format!("@{}", clean(d)))
                        .unwrap_or_default()
                )));
            }
            if let Some(reason) = &i.reason {
                lines.push(Line::styled(
                    format!("  {}", clean(reason)),
                    sync_style(theme, i.sync),
                ));
            }
            for r in &i.refs {
                lines.push(Line::from(format!(
                    "  {}:{}:{}  {}{}",
                    clean(&r.file),
                    r.line,
                    r.column,
                    clean(&r.shown()),
                    match &r.source {
                        PinSource::Values(f) => format!("  (values {})", clean(&f.path)),
                        _ => place(r.kind.as_deref(), r.container.as_deref()),
                    }
                )));
            }
            for r in &i.running {
                let v = r
                    .version
                    .clone()
                    .or_else(|| r.error.as_ref().map(|e| format!("error: {e}")))
                    .unwrap_or_default();
                lines.push(Line::from(format!(
                    "  {} runs {}{}",
                    clean(&r.instance),
                    clean(&v),
                    if r.matches_pin {
                        " (matches the pin)"
                    } else {
                        ""
                    }
                )));
            }
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.style(Role::Panel))
                        .title(" Detail "),
                ),
                detail_area,
            );
        }
    }
}

#[cfg(test)]
mod column_tests {
    use super::widths;

    #[test]
    fn image_takes_its_length_when_there_is_room_and_gives_way_first() {
        // `sourcegraph/zoekt-webserver` is 27: whole on a wide table.
        assert_eq!(widths([7, 27, 9, 6], 158), [7, 27, 9, 6]);
        // Longer than 40% of a 78-cell table only past 31.
        assert_eq!(widths([7, 40, 9, 6], 78), [7, 31, 9, 6]);
        // Too much for 78 cells: IMAGE gives way, down to 12.
        assert_eq!(widths([13, 27, 16, 16], 78), [13, 12, 16, 16]);
        // The other columns keep their caps.
        assert_eq!(widths([30, 5, 40, 40], 200), [13, 5, 24, 24]);
    }
}
