//! Configuration: TOML, looked up from `--config PATH`, then `$OPSDECK_CONFIG`,
//! then `$XDG_CONFIG_HOME/opsdeck/config.toml`. With none of them present
//! opsdeck runs its embedded demo.
//!
//! Errors name the file, line and column and what was expected; an unknown key
//! suggests the nearest valid one.
//!
//! * `schema` — the serde types and their defaults;
//! * `load` — finding and reading the file, contexts;
//! * `validate` — the checks the schema cannot express;
//! * `secrets` — secrets written in the file, and the permission warning;
//! * `error` — [`ConfigError`] and the other error types;
//! * `example` — the documented example, embedded ([`EXAMPLE`]);
//! * `ui` — the user's console settings (keys, theme, …) carried over to
//!   another config's sources (`--demo`).
//!
//! The config is a leaf: it knows nothing of the keymap or of themes. That
//! `theme` loads and `[keys]` applies is checked when the config is loaded,
//! by `app::settings`.

mod error;
mod example;
mod load;
mod schema;
mod secrets;
mod ui;
mod validate;

pub use crate::core::KeySpec;
pub use error::{ConfigError, ContextError, Place, PolicyError};
pub use example::EXAMPLE;
pub use load::{ConfigSource, locate, locate_in};
pub use schema::{
    AlertsConfig, AllowConfig, BasicAuth, BumpMode, Config, ContextConfig, DeployConfig,
    GithubConfig, HttpSourceConfig, InstanceConfig, LogConfig, NotifyConfig, PolicyConfig,
    RegistryConfig, ReleaseConfig, RouteConfig, StepConfig, ThemeSpec, ValuesConfig,
};
pub use secrets::permission_warning;

#[cfg(test)]
mod tests;
