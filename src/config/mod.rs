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
//! * `error` — [`ConfigError`].

mod error;
mod load;
mod schema;
mod secrets;
mod validate;

pub use crate::core::KeySpec;
pub use error::{ConfigError, ContextError, Place, PolicyError};
pub use load::{ConfigSource, locate};
pub use schema::{
    AlertsConfig, AllowConfig, BasicAuth, Config, ContextConfig, DeployConfig, GithubConfig,
    HttpSourceConfig, InstanceConfig, LogConfig, NotifyConfig, PolicyConfig, RegistryConfig,
    ReleaseConfig, RouteConfig, StepConfig, ThemeSpec,
};
pub use secrets::permission_warning;

#[cfg(test)]
mod tests;
