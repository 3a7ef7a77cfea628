//! How the release view shows the live state of what a step points at
//! (`ReleaseDoc::links`): compact badges for the step's row and full lines
//! for the selected step's detail. Pure functions of the link states; the
//! release view calls them.
//!
//! Badges: `#16201 merged ✓`, `#16209 draft ✗`, `#3 open`, `3.23 CI pending`,
//! `#404 ?` (unknown); `✓` passed, `✗` failed, `○` still running, nothing
//! when no CI reported. Detail lines say the same in words, with the title,
//! the page and any error, wrapped to the width (nothing is cut).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::release::links::{Checks, ItemState, LinkKind, LinkState, StepLinks};
use crate::ui::text::{clean, wrap};
use crate::ui::theme::{Role, Theme};

fn state_style(theme: &Theme, state: ItemState) -> Style {
    match state {
        ItemState::Merged => theme.style(Role::Ok),
        ItemState::Open => theme.style(Role::Text),
        ItemState::Draft => theme.style(Role::Muted),
        ItemState::Closed => theme.style(Role::Dim),
    }
}

fn checks_style(theme: &Theme, checks: Checks) -> Style {
    match checks {
        Checks::Success => theme.style(Role::Ok),
        Checks::Failure => theme.style(Role::Bad),
        Checks::Pending => theme.style(Role::Attention),
        Checks::None => theme.style(Role::Muted),
    }
}

/// `✓`, `✗`, `○`, or nothing when no CI reported.
fn mark(checks: Checks) -> &'static str {
    match checks {
        Checks::Success => "✓",
        Checks::Failure => "✗",
        Checks::Pending => "○",
        Checks::None => "",
    }
}

/// The link's name as the checklist names it (`#16201`, `3.23`,
/// `o/r#5`): the badges and lines start with it.
fn name(link: &LinkState) -> String {
    clean(&link.name).into_owned()
}

/// One badge: the name, then the state and the CI mark.
fn badge(link: &LinkState, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(name(link), theme.style(Role::Accent))];
    match (link.kind, link.state, link.checks) {
        (LinkKind::Ref, _, Some(checks)) => {
            spans.push(Span::styled(
                format!(" CI {}", checks.as_str()),
                checks_style(theme, checks),
            ));
        }
        (LinkKind::Pull | LinkKind::Issue, Some(state), checks) => {
            spans.push(Span::styled(
                format!(" {}", state.as_str()),
                state_style(theme, state),
            ));
            if let Some(c) = checks.filter(|c| *c != Checks::None) {
                spans.push(Span::styled(
                    format!(" {}", mark(c)),
                    checks_style(theme, c),
                ));
            }
        }
        _ => spans.push(Span::styled(" ?", theme.style(Role::Warning))),
    }
    spans
}

/// Compact badges for a step's row, each preceded by a space:
/// `[" ", "#16201", " merged", " ✓", " ", "3.23", " CI pending"]`.
pub fn badges(links: &[LinkState], theme: &Theme) -> Vec<Span<'static>> {
    links
        .iter()
        .flat_map(|l| std::iter::once(Span::raw(" ")).chain(badge(l, theme)))
        .collect()
}

/// [`badges`] for one step's links, with ` +N` for references over the
/// per-step cap.
pub fn step_badges(links: &StepLinks, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = badges(&links.states, theme);
    if links.more > 0 {
        spans.push(Span::styled(
            format!(" +{}", links.more),
            theme.style(Role::Muted),
        ));
    }
    spans
}

fn kind_word(link: &LinkState) -> &'static str {
    match link.kind {
        LinkKind::Pull => "pull request",
        LinkKind::Issue => "issue",
        LinkKind::Ref => "branch/tag",
    }
}

