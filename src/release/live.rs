//! What the checklist points at, fetched on every load (never on a tick's
//! read-back): the blockers, through GitHub's issue search. A failure here
//! never fails the load: what could not be fetched is unknown, with a
//! warning saying why.

use super::blockers::{self, Blocker};
use super::github::GithubClient;

/// The blockers as one load found them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockerReport {
    /// GitHub's `total_count`; `None` when unknown.
    pub count: Option<usize>,
    /// The first page of them; `None` when unknown.
    pub issues: Option<Vec<Blocker>>,
    /// The query as sent (`None` when it could not be filled in).
    pub query: Option<String>,
    /// Why the count is unknown or may be incomplete.
    pub warning: Option<String>,
}

/// Counts the blockers: `template` filled in (see [`blockers::fill`]) and
/// searched.
pub async fn blockers(
    client: &GithubClient,
    template: &str,
    label: &str,
    milestone: Option<&str>,
) -> BlockerReport {
    let query = match blockers::fill(template, &client.repo, label, milestone) {
        Ok(query) => query,
        Err(e) => {
            return BlockerReport {
                warning: Some(e.to_string()),
                ..BlockerReport::default()
            };
        }
    };
    match client.search_issues(&query).await {
        Ok(found) => BlockerReport {
            count: Some(found.total),
            warning: found.incomplete.then(|| {
                "GitHub's search timed out before it saw every issue: the blocker count may be low"
                    .to_string()
            }),
            issues: Some(found.items),
            query: Some(query),
        },
        Err(e) => {
            tracing::warn!(error = %e, "counting blockers failed");
            BlockerReport {
                warning: Some(format!("blockers unknown: {e}")),
                query: Some(query),
                ..BlockerReport::default()
            }
        }
    }
}

#[cfg(test)]
mod tests;
