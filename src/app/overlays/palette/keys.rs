//! Keys in the palette, and running a palette line.

use crossterm::event::{KeyCode, KeyEvent};

use crate::alerts::arrange::{GroupBy, SortBy};
use crate::alerts::matcher::Filter;
use crate::app::action::Effect;
use crate::app::keymap::{Command, Context, PaletteCommand, PaletteEntry, palette};
use crate::app::nav::go;
use crate::app::overlays::Handled;
use crate::app::overlays::Overlay;
use crate::app::state::{Focus, Level, State, View};

/// Most palette entries remembered.
const HISTORY: usize = 50;

/// Keys in the palette.
pub fn key(state: &mut State, key: KeyEvent) -> Handled {
    let completions = match state.overlays.last() {
        Some(Overlay::Palette(p)) => p.completions(state),
        _ => return done(),
    };
    let history = state.palette_history.clone();
    let Some(Overlay::Palette(p)) = state.overlays.last_mut() else {
        return done();
    };
    match key.code {
        KeyCode::Esc => {
            state.overlays.pop();
        }
        KeyCode::Tab => {
            if let Some(first) = completions.first() {
                let takes_arg = PaletteEntry::find(first).is_some_and(PaletteEntry::accepts_arg);
                p.input.set(&if takes_arg {
                    format!("{first} ")
                } else {
                    first.clone()
                });
            }
        }
        KeyCode::Up | KeyCode::Down => {
            if history.is_empty() {
                return done();
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
                return done();
            }
            return run_palette(state, &line);
        }
        // `:` again on an empty line is the palette key, not text.
        KeyCode::Char(':') if p.input.text().is_empty() => {}
        _ => {
            if p.input.handle(key) {
                p.error = None;
                p.history_pos = None;
            }
        }
    }
    done()
}

fn remember(state: &mut State, line: &str) {
    state.palette_history.retain(|l| l != line);
    state.palette_history.push(line.to_string());
    if state.palette_history.len() > HISTORY {
        state.palette_history.remove(0);
    }
}

