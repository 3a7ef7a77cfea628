//! Configuration errors: each names the file, and the line and column when
//! the error has a place.

use std::path::PathBuf;

/// `:LINE:COL`, or nothing.
fn at(position: &Option<(usize, usize)>) -> String {
    position
        .map(|(line, col)| format!(":{line}:{col}"))
        .unwrap_or_default()
}

/// A configuration error, with its place in the file when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", path.display(), at(position))]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column, when the error has a place.
    pub position: Option<(usize, usize)>,
    /// What went wrong and what was expected.
    pub message: String,
}

/// A place in a config file: the file, and the line and column when known.
/// Shown as `path:line:col`, or `path`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", path.display(), at(position))]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
}

impl Place {
    /// The error `message` at this place.
    pub fn error(self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path,
            position: self.position,
            message: message.into(),
        }
    }
}

/// `--context NAME` (or `default_context`, or `:context NAME`) names no
/// `[context.NAME]` block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    /// The config has no contexts at all.
    #[error("no context {name:?}: the config defines no [context.NAME] blocks")]
    NoContexts {
        /// The name asked for.
        name: String,
    },
    /// The config has contexts, but not this one.
    #[error("no context {name:?}; known contexts: {}", known.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The contexts the config defines, sorted.
        known: Vec<String>,
    },
}

/// A `[[deploy.policy]]` that does not make a rule.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// `range` is not a semver requirement.
    #[error("invalid semver range {range:?}: {error}")]
    InvalidRange {
        /// The range as written.
        range: String,
        /// Why it does not parse.
        error: semver::Error,
    },
    /// `kind = "channel"` without `tag`.
    #[error("a channel policy needs `tag`, e.g. tag = \"insiders\"")]
    ChannelNeedsTag,
    /// `kind = "regex"` without `regex`.
    #[error("a regex policy needs `regex`, e.g. regex = '^(\\d+)_.*$'")]
    RegexNeedsPattern,
    /// `regex` does not compile.
    #[error("invalid regex: {0}")]
    InvalidRegex(regex::Error),
    /// `order` is not one of the three.
    #[error("unknown order {0:?}; expected \"semver\", \"numeric\" or \"lexical\"")]
    UnknownOrder(String),
    /// `convert_channels = true` on a channel policy.
    #[error(
        "convert_channels applies to semver and regex policies (a channel policy always follows its tag)"
    )]
    ConvertOnChannel,
    /// `kind` is not one of the three.
    #[error("unknown policy kind {0:?}; expected \"semver\", \"channel\" or \"regex\"")]
    UnknownKind(String),
    /// The `match` glob does not compile (deploy's own sentence).
    #[error(transparent)]
    Glob(#[from] crate::deploy::policy::PolicyError),
}

/// 1-based line and column of a byte offset.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, col)
}

/// Appends "did you mean …?" to serde's unknown-field message.
pub(super) fn suggest(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message.to_string();
    };
    let candidates: Vec<&str> = expected
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .collect();
    match crate::core::suggest::nearest(unknown, candidates) {
        Some(c) => format!("{}; did you mean `{c}`?", message.trim_end()),
        None => message.to_string(),
    }
}
