//! The silences list (`S`): active and pending silences, soonest end first.
//!
//! Columns are as wide as their longest value (CREATED BY and COMMENT
//! capped); MATCHERS takes the rest and is cut with "…". Where two
//! silences' matchers would read the same once cut (per-pod silences that
//! differ only in the pod), those rows keep the end instead:
//! `…pod="frontend-7d9f-abc"`.
//!
//! With a `/` filter the title shows it and the counts ("Silences (3 of
//! 12) · filter: service=frontend"). Enter's detail shows one silence in
//! full (matchers wrapped, never cut) and the alerts it covers now.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, TableState};

use crate::alerts::matcher::Matcher;
use crate::alerts::model::Silence;
use crate::app::overlays::silences::{SilencesList, shown};
use crate::app::state::State;
use crate::ui::text::{age, cells, clean, fit, fit_end, rows_shown, until, window_start, wrap};
use crate::ui::theme::Role;

/// The matchers of each silence fitted to `width`: cut at the end with
/// "…", except where that would make two different ones look the same,
/// which keep their end instead.
pub fn fit_matchers(all: &[String], width: usize) -> Vec<String> {
    let cut: Vec<String> = all.iter().map(|m| fit(m, width)).collect();
    all.iter()
        .zip(&cut)
        .map(|(full, short)| {
            let clash = all
                .iter()
                .zip(&cut)
                .any(|(other, other_short)| other != full && other_short == short);
            if clash {
                fit_end(full, width)
            } else {
                short.clone()
            }
        })
        .collect()
}

/// Draws the list, or the silence whose detail is open, over `area`.
pub fn render(state: &State, list: &SilencesList, frame: &mut Frame, area: Rect) {
    if let Some(detail) = &list.detail {
        if let Some(silence) = state.silence(&detail.id) {
            return render_detail(state, silence, detail.scroll, frame, area);
        }
    }
    let theme = &state.theme;
    let silences = shown(state, list);
    let selected = list.row;
    let inner = usize::from(area.width.saturating_sub(2));
    let longest =
        |header: &str, cap: usize, f: &dyn Fn(&crate::alerts::model::Silence) -> String| {
            silences
                .iter()
                .map(|s| cells(&f(s)))
                .fold(cells(header), usize::max)
                .min(cap)
        };
    let w_state = longest("STATE", 10, &|s| s.state.as_str().to_string());
    let w_ends = longest("ENDS IN", 10, &|s| until(state.now, s.ends_at));
    let w_by = longest("CREATED BY", 20, &|s| clean(&s.created_by).into_owned());
    let w_comment = longest("COMMENT", (inner * 3 / 10).max(7), &|s| {
        clean(&s.comment).into_owned()
    });
    // Six gaps between the columns; MATCHERS takes what is left.
    let w_matchers = inner.saturating_sub(8 + w_state + w_ends + w_by + w_comment + 5);
    let problems: Vec<Option<String>> = silences
        .iter()
        .map(|s| {
            s.matchers
                .iter()
                .find_map(Matcher::problem)
                .map(|p| format!("⚠ regex not understood here: {} · ", clean(p)))
        })
        .collect();
    let matchers: Vec<String> = silences
        .iter()
        .map(|s| {
            let text = s
                .matchers
                .iter()
                .map(Matcher::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            clean(&text).into_owned()
        })
        .collect();
    // (A row with a warning shows it first, and its matchers in the rest.)
    let fitted = fit_matchers(&matchers, w_matchers);
    let rows: Vec<Row> = silences
        .iter()
        .zip(problems.iter().zip(&matchers))
        .zip(&fitted)
        .map(|((s, (problem, full)), short)| {
            Row::new(vec![
                Cell::from(clean(&s.id).chars().take(8).collect::<String>()),
                Cell::from(s.state.as_str()),
                Cell::from(until(state.now, s.ends_at)),
                Cell::from(fit(&clean(&s.created_by), w_by)),
                Cell::from(fit(&clean(&s.comment), w_comment)),
                Cell::from(match problem {
                    // Kept as the server holds it; Alertmanager's own
                    // silencedBy says which alerts it covers.
                    Some(problem) => {
                        let warning = fit(problem, w_matchers);
                        let rest = w_matchers.saturating_sub(cells(&warning));
                        Line::from(vec![
                            Span::styled(warning, theme.style(Role::Warning)),
                            Span::raw(fit(full, rest)),
                        ])
                    }
                    None => Line::from(short.clone()),
                }),
            ])
        })
        .collect();
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let selected = selected.min(silences.len().saturating_sub(1));
    let title = list_title(
        list,
        silences.len(),
        state.open_silences().len(),
        selected,
        visible,
        inner,
    );
    let width = |w: usize| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX));
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            width(w_state),
            width(w_ends),
            width(w_by),
            width(w_comment),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new([
            "ID",
            "STATE",
            "ENDS IN",
            "CREATED BY",
            "COMMENT",
            "MATCHERS",
        ])
        .style(theme.style(Role::TableHeader)),
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Role::SilenceAccent))
            .title(title),
    )
    .row_highlight_style(theme.style(Role::Selected));
    let mut ts = TableState::default();
    if !silences.is_empty() {
        ts.select(Some(selected));
    }
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(table, area, &mut ts);
}

