//! Leaf helpers every layer uses, with no ratatui, tokio or config types:
//! plural words, "did you mean …?" suggestions, clipped remote text, and
//! the kinds of sources.

pub mod keys;
pub mod kinds;
pub mod suggest;
pub mod text;
pub mod words;

pub use keys::KeySpec;
pub use kinds::SourceKind;
