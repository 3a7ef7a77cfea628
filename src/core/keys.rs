//! How a key binding is written in config, shared by the config schema and
//! the keymap (so neither depends on the other for it).

use serde::Deserialize;

/// One key, several keys, or `"<disabled>"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    /// `"a"`, `"ctrl-d"`, `"<enter>"`, `"<disabled>"`.
    One(String),
    /// `["j", "<down>"]`.
    Many(Vec<String>),
}
