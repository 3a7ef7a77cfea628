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

use crate::alerts::client::NewSilence;

/// Where audit entries go, and who is acting.
#[derive(Debug, Clone)]
pub struct Audit {
    path: Option<PathBuf>,
    who: String,
    /// `Some("cli")` for the CLI: every entry's detail says so.
    via: Option<&'static str>,
}

/// One mutation as the audit log records it. The console's workers and the
/// CLI build the same values, so an entry has one shape whoever made it.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// A silence created (`id` once Alertmanager answered).
    SilenceCreate {
        /// The Alertmanager.
        target: &'a str,
        /// The new silence's id.
        id: Option<&'a str>,
        /// What was sent.
        silence: &'a NewSilence,
    },
    /// A silence re-posted with a later end.
    SilenceExtend {
        /// The Alertmanager.
        target: &'a str,
        /// The silence's id.
        id: Option<&'a str>,
        /// What was sent.
        silence: &'a NewSilence,
    },
    /// A silence expired.
    SilenceExpire {
        /// The Alertmanager.
        target: &'a str,
        /// The silence's id.
        id: &'a str,
    },
    /// A release step ticked or unticked.
    Step {
        /// `repo#issue`, or the file.
        target: &'a str,
        /// The step id.
        step: &'a str,
        /// Ticked (true) or unticked.
        done: bool,
        /// It already was; nothing was written.
        unchanged: bool,
    },
    /// A step's command started (`pid`), or could not start (`None`).
    RunStart {
        /// `repo#issue`, or the file.
        target: &'a str,
        /// The step id.
        step: &'a str,
        /// What ran: each command's argv, in order.
        commands: &'a [Vec<String>],
        /// Its log file.
        log: &'a std::path::Path,
        /// Its process id.
        pid: Option<u32>,
    },
    /// A step's command ended.
    RunExit {
        /// `repo#issue`, or the file.
        target: &'a str,
        /// The step id.
        step: &'a str,
        /// What ran: each command's argv, in order.
        commands: &'a [Vec<String>],
        /// Its log file.
        log: &'a std::path::Path,
        /// Exit code.
        code: Option<i32>,
        /// Signal that ended it.
        signal: Option<i32>,
    },
    /// Image pins bumped on a branch.
    Bump {
        /// The branch.
        branch: &'a str,
        /// The commit, once made.
        commit: Option<&'a str>,
        /// The pull request, once opened.
        pull_request: Option<&'a str>,
    },
}

impl<'a> Change<'a> {
    /// The record of one bump plan's outcome (the console's and the CLI's).
    pub fn bump(
        plan: &'a crate::deploy::plan::BumpPlan,
        result: &'a Result<crate::deploy::service::BumpResult, crate::deploy::DeployError>,
    ) -> Change<'a> {
        match result {
            Ok(r) => Change::Bump {
                branch: &r.branch,
                commit: Some(&r.commit),
                pull_request: r.pull_request.as_deref(),
            },
            Err(_) => Change::Bump {
                branch: &plan.branch,
                commit: None,
                pull_request: None,
            },
        }
    }

    /// The entry's `action`.
    pub fn action(&self) -> &'static str {
        match self {
            Change::SilenceCreate { .. } => "silence.create",
            Change::SilenceExtend { .. } => "silence.extend",
            Change::SilenceExpire { .. } => "silence.expire",
            Change::Step { done: true, .. } => "release.tick",
            Change::Step { done: false, .. } => "release.untick",
            Change::RunStart { .. } => "release.run.start",
            Change::RunExit { .. } => "release.run.exit",
            Change::Bump { .. } => "deploy.bump",
        }
    }

    /// The entry's `target`.
    pub fn target(&self) -> &str {
        match self {
            Change::SilenceCreate { target, .. }
            | Change::SilenceExtend { target, .. }
            | Change::SilenceExpire { target, .. }
            | Change::Step { target, .. }
            | Change::RunStart { target, .. }
            | Change::RunExit { target, .. } => target,
            Change::Bump { .. } => "deploy",
        }
    }

    /// The entry's `detail`.
    pub fn detail(&self) -> Value {
        use serde_json::json;
        match *self {
            Change::SilenceCreate { id, silence, .. }
            | Change::SilenceExtend { id, silence, .. } => {
                json!({
                    "id": id,
                    "matchers": silence.matchers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "ends_at": silence.ends_at.to_rfc3339(),
                    "comment": silence.comment,
                })
            }
            Change::SilenceExpire { id, .. } => json!({ "id": id }),
            Change::Step {
                step, unchanged, ..
            } => {
                if unchanged {
                    json!({ "step": step, "unchanged": true })
                } else {
                    json!({ "step": step })
                }
            }
            Change::RunStart {
                step,
                commands,
                log,
                pid,
                ..
            } => {
                json!({ "step": step, "commands": commands, "log": log, "outcome": pid.map(|p| json!({ "pid": p })) })
            }
            Change::RunExit {
                step,
                commands,
                log,
                code,
                signal,
                ..
            } => {
                json!({ "step": step, "commands": commands, "log": log, "outcome": { "code": code, "signal": signal } })
            }
            Change::Bump {
                branch,
                commit,
                pull_request,
            } => json!({ "branch": branch, "commit": commit, "pull_request": pull_request }),
        }
    }
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
            via: None,
        }
    }

    /// The same log, for entries the CLI writes (`"via": "cli"`).
    pub fn for_cli(mut self) -> Audit {
        self.via = Some("cli");
        self
    }

    /// Records a change and its outcome (Ok, or the error's text).
    pub fn change<T, E: std::fmt::Display>(&self, change: &Change<'_>, result: &Result<T, E>) {
        let mut detail = change.detail();
        if let (Some(via), Some(map)) = (self.via, detail.as_object_mut()) {
            map.insert("via".into(), Value::from(via));
        }
        self.record_result(change.action(), change.target(), detail, result);
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

    #[test]
    fn console_and_cli_write_the_same_shape_but_for_via() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        let console = Audit::new(Some(path.clone()), "alice");
        let cli = console.clone().for_cli();
        let silence = NewSilence {
            id: Some("abc".into()),
            matchers: crate::alerts::matcher::parse_silence_matchers("alertname=\"x\"")
                .expect("matchers"),
            starts_at: chrono::DateTime::UNIX_EPOCH,
            ends_at: chrono::DateTime::UNIX_EPOCH,
            created_by: "alice".into(),
            comment: "on it".into(),
        };
        let extend = Change::SilenceExtend {
            target: "prod",
            id: Some("abc"),
            silence: &silence,
        };
        console.change(&extend, &Ok::<(), &str>(()));
        cli.change(&extend, &Err::<(), &str>("timed out"));
        let step = Change::Step {
            target: "o/r#1",
            step: "s/x",
            done: false,
            unchanged: true,
        };
        cli.change(&step, &Ok::<(), &str>(()));
        let lines: Vec<Value> = std::fs::read_to_string(&path)
            .expect("read")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines[0]["action"], "silence.extend");
        let mut with_via = lines[0]["detail"].clone();
        with_via["via"] = Value::from("cli");
        assert_eq!(lines[1]["detail"], with_via);
        assert_eq!(lines[0]["detail"]["matchers"][0], "alertname=\"x\"");
        assert_eq!(lines[1]["error"], "timed out");
        assert_eq!(lines[2]["action"], "release.untick");
        assert_eq!(lines[2]["detail"]["unchanged"], true);
    }
}