/// Runs a palette line; on error the palette stays open with the message,
/// and a command that ran clears it. A keymap command runs as its key
/// does, in the view that binds it (switching to it first): the caller
/// routes [`Handled::Global`] to `update::command`.
pub fn run_palette(state: &mut State, line: &str) -> Handled {
    let (name, arg) = match line.split_once(' ') {
        Some((n, a)) => (n, a.trim()),
        None => (line, ""),
    };
    // Unique prefixes work: `:rel` is `:release`.
    let matches: Vec<&PaletteEntry> = palette()
        .iter()
        .filter(|e| e.name.starts_with(name))
        .collect();
    let Some(entry) = PaletteEntry::find(name).or(match matches[..] {
        [only] => Some(only),
        _ => None,
    }) else {
        let msg = if matches.is_empty() {
            format!("unknown command :{name} — Tab lists the commands")
        } else {
            let names: Vec<&str> = matches.iter().map(|e| e.name.as_str()).collect();
            format!(":{name} is ambiguous: {}", names.join(" "))
        };
        palette_error(state, msg);
        return done();
    };
    let cmd = entry.name.as_str();
    if entry.takes_arg() && arg.is_empty() {
        palette_error(state, format!(":{cmd} needs an argument"));
        return done();
    }
    if !entry.accepts_arg() && !arg.is_empty() {
        palette_error(state, format!(":{cmd} takes no argument (got {arg:?})"));
        return done();
    }
    // What the arguments name is checked before the palette closes, so a
    // typo is fixed in place.
    let arranged = match entry.command {
        PaletteCommand::Run(Command::Group) if !arg.is_empty() => match GroupBy::parse(arg) {
            Ok(g) => Some((Some(g), None)),
            Err(e) => {
                palette_error(state, format!(":group: {e}"));
                return done();
            }
        },
        PaletteCommand::Run(Command::Sort) if !arg.is_empty() => match SortBy::parse(arg) {
            Ok(s) => Some((None, Some(s))),
            Err(e) => {
                palette_error(state, format!(":sort: {e}"));
                return done();
            }
        },
        _ => None,
    };
    let team = if entry.command == PaletteCommand::Team {
        match find_team(state, arg) {
            Ok(team) => Some(team),
            Err(e) => {
                palette_error(state, e);
                return done();
            }
        }
    } else {
        None
    };
    remember(state, line);
    state.overlays.retain(|o| !matches!(o, Overlay::Palette(_)));
    if let Some((group, sort)) = arranged {
        go(state, View::Alerts);
        crate::app::panes::alerts::marks::rearrange(state, group, sort);
        return done();
    }
    if let Some(team) = team {
        go(state, View::Alerts);
        crate::app::panes::alerts::marks::show_team(state, &team);
        return done();
    }
    match entry.command {
        PaletteCommand::Team => {}
        PaletteCommand::Run(command) => {
            // Where its key works: the view first, then what the key does.
            let view = match entry.context {
                Context::Alerts | Context::Silences => Some(View::Alerts),
                Context::Release => Some(View::Release),
                Context::Deploy => Some(View::Deploy),
                Context::Overview => Some(View::Overview),
                Context::Global => None,
            };
            if let Some(view) = view {
                if state.view != view {
                    go(state, view);
                }
            }
            // `:ack` acts on the selected alert, as `a` does from the list.
            if command == Command::Ack {
                state.alerts.focus = Focus::Alerts;
            }
            return Handled::Global(command);
        }
        PaletteCommand::Readonly => {
            state.read_only = true;
            state.say(Level::Info, "read-only: changes are refused from now on");
        }
        PaletteCommand::Theme => return Handled::Done(vec![Effect::LoadTheme(arg.to_string())]),
        PaletteCommand::Context => {
            if !state.contexts.iter().any(|c| c == arg) {
                let known = if state.contexts.is_empty() {
                    "the config defines none".to_string()
                } else {
                    state.contexts.join(", ")
                };
                state.say(Level::Error, format!("no context {arg:?} ({known})"));
                return done();
            }
            return Handled::Done(vec![Effect::SwitchContext(arg.to_string())]);
        }
        PaletteCommand::Filter if arg.is_empty() => {
            go(state, View::Alerts);
            return Handled::Global(Command::Filter);
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
    done()
}

/// The team `:team NAME` names: exactly, else the one team it is a
/// prefix of (or a part of), among every team with alerts now.
fn find_team(state: &State, arg: &str) -> Result<String, String> {
    let teams: Vec<&str> = state
        .alerts
        .teams()
        .iter()
        .map(|g| g.key.as_str())
        .collect();
    if let Some(t) = teams.iter().find(|t| **t == arg) {
        return Ok((*t).to_string());
    }
    let lower = arg.to_lowercase();
    for pick in [
        |t: &str, a: &str| t.to_lowercase().starts_with(a),
        |t: &str, a: &str| t.to_lowercase().contains(a),
    ] {
        let found: Vec<&str> = teams.iter().copied().filter(|t| pick(t, &lower)).collect();
        match found.as_slice() {
            [one] => return Ok((*one).to_string()),
            [] => {}
            many => {
                return Err(format!(
                    ":team {arg} is ambiguous: {}",
                    crate::core::words::list_cut(many, 6)
                ));
            }
        }
    }
    let known = if teams.is_empty() {
        "no team has alerts now".to_string()
    } else {
        format!("teams: {}", crate::core::words::list_cut(&teams, 8))
    };
    Err(format!(
        "no team {arg:?} among the current alerts ({known})"
    ))
}

fn done() -> Handled {
    Handled::Done(Vec::new())
}

/// A rejected line: the palette stays open, empty, with the reason (so
/// the next `:` or command starts afresh).
fn palette_error(state: &mut State, message: String) {
    if let Some(Overlay::Palette(p)) = state.overlays.last_mut() {
        p.input.set("");
        p.history_pos = None;
        p.error = Some(message);
    } else {
        state.say(Level::Error, message);
    }
}
