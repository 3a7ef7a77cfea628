//! The `:` command palette: the input line and its completions.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::keymap::{PaletteCommand, PaletteEntry};
use crate::app::overlays::palette::Palette;
use crate::app::state::State;
use crate::ui::theme::Role;

/// Draws the palette at the bottom of `area`.
pub fn render(state: &State, palette: &Palette, frame: &mut Frame, area: Rect) {
    let t = &state.theme;
    let completions = palette.completions(state);
    // Up to half the screen: every command fits on a usual terminal.
    let room = usize::from(area.height / 2).saturating_sub(3).max(3);
    let more = completions.len() > room;
    let shown: Vec<&String> = completions
        .iter()
        .take(if more { room.saturating_sub(1) } else { room })
        .collect();
    let height = u16::try_from(shown.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3)
        + u16::from(palette.error.is_some())
        + u16::from(more);
    let rect = Rect {
        x: area.x,
        y: area.y + area.height.saturating_sub(height),
        width: area.width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, rect);
    let mut lines = vec![Line::from(vec![
        Span::styled(":", t.style(Role::Accent)),
        Span::styled(palette.input.text().to_string(), t.style(Role::Text)),
        Span::styled("█", t.style(Role::Muted)),
    ])];
    if let Some(e) = &palette.error {
        lines.push(Line::styled(e.clone(), t.style(Role::Bad)));
    }
    for c in &shown {
        let name = c.split(' ').next().unwrap_or(c);
        let entry = PaletteEntry::find(name);
        let mut help = entry.map_or(String::new(), |e| e.help.clone());
        // The key that does the same here, as the keymap has it now.
        if let Some(PaletteEntry {
            command: PaletteCommand::Run(cmd),
            context,
            ..
        }) = entry
        {
            if let Some(k) = state.keymap.key_for(*context, *cmd) {
                help.push_str(&format!("  ({k})"));
            }
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {c:<22}"), t.style(Role::Key)),
            Span::styled(help, t.style(Role::Muted)),
        ]));
    }
    if completions.len() > shown.len() {
        lines.push(Line::styled(
            format!(
                "  +{} more — type to narrow, Tab completes",
                completions.len() - shown.len()
            ),
            t.style(Role::Dim),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::TOP)
                .border_style(t.style(Role::BorderFocus))
                .title(" command — Tab completes · ↑↓ history · Enter runs · Esc closes "),
        ),
        rect,
    );
}
