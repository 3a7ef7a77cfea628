//! The alerts pane's state: the sources' last good data, the merged and
//! grouped alerts derived from it, the selection, the filter bar and the
//! silences changed here that the sources have not caught up with.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use super::history::{HistoryView, Looked, Resolved};
use crate::alerts::arrange::{Arrange, GroupBy};
use crate::alerts::grouping::{self, Group, Routing};
use crate::alerts::matcher::Filter;
use crate::alerts::model::{Alert, AlertState, AlertmanagerSnapshot, Silence, SilenceState};
use crate::app::input::LineInput;
use crate::config::Config;

/// Which list has the keyboard in the alerts view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The team list.
    Teams,
    /// The selected team's alerts.
    Alerts,
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
    /// Firing episodes from which an alert is flapping (0: never).
    pub flap_threshold: usize,
    /// How far back "recently resolved" looks.
    pub history_resolved: Duration,
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
            flap_threshold: config.alerts.flap_threshold,
            history_resolved: config.alerts.history_resolved,
        }
    }
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

/// The alerts pane.
#[derive(Debug, Clone)]
pub struct AlertsPane {
    /// From config.
    pub settings: AlertSettings,
    /// Each Alertmanager's last good snapshot.
    pub snapshots: BTreeMap<String, AlertmanagerSnapshot>,
    /// Each Prometheus' last good alerts.
    pub prometheus: BTreeMap<String, Vec<Alert>>,
    /// Merged alerts (derived).
    pub all: Vec<Alert>,
    /// Merged silences, one per id, with every source holding it (derived).
    pub silences: Vec<Silence>,
    /// Alerts grouped as `arrange` says (derived).
    pub groups: Vec<Group>,
    /// Alerts grouped by team when `arrange` groups otherwise (derived;
    /// the overview and notifications read teams).
    by_team: Vec<Group>,
    /// What the alerts are grouped by and how they are sorted (kept for
    /// the session).
    pub arrange: Arrange,
    /// The label `:group label NAME` chose last (the grouping key's cycle
    /// includes it).
    pub group_label: Option<String>,
    /// The group list is hidden: the alerts take the full width.
    pub collapsed: bool,
    /// Marked alerts' fingerprints (space / `v`); kept while the alerts
    /// exist.
    pub marks: BTreeSet<String>,
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
    /// Silences changed here and not yet seen in the sources.
    pub local: Vec<(DateTime<Utc>, LocalChange)>,
    /// Notifications.
    pub notify: NotifyState,
    /// The history from Prometheus, when configured.
    pub history: HistoryView,
    /// When the view was last looked at: what is new since.
    pub looked: Looked,
}

impl AlertsPane {
    /// Derives the recently resolved anew from the history and the
    /// alerts firing now (on each read and each change of the alerts).
    pub fn derive_history(&mut self) {
        let within = self.settings.history_resolved;
        self.history
            .derive(&self.all, &self.settings.routing, within);
    }

    /// An empty pane with these settings.
    pub fn new(settings: AlertSettings) -> AlertsPane {
        AlertsPane {
            settings,
            snapshots: BTreeMap::new(),
            prometheus: BTreeMap::new(),
            all: Vec::new(),
            silences: Vec::new(),
            groups: Vec::new(),
            by_team: Vec::new(),
            arrange: Arrange::default(),
            group_label: None,
            collapsed: false,
            marks: BTreeSet::new(),
            team: 0,
            alert: 0,
            focus: Focus::Teams,
            detail: false,
            show_suppressed: false,
            filter: FilterBar::default(),
            local: Vec::new(),
            notify: NotifyState::default(),
            history: HistoryView::default(),
            looked: Looked::default(),
        }
    }

    /// The alerts grouped by team, whatever the view groups by.
    pub fn teams(&self) -> &[Group] {
        if self.arrange.group == GroupBy::Team {
            &self.groups
        } else {
            &self.by_team
        }
    }

    /// The group list is not shown: collapsed, or the flat list.
    pub fn list_hidden(&self) -> bool {
        self.collapsed || self.arrange.group == GroupBy::Flat
    }

