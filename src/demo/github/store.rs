//! The simulation's in-memory data: repositories with issues (pull requests
//! are issues with a [`Pull`] part, as on GitHub), comments, milestones and
//! labels, plus the rate-limit window.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::Value;

use super::seed::{IssueSeed, PullSeed};

/// Id ranges per object kind, so ids look like GitHub's and never collide.
pub(super) const ISSUE_IDS: u64 = 744_765_891;
pub(super) const COMMENT_IDS: u64 = 731_052_000;
pub(super) const LABEL_IDS: u64 = 2_519_480_000;
pub(super) const MILESTONE_IDS: u64 = 6_132_000;
pub(super) const PULL_IDS: u64 = 524_911_000;
pub(super) const STATUS_IDS: u64 = 11_032_000_000;
pub(super) const CHECK_IDS: u64 = 1_507_000_000;

/// The current time at GitHub's (second) resolution.
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

#[derive(Debug)]
pub(super) struct Store {
    /// Login of the authenticated user.
    pub user: String,
    pub repos: BTreeMap<String, Repo>,
    /// Id allocator (added to the per-kind bases).
    seq: u64,
    /// Requests answered in the current rate-limit window.
    used: u64,
    /// Epoch second when the rate-limit window resets.
    reset: i64,
}

#[derive(Debug, Default)]
pub(super) struct Repo {
    pub issues: BTreeMap<u64, Issue>,
    pub milestones: Vec<Milestone>,
    pub labels: Vec<Label>,
    /// Bodies of `POST /pulls` requests, in order.
    pub pull_bodies: Vec<Value>,
    /// Branch name → head commit SHA.
    pub branches: BTreeMap<String, String>,
    /// Tag name → commit SHA.
    pub tags: BTreeMap<String, String>,
    /// Commit SHA → what CI reported on it.
    pub ci: BTreeMap<String, Ci>,
}

/// What CI reported on one commit: commit statuses (the latest per
/// context) and check runs.
#[derive(Debug, Clone, Default)]
pub(super) struct Ci {
    pub statuses: Vec<CommitStatus>,
    pub checks: Vec<CheckRun>,
}

#[derive(Debug, Clone)]
pub(super) struct CommitStatus {
    pub id: u64,
    pub context: String,
    /// `pending`, `success`, `failure` or `error`.
    pub state: String,
    pub description: Option<String>,
    pub target_url: Option<String>,
    pub creator: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct CheckRun {
    pub id: u64,
    pub name: String,
    /// `queued`, `in_progress` or `completed`.
    pub status: String,
    /// Set once completed: `success`, `failure`, `cancelled`, …
    pub conclusion: Option<String>,
    /// The GitHub App's slug, e.g. `github-actions`.
    pub app: String,
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(super) struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub author: String,
    /// Label names as registered in [`Repo::labels`].
    pub labels: Vec<String>,
    /// Milestone number.
    pub milestone: Option<u64>,
    pub open: bool,
    pub state_reason: Option<String>,
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub comments: Vec<Comment>,
    pub pull: Option<Pull>,
}

impl Issue {
    /// Bumps `updated_at`, strictly increasing it even within one second.
    pub fn touch(&mut self) {
        self.updated_at = now().max(self.updated_at + Duration::seconds(1));
    }

