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
    /// Show the overview.
    ViewOverview,
    /// Open the `:` command palette.
    Palette,
    /// Open the selected item's URL in the browser.
    OpenUrl,
    /// Copy the selected item's URL (OSC 52).
    CopyUrl,
    /// Select the alert that inhibits the selected one.
    JumpInhibitor,
}

impl Command {
    /// Every command, for name lookups.
    pub const ALL: &'static [Command] = &[
        Command::Quit,
        Command::ViewAlerts,
        Command::ViewRelease,
        Command::ViewDeploy,
        Command::Down,
        Command::Up,
        Command::Top,
        Command::Bottom,
        Command::PageDown,
        Command::PageUp,
        Command::FocusNext,
        Command::FocusTeams,
        Command::FocusAlerts,
        Command::Open,
        Command::Back,
        Command::Filter,
        Command::Refresh,
        Command::ToggleSilenced,
        Command::Ack,
        Command::AckTeam,
        Command::Extend,
        Command::Unack,
        Command::Silences,
        Command::Help,
        Command::Tick,
        Command::Trigger,
        Command::StopRun,
        Command::Bump,
        Command::BumpAll,
        Command::ViewOverview,
        Command::Palette,
        Command::OpenUrl,
        Command::CopyUrl,
        Command::JumpInhibitor,
    ];

    /// The name used in `[keys.*]` config (snake_case).
    pub fn name(self) -> &'static str {
        match self {
            Command::Quit => "quit",
            Command::ViewAlerts => "view_alerts",
            Command::ViewRelease => "view_release",
            Command::ViewDeploy => "view_deploy",
            Command::Down => "down",
            Command::Up => "up",
            Command::Top => "top",
            Command::Bottom => "bottom",
            Command::PageDown => "page_down",
            Command::PageUp => "page_up",
            Command::FocusNext => "focus_next",
            Command::FocusTeams => "focus_teams",
            Command::FocusAlerts => "focus_alerts",
            Command::Open => "open",
            Command::Back => "back",
            Command::Filter => "filter",
            Command::Refresh => "refresh",
            Command::ToggleSilenced => "toggle_silenced",
            Command::Ack => "ack",
            Command::AckTeam => "ack_team",
            Command::Extend => "extend",
            Command::Unack => "unack",
            Command::Silences => "silences",
            Command::Help => "help",
            Command::Tick => "tick",
            Command::Trigger => "trigger",
            Command::StopRun => "stop_run",
            Command::Bump => "bump",
            Command::BumpAll => "bump_all",
            Command::ViewOverview => "view_overview",
            Command::Palette => "palette",
            Command::OpenUrl => "open_url",
            Command::CopyUrl => "copy_url",
            Command::JumpInhibitor => "jump_inhibitor",
        }
    }
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
    /// Every context.
    pub const ALL: [Context; 5] = [
        Context::Global,
        Context::Alerts,
        Context::Silences,
        Context::Release,
        Context::Deploy,
    ];

    /// The name used in `[keys.NAME]`.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Alerts => "alerts",
            Context::Silences => "silences",
            Context::Release => "release",
            Context::Deploy => "deploy",
        }
    }
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

    /// Parses a key as written in config: `a`, `A`, `?`, `ctrl-d`, `<enter>`,
    /// `<esc>`, `<tab>`, `<backtab>`, `<space>`, `<up>`, `<down>`, `<left>`,
    /// `<right>`, `<home>`, `<end>`, `<pgup>`, `<pgdown>`, `<f1>`…`<f12>`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let t = text.trim();
        let (ctrl, rest) = match t.strip_prefix("ctrl-").or_else(|| t.strip_prefix("C-")) {
            Some(r) => (true, r),
            None => (false, t),
        };
        let named = rest
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .unwrap_or(rest);
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match named.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "s-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdown" | "pagedown" | "pgdn" => KeyCode::PageDown,
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "unknown key {text:?}; expected a character (\"a\", \"A\", \"?\"), ctrl-x, or one of <enter> <esc> <tab> <backtab> <space> <up> <down> <left> <right> <home> <end> <pgup> <pgdown> <f1>…<f12>"
                    ));
                }
            },
        };
        Ok(Key { code, ctrl })
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
    /// Changed by `[keys.*]` in the config.
    pub remapped: bool,
}

