//! The command vocabulary: what a key can ask for, and where a binding
//! applies. Their config names (`[keys.alerts] toggle_silenced = "s"`) are
//! the variants' names in snake_case, derived by `strum`.

use strum::{EnumIter, EnumString, IntoStaticStr};

/// What a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
    /// List the recently resolved alerts (from the history).
    Resolved,
    /// Show help.
    Help,
    /// List the session's messages, with times.
    Messages,
    /// Search the rows of the release or deploy view.
    Search,
    /// The next match of the last search.
    SearchNext,
    /// The previous match of the last search.
    SearchPrev,
    /// Tick or untick the selected release step.
    Tick,
    /// Run the selected release step's command.
    Trigger,
    /// Stop the running command.
    StopRun,
    /// List the release's open blockers.
    Blockers,
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
    /// Group the alerts by the next key: team, alert name, a label, none.
    Group,
    /// Sort the alerts by the next order: severity, age, name, team.
    Sort,
    /// Hide or show the group list (the alerts take the full width).
    Collapse,
    /// Mark or unmark the selected alert (`a`, `u`, `e` act on the marks).
    Mark,
    /// Mark every shown alert of the group (or unmark them if all are).
    MarkAll,
}

impl Command {
    /// The name used in `[keys.*]` config (snake_case).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// Where a binding applies. Declared in help order (the README's key tables
/// and `Keymap::markdown` follow it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, EnumString, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
    /// The overview (the start screen). Last, so a command's first binding
    /// (the palette's context for it) stays in the view it came from.
    Overview,
}

impl Context {
    /// The name used in `[keys.NAME]`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Heading in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Global",
            Context::Overview => "Overview",
            Context::Alerts => "Alerts",
            Context::Silences => "Silences list",
            Context::Release => "Release",
            Context::Deploy => "Deploy",
        }
    }
}