/// The selected step's detail: per link, `#16201 pull request merged ·
/// checks success — title`, then its page, then any error; every line
/// wrapped to `width` columns (continuations indented by two), nothing cut.
pub fn detail_lines(links: &[LinkState], theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut push = |text: String, style: Style, indent: &str| {
        let room = width.saturating_sub(indent.chars().count()).max(4);
        for (i, part) in wrap(&text, room).into_iter().enumerate() {
            let lead = if i == 0 {
                indent.to_string()
            } else {
                format!("{indent}  ")
            };
            out.push(Line::styled(format!("{lead}{part}"), style));
        }
    };
    for link in links {
        let mut head = format!("{} {}", name(link), kind_word(link));
        let style = match (link.kind, link.state, link.checks) {
            (LinkKind::Ref, _, Some(c)) => {
                head.push_str(&format!(" CI {}", c.as_str()));
                checks_style(theme, c)
            }
            (_, Some(s), checks) => {
                head.push_str(&format!(" {}", s.as_str()));
                if let Some(c) = checks {
                    head.push_str(&format!(" · checks {}", c.as_str()));
                }
                match checks {
                    Some(Checks::Failure) => theme.style(Role::Bad),
                    Some(Checks::Pending) => theme.style(Role::Attention),
                    _ => state_style(theme, s),
                }
            }
            _ => {
                head.push_str(" unknown");
                theme.style(Role::Warning)
            }
        };
        if let Some(title) = &link.title {
            head.push_str(&format!(" — {}", clean(title)));
        }
        push(head, style, "");
        push(
            clean(&link.url).into_owned(),
            theme.style(Role::Muted),
            "  ",
        );
        if let Some(e) = &link.error {
            push(clean(e).into_owned(), theme.style(Role::Bad), "  ");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::links::Target;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    fn link(
        target: Target,
        kind: LinkKind,
        state: Option<ItemState>,
        checks: Option<Checks>,
    ) -> LinkState {
        LinkState {
            url: target.web_url("https://github.example"),
            name: target.label("sourcegraph/sourcegraph"),
            target,
            kind,
            state,
            checks,
            title: None,
            error: None,
        }
    }

    fn pull(number: u64, state: ItemState, checks: Option<Checks>) -> LinkState {
        let target = Target::Pull {
            repo: "sourcegraph/sourcegraph".into(),
            number,
        };
        link(target, LinkKind::Pull, Some(state), checks)
    }

    fn branch(name: &str, checks: Checks) -> LinkState {
        let target = Target::Ref {
            repo: "sourcegraph/sourcegraph".into(),
            name: name.into(),
        };
        link(target, LinkKind::Ref, None, Some(checks))
    }

    #[test]
    fn badges_are_compact_and_coloured_by_meaning() {
        let theme = Theme::default();
        let missing = LinkState::unknown(
            Target::Issue {
                repo: "sourcegraph/sourcegraph".into(),
                number: 404,
            },
            "sourcegraph/sourcegraph",
            "https://github.example/sourcegraph/sourcegraph/issues/404".into(),
            "GitHub: 404".into(),
        );
        let links = [
            pull(16201, ItemState::Merged, Some(Checks::Success)),
            pull(16209, ItemState::Draft, Some(Checks::Failure)),
            pull(16300, ItemState::Open, Some(Checks::None)),
            branch("3.23", Checks::Pending),
            missing,
        ];
        let spans = badges(&links, &theme);
        assert_eq!(
            text(&spans),
            " #16201 merged ✓ #16209 draft ✗ #16300 open 3.23 CI pending #404 ?"
        );
        let style_of = |s: &str| {
            spans
                .iter()
                .find(|x| x.content == s)
                .map(|x| x.style)
                .unwrap_or_else(|| panic!("no span {s:?}"))
        };
        assert_eq!(style_of(" ✓"), theme.style(Role::Ok));
        assert_eq!(style_of(" ✗"), theme.style(Role::Bad));
        assert_eq!(style_of(" CI pending"), theme.style(Role::Attention));
        assert_eq!(style_of(" ?"), theme.style(Role::Warning));
        assert_eq!(style_of("#16201"), theme.style(Role::Accent));
        assert!(badges(&[], &theme).is_empty());
    }

    #[test]
    fn step_badges_name_other_repositories_and_count_the_rest() {
        let theme = Theme::default();
        let other = link(
            Target::Issue {
                repo: "sourcegraph/zoekt".into(),
                number: 12,
            },
            LinkKind::Issue,
            Some(ItemState::Closed),
            None,
        );
        let links = StepLinks {
            states: vec![pull(1, ItemState::Open, Some(Checks::Pending)), other],
            more: 3,
        };
        assert_eq!(
            text(&step_badges(&links, &theme)),
            " #1 open ○ sourcegraph/zoekt#12 closed +3"
        );
    }

    #[test]
    fn detail_lines_say_it_in_words_and_wrap_without_cutting() {
        let theme = Theme::default();
        let mut merged = pull(16201, ItemState::Merged, Some(Checks::Success));
        merged.title = Some("search: cap memory during zoekt shard merges".into());
        let mut gone = LinkState::unknown(
            Target::Pull {
                repo: "sourcegraph/sourcegraph".into(),
                number: 9,
            },
            "sourcegraph/sourcegraph",
            "https://github.example/sourcegraph/sourcegraph/pull/9".into(),
            "GitHub: pull request sourcegraph/sourcegraph#9: 404 not found".into(),
        );
        gone.title = None;
        let lines = detail_lines(&[merged, branch("3.23", Checks::Pending), gone], &theme, 40);
        let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "#16201 pull request merged · checks",
                "  success — search: cap memory during",
                "  zoekt shard merges",
                "  https://github.example/sourcegraph/sou",
                "    rcegraph/pull/16201",
                "3.23 branch/tag CI pending",
                "  https://github.example/sourcegraph/sou",
                "    rcegraph/tree/3.23",
                "#9 pull request unknown",
                "  https://github.example/sourcegraph/sou",
                "    rcegraph/pull/9",
                "  GitHub: pull request",
                "    sourcegraph/sourcegraph#9: 404 not",
                "    found",
            ]
        );
        assert!(shown.iter().all(|l| l.chars().count() <= 40));
        assert_eq!(lines[0].style, theme.style(Role::Ok));
        assert_eq!(lines[5].style, theme.style(Role::Attention));
        assert_eq!(lines[8].style, theme.style(Role::Warning));
        assert_eq!(lines[11].style, theme.style(Role::Bad));
    }
}