/// The keymap: bindings looked up context first, then global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Every binding, in help order.
    pub bindings: Vec<Binding>,
    /// Bindings the config disabled (`"<disabled>"`), for the help screen.
    pub disabled: Vec<Binding>,
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
            remapped: false,
        };
        Keymap {
            disabled: Vec::new(),
            bindings: vec![
                b(Global, &[Key::ch('q'), Key::ctrl('c')], C::Quit, "quit"),
                b(Global, &[Key::ch('?')], C::Help, "help"),
                b(Global, &[Key::ch('1')], C::ViewAlerts, "alerts view"),
                b(Global, &[Key::ch('2')], C::ViewRelease, "release view"),
                b(Global, &[Key::ch('3')], C::ViewDeploy, "deploy view"),
                b(
                    Global,
                    &[Key::ch('0')],
                    C::ViewOverview,
                    "overview (the start screen)",
                ),
                b(Global, &[Key::ch(':')], C::Palette, "command palette"),
                b(
                    Global,
                    &[Key::ch('o')],
                    C::OpenUrl,
                    "open the link (runbook, issue, PR)",
                ),
                b(
                    Global,
                    &[Key::ch('y')],
                    C::CopyUrl,
                    "copy the link (OSC 52)",
                ),
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
                    "filter (matchers, @fields, free text)",
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
                    Alerts,
                    &[Key::ch('i')],
                    C::JumpInhibitor,
                    "jump to the alert that inhibits it",
                ),
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

/// A `[keys.*]` entry that cannot be applied; `span` is the value's place
/// in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    /// Where in the config text.
    pub span: std::ops::Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// The sentinel that unbinds an action.
pub const DISABLED: &str = "<disabled>";

impl Keymap {
    /// The default keymap with `[keys.VIEW] action = "key"` overrides:
    /// a value replaces every default key of that action in that view,
    /// `"<disabled>"` removes it. Unknown views and actions (with the nearest
    /// valid name), unparsable keys, and two actions on one key in one view
    /// are errors.
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, toml::Spanned<crate::core::KeySpec>>,
        >,
    ) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (view, actions) in overrides {
            let Some(context) = Context::ALL.iter().copied().find(|c| c.name() == view) else {
                let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
                let span = actions.values().next().map_or(0..0, toml::Spanned::span);
                return Err(KeymapError {
                    span,
                    message: format!(
                        "unknown view [keys.{view}]{}; expected one of {}",
                        nearest(view, &names),
                        names.join(", ")
                    ),
                });
            };
            for (action, spec) in actions {
                let err = |message: String| KeymapError {
                    span: spec.span(),
                    message,
                };
                let in_view: Vec<&'static str> = map
                    .bindings
                    .iter()
                    .chain(&map.disabled)
                    .filter(|b| b.context == context)
                    .map(|b| b.command.name())
                    .collect();
                let Some(idx) = map
                    .bindings
                    .iter()
                    .position(|b| b.context == context && b.command.name() == action)
                else {
                    if in_view.contains(&action.as_str()) {
                        return Err(err(format!("keys.{view}.{action} is set twice")));
                    }
                    let elsewhere: Vec<&str> = map
                        .bindings
                        .iter()
                        .filter(|b| b.command.name() == action)
                        .map(|b| b.context.name())
                        .collect();
                    let hint = if elsewhere.is_empty() {
                        nearest(action, &in_view)
                    } else {
                        format!(
                            " ({action} belongs to [keys.{}])",
                            elsewhere.join("], [keys.")
                        )
                    };
                    return Err(err(format!(
                        "unknown action {action:?} in [keys.{view}]{hint}; actions there: {}",
                        in_view.join(", ")
                    )));
                };
                let texts: Vec<&str> = match spec.get_ref() {
                    crate::core::KeySpec::One(k) => vec![k.as_str()],
                    crate::core::KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
                };
                if texts.iter().any(|t| t.trim() == DISABLED) {
                    let mut b = map.bindings.remove(idx);
                    b.remapped = true;
                    map.disabled.push(b);
                    continue;
                }
                let keys = texts
                    .iter()
                    .map(|t| Key::parse(t))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| err(format!("keys.{view}.{action}: {e}")))?;
                if keys.is_empty() {
                    return Err(err(format!(
                        "keys.{view}.{action} has no key; use \"{DISABLED}\" to unbind it"
                    )));
                }
                map.bindings[idx].keys = keys;
                map.bindings[idx].remapped = true;
            }
        }
        map.check_conflicts().map_err(|message| {
            // Point at the first override involved, when we can.
            let span = overrides
                .values()
                .flat_map(|a| a.values())
                .map(toml::Spanned::span)
                .next()
                .unwrap_or(0..0);
            KeymapError { span, message }
        })?;
        Ok(map)
    }

    /// Two actions on one key in one view (or a view key hiding a global one
    /// the user remapped onto it).
    fn check_conflicts(&self) -> Result<(), String> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                let same_scope = a.context == b.context
                    || ((a.remapped || b.remapped)
                        && (a.context == Context::Global || b.context == Context::Global));
                if !same_scope {
                    continue;
                }
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                    return Err(format!(
                        "key {} is bound to both {} ([keys.{}]) and {} ([keys.{}]); unbind one with \"{DISABLED}\" or pick another key",
                        k.label(),
                        a.command.name(),
                        a.context.name(),
                        b.command.name(),
                        b.context.name()
                    ));
                }
            }
        }
        Ok(())
    }

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

    /// The bindings as a Markdown table per view (the README's key
    /// reference is this, checked by a test).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for context in Context::ALL {
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action | config name |\n| --- | --- | --- |\n",
                context.title()
            ));
            for b in self.bindings.iter().filter(|b| b.context == context) {
                let keys: Vec<String> = b
                    .keys
                    .iter()
                    .map(|k| format!("`{}`", k.label().replace('|', "\\|")))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | `{}` |\n",
                    keys.join(" "),
                    b.help,
                    b.command.name()
                ));
            }
        }
        out
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

