//! Console-wide behaviour: the page stack behind the breadcrumb, the `:`
//! command palette, read-only refusals, the selected item's URL (`o`/`y`),
//! notifications on new critical alerts, and the mouse. Pure.

use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use super::action::Effect;
use super::input::LineInput;
use super::keymap::{Command, Context};
use super::state::{Focus, Level, Overlay, State, View};
use crate::alerts::matcher::Filter;
use crate::alerts::model::{AlertState, Severity};

/// Most palette entries remembered.
const HISTORY: usize = 50;

/// The `:` palette's commands: (name, takes an argument, help).
pub const PALETTE_COMMANDS: &[(&str, bool, &str)] = &[
    ("overview", false, "the start screen"),
    ("alerts", false, "alerts by owning team"),
    ("release", false, "the release checklist"),
    ("deploy", false, "deployment sync"),
    (
        "filter",
        true,
        "filter alerts, e.g. :filter @severity=critical @team=search",
    ),
    ("ack", false, "acknowledge the selected alert"),
    (
        "theme",
        true,
        "switch theme: dark, light, high-contrast, prod, or a file",
    ),
    ("readonly", false, "refuse every change from now on"),
    ("context", true, "switch to [context.NAME]"),
    ("help", false, "key help"),
    ("quit", false, "leave opsdeck"),
];

/// The palette's input, history position and completions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Palette {
    /// What is typed (without the `:`).
    pub input: LineInput,
    /// Position in the history while browsing with up/down.
    pub history_pos: Option<usize>,
    /// Why the last entry failed.
    pub error: Option<String>,
}

impl Palette {
    /// Commands (or arguments) that complete what is typed.
    pub fn completions(&self, state: &State) -> Vec<String> {
        let text = self.input.text();
        match text.split_once(' ') {
            None => PALETTE_COMMANDS
                .iter()
                .filter(|(n, _, _)| n.starts_with(text))
                .map(|(n, _, _)| n.to_string())
                .collect(),
            Some(("theme", arg)) => crate::ui::theme::Theme::BUILTIN
                .iter()
                .filter(|n| n.starts_with(arg))
                .map(|n| format!("theme {n}"))
                .collect(),
            Some(("context", arg)) => state
                .contexts
                .iter()
                .filter(|n| n.starts_with(arg))
                .map(|n| format!("context {n}"))
                .collect(),
            Some(_) => Vec::new(),
        }
    }
}

/// Switches view, remembering where we were (for Esc and the breadcrumb).
pub fn go(state: &mut State, view: View) {
    if state.view != view {
        state.history.push(state.view);
        if state.history.len() > 20 {
            state.history.remove(0);
        }
        state.view = view;
    }
}

/// Esc with nothing else to close: back to the previous page.
pub fn back(state: &mut State) -> bool {
    match state.history.pop() {
        Some(v) => {
            state.view = v;
            true
        }
        None => false,
    }
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
    match state.view {
        View::Alerts => state.selected_alert().and_then(|a| {
            a.runbook_url()
                .map(str::to_string)
                .or_else(|| a.generator_url.clone())
        }),
        View::Release => state.release.doc.as_ref().and_then(|d| d.url.clone()),
        View::Deploy => state
            .deploy
            .last_bump
            .clone()
            .filter(|u| u.starts_with("http")),
        View::Overview => None,
    }
}

