//! The whole application state. Plain data plus the derived views
//! (merged alerts, team groups) that [`State::recompute`] rebuilds whenever
//! their inputs change, so rendering only reads.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::input::LineInput;
use super::keymap::Keymap;
use crate::alerts::grouping::{self, Routing, TeamGroup};
use crate::alerts::matcher::{Filter, Matcher};
use crate::alerts::model::{
    Alert, AlertState, AlertmanagerSnapshot, Silence, SilenceState, SourceKind,
};
use crate::config::Config;

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

/// Which list has the keyboard in the alerts view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The team list.
    Teams,
    /// The selected team's alerts.
    Alerts,
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

/// Settings the alerts view needs, taken from the config.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSettings {
    /// Team and severity routing.
    pub routing: Routing,
    /// Default silence length, and how much `e` extends.
    pub ack_duration: Duration,
    /// Default silence author.
    pub ack_author: String,
    /// Default silence comment.
    pub ack_comment: String,
    /// Refresh interval.
    pub refresh: Duration,
}

impl AlertSettings {
    /// From the config.
    pub fn from_config(config: &Config) -> AlertSettings {
        AlertSettings {
            routing: config.routing(),
            ack_duration: config.alerts.ack_duration,
            ack_author: config.ack_author(),
            ack_comment: config.alerts.ack_comment.clone(),
            refresh: config.alerts.refresh,
        }
    }
}

/// A field of the acknowledge form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    /// Matchers.
    Matchers,
    /// Duration.
    Duration,
    /// Author.
    Author,
    /// Comment.
    Comment,
}

impl FormField {
    /// In display order.
    pub const ALL: [FormField; 4] = [
        FormField::Matchers,
        FormField::Duration,
        FormField::Author,
        FormField::Comment,
    ];

    /// Label on screen.
    pub fn label(self) -> &'static str {
        match self {
            FormField::Matchers => "Matchers",
            FormField::Duration => "Duration",
            FormField::Author => "Author",
            FormField::Comment => "Comment",
        }
    }
}

/// The acknowledge (new silence) form.
#[derive(Debug, Clone, PartialEq)]
pub struct AckForm {
    /// The alert it was opened on.
    pub fingerprint: String,
    /// The alert's name, for the title.
    pub alertname: String,
    /// The Alertmanagers the silence will go to.
    pub targets: Vec<String>,
    /// `name="value", …`
    pub matchers: LineInput,
    /// e.g. `2h`
    pub duration: LineInput,
    /// Author.
    pub author: LineInput,
    /// Comment.
    pub comment: LineInput,
    /// The focused field.
    pub field: FormField,
    /// Why the last submit failed (a parse error, or Alertmanager's text).
    pub error: Option<String>,
    /// Waiting for Alertmanager's answer.
    pub submitting: bool,
    /// `A`: acknowledging this whole team (one silence per active alert;
    /// the matchers field is not used).
    pub team: Option<String>,
}

impl AckForm {
    /// The fields the user can edit, in order (a team form has no
    /// matchers: each silence takes its alert's labels).
    pub fn fields(&self) -> &'static [FormField] {
        if self.team.is_some() {
            &FormField::ALL[1..]
        } else {
            &FormField::ALL
        }
    }

    /// The focused input.
    pub fn input_mut(&mut self) -> &mut LineInput {
        match self.field {
            FormField::Matchers => &mut self.matchers,
            FormField::Duration => &mut self.duration,
            FormField::Author => &mut self.author,
            FormField::Comment => &mut self.comment,
        }
    }

    /// An input by field.
    pub fn input(&self, field: FormField) -> &LineInput {
        match field {
            FormField::Matchers => &self.matchers,
            FormField::Duration => &self.duration,
            FormField::Author => &self.author,
            FormField::Comment => &self.comment,
        }
    }

    /// Parses the matchers field: label matchers separated by commas or
    /// spaces, optionally in `{…}`.
    pub fn parsed_matchers(&self) -> Result<Vec<Matcher>, String> {
        parse_matcher_list(self.matchers.text())
    }
}

/// Parses the matchers of a silence (see
/// [`crate::alerts::matcher::parse_silence_matchers`]).
pub fn parse_matcher_list(text: &str) -> Result<Vec<Matcher>, String> {
    crate::alerts::matcher::parse_silence_matchers(text).map_err(|e| e.message)
}

/// What `y` in a confirmation does.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingOp {
    /// Create the silences (from the form, or `A`).
    Create {
        /// One per silence.
        requests: Vec<super::SilenceRequest>,
        /// Came from the form (errors go back to it).
        from_form: bool,
    },
    /// Expire silences: (target, id).
    Expire(Vec<(String, String)>),
    /// Run a release step's command.
    Run(Box<super::release::PendingRun>),
    /// Bump image pins.
    Bump(Box<crate::deploy::service::BumpPlan>),
    /// Extend silences (each request keeps its silence's id).
    Extend(Vec<super::SilenceRequest>),
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

/// What a mouse click can land on (recorded by `ui` as it draws).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitTarget {
    /// The team list.
    Teams,
    /// The selected team's alert table.
    Alerts,
    /// The deploy view's image table.
    DeployImages,
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

