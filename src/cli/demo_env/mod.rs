//! The embedded demo (cargo feature `demo`, on by default): in-process
//! Alertmanager, Prometheus, GitHub, registry and deploy repository, and the
//! config that points opsdeck's real clients at them. Without the feature
//! there is no demo and no fake in the binary.

#[cfg(feature = "demo")]
mod with_demo;

#[cfg(feature = "demo")]
pub use with_demo::{Demo, demo_config, start};

/// Built without the `demo` feature: there is no demo to start.
#[cfg(not(feature = "demo"))]
pub enum Demo {}

#[cfg(not(feature = "demo"))]
/// Refuses: this build has no embedded demo.
pub async fn start() -> color_eyre::eyre::Result<Demo> {
    color_eyre::eyre::bail!(
        "no config file found, and this build has no embedded demo (built without the \
         `demo` feature): pass --config FILE or set $OPSDECK_CONFIG"
    )
}

#[cfg(not(feature = "demo"))]
/// Never called: there is no [`Demo`] value.
pub fn demo_config(demo: &Demo) -> Result<crate::config::Config, crate::config::ConfigError> {
    match *demo {}
}
