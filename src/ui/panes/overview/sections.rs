//! The overview's release and deploy sections.

use ratatui::text::{Line, Span};

use super::{Rows, more};
use crate::app::panes::overview::state::Item;
use crate::app::state::State;
use crate::deploy::sync::SyncState;
use crate::ui::text::clean;
use crate::ui::theme::Role;

pub(super) fn release(state: &State, rows: usize, width: usize) -> Rows {
    let t = &state.theme;
    let r = &state.release;
    let Some(doc) = &r.doc else {
        return Rows::one(Line::styled("loading…", t.style(Role::Muted)));
    };
    let (done, total) = doc.checklist.progress();
    let mut lines = Rows::default();
    lines.push(Line::styled(
        crate::ui::text::fit(&clean(&doc.title), width),
        t.style(Role::Title),
    ));
    lines.push(Line::from(vec![
        Span::styled(
            crate::ui::release_bar(done, total, 24),
            t.style(Role::Progress),
        ),
        Span::styled(format!(" {done}/{total}"), t.style(Role::Text)),
    ]));
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
            lines.item(
                Line::styled(crate::ui::text::fit(&text, width), t.style(Role::Muted)),
                Item::Blocker {
                    repo: bl.repo.clone(),
                    number: bl.number,
                },
            );
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
        lines.item(
            Line::from(vec![
                Span::styled(crate::ui::text::fit(&text, room), t.style(Role::Text)),
                Span::styled(rest, t.style(Role::Dim)),
            ]),
            Item::Step(open[0].id.clone()),
        );
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
        lines.item(
            Line::styled(crate::ui::text::fit(&text, width), t.style(Role::Text)),
            Item::Step(step.id.clone()),
        );
    }
    if open.len() > fits {
        lines.push(more(state, open.len() - fits, "open steps"));
    }
    lines
}

pub(super) fn deploy(state: &State, rows: usize, width: usize) -> Rows {
    let t = &state.theme;
    let d = &state.deploy;
    let Some(snap) = &d.snapshot else {
        return Rows::one(Line::styled("scanning…", t.style(Role::Muted)));
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
    let mut lines = Rows::default();
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
        lines.item(
            Line::from(vec![
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
            ]),
            Item::Image(i.key.clone()),
        );
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
            lines.item(
                Line::styled(
                    format!(
                        "{:<w$} synced {}",
                        crate::ui::text::fit(&clean(&i.repository), w),
                        clean(tag)
                    ),
                    t.style(Role::Dim),
                ),
                Item::Image(i.key.clone()),
            );
        }
        if synced.len() > fits {
            lines.push(more(state, synced.len() - fits, "synced"));
        }
    }
    lines
}