/// Something drawn over the view, topmost last.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The key help, scrolled down this many lines.
    Help(usize),
    /// The acknowledge form.
    AckForm(Box<AckForm>),
    /// A y/N question.
    Confirm(Confirm),
    /// The silences list; the number is the selected row.
    Silences(usize),
    /// A one-line question (a placeholder value for a command).
    Prompt(Box<super::release::Prompt>),
    /// The `:` command palette.
    Palette(Box<super::console::Palette>),
    /// `u`/`e` on an alert: choose which of its silences.
    Pick(Box<super::pick::Pick>),
}

/// What notifications have been sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifyState {
    /// The first refresh happened (it only records, never notifies).
    pub primed: bool,
    /// Fingerprints already seen firing critical.
    pub seen: std::collections::HashSet<String>,
    /// Only these teams (empty: all).
    pub teams: Vec<String>,
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
    /// When it was set (it fades after a while).
    pub at: DateTime<Utc>,
}

/// A silence opsdeck just created or expired and that the sources may not
/// report yet: applied over the data so the screen agrees with the user at once.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalChange {
    /// A new (or extended) silence.
    Created(Silence),
    /// An expired silence id.
    Expired(String),
}

/// The filter bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterBar {
    /// What is typed.
    pub input: LineInput,
    /// The input has the keyboard.
    pub editing: bool,
    /// The last filter that parsed (applied).
    pub applied: Filter,
    /// Why the current input does not parse.
    pub error: Option<String>,
}

/// The whole state.
#[derive(Debug, Clone)]
pub struct State {
    /// The shown view.
    pub view: View,
    /// Running the embedded demo.
    pub demo: bool,
    /// Set when the app should exit.
    pub quit: bool,
    /// The clock, as of the last tick.
    pub now: DateTime<Utc>,
    /// Keys.
    pub keymap: Keymap,
    /// From config.
    pub settings: AlertSettings,
    /// Source health, in config order.
    pub sources: Vec<SourceStatus>,
    /// Each Alertmanager's last good snapshot.
    pub snapshots: BTreeMap<String, AlertmanagerSnapshot>,
    /// Each Prometheus' last good alerts.
    pub prometheus: BTreeMap<String, Vec<Alert>>,
    /// Merged alerts (derived).
    pub alerts: Vec<Alert>,
    /// Merged silences, one per id, with every source holding it (derived).
    pub silences: Vec<Silence>,
    /// Alerts grouped by team (derived).
    pub groups: Vec<TeamGroup>,
    /// Selected team (index into `groups`).
    pub team: usize,
    /// Selected alert (index into the team's alerts).
    pub alert: usize,
    /// Which list has focus.
    pub focus: Focus,
    /// The detail pane is open.
    pub detail: bool,
    /// Show silenced and inhibited alerts.
    pub show_suppressed: bool,
    /// The filter bar.
    pub filter: FilterBar,
    /// Dialogs, topmost last.
    pub overlays: Vec<Overlay>,
    /// The status line.
    pub message: Option<Message>,
    /// Silences changed here and not yet seen in the sources.
    pub local: Vec<(DateTime<Utc>, LocalChange)>,
    /// Rows of the alert list that fit on screen (for paging); set on resize.
    pub page: usize,
    /// The release view.
    pub release: super::release::ReleaseState,
    /// The deploy view.
    pub deploy: super::deploy::DeployState,
    /// Colours.
    pub theme: crate::ui::theme::Theme,
    /// Changes are refused (`--read-only`).
    pub read_only: bool,
    /// The selected context, if any.
    pub context: Option<String>,
    /// The contexts the config defines.
    pub contexts: Vec<String>,
    /// Pages visited before this one (Esc goes back; the breadcrumb).
    pub history: Vec<View>,
    /// Palette lines entered, oldest first.
    pub palette_history: Vec<String>,
    /// Notifications.
    pub notify: NotifyState,
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
            quit: false,
            now,
            keymap: Keymap::default(),
            settings,
            sources: sources
                .into_iter()
                .map(|(name, kind)| SourceStatus::new(&name, kind))
                .collect(),
            snapshots: BTreeMap::new(),
            prometheus: BTreeMap::new(),
            alerts: Vec::new(),
            silences: Vec::new(),
            groups: Vec::new(),
            team: 0,
            alert: 0,
            focus: Focus::Teams,
            detail: false,
            show_suppressed: false,
            filter: FilterBar::default(),
            overlays: Vec::new(),
            message: None,
            local: Vec::new(),
            page: 20,
            release: super::release::ReleaseState::from_config(&Config::default()),
            deploy: super::deploy::DeployState::default(),
            theme: crate::ui::theme::Theme::default(),
            read_only: false,
            context: None,
            contexts: Vec::new(),
            history: Vec::new(),
            palette_history: Vec::new(),
            notify: NotifyState::default(),
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
    pub fn selected_group(&self) -> Option<&TeamGroup> {
        self.groups.get(self.team)
    }

