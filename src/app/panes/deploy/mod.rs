//! Deployment sync: moving through images (and untracked `image:` values),
//! and bumping one (`b`) or all out-of-sync images and moved channels (`B`,
//! drifted pins left out and named) after showing the exact diff.

pub mod state;
pub mod update;
