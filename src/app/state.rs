//! The whole application state. Plain data plus the derived views
//! (merged alerts, team groups) that [`State::recompute`] rebuilds whenever
//! their inputs change, so rendering only reads.

use chrono::{DateTime, Utc};

use super::keymap::Keymap;
use crate::alerts::grouping::Group;
use crate::alerts::model::{Alert, Silence, SourceKind};
use crate::config::Config;

pub use super::overlays::Overlay;
pub use super::overlays::ack_form::{AckForm, FormField, parse_matcher_list};
pub use super::overlays::confirm::{Confirm, PendingOp};
pub use super::panes::alerts::state::{
    AlertSettings, AlertsPane, FilterBar, Focus, LocalChange, NotifyState,
};

/// The top-level views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The start screen: every view at a glance.
    Overview,
    /// Alerts by owning team.
    Alerts,
    /// Release checklist.
    Release,
    /// Deployment sync.
    Deploy,
}

/// A source's health, as shown in the header.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceStatus {
    /// Its name.
    pub name: String,
    /// Alertmanager or Prometheus.
    pub kind: SourceKind,
    /// A fetch is running.
    pub fetching: bool,
    /// When the last successful fetch finished.
    pub last_ok: Option<DateTime<Utc>>,
    /// The last fetch's error, if it failed.
    pub error: Option<String>,
    /// Records the last good fetch skipped or could not fully understand.
    pub skipped: Vec<crate::alerts::model::Skipped>,
}

impl SourceStatus {
    /// A source that has not answered yet.
    pub fn new(name: &str, kind: SourceKind) -> SourceStatus {
        SourceStatus {
            name: name.to_string(),
            kind,
            fetching: false,
            last_ok: None,
            error: None,
            skipped: Vec::new(),
        }
    }

    /// Records a fetch's outcome: success at `at`, or the error (the age of
    /// the last good data keeps counting).
    pub fn record<T, E: std::fmt::Display>(&mut self, result: &Result<T, E>, at: DateTime<Utc>) {
        self.fetching = false;
        match result {
            Ok(_) => {
                self.last_ok = Some(at);
                self.error = None;
            }
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Healthy: the last fetch succeeded.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.last_ok.is_some()
    }
}

/// What a mouse click can land on (recorded by `ui` as it draws).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitTarget {
    /// The team list.
    Teams,
    /// The selected team's alert table.
    Alerts,
    /// The deploy view's image table.
    DeployImages,
    /// The overview's lines (every section's, in screen order).
    Overview,
}

/// One list as drawn: the screen rectangle of its rows and the index of
/// the row shown first (lists scroll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitList {
    /// What it lists.
    pub target: HitTarget,
    /// Left column, top row, width and height of the rows (not the border
    /// or the column header).
    pub rows: (u16, u16, u16, u16),
    /// Index of the item on the top row.
    pub first: usize,
}

/// Where things were on the last frame; the mouse reads it, so no screen
/// geometry is repeated outside `ui`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HitMap {
    /// The clickable lists.
    pub lists: Vec<HitList>,
}

impl HitMap {
    /// The list and item index under a screen cell, if any.
    pub fn at(&self, x: u16, y: u16) -> Option<(HitTarget, usize)> {
        self.lists.iter().find_map(|l| {
            let (lx, ly, w, h) = l.rows;
            let inside = x >= lx && x < lx.saturating_add(w) && y >= ly && y < ly.saturating_add(h);
            inside.then(|| (l.target, l.first + usize::from(y - ly)))
        })
    }
}

/// How a status message is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Good news.
    Info,
    /// Something failed.
    Error,
}

/// A status line message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Its level.
    pub level: Level,
    /// When it was set (good news fades after a while).
    pub at: DateTime<Utc>,
    /// The view it was said in: an error shows there only, and the next
    /// key there clears it.
    pub view: View,
    /// Sources whose failure it reports: it clears when one answers again.
    pub sources: Vec<String>,
}

/// How many messages `:messages` keeps.
pub const MESSAGE_LOG: usize = 200;

