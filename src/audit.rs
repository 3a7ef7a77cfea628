//! The audit log: one JSON line per mutation — who, what, on which target,
//! and whether it worked. Silences created, extended and expired; release
//! steps ticked, unticked and run; images bumped. The console and the CLI
//! both write it.
//!
//! Default path: `$XDG_STATE_HOME/opsdeck/audit.jsonl`
//! (`~/.local/state/opsdeck/audit.jsonl`); `audit_log = "PATH"` changes it.
//! A log that cannot be written is reported in opsdeck's own log and never
//! stops the mutation itself.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

/// Where audit entries go, and who is acting.
#[derive(Debug, Clone)]
pub struct Audit {
    path: Option<PathBuf>,
    who: String,
}

#[derive(Serialize)]
struct Entry<'a> {
    ts: String,
    who: &'a str,
    action: &'a str,
    target: &'a str,
    result: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    detail: &'a Value,
}

/// The default audit log path.
pub fn default_path() -> Option<PathBuf> {
    crate::core::paths::Dirs::system().state_file("audit.jsonl")
}

impl Audit {
    /// An audit log at `path` (None: nowhere), acting as `who`.
    pub fn new(path: Option<PathBuf>, who: &str) -> Audit {
        Audit {
            path,
            who: who.to_string(),
        }
    }

    /// From the config: `audit_log`, else the default path; the acting user
    /// is `alerts.ack_author`, else `$USER`.
    pub fn from_config(config: &crate::config::Config) -> Audit {
        let path = config.audit_log.clone().or_else(default_path);
        Audit::new(path, &config.ack_author())
    }

    /// The file, if any.
    pub fn path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    /// Appends one entry. `result` is Ok, or the error text.
    pub fn record(&self, action: &str, target: &str, detail: Value, result: Result<(), &str>) {
        let Some(path) = &self.path else { return };
        let entry = Entry {
            ts: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            who: &self.who,
            action,
            target,
            result: if result.is_ok() { "ok" } else { "error" },
            error: result.err(),
            detail: &detail,
        };
        let line = match serde_json::to_string(&entry) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "audit entry could not be encoded");
                return;
            }
        };
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?;
            // One write per line: concurrent writers (console and CLI) do
            // not interleave within a line.
            f.write_all(format!("{line}\n").as_bytes())
        };
        if let Err(e) = write() {
            tracing::warn!(error = %e, path = %path.display(), "audit log not written");
        }
    }

    /// Like [`Audit::record`], for a mutation's own result: Ok, or the
    /// error's text (its `Display`).
    pub fn record_result<T, E: std::fmt::Display>(
        &self,
        action: &str,
        target: &str,
        detail: Value,
        result: &Result<T, E>,
    ) {
        let error = result.as_ref().err().map(ToString::to_string);
        self.record(action, target, detail, error.as_deref().map_or(Ok(()), Err));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_json_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("audit.jsonl");
        let audit = Audit::new(Some(path.clone()), "alice");
        audit.record(
            "silence.create",
            "prod",
            serde_json::json!({"id": "abc", "matchers": ["alertname=\"x\""]}),
            Ok(()),
        );
        audit.record(
            "release.tick",
            "o/r#1",
            serde_json::json!({"step": "s/x"}),
            Err("422 refused"),
        );
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["who"], "alice");
        assert_eq!(lines[0]["action"], "silence.create");
        assert_eq!(lines[0]["target"], "prod");
        assert_eq!(lines[0]["result"], "ok");
        assert_eq!(lines[0]["detail"]["id"], "abc");
        assert!(lines[0].get("error").is_none());
        assert_eq!(lines[1]["result"], "error");
        assert_eq!(lines[1]["error"], "422 refused");
        // Nowhere: nothing happens.
        Audit::new(None, "x").record("a", "b", Value::Null, Ok(()));
    }
}
