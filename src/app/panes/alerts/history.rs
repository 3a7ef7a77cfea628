//! The alerts' history in the console: Prometheus' `ALERTS` series as last
//! read, what is derived from it once per read or alerts change (each
//! team's firing counts, the recently resolved), and what is new since the
//! view was last looked at.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::alerts::grouping::Routing;
use crate::alerts::history::{Episode, FiringNow, History, Point, Summary};
use crate::alerts::model::{Alert, AlertState, Labels, Severity, Skipped};

/// An alert that stopped firing lately: Alertmanager no longer has it, the
/// history does.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The series' labels.
    pub labels: Labels,
    /// Its owning team (from the labels).
    pub team: String,
    /// Its severity (from the labels).
    pub severity: Severity,
    /// Its last firing episode (`end`: when it stopped).
    pub episode: Episode,
}

impl Resolved {
    /// The alert's name.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").unwrap_or("")
    }
}

/// The alerts' history from Prometheus' `ALERTS` series, as last read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryView {
    /// The last history read (none yet, or none configured).
    pub history: Option<History>,
    /// When it was read.
    pub at: Option<DateTime<Utc>>,
    /// Why the last read failed (the shown history is then stale).
    pub error: Option<String>,
    /// Series the last read could not understand (skipped, counted).
    pub skipped: Vec<Skipped>,
    /// Each team's firing alerts at each point (derived on each read).
    pub teams: BTreeMap<String, Vec<u32>>,
    /// What stopped firing within `history_resolved`, newest first
    /// (derived on each read and each change of the alerts).
    pub resolved: Vec<Resolved>,
}

impl HistoryView {
    /// An alert's summary, when the history holds its series.
    pub fn summary(&self, alert: &Alert) -> Option<Summary> {
        let h = self.history.as_ref()?;
        h.of(&alert.labels)
            .map(|t| h.summarize(t).started_at(alert.starts_at, h.step))
    }

    /// An alert's timeline points.
    pub fn points(&self, alert: &Alert) -> Option<&[Point]> {
        let h = self.history.as_ref()?;
        h.of(&alert.labels).map(|t| t.points.as_slice())
    }

    /// A team's firing counts over the window (none: never fired in it).
    pub fn team(&self, team: &str) -> Option<&[u32]> {
        self.teams.get(team).map(Vec::as_slice)
    }

    /// The window the history covers, in seconds.
    pub fn window_secs(&self) -> Option<u64> {
        self.history
            .as_ref()
            .map(|h| h.step.as_secs().saturating_mul(h.len as u64))
    }

    /// A new read: kept with what derives from it; a failed one keeps the
    /// last, marked stale.
    pub fn read(
        &mut self,
        result: Result<History, String>,
        skipped: Vec<Skipped>,
        at: DateTime<Utc>,
        routing: &Routing,
    ) {
        match result {
            Ok(h) => {
                self.teams = h.team_firing(routing);
                self.history = Some(h);
                self.at = Some(at);
                self.error = None;
                self.skipped = skipped;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Derives the recently resolved anew from the history and the alerts
    /// firing now (a series still firing at the last point has resolved
    /// when no alert carries its labels any more).
    pub fn derive(&mut self, all: &[Alert], routing: &Routing, within: Duration) {
        let Some(h) = &self.history else {
            self.resolved.clear();
            return;
        };
        let now = FiringNow::new(
            h,
            all.iter()
                .filter(|a| a.state != AlertState::Pending)
                .map(|a| &*a.labels),
        );
        self.resolved = h
            .resolved(within, |l| now.covers(l))
            .into_iter()
            .map(|(t, episode)| Resolved {
                team: routing.team_of(&t.labels).to_string(),
                severity: routing.severity_of(&t.labels),
                labels: t.labels.clone(),
                episode,
            })
            .collect();
    }
}

/// When the alerts view was looked at: an alert that started firing after
/// the view was last left is new until the view is left again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Looked {
    /// Alerts that started firing after this are new (none: nothing is,
    /// the first look ever).
    pub since: Option<DateTime<Utc>>,
    /// When the view was last left (the next look's `since`; the runtime
    /// keeps it across runs).
    pub left: Option<DateTime<Utc>>,
}

impl Looked {
    /// Whether the alert started firing since the last look.
    pub fn is_new(&self, alert: &Alert) -> bool {
        alert.state != AlertState::Pending && self.since.is_some_and(|t| alert.starts_at > t)
    }

    /// The view opens: what started since it was last left is new.
    pub fn open(&mut self) {
        self.since = self.left;
    }

    /// The view is left at `now`.
    pub fn leave(&mut self, now: DateTime<Utc>) {
        self.left = Some(now);
    }
}
