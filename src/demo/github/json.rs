//! JSON renderings of the simulation's objects in GitHub's REST v3 shapes.
//! API URLs point at its base; `html_url`s at `https://github.example`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::store::{Comment, Issue, Label, Milestone, Pull, Repo, fnv};

/// Web UI host of the pretend GitHub Enterprise instance.
pub(super) const HTML: &str = "https://github.example";

/// Everything needed to render objects of one repository.
pub(super) struct Ctx<'a> {
    pub base: &'a str,
    pub repo: &'a str,
    pub data: &'a Repo,
}

impl Ctx<'_> {
    fn api(&self) -> String {
        format!("{}/repos/{}", self.base, self.repo)
    }

    fn html(&self) -> String {
        format!("{HTML}/{}", self.repo)
    }
}

pub(super) fn ts(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

pub(super) fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, ts)
}

fn state(open: bool) -> &'static str {
    if open { "open" } else { "closed" }
}

/// GitHub's legacy global node id: base64 of `0{len}:{Type}{id}`, e.g.
/// `MDU6SXNzdWU3NDQ3NjU4OTI=` for issue 744765892.
pub(super) fn node_id(kind: &str, id: u64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("0{}:{kind}{id}", kind.len()))
}

/// Percent-encodes a path segment (label names may hold `/` or spaces).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A stable, GitHub-sized user id for a login.
pub(super) fn user_id(login: &str) -> u64 {
    1_000 + fnv(login) % 70_000_000
}

