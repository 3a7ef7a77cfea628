//! What the config means to the console, checked once when it is loaded:
//! the keymap its `[keys.*]` overrides make, and that every `theme` (the top
//! level's and each context's) loads. `config` is a leaf that knows neither
//! the keymap nor themes; these checks live here, and report at the value's
//! line and column as the config's own errors do.
//!
//! The theme check reads theme files (as the console will when it starts),
//! so this, unlike `update`, does I/O.

use std::path::Path;

use super::keymap::{Keymap, KeymapError};
use crate::config::{Config, ConfigError, Place};
use crate::ui::theme::{Theme, ThemeError};

/// The settings a config resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The default keymap with the config's `[keys.*]` overrides.
    pub keymap: Keymap,
}

/// A config value that parses but does not resolve, at its place in the file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SettingsError {
    /// A `theme` (top level or a context's) that does not load.
    #[error("{at}: {error}")]
    Theme {
        /// The value's place.
        at: Place,
        /// Why it does not load.
        error: Box<ThemeError>,
    },
    /// A `[keys.*]` entry that cannot be applied.
    #[error("{at}: {}", error.message)]
    Keys {
        /// The value's place.
        at: Place,
        /// What is wrong.
        error: KeymapError,
    },
}

impl From<SettingsError> for ConfigError {
    fn from(e: SettingsError) -> ConfigError {
        match e {
            SettingsError::Theme { at, error } => at.error(error.to_string()),
            SettingsError::Keys { at, error } => at.error(error.message),
        }
    }
}

impl Settings {
    /// Checks what `config` cannot check by itself, in the order a reader
    /// meets it: the themes in file order, then the keys.
    pub fn resolve(config: &Config) -> Result<Settings, SettingsError> {
        let mut themes: Vec<_> = config
            .theme
            .iter()
            .chain(config.context.values().filter_map(|c| c.theme.as_ref()))
            .collect();
        themes.sort_by_key(|t| t.span().start);
        for spec in themes {
            Theme::check(spec).map_err(|error| SettingsError::Theme {
                at: config.place(spec.span()),
                error: Box::new(error),
            })?;
        }
        let keymap = Keymap::with_overrides(&config.keys).map_err(|error| SettingsError::Keys {
            at: config.place(error.span.clone()),
            error,
        })?;
        Ok(Settings { keymap })
    }
}

/// Parses a config file's text and resolves its settings: every check made
/// of a config when it is loaded, with the config's error type.
pub fn parse_config(text: &str, path: &Path) -> Result<(Config, Settings), ConfigError> {
    let config = Config::parse(text, path)?;
    let settings = Settings::resolve(&config)?;
    Ok((config, settings))
}

/// Reads a config file, parses it and resolves its settings.
pub fn load_config(path: &Path) -> Result<(Config, Settings), ConfigError> {
    let config = Config::load(path)?;
    let settings = Settings::resolve(&config)?;
    Ok((config, settings))
}

#[cfg(test)]
mod tests;