/// The whole state.
#[derive(Debug, Clone)]
pub struct State {
    /// The shown view.
    pub view: View,
    /// Running the embedded demo.
    pub demo: bool,
    /// The demo's own audit log (a temporary file, named in the DEMO badge).
    pub demo_audit_log: Option<std::path::PathBuf>,
    /// Set when the app should exit.
    pub quit: bool,
    /// The clock, as of the last tick.
    pub now: DateTime<Utc>,
    /// Keys.
    pub keymap: Keymap,
    /// Source health, in config order.
    pub sources: Vec<SourceStatus>,
    /// The alerts view.
    pub alerts: AlertsPane,
    /// The overview's cursor.
    pub overview: super::panes::overview::state::OverviewState,
    /// Dialogs, topmost last.
    pub overlays: Vec<Overlay>,
    /// Rows of a list that fit on screen (for paging); set on resize.
    pub page: usize,
    /// The status line.
    pub message: Option<Message>,
    /// The session's messages, oldest first (`:messages`), at most
    /// [`MESSAGE_LOG`].
    pub messages: Vec<Message>,
    /// The release view.
    pub release: super::panes::release::state::ReleaseState,
    /// The deploy view.
    pub deploy: super::panes::deploy::state::DeployState,
    /// Colours.
    pub theme: crate::ui::theme::Theme,
    /// Changes are refused (`--read-only`).
    pub read_only: bool,
    /// The selected context, if any.
    pub context: Option<String>,
    /// The contexts the config defines.
    pub contexts: Vec<String>,
    /// Palette lines entered, oldest first.
    pub palette_history: Vec<String>,
    /// The last `/` search in the release or deploy view, for `n` / `N`.
    pub search: Option<(View, String)>,
    /// Terminal rows (for the mouse and help scrolling).
    pub rows: u16,
    /// Terminal columns (the help screen's layout).
    pub cols: u16,
    /// How far the open y/N question's details are scrolled (j/k).
    pub confirm_scroll: usize,
    /// Where the last frame drew its lists (written by the runtime after
    /// each draw, read by the mouse).
    pub hits: HitMap,
    /// Read-only was asked for at start (it cannot be switched off).
    pub read_only_locked: bool,
}

impl State {
    /// A fresh state for these settings and sources.
    pub fn new(
        settings: AlertSettings,
        sources: Vec<(String, SourceKind)>,
        demo: bool,
        now: DateTime<Utc>,
    ) -> State {
        State {
            view: View::Alerts,
            demo,
            demo_audit_log: None,
            quit: false,
            now,
            keymap: Keymap::default(),
            sources: sources
                .into_iter()
                .map(|(name, kind)| SourceStatus::new(&name, kind))
                .collect(),
            alerts: AlertsPane::new(settings),
            overview: Default::default(),
            overlays: Vec::new(),
            page: 20,
            message: None,
            messages: Vec::new(),
            release: super::panes::release::state::ReleaseState::from_config(&Config::default()),
            deploy: super::panes::deploy::state::DeployState::default(),
            theme: crate::ui::theme::Theme::default(),
            read_only: false,
            context: None,
            contexts: Vec::new(),
            palette_history: Vec::new(),
            search: None,
            rows: 40,
            cols: 120,
            confirm_scroll: 0,
            hits: HitMap::default(),
            read_only_locked: false,
        }
    }

    /// The alert sources (Alertmanagers and Prometheus servers).
    pub fn alert_sources(&self) -> impl Iterator<Item = &SourceStatus> {
        self.sources
            .iter()
            .filter(|s| matches!(s.kind, SourceKind::Alertmanager | SourceKind::Prometheus))
    }

    /// Why the alert list is empty when it is not simply "nothing firing":
    /// no alert source is configured, none has answered yet, or every one
    /// failed (with the first error). `None` once any source has data.
    pub fn alerts_unavailable(&self) -> Option<String> {
        let mut sources = self.alert_sources().peekable();
        if sources.peek().is_none() {
            return Some("no Alertmanager or Prometheus is configured".into());
        }
        if self.alert_sources().any(|s| s.last_ok.is_some()) {
            return None;
        }
        let failed: Vec<&SourceStatus> =
            self.alert_sources().filter(|s| s.error.is_some()).collect();
        if failed.len() == self.alert_sources().count() {
            let first = failed
                .first()
                .map(|s| format!("{}: {}", s.name, s.error.as_deref().unwrap_or_default()))
                .unwrap_or_default();
            return Some(format!("no data: every alert source failed ({first})"));
        }
        Some("waiting for sources…".into())
    }

    /// The selected team's group.
    pub fn selected_group(&self) -> Option<&Group> {
        self.alerts.selected_group()
    }

    /// The selected alert.
    pub fn selected_alert(&self) -> Option<&Alert> {
        self.alerts.selected_alert()
    }

    /// Active and pending silences, soonest end first.
    pub fn open_silences(&self) -> Vec<&Silence> {
        self.alerts.open_silences()
    }

    /// A silence by id.
    pub fn silence(&self, id: &str) -> Option<&Silence> {
        self.alerts.silence(id)
    }

