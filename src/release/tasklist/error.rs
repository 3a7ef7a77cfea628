//! Why a tick or a step lookup found no single step.

/// Why [`super::set_done`] did not change the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TickError {
    /// No step has this id and no step has the same text elsewhere.
    #[error(
        "step {id} is no longer in the issue: it was removed or its text changed; \
         nothing was changed"
    )]
    Vanished { id: String },
    /// The step's text is now in another section (or its id changed): `now` is its new id.
    #[error("{}", moved(.id, .now, .section))]
    Moved {
        id: String,
        now: String,
        section: String,
    },
    /// The step is already in the wanted state.
    #[error("step {id} is already {}; nothing was changed", if *.done { "ticked" } else { "unticked" })]
    AlreadyInState { id: String, done: bool },
}

/// Why [`super::Checklist::lookup`] found no single step for what the user typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Several step ids start with the query (`candidates`, in document order).
    #[error("{}", ambiguous(.query, .candidates))]
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
    /// Not a step id now, but a step with its text is elsewhere (an old id):
    /// `now` is its id, `section` its section's title.
    #[error("{}", moved(.id, .now, .section))]
    Moved {
        id: String,
        now: String,
        section: String,
    },
    /// No step id is or starts with the query; `suggestion` is the closest id,
    /// if one is close enough.
    #[error("no step {query:?}{}", suggestion.as_ref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default())]
    Unknown {
        query: String,
        suggestion: Option<String>,
    },
}

/// At most this many candidates are named for an ambiguous prefix.
const MAX_CANDIDATES: usize = 8;

/// "step … has moved: it is now … (in section "…"); …".
fn moved(id: &str, now: &str, section: &str) -> String {
    let place = if section.is_empty() {
        "before the first heading".to_owned()
    } else {
        format!("in section \"{section}\"")
    };
    format!(
        "step {id} has moved: it is now {now} ({place}); nothing was changed, \
         check the issue and tick it there"
    )
}

/// "\"q\" is ambiguous: 3 step ids start with it: a, b, c" (at most
/// [`MAX_CANDIDATES`] named, then "and N more").
fn ambiguous(query: &str, candidates: &[String]) -> String {
    let named: Vec<&str> = candidates
        .iter()
        .take(MAX_CANDIDATES)
        .map(String::as_str)
        .collect();
    let mut text = format!(
        "{query:?} is ambiguous: {} step ids start with it: {}",
        candidates.len(),
        named.join(", ")
    );
    if candidates.len() > named.len() {
        text.push_str(&format!(" and {} more", candidates.len() - named.len()));
    }
    text
}