    /// Opens or closes the issue, maintaining `closed_*` and `state_reason`
    /// (`closed_at` is the current `updated_at`, so call [`Issue::touch`] first).
    pub fn set_open(&mut self, open: bool, by: &str, reason: Option<&str>) {
        if open == self.open {
            return;
        }
        self.open = open;
        if open {
            self.closed_at = None;
            self.closed_by = None;
            self.state_reason = Some("reopened".to_string());
        } else {
            self.closed_at = Some(self.updated_at);
            self.closed_by = Some(by.to_string());
            self.state_reason = Some(reason.unwrap_or("completed").to_string());
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Pull {
    pub id: u64,
    /// As given: `branch` or `owner:branch`.
    pub head: String,
    pub base: String,
    pub draft: bool,
    pub head_sha: String,
    pub base_sha: String,
    /// Set when merged (the issue is then closed).
    pub merged_at: Option<DateTime<Utc>>,
    pub merged_by: Option<String>,
    pub merge_commit_sha: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub id: u64,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct Milestone {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub description: Option<String>,
    pub open: bool,
    pub creator: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub due_on: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(super) struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
    pub default: bool,
}

impl Repo {
    /// Case-insensitive, like GitHub's label names.
    pub fn label(&self, name: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn milestone(&self, number: u64) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.number == number)
    }

    /// The next issue/pull request number.
    pub fn next_number(&self) -> u64 {
        self.issues.keys().next_back().map_or(1, |n| n + 1)
    }

    /// The commit a ref names, as `commits/{ref}` resolves it: a branch
    /// (`heads/` optional), a tag (`tags/` optional), or the SHA of a
    /// commit the repository knows (a branch's or tag's, a pull request's
    /// head or base, one CI reported on).
    pub fn resolve(&self, reference: &str) -> Option<String> {
        let branch = reference.strip_prefix("heads/").unwrap_or(reference);
        let tag = reference.strip_prefix("tags/").unwrap_or(reference);
        if let Some(sha) = self.branches.get(branch).or_else(|| self.tags.get(tag)) {
            return Some(sha.clone());
        }
        let known = |sha: &String| sha == reference;
        let pulls = self.issues.values().filter_map(|i| i.pull.as_ref());
        let found = self.ci.contains_key(reference)
            || self.branches.values().any(known)
            || self.tags.values().any(known)
            || pulls
                .into_iter()
                .any(|p| known(&p.head_sha) || known(&p.base_sha));
        found.then(|| reference.to_string())
    }
}

impl Store {
    pub fn new() -> Self {
        Store {
            user: "octocat".to_string(),
            repos: BTreeMap::new(),
            seq: 0,
            used: 0,
            reset: Utc::now().timestamp() + 3600,
        }
    }

    pub fn next_id(&mut self, base: u64) -> u64 {
        self.seq += 1;
        base + self.seq
    }

    pub fn repo_mut(&mut self, repo: &str) -> &mut Repo {
        self.repos.entry(repo.to_string()).or_default()
    }

    pub fn issue_mut(&mut self, repo: &str, number: u64) -> Option<&mut Issue> {
        self.repos.get_mut(repo)?.issues.get_mut(&number)
    }

    /// Counts a request against the rate limit; returns (used, reset epoch,
    /// a GitHub-looking request id).
    pub fn count_request(&mut self) -> (u64, i64, String) {
        let now = Utc::now().timestamp();
        if now >= self.reset {
            self.reset = now + 3600;
            self.used = 0;
        }
        self.used += 1;
        let h = fnv(&format!("{}:{}", self.reset, self.used));
        let id = format!(
            "{:04X}:{:04X}:{:06X}:{:06X}:{:08X}",
            h & 0xFFFF,
            (h >> 16) & 0xFFFF,
            (h >> 32) & 0xFF_FFFF,
            self.used,
            now
        );
        (self.used, self.reset, id)
    }

    /// Returns the canonical name of the label, creating it if needed.
    pub fn ensure_label(&mut self, repo: &str, name: &str) -> String {
        if let Some(label) = self.repo_mut(repo).label(name) {
            return label.name.clone();
        }
        let id = self.next_id(LABEL_IDS);
        let (color, description, default) = match name {
            "bug" => ("d73a4a", Some("Something isn't working"), true),
            "release-blocker" => ("b60205", Some("Prevents us from releasing"), false),
            "release-tracking" => ("0e8a16", Some("Tracks the steps of a release"), false),
            n if n.starts_with("team/") => ("1d76db", None, false),
            _ => {
                const PALETTE: [&str; 6] =
                    ["fbca04", "c5def5", "5319e7", "bfd4f2", "006b75", "e99695"];
                (PALETTE[(fnv(name) % 6) as usize], None, false)
            }
        };
        self.repo_mut(repo).labels.push(Label {
            id,
            name: name.to_string(),
            color: color.to_string(),
            description: description.map(str::to_string),
            default,
        });
        name.to_string()
    }

    /// Returns the number of the milestone titled `title`, creating an open
    /// one (created by the current user) if needed.
    pub fn ensure_milestone(&mut self, repo: &str, title: &str) -> u64 {
        if let Some(m) = self
            .repo_mut(repo)
            .milestones
            .iter()
            .find(|m| m.title == title)
        {
            return m.number;
        }
        let id = self.next_id(MILESTONE_IDS);
        let creator = self.user.clone();
        let repo = self.repo_mut(repo);
        let number = repo.milestones.iter().map(|m| m.number).max().unwrap_or(0) + 1;
        let t = now();
        repo.milestones.push(Milestone {
            id,
            number,
            title: title.to_string(),
            description: None,
            open: true,
            creator,
            created_at: t,
            updated_at: t,
            closed_at: None,
            due_on: None,
        });
        number
    }

    /// Inserts (or replaces) an issue; returns its number.
    pub fn insert_issue(&mut self, seed: IssueSeed, author: &str) -> u64 {
        let labels = seed
            .labels
            .iter()
            .map(|l| self.ensure_label(&seed.repo, l))
            .collect();
        let milestone = seed
            .milestone
            .as_deref()
            .map(|m| self.ensure_milestone(&seed.repo, m));
        let id = self.next_id(ISSUE_IDS);
        let repo = self.repo_mut(&seed.repo);
        let number = seed.number.unwrap_or_else(|| repo.next_number());
        let created = seed.created_at.map_or_else(now, |t| t.trunc_subsecs(0));
        let open = seed.state != "closed";
        repo.issues.insert(
            number,
            Issue {
                id,
                number,
                title: seed.title,
                body: Some(seed.body).filter(|b| !b.is_empty()),
                author: author.to_string(),
                labels,
                milestone,
                open,
                state_reason: (!open).then(|| "completed".to_string()),
                assignee: seed.assignee,
                created_at: created,
                updated_at: created,
                closed_at: (!open).then_some(created),
                closed_by: (!open).then(|| author.to_string()),
                comments: Vec::new(),
                pull: None,
            },
        );
        number
    }
}

impl Store {
    /// Inserts (or replaces) a pull request (an issue with a pull part);
    /// its head branch points at its head commit. Returns its number.
    pub fn insert_pull(&mut self, seed: PullSeed, author: &str) -> u64 {
        let (repo, head, base) = (seed.repo.clone(), seed.head.clone(), seed.base.clone());
        let merged = seed.state == "merged";
        let issue = IssueSeed {
            repo: seed.repo,
            number: seed.number,
            title: seed.title,
            body: seed.body,
            labels: seed.labels,
            milestone: None,
            state: if seed.state == "open" {
                "open"
            } else {
                "closed"
            }
            .to_string(),
            assignee: seed.assignee,
            created_at: seed.created_at,
        };
        let number = self.insert_issue(issue, author);
        let pull_id = self.next_id(PULL_IDS);
        let head_sha = seed
            .head_sha
            .unwrap_or_else(|| sha(&format!("{repo}:{head}:{number}")));
        let data = self.repo_mut(&repo);
        let branch = head.rsplit(':').next().unwrap_or(&head).to_string();
        data.branches.insert(branch, head_sha.clone());
        let base_sha = data
            .branches
            .entry(base.clone())
            .or_insert_with(|| sha(&format!("{repo}:{base}")))
            .clone();
        if let Some(issue) = data.issues.get_mut(&number) {
            let closed = seed.closed_at.unwrap_or(issue.created_at);
            if !issue.open {
                (issue.updated_at, issue.closed_at) = (closed, Some(closed));
            }
            issue.pull = Some(Pull {
                id: pull_id,
                head,
                base,
                draft: seed.draft,
                head_sha,
                base_sha,
                merged_at: merged.then_some(closed),
                merged_by: merged.then(|| author.to_string()),
                merge_commit_sha: merged.then(|| sha(&format!("{repo}:merge:{number}"))),
            });
        }
        number
    }
}

/// FNV-1a 64: small stable hash for ids, colors and fake SHAs.
pub(super) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A fake 40-hex commit SHA derived from `seed`.
pub(super) fn sha(seed: &str) -> String {
    let parts = [
        fnv(seed),
        fnv(&format!("{seed}#")),
        fnv(&format!("{seed}##")),
    ];
    let hex: String = parts.iter().map(|p| format!("{p:016x}")).collect();
    hex[..40].to_string()
}