    /// The selected alert.
    pub fn selected_alert(&self) -> Option<&Alert> {
        self.selected_group()
            .and_then(|g| g.alerts.get(self.alert))
            .map(|&i| &self.alerts[i])
    }

    /// Active and pending silences, soonest end first.
    pub fn open_silences(&self) -> Vec<&Silence> {
        let mut v: Vec<&Silence> = self
            .silences
            .iter()
            .filter(|s| s.state != SilenceState::Expired)
            .collect();
        v.sort_by(|a, b| a.ends_at.cmp(&b.ends_at).then_with(|| a.id.cmp(&b.id)));
        v
    }

    /// A silence by id.
    pub fn silence(&self, id: &str) -> Option<&Silence> {
        self.silences.iter().find(|s| s.id == id)
    }

    /// Shows a status-line message.
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            level,
            at: self.now,
        });
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
    pub fn team_stale_since(&self, group: &TeamGroup) -> Option<DateTime<Utc>> {
        if !self.any_source_failing() {
            return None;
        }
        group
            .alerts
            .iter()
            .filter_map(|&i| self.stale_since(&self.alerts[i]))
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
        let keep_team = self.selected_group().map(|g| g.team.clone());
        let keep_alert = self.selected_alert().map(|a| a.fingerprint.clone());

        // Sources in config order.
        let am: Vec<&[Alert]> = self
            .sources
            .iter()
            .filter_map(|s| self.snapshots.get(&s.name))
            .map(|s| s.alerts.as_slice())
            .collect();
        let prom: Vec<&[Alert]> = self
            .sources
            .iter()
            .filter_map(|s| self.prometheus.get(&s.name))
            .map(Vec::as_slice)
            .collect();
        let mut alerts = grouping::merge(am, prom, &self.settings.routing);

        let mut silences: Vec<Silence> = Vec::new();
        for s in self
            .sources
            .iter()
            .filter_map(|s| self.snapshots.get(&s.name))
        {
            for sil in &s.silences {
                match silences.iter_mut().find(|x| x.id == sil.id) {
                    Some(x) => {
                        for src in &sil.sources {
                            if !x.sources.contains(src) {
                                x.sources.push(src.clone());
                            }
                        }
                    }
                    None => silences.push(sil.clone()),
                }
            }
        }
        self.apply_local(&mut alerts, &mut silences);
        self.alerts = alerts;
        self.silences = silences;
        self.regroup_keeping(keep_team, keep_alert);
    }

    /// Re-applies the filter and grouping (after a filter or `s` change).
    pub fn regroup(&mut self) {
        let keep_team = self.selected_group().map(|g| g.team.clone());
        let keep_alert = self.selected_alert().map(|a| a.fingerprint.clone());
        self.regroup_keeping(keep_team, keep_alert);
    }

    fn regroup_keeping(&mut self, team: Option<String>, alert: Option<String>) {
        self.groups = grouping::group(&self.alerts, &self.filter.applied, self.show_suppressed);
        let team_idx = team.and_then(|t| self.groups.iter().position(|g| g.team == t));
        match team_idx {
            Some(i) => self.team = i,
            None => self.team = self.team.min(self.groups.len().saturating_sub(1)),
        }
        let len = self.selected_group().map_or(0, TeamGroup::total);
        let alert_idx = alert.and_then(|fp| {
            self.selected_group().and_then(|g| {
                g.alerts
                    .iter()
                    .position(|&i| self.alerts[i].fingerprint == fp)
            })
        });
        match alert_idx {
            Some(i) => self.alert = i,
            None => self.alert = self.alert.min(len.saturating_sub(1)),
        }
    }

    /// Applies local silence changes the sources have not caught up with.
    fn apply_local(&self, alerts: &mut [Alert], silences: &mut Vec<Silence>) {
        for (_, change) in &self.local {
            match change {
                LocalChange::Created(sil) => {
                    match silences.iter_mut().find(|s| s.id == sil.id) {
                        // Extended: the source still shows the old end.
                        Some(s) => s.ends_at = s.ends_at.max(sil.ends_at),
                        None => silences.push(sil.clone()),
                    }
                    for a in alerts.iter_mut() {
                        let hit = sil
                            .matchers
                            .iter()
                            .all(|m| m.matches(a.labels.get(&m.name)));
                        if hit && a.state != AlertState::Pending && !a.silenced_by.contains(&sil.id)
                        {
                            a.silenced_by.push(sil.id.clone());
                            a.state = AlertState::Silenced;
                        }
                    }
                }
                LocalChange::Expired(id) => {
                    if let Some(s) = silences.iter_mut().find(|s| &s.id == id) {
                        s.state = SilenceState::Expired;
                        s.ends_at = s.ends_at.min(self.now);
                    }
                    for a in alerts.iter_mut() {
                        a.silenced_by.retain(|x| x != id);
                        if a.state == AlertState::Silenced && a.silenced_by.is_empty() {
                            a.state = if a.inhibited_by.is_empty() {
                                AlertState::Firing
                            } else {
                                AlertState::Inhibited
                            };
                        }
                    }
                }
            }
        }
    }
}
