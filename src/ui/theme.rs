//! Themes (being written): named styles for every role on screen, loaded from
//! TOML files in `assets/themes/`.

use ratatui::style::Style;

use crate::alerts::model::Severity;

/// What a piece of the screen is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Ordinary text.
    Text,
    /// Secondary text (hints, ages).
    Muted,
    /// Tertiary text (disabled, done).
    Dim,
    /// Titles and headings.
    Title,
    /// Highlights (section names, keys in help).
    Accent,
    /// Unfocused borders.
    Border,
    /// The focused pane's border.
    BorderFocus,
    /// The selected row.
    Selected,
    /// The app name in the header.
    Header,
    /// The active view tab.
    TabActive,
    /// Inactive view tabs.
    Tab,
    /// The DEMO badge.
    BadgeDemo,
    /// The READ-ONLY badge.
    BadgeReadOnly,
    /// The context badge.
    BadgeContext,
    /// Severity critical.
    Critical,
    /// Severity error.
    Error,
    /// Severity warning.
    Warning,
    /// Severity info.
    Info,
    /// No severity.
    NoSeverity,
    /// Firing alerts.
    Firing,
    /// Pending alerts.
    Pending,
    /// Silenced or inhibited alerts.
    Silenced,
    /// Good news (✓, synced, exit 0).
    Ok,
    /// Bad news (✗, errors).
    Bad,
    /// Attention (out of sync, running).
    Attention,
    /// Added diff lines.
    DiffAdd,
    /// Removed diff lines.
    DiffDel,
    /// Diff hunk headers.
    DiffHunk,
    /// Key names in help and dialogs.
    Key,
    /// Filled part of progress bars.
    Progress,
}

/// A theme: a style per role.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Its name.
    pub name: String,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { name: "dark".into() }
    }
}

impl Theme {
    /// The style of a role.
    pub fn style(&self, _role: Role) -> Style {
        Style::default()
    }

    /// The style of a severity.
    pub fn severity(&self, s: Severity) -> Style {
        self.style(match s {
            Severity::Critical => Role::Critical,
            Severity::Error => Role::Error,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Info,
            Severity::None => Role::NoSeverity,
        })
    }
}
