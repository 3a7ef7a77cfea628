//! Keys in the palette, and running a palette line.

use crossterm::event::{KeyCode, KeyEvent};

use super::PALETTE_COMMANDS;
use crate::alerts::matcher::Filter;
use crate::app::action::Effect;
use crate::app::keymap::Command;
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
                let takes_arg = PALETTE_COMMANDS
                    .iter()
                    .any(|(n, arg, _)| *arg && first == n);
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
    let matches: Vec<&(&str, bool, &str)> = PALETTE_COMMANDS
        .iter()
        .filter(|(n, _, _)| *n == name || n.starts_with(name))
        .collect();
    let exact = PALETTE_COMMANDS.iter().find(|(n, _, _)| *n == name);
    let Some((cmd, takes_arg, _)) = exact.or(if matches.len() == 1 {
        Some(matches[0])
    } else {
        None
    }) else {
        let known: Vec<&str> = PALETTE_COMMANDS.iter().map(|(n, _, _)| *n).collect();
        let msg = if matches.is_empty() {
            format!("unknown command :{name}; commands: {}", known.join(" "))
        } else {
            format!(
                ":{name} is ambiguous: {}",
                matches
                    .iter()
                    .map(|(n, _, _)| *n)
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        palette_error(state, msg);
        return Vec::new();
    };
    if *takes_arg && arg.is_empty() {
        palette_error(state, format!(":{cmd} needs an argument"));
        return Vec::new();
    }
    if !*takes_arg && !arg.is_empty() {
        palette_error(state, format!(":{cmd} takes no argument (got {arg:?})"));
        return Vec::new();
    }
    remember(state, line);
    state.overlays.retain(|o| !matches!(o, Overlay::Palette(_)));
    match *cmd {
        "overview" => go(state, View::Overview),
        "alerts" => go(state, View::Alerts),
        "release" => go(state, View::Release),
        "deploy" => go(state, View::Deploy),
        "help" => state.overlays.push(Overlay::Help(0)),
        "quit" => return crate::app::nav::quit(state),
        "readonly" => {
            state.read_only = true;
            state.say(Level::Info, "read-only: changes are refused from now on");
        }
        "theme" => return vec![Effect::LoadTheme(arg.to_string())],
        "context" => {
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
        "filter" => match Filter::parse(arg) {
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
        "ack" => {
            go(state, View::Alerts);
            state.alerts.focus = Focus::Alerts;
            if crate::app::nav::refuse_if_read_only(state, Command::Ack) {
                return Vec::new();
            }
            return crate::app::panes::alerts::update::command(state, Command::Ack);
        }
        _ => {}
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
