//! The overview update, without a terminal.
