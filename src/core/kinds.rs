//! What kind of thing a source is (the header and status use it).

use serde::{Deserialize, Serialize};

/// The kind of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An Alertmanager (API v2).
    Alertmanager,
    /// A Prometheus server (API v1).
    Prometheus,
    /// GitHub (the release tracking issue).
    Github,
    /// A local file (the release checklist).
    File,
    /// The deploy repository, registries and instances.
    Deploy,
}

impl SourceKind {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Prometheus => "prometheus",
            SourceKind::Github => "github",
            SourceKind::File => "file",
            SourceKind::Deploy => "deploy",
        }
    }
}
