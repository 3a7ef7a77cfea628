//! The `:` palette's table, generated from the keymap: every command a key
//! can run (motions aside) under its config name with `-` (`:bump-all`,
//! `:toggle-silenced`; the views as `:alerts`, `:release`, …), with its
//! help line from `default.toml`, plus the few things only the palette
//! does (they take an argument or need no key). Completions, the help
//! column and lookup read this table; running a [`PaletteCommand::Run`]
//! entry is pressing its key in its view.

use std::sync::OnceLock;

use strum::IntoEnumIterator;

use super::{Command, Context, defaults};

/// What a palette entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaletteCommand {
    /// What the command's key does, in the view that binds it.
    Run(Command),
    /// `:filter TEXT`: set the alerts filter; `:filter` alone edits it, as
    /// `/` does.
    Filter,
    /// `:theme NAME`: switch theme.
    Theme,
    /// `:readonly`: refuse every change from now on.
    Readonly,
    /// `:context NAME`: switch to `[context.NAME]`.
    Context,
    /// `:team NAME`: the alerts view on that team (a unique prefix works).
    Team,
}

impl PaletteCommand {
    /// Whether it needs an argument after its name.
    pub fn takes_arg(self) -> bool {
        matches!(
            self,
            PaletteCommand::Theme | PaletteCommand::Context | PaletteCommand::Team
        )
    }

    /// Whether an argument may follow its name (`:group` and `:sort` alone
    /// do what their key does: the next in the cycle).
    pub fn accepts_arg(self) -> bool {
        self.takes_arg()
            || matches!(
                self,
                PaletteCommand::Filter | PaletteCommand::Run(Command::Group | Command::Sort)
            )
    }
}

/// One palette command: its name, what it does, and its help line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaletteEntry {
    /// What is typed after `:` (a unique prefix works too).
    pub name: String,
    /// What it does.
    pub command: PaletteCommand,
    /// Its line in the completions.
    pub help: String,
    /// Where its key works (`Global` for palette-only entries).
    pub context: Context,
}

impl PaletteEntry {
    /// Whether it needs an argument after its name.
    pub fn takes_arg(&self) -> bool {
        self.command.takes_arg()
    }

    /// Whether an argument may follow its name.
    pub fn accepts_arg(&self) -> bool {
        self.command.accepts_arg()
    }

    /// The entry named exactly `name`.
    pub fn find(name: &str) -> Option<&'static PaletteEntry> {
        palette().iter().find(|e| e.name == name)
    }
}

/// Commands that only move within a list or between panes: keys, not
/// palette entries.
const MOTIONS: [Command; 12] = [
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
    Command::Palette,
];

/// The palette's name of a command: the views by their names, the rest by
/// their config name with `-`.
fn name(command: Command) -> String {
    match command {
        Command::ViewOverview => "overview".into(),
        Command::ViewAlerts => "alerts".into(),
        Command::ViewRelease => "release".into(),
        Command::ViewDeploy => "deploy".into(),
        other => other.name().replace('_', "-"),
    }
}

/// Help for the commands `default.toml` leaves without a key.
fn unbound_help(command: Command) -> &'static str {
    match command {
        Command::Messages => "the session's messages, with times",
        Command::Resolved => "alerts that stopped firing lately (from the history)",
        _ => "",
    }
}

/// The palette-only entries, after the views.
fn extras() -> [(&'static str, PaletteCommand, &'static str); 5] {
    [
        (
            "filter",
            PaletteCommand::Filter,
            "filter alerts, e.g. :filter @severity=critical @team=search",
        ),
        (
            "team",
            PaletteCommand::Team,
            "the alerts of a team, e.g. :team search",
        ),
        (
            "theme",
            PaletteCommand::Theme,
            "switch theme: dark, light, high-contrast, prod, or a file",
        ),
        (
            "readonly",
            PaletteCommand::Readonly,
            "refuse every change from now on",
        ),
        (
            "context",
            PaletteCommand::Context,
            "switch to [context.NAME]",
        ),
    ]
}

/// The palette's commands, in the order they complete: the views, the
/// palette-only entries, then every other command in keymap order (its
/// first binding's context and help), `quit` last.
pub fn palette() -> &'static [PaletteEntry] {
    static TABLE: OnceLock<Vec<PaletteEntry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let bindings = defaults::bindings();
        let entry = |command: Command| {
            let first = bindings.iter().find(|b| b.command == command);
            PaletteEntry {
                name: name(command),
                command: PaletteCommand::Run(command),
                help: first.map_or(unbound_help(command), |b| b.help).to_owned(),
                context: first.map_or(Context::Global, |b| b.context),
            }
        };
        let views = [
            Command::ViewOverview,
            Command::ViewAlerts,
            Command::ViewRelease,
            Command::ViewDeploy,
        ];
        let mut out: Vec<PaletteEntry> = views.into_iter().map(entry).collect();
        out.extend(
            extras()
                .into_iter()
                .map(|(name, command, help)| PaletteEntry {
                    name: name.to_owned(),
                    command,
                    help: help.to_owned(),
                    context: Context::Global,
                }),
        );
        // Keymap order (help order), then the unbound ones.
        let mut rest: Vec<Command> = Vec::new();
        for c in bindings.iter().map(|b| b.command).chain(Command::iter()) {
            // `/`'s command is `:filter` (with or without its text).
            let skip = MOTIONS.contains(&c)
                || views.contains(&c)
                || c == Command::Quit
                || c == Command::Filter;
            if !skip && !rest.contains(&c) {
                rest.push(c);
            }
        }
        out.extend(rest.into_iter().map(entry));
        out.push(entry(Command::Quit));
        out
    })
}
