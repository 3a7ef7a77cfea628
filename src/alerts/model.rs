//! Plain data for the alerts pane: alerts, severities, states and silences.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumString, IntoStaticStr};

use super::matcher::Matcher;

pub use super::labels::Labels;

/// Severity, ordered most severe first: `Critical < Error < Warning < Info < None`
/// in `Ord`, so sorting ascending puts critical alerts on top.
///
/// Its name is the first (`to_string`) spelling; [`Severity::parse`] also
/// reads the synonyms, in any ASCII case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(ascii_case_insensitive)]
pub enum Severity {
    /// `critical` (also `page`).
    #[strum(
        to_string = "critical",
        serialize = "crit",
        serialize = "page",
        serialize = "p1"
    )]
    Critical,
    /// `error` (also `high`, `major`).
    #[strum(
        to_string = "error",
        serialize = "err",
        serialize = "high",
        serialize = "major",
        serialize = "p2"
    )]
    Error,
    /// `warning` (also `warn`, `medium`, `minor`).
    #[strum(
        to_string = "warning",
        serialize = "warn",
        serialize = "medium",
        serialize = "minor",
        serialize = "p3"
    )]
    Warning,
    /// `info` (also `low`, `notice`).
    #[strum(
        to_string = "info",
        serialize = "informational",
        serialize = "low",
        serialize = "notice",
        serialize = "p4"
    )]
    Info,
    /// No severity label, or a value we do not know.
    #[strum(to_string = "none")]
    None,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::None,
    ];

    /// Reads a label value case-insensitively, with common synonyms.
    pub fn parse(value: &str) -> Severity {
        value.trim().parse().unwrap_or(Severity::None)
    }

    /// The lower-case name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Index into [`Severity::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an alert stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum AlertState {
    /// Firing and not suppressed.
    Firing,
    /// Pending in Prometheus (its `for` has not elapsed yet).
    Pending,
    /// Firing but silenced in Alertmanager.
    Silenced,
    /// Firing but inhibited by another alert.
    Inhibited,
}

impl AlertState {
    /// The lower-case name used in JSON, filters (`@state=`) and on screen.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Silenced or inhibited alerts are hidden unless the user asks for them.
    pub fn is_suppressed(self) -> bool {
        matches!(self, AlertState::Silenced | AlertState::Inhibited)
    }
}

/// One alert, merged across every source that reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Alertmanager's fingerprint (or the same hash computed for Prometheus alerts).
    pub fingerprint: String,
    /// All labels (shared: the merged list and each source's snapshot hold
    /// the same maps, so cloning an alert is cheap).
    pub labels: std::sync::Arc<Labels>,
    /// All annotations (shared likewise).
    pub annotations: std::sync::Arc<Labels>,
    /// When it started firing (or became pending).
    pub starts_at: DateTime<Utc>,
    /// Firing, pending, silenced or inhibited.
    pub state: AlertState,
    /// The names of the sources that reported it, in config order.
    pub sources: Vec<String>,
    /// Prometheus' link to the expression.
    pub generator_url: Option<String>,
    /// Ids of the silences that silence it.
    pub silenced_by: Vec<String>,
    /// Fingerprints of the alerts that inhibit it.
    pub inhibited_by: Vec<String>,
    /// The owning team (derived by [`crate::alerts::grouping::Routing::classify`]).
    pub team: String,
    /// The normalised severity (derived likewise).
    pub severity: Severity,
}

impl Alert {
    /// Silenced by at least one silence (Alertmanager's `silencedBy`).
    pub fn is_silenced(&self) -> bool {
        self.state == AlertState::Silenced
            || (self.state.is_suppressed() && !self.silenced_by.is_empty())
    }

    /// Inhibited by at least one other alert (`inhibitedBy`); an alert can
    /// be both silenced and inhibited.
    pub fn is_inhibited(&self) -> bool {
        self.state == AlertState::Inhibited
            || (self.state.is_suppressed() && !self.inhibited_by.is_empty())
    }

    /// Every state name that applies, for `@state` filters and display:
    /// `["silenced", "inhibited"]` for an alert that is both.
    pub fn states(&self) -> Vec<&'static str> {
        let mut out = Vec::with_capacity(2);
        if self.is_silenced() {
            out.push(AlertState::Silenced.as_str());
        }
        if self.is_inhibited() {
            out.push(AlertState::Inhibited.as_str());
        }
        if out.is_empty() {
            out.push(self.state.as_str());
        }
        out
    }

    /// The `alertname` label, or `""`.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").unwrap_or("")
    }

    /// The first of `severity_labels` present on the alert.
    pub fn severity(&self, severity_labels: &[String]) -> Severity {
        severity_labels
            .iter()
            .find_map(|l| self.labels.get(l))
            .map(Severity::parse)
            .unwrap_or(Severity::None)
    }

    /// A one-line summary: the `description` or `summary` annotation (or label).
    pub fn summary(&self) -> &str {
        ["description", "summary", "message"]
            .iter()
            .find_map(|k| self.annotations.get(k).or_else(|| self.labels.get(k)))
            .unwrap_or("")
    }

    /// The runbook or solutions link, if any annotation carries one.
    pub fn runbook_url(&self) -> Option<&str> {
        [
            "runbook_url",
            "runbook",
            "solutions",
            "solutions_url",
            "playbook",
        ]
        .iter()
        .find_map(|k| self.annotations.get(k))
    }
}

