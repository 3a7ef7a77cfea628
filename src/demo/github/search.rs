//! `GET /search/issues`: GitHub's issue search over the store. It evaluates
//! the qualifiers release checklists use — `repo:`, `org:`/`user:`,
//! `is:issue`/`is:pr`, `is:open`/`is:closed`/`state:`, `is:merged`,
//! `is:draft`, `label:` (several are ANDed, `a,b` is OR), `milestone:`,
//! `no:milestone`/`no:label`/`no:assignee`, `assignee:`, `author:`, each
//! negated with a leading `-` — and free words (in the title or body). A
//! qualifier it does not understand is refused with GitHub's 422 shape
//! rather than silently ignored.

use serde_json::{Value, json};

use super::http::{Reply, Request, paginate};
use super::json::{self, Ctx};
use super::store::{Issue, Repo, Store};

/// Where GitHub's search errors point.
const DOC: &str = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests";

/// GitHub refuses longer queries.
const MAX_QUERY: usize = 256;

/// One term of a query.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    negated: bool,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    Repo(String),
    Owner(String),
    Pull(bool),
    Open(bool),
    Merged(bool),
    Draft,
    /// Any of these labels.
    Label(Vec<String>),
    Milestone(String),
    NoMilestone,
    NoLabel,
    NoAssignee,
    Assignee(String),
    Author(String),
    Word(String),
}

/// Splits on whitespace outside double quotes; quotes are kept.
fn tokens(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `a,"b c"` → `["a", "b c"]`.
fn values(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in raw.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    out.push(current);
    out.into_iter().filter(|v| !v.is_empty()).collect()
}

/// The terms of `q`, or the token the simulation does not understand.
fn parse(q: &str) -> Result<Vec<Term>, String> {
    let mut terms = Vec::new();
    for token in tokens(q) {
        let (negated, body) = match token.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, token.as_str()),
        };
        let qualifier = body
            .split_once(':')
            .filter(|(key, _)| !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase()));
        let Some((key, raw)) = qualifier else {
            let word = body.trim_matches('"').to_lowercase();
            if !word.is_empty() {
                terms.push(Term {
                    negated,
                    test: Test::Word(word),
                });
            }
            continue;
        };
        let vals = values(raw);
        let one = || vals.first().cloned().ok_or_else(|| token.clone());
        let test = match (key, raw) {
            ("repo", _) => Test::Repo(one()?),
            ("org" | "user", _) => Test::Owner(one()?),
            ("is" | "type", "issue") => Test::Pull(false),
            ("is" | "type", "pr" | "pull-request") => Test::Pull(true),
            ("is" | "state", "open") => Test::Open(true),
            ("is" | "state", "closed") => Test::Open(false),
            ("is", "merged") => Test::Merged(true),
            ("is", "unmerged") => Test::Merged(false),
            ("is", "draft") | ("draft", "true") => Test::Draft,
            ("label", _) if !vals.is_empty() => Test::Label(vals.clone()),
            ("milestone", _) => Test::Milestone(one()?),
            ("no", "milestone") => Test::NoMilestone,
            ("no", "label") => Test::NoLabel,
            ("no", "assignee") => Test::NoAssignee,
            ("assignee", _) => Test::Assignee(one()?),
            ("author", _) => Test::Author(one()?),
            _ => return Err(token),
        };
        terms.push(Term { negated, test });
    }
    Ok(terms)
}

fn matches(test: &Test, repo: &str, data: &Repo, i: &Issue) -> bool {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match test {
        Test::Repo(r) => same(r, repo),
        Test::Owner(o) => repo.split('/').next().is_some_and(|owner| same(owner, o)),
        Test::Pull(pull) => i.pull.is_some() == *pull,
        Test::Open(open) => i.open == *open,
        Test::Merged(merged) => i
            .pull
            .as_ref()
            .is_some_and(|p| p.merged_at.is_some() == *merged),
        Test::Draft => i.pull.as_ref().is_some_and(|p| p.draft),
        Test::Label(any) => any.iter().any(|w| i.labels.iter().any(|l| same(l, w))),
        Test::Milestone(title) => i
            .milestone
            .and_then(|n| data.milestone(n))
            .is_some_and(|m| same(&m.title, title)),
        Test::NoMilestone => i.milestone.is_none(),
        Test::NoLabel => i.labels.is_empty(),
        Test::NoAssignee => i.assignee.is_none(),
        Test::Assignee(login) => i.assignee.as_deref().is_some_and(|a| same(a, login)),
        Test::Author(login) => same(&i.author, login),
        Test::Word(word) => {
            i.title.to_lowercase().contains(word)
                || i.body
                    .as_deref()
                    .is_some_and(|b| b.to_lowercase().contains(word))
        }
    }
}

