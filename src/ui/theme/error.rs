//! Why a theme does not load. Each error's text names the file (or the
//! built-in theme) and the key, and suggests the nearest valid name.

use std::path::PathBuf;
use std::sync::Arc;

/// ` (did you mean "x"?)`, or nothing.
fn did_you_mean(suggestion: &Option<&'static str>) -> String {
    suggestion
        .map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default()
}

/// `:LINE:COL`, or nothing.
fn at(position: &Option<(usize, usize)>) -> String {
    position
        .map(|(line, col)| format!(":{line}:{col}"))
        .unwrap_or_default()
}

/// A theme that cannot be loaded: an unknown name, an unreadable file, or a
/// file that is not a valid theme.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ThemeError {
    /// Neither a built-in name nor something that looks like a path.
    #[error(
        "unknown theme {spec:?}; expected one of {} or a path to a theme file{}",
        super::Theme::BUILTIN.join(", "),
        suggestion.map(|n| format!("; did you mean {n:?}?")).unwrap_or_default()
    )]
    Unknown {
        /// What was asked for.
        spec: String,
        /// The nearest built-in name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// The file could not be read.
    #[error("cannot read theme file {}: {error}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        error: Arc<std::io::Error>,
    },
    /// The path is a directory, a FIFO or a device.
    #[error("cannot read theme file {}: not a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The file is not TOML.
    #[error("{origin}{}: {message}", at(position))]
    Syntax {
        /// The file (or built-in theme).
        origin: String,
        /// 1-based line and column, when known.
        position: Option<(usize, usize)>,
        /// The TOML parser's message.
        message: String,
    },
    /// `name` is not a string.
    #[error("{origin}: name must be a string")]
    NameNotString {
        /// The file.
        origin: String,
    },
    /// `styles` is not a table.
    #[error("{origin}: styles must be a table ([styles] role = {{ fg = … }})")]
    StylesNotTable {
        /// The file.
        origin: String,
    },
    /// A key of `[styles]` that is no role.
    #[error(
        "{origin}: styles.{role}: unknown role {role:?}{}",
        did_you_mean(suggestion)
    )]
    UnknownRole {
        /// The file.
        origin: String,
        /// The key.
        role: String,
        /// The nearest role name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A role's style does not parse.
    #[error("{origin}: styles.{role}: {error}")]
    Style {
        /// The file.
        origin: String,
        /// The role's key.
        role: String,
        /// What is wrong with the style.
        error: StyleError,
    },
    /// A top-level key other than `name` and `styles`.
    #[error(
        "{origin}: unknown key {key:?}{} (a theme file has `name` and [styles])",
        did_you_mean(suggestion)
    )]
    UnknownKey {
        /// The file.
        origin: String,
        /// The key.
        key: String,
        /// `name` or `styles`, if close.
        suggestion: Option<&'static str>,
    },
}

/// A style that does not parse: `{ fg = "…", bg = "…", modifiers = […] }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StyleError {
    /// Neither a table nor a colour.
    #[error("a style must be a table like {{ fg = \"cyan\", modifiers = [\"bold\"] }}")]
    NotATable,
    /// A style given as a colour alone, which does not parse.
    #[error(transparent)]
    Color(#[from] ColorError),
    /// `fg` does not parse.
    #[error("fg: {0}")]
    Fg(ColorError),
    /// `bg` does not parse.
    #[error("bg: {0}")]
    Bg(ColorError),
    /// `modifiers` is not a list.
    #[error("modifiers must be a list like [\"bold\", \"underlined\"]")]
    ModifiersNotList,
    /// A modifier that is not a string.
    #[error("modifiers must be strings like \"bold\"")]
    ModifierNotString,
    /// A modifier name that is not known.
    #[error(
        "unknown modifier {name:?}{} (one of {})",
        did_you_mean(suggestion),
        super::MODIFIERS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    )]
    UnknownModifier {
        /// The name.
        name: String,
        /// The nearest modifier name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// A key other than `fg`, `bg` and `modifiers`.
    #[error(
        "unknown key {key:?}{} (a style has fg, bg and modifiers)",
        did_you_mean(suggestion)
    )]
    UnknownKey {
        /// The key.
        key: String,
        /// The nearest valid key, if one is close.
        suggestion: Option<&'static str>,
    },
}

/// A colour that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColorError {
    /// An index outside 0–255 (as written).
    #[error("colour index {0} is not in 0-255")]
    IndexOutOfRange(String),
    /// Neither a string nor an integer.
    #[error("a colour must be a name, \"#rrggbb\" or an index 0-255")]
    NotAColour,
    /// `#…` that is not `#rrggbb`.
    #[error("{0:?} is not a colour: expected #rrggbb")]
    BadHex(String),
    /// A name that is not a colour.
    #[error(
        "unknown colour {name:?}{} (use a name, \"#rrggbb\" or an index 0-255)",
        did_you_mean(suggestion)
    )]
    Unknown {
        /// The name.
        name: String,
        /// The nearest colour name, if one is close.
        suggestion: Option<&'static str>,
    },
}
