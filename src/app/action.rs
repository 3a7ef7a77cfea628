//! Everything that can happen to the app ([`Action`]) and everything the app
//! asks the outside world to do ([`Effect`]).

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::keymap::Command;
use crate::alerts::client::NewSilence;
use crate::alerts::source::SourceEvent;

/// An input to [`crate::app::update()`]: a key, a tick of the clock, or a
/// background result.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key press, mapped through the keymap (or typed into an input).
    Key(KeyEvent),
    /// A mouse click or wheel turn.
    Mouse(crossterm::event::MouseEvent),
    /// A theme was loaded for `:theme`.
    ThemeLoaded(Result<crate::ui::theme::Theme, crate::ui::theme::ThemeError>),
    /// A command, as a key would produce it (used by tests and scripts).
    Command(Command),
    /// The terminal was resized.
    Resize(u16, u16),
    /// The clock moved (once a second); ages on screen count up.
    Tick(DateTime<Utc>),
    /// A source finished (or started) a fetch.
    Source(SourceEvent),
    /// Something happened in the release view's background work (boxed: a
    /// loaded checklist is far larger than the other actions).
    Release(Box<ReleaseEvent>),
    /// Something happened in the deploy view's background work.
    Deploy(DeployEvent),
    /// Silence operations finished.
    SilencesDone {
        /// What was done.
        op: SilenceOp,
        /// One outcome per request, in request order.
        outcomes: Vec<SilenceOutcome>,
    },
}

/// Background results for the release view.
#[derive(Debug, Clone)]
pub enum ReleaseEvent {
    /// A load started.
    Fetching,
    /// The checklist loaded (or not).
    Loaded {
        /// The checklist, or why not.
        result: Result<crate::release::backend::ReleaseDoc, crate::release::ReleaseError>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A tick (or untick) finished.
    Ticked {
        /// The step.
        id: String,
        /// Ticked (true) or unticked.
        done: bool,
        /// The checklist read back, or why nothing changed.
        result: Result<crate::release::backend::TickOutcome, crate::release::ReleaseError>,
    },
    /// A step's command reported something.
    Run {
        /// Which run.
        run: u64,
        /// What.
        event: crate::release::runner::RunEvent,
    },
}

/// Background results for the deploy view.
#[derive(Debug, Clone)]
pub enum DeployEvent {
    /// A refresh started.
    Fetching,
    /// A refresh finished.
    Loaded {
        /// The images, or why not.
        result: Result<crate::deploy::service::DeploySnapshot, crate::deploy::DeployError>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A bump's diff is ready to show.
    Planned {
        /// The plans (one, or one per image), or why there are none.
        result: Result<crate::deploy::service::Bumps, crate::deploy::DeployError>,
    },
    /// A bump finished: every plan carried out, in order.
    Bumped {
        /// Per plan: its branch, and what it did or why it failed.
        results: Vec<(
            String,
            Result<crate::deploy::service::BumpResult, crate::deploy::DeployError>,
        )>,
    },
}

/// A silence operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceOp {
    /// Acknowledge: create.
    Create,
    /// Extend: re-post with the same id and a later end.
    Extend,
    /// Un-acknowledge: expire.
    Expire,
}

impl SilenceOp {
    /// Past tense, for messages.
    pub fn done(self) -> &'static str {
        match self {
            SilenceOp::Create => "created",
            SilenceOp::Extend => "extended",
            SilenceOp::Expire => "expired",
        }
    }
}

/// One silence to create or update on one Alertmanager.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceRequest {
    /// The Alertmanager (source name) to send it to.
    pub target: String,
    /// The silence (with `id` for an update).
    pub silence: NewSilence,
}

/// The result of one silence request.
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceOutcome {
    /// The Alertmanager it went to.
    pub target: String,
    /// The request (for create and extend; `None` for expire).
    pub request: Option<NewSilence>,
    /// The silence id (for expire: the id asked for), or what went wrong.
    pub result: Result<String, crate::net::Problem>,
}

/// Work for the runtime; `update` never does I/O itself.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Leave the app.
    Quit,
    /// Refresh every source now (coalesced).
    Refresh,
    /// Create silences (one POST each, never retried).
    CreateSilences(Vec<SilenceRequest>),
    /// Re-post silences with their ids and later ends.
    ExtendSilences(Vec<SilenceRequest>),
    /// Expire silences: (target Alertmanager, silence id).
    ExpireSilences(Vec<(String, String)>),
    /// Reload the release checklist now.
    ReleaseRefresh,
    /// Tick or untick a step (fresh read, splice by id, write, read back).
    SetStep {
        /// The step id.
        id: String,
        /// Wanted state.
        done: bool,
    },
    /// Run a step's command in the background.
    Run {
        /// Run number.
        run: u64,
        /// What to run.
        spec: crate::release::runner::RunSpec,
        /// SIGTERM → SIGKILL grace.
        grace: std::time::Duration,
    },
    /// Stop the running command.
    StopRun,
    /// Refresh the deploy view now.
    DeployRefresh,
    /// Prepare a bump (read the branch, compute the diff).
    PlanBump {
        /// Image keys.
        keys: Vec<String>,
    },
    /// Carry out bumps, one after the other: each commits on a new branch,
    /// pushes, opens a PR.
    Bump(Vec<crate::deploy::service::BumpPlan>),
    /// Open a URL in the browser.
    OpenUrl(String),
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
    /// Ring the bell (and, with the feature, a desktop notification).
    Notify {
        /// Title.
        title: String,
        /// Body.
        body: String,
    },
    /// Load a theme by name or path.
    LoadTheme(String),
    /// Restart with another `[context.NAME]`.
    SwitchContext(String),
}
