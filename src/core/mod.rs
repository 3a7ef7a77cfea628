//! Leaf helpers every layer uses, with no ratatui, tokio or config types:
//! plural words, "did you mean …?" suggestions, clipped remote text, the
//! kinds of sources, and where opsdeck's files are (`paths`).

pub mod keys;
pub mod kinds;
pub mod paths;
pub mod suggest;
pub mod text;
pub mod words;

pub use keys::KeySpec;
pub use kinds::SourceKind;
