//! Routing and endpoint logic. Handlers run under the store lock and return
//! a [`Reply`]; the caller adds GitHub's standard headers.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::http::{Reply, Request, paginate};
use super::json::{self, Ctx};
use super::store::{COMMENT_IDS, Comment, ISSUE_IDS, Issue, PULL_IDS, Pull, Repo, Store, now, sha};

/// GitHub's maximum issue and comment body length, in characters.
const MAX_BODY: usize = 65536;

pub(super) fn route(store: &mut Store, req: &Request) -> Reply {
    let doc = json::doc_url(req.method, req.path);
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    match (req.method, segments.as_slice()) {
        ("GET", ["user"]) => Reply::json(200, &json::authenticated_user(req.base, &store.user)),
        ("GET", ["search", "issues"]) => super::search::search_issues(store, req),
        (method, ["repos", owner, name, rest @ ..]) => {
            let repo = format!("{owner}/{name}");
            let number = |n: &str| n.parse::<u64>().ok();
            match (method, rest) {
                ("GET", ["issues"]) => list_issues(store, req, &repo, doc),
                ("GET", ["issues", n]) => get_issue(store, req, &repo, number(n), doc),
                ("PATCH", ["issues", n]) => update_issue(store, req, &repo, number(n), doc),
                ("GET", ["issues", n, "comments"]) => {
                    list_comments(store, req, &repo, number(n), doc)
                }
                ("POST", ["issues", n, "comments"]) => {
                    create_comment(store, req, &repo, number(n), doc)
                }
                ("GET", ["milestones"]) => list_milestones(store, req, &repo),
                ("GET", ["pulls"]) => list_pulls(store, req, &repo),
                ("GET", ["pulls", n]) => get_pull(store, req, &repo, number(n), doc),
                ("GET", ["commits", rest @ ..]) => super::ci::commits(store, req, &repo, rest),
                ("POST", ["pulls"]) => create_pull(store, req, &repo, doc),
                _ => Reply::not_found("https://docs.github.com/rest"),
            }
        }
        _ => Reply::not_found("https://docs.github.com/rest"),
    }
}

fn ctx<'a>(req: &'a Request, repo: &'a str, data: &'a Repo) -> Ctx<'a> {
    Ctx {
        base: req.base,
        repo,
        data,
    }
}

fn parse_object(req: &Request, doc: &str) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice(req.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Reply::new(
            400,
            json::error_body(400, "Problems parsing JSON", None, doc),
        )),
    }
}

fn too_long(resource: &str, message: &str, doc: &str) -> Reply {
    let errors =
        json!([{ "resource": resource, "code": "custom", "field": "body", "message": message }]);
    Reply::invalid(doc, errors)
}

fn get_issue(store: &Store, req: &Request, repo: &str, n: Option<u64>, doc: &str) -> Reply {
    let data = store.repos.get(repo);
    let found = data.and_then(|d| Some((d, d.issues.get(&n?)?)));
    match found {
        Some((data, issue)) => Reply::json(200, &json::issue(&ctx(req, repo, data), issue)),
        None => Reply::not_found(doc),
    }
}

fn update_issue(store: &mut Store, req: &Request, repo: &str, n: Option<u64>, doc: &str) -> Reply {
    let fields = match parse_object(req, doc) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let user = store.user.clone();
    let Some(issue) = n.and_then(|n| store.issue_mut(repo, n)) else {
        return Reply::not_found(doc);
    };
    let text = |key: &str| fields.get(key).and_then(Value::as_str);
    let state = fields.get("state");
    if state.is_some() && !matches!(text("state"), Some("open" | "closed")) {
        let errors =
            json!([{ "value": state, "resource": "Issue", "field": "state", "code": "invalid" }]);
        return Reply::invalid(doc, errors);
    }
    if text("body").is_some_and(|b| b.chars().count() > MAX_BODY) {
        return too_long(
            "Issue",
            "body is too long (maximum is 65536 characters)",
            doc,
        );
    }
    if let Some(title) = text("title") {
        issue.title = title.to_string();
    }
    match fields.get("body") {
        Some(Value::String(body)) => issue.body = Some(body.clone()).filter(|b| !b.is_empty()),
        Some(Value::Null) => issue.body = None,
        _ => {}
    }
    issue.touch();
    if let Some(state) = text("state") {
        issue.set_open(state == "open", &user, text("state_reason"));
    }
    get_issue(store, req, repo, n, doc)
}

