//! Leaf helpers every layer uses, with no ratatui, tokio or config types:
//! plural words and "did you mean …?" suggestions.

pub mod suggest;
pub mod words;
