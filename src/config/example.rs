//! The documented example config (`config.toml.example`), embedded: every key
//! the config accepts, with its default or an example value.

/// The text of `config.toml.example`.
pub const EXAMPLE: &str = include_str!("../../config.toml.example");
