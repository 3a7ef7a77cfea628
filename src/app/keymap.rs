//! Keys → commands. One table of bindings, per context, is both the lookup
//! and the source of the `?` help screen, so the two never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Leave opsdeck.
    Quit,
    /// Show the alerts view.
    ViewAlerts,
    /// Show the release view.
    ViewRelease,
    /// Show the deploy view.
    ViewDeploy,
    /// Move the selection down.
    Down,
    /// Move the selection up.
    Up,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Move down a page.
    PageDown,
    /// Move up a page.
    PageUp,
    /// Move focus between the team list and the alert list.
    FocusNext,
    /// Focus the team list.
    FocusTeams,
    /// Focus the alert list.
    FocusAlerts,
    /// Open the detail pane (or focus the alerts).
    Open,
    /// Close the topmost thing: detail, filter, overlay.
    Back,
    /// Edit the filter.
    Filter,
    /// Refresh every source now.
    Refresh,
    /// Show or hide silenced and inhibited alerts.
    ToggleSilenced,
    /// Acknowledge the selected alert (opens the silence form).
    Ack,
    /// Acknowledge every shown alert of the selected team.
    AckTeam,
    /// Extend the selected alert's silences.
    Extend,
    /// Expire the selected alert's silences (or the selected silence).
    Unack,
    /// List silences.
    Silences,
    /// Show help.
    Help,
    /// Tick or untick the selected release step.
    Tick,
    /// Run the selected release step's command.
    Trigger,
    /// Stop the running command.
    StopRun,
    /// Bump the selected image.
    Bump,
    /// Bump every out-of-sync image.
    BumpAll,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere (unless an input or dialog has the keyboard).
    Global,
    /// The alerts view.
    Alerts,
    /// The silences list.
    Silences,
    /// The release view.
    Release,
    /// The deploy view.
    Deploy,
}

impl Context {
    /// Heading in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Global",
            Context::Alerts => "Alerts",
            Context::Silences => "Silences list",
            Context::Release => "Release",
            Context::Deploy => "Deploy",
        }
    }
}

/// A key with modifiers (Shift is folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control held.
    pub ctrl: bool,
}

impl Key {
    const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }
    const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }
    const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// The key of a key event.
    pub fn from_event(e: KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// How the help screen writes it.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}

/// One binding: keys, what they do, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys (all equivalent).
    pub keys: Vec<Key>,
    /// What they do.
    pub command: Command,
    /// One line for the help screen.
    pub help: &'static str,
}

