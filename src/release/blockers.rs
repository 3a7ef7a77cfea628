//! Release blockers: the GitHub search query that finds them
//! (`[release] blocker_query`, with `{placeholders}` filled in) and what is
//! kept of each one found. Pure: the search itself is in `live`.

use chrono::{DateTime, Utc};

/// The query used when `blocker_query` is not set.
pub const DEFAULT_QUERY: &str = r#"repo:{repo} is:issue is:open label:"{blocker_label}""#;

/// The placeholders a blocker query may use.
pub const PLACEHOLDERS: &[&str] = &["repo", "blocker_label", "milestone"];

/// Most blockers kept (the first page of the search); the count is the
/// search's `total_count`.
pub const MAX_LISTED: usize = 100;

/// One open blocker, as the search found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// `owner/name` (a query may reach other repositories).
    pub repo: String,
    /// Its number.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its web page.
    pub url: String,
    /// The first assignee's login.
    pub assignee: Option<String>,
    /// Its label names.
    pub labels: Vec<String>,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
}

/// Why a blocker query could not be filled in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `{milestone}` is used but there is none to put there.
    #[error(
        "blockers unknown: the blocker query uses {{milestone}}, but the tracking issue has no milestone and [release] milestone is not set"
    )]
    NoMilestone,
    /// A `{name}` that is not one of [`PLACEHOLDERS`].
    #[error(
        "unknown placeholder {{{name}}} in release.blocker_query; the known ones are {{repo}}, {{blocker_label}} and {{milestone}}"
    )]
    Unknown {
        /// The name between the braces.
        name: String,
    },
}

/// The `{name}` placeholders of `template`, in order (`name` is lowercase
/// letters and `_`; other braces are text).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// The first placeholder of `template` that is not one of [`PLACEHOLDERS`].
pub fn unknown_placeholder(template: &str) -> Option<&str> {
    placeholders(template)
        .into_iter()
        .find(|p| !PLACEHOLDERS.contains(p))
}

/// Fills in `template`: `{repo}`, `{blocker_label}` and `{milestone}`.
pub fn fill(
    template: &str,
    repo: &str,
    blocker_label: &str,
    milestone: Option<&str>,
) -> Result<String, QueryError> {
    if let Some(name) = unknown_placeholder(template) {
        return Err(QueryError::Unknown {
            name: name.to_string(),
        });
    }
    let names = placeholders(template);
    if names.contains(&"milestone") && milestone.is_none() {
        return Err(QueryError::NoMilestone);
    }
    let mut out = template.to_string();
    for (name, value) in [
        ("repo", repo),
        ("blocker_label", blocker_label),
        ("milestone", milestone.unwrap_or_default()),
    ] {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_query_and_placeholders() {
        assert_eq!(
            fill(DEFAULT_QUERY, "o/r", "release-blocker", None),
            Ok(r#"repo:o/r is:issue is:open label:"release-blocker""#.to_string())
        );
        let with = r#"repo:{repo} is:open label:"{blocker_label}" milestone:"{milestone}""#;
        assert_eq!(
            fill(with, "o/r", "blocker", Some("3.23")),
            Ok(r#"repo:o/r is:open label:"blocker" milestone:"3.23""#.to_string())
        );
        let e = fill(with, "o/r", "blocker", None).expect_err("no milestone");
        assert_eq!(e, QueryError::NoMilestone);
        assert!(e.to_string().contains("no milestone"), "{e}");
        assert_eq!(
            placeholders("a {repo} {x y} {} {Milestone} {milestone}"),
            ["repo", "milestone"]
        );
        assert_eq!(
            unknown_placeholder("repo:{repo} {mlestone}"),
            Some("mlestone")
        );
        assert_eq!(
            fill("{team}", "o/r", "b", None).map_err(|e| e.to_string()),
            Err("unknown placeholder {team} in release.blocker_query; the known ones are {repo}, {blocker_label} and {milestone}".into())
        );
    }
}
