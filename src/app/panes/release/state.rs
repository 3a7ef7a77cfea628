//! The release pane's state: the checklist as last loaded, the cursor, a
//! tick in flight and the step command that runs (or ran).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::release::backend::ReleaseDoc;
use crate::release::command::{Resolved, StepRules};
use crate::release::runner::Stream;

/// Most output lines kept on screen (the log file has them all).
pub const MAX_OUTPUT_LINES: usize = 5000;

/// What a line of a run's output pane is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The command's standard output.
    Stdout,
    /// Its standard error.
    Stderr,
    /// A sequence's next command (`$ git push origin 3.23`).
    Command,
}

impl From<Stream> for OutputKind {
    fn from(stream: Stream) -> Self {
        match stream {
            Stream::Stdout => OutputKind::Stdout,
            Stream::Stderr => OutputKind::Stderr,
        }
    }
}

/// A command that ran (or runs) for a step.
#[derive(Debug, Clone, PartialEq)]
pub struct RunView {
    /// Run number (ties runner events to this run).
    pub id: u64,
    /// The step it belongs to.
    pub step_id: String,
    /// What runs, as one line (a sequence's commands joined with `; `).
    pub shown: String,
    /// Where.
    pub cwd: Option<PathBuf>,
    /// Output so far (the last [`MAX_OUTPUT_LINES`]).
    pub lines: Vec<(OutputKind, String)>,
    /// Lines dropped from the front.
    pub dropped: usize,
    /// When it started.
    pub started: DateTime<Utc>,
    /// Exit code / signal once it ended.
    pub exit: Option<(Option<i32>, Option<i32>)>,
    /// Why it could not start.
    pub failed: Option<String>,
    /// Its log file.
    pub log_path: PathBuf,
    /// Stop was requested.
    pub stopping: bool,
}

impl RunView {
    /// Still running.
    pub fn running(&self) -> bool {
        self.exit.is_none() && self.failed.is_none()
    }
}

/// A command waiting for placeholder values and a y/N.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRun {
    /// The step.
    pub step_id: String,
    /// The command, variables unfilled.
    pub resolved: Resolved,
    /// Values given so far.
    pub vars: BTreeMap<String, String>,
    /// Still to ask, in order.
    pub missing: Vec<String>,
}

/// The release view's state.
#[derive(Debug, Clone)]
pub struct ReleaseState {
    /// A `[release]` section exists.
    pub configured: bool,
    /// The checklist as last loaded.
    pub doc: Option<ReleaseDoc>,
    /// Selected step (index into the checklist's steps).
    pub cursor: usize,
    /// The cursor was placed on the first open step already.
    pub placed: bool,
    /// A tick in flight: (step id, wanted state).
    pub pending: Option<(String, bool)>,
    /// Which commands may run.
    pub rules: StepRules,
    /// The last (or current) command.
    pub run: Option<RunView>,
    /// Next run number.
    pub next_run: u64,
    /// Where run logs go.
    pub log_dir: PathBuf,
    /// Grace between SIGTERM and SIGKILL.
    pub stop_grace: Duration,
}

impl ReleaseState {
    /// From the config.
    pub fn from_config(config: &Config) -> ReleaseState {
        let r = config.release.as_ref();
        ReleaseState {
            configured: r.is_some(),
            doc: None,
            cursor: 0,
            placed: false,
            pending: None,
            rules: r.map(StepRules::from_config).unwrap_or_default(),
            run: None,
            next_run: 1,
            log_dir: r
                .and_then(|r| r.log_dir.clone())
                .or_else(crate::release::runner::default_log_dir)
                .unwrap_or_else(|| std::env::temp_dir().join("opsdeck-runs")),
            stop_grace: r.map_or(Duration::from_secs(5), |r| r.stop_grace),
        }
    }

    /// The selected step's id.
    pub fn selected_id(&self) -> Option<&str> {
        let doc = self.doc.as_ref()?;
        doc.checklist.steps.get(self.cursor).map(|s| s.id.as_str())
    }

    /// A command is running.
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(RunView::running)
    }

    /// A command is running and no stop was asked for yet (ctrl-c stops
    /// it rather than quitting).
    pub fn stoppable(&self) -> bool {
        self.run
            .as_ref()
            .is_some_and(|r| r.running() && !r.stopping)
    }
}