    /// The marked alerts that still exist, in the order shown (group by
    /// group), then any the filter hides.
    pub fn marked(&self) -> Vec<&Alert> {
        let mut out: Vec<&Alert> = Vec::with_capacity(self.marks.len());
        let mut seen = BTreeSet::new();
        for g in &self.groups {
            for &i in &g.alerts {
                let a = &self.all[i];
                if self.marks.contains(&a.fingerprint) && seen.insert(i) {
                    out.push(a);
                }
            }
        }
        if out.len() < self.marks.len() {
            for (i, a) in self.all.iter().enumerate() {
                if self.marks.contains(&a.fingerprint) && seen.insert(i) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Where the alert `all[idx]` is listed: its group and row (none when
    /// the filter or `s` hides it).
    pub fn place_of(&self, idx: usize) -> Option<(usize, usize)> {
        self.groups.iter().enumerate().find_map(|(g, group)| {
            group
                .alerts
                .iter()
                .position(|&i| i == idx)
                .map(|row| (g, row))
        })
    }

    /// The selected team's group.
    pub fn selected_group(&self) -> Option<&Group> {
        self.groups.get(self.team)
    }

    /// The selected alert.
    pub fn selected_alert(&self) -> Option<&Alert> {
        self.selected_group()
            .and_then(|g| g.alerts.get(self.alert))
            .map(|&i| &self.all[i])
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

    /// Rebuilds merged alerts, silences and groups from the snapshots (of
    /// the sources named in `order`, config order) and local changes as of
    /// `now`, keeping the selection on the same team and alert.
    pub fn recompute(&mut self, order: &[&str], now: DateTime<Utc>) {
        let keep_team = self.selected_group().map(|g| g.key.clone());
        let keep_alert = self.selected_alert().map(|a| a.fingerprint.clone());

        let am: Vec<&[Alert]> = order
            .iter()
            .filter_map(|name| self.snapshots.get(*name))
            .map(|s| s.alerts.as_slice())
            .collect();
        let prom: Vec<&[Alert]> = order
            .iter()
            .filter_map(|name| self.prometheus.get(*name))
            .map(Vec::as_slice)
            .collect();
        let mut alerts = grouping::merge(am, prom, &self.settings.routing);

        let mut silences: Vec<Silence> = Vec::new();
        for s in order.iter().filter_map(|name| self.snapshots.get(*name)) {
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
        self.apply_local(&mut alerts, &mut silences, now);
        // Marks live as long as their alerts do.
        if !self.marks.is_empty() {
            let alive: BTreeSet<&str> = alerts.iter().map(|a| a.fingerprint.as_str()).collect();
            self.marks.retain(|fp| alive.contains(fp.as_str()));
        }
        self.all = alerts;
        self.silences = silences;
        self.regroup_keeping(keep_team, keep_alert);
    }

    /// Groups and sorts anew as `arrange` says, keeping the selected alert.
    pub fn rearrange(&mut self, arrange: Arrange) {
        let keep_alert = self.selected_alert().map(|a| a.fingerprint.clone());
        if let GroupBy::Label(l) = &arrange.group {
            self.group_label = Some(l.clone());
        }
        let regrouped = arrange.group != self.arrange.group;
        self.arrange = arrange;
        let keep_team = if regrouped {
            None
        } else {
            self.selected_group().map(|g| g.key.clone())
        };
        self.regroup_keeping(keep_team, keep_alert);
    }

    /// Re-applies the filter and grouping (after a filter or `s` change).
    pub fn regroup(&mut self) {
        let keep_team = self.selected_group().map(|g| g.key.clone());
        let keep_alert = self.selected_alert().map(|a| a.fingerprint.clone());
        self.regroup_keeping(keep_team, keep_alert);
    }
    fn regroup_keeping(&mut self, team: Option<String>, alert: Option<String>) {
        let (filter, shown) = (&self.filter.applied, self.show_suppressed);
        self.groups = grouping::arrange(&self.all, filter, shown, &self.arrange);
        self.by_team = if self.arrange.group == GroupBy::Team {
            Vec::new()
        } else {
            grouping::group(&self.all, filter, shown)
        };
        let mut team_idx = team.and_then(|t| self.groups.iter().position(|g| g.key == t));
        // Grouped anew: the group now holding the selected alert.
        if team_idx.is_none() {
            if let Some(fp) = &alert {
                team_idx = self
                    .groups
                    .iter()
                    .position(|g| g.alerts.iter().any(|&i| &self.all[i].fingerprint == fp));
            }
        }
        match team_idx {
            Some(i) => self.team = i,
            None => self.team = self.team.min(self.groups.len().saturating_sub(1)),
        }
        let len = self.selected_group().map_or(0, Group::total);
        let alert_idx = alert.and_then(|fp| {
            self.selected_group()
                .and_then(|g| g.alerts.iter().position(|&i| self.all[i].fingerprint == fp))
        });
        match alert_idx {
            Some(i) => self.alert = i,
            None => self.alert = self.alert.min(len.saturating_sub(1)),
        }
    }

    /// Applies local silence changes the sources have not caught up with.
    fn apply_local(&self, alerts: &mut [Alert], silences: &mut Vec<Silence>, now: DateTime<Utc>) {
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
                        s.ends_at = s.ends_at.min(now);
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