/// The keymap: bindings looked up context first, then global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Every binding, in help order.
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Command as C;
        use Context::{Alerts, Deploy, Global, Release, Silences};
        let b = |context, keys: &[Key], command, help| Binding {
            context,
            keys: keys.to_vec(),
            command,
            help,
        };
        Keymap {
            bindings: vec![
                b(Global, &[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
                b(Global, &[Key::ch('?')], C::Help, "help"),
                b(Global, &[Key::ch('1')], C::ViewAlerts, "alerts view"),
                b(Global, &[Key::ch('2')], C::ViewRelease, "release view"),
                b(Global, &[Key::ch('3')], C::ViewDeploy, "deploy view"),
                b(
                    Global,
                    &[Key::ch('r')],
                    C::Refresh,
                    "refresh every source now",
                ),
                b(
                    Global,
                    &[Key::code(KeyCode::Esc)],
                    C::Back,
                    "back: close detail, clear filter",
                ),
                b(
                    Alerts,
                    &[Key::ch('j'), Key::code(KeyCode::Down)],
                    C::Down,
                    "down",
                ),
                b(Alerts, &[Key::ch('k'), Key::code(KeyCode::Up)], C::Up, "up"),
                b(
                    Alerts,
                    &[Key::ch('g'), Key::code(KeyCode::Home)],
                    C::Top,
                    "first",
                ),
                b(
                    Alerts,
                    &[Key::ch('G'), Key::code(KeyCode::End)],
                    C::Bottom,
                    "last",
                ),
                b(
                    Alerts,
                    &[Key::ctrl('d'), Key::code(KeyCode::PageDown)],
                    C::PageDown,
                    "page down",
                ),
                b(
                    Alerts,
                    &[Key::ctrl('u'), Key::code(KeyCode::PageUp)],
                    C::PageUp,
                    "page up",
                ),
                b(
                    Alerts,
                    &[Key::code(KeyCode::Tab), Key::code(KeyCode::BackTab)],
                    C::FocusNext,
                    "switch focus: teams ↔ alerts",
                ),
                b(
                    Alerts,
                    &[Key::ch('h'), Key::code(KeyCode::Left)],
                    C::FocusTeams,
                    "focus the team list",
                ),
                b(
                    Alerts,
                    &[Key::ch('l'), Key::code(KeyCode::Right)],
                    C::FocusAlerts,
                    "focus the alert list",
                ),
                b(
                    Alerts,
                    &[Key::code(KeyCode::Enter)],
                    C::Open,
                    "open: alerts of team / alert detail",
                ),
                b(
                    Alerts,
                    &[Key::ch('/')],
                    C::Filter,
                    "filter (matchers, @state=, @team=, text)",
                ),
                b(
                    Alerts,
                    &[Key::ch('s')],
                    C::ToggleSilenced,
                    "show/hide silenced and inhibited",
                ),
                b(
                    Alerts,
                    &[Key::ch('a')],
                    C::Ack,
                    "acknowledge: silence the alert",
                ),
                b(
                    Alerts,
                    &[Key::ch('A')],
                    C::AckTeam,
                    "acknowledge every alert of the team",
                ),
                b(
                    Alerts,
                    &[Key::ch('e')],
                    C::Extend,
                    "extend the alert's silences",
                ),
                b(
                    Alerts,
                    &[Key::ch('u')],
                    C::Unack,
                    "un-acknowledge: expire its silences",
                ),
                b(Alerts, &[Key::ch('S')], C::Silences, "list silences"),
                b(
                    Silences,
                    &[Key::ch('j'), Key::code(KeyCode::Down)],
                    C::Down,
                    "down",
                ),
                b(
                    Silences,
                    &[Key::ch('k'), Key::code(KeyCode::Up)],
                    C::Up,
                    "up",
                ),
                b(
                    Silences,
                    &[Key::ch('g'), Key::code(KeyCode::Home)],
                    C::Top,
                    "first",
                ),
                b(
                    Silences,
                    &[Key::ch('G'), Key::code(KeyCode::End)],
                    C::Bottom,
                    "last",
                ),
                b(
                    Silences,
                    &[Key::ch('u')],
                    C::Unack,
                    "expire the selected silence",
                ),
                b(
                    Silences,
                    &[Key::ch('e')],
                    C::Extend,
                    "extend the selected silence",
                ),
                b(
                    Silences,
                    &[Key::code(KeyCode::Esc), Key::ch('S')],
                    C::Back,
                    "back to alerts",
                ),
                b(
                    Release,
                    &[Key::ch('j'), Key::code(KeyCode::Down)],
                    C::Down,
                    "down",
                ),
                b(
                    Release,
                    &[Key::ch('k'), Key::code(KeyCode::Up)],
                    C::Up,
                    "up",
                ),
                b(
                    Release,
                    &[Key::ch('g'), Key::code(KeyCode::Home)],
                    C::Top,
                    "first step",
                ),
                b(
                    Release,
                    &[Key::ch('G'), Key::code(KeyCode::End)],
                    C::Bottom,
                    "last step",
                ),
                b(
                    Release,
                    &[Key::ctrl('d'), Key::code(KeyCode::PageDown)],
                    C::PageDown,
                    "page down",
                ),
                b(
                    Release,
                    &[Key::ctrl('u'), Key::code(KeyCode::PageUp)],
                    C::PageUp,
                    "page up",
                ),
                b(
                    Release,
                    &[Key::ch(' '), Key::ch('x')],
                    C::Tick,
                    "tick / untick the step",
                ),
                b(
                    Release,
                    &[Key::code(KeyCode::Enter), Key::ch('t')],
                    C::Trigger,
                    "run its command (y/N; ticks on exit 0)",
                ),
                b(
                    Release,
                    &[Key::ctrl('c')],
                    C::StopRun,
                    "stop the running command (else: quit)",
                ),
                b(
                    Release,
                    &[Key::code(KeyCode::Esc)],
                    C::Back,
                    "close the finished command's output",
                ),
                b(
                    Deploy,
                    &[Key::ch('j'), Key::code(KeyCode::Down)],
                    C::Down,
                    "down",
                ),
                b(Deploy, &[Key::ch('k'), Key::code(KeyCode::Up)], C::Up, "up"),
                b(
                    Deploy,
                    &[Key::ch('g'), Key::code(KeyCode::Home)],
                    C::Top,
                    "first image",
                ),
                b(
                    Deploy,
                    &[Key::ch('G'), Key::code(KeyCode::End)],
                    C::Bottom,
                    "last image",
                ),
                b(
                    Deploy,
                    &[Key::code(KeyCode::Enter)],
                    C::Open,
                    "detail: pins, running instances",
                ),
                b(
                    Deploy,
                    &[Key::ch('b')],
                    C::Bump,
                    "bump the image (shows the diff, y/N)",
                ),
                b(
                    Deploy,
                    &[Key::ch('B')],
                    C::BumpAll,
                    "bump every out-of-sync image",
                ),
            ],
        }
    }
}

impl Keymap {
    /// The command bound to `key` in `context`, falling back to global keys.
    pub fn lookup(&self, context: Context, key: KeyEvent) -> Option<Command> {
        let key = Key::from_event(key);
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
                .map(|b| b.command)
        };
        find(context).or_else(|| find(Context::Global))
    }

    /// The first key bound to a command, for hints (`"a"`).
    pub fn key_for(&self, context: Context, command: Command) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| {
                (b.context == context || b.context == Context::Global) && b.command == command
            })
            .and_then(|b| b.keys.first())
            .map(|k| k.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn context_first_then_global() {
        let k = Keymap::default();
        assert_eq!(k.lookup(Context::Alerts, ev('j')), Some(Command::Down));
        assert_eq!(k.lookup(Context::Alerts, ev('q')), Some(Command::Quit));
        assert_eq!(k.lookup(Context::Silences, ev('u')), Some(Command::Unack));
        assert_eq!(k.lookup(Context::Silences, ev('a')), None);
        assert_eq!(
            k.lookup(
                Context::Alerts,
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Command::Quit)
        );
        // Shift arrives folded into the character.
        assert_eq!(
            k.lookup(
                Context::Alerts,
                KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)
            ),
            Some(Command::AckTeam)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let k = Keymap::default();
        let mut seen = std::collections::HashSet::new();
        for b in &k.bindings {
            for key in &b.keys {
                assert!(
                    seen.insert((b.context, *key)),
                    "{key:?} bound twice in {:?}",
                    b.context
                );
            }
        }
    }

    #[test]
    fn labels() {
        assert_eq!(Key::ctrl('c').label(), "ctrl-c");
        assert_eq!(Key::ch(' ').label(), "space");
        assert_eq!(Key::code(KeyCode::Enter).label(), "Enter");
    }
}
