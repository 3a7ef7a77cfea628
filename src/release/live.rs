//! What the checklist points at, fetched on every load (never on a tick's
//! read-back): the blockers, through GitHub's issue search, and the live
//! state of what each step links to. A failure here never fails the load:
//! what could not be fetched is unknown, with a warning (blockers) or an
//! error on that one link saying why.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::StreamExt;

use super::blockers::{self, Blocker};
use super::github::GithubClient;
use super::links::{self, ItemState, LinkKind, LinkState, Scope, StepLinks, Target};
use super::tasklist::Checklist;

/// Most link states fetched at once.
pub const MAX_CONCURRENT: usize = 4;

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

/// The live state of everything the checklist's steps point at, by step
/// id (steps pointing at nothing are left out). Each reference is fetched
/// once however many steps name it, [`MAX_CONCURRENT`] at a time; one that
/// fails is `unknown` with its error and never hides the others.
pub async fn link_states(
    client: &GithubClient,
    checklist: &Checklist,
    scope: &Scope,
) -> BTreeMap<String, StepLinks> {
    let found: Vec<(&str, links::Found)> = checklist
        .steps
        .iter()
        .map(|s| (s.id.as_str(), links::targets(s, scope)))
        .filter(|(_, f)| !f.targets.is_empty())
        .collect();
    let unique: BTreeSet<Target> = found
        .iter()
        .flat_map(|(_, f)| f.targets.iter().cloned())
        .collect();
    let web = scope
        .web
        .first()
        .map_or("https://github.com", String::as_str);
    let home = scope.repo.as_str();
    let fetches: Vec<_> = unique
        .into_iter()
        .map(|t| async move {
            let mut state = fetch(client, &t, web).await;
            state.name = t.label(home);
            (t, state)
        })
        .collect();
    let states: HashMap<Target, LinkState> = futures::stream::iter(fetches)
        .buffer_unordered(MAX_CONCURRENT)
        .collect()
        .await;
    found
        .into_iter()
        .map(|(id, f)| {
            let states = f
                .targets
                .iter()
                .filter_map(|t| states.get(t).cloned())
                .collect();
            (
                id.to_string(),
                StepLinks {
                    states,
                    more: f.more,
                },
            )
        })
        .collect()
}

/// One reference's state (named by the caller).
async fn fetch(client: &GithubClient, target: &Target, web: &str) -> LinkState {
    let unknown =
        |e: String| LinkState::unknown(target.clone(), target.repo(), target.web_url(web), e);
    match target {
        Target::Pull { repo, number } => pull(client, target, repo, *number, web).await,
        Target::Issue { repo, number } => match client.issue_in(repo, *number).await {
            // An issue that is a pull request is shown as one.
            Ok(issue) if issue.pull => pull(client, target, repo, *number, web).await,
            Ok(issue) => LinkState {
                target: target.clone(),
                name: String::new(),
                kind: LinkKind::Issue,
                state: Some(if issue.open {
                    ItemState::Open
                } else {
                    ItemState::Closed
                }),
                checks: None,
                title: Some(issue.title),
                url: issue.url,
                error: None,
            },
            Err(e) => unknown(e.to_string()),
        },
        Target::Ref { repo, name } => match client.checks(repo, name).await {
            Ok(checks) => LinkState {
                target: target.clone(),
                name: String::new(),
                kind: LinkKind::Ref,
                state: None,
                checks: Some(checks),
                title: None,
                url: target.web_url(web),
                error: None,
            },
            Err(e) => unknown(e.to_string()),
        },
    }
}

/// A pull request and the checks of its head commit.
async fn pull(
    client: &GithubClient,
    target: &Target,
    repo: &str,
    number: u64,
    web: &str,
) -> LinkState {
    let info = match client.pull_in(repo, number).await {
        Ok(info) => info,
        Err(e) => {
            let page = Target::Pull {
                repo: repo.to_string(),
                number,
            }
            .web_url(web);
            let mut s = LinkState::unknown(target.clone(), repo, page, e.to_string());
            s.kind = LinkKind::Pull;
            return s;
        }
    };
    let checks = client.checks(repo, &info.head_sha).await;
    LinkState {
        target: target.clone(),
        name: String::new(),
        kind: LinkKind::Pull,
        state: Some(info.state),
        error: checks
            .as_ref()
            .err()
            .map(|e| format!("checks unknown: {e}")),
        checks: checks.ok(),
        title: Some(info.title),
        url: info.url,
    }
}

#[cfg(test)]
mod tests;
