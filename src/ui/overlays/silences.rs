//! The silences list (`S`): active and pending silences, soonest end first.
//!
//! Columns are as wide as their longest value (CREATED BY and COMMENT
//! capped); MATCHERS takes the rest and is cut with "…". Where two
//! silences' matchers would read the same once cut (per-pod silences that
//! differ only in the pod), those rows keep the end instead:
//! `…pod="frontend-7d9f-abc"`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Row, Table, TableState};

use crate::alerts::matcher::Matcher;
use crate::app::state::State;
use crate::ui::text::{cells, clean, fit, fit_end, rows_shown, until, window_start};
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

/// Draws the list over `area`.
pub fn render(state: &State, selected: usize, frame: &mut Frame, area: Rect) {
    let theme = &state.theme;
    let silences = state.open_silences();
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
    let mut title = format!(
        " Silences ({}) — u expire · e extend · Esc back ",
        silences.len()
    );
    let visible = usize::from(area.height.saturating_sub(3)).max(1);
    let selected = selected.min(silences.len().saturating_sub(1));
    if let Some(shown) = rows_shown(window_start(selected, visible), visible, silences.len()) {
        title = format!(" Silences · {shown} — u expire · e extend · Esc back ");
    }
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
