//! A bump of one or several images as the user is asked about it: one plan
//! for all (`grouped`) or one plan per image (`per-image`), each with what
//! already exists for its branch (an open pull request, or the branch
//! alone), found before the y/N. Pure: the lookups happen in
//! [`crate::deploy::service::Deployer::plan`].

use super::error::DeployError;
pub use super::plan::Existing;
use super::plan::{BumpItem, BumpKind, BumpPlan, abbreviated, plan_bump_with};
use super::scan::Sources;
use super::sync::DeploySnapshot;
use crate::config::BumpMode;
use crate::core::words::plural;

/// The plans of one bump, grouped or one per image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bumps {
    /// How the images were split.
    pub mode: BumpMode,
    /// The plans, each with what exists already (`BumpPlan::existing`).
    pub plans: Vec<BumpPlan>,
    /// Why existing bumps could not be looked for, if they could not.
    pub warnings: Vec<String>,
}

/// What to ask the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// y/N on the plans that do not exist yet.
    Bump {
        /// The question.
        question: String,
        /// The whole scope: every change, the diff, what is left alone,
        /// and what happens after y.
        details: Vec<String>,
    },
    /// The one bump asked for is an open pull request already.
    Open {
        /// `PR #123 already bumps sourcegraph/frontend to 3.23.0 — open it?`
        question: String,
        /// Its branch and page.
        details: Vec<String>,
        /// Its page.
        url: String,
    },
    /// Nothing to do, and why.
    Nothing(String),
}

/// The plans for `keys` from the branch's `files` (manifests and
/// kustomizations): one for all, or one per image. Pure.
pub fn plan_bumps(
    files: &[(String, String)],
    snapshot: &DeploySnapshot,
    keys: &[String],
    mode: BumpMode,
) -> Result<Bumps, DeployError> {
    plan_bumps_with(files, &Sources::default(), snapshot, keys, mode)
}

/// [`plan_bumps`] with the scanners `sources` gives each file (values
/// files too).
pub fn plan_bumps_with(
    files: &[(String, String)],
    sources: &Sources,
    snapshot: &DeploySnapshot,
    keys: &[String],
    mode: BumpMode,
) -> Result<Bumps, DeployError> {
    let plans = match mode {
        BumpMode::Grouped => vec![plan_bump_with(files, sources, snapshot, keys)?],
        BumpMode::PerImage => keys
            .iter()
            .map(|k| plan_bump_with(files, sources, snapshot, std::slice::from_ref(k)))
            .collect::<Result<_, _>>()?,
    };
    Ok(Bumps {
        mode,
        plans,
        warnings: Vec::new(),
    })
}

/// `sourcegraph/frontend to 3.23.0`, `sourcegraph/server insiders to
/// sha256:2222222…`.
fn target(item: &BumpItem) -> String {
    match item.kind {
        BumpKind::Upgrade => format!("{} to {}", item.repository, item.to_tag),
        BumpKind::Channel | BumpKind::Drift => format!(
            "{} {} to {}",
            item.repository,
            item.to_tag,
            item.to_digest.as_deref().map_or("none".into(), abbreviated)
        ),
    }
}

/// What the plan does, as the rest of a sentence: `bumps
/// sourcegraph/frontend to 3.23.0`, `bumps these 3 images`.
fn what(plan: &BumpPlan) -> String {
    match plan.items.as_slice() {
        [one] if one.kind == BumpKind::Drift => format!("re-pins {}", target(one)),
        [one] if one.kind == BumpKind::Channel => format!("moves {}", target(one)),
        [one] => format!("bumps {}", target(one)),
        many => format!(
            "bumps these {} ({})",
            plural(many.len(), "image"),
            many.iter()
                .map(|i| i.repository.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl BumpPlan {
    /// What exists already, in words: `PR #123 already bumps
    /// sourcegraph/frontend to 3.23.0 (https://…)`, or the branch.
    pub fn already(&self) -> Option<String> {
        Some(match self.existing.as_ref()? {
            Existing::Pull { number, url } => {
                format!("PR #{number} already {} ({url})", what(self))
            }
            Existing::Branch { place } => format!(
                "branch {} already exists {place} with no open pull request: it {}; \
                 delete it to bump again",
                self.branch,
                what(self)
            ),
        })
    }
}

impl Bumps {
    /// The plans not already done.
    pub fn to_do(&self) -> Vec<&BumpPlan> {
        self.plans.iter().filter(|p| p.existing.is_none()).collect()
    }

    /// The question, its scope, or why there is nothing to do; `left_out`
    /// (what bump-all left out, e.g. drifted pins) is named in the scope.
    pub fn ask(&self, left_out: Option<&str>) -> Ask {
        let to_do = self.to_do();
        let already: Vec<String> = self.plans.iter().filter_map(BumpPlan::already).collect();
        if to_do.is_empty() {
            if let [one] = self.plans.as_slice() {
                if let Some(Existing::Pull { number, url }) = &one.existing {
                    return Ask::Open {
                        question: format!("PR #{number} already {} — open it?", what(one)),
                        details: vec![format!("branch {}", one.branch), url.clone()],
                        url: url.clone(),
                    };
                }
            }
            return Ask::Nothing(format!("nothing to bump: {}", already.join("; ")));
        }
        let mut details = Vec::new();
        let question = match to_do.as_slice() {
            [one] => {
                details.extend(one.scope());
                one.question()
            }
            many => {
                details.extend(many.iter().map(|p| {
                    let what: Vec<String> = p.items.iter().map(BumpItem::describe).collect();
                    format!("  {} — branch {}", what.join(", "), p.branch)
                }));
                let each = if many[0].pull_request_in.is_some() {
                    "one pull request each"
                } else {
                    "one branch each"
                };
                format!("Bump {}, {each}?", plural(many.len(), "image"))
            }
        };
        if !details.is_empty() {
            details.push(String::new());
        }
        for p in &to_do {
            details.extend(p.diff.lines().map(str::to_string));
        }
        details.push(String::new());
        details.extend(already.iter().map(|a| format!("left alone: {a}")));
        details.extend(self.warnings.iter().cloned());
        if let Some(left_out) = left_out {
            details.push(left_out.to_owned());
        }
        details.push(then(&to_do));
        Ask::Bump { question, details }
    }
}

/// What happens after y.
fn then(to_do: &[&BumpPlan]) -> String {
    match to_do {
        [one] => match &one.pull_request_in {
            Some(repo) => format!(
                "then: commit on {}, push, open a pull request in {repo}",
                one.branch
            ),
            None => format!("then: commit on {}, push", one.branch),
        },
        many => match &many[0].pull_request_in {
            Some(repo) => format!(
                "then, for each image: commit on its own branch, push, open a pull request in {repo}"
            ),
            None => "then, for each image: commit on its own branch, push".into(),
        },
    }
}

#[cfg(test)]
mod tests;
