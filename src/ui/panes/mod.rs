//! One view per pane, drawn into the body between the header and footer.

pub mod alert_detail;
pub mod alerts;
pub mod alerts_resolved;
pub mod deploy;
pub mod overview;
pub mod placeholder;
pub mod release;
pub mod release_links;
