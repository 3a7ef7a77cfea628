//! Console-wide navigation: views and their parent (the overview), read-only
//! refusals, the selected item's URL (`o`/`y`), keys the view does not
//! bind, and quitting.

use super::action::Effect;
use super::keymap::Command;
use super::overlays::Overlay;
use super::overlays::confirm::{Confirm, PendingOp};
use super::state::{Level, State, View};

/// Switches view.
pub fn go(state: &mut State, view: View) {
    state.view = view;
}

/// Esc with nothing else to close: up to the parent, the overview (Esc
/// walks the path detail → list → view → overview, never the visits).
pub fn back(state: &mut State) -> bool {
    if state.view == View::Overview {
        return false;
    }
    state.view = View::Overview;
    true
}

/// Commands that change something elsewhere.
pub fn is_mutation(cmd: Command) -> bool {
    matches!(
        cmd,
        Command::Ack
            | Command::AckTeam
            | Command::Extend
            | Command::Unack
            | Command::Tick
            | Command::Trigger
            | Command::Bump
            | Command::BumpAll
    )
}

/// In read-only mode, refuses a mutation with a visible reason.
pub fn refuse_if_read_only(state: &mut State, cmd: Command) -> bool {
    if state.read_only && is_mutation(cmd) {
        let what = match cmd {
            Command::Ack | Command::AckTeam => "acknowledging",
            Command::Extend => "extending silences",
            Command::Unack => "expiring silences",
            Command::Tick => "ticking steps",
            Command::Trigger => "running commands",
            _ => "bumping images",
        };
        let why = if state.read_only_locked {
            "started with --read-only or read_only = true"
        } else {
            "switched on with :readonly for this session"
        };
        state.say(
            Level::Error,
            format!("read-only: {what} is refused ({why})"),
        );
        return true;
    }
    false
}

/// The URL of what is selected: a runbook or the generator URL for an alert,
/// the tracking issue, the last bump's pull request.
pub fn selected_url(state: &State) -> Option<String> {
    super::panes::url(state)
}

/// `o` / `y`.
pub fn url_command(state: &mut State, cmd: Command) -> Vec<Effect> {
    if cmd == Command::CopyUrl
        && let Some(text) = super::panes::copy_text(state)
    {
        let lines = text.lines().count();
        state.say(
            Level::Info,
            format!(
                "copied the step's text ({})",
                crate::core::words::plural(lines, "line")
            ),
        );
        return vec![Effect::Copy(text)];
    }
    let Some(url) = selected_url(state) else {
        state.say(Level::Error, "no link here");
        return Vec::new();
    };
    if cmd == Command::OpenUrl {
        state.say(Level::Info, format!("opening {url}"));
        vec![Effect::OpenUrl(url)]
    } else {
        state.say(Level::Info, format!("copied {url}"));
        vec![Effect::Copy(url)]
    }
}

/// Quits, unless a release command is still running: then asks first
/// (quitting stops it, SIGTERM then SIGKILL).
pub fn quit(state: &mut State) -> Vec<Effect> {
    if let Some(run) = state.release.run.as_ref().filter(|r| r.running()) {
        let question = format!(
            "A command is still running ({}). Stop it and quit?",
            run.shown
        );
        let grace = humantime::format_duration(state.release.stop_grace);
        state.overlays.push(Overlay::Confirm(Confirm {
            question,
            details: vec![format!(
                "it gets SIGTERM, then SIGKILL after {grace}; the step is not ticked"
            )],
            op: PendingOp::Quit,
        }));
        return Vec::new();
    }
    state.quit = true;
    vec![Effect::Quit]
}

/// A key the shown view does not bind: never silent. `/` on the overview
/// filters the alerts (it opens the alerts view and returns the command to
/// run there); a key of another view says where it works ("a (acknowledge:
/// silence the alert) works in the alerts view — press 1"); any other key
/// says so.
pub fn unbound(state: &mut State, key: crossterm::event::KeyEvent) -> Option<Command> {
    use crate::app::keymap::{Context, Key};
    use crossterm::event::KeyCode;
    if matches!(key.code, KeyCode::Modifier(_) | KeyCode::Null) {
        return None;
    }
    let context = super::panes::context(state.view);
    let label = Key::from_event(key).label();
    let Some(b) = state.keymap.elsewhere(context, key) else {
        let help = state
            .keymap
            .key_for(Context::Global, Command::Help)
            .unwrap_or_else(|| "?".into());
        state.say(
            Level::Info,
            format!("{label} does nothing here — {help} lists the keys"),
        );
        return None;
    };
    let (command, help) = (b.command, b.help);
    let (view, name, switch) = match b.context {
        Context::Release => (View::Release, "release", Command::ViewRelease),
        Context::Deploy => (View::Deploy, "deploy", Command::ViewDeploy),
        Context::Overview => (View::Overview, "overview", Command::ViewOverview),
        _ => (View::Alerts, "alerts", Command::ViewAlerts),
    };
    if state.view == View::Overview && command == Command::Filter {
        go(state, view);
        return Some(command);
    }
    let press = state
        .keymap
        .key_for(Context::Global, switch)
        .map_or(String::new(), |k| format!(" — press {k}"));
    state.say(
        Level::Info,
        format!("{label} ({help}) works in the {name} view{press}"),
    );
    None
}
