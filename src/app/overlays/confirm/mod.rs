//! A y/N question showing a mutation's whole scope; anything but `y`
//! answers no.

pub mod keys;

use crate::app::action::SilenceRequest;
use crate::app::panes::release::state::PendingRun;

/// What `y` in a confirmation does.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingOp {
    /// Create the silences (from the form, or `A`).
    Create {
        /// One per silence.
        requests: Vec<SilenceRequest>,
        /// Came from the form (errors go back to it).
        from_form: bool,
    },
    /// Expire silences: (target, id).
    Expire(Vec<(String, String)>),
    /// Run a release step's command.
    Run(Box<PendingRun>),
    /// Bump image pins: one plan, or one per image.
    Bump(Vec<crate::deploy::service::BumpPlan>),
    /// Open a page (e.g. the pull request that already does a bump).
    OpenUrl(String),
    /// Extend silences (each request keeps its silence's id).
    Extend(Vec<SilenceRequest>),
    /// Stop the running command and quit.
    Quit,
}

/// A y/N question; anything but `y` answers no.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    /// The question.
    pub question: String,
    /// Details shown under it.
    pub details: Vec<String>,
    /// What `y` does.
    pub op: PendingOp,
}
