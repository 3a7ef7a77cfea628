//! The deploy pane's state: the last refresh, the cursor, and a plan or
//! bump in flight.

use crate::deploy::scan::Untracked;
use crate::deploy::service::DeploySnapshot;
use crate::deploy::sync::ImageStatus;

/// The deploy view's state.
#[derive(Debug, Clone, Default)]
pub struct DeployState {
    /// A `[deploy]` section exists.
    pub configured: bool,
    /// The last refresh.
    pub snapshot: Option<DeploySnapshot>,
    /// Selected row: an image (index into the snapshot's images), then the
    /// untracked values after them.
    pub cursor: usize,
    /// The detail pane is open.
    pub detail: bool,
    /// A plan or bump is in flight.
    pub busy: Option<String>,
    /// The last bump's pull request or branch, for the status line.
    pub last_bump: Option<String>,
    /// What the bump-all being planned left out (drifted pins), for its
    /// confirmation.
    pub left_out: Option<String>,
}

/// A row of the deploy list.
#[derive(Debug, Clone, Copy)]
pub enum DeployRow<'a> {
    /// An image, with all its pins.
    Image(&'a ImageStatus),
    /// An `image:` value that is not tracked.
    Untracked(&'a Untracked),
}

impl DeployState {
    /// The list's rows: images, then untracked values.
    pub fn rows(&self) -> usize {
        self.snapshot
            .as_ref()
            .map_or(0, |s| s.images.len() + s.untracked.len())
    }

    /// The row at `index`.
    pub fn row(&self, index: usize) -> Option<DeployRow<'_>> {
        let s = self.snapshot.as_ref()?;
        match s.images.get(index) {
            Some(i) => Some(DeployRow::Image(i)),
            None => s
                .untracked
                .get(index - s.images.len())
                .map(DeployRow::Untracked),
        }
    }

    /// The selected row.
    pub fn selected(&self) -> Option<DeployRow<'_>> {
        self.row(self.cursor)
    }

    /// Each row as text to search (`/`): an image's repository and its
    /// pins' files, an untracked value's file, text and reason.
    pub fn search_texts(&self) -> Vec<String> {
        let Some(s) = self.snapshot.as_ref() else {
            return Vec::new();
        };
        let images = s.images.iter().map(|i| {
            let files: Vec<&str> = i.refs.iter().map(|r| r.file.as_str()).collect();
            format!("{} {}", i.repository, files.join(" "))
        });
        let untracked = s
            .untracked
            .iter()
            .map(|u| format!("{} {} {}", u.file, u.text, u.reason));
        images.chain(untracked).collect()
    }

    /// The selected image's key (none on an untracked row).
    pub fn selected_key(&self) -> Option<&str> {
        match self.selected()? {
            DeployRow::Image(i) => Some(i.key.as_str()),
            DeployRow::Untracked(_) => None,
        }
    }
}
