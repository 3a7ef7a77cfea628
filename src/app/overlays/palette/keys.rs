//! Keys in the palette, and running a palette line.

use crossterm::event::{KeyCode, KeyEvent};

use crate::alerts::matcher::Filter;
use crate::app::action::Effect;
use crate::app::keymap::{Command, PALETTE, PaletteCommand, PaletteEntry};
use crate::app::nav::go;
use crate::app::overlays::Overlay;
use crate::app::state::{Focus, Level, State, View};

/// Most palette entries remembered.
const HISTORY: usize = 50;

/// Keys in the palette.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let completions = match state.overlays.last() {
        Some(Overlay::Palette(p)) => p.completions(state),
        _ => return Vec::new(),
    };
    let history = state.palette_history.clone();
    let Some(Overlay::Palette(p)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
        }
        KeyCode::Tab => {
            if let Some(first) = completions.first() {
                let takes_arg = PaletteEntry::find(first).is_some_and(PaletteEntry::takes_arg);
                p.input.set(&if takes_arg {
                    format!("{first} ")
                } else {
                    first.clone()
                });
            }
        }
        KeyCode::Up | KeyCode::Down => {
            if history.is_empty() {
                return Vec::new();
            }
            let last = history.len() - 1;
            let pos = match (p.history_pos, key.code) {
                (None, KeyCode::Up) => Some(last),
                (Some(i), KeyCode::Up) => Some(i.saturating_sub(1)),
                (Some(i), KeyCode::Down) if i < last => Some(i + 1),
                _ => None,
            };
            p.history_pos = pos;
            p.input.set(pos.map_or("", |i| history[i].as_str()));
        }
        KeyCode::Enter => {
            let line = p.input.text().trim().to_string();
            if line.is_empty() {
                state.overlays.pop();
                return Vec::new();
            }
            return run_palette(state, &line);
        }
        _ => {
            if p.input.handle(key) {
                p.error = None;
                p.history_pos = None;
            }
        }
    }
    Vec::new()
}

fn remember(state: &mut State, line: &str) {
    state.palette_history.retain(|l| l != line);
    state.palette_history.push(line.to_string());
    if state.palette_history.len() > HISTORY {
        state.palette_history.remove(0);
    }
}

/// Runs a palette line; on error the palette stays open with the message.
pub fn run_palette(state: &mut State, line: &str) -> Vec<Effect> {
    let (name, arg) = match line.split_once(' ') {
        Some((n, a)) => (n, a.trim()),
        None => (line, ""),
    };
    // Unique prefixes work: `:rel` is `:release`.
    let matches: Vec<PaletteEntry> = PALETTE
        .iter()
        .copied()
        .filter(|e| e.name.starts_with(name))
        .collect();
    let Some(entry) = PaletteEntry::find(name).or(match matches[..] {
        [only] => Some(only),
        _ => None,
    }) else {
        let names =
            |entries: &[PaletteEntry]| entries.iter().map(|e| e.name).collect::<Vec<_>>().join(" ");
        let msg = if matches.is_empty() {
            format!("unknown command :{name}; commands: {}", names(PALETTE))
        } else {
            format!(":{name} is ambiguous: {}", names(&matches))
        };
        palette_error(state, msg);
        return Vec::new();
    };
    let cmd = entry.name;
    if entry.takes_arg() && arg.is_empty() {
        palette_error(state, format!(":{cmd} needs an argument"));
        return Vec::new();
    }
    if !entry.takes_arg() && !arg.is_empty() {
        palette_error(state, format!(":{cmd} takes no argument (got {arg:?})"));
        return Vec::new();
    }
    remember(state, line);
    state.overlays.retain(|o| !matches!(o, Overlay::Palette(_)));
    match entry.command {
        // A keymap command does what its key does (as `update::command`,
        // which this overlay does not import: update routes to it).
        PaletteCommand::Run(Command::ViewOverview) => go(state, View::Overview),
        PaletteCommand::Run(Command::ViewAlerts) => go(state, View::Alerts),
        PaletteCommand::Run(Command::ViewRelease) => go(state, View::Release),
        PaletteCommand::Run(Command::ViewDeploy) => go(state, View::Deploy),
        PaletteCommand::Run(Command::Help) => state.overlays.push(Overlay::Help(0)),
        PaletteCommand::Run(Command::Messages) => state.overlays.push(Overlay::Messages(0)),
        PaletteCommand::Run(Command::Quit) => return crate::app::nav::quit(state),
        // `:ack` acts on the alerts view's selected alert, wherever it runs.
        PaletteCommand::Run(Command::Ack) => {
            go(state, View::Alerts);
            state.alerts.focus = Focus::Alerts;
            if crate::app::nav::refuse_if_read_only(state, Command::Ack) {
                return Vec::new();
            }
            return crate::app::panes::alerts::update::command(state, Command::Ack);
        }
        // The release view's blocker list, wherever it runs.
        PaletteCommand::Run(Command::Blockers) => {
            return crate::app::panes::command(state, Command::Blockers);
        }
        // Not in the palette's table (a test checks every entry is handled).
        PaletteCommand::Run(_) => {}
        PaletteCommand::Readonly => {
            state.read_only = true;
            state.say(Level::Info, "read-only: changes are refused from now on");
        }
        PaletteCommand::Theme => return vec![Effect::LoadTheme(arg.to_string())],
        PaletteCommand::Context => {
            if !state.contexts.iter().any(|c| c == arg) {
                let known = if state.contexts.is_empty() {
                    "the config defines none".to_string()
                } else {
                    state.contexts.join(", ")
                };
                state.say(Level::Error, format!("no context {arg:?} ({known})"));
                return Vec::new();
            }
            return vec![Effect::SwitchContext(arg.to_string())];
        }
        PaletteCommand::Filter => match Filter::parse(arg) {
            Ok(f) => {
                go(state, View::Alerts);
                state.alerts.filter.input.set(arg);
                state.alerts.filter.applied = f;
                state.alerts.filter.error = None;
                state.regroup();
            }
            Err(e) => {
                state.say(Level::Error, format!(":filter: {}", e.message));
            }
        },
    }
    Vec::new()
}

fn palette_error(state: &mut State, message: String) {
    if let Some(Overlay::Palette(p)) = state.overlays.last_mut() {
        p.error = Some(message);
    } else {
        state.say(Level::Error, message);
    }
}
