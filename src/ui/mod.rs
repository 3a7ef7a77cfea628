//! Pure rendering: `render(&State, &mut Frame)`, one file per pane
//! (`panes/`) and per overlay (`overlays/`), beside the chrome, the theme
//! and the shared geometry (`layout`). Nothing
//! here changes state or does I/O; the runtime calls it only after the state
//! changed.

mod chrome;
pub mod layout;
pub(crate) mod overlays;
pub(crate) mod panes;
pub mod text;
pub mod theme;

/// The release view's link badges and detail lines (public so tools and
/// tests can draw a step's links the way the view does).
pub use panes::release_links;

use overlays::{blockers, dialogs, help, messages, palette, pick, search, silences};
use panes::{alerts, deploy, overview, placeholder, release};

use ratatui::Frame;

use crate::app::state::{HitList, HitMap, HitTarget, Overlay, State, View};

/// Records the rows of a bordered list (`skip` lines of column header
/// inside the border) and the index of its first shown item.
fn record(
    hits: &mut HitMap,
    target: HitTarget,
    area: ratatui::layout::Rect,
    skip: u16,
    first: usize,
) {
    let inner_y = area.y.saturating_add(1).saturating_add(skip);
    let height = area.height.saturating_sub(2).saturating_sub(skip);
    hits.lists.push(HitList {
        target,
        rows: (
            area.x.saturating_add(1),
            inner_y,
            area.width.saturating_sub(2),
            height,
        ),
        first,
    });
}

/// A progress bar for release progress (shared by views).
pub fn release_bar(done: usize, total: usize, width: usize) -> String {
    release::bar(done, total, width)
}

/// Draws the whole screen.
pub fn render(state: &State, frame: &mut Frame) {
    render_recording(state, frame, &mut HitMap::default());
}

/// Draws the whole screen and records where its clickable lists went.
pub fn render_recording(state: &State, frame: &mut Frame, hits: &mut HitMap) {
    hits.lists.clear();
    let [header, body, footer] = layout::screen(frame.area());
    chrome::header(state, frame, header);
    match state.view {
        View::Overview => overview::render(state, frame, body, hits),
        View::Alerts => alerts::render(state, frame, body, hits),
        View::Release if state.release.configured => release::render(state, frame, body),
        View::Release => {
            placeholder::render(&state.theme, frame, body, "Release checklist", "[release]")
        }
        View::Deploy if state.deploy.configured => deploy::render(state, frame, body, hits),
        View::Deploy => {
            placeholder::render(&state.theme, frame, body, "Deployment sync", "[deploy]")
        }
    }
    chrome::footer(state, frame, footer);
    for overlay in &state.overlays {
        match overlay {
            Overlay::Help(offset) => help::render(state, frame, body, *offset),
            Overlay::Messages(offset) => messages::render(state, frame, body, *offset),
            Overlay::Resolved(offset) => {
                panes::alerts_resolved::render_overlay(state, frame, body, *offset);
            }
            Overlay::AckForm(form) => dialogs::ack_form(state, form, frame, body),
            Overlay::Confirm(c) => {
                dialogs::confirm(&state.theme, c, state.confirm_scroll, frame, body)
            }
            Overlay::Silences(list) => silences::render(state, list, frame, body),
            Overlay::Palette(p) => palette::render(state, p, frame, body),
            Overlay::Prompt(p) => dialogs::prompt(&state.theme, p, frame, body),
            Overlay::Pick(p) => pick::render(&state.theme, p, frame, body),
            Overlay::Blockers(list) => blockers::render(state, list, frame, body),
            Overlay::Search(s) => search::render(state, s, frame, body),
        }
    }
}
