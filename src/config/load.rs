//! Finding, reading and parsing the config file, and applying a context.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::error::{line_col, suggest};
use super::schema::Origin;
use super::{Config, ConfigError, ContextError, Place};
use crate::core::paths::Dirs;

impl Config {
    /// The config with context `name` applied: its sources replace the top
    /// level's (a context that names no Alertmanager keeps the top level's),
    /// its theme and read-only setting win.
    pub fn with_context(&self, name: &str) -> Result<Config, ContextError> {
        let ctx = self.context.get(name).ok_or_else(|| {
            let known: Vec<String> = self.context.keys().cloned().collect();
            if known.is_empty() {
                ContextError::NoContexts { name: name.into() }
            } else {
                ContextError::Unknown {
                    name: name.into(),
                    known,
                }
            }
        })?;
        let mut c = self.clone();
        if !ctx.alertmanager.is_empty() || !ctx.prometheus.is_empty() {
            c.alertmanager = ctx.alertmanager.clone();
            c.prometheus = ctx.prometheus.clone();
        }
        if ctx.github.is_some() {
            c.github = ctx.github.clone();
        }
        if ctx.release.is_some() {
            c.release = ctx.release.clone();
        }
        if ctx.deploy.is_some() {
            c.deploy = ctx.deploy.clone();
        }
        if ctx.theme.is_some() {
            c.theme = ctx.theme.clone();
        }
        if let Some(ro) = ctx.read_only {
            c.read_only = ro;
        }
        Ok(c)
    }
}

impl Config {
    /// Parses a config file's text. `path` is only used in error messages.
    ///
    /// The checks that need other layers (that `theme` loads, that `[keys]`
    /// applies to the keymap) are not made here but by
    /// `app::settings::Settings::resolve`, which places its errors through
    /// [`Config::place`].
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: e.span().map(|s| line_col(text, s.start)),
            message: suggest(e.message()),
        })?;
        config.validate(text, path)?;
        config.origin = Some(Arc::new(Origin {
            path: path.to_path_buf(),
            text: text.to_string(),
        }));
        Ok(config)
    }

    /// Where a byte range of the text this config was parsed from is: the
    /// file, line and column (only the file for a config not parsed from
    /// text, such as `Config::default()`).
    pub fn place(&self, span: std::ops::Range<usize>) -> Place {
        match &self.origin {
            Some(origin) => Place {
                path: origin.path.clone(),
                position: Some(line_col(&origin.text, span.start)),
            },
            None => Place {
                path: PathBuf::new(),
                position: None,
            },
        }
    }

    /// Reads and parses a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            position: None,
            message: format!("cannot read config: {e}"),
        })?;
        Config::parse(&text, path)
    }
}

/// Where the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file.
    File(PathBuf),
    /// No file: the embedded demo.
    Demo,
}

/// Finds the config file: `--config`, then `$OPSDECK_CONFIG`, then
/// `$XDG_CONFIG_HOME/opsdeck/config.toml` (`~/.config` when unset), all read
/// from `env` (see [`Dirs::from_env`]). An explicitly named file that does
/// not exist is an error; a missing default file means the demo.
pub fn locate(
    explicit: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<ConfigSource, ConfigError> {
    locate_in(explicit, env("OPSDECK_CONFIG"), &Dirs::from_env(env))
}

/// [`locate`] with `$OPSDECK_CONFIG`'s value and the directories given (the
/// console passes [`Dirs::system`]).
pub fn locate_in(
    explicit: Option<&Path>,
    opsdeck_config: Option<String>,
    dirs: &Dirs,
) -> Result<ConfigSource, ConfigError> {
    let named = explicit
        .map(Path::to_path_buf)
        .or_else(|| opsdeck_config.filter(|s| !s.is_empty()).map(PathBuf::from));
    if let Some(path) = named {
        if path.is_file() {
            return Ok(ConfigSource::File(path));
        }
        return Err(ConfigError {
            path,
            position: None,
            message: "config file not found".into(),
        });
    }
    match dirs.config_file() {
        Some(p) if p.is_file() => Ok(ConfigSource::File(p)),
        _ => Ok(ConfigSource::Demo),
    }
}