    /// Shows a status-line message (and keeps it for `:messages`).
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.say_about(level, Vec::new(), text);
    }

    /// [`State::say`] for a view other than the shown one (a background
    /// result of that view's pane).
    pub fn say_in(&mut self, view: View, level: Level, text: impl Into<String>) {
        self.log(Message {
            text: text.into(),
            level,
            at: self.now,
            view,
            sources: Vec::new(),
        });
    }

    /// [`State::say`] about these sources' failure: it clears when one of
    /// them answers again.
    pub fn say_about(&mut self, level: Level, sources: Vec<String>, text: impl Into<String>) {
        self.log(Message {
            text: text.into(),
            level,
            at: self.now,
            view: self.view,
            sources,
        });
    }

    fn log(&mut self, message: Message) {
        if self.messages.len() >= MESSAGE_LOG {
            self.messages.remove(0);
        }
        self.messages.push(message.clone());
        self.message = Some(message);
    }

    /// The status-line message to show now: good news anywhere, an error
    /// only in the view it was said in.
    pub fn shown_message(&self) -> Option<&Message> {
        self.message
            .as_ref()
            .filter(|m| m.level == Level::Info || m.view == self.view)
    }

    /// A source answered: a message about its failure is resolved.
    pub fn source_recovered(&mut self, name: &str) {
        if self
            .message
            .as_ref()
            .is_some_and(|m| m.sources.iter().any(|s| s == name))
        {
            self.message = None;
        }
    }

    /// The first source of one of these kinds (the release or deploy view's).
    pub fn source_of_kind(&mut self, kinds: &[SourceKind]) -> Option<&mut SourceStatus> {
        self.sources.iter_mut().find(|s| kinds.contains(&s.kind))
    }

    /// The source status by name.
    pub fn source(&self, name: &str) -> Option<&SourceStatus> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// When an alert's data last came in, if every source reporting it is
    /// failing now: the alert is then shown as stale (it may have resolved,
    /// or been silenced, since). `None` while any of its sources answers.
    pub fn stale_since(&self, alert: &Alert) -> Option<DateTime<Utc>> {
        let mut freshest: Option<DateTime<Utc>> = None;
        for name in &alert.sources {
            let s = self.source(name)?;
            s.error.as_ref()?;
            freshest = freshest.max(s.last_ok);
        }
        freshest
    }

    /// Any alert source failing now? (Lets views skip the stale checks in
    /// the common case.)
    pub fn any_source_failing(&self) -> bool {
        self.sources.iter().any(|s| s.error.is_some())
    }

    /// The oldest data among a team's stale alerts, if it has any.
    pub fn team_stale_since(&self, group: &Group) -> Option<DateTime<Utc>> {
        if !self.any_source_failing() {
            return None;
        }
        group
            .alerts
            .iter()
            .filter_map(|&i| self.stale_since(&self.alerts.all[i]))
            .min()
    }

    /// Alertmanagers grouped into clusters (by shared peer names; a
    /// non-clustered Alertmanager is a cluster of one), in config order.
    pub fn clusters(&self) -> Vec<Vec<String>> {
        let mut clusters: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for s in self
            .sources
            .iter()
            .filter(|s| s.kind == SourceKind::Alertmanager)
        {
            let peers = self
                .alerts
                .snapshots
                .get(&s.name)
                .map(|snap| snap.peers.clone())
                .unwrap_or_default();
            let found = clusters
                .iter_mut()
                .find(|(p, _)| !peers.is_empty() && p.iter().any(|x| peers.contains(x)));
            match found {
                Some((p, members)) => {
                    members.push(s.name.clone());
                    for x in peers {
                        if !p.contains(&x) {
                            p.push(x);
                        }
                    }
                }
                None => clusters.push((peers, vec![s.name.clone()])),
            }
        }
        clusters.into_iter().map(|(_, m)| m).collect()
    }

    /// Where to create a silence for an alert reported by `sources`: one
    /// live member of each cluster holding the alert; for an alert no
    /// Alertmanager holds (pending in Prometheus), one of every cluster.
    pub fn silence_targets(&self, sources: &[String]) -> Vec<String> {
        let clusters = self.clusters();
        let holding: Vec<&Vec<String>> = clusters
            .iter()
            .filter(|members| members.iter().any(|m| sources.contains(m)))
            .collect();
        let chosen = if holding.is_empty() {
            clusters.iter().collect()
        } else {
            holding
        };
        chosen
            .into_iter()
            .filter_map(|members| self.live_member(members))
            .collect()
    }

    /// One member to talk to: the first healthy one, else the first.
    pub fn live_member(&self, members: &[String]) -> Option<String> {
        members
            .iter()
            .find(|m| self.source(m).is_some_and(SourceStatus::ok))
            .or_else(|| members.first())
            .cloned()
    }

    /// One target per cluster among the Alertmanagers that hold a silence.
    pub fn expire_targets(&self, silence: &Silence) -> Vec<String> {
        self.clusters()
            .iter()
            .filter_map(|members| {
                let holding: Vec<String> = members
                    .iter()
                    .filter(|m| silence.sources.contains(m))
                    .cloned()
                    .collect();
                self.live_member(&holding)
            })
            .collect()
    }

    /// Rebuilds merged alerts, silences and groups from the snapshots and
    /// local changes, keeping the selection on the same team and alert.
    pub fn recompute(&mut self) {
        let order: Vec<&str> = self.sources.iter().map(|s| s.name.as_str()).collect();
        self.alerts.recompute(&order, self.now);
        self.alerts.derive_history();
    }

    /// Re-applies the filter and grouping (after a filter or `s` change).
    pub fn regroup(&mut self) {
        self.alerts.regroup();
    }
}