fn invalid(errors: Value) -> Reply {
    Reply::invalid(DOC, errors)
}

/// `GET /search/issues?q=…[&sort=created|updated|comments][&order=asc|desc]`.
pub(super) fn search_issues(store: &Store, req: &Request) -> Reply {
    let q = req.query.get("q").map(String::as_str).unwrap_or_default();
    if q.trim().is_empty() {
        return invalid(json!([{ "resource": "Search", "field": "q", "code": "missing" }]));
    }
    if q.chars().count() > MAX_QUERY {
        return invalid(json!([{
            "message": "The search is longer than 256 characters.",
            "resource": "Search", "field": "q", "code": "invalid",
        }]));
    }
    let terms = match parse(q) {
        Ok(terms) => terms,
        Err(token) => {
            return invalid(json!([{
                "message": format!(
                    "The qualifier `{token}` is not understood by this simulation of GitHub search."
                ),
                "resource": "Search", "field": "q", "code": "invalid",
            }]));
        }
    };
    let mut hits: Vec<(&str, &Repo, &Issue)> = store
        .repos
        .iter()
        .flat_map(|(repo, data)| data.issues.values().map(move |i| (repo.as_str(), data, i)))
        .filter(|(repo, data, i)| {
            terms
                .iter()
                .all(|t| matches(&t.test, repo, data, i) != t.negated)
        })
        .collect();
    let key = |a: &Issue, b: &Issue| match req.query.get("sort").map(String::as_str) {
        Some("updated") => a.updated_at.cmp(&b.updated_at),
        Some("comments") => a.comments.len().cmp(&b.comments.len()),
        // `created`, and best match (every hit scores the same here).
        _ => a.created_at.cmp(&b.created_at),
    };
    let asc = req.query.get("order").is_some_and(|o| o == "asc");
    hits.sort_by(|(_, _, a), (_, _, b)| {
        let order = key(a, b).then(a.number.cmp(&b.number));
        if asc { order } else { order.reverse() }
    });
    let total = hits.len();
    let (page, headers) = paginate(hits, req, &format!("{}/search/issues", req.base));
    let items: Vec<Value> = page
        .into_iter()
        .map(|(repo, data, i)| {
            let ctx = Ctx {
                base: req.base,
                repo,
                data,
            };
            let mut v = json::issue(&ctx, i);
            v["score"] = json!(1.0);
            v
        })
        .collect();
    let body = json!({
        "total_count": total,
        "incomplete_results": false,
        "items": items,
    });
    Reply {
        headers,
        ..Reply::new(200, body.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_into_terms() {
        let terms = parse(r#"repo:o/r is:issue is:open label:"release blocker" -label:wontfix label:bug,"team/search" no:milestone"#)
            .expect("parses");
        let tests: Vec<(bool, Test)> = terms.into_iter().map(|t| (t.negated, t.test)).collect();
        assert_eq!(
            tests,
            [
                (false, Test::Repo("o/r".into())),
                (false, Test::Pull(false)),
                (false, Test::Open(true)),
                (false, Test::Label(vec!["release blocker".into()])),
                (true, Test::Label(vec!["wontfix".into()])),
                (false, Test::Label(vec!["bug".into(), "team/search".into()])),
                (false, Test::NoMilestone),
            ]
        );
        assert_eq!(
            parse(r#"milestone:"3.23" crashloops"#).expect("parses"),
            [
                Term {
                    negated: false,
                    test: Test::Milestone("3.23".into())
                },
                Term {
                    negated: false,
                    test: Test::Word("crashloops".into())
                },
            ]
        );
        assert_eq!(parse("is:issue linked:pr"), Err("linked:pr".to_string()));
        assert_eq!(parse("is:locked"), Err("is:locked".to_string()));
    }
}
