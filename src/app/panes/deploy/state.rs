//! The deploy pane's state: the last refresh, the cursor, and a plan or
//! bump in flight.

use crate::deploy::service::DeploySnapshot;

/// The deploy view's state.
#[derive(Debug, Clone, Default)]
pub struct DeployState {
    /// A `[deploy]` section exists.
    pub configured: bool,
    /// The last refresh.
    pub snapshot: Option<DeploySnapshot>,
    /// Selected image (index into the snapshot's images).
    pub cursor: usize,
    /// The detail pane is open.
    pub detail: bool,
    /// A plan or bump is in flight.
    pub busy: Option<String>,
    /// The last bump's pull request or branch, for the status line.
    pub last_bump: Option<String>,
}

impl DeployState {
    /// The selected image's key.
    pub fn selected_key(&self) -> Option<&str> {
        self.snapshot
            .as_ref()
            .and_then(|s| s.images.get(self.cursor))
            .map(|i| i.key.as_str())
    }
}