/// `o` / `y`.
pub fn url_command(state: &mut State, cmd: Command) -> Vec<Effect> {
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

/// Keys in the palette.
pub fn palette_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
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
        "quit" => return super::update::quit(state),
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
                state.filter.input.set(arg);
                state.filter.applied = f;
                state.filter.error = None;
                state.regroup();
            }
            Err(e) => {
                state.say(Level::Error, format!(":filter: {}", e.message));
            }
        },
        "ack" => {
            go(state, View::Alerts);
            state.focus = Focus::Alerts;
            return super::update::command(state, Command::Ack);
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

/// After a refresh: new critical firing alerts (for `notify.teams`, or all)
/// that were never notified produce one notification each. The first
/// refresh only records what is already firing.
pub fn notifications(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    let baseline = !state.notify.primed;
    let mut fresh = Vec::new();
    for a in &state.alerts {
        if a.severity != Severity::Critical || a.state != AlertState::Firing {
            continue;
        }
        if !state.notify.teams.is_empty() && !state.notify.teams.contains(&a.team) {
            continue;
        }
        if state.notify.seen.insert(a.fingerprint.clone()) && !baseline {
            fresh.push((
                a.name().to_string(),
                a.team.clone(),
                a.summary().to_string(),
            ));
        }
    }
    state.notify.primed = true;
    for (name, team, summary) in fresh {
        effects.push(Effect::Notify {
            title: format!("critical: {name} ({team})"),
            body: summary,
        });
    }
    effects
}

/// The mouse: the wheel moves the selection; a click selects a row of the
/// team list, the alert list or the deploy table.
pub fn mouse(state: &mut State, event: MouseEvent) -> Vec<Effect> {
    if !state.overlays.is_empty() {
        return Vec::new();
    }
    match event.kind {
        MouseEventKind::ScrollDown => super::update::command(state, Command::Down),
        MouseEventKind::ScrollUp => super::update::command(state, Command::Up),
        MouseEventKind::Down(MouseButton::Left) => {
            click(state, event.column, event.row);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Selects what was drawn under the click (the last frame's hit map).
fn click(state: &mut State, x: u16, y: u16) {
    use super::state::HitTarget;
    let Some((target, row)) = state.hits.at(x, y) else {
        return;
    };
    match target {
        HitTarget::Teams if state.view == View::Alerts && row < state.groups.len() => {
            state.focus = Focus::Teams;
            state.team = row;
            state.alert = 0;
        }
        HitTarget::Alerts if state.view == View::Alerts => {
            let len = state.selected_group().map_or(0, |g| g.total());
            if row < len {
                state.focus = Focus::Alerts;
                state.alert = row;
            }
        }
        HitTarget::DeployImages if state.view == View::Deploy => {
            let len = state.deploy.snapshot.as_ref().map_or(0, |s| s.images.len());
            if row < len {
                state.deploy.cursor = row;
            }
        }
        _ => {}
    }
}

/// The help screen's filter examples.
pub const FILTER_EXAMPLES: [&str; 3] = [
    "@severity=critical owner!=search",
    "alertname=~\"warning_.*\" @state=silenced",
    "@team=search disk",
];

/// Below this many columns the help screen is one column, not two.
pub const HELP_TWO_COLUMNS: u16 = 100;

/// The help screen's columns: the key contexts in each (one column on a
/// narrow terminal), the filter examples last.
pub fn help_columns(state: &State) -> Vec<Vec<Context>> {
    let left = vec![Context::Global, Context::Alerts];
    let right = vec![Context::Silences, Context::Release, Context::Deploy];
    if state.cols >= HELP_TWO_COLUMNS {
        vec![left, right]
    } else {
        vec![left.into_iter().chain(right).collect()]
    }
}

/// Lines of the help screen's longest column: per context a heading, its
/// bindings (and disabled ones) and a blank line; then the filter examples
/// under their heading.
pub fn help_lines(state: &State) -> usize {
    let columns = help_columns(state);
    let last = columns.len().saturating_sub(1);
    columns
        .iter()
        .enumerate()
        .map(|(i, contexts)| {
            let keys: usize = contexts
                .iter()
                .map(|c| {
                    2 + state
                        .keymap
                        .bindings
                        .iter()
                        .filter(|b| b.context == *c)
                        .count()
                        + state
                            .keymap
                            .disabled
                            .iter()
                            .filter(|b| b.context == *c)
                            .count()
                })
                .sum();
            keys + if i == last {
                1 + FILTER_EXAMPLES.len()
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// Lines the help screen shows at once (the terminal less its frame).
pub fn help_rows(state: &State) -> usize {
    usize::from(state.rows.saturating_sub(4)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::client::ClientError;
    use crate::alerts::model::{Alert, AlertmanagerSnapshot, Labels, SourceKind, fingerprint};
    use crate::alerts::source::SourceEvent;
    use crate::app::action::Action;
    use crate::app::state::AlertSettings;
    use crate::app::update::update;
    use crossterm::event::{KeyModifiers, MouseEvent};

    fn alert(name: &str, level: &str, owner: &str) -> Alert {
        let labels: Labels = [("alertname", name), ("level", level), ("owner", owner)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Alert {
            fingerprint: fingerprint(&labels),
            labels: labels.into(),
            annotations: Labels::new().into(),
            starts_at: chrono::DateTime::UNIX_EPOCH,
            state: AlertState::Firing,
            sources: vec!["am".into()],
            generator_url: Some("http://prom/graph".into()),
            silenced_by: vec![],
            inhibited_by: vec![],
            team: String::new(),
            severity: Severity::None,
        }
    }

    fn state() -> State {
        let config = crate::config::Config::default();
        State::new(
            AlertSettings::from_config(&config),
            vec![("am".into(), SourceKind::Alertmanager)],
            false,
            chrono::DateTime::UNIX_EPOCH,
        )
    }

    fn refresh(state: &mut State, alerts: Vec<Alert>) -> Vec<Effect> {
        update(
            state,
            Action::Source(SourceEvent::Alertmanager {
                name: "am".into(),
                result: Ok(AlertmanagerSnapshot {
                    alerts,
                    silences: vec![],
                    peers: vec![],
                    skipped: Vec::new(),
                }),
                at: chrono::DateTime::UNIX_EPOCH,
            }),
        )
    }

    fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
        update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn typed(state: &mut State, text: &str) {
        for c in text.chars() {
            key(state, KeyCode::Char(c));
        }
    }

    #[test]
    fn palette_switches_views_completes_and_remembers() {
        let mut s = state();
        typed(&mut s, ":");
        assert!(matches!(s.overlays.last(), Some(Overlay::Palette(_))));
        typed(&mut s, "rel");
        key(&mut s, KeyCode::Tab);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!()
        };
        assert_eq!(p.input.text(), "release");
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.view, View::Release);
        assert!(s.overlays.is_empty());
        // A unique prefix works too, and history recalls the last line.
        typed(&mut s, ":de");
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.view, View::Deploy);
        typed(&mut s, ":");
        key(&mut s, KeyCode::Up);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!()
        };
        assert_eq!(p.input.text(), "de");
        key(&mut s, KeyCode::Up);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!()
        };
        assert_eq!(p.input.text(), "release");
        key(&mut s, KeyCode::Esc);
        // Esc walks back through the pages.
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Release);
        key(&mut s, KeyCode::Esc);
        assert_eq!(s.view, View::Alerts);
    }

    #[test]
    fn palette_errors_keep_it_open() {
        let mut s = state();
        typed(&mut s, ":frobnicate");
        key(&mut s, KeyCode::Enter);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!("closed")
        };
        assert!(
            p.error
                .as_deref()
                .is_some_and(|e| e.contains("unknown command :frobnicate"))
        );
        key(&mut s, KeyCode::Esc);
        typed(&mut s, ":theme");
        key(&mut s, KeyCode::Enter);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!("closed")
        };
        assert_eq!(p.error.as_deref(), Some(":theme needs an argument"));
        key(&mut s, KeyCode::Esc);
        typed(&mut s, ":alerts x");
        key(&mut s, KeyCode::Enter);
        let Some(Overlay::Palette(p)) = s.overlays.last() else {
            panic!("closed")
        };
        assert_eq!(
            p.error.as_deref(),
            Some(":alerts takes no argument (got \"x\")")
        );
        key(&mut s, KeyCode::Esc);
        typed(&mut s, ":theme light");
        assert_eq!(
            key(&mut s, KeyCode::Enter),
            vec![Effect::LoadTheme("light".into())]
        );
        typed(&mut s, ":context prod");
        assert!(key(&mut s, KeyCode::Enter).is_empty(), "no such context");
        s.contexts = vec!["prod".into()];
        typed(&mut s, ":context prod");
        assert_eq!(
            key(&mut s, KeyCode::Enter),
            vec![Effect::SwitchContext("prod".into())]
        );
        typed(&mut s, ":filter level=critical");
        key(&mut s, KeyCode::Enter);
        assert_eq!(s.filter.input.text(), "level=critical");
        assert_eq!(s.view, View::Alerts);
    }

    #[test]
    fn read_only_refuses_every_change_with_a_reason() {
        let mut s = state();
        refresh(&mut s, vec![alert("a", "critical", "search")]);
        s.read_only = true;
        s.focus = Focus::Alerts;
        for k in ['a', 'A', 'e', 'u'] {
            s.message = None;
            assert!(key(&mut s, KeyCode::Char(k)).is_empty());
            assert!(s.overlays.is_empty(), "{k}: no dialog");
            let m = s.message.clone().expect("a reason");
            assert!(m.text.starts_with("read-only:"), "{k}: {}", m.text);
        }
        s.view = View::Release;
        assert!(key(&mut s, KeyCode::Char(' ')).is_empty());
        assert!(key(&mut s, KeyCode::Enter).is_empty());
        s.view = View::Deploy;
        assert!(key(&mut s, KeyCode::Char('b')).is_empty());
        assert!(
            s.message
                .as_ref()
                .is_some_and(|m| m.text.contains("bumping"))
        );
        // The reason names how read-only came on.
        assert!(s.message.as_ref().is_some_and(|m| {
            m.text
                .ends_with("(switched on with :readonly for this session)")
        }));
        s.read_only_locked = true;
        key(&mut s, KeyCode::Char('b'));
        assert!(s.message.as_ref().is_some_and(|m| {
            m.text
                .ends_with("(started with --read-only or read_only = true)")
        }));
    }

    #[test]
    fn notifications_once_per_new_critical_and_not_for_the_first_load() {
        let mut s = state();
        let first = refresh(&mut s, vec![alert("old", "critical", "search")]);
        assert!(first.is_empty(), "the first load only records");
        let next = refresh(
            &mut s,
            vec![
                alert("old", "critical", "search"),
                alert("new", "critical", "search"),
                alert("warn", "warning", "search"),
            ],
        );
        assert_eq!(next.len(), 1, "{next:?}");
        assert!(
            matches!(&next[0], Effect::Notify { title, .. } if title == "critical: new (search)")
        );
        let again = refresh(&mut s, vec![alert("new", "critical", "search")]);
        assert!(again.is_empty(), "at most one per alert");
        // Only the configured teams.
        s.notify.teams = vec!["other".into()];
        let other = refresh(&mut s, vec![alert("third", "critical", "search")]);
        assert!(other.is_empty());
        // A failed refresh notifies nothing.
        let failed = update(
            &mut s,
            Action::Source(SourceEvent::Alertmanager {
                name: "am".into(),
                result: Err(ClientError {
                    source: "am".into(),
                    message: "connection refused".into(),
                    status: None,
                }),
                at: chrono::DateTime::UNIX_EPOCH,
            }),
        );
        assert!(failed.is_empty());
    }

    #[test]
    fn links_open_and_copy() {
        let mut s = state();
        refresh(&mut s, vec![alert("a", "critical", "search")]);
        assert_eq!(
            key(&mut s, KeyCode::Char('o')),
            vec![Effect::OpenUrl("http://prom/graph".into())]
        );
        assert_eq!(
            key(&mut s, KeyCode::Char('y')),
            vec![Effect::Copy("http://prom/graph".into())]
        );
        s.view = View::Overview;
        assert!(key(&mut s, KeyCode::Char('o')).is_empty());
        assert!(s.message.as_ref().is_some_and(|m| m.text == "no link here"));
    }

    #[test]
    fn mouse_selects_and_scrolls() {
        let mut s = state();
        refresh(
            &mut s,
            vec![
                alert("a", "critical", "search"),
                alert("b", "warning", "cloud"),
                alert("c", "warning", "cloud"),
            ],
        );
        let click = |column, row| MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        // The mouse reads where the last frame drew the lists.
        let draw = |s: &mut State| {
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(s.cols, s.rows))
                    .expect("terminal");
            let mut hits = crate::app::state::HitMap::default();
            terminal
                .draw(|f| crate::ui::render_recording(s, f, &mut hits))
                .expect("draw");
            s.hits = hits;
        };
        draw(&mut s);
        update(&mut s, Action::Mouse(click(5, 3)));
        assert_eq!((s.focus, s.team), (Focus::Teams, 1));
        draw(&mut s);
        update(&mut s, Action::Mouse(click(50, 4)));
        assert_eq!((s.focus, s.alert), (Focus::Alerts, 1));
        let wheel = MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 50,
            row: 4,
            modifiers: KeyModifiers::NONE,
        };
        update(&mut s, Action::Mouse(wheel));
        assert_eq!(s.alert, 0);
    }
}
