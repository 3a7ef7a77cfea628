//! The `:` palette's table: each entry is a keymap [`Command`] under a
//! palette name, or one of the few things only the palette does (they take
//! an argument or need no key). The palette's completions, help column and
//! lookup read this table; running a [`PaletteCommand::Run`] entry is
//! running its command.

use super::Command;

/// What a palette entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaletteCommand {
    /// What the command's key does.
    Run(Command),
    /// `:filter TEXT`: set the alerts filter.
    Filter,
    /// `:theme NAME`: switch theme.
    Theme,
    /// `:readonly`: refuse every change from now on.
    Readonly,
    /// `:context NAME`: switch to `[context.NAME]`.
    Context,
}

impl PaletteCommand {
    /// Whether it needs an argument after its name.
    pub fn takes_arg(self) -> bool {
        matches!(
            self,
            PaletteCommand::Filter | PaletteCommand::Theme | PaletteCommand::Context
        )
    }
}

/// One palette command: its name, what it does, and its help line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteEntry {
    /// What is typed after `:` (a unique prefix works too).
    pub name: &'static str,
    /// What it does.
    pub command: PaletteCommand,
    /// Its line in the completions.
    pub help: &'static str,
}

impl PaletteEntry {
    const fn new(name: &'static str, command: PaletteCommand, help: &'static str) -> Self {
        PaletteEntry {
            name,
            command,
            help,
        }
    }

    /// Whether it needs an argument after its name.
    pub fn takes_arg(self) -> bool {
        self.command.takes_arg()
    }

    /// The entry named exactly `name`.
    pub fn find(name: &str) -> Option<PaletteEntry> {
        PALETTE.iter().copied().find(|e| e.name == name)
    }
}

/// The palette's commands, in the order they complete.
pub const PALETTE: &[PaletteEntry] = {
    use Command as C;
    use PaletteCommand::Run;
    &[
        PaletteEntry::new("overview", Run(C::ViewOverview), "the start screen"),
        PaletteEntry::new("alerts", Run(C::ViewAlerts), "alerts by owning team"),
        PaletteEntry::new("release", Run(C::ViewRelease), "the release checklist"),
        PaletteEntry::new("blockers", Run(C::Blockers), "the release's open blockers"),
        PaletteEntry::new("deploy", Run(C::ViewDeploy), "deployment sync"),
        PaletteEntry::new(
            "filter",
            PaletteCommand::Filter,
            "filter alerts, e.g. :filter @severity=critical @team=search",
        ),
        PaletteEntry::new("ack", Run(C::Ack), "acknowledge the selected alert"),
        PaletteEntry::new(
            "theme",
            PaletteCommand::Theme,
            "switch theme: dark, light, high-contrast, prod, or a file",
        ),
        PaletteEntry::new(
            "readonly",
            PaletteCommand::Readonly,
            "refuse every change from now on",
        ),
        PaletteEntry::new(
            "context",
            PaletteCommand::Context,
            "switch to [context.NAME]",
        ),
        PaletteEntry::new("help", Run(C::Help), "key help"),
        PaletteEntry::new(
            "messages",
            Run(C::Messages),
            "the session's messages, with times",
        ),
        PaletteEntry::new("quit", Run(C::Quit), "leave opsdeck"),
    ]
};
