//! [`AlertBuilder`]: the one way tests assemble an [`Alert`].
//!
//! Compiled for the library's own unit tests and, through the cargo feature
//! `testkit`, for the `opsdeck-testkit` crate (which re-exports it), never
//! into a release build.

use chrono::{DateTime, Utc};

use super::model::{Alert, AlertState, Labels, Severity, fingerprint};

/// Labels from `(name, value)` pairs.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Builds an [`Alert`] as a source reports it.
///
/// Defaults: the fingerprint is computed from the labels (as Alertmanager
/// does), no annotations, started at the Unix epoch, firing, no sources, no
/// generator URL, not silenced or inhibited, no team and [`Severity::None`]
/// (team and severity are normally filled in by routing).
#[derive(Debug, Clone)]
#[must_use]
pub struct AlertBuilder {
    labels: Labels,
    annotations: Labels,
    fingerprint: Option<String>,
    starts_at: DateTime<Utc>,
    state: AlertState,
    sources: Vec<String>,
    generator_url: Option<String>,
    team: String,
    severity: Severity,
}

impl AlertBuilder {
    /// An alert with these labels.
    pub fn new(pairs: &[(&str, &str)]) -> AlertBuilder {
        AlertBuilder::from_labels(labels(pairs))
    }

    /// An alert with this label set.
    pub fn from_labels(labels: Labels) -> AlertBuilder {
        AlertBuilder {
            labels,
            annotations: Labels::new(),
            fingerprint: None,
            starts_at: DateTime::UNIX_EPOCH,
            state: AlertState::Firing,
            sources: Vec::new(),
            generator_url: None,
            team: String::new(),
            severity: Severity::None,
        }
    }

    /// Replaces the annotations.
    pub fn annotations(mut self, annotations: Labels) -> AlertBuilder {
        self.annotations = annotations;
        self
    }

    /// Adds (or replaces) one annotation.
    pub fn annotation(mut self, name: &str, value: &str) -> AlertBuilder {
        self.annotations.insert(name, value);
        self
    }

    /// A fixed fingerprint instead of the one computed from the labels.
    pub fn fingerprint(mut self, fingerprint: &str) -> AlertBuilder {
        self.fingerprint = Some(fingerprint.to_string());
        self
    }

    /// When it started firing (or became pending).
    pub fn starts_at(mut self, starts_at: DateTime<Utc>) -> AlertBuilder {
        self.starts_at = starts_at;
        self
    }

    /// Firing, pending, silenced or inhibited.
    pub fn state(mut self, state: AlertState) -> AlertBuilder {
        self.state = state;
        self
    }

    /// Adds a source that reported it (sources keep the order they are added in).
    pub fn source(mut self, name: &str) -> AlertBuilder {
        self.sources.push(name.to_string());
        self
    }

    /// Prometheus' link to the expression.
    pub fn generator_url(mut self, url: &str) -> AlertBuilder {
        self.generator_url = Some(url.to_string());
        self
    }

    /// The owning team, as routing would set it.
    pub fn team(mut self, team: &str) -> AlertBuilder {
        self.team = team.to_string();
        self
    }

    /// The normalised severity, as routing would set it.
    pub fn severity(mut self, severity: Severity) -> AlertBuilder {
        self.severity = severity;
        self
    }

    /// The alert.
    pub fn build(self) -> Alert {
        Alert {
            fingerprint: self
                .fingerprint
                .unwrap_or_else(|| fingerprint(&self.labels)),
            labels: self.labels.into(),
            annotations: self.annotations.into(),
            starts_at: self.starts_at,
            state: self.state,
            sources: self.sources,
            generator_url: self.generator_url,
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            team: self.team,
            severity: self.severity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_an_unrouted_firing_alert() {
        let a = AlertBuilder::new(&[("alertname", "x")]).build();
        assert_eq!(a.fingerprint, "d240efc3896bf266");
        assert_eq!(a.labels.get("alertname"), Some("x"));
        assert!(a.annotations.is_empty());
        assert_eq!(a.starts_at, DateTime::UNIX_EPOCH);
        assert_eq!(a.state, AlertState::Firing);
        assert!(a.sources.is_empty() && a.generator_url.is_none());
        assert!(a.silenced_by.is_empty() && a.inhibited_by.is_empty());
        assert_eq!((a.team.as_str(), a.severity), ("", Severity::None));
    }

    #[test]
    fn every_field_can_be_set() {
        let at = DateTime::UNIX_EPOCH + chrono::TimeDelta::minutes(3);
        let a = AlertBuilder::new(&[("alertname", "x")])
            .annotation("summary", "s")
            .fingerprint("f")
            .starts_at(at)
            .state(AlertState::Pending)
            .source("a")
            .source("b")
            .generator_url("http://prom/graph")
            .team("t")
            .severity(Severity::Warning)
            .build();
        assert_eq!(a.fingerprint, "f");
        assert_eq!(a.annotations.get("summary"), Some("s"));
        assert_eq!((a.starts_at, a.state), (at, AlertState::Pending));
        assert_eq!(a.sources, ["a", "b"]);
        assert_eq!(a.generator_url.as_deref(), Some("http://prom/graph"));
        assert_eq!((a.team.as_str(), a.severity), ("t", Severity::Warning));
    }
}
