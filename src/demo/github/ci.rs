//! What CI reported on commits: `GET /repos/{o}/{r}/commits/{ref}/status`
//! (the combined commit status) and `GET /repos/{o}/{r}/commits/{ref}/check-runs`,
//! in GitHub's shapes; and how the seeds report statuses and check runs.
//! A ref is a branch, a tag or a known commit SHA ([`Repo::resolve`]); one
//! that names nothing is GitHub's 422 `No commit found for SHA`.

use chrono::Duration;
use serde_json::{Value, json};

use super::http::{Reply, Request, paginate};
use super::json::{self, node_id, opt_ts, ts, user};
use super::seed::{CheckSeed, StatusSeed};
use super::store::{CHECK_IDS, CheckRun, CommitStatus, Repo, STATUS_IDS, Store, now, sha};

const STATUS_DOC: &str = "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference";
const CHECKS_DOC: &str =
    "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference";

/// A 40-hex commit SHA.
fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// The commit `reference` names in `repo`; a name that resolves to
    /// nothing becomes a branch (a SHA, a commit) so seeds can report on it.
    fn commit_for(&mut self, repo: &str, reference: &str) -> String {
        let data = self.repo_mut(repo);
        if let Some(sha) = data.resolve(reference) {
            return sha;
        }
        if is_sha(reference) {
            return reference.to_string();
        }
        let commit = sha(&format!("{repo}@{reference}"));
        data.branches.insert(reference.to_string(), commit.clone());
        commit
    }

    /// Reports a commit status on `reference`; returns the commit's SHA.
    pub fn add_status(&mut self, repo: &str, reference: &str, seed: StatusSeed) -> String {
        let commit = self.commit_for(repo, reference);
        let id = self.next_id(STATUS_IDS);
        let creator = self.user.clone();
        let ci = self.repo_mut(repo).ci.entry(commit.clone()).or_default();
        ci.statuses.retain(|s| s.context != seed.context);
        ci.statuses.push(CommitStatus {
            id,
            context: seed.context,
            state: seed.state,
            description: seed.description,
            target_url: seed.target_url,
            creator,
            created_at: now(),
        });
        commit
    }

    /// Reports a check run on `reference`; returns the commit's SHA.
    pub fn add_check_run(&mut self, repo: &str, reference: &str, seed: CheckSeed) -> String {
        let commit = self.commit_for(repo, reference);
        let id = self.next_id(CHECK_IDS);
        let started = now() - Duration::minutes(12);
        let completed = seed.status == "completed";
        let ci = self.repo_mut(repo).ci.entry(commit.clone()).or_default();
        ci.checks.push(CheckRun {
            id,
            name: seed.name,
            status: seed.status,
            conclusion: seed.conclusion.filter(|_| completed),
            app: if seed.app.is_empty() {
                "github-actions".to_string()
            } else {
                seed.app
            },
            started_at: started,
            completed_at: completed.then(|| started + Duration::minutes(9)),
        });
        commit
    }
}

/// The "minimal repository" object of the combined status.
fn repository(base: &str, repo: &str) -> Value {
    let api = format!("{base}/repos/{repo}");
    let (owner, name) = repo.split_once('/').unwrap_or((repo, repo));
    let id = 41_288_708 + super::store::fnv(repo) % 100_000_000;
    let mut v = json!({
        "id": id,
        "node_id": node_id("Repository", id),
        "name": name,
        "full_name": repo,
        "private": false,
        "owner": user(base, owner),
        "html_url": format!("{}/{repo}", json::HTML),
        "description": null,
        "fork": false,
        "url": api,
    });
    for (key, path) in [
        ("archive_url", "{archive_format}{/ref}"),
        ("assignees_url", "assignees{/user}"),
        ("branches_url", "branches{/branch}"),
        ("commits_url", "commits{/sha}"),
        ("compare_url", "compare/{base}...{head}"),
        ("contents_url", "contents/{+path}"),
        ("events_url", "events"),
        ("git_refs_url", "git/refs{/sha}"),
        ("git_tags_url", "git/tags{/sha}"),
        ("hooks_url", "hooks"),
        ("issues_url", "issues{/number}"),
        ("labels_url", "labels{/name}"),
        ("milestones_url", "milestones{/number}"),
        ("pulls_url", "pulls{/number}"),
        ("releases_url", "releases{/id}"),
        ("statuses_url", "statuses/{sha}"),
        ("tags_url", "tags"),
    ] {
        v[key] = json!(format!("{api}/{path}"));
    }
    v
}

fn status(base: &str, repo: &str, commit: &str, s: &CommitStatus) -> Value {
    json!({
        "url": format!("{base}/repos/{repo}/statuses/{commit}"),
        "avatar_url": format!("https://avatars.github.example/u/{}?v=4", json::user_id(&s.creator)),
        "id": s.id,
        "node_id": node_id("StatusContext", s.id),
        "state": s.state,
        "description": s.description,
        "target_url": s.target_url,
        "context": s.context,
        "created_at": ts(s.created_at),
        "updated_at": ts(s.created_at),
    })
}

/// GitHub's rule: failure if any context failed or errored, else pending
/// if any is pending or there are none, else success.
fn combined(statuses: &[CommitStatus]) -> &'static str {
    if statuses
        .iter()
        .any(|s| s.state == "failure" || s.state == "error")
    {
        "failure"
    } else if statuses.is_empty() || statuses.iter().any(|s| s.state == "pending") {
        "pending"
    } else {
        "success"
    }
}

