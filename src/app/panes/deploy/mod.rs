//! Deployment sync: moving through images, and bumping one (`b`) or all
//! out-of-sync ones (`B`) after showing the exact diff.

pub mod state;
pub mod update;