/// The list's title: counts (and the rows shown when they do not all
/// fit), the filter (cut with "…" to the room left) and the keys.
fn list_title(
    list: &SilencesList,
    count: usize,
    total: usize,
    selected: usize,
    visible: usize,
    width: usize,
) -> String {
    let filter = list.filter.input.text();
    let keys = if filter.is_empty() {
        " — u expire · e extend · / filter · Enter detail · Esc back "
    } else {
        " — Enter detail · Esc clear filter "
    };
    let counts = match rows_shown(window_start(selected, visible), visible, count) {
        Some(rows) if filter.is_empty() => format!(" Silences · {rows}"),
        Some(rows) => format!(" Silences · {rows} (of {total})"),
        None if filter.is_empty() => format!(" Silences ({count})"),
        None => format!(" Silences ({count} of {total})"),
    };
    if filter.is_empty() {
        return format!("{counts}{keys}");
    }
    let label = " · filter: ";
    let room = width.saturating_sub(cells(&counts) + cells(label) + cells(keys));
    format!("{counts}{label}{}{keys}", fit(&clean(filter), room.max(8)))
}

/// The detail's lines at this inner width: the silence's facts, its
/// matchers in full (wrapped), then the alerts it covers now.
pub fn detail_lines(state: &State, s: &Silence, width: usize) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let width = width.max(20);
    let now = state.now;
    let mut out: Vec<Line<'static>> = Vec::new();
    let label_w = 12;
    let fact = |out: &mut Vec<Line<'static>>, label: &str, value: &str| {
        for (i, piece) in wrap(value, width.saturating_sub(label_w))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 { label } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("{head:<label_w$}"), theme.style(Role::Dim)),
                Span::raw(piece),
            ]));
        }
    };
    fact(&mut out, "id", &clean(&s.id));
    fact(&mut out, "state", s.state.as_str());
    let when = |t: chrono::DateTime<chrono::Utc>| {
        let rel = if t > now {
            format!("in {}", until(now, t))
        } else {
            format!("{} ago", age(now, t))
        };
        format!("{} ({rel})", t.format("%Y-%m-%d %H:%M UTC"))
    };
    fact(&mut out, "starts", &when(s.starts_at));
    fact(&mut out, "ends", &when(s.ends_at));
    fact(&mut out, "created by", &clean(&s.created_by));
    fact(&mut out, "comment", &clean(&s.comment));
    fact(&mut out, "held by", &s.sources.join(", "));
    for (i, m) in s.matchers.iter().enumerate() {
        let head = if i == 0 { "matchers" } else { "" };
        fact(&mut out, head, &clean(&m.to_string()));
        if let Some(problem) = m.problem() {
            for piece in wrap(
                &format!("⚠ regex not understood here: {}", clean(problem)),
                width.saturating_sub(label_w),
            ) {
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(label_w)),
                    Span::styled(piece, theme.style(Role::Warning)),
                ]));
            }
        }
    }
    out.push(Line::from(""));
    let covered = crate::app::scope::covered(state, s);
    out.push(Line::from(Span::styled(
        match covered.len() {
            0 => "Covers no current alert".to_string(),
            n => format!("Covers {n} alert{} now:", crate::core::words::s(n)),
        },
        theme.style(Role::TableHeader),
    )));
    for a in covered.iter().take(DETAIL_ALERTS) {
        let name = a.labels.get("alertname").unwrap_or("");
        let rest: Vec<String> = a
            .labels
            .iter()
            .filter(|(k, _)| !matches!(*k, "alertname" | "severity"))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let text = format!(
            "{}  {} · {} · {}  {}",
            name,
            a.team,
            a.severity.as_str(),
            a.state.as_str(),
            rest.join(" ")
        );
        out.push(Line::from(format!(
            "  {}",
            fit(&clean(&text), width.saturating_sub(2))
        )));
    }
    if covered.len() > DETAIL_ALERTS {
        out.push(Line::from(Span::styled(
            format!("  +{} more", covered.len() - DETAIL_ALERTS),
            theme.style(Role::Dim),
        )));
    }
    out
}

/// The most covered alerts the detail lists (then "+N more").
pub const DETAIL_ALERTS: usize = 200;

fn render_detail(state: &State, s: &Silence, scroll: usize, frame: &mut Frame, area: Rect) {
    let inner = usize::from(area.width.saturating_sub(2));
    let lines = detail_lines(state, s, inner);
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let scroll = scroll.min(lines.len().saturating_sub(height));
    let mut title = format!(
        " Silence {} — u expire · e extend · Esc back to list ",
        clean(crate::app::scope::short_id(&s.id))
    );
    if let Some(rows) = rows_shown(scroll, height, lines.len()) {
        title = format!(
            " Silence {} · {rows} — j/k scroll · Esc back ",
            clean(crate::app::scope::short_id(&s.id))
        );
    }
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(height).collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(state.theme.style(Role::SilenceAccent))
        .title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(ratatui::widgets::Paragraph::new(shown).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::fit_matchers;

    #[test]
    fn matchers_that_would_look_the_same_keep_their_end() {
        let all = [
            r#"alertname="restarts", pod="frontend-7d9f-abc""#.to_string(),
            r#"alertname="restarts", pod="frontend-7d9f-xyz""#.to_string(),
            r#"team="platform", namespace="staging""#.to_string(),
        ];
        let fitted = fit_matchers(&all, 26);
        assert_eq!(fitted[0], r#"…, pod="frontend-7d9f-abc""#);
        assert_eq!(fitted[1], r#"…, pod="frontend-7d9f-xyz""#);
        assert_eq!(fitted[2], r#"team="platform", namespac…"#);
        // Room for all: whole.
        assert_eq!(fit_matchers(&all, 60), all.to_vec());
        // The same matchers twice are not a clash.
        let twice = [all[2].clone(), all[2].clone()];
        assert_eq!(fit_matchers(&twice, 10), vec!["team=\"pla…"; 2]);
    }
}
