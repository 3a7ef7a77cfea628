//! The whole scope of a silence mutation, computed the same way for the
//! console and the CLI: which alerts a silence covers, which silences an id
//! names, what a team acknowledgement creates. Pure functions of [`State`].

use chrono::{DateTime, Utc};

use super::action::SilenceRequest;
pub use super::overlays::ack_form::AckSet;
use super::state::State;
use crate::alerts::client::NewSilence;
use crate::alerts::matcher::Matcher;
use crate::alerts::model::{Alert, Silence, SilenceState};

/// The shortest id prefix `unack`/`extend` accept (a UUID has 36 chars).
pub const MIN_ID_PREFIX: usize = 8;

/// The current alerts a silence covers: for an active silence, those
/// Alertmanager reports as silenced by it (`silencedBy`, the truth, which
/// also holds for a regex opsdeck cannot compile); for a pending one, those
/// its matchers match.
pub fn covered<'a>(state: &'a State, silence: &Silence) -> Vec<&'a Alert> {
    state
        .alerts
        .all
        .iter()
        .filter(|a| match silence.state {
            SilenceState::Active => a.silenced_by.contains(&silence.id),
            SilenceState::Pending => silence
                .matchers
                .iter()
                .all(|m| m.matches(a.labels.get(&m.name))),
            SilenceState::Expired => false,
        })
        .collect()
}

/// "covers 6 alerts, 5 besides this one" (or "covers no current alert").
pub fn coverage(state: &State, silence: &Silence, this: Option<&Alert>) -> String {
    let alerts = covered(state, silence);
    let n = alerts.len();
    let noun = if n == 1 { "alert" } else { "alerts" };
    match this {
        _ if n == 0 => "covers no current alert".into(),
        Some(a) if alerts.iter().any(|x| x.fingerprint == a.fingerprint) => {
            if n == 1 {
                "covers only this alert".into()
            } else {
                format!("covers {n} {noun}, {} besides this one", n - 1)
            }
        }
        _ => format!("covers {n} {noun}"),
    }
}

/// `{a="1", b=~"2"}`.
pub fn matchers_text(matchers: &[Matcher]) -> String {
    let parts: Vec<String> = matchers.iter().map(Matcher::to_string).collect();
    format!("{{{}}}", parts.join(", "))
}

/// One line per fact about a silence, for a confirmation: matchers (and a
/// regex not understood here), author, comment, end, coverage.
pub fn describe(state: &State, silence: &Silence, this: Option<&Alert>) -> Vec<String> {
    let mut lines = vec![format!(
        "{} {}",
        short_id(&silence.id),
        matchers_text(&silence.matchers)
    )];
    if let Some(problem) = silence.matchers.iter().find_map(Matcher::problem) {
        lines.push(format!("  ⚠ regex not understood here: {problem}"));
    }
    lines.push(format!(
        "  by {}: {:?} · ends {} · {}",
        silence.created_by,
        silence.comment,
        silence.ends_at.format("%Y-%m-%d %H:%M UTC"),
        coverage(state, silence, this)
    ));
    lines
}

/// The first 8 characters of an id (ids are UUIDs).
pub fn short_id(id: &str) -> &str {
    id.get(..MIN_ID_PREFIX).unwrap_or(id)
}

/// Is this silence only about `alert`, and made by `me`? Such a silence is
/// pre-selected by `u`/`e`; one made by someone else, or covering other
/// alerts too, is not (the user opts in with space).
pub fn preselected(state: &State, silence: &Silence, alert: Option<&Alert>, me: &str) -> bool {
    let mine = silence.created_by == me;
    let only_this = match alert {
        Some(a) => covered(state, silence)
            .iter()
            .all(|x| x.fingerprint == a.fingerprint),
        None => true,
    };
    mine && only_this
}

/// Why a silence id given to `unack`/`extend` names no open silence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Shorter than [`MIN_ID_PREFIX`] and not a whole id.
    #[error(
        "{0:?} is too short: give the full silence id or at least its first \
         {MIN_ID_PREFIX} characters (opsdeck silences lists them)"
    )]
    TooShort(String),
    /// No silence has this id or prefix.
    #[error("no silence {0} on any Alertmanager")]
    NotFound(String),
    /// Several silences start with it.
    #[error("{id} is ambiguous: {} silences start with it ({})", matches.len(), matches.join(", "))]
    Ambiguous {
        /// What was given.
        id: String,
        /// The ids it starts.
        matches: Vec<String>,
    },
    /// The silence has ended.
    #[error("silence {0} has already expired")]
    Expired(String),
}

