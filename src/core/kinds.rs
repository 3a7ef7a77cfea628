//! What kind of thing a source is (the header and status use it).

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

/// The kind of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
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
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_json_names() {
        for (kind, name) in [
            (SourceKind::Alertmanager, "alertmanager"),
            (SourceKind::Prometheus, "prometheus"),
            (SourceKind::Github, "github"),
            (SourceKind::File, "file"),
            (SourceKind::Deploy, "deploy"),
        ] {
            assert_eq!(kind.as_str(), name);
            assert_eq!(
                serde_json::to_string(&kind).ok(),
                Some(format!("\"{name}\""))
            );
        }
    }
}