/// The "simple user" object embedded everywhere.
pub(super) fn user(base: &str, login: &str) -> Value {
    let id = user_id(login);
    let api = format!("{base}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": node_id("User", id),
        "avatar_url": format!("https://avatars.github.example/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{HTML}/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": "User",
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// `GET /user`: the simple user plus the private profile fields.
pub(super) fn authenticated_user(base: &str, login: &str) -> Value {
    let mut v = user(base, login);
    let name = match login {
        "octocat" => "The Octocat".to_string(),
        _ => {
            let mut chars = login.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        }
    };
    let extra = json!({
        "name": name,
        "company": "@sourcegraph",
        "blog": "",
        "location": null,
        "email": format!("{login}@example.com"),
        "hireable": null,
        "bio": null,
        "twitter_username": null,
        "notification_email": format!("{login}@example.com"),
        "public_repos": 8,
        "public_gists": 2,
        "followers": 21,
        "following": 3,
        "created_at": "2016-03-04T17:20:07Z",
        "updated_at": "2020-11-18T09:41:52Z",
    });
    if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

fn reactions(url: &str) -> Value {
    json!({
        "url": format!("{url}/reactions"),
        "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
        "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
    })
}

pub(super) fn label(ctx: &Ctx, l: &Label) -> Value {
    json!({
        "id": l.id,
        "node_id": node_id("Label", l.id),
        "url": format!("{}/labels/{}", ctx.api(), segment(&l.name)),
        "name": l.name,
        "color": l.color,
        "default": l.default,
        "description": l.description,
    })
}

pub(super) fn milestone(ctx: &Ctx, m: &Milestone) -> Value {
    let of_milestone = ctx
        .data
        .issues
        .values()
        .filter(|i| i.milestone == Some(m.number));
    let (open, closed): (Vec<&Issue>, Vec<&Issue>) = of_milestone.partition(|i| i.open);
    let url = format!("{}/milestones/{}", ctx.api(), m.number);
    json!({
        "url": url,
        "html_url": format!("{}/milestone/{}", ctx.html(), m.number),
        "labels_url": format!("{url}/labels"),
        "id": m.id,
        "node_id": node_id("Milestone", m.id),
        "number": m.number,
        "title": m.title,
        "description": m.description,
        "creator": user(ctx.base, &m.creator),
        "open_issues": open.len(),
        "closed_issues": closed.len(),
        "state": state(m.open),
        "created_at": ts(m.created_at),
        "updated_at": ts(m.updated_at),
        "due_on": opt_ts(m.due_on),
        "closed_at": opt_ts(m.closed_at),
    })
}

fn labels(ctx: &Ctx, i: &Issue) -> Value {
    let found = i.labels.iter().filter_map(|n| ctx.data.label(n));
    Value::Array(found.map(|l| label(ctx, l)).collect())
}

fn issue_milestone(ctx: &Ctx, i: &Issue) -> Value {
    let m = i.milestone.and_then(|n| ctx.data.milestone(n));
    m.map_or(Value::Null, |m| milestone(ctx, m))
}

fn assignees(ctx: &Ctx, i: &Issue) -> (Value, Value) {
    let assignee = i.assignee.as_deref().map(|a| user(ctx.base, a));
    let all = Value::Array(assignee.iter().cloned().collect());
    (assignee.unwrap_or(Value::Null), all)
}

pub(super) fn issue(ctx: &Ctx, i: &Issue) -> Value {
    let url = format!("{}/issues/{}", ctx.api(), i.number);
    let kind = if i.pull.is_some() { "pull" } else { "issues" };
    let (assignee, assignees) = assignees(ctx, i);
    let mut v = json!({
        "url": url,
        "repository_url": ctx.api(),
        "labels_url": format!("{url}/labels{{/name}}"),
        "comments_url": format!("{url}/comments"),
        "events_url": format!("{url}/events"),
        "html_url": format!("{}/{kind}/{}", ctx.html(), i.number),
        "id": i.id,
        "node_id": node_id("Issue", i.id),
        "number": i.number,
        "title": i.title,
        "user": user(ctx.base, &i.author),
        "labels": labels(ctx, i),
        "state": state(i.open),
        "locked": false,
        "assignee": assignee,
        "assignees": assignees,
        "milestone": issue_milestone(ctx, i),
        "comments": i.comments.len(),
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_at": opt_ts(i.closed_at),
        "author_association": "MEMBER",
        "active_lock_reason": null,
        "body": i.body,
        "closed_by": i.closed_by.as_deref().map(|u| user(ctx.base, u)),
        "reactions": reactions(&url),
        "timeline_url": format!("{url}/timeline"),
        "performed_via_github_app": null,
        "state_reason": i.state_reason,
    });
    if let Some(pull) = &i.pull {
        let html = format!("{}/pull/{}", ctx.html(), i.number);
        v["draft"] = json!(pull.draft);
        v["pull_request"] = json!({
            "url": format!("{}/pulls/{}", ctx.api(), i.number),
            "html_url": html,
            "diff_url": format!("{html}.diff"),
            "patch_url": format!("{html}.patch"),
            "merged_at": opt_ts(pull.merged_at),
        });
    }
    v
}

pub(super) fn comment(ctx: &Ctx, number: u64, c: &Comment) -> Value {
    let url = format!("{}/issues/comments/{}", ctx.api(), c.id);
    json!({
        "url": url,
        "html_url": format!("{}/issues/{number}#issuecomment-{}", ctx.html(), c.id),
        "issue_url": format!("{}/issues/{number}", ctx.api()),
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "user": user(ctx.base, &c.author),
        "created_at": ts(c.created_at),
        "updated_at": ts(c.created_at),
        "author_association": "MEMBER",
        "body": c.body,
        "reactions": reactions(&url),
        "performed_via_github_app": null,
    })
}

/// The full pull request object (`GET /pulls/{n}` shape).
pub(super) fn pull(ctx: &Ctx, i: &Issue, p: &Pull) -> Value {
    let (n, api) = (i.number, ctx.api());
    let url = format!("{api}/pulls/{n}");
    let html = format!("{}/pull/{n}", ctx.html());
    let issue_url = format!("{api}/issues/{n}");
    let owner = ctx.repo.split('/').next().unwrap_or_default();
    let side = |spec: &str, sha: &str| {
        let (who, branch) = spec.split_once(':').unwrap_or((owner, spec));
        json!({
            "label": format!("{who}:{branch}"),
            "ref": branch,
            "sha": sha,
            "user": user(ctx.base, who),
            "repo": null,
        })
    };
    let (assignee, assignees) = assignees(ctx, i);
    let mut v = json!({
        "url": url,
        "id": p.id,
        "node_id": node_id("PullRequest", p.id),
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": issue_url,
        "number": n,
        "state": state(i.open),
        "locked": false,
        "title": i.title,
        "user": user(ctx.base, &i.author),
        "body": i.body,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_at": opt_ts(i.closed_at),
        "merged_at": opt_ts(p.merged_at),
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": assignee,
        "assignees": assignees,
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": labels(ctx, i),
        "milestone": issue_milestone(ctx, i),
        "draft": p.draft,
        "commits_url": format!("{url}/commits"),
        "review_comments_url": format!("{url}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{issue_url}/comments"),
        "statuses_url": format!("{api}/statuses/{}", p.head_sha),
        "head": side(&p.head, &p.head_sha),
        "base": side(&p.base, &p.base_sha),
    });
    let href = |u: String| json!({ "href": u });
    let rest = json!({
        "_links": {
            "self": href(url.clone()),
            "html": href(html.clone()),
            "issue": href(issue_url.clone()),
            "comments": href(format!("{issue_url}/comments")),
            "review_comments": href(format!("{url}/comments")),
            "review_comment": href(format!("{api}/pulls/comments{{/number}}")),
            "commits": href(format!("{url}/commits")),
            "statuses": href(format!("{api}/statuses/{}", p.head_sha)),
        },
        "author_association": "MEMBER",
        "auto_merge": null,
        "active_lock_reason": null,
        "merged": p.merged_at.is_some(),
        "mergeable": null,
        "rebaseable": null,
        "mergeable_state": "unknown",
        "merged_by": p.merged_by.as_deref().map(|u| user(ctx.base, u)),
        "comments": i.comments.len(),
        "review_comments": 0,
        "maintainer_can_modify": false,
        "commits": 1,
        "additions": 12,
        "deletions": 3,
        "changed_files": 2,
    });
    if let (Some(v), Value::Object(rest)) = (v.as_object_mut(), rest) {
        v.extend(rest);
    }
    v
}

/// GitHub's error body, keys in GitHub's order.
pub fn error_body(status: u16, message: &str, errors: Option<Value>, doc: &str) -> String {
    let errors = errors.map_or_else(String::new, |e| format!(r#","errors":{e}"#));
    format!(
        r#"{{"message":{}{errors},"documentation_url":{},"status":"{status}"}}"#,
        json!(message),
        json!(doc)
    )
}

/// The documentation link GitHub sends for errors of an endpoint; `path`
/// may be a fragment of one (as the test kit's faults give it).
pub fn doc_url(method: &str, path: &str) -> &'static str {
    let path = path
        .split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let post = method.eq_ignore_ascii_case("POST");
    if path.starts_with("/search/issues") {
        "https://docs.github.com/rest/search/search#search-issues-and-pull-requests"
    } else if path.contains("/comments") {
        if post {
            "https://docs.github.com/rest/issues/comments#create-an-issue-comment"
        } else {
            "https://docs.github.com/rest/issues/comments#list-issue-comments"
        }
    } else if path.contains("/pulls/") && !post {
        "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
    } else if path.contains("/pulls") {
        if post {
            "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
        } else {
            "https://docs.github.com/rest/pulls/pulls#list-pull-requests"
        }
    } else if path.contains("/milestones") {
        "https://docs.github.com/rest/issues/milestones#list-milestones"
    } else if path.ends_with("/issues") {
        "https://docs.github.com/rest/issues/issues#list-repository-issues"
    } else if path.contains("/issues/") {
        if method.eq_ignore_ascii_case("PATCH") {
            "https://docs.github.com/rest/issues/issues#update-an-issue"
        } else {
            "https://docs.github.com/rest/issues/issues#get-an-issue"
        }
    } else if path == "/user" {
        "https://docs.github.com/rest/users/users#get-the-authenticated-user"
    } else {
        "https://docs.github.com/rest"
    }
}