/// Resolves `unack`/`extend` arguments: each a full id or a unique prefix
/// of at least [`MIN_ID_PREFIX`] characters of an open (active or
/// pending) silence. Errors say which argument and why.
pub fn resolve_ids<'a>(state: &'a State, ids: &[String]) -> Result<Vec<&'a Silence>, IdError> {
    let mut out: Vec<&'a Silence> = Vec::new();
    for id in ids {
        let id = id.trim();
        let exact = state.alerts.silences.iter().find(|s| s.id == id);
        let found = match exact {
            Some(s) => s,
            None if id.chars().count() < MIN_ID_PREFIX => {
                return Err(IdError::TooShort(id.to_string()));
            }
            None => {
                let matches: Vec<&'a Silence> = state
                    .alerts
                    .silences
                    .iter()
                    .filter(|s| s.id.starts_with(id))
                    .collect();
                match matches.as_slice() {
                    [one] => *one,
                    [] => return Err(IdError::NotFound(id.to_string())),
                    many => {
                        return Err(IdError::Ambiguous {
                            id: id.to_string(),
                            matches: many.iter().map(|s| s.id.clone()).collect(),
                        });
                    }
                }
            }
        };
        if found.state == SilenceState::Expired {
            return Err(IdError::Expired(found.id.clone()));
        }
        if !out.iter().any(|s| s.id == found.id) {
            out.push(found);
        }
    }
    Ok(out)
}

/// What acknowledging a set of alerts creates: one silence per active
/// alert (its exact labels), on the Alertmanagers that hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamAck {
    /// What is acknowledged, in words ("all of search", "3 marked alerts").
    pub what: String,
    /// Active alerts acknowledged.
    pub count: usize,
    /// Alerts of the set left alone: already silenced or inhibited.
    pub suppressed: usize,
    /// One request per silence and target.
    pub requests: Vec<SilenceRequest>,
    /// One line per silence: the alert and its matchers.
    pub preview: Vec<String>,
}

/// Plans a team acknowledgement with the console's team routing (team
/// labels, then `[[alerts.route]]`), counting only active alerts shown by
/// the current filter.
pub fn team_ack(
    state: &State,
    team: &str,
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    author: &str,
    comment: &str,
) -> Option<TeamAck> {
    set_ack(
        state,
        &AckSet::Group(team.to_string()),
        now,
        ends_at,
        author,
        comment,
    )
}

/// Plans acknowledging a set: a group of the view as it is grouped now
/// (None when there is no such group), or the marked alerts that still
/// exist (None when none does).
pub fn set_ack(
    state: &State,
    set: &AckSet,
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    author: &str,
    comment: &str,
) -> Option<TeamAck> {
    let alerts: Vec<&Alert> = match set {
        AckSet::Group(key) => {
            let group = state.alerts.groups.iter().find(|g| &g.key == key)?;
            group.alerts.iter().map(|&i| &state.alerts.all[i]).collect()
        }
        AckSet::Marked(fps) => {
            let found: Vec<&Alert> = fps
                .iter()
                .filter_map(|fp| state.alerts.all.iter().find(|a| &a.fingerprint == fp))
                .collect();
            if found.is_empty() {
                return None;
            }
            found
        }
    };
    let mut plan = TeamAck {
        what: set.describe(),
        count: 0,
        suppressed: 0,
        requests: Vec::new(),
        preview: Vec::new(),
    };
    for alert in alerts {
        if alert.state.is_suppressed() {
            plan.suppressed += 1;
            continue;
        }
        plan.count += 1;
        let silence = NewSilence {
            id: None,
            matchers: alert
                .labels
                .iter()
                .map(|(k, v)| Matcher::equal(k, v))
                .collect(),
            starts_at: now,
            ends_at,
            created_by: author.to_string(),
            comment: comment.to_string(),
        };
        let targets = state.silence_targets(&alert.sources);
        plan.preview.push(format!(
            "{} {} on {}",
            alert.name(),
            matchers_text(&silence.matchers),
            targets.join(", ")
        ));
        for target in targets {
            plan.requests.push(SilenceRequest {
                target,
                silence: silence.clone(),
            });
        }
    }
    Some(plan)
}