fn list_issues(store: &Store, req: &Request, repo: &str, doc: &str) -> Reply {
    let empty = Repo::default();
    let data = store.repos.get(repo).unwrap_or(&empty);
    let q = req.query;
    // `milestone`: a number, `*` (any) or `none`; GitHub rejects titles.
    let milestone = match q.get("milestone").map(String::as_str) {
        None => Ok(None),
        Some("*") => Ok(Some(MilestoneFilter::Any)),
        Some("none") => Ok(Some(MilestoneFilter::Unset)),
        Some(v) => v
            .parse()
            .map(|n| Some(MilestoneFilter::Number(n)))
            .map_err(|_| v),
    };
    let milestone = match milestone {
        Ok(filter) => filter,
        Err(v) => {
            let errors = json!([{ "value": v, "resource": "Issue", "field": "milestone", "code": "invalid" }]);
            return Reply::invalid(doc, errors);
        }
    };
    let wanted: Vec<&str> = q.get("labels").map_or_else(Vec::new, |l| {
        l.split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    });
    let assignee = q.get("assignee").map(String::as_str);
    let mut issues: Vec<&Issue> = data
        .issues
        .values()
        .filter(|i| state_matches(q, i.open))
        .filter(|i| {
            let has = |w: &&str| i.labels.iter().any(|l| l.eq_ignore_ascii_case(w));
            wanted.iter().all(has)
        })
        .filter(|i| match milestone {
            None => true,
            Some(MilestoneFilter::Any) => i.milestone.is_some(),
            Some(MilestoneFilter::Unset) => i.milestone.is_none(),
            Some(MilestoneFilter::Number(n)) => i.milestone == Some(n),
        })
        .filter(|i| match assignee {
            None => true,
            Some("*") => i.assignee.is_some(),
            Some("none") => i.assignee.is_none(),
            Some(login) => i.assignee.as_deref() == Some(login),
        })
        .collect();
    let key = |i: &Issue, j: &Issue| match q.get("sort").map(String::as_str) {
        Some("updated") => i.updated_at.cmp(&j.updated_at),
        Some("comments") => i.comments.len().cmp(&j.comments.len()),
        _ => i.created_at.cmp(&j.created_at),
    };
    sort(&mut issues, q, |i, j| {
        key(i, j).then(i.number.cmp(&j.number))
    });
    let (page, headers) = paginate(issues, req, &format!("{}/repos/{repo}/issues", req.base));
    let ctx = ctx(req, repo, data);
    let body: Vec<Value> = page.into_iter().map(|i| json::issue(&ctx, i)).collect();
    Reply {
        headers,
        ..Reply::json(200, &Value::Array(body))
    }
}

#[derive(Clone, Copy)]
enum MilestoneFilter {
    Any,
    Unset,
    Number(u64),
}

/// `state` query parameter: `open` (default), `closed` or `all`.
fn state_matches(q: &HashMap<String, String>, open: bool) -> bool {
    match q.get("state").map(String::as_str) {
        Some("all") => true,
        Some("closed") => !open,
        _ => open,
    }
}

/// Sorts ascending by `cmp`, reversed unless `direction=asc`.
fn sort<T>(items: &mut [T], q: &HashMap<String, String>, cmp: impl Fn(&T, &T) -> Ordering) {
    let asc = q.get("direction").is_some_and(|d| d == "asc");
    items.sort_by(|a, b| if asc { cmp(a, b) } else { cmp(b, a) });
}

fn list_milestones(store: &Store, req: &Request, repo: &str) -> Reply {
    let empty = Repo::default();
    let data = store.repos.get(repo).unwrap_or(&empty);
    let mut milestones: Vec<_> = data
        .milestones
        .iter()
        .filter(|m| state_matches(req.query, m.open))
        .collect();
    // GitHub's default order: due_on ascending, milestones without a due date last.
    milestones.sort_by_key(|m| (m.due_on.is_none(), m.due_on, m.number));
    if req.query.get("direction").is_some_and(|d| d == "desc") {
        milestones.reverse();
    }
    let (page, headers) = paginate(
        milestones,
        req,
        &format!("{}/repos/{repo}/milestones", req.base),
    );
    let ctx = ctx(req, repo, data);
    let body: Vec<Value> = page.into_iter().map(|m| json::milestone(&ctx, m)).collect();
    Reply {
        headers,
        ..Reply::json(200, &Value::Array(body))
    }
}

fn list_comments(store: &Store, req: &Request, repo: &str, n: Option<u64>, doc: &str) -> Reply {
    let data = store.repos.get(repo);
    let Some((data, issue)) = data.and_then(|d| Some((d, d.issues.get(&n?)?))) else {
        return Reply::not_found(doc);
    };
    let url = format!("{}/repos/{repo}/issues/{}/comments", req.base, issue.number);
    let (page, headers) = paginate(issue.comments.iter().collect(), req, &url);
    let ctx = ctx(req, repo, data);
    let body: Vec<Value> = page
        .into_iter()
        .map(|c| json::comment(&ctx, issue.number, c))
        .collect();
    Reply {
        headers,
        ..Reply::json(200, &Value::Array(body))
    }
}