fn app(base: &str, slug: &str) -> Value {
    let id = 15_368 + super::store::fnv(slug) % 1_000_000;
    let name = match slug {
        "github-actions" => "GitHub Actions".to_string(),
        "buildkite" => "Buildkite".to_string(),
        other => other.to_string(),
    };
    json!({
        "id": id,
        "slug": slug,
        "node_id": node_id("App", id),
        "owner": user(base, "github"),
        "name": name,
        "description": "Automate your workflow from idea to production",
        "external_url": format!("https://{slug}.example"),
        "html_url": format!("{}/apps/{slug}", json::HTML),
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2019-12-10T19:04:12Z",
        "permissions": { "checks": "write", "contents": "write", "metadata": "read", "statuses": "write" },
        "events": ["check_run", "check_suite", "push", "pull_request"],
    })
}

fn check_run(base: &str, repo: &str, commit: &str, c: &CheckRun) -> Value {
    let url = format!("{base}/repos/{repo}/check-runs/{}", c.id);
    let (title, summary) = match (c.status.as_str(), c.conclusion.as_deref()) {
        ("completed", Some(conclusion)) => (
            Some(format!("{} {conclusion}", c.name)),
            Some(format!("The {} job finished: {conclusion}.", c.name)),
        ),
        _ => (None, None),
    };
    json!({
        "id": c.id,
        "head_sha": commit,
        "node_id": node_id("CheckRun", c.id),
        "external_id": format!("{}", c.id % 100_000),
        "url": url,
        "html_url": format!("{}/{repo}/runs/{}", json::HTML, c.id),
        "details_url": format!("{}/{repo}/actions/runs/{}", json::HTML, c.id),
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": ts(c.started_at),
        "completed_at": opt_ts(c.completed_at),
        "output": {
            "title": title,
            "summary": summary,
            "text": null,
            "annotations_count": 0,
            "annotations_url": format!("{url}/annotations"),
        },
        "name": c.name,
        "check_suite": { "id": 1_650_000_000 + c.id % 1_000_000 },
        "app": app(base, &c.app),
        "pull_requests": [],
    })
}

fn no_commit(reference: &str, doc: &str) -> Reply {
    Reply::new(
        422,
        json::error_body(
            422,
            &format!("No commit found for SHA: {reference}"),
            None,
            doc,
        ),
    )
}

/// `GET /repos/{repo}/commits/{reference}/status` (`rest` is what follows
/// `commits/` in the path, percent-decoded).
pub(super) fn commits(store: &Store, req: &Request, repo: &str, rest: &[&str]) -> Reply {
    let Some((last, reference)) = rest.split_last() else {
        return Reply::not_found("https://docs.github.com/rest");
    };
    let reference = reference
        .iter()
        .map(|s| percent_decode(s))
        .collect::<Vec<_>>()
        .join("/");
    let empty = Repo::default();
    let data = store.repos.get(repo).unwrap_or(&empty);
    match *last {
        "status" => match data.resolve(&reference) {
            Some(commit) => combined_status(req, repo, data, &commit),
            None => no_commit(&reference, STATUS_DOC),
        },
        "check-runs" => match data.resolve(&reference) {
            Some(commit) => check_runs(req, repo, data, &commit),
            None => no_commit(&reference, CHECKS_DOC),
        },
        _ => Reply::not_found("https://docs.github.com/rest"),
    }
}

fn combined_status(req: &Request, repo: &str, data: &Repo, commit: &str) -> Reply {
    let statuses = data
        .ci
        .get(commit)
        .map_or(&[][..], |ci| ci.statuses.as_slice());
    let api = format!("{}/repos/{repo}", req.base);
    let body = json!({
        "state": combined(statuses),
        "statuses": statuses.iter().map(|s| status(req.base, repo, commit, s)).collect::<Vec<_>>(),
        "sha": commit,
        "total_count": statuses.len(),
        "repository": repository(req.base, repo),
        "commit_url": format!("{api}/commits/{commit}"),
        "url": format!("{api}/commits/{commit}/status"),
    });
    Reply::json(200, &body)
}

fn check_runs(req: &Request, repo: &str, data: &Repo, commit: &str) -> Reply {
    let checks: Vec<&CheckRun> = data
        .ci
        .get(commit)
        .map_or_else(Vec::new, |ci| ci.checks.iter().collect());
    let total = checks.len();
    let url = format!("{}/repos/{repo}/commits/{commit}/check-runs", req.base);
    let (page, headers) = paginate(checks, req, &url);
    let body = json!({
        "total_count": total,
        "check_runs": page.into_iter().map(|c| check_run(req.base, repo, commit, c)).collect::<Vec<_>>(),
    });
    Reply {
        headers,
        ..Reply::json(200, &body)
    }
}

/// Decodes `%XX` escapes (a ref like `release/3.23` may come as
/// `release%2F3.23`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_are_decoded_and_the_combined_state_follows_githubs_rule() {
        assert_eq!(percent_decode("release%2F3.23"), "release/3.23");
        assert_eq!(percent_decode("3.23%"), "3.23%");
        let s = |state: &str| CommitStatus {
            id: 1,
            context: "ci".into(),
            state: state.into(),
            description: None,
            target_url: None,
            creator: "ci".into(),
            created_at: now(),
        };
        assert_eq!(combined(&[]), "pending");
        assert_eq!(combined(&[s("success"), s("pending")]), "pending");
        assert_eq!(combined(&[s("pending"), s("error")]), "failure");
        assert_eq!(combined(&[s("success")]), "success");
    }
}