/// A silence's lifecycle state, as Alertmanager reports it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum SilenceState {
    /// In force.
    Active,
    /// Starts in the future.
    Pending,
    /// Ended.
    Expired,
}

impl SilenceState {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A silence held by an Alertmanager.
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    /// Alertmanager's id.
    pub id: String,
    /// What it matches.
    pub matchers: Vec<Matcher>,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
    /// Why.
    pub comment: String,
    /// Active, pending or expired.
    pub state: SilenceState,
    /// The sources (Alertmanagers) that hold it.
    pub sources: Vec<String>,
}

/// What kind of record a source sent that was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// An alert (Alertmanager or Prometheus).
    Alert,
    /// A silence.
    Silence,
    /// The cluster status or one of its peers.
    Status,
}

impl RecordKind {
    /// The noun, singular or plural.
    pub fn noun(self, count: usize) -> &'static str {
        match (self, count) {
            (RecordKind::Alert, 1) => "alert",
            (RecordKind::Alert, _) => "alerts",
            (RecordKind::Silence, 1) => "silence",
            (RecordKind::Silence, _) => "silences",
            (RecordKind::Status, 1) => "status record",
            (RecordKind::Status, _) => "status records",
        }
    }
}

/// One record a source sent that opsdeck could not (fully) understand: it
/// was skipped, or (a silence whose regex does not compile here) kept and
/// marked. Either way it is counted and the source shows as degraded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// What it was.
    pub kind: RecordKind,
    /// Which record and why, one short line ("silence 5f0…: regex not
    /// understood here: …").
    pub detail: String,
}

/// "1 silence not understood, 2 alerts not understood" (empty for none).
pub fn skipped_summary(skipped: &[Skipped]) -> String {
    let mut counts: std::collections::BTreeMap<RecordKind, usize> = Default::default();
    for s in skipped {
        *counts.entry(s.kind).or_default() += 1;
    }
    counts
        .iter()
        .map(|(kind, n)| format!("{n} {} not understood", kind.noun(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a source reported on its last successful refresh.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertmanagerSnapshot {
    /// Alerts as this Alertmanager reports them (each with `sources = [this]`).
    pub alerts: Vec<Alert>,
    /// Its silences.
    pub silences: Vec<Silence>,
    /// Peer names of its cluster (empty when clustering is disabled).
    pub peers: Vec<String>,
    /// Records it sent that were not understood (skipped, or kept marked).
    pub skipped: Vec<Skipped>,
}

pub use crate::core::SourceKind;

/// Computes a label set's fingerprint exactly as Prometheus and Alertmanager do:
/// FNV-1a 64 over the sorted label names and values, each followed by `0xff`,
/// printed as 16 hex digits. Lets a Prometheus alert and its Alertmanager twin
/// be recognised as one alert.
pub fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut hash = OFFSET;
    let mut add = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    // BTreeMap iterates in byte order of the names, which is Go's sort order.
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[0xff]);
        add(value.as_bytes());
        add(&[0xff]);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_puts_critical_first() {
        let mut v = vec![
            Severity::None,
            Severity::Info,
            Severity::Critical,
            Severity::Warning,
            Severity::Error,
        ];
        v.sort();
        assert_eq!(v, Severity::ALL.to_vec());
    }

    #[test]
    fn severity_synonyms() {
        assert_eq!(Severity::parse("CRITICAL"), Severity::Critical);
        assert_eq!(Severity::parse("warn"), Severity::Warning);
        assert_eq!(Severity::parse("high"), Severity::Error);
        assert_eq!(Severity::parse("bogus"), Severity::None);
    }

    #[test]
    fn names_and_every_severity_spelling() {
        let spellings: [(&[&str], Severity); 5] = [
            (&["critical", "crit", "page", "p1"], Severity::Critical),
            (&["error", "err", "high", "major", "p2"], Severity::Error),
            (
                &["warning", "warn", "medium", "minor", "p3"],
                Severity::Warning,
            ),
            (
                &["info", "informational", "low", "notice", "p4"],
                Severity::Info,
            ),
            (&["none", "", "bogus", "crit ical", "p5"], Severity::None),
        ];
        for (words, severity) in spellings {
            assert_eq!(severity.as_str(), words[0]);
            for w in words {
                for text in [w.to_string(), w.to_ascii_uppercase(), format!(" {w}\t")] {
                    assert_eq!(Severity::parse(&text), severity, "{text:?}");
                }
            }
        }
        let states = [
            AlertState::Firing,
            AlertState::Pending,
            AlertState::Silenced,
            AlertState::Inhibited,
        ];
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["firing", "pending", "silenced", "inhibited"]);
        let names: Vec<&str> = [
            SilenceState::Active,
            SilenceState::Pending,
            SilenceState::Expired,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(names, ["active", "pending", "expired"]);
        // The same names as JSON.
        for s in states {
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.as_str()))
            );
        }
        for s in Severity::ALL {
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.as_str()))
            );
        }
    }

    #[test]
    fn fingerprint_of_empty_and_single_label() {
        // Empty label set: the FNV-1a offset basis itself.
        assert_eq!(fingerprint(&Labels::new()), "cbf29ce484222325");
        // Order of insertion does not matter.
        let a: Labels = [("b", "2"), ("a", "1")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let b: Labels = [("a", "1"), ("b", "2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&Labels::new()));
    }
}