/// "; did you mean `x`?" for the nearest of `names`, or "".
fn nearest(word: &str, names: &[&str]) -> String {
    crate::core::suggest::nearest(word, names.iter().copied())
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default()
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

    fn overrides(toml_text: &str) -> Result<Keymap, KeymapError> {
        let c = crate::config::Config::parse(toml_text, std::path::Path::new("k.toml"));
        match c {
            Ok(c) => Keymap::with_overrides(&c.keys),
            Err(e) => Err(KeymapError {
                span: 0..0,
                message: e.message,
            }),
        }
    }

    #[test]
    fn keys_parse() {
        assert_eq!(Key::parse("a"), Ok(Key::ch('a')));
        assert_eq!(Key::parse("Q"), Ok(Key::ch('Q')));
        assert_eq!(Key::parse("ctrl-d"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("C-d"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("<enter>"), Ok(Key::code(KeyCode::Enter)));
        assert_eq!(Key::parse("<space>"), Ok(Key::ch(' ')));
        assert_eq!(Key::parse("<pgdown>"), Ok(Key::code(KeyCode::PageDown)));
        assert_eq!(Key::parse("<f5>"), Ok(Key::code(KeyCode::F(5))));
        assert!(Key::parse("<nope>").is_err_and(|e| e.contains("unknown key")));
    }

    #[test]
    fn remap_and_disable() {
        let k = overrides("[keys.global]\nquit = \"Q\"\n[keys.alerts]\nunack = \"<disabled>\"\nack = [\"a\", \"<f2>\"]\n")
            .expect("valid");
        assert_eq!(k.lookup(Context::Alerts, ev('Q')), Some(Command::Quit));
        assert_eq!(
            k.lookup(Context::Alerts, ev('q')),
            None,
            "q no longer quits"
        );
        assert_eq!(
            k.lookup(Context::Alerts, ev('u')),
            None,
            "unack is disabled"
        );
        assert_eq!(
            k.lookup(
                Context::Alerts,
                KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)
            ),
            Some(Command::Ack)
        );
        assert!(k.disabled.iter().any(|b| b.command == Command::Unack));
        assert!(
            k.bindings
                .iter()
                .any(|b| b.command == Command::Quit && b.remapped)
        );
        // ctrl-c still quits: it was part of quit's keys and was replaced too.
        assert_eq!(
            k.lookup(
                Context::Alerts,
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            None
        );
    }

    #[test]
    fn conflicts_and_unknown_names_are_reported() {
        let e = overrides("[keys.alerts]\nack = \"s\"\n").expect_err("conflict");
        assert!(
            e.message.contains("key s is bound to both"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("ack") && e.message.contains("toggle_silenced"),
            "{}",
            e.message
        );
        let e = overrides("[keys.alerts]\nakc = \"x\"\n").expect_err("unknown");
        assert!(e.message.contains("did you mean `ack`?"), "{}", e.message);
        let e = overrides("[keys.global]\nack = \"x\"\n").expect_err("wrong view");
        assert!(
            e.message.contains("belongs to [keys.alerts]"),
            "{}",
            e.message
        );
        let e = overrides("[keys.alert]\nack = \"x\"\n").expect_err("unknown view");
        assert!(
            e.message.contains("did you mean `alerts`?"),
            "{}",
            e.message
        );
        let e = overrides("[keys.global]\nquit = \"j\"\n")
            .expect_err("global remapped onto a view key");
        assert!(
            e.message.contains("key j is bound to both"),
            "{}",
            e.message
        );
        let e = overrides("[keys.alerts]\nack = \"<bogus>\"\n").expect_err("bad key");
        assert!(e.message.contains("unknown key"), "{}", e.message);
    }

    #[test]
    fn config_errors_point_at_the_line() {
        let e = crate::app::settings::parse_config(
            "read_only = false\n[keys.alerts]\nack = \"s\"\n",
            std::path::Path::new("k.toml"),
        )
        .expect_err("conflict");
        assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");
    }

    #[test]
    fn every_command_has_a_distinct_name() {
        let mut names = std::collections::HashSet::new();
        for c in Command::ALL {
            assert!(names.insert(c.name()), "{} twice", c.name());
        }
    }
}