fn create_comment(
    store: &mut Store,
    req: &Request,
    repo: &str,
    n: Option<u64>,
    doc: &str,
) -> Reply {
    let fields = match parse_object(req, doc) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let Some(number) = n.filter(|&n| store.issue_mut(repo, n).is_some()) else {
        return Reply::not_found(doc);
    };
    let body = fields
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if body.is_empty() {
        let errors =
            json!([{ "resource": "IssueComment", "code": "missing_field", "field": "body" }]);
        return Reply::invalid(doc, errors);
    }
    if body.chars().count() > MAX_BODY {
        return too_long(
            "IssueComment",
            "Body is too long (maximum is 65536 characters)",
            doc,
        );
    }
    let comment = Comment {
        id: store.next_id(COMMENT_IDS),
        author: store.user.clone(),
        body: body.to_string(),
        created_at: now(),
    };
    let data = store.repo_mut(repo);
    let Some(issue) = data.issues.get_mut(&number) else {
        return Reply::not_found(doc);
    };
    issue.comments.push(comment.clone());
    issue.touch();
    let value = json::comment(&ctx(req, repo, data), number, &comment);
    let location = value["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &value).header("location", location)
}

/// `owner:branch` for a head or base given as `branch` or `owner:branch`.
fn qualified(repo: &str, spec: &str) -> String {
    let owner = repo.split('/').next().unwrap_or_default();
    if spec.contains(':') {
        spec.to_string()
    } else {
        format!("{owner}:{spec}")
    }
}

fn list_pulls(store: &Store, req: &Request, repo: &str) -> Reply {
    let empty = Repo::default();
    let data = store.repos.get(repo).unwrap_or(&empty);
    let q = req.query;
    let mut pulls: Vec<(&Issue, &Pull)> = data
        .issues
        .values()
        .filter_map(|i| Some((i, i.pull.as_ref()?)))
        .filter(|(i, _)| state_matches(q, i.open))
        .filter(|(_, p)| q.get("head").is_none_or(|h| qualified(repo, &p.head) == *h))
        .filter(|(_, p)| q.get("base").is_none_or(|b| p.base == *b))
        .collect();
    sort(&mut pulls, q, |(a, _), (b, _)| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.number.cmp(&b.number))
    });
    let (page, headers) = paginate(pulls, req, &format!("{}/repos/{repo}/pulls", req.base));
    let ctx = ctx(req, repo, data);
    let body: Vec<Value> = page
        .into_iter()
        .map(|(i, p)| json::pull(&ctx, i, p))
        .collect();
    Reply {
        headers,
        ..Reply::json(200, &Value::Array(body))
    }
}

fn get_pull(store: &Store, req: &Request, repo: &str, n: Option<u64>, doc: &str) -> Reply {
    let data = store.repos.get(repo);
    let found = data.and_then(|d| {
        let issue = d.issues.get(&n?)?;
        Some((d, issue, issue.pull.as_ref()?))
    });
    match found {
        Some((data, issue, pull)) => {
            Reply::json(200, &json::pull(&ctx(req, repo, data), issue, pull))
        }
        None => Reply::not_found(doc),
    }
}

fn create_pull(store: &mut Store, req: &Request, repo: &str, doc: &str) -> Reply {
    let fields = match parse_object(req, doc) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    store
        .repo_mut(repo)
        .pull_bodies
        .push(Value::Object(fields.clone()));
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(title), Some(head), Some(base)) = (text("title"), text("head"), text("base")) else {
        let missing = ["title", "head", "base"]
            .into_iter()
            .filter(|f| text(f).is_none());
        let errors: Vec<Value> = missing
            .map(|f| json!({ "resource": "PullRequest", "field": f, "code": "missing_field" }))
            .collect();
        return Reply::invalid(doc, Value::Array(errors));
    };
    let custom = |message: String| {
        let errors = json!([{ "resource": "PullRequest", "code": "custom", "message": message }]);
        Reply::invalid(doc, errors)
    };
    let head_label = qualified(repo, head);
    let data = store.repo_mut(repo);
    let exists = data.issues.values().any(|i| {
        i.open
            && i.pull
                .as_ref()
                .is_some_and(|p| qualified(repo, &p.head) == head_label)
    });
    if exists {
        return custom(format!("A pull request already exists for {head_label}."));
    }
    if head_label == qualified(repo, base) {
        return custom(format!("No commits between {base} and {head}"));
    }
    let issue_id = store.next_id(ISSUE_IDS);
    let pull_id = store.next_id(PULL_IDS);
    let author = store.user.clone();
    let data = store.repo_mut(repo);
    let number = data.next_number();
    let created = now();
    let issue = Issue {
        id: issue_id,
        number,
        title: title.to_string(),
        body: text("body").map(str::to_string),
        author,
        labels: Vec::new(),
        milestone: None,
        open: true,
        state_reason: None,
        assignee: None,
        created_at: created,
        updated_at: created,
        closed_at: None,
        closed_by: None,
        comments: Vec::new(),
        pull: Some(Pull {
            id: pull_id,
            head: head.to_string(),
            base: base.to_string(),
            draft: fields
                .get("draft")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            head_sha: sha(&format!("{repo}:{head}:{number}")),
            base_sha: sha(&format!("{repo}:{base}")),
            merged_at: None,
            merged_by: None,
            merge_commit_sha: None,
        }),
    };
    data.issues.insert(number, issue);
    let Some(issue) = data.issues.get(&number) else {
        return Reply::not_found(doc);
    };
    let Some(pull) = issue.pull.as_ref() else {
        return Reply::not_found(doc);
    };
    let value = json::pull(&ctx(req, repo, data), issue, pull);
    let location = value["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, &value).header("location", location)
}
