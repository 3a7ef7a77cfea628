//! Tests: every endpoint of the simulated GitHub over real HTTP, every
//! response deserialized into octocrab's models, a real `octocrab::Octocrab`
//! pointed at the fake, and the fake's faults and token check.

use std::time::Instant;

use octocrab::models::issues::{Comment, Issue, IssueStateReason};
use octocrab::models::pulls::PullRequest;
use octocrab::models::{Author, IssueState, Milestone};
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;

const TRACKING: &str = "/repos/sourcegraph/sourcegraph/issues/16108";

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap()
    }

    /// Deserializes into an octocrab model, with the body in the panic message.
    fn model<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("{e} in {}: {}", std::any::type_name::<T>(), self.text))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", |v| v.to_str().unwrap())
    }
}

async fn call(fake: &GithubFake, method: Method, path: &str, body: Option<Value>) -> Resp {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", fake.url));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    Resp {
        status,
        headers,
        text: resp.text().await.unwrap(),
    }
}

async fn get(fake: &GithubFake, path: &str) -> Resp {
    call(fake, Method::GET, path, None).await
}

fn numbers(issues: &[Issue]) -> Vec<u64> {
    issues.iter().map(|i| i.number).collect()
}

fn assert_github_error(resp: &Resp, status: u16, message: &str) {
    assert_eq!(resp.status.as_u16(), status, "{}", resp.text);
    let body = resp.json();
    assert_eq!(body["message"], message);
    assert_eq!(body["status"], status.to_string());
    assert!(
        body["documentation_url"]
            .as_str()
            .unwrap()
            .starts_with("https://docs.github.com/rest")
    );
}

#[tokio::test]
async fn get_issue_has_full_shape_and_headers() {
    let fake = GithubFake::start_demo().await.unwrap();
    let resp = get(&fake, TRACKING).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.header("content-type"),
        "application/json; charset=utf-8"
    );
    assert_eq!(resp.header("x-github-api-version-selected"), "2022-11-28");
    assert_eq!(resp.header("x-ratelimit-limit"), "5000");
    assert_eq!(resp.header("x-ratelimit-remaining"), "4999");
    assert_eq!(resp.header("x-ratelimit-used"), "1");
    assert_eq!(resp.header("x-ratelimit-resource"), "core");
    assert!(resp.header("x-ratelimit-reset").parse::<i64>().unwrap() > Utc::now().timestamp());
    assert_eq!(resp.header("x-github-request-id").split(':').count(), 5);
    let raw = resp.json();
    assert_eq!(raw["url"], format!("{}{TRACKING}", fake.url));
    assert_eq!(
        raw["html_url"],
        "https://github.example/sourcegraph/sourcegraph/issues/16108"
    );
    assert_eq!(
        raw["timeline_url"],
        format!("{}{TRACKING}/timeline", fake.url)
    );
    assert_eq!(raw["reactions"]["total_count"], 0);
    assert_eq!(raw["user"]["type"], "User");
    assert_eq!(raw["created_at"], "2020-11-23T17:02:11Z");

    let issue: Issue = resp.model();
    assert_eq!(issue.title, "3.23 release tracking issue");
    assert_eq!(issue.body.as_deref(), Some(DEMO_TRACKING_BODY));
    assert_eq!(issue.state, IssueState::Open);
    assert_eq!(issue.labels[0].name, "release-tracking");
    assert_eq!(issue.assignee.unwrap().login, "alice");
    assert_eq!(issue.assignees.len(), 1);
    assert_eq!(issue.comments, 2);
    let milestone = issue.milestone.unwrap();
    assert_eq!(
        (milestone.title.as_str(), milestone.state.as_deref()),
        ("3.23", Some("open"))
    );
    assert!(milestone.creator.is_some() && milestone.due_on.is_some());
    assert!(issue.labels_url.as_str().starts_with(&fake.url));

    let closed: Issue = get(&fake, "/repos/sourcegraph/sourcegraph/issues/15000")
        .await
        .model();
    assert_eq!(closed.state_reason, Some(IssueStateReason::Completed));
    assert!(closed.closed_at.is_some() && closed.body.unwrap().contains("- [x] "));

    let missing = get(&fake, "/repos/sourcegraph/sourcegraph/issues/1").await;
    assert_github_error(&missing, 404, "Not Found");
    assert_eq!(
        missing.json()["documentation_url"],
        "https://docs.github.com/rest/issues/issues#get-an-issue"
    );
}

#[tokio::test]
async fn authenticated_user() {
    let fake = GithubFake::start().await.unwrap();
    let resp = get(&fake, "/user").await;
    let user: Author = resp.model();
    assert_eq!(
        (user.login.as_str(), user.r#type.as_str()),
        ("octocat", "User")
    );
    assert_eq!(resp.json()["name"], "The Octocat");
    fake.set_user("alice");
    assert_eq!(get(&fake, "/user").await.model::<Author>().login, "alice");
}

#[tokio::test]
async fn list_issues_filters_and_sorts() {
    let fake = GithubFake::start_demo().await.unwrap();
    let m323 = fake.add_milestone(DEMO_REPO, "3.23");
    let list = |query: String| {
        let fake = &fake;
        async move { get(fake, &format!("/repos/{DEMO_REPO}/issues?{query}")).await }
    };
    let blockers: Vec<Issue> = list(format!("labels=release-blocker&milestone={m323}"))
        .await
        .model();
    assert_eq!(numbers(&blockers), [16215, 16190]);
    let all: Vec<Issue> = list(format!("labels=Release-Blocker&milestone={m323}&state=all"))
        .await
        .model();
    assert_eq!(numbers(&all), [16215, 16190, 16044]);
    let both: Vec<Issue> = list("labels=release-blocker,bug&direction=asc".into())
        .await
        .model();
    assert_eq!(numbers(&both), [16190]);
    let tracking: Vec<Issue> = list("labels=release-tracking&state=closed".into())
        .await
        .model();
    assert_eq!(numbers(&tracking), [15000]);
    let any: Vec<Issue> = list("milestone=*&sort=updated".into()).await.model();
    assert_eq!(numbers(&any), [16108, 16215, 16190, 16120]);
    let unplanned: Vec<Issue> = list("milestone=none".into()).await.model();
    assert_eq!(
        numbers(&unplanned),
        [16209, 16178],
        "the open draft and a blocker"
    );
    assert!(list("assignee=carol".into()).await.text.contains("16190"));

    let by_title = list("milestone=3.23".into()).await;
    assert_github_error(&by_title, 422, "Validation Failed");
    assert_eq!(by_title.json()["errors"][0]["field"], "milestone");
}

#[tokio::test]
async fn list_issues_paginates_with_link_header() {
    let fake = GithubFake::start_demo().await.unwrap();
    let everything: Vec<Issue> = get(&fake, &format!("/repos/{DEMO_REPO}/issues?state=all"))
        .await
        .model();
    assert_eq!(everything.len(), 9);
    let next = regex::Regex::new(r#"<([^>]+)>; rel="next""#).unwrap();
    let mut url = format!("{}/repos/{DEMO_REPO}/issues?state=all&per_page=3", fake.url);
    let (mut seen, mut pages) = (Vec::new(), Vec::new());
    loop {
        let resp = reqwest::get(&url).await.unwrap();
        let link = resp
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().to_string());
        seen.extend(resp.json::<Vec<Issue>>().await.unwrap());
        pages.push(link.clone().unwrap_or_default());
        match link.as_deref().and_then(|l| next.captures(l)) {
            Some(c) => url = c[1].to_string(),
            None => break,
        }
    }
    assert_eq!(numbers(&seen), numbers(&everything));
    let base = format!("{}/repos/{DEMO_REPO}/issues?state=all&per_page=3", fake.url);
    assert_eq!(
        pages[0],
        format!(r#"<{base}&page=2>; rel="next", <{base}&page=3>; rel="last""#)
    );
    assert!(pages[1].contains(r#"rel="prev""#) && pages[1].contains(r#"rel="first""#));
    assert!(pages[2].contains("page=2>; rel=\"prev\"") && !pages[2].contains("next"));
    let beyond = get(
        &fake,
        &format!("/repos/{DEMO_REPO}/issues?state=all&page=9"),
    )
    .await;
    assert_eq!(beyond.json(), json!([]));
}

#[tokio::test]
async fn milestones() {
    let fake = GithubFake::start_demo().await.unwrap();
    let open: Vec<Milestone> = get(&fake, &format!("/repos/{DEMO_REPO}/milestones"))
        .await
        .model();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].open_issues, open[0].closed_issues),
        (Some(4), Some(1))
    );
    let all = get(&fake, &format!("/repos/{DEMO_REPO}/milestones?state=all")).await;
    let all: Vec<Milestone> = all.model();
    let titles: Vec<_> = all
        .iter()
        .map(|m| (m.title.as_str(), m.state.as_deref()))
        .collect();
    assert_eq!(titles, [("3.22", Some("closed")), ("3.23", Some("open"))]);
    assert!(all[0].closed_at.is_some() && all[0].html_url.as_str().ends_with("/milestone/1"));
}

#[tokio::test]
async fn comments() {
    let fake = GithubFake::start_demo().await.unwrap();
    let path = format!("{TRACKING}/comments");
    let existing: Vec<Comment> = get(&fake, &path).await.model();
    assert_eq!(existing.len(), 2);
    assert_eq!(existing[1].user.login, "carol");

    let created = call(
        &fake,
        Method::POST,
        &path,
        Some(json!({ "body": "RC 1 is out" })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let comment: Comment = created.model();
    assert_eq!(comment.body.as_deref(), Some("RC 1 is out"));
    assert_eq!(comment.user.login, "octocat");
    assert!(
        comment
            .html_url
            .as_str()
            .contains("/issues/16108#issuecomment-")
    );
    assert_eq!(created.header("location"), comment.url.as_str());
    assert_eq!(
        fake.comments(DEMO_REPO, DEMO_ISSUE).last().unwrap(),
        "RC 1 is out"
    );
    assert_eq!(get(&fake, TRACKING).await.model::<Issue>().comments, 3);

    let empty = call(&fake, Method::POST, &path, Some(json!({ "body": "" }))).await;
    assert_github_error(&empty, 422, "Validation Failed");
    let missing = call(
        &fake,
        Method::POST,
        "/repos/a/b/issues/1/comments",
        Some(json!({"body": "x"})),
    )
    .await;
    assert_github_error(&missing, 404, "Not Found");
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", fake.url))
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn patch_issue() {
    let fake = GithubFake::start_demo().await.unwrap();
    let before: Issue = get(&fake, TRACKING).await.model();
    let patch = |body: Value| call(&fake, Method::PATCH, TRACKING, Some(body));
    let edited: Issue = patch(json!({ "body": "- [x] done" })).await.model();
    assert_eq!(edited.body.as_deref(), Some("- [x] done"));
    assert!(edited.updated_at > before.updated_at);
    assert_eq!(
        fake.issue_body(DEMO_REPO, DEMO_ISSUE).as_deref(),
        Some("- [x] done")
    );

    let closed: Issue = patch(json!({ "state": "closed", "title": "3.23 done" }))
        .await
        .model();
    assert_eq!(
        (closed.state, closed.title.as_str()),
        (IssueState::Closed, "3.23 done")
    );
    assert_eq!(closed.closed_at, Some(closed.updated_at));
    assert!(closed.closed_by.is_some());
    assert!(closed.updated_at > edited.updated_at);
    let reopened: Issue = patch(json!({ "state": "open" })).await.model();
    assert_eq!(reopened.state_reason, Some(IssueStateReason::Reopened));
    assert!(reopened.closed_at.is_none());

    let too_long = patch(json!({ "body": "x".repeat(65537) })).await;
    assert_github_error(&too_long, 422, "Validation Failed");
    assert_eq!(too_long.json()["errors"][0]["field"], "body");
    assert_github_error(
        &patch(json!({ "state": "merged" })).await,
        422,
        "Validation Failed",
    );
    let missing = call(
        &fake,
        Method::PATCH,
        "/repos/a/b/issues/9",
        Some(json!({"body": "x"})),
    )
    .await;
    assert_github_error(&missing, 404, "Not Found");
}

#[tokio::test]
async fn set_issue_body_simulates_a_concurrent_edit() {
    let fake = GithubFake::start_demo().await.unwrap();
    let before: Issue = get(&fake, TRACKING).await.model();
    fake.set_issue_body(DEMO_REPO, DEMO_ISSUE, "edited elsewhere");
    let after: Issue = get(&fake, TRACKING).await.model();
    assert_eq!(after.body.as_deref(), Some("edited elsewhere"));
    assert!(after.updated_at > before.updated_at);
    assert_eq!(fake.issue_body(DEMO_REPO, 404), None);
}

#[tokio::test]
async fn pull_requests() {
    let fake = GithubFake::start().await.unwrap();
    fake.set_user("release-bot");
    let path = "/repos/o/r/pulls";
    let body = json!({ "title": "Release 3.23", "head": "release/3.23", "base": "main", "body": "Changelog", "draft": true });
    let created = call(&fake, Method::POST, path, Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let pr: PullRequest = created.model();
    assert_eq!(pr.number, 1);
    assert_eq!(
        pr.html_url.unwrap().as_str(),
        "https://github.example/o/r/pull/1"
    );
    assert_eq!(
        (pr.head.ref_field.as_str(), pr.base.ref_field.as_str()),
        ("release/3.23", "main")
    );
    assert_eq!(pr.head.label.as_deref(), Some("o:release/3.23"));
    assert_eq!(pr.head.sha.len(), 40);
    assert_eq!(
        (pr.draft, pr.body.as_deref()),
        (Some(true), Some("Changelog"))
    );
    assert_eq!(pr.user.unwrap().login, "release-bot");
    assert_eq!(fake.pulls("o/r"), std::slice::from_ref(&body));

    let duplicate = call(&fake, Method::POST, path, Some(body)).await;
    assert_github_error(&duplicate, 422, "Validation Failed");
    assert_eq!(
        duplicate.json()["errors"][0]["message"],
        "A pull request already exists for o:release/3.23."
    );
    let missing = call(&fake, Method::POST, path, Some(json!({ "title": "x" }))).await;
    assert_eq!(missing.json()["errors"][0]["code"], "missing_field");
    assert_eq!(fake.pulls("o/r").len(), 3);

    let listed: Vec<PullRequest> = get(&fake, path).await.model();
    assert_eq!(listed.len(), 1);
    let as_issue = get(&fake, "/repos/o/r/issues/1").await;
    assert_eq!(
        as_issue.json()["pull_request"]["html_url"],
        "https://github.example/o/r/pull/1"
    );
    assert_eq!(
        as_issue
            .model::<Issue>()
            .pull_request
            .unwrap()
            .diff_url
            .as_str(),
        "https://github.example/o/r/pull/1.diff"
    );
    let next = fake.add_issue(IssueSeed {
        repo: "o/r".into(),
        title: "after".into(),
        ..IssueSeed::default()
    });
    assert_eq!(next, 2);
}

#[tokio::test]
async fn octocrab_against_the_fake() {
    let fake = GithubFake::start_demo().await.unwrap();
    fake.require_token(Some("t"));
    let crab = octocrab::Octocrab::builder()
        .base_uri(fake.url.as_str())
        .unwrap()
        .personal_token("t")
        .build()
        .unwrap();
    assert_eq!(crab.current().user().await.unwrap().login, "octocat");

    let issues = crab.issues("sourcegraph", "sourcegraph");
    let issue = issues.get(DEMO_ISSUE).await.unwrap();
    assert_eq!(issue.body.as_deref(), Some(DEMO_TRACKING_BODY));
    let updated = issues
        .update(DEMO_ISSUE)
        .body("- [x] all done")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.body.as_deref(), Some("- [x] all done"));
    assert_eq!(
        fake.issue_body(DEMO_REPO, DEMO_ISSUE).as_deref(),
        Some("- [x] all done")
    );

    let labels = vec!["release-blocker".to_string()];
    let milestone = fake.add_milestone(DEMO_REPO, "3.23");
    let page = issues
        .list()
        .labels(&labels)
        .milestone(milestone)
        .per_page(1)
        .send()
        .await
        .unwrap();
    assert_eq!(numbers(&page.items), [16215]);
    assert!(page.next.is_some());
    let second = crab.get_page::<Issue>(&page.next).await.unwrap().unwrap();
    assert_eq!(numbers(&second.items), [16190]);

    let comment = issues.create_comment(DEMO_ISSUE, "Released").await.unwrap();
    assert_eq!(comment.body.as_deref(), Some("Released"));
    let pr = crab
        .pulls("sourcegraph", "sourcegraph")
        .create("Changelog for 3.23", "changelog-3.23", "main")
        .body("Cut changelog")
        .send()
        .await
        .unwrap();
    assert_eq!(pr.number, 16216);
    assert_eq!(fake.pulls(DEMO_REPO)[0]["head"], "changelog-3.23");

    match issues.get(1).await {
        Err(octocrab::Error::GitHub { source, .. }) => {
            assert_eq!(
                (source.status_code.as_u16(), source.message.as_str()),
                (404, "Not Found")
            );
        }
        other => panic!("expected a GitHub error, got {other:?}"),
    }
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.authorized && !r.path.starts_with("/api/v3"))
    );
    let patch = requests.iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.path, TRACKING);
    assert_eq!(
        serde_json::from_str::<Value>(&patch.body).unwrap()["body"],
        "- [x] all done"
    );
    let list = requests
        .iter()
        .find(|r| r.path.ends_with("/issues"))
        .unwrap();
    assert!(
        list.query.contains(&format!("milestone={milestone}"))
            && list.query.contains("labels=release-blocker")
    );
}

#[tokio::test]
async fn faults() {
    let fake = GithubFake::start_demo().await.unwrap();
    fake.fail_next(Fault::status(Some("GET"), "/issues/16108", 404));
    let resp = get(&fake, TRACKING).await;
    assert_eq!(
        resp.text,
        r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/issues/issues#get-an-issue","status":"404"}"#
    );
    assert_eq!(get(&fake, TRACKING).await.status, StatusCode::OK);

    // The method filter: GET passes, PATCH fails.
    fake.fail_next(Fault::status(Some("patch"), "/issues/", 422));
    assert_eq!(get(&fake, TRACKING).await.status, StatusCode::OK);
    let resp = call(&fake, Method::PATCH, TRACKING, Some(json!({ "body": "x" }))).await;
    assert_github_error(&resp, 422, "Validation Failed");
    assert_eq!(
        resp.json()["errors"][0]["message"],
        "body is too long (maximum is 65536 characters)"
    );
    assert_eq!(
        fake.issue_body(DEMO_REPO, DEMO_ISSUE).as_deref(),
        Some(DEMO_TRACKING_BODY)
    );

    fake.fail_next(Fault::rate_limited(None, "", Some(30), 60));
    let resp = get(&fake, "/user").await;
    assert_github_error(&resp, 403, "API rate limit exceeded for user ID 1.");
    assert_eq!(
        (
            resp.header("x-ratelimit-remaining"),
            resp.header("retry-after")
        ),
        ("0", "30")
    );
    assert_eq!(resp.header("x-ratelimit-used"), "5000");
    let reset: i64 = resp.header("x-ratelimit-reset").parse().unwrap();
    assert!((reset - Utc::now().timestamp() - 60).abs() <= 2);

    fake.fail_next(Fault::secondary_rate_limit(None, "/comments", 45));
    let resp = get(&fake, &format!("{TRACKING}/comments")).await;
    assert_eq!(
        (resp.status.as_u16(), resp.header("retry-after")),
        (403, "45")
    );
    assert!(
        resp.json()["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    assert_ne!(resp.header("x-ratelimit-remaining"), "0");

    fake.fail_next(Fault::status(None, "state=all", 502).times(2));
    let all = format!("/repos/{DEMO_REPO}/issues?state=all");
    assert_eq!(get(&fake, &all).await.status, StatusCode::BAD_GATEWAY);
    assert_eq!(get(&fake, &all).await.status, StatusCode::BAD_GATEWAY);
    assert_eq!(get(&fake, &all).await.status, StatusCode::OK);

    fake.fail_next(Fault {
        status: 503,
        body: "<html>unicorn</html>".into(),
        headers: vec![("content-type".into(), "text/html".into())],
        ..Fault::default()
    });
    let resp = get(&fake, "/user").await;
    assert_eq!(
        (resp.text.as_str(), resp.header("content-type")),
        ("<html>unicorn</html>", "text/html")
    );
    assert_eq!(
        fake.requests().len(),
        10,
        "faulted requests are recorded too"
    );
}

#[tokio::test]
async fn delays() {
    let fake = GithubFake::start().await.unwrap();
    fake.fail_next(Fault::delay(None, "/user", Duration::from_millis(300)));
    let start = Instant::now();
    assert_eq!(get(&fake, "/user").await.status, StatusCode::OK);
    assert!(start.elapsed() >= Duration::from_millis(300));

    fake.fail_next(Fault {
        delay: Some(Duration::from_secs(5)),
        ..Fault::status(None, "/user", 500)
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/user", fake.url))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
}

#[tokio::test]
async fn require_token() {
    let fake = GithubFake::start().await.unwrap();
    fake.require_token(Some("s3cret"));
    let user_url = format!("{}/user", fake.url);
    let with = |auth: Option<&'static str>| {
        let mut req = reqwest::Client::new().get(&user_url);
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        async move { req.send().await.unwrap() }
    };
    let denied = with(None).await;
    assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        denied.text().await.unwrap(),
        r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#
    );
    assert_eq!(
        with(Some("Bearer nope")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(with(Some("Bearer s3cret")).await.status(), StatusCode::OK);
    assert_eq!(with(Some("token s3cret")).await.status(), StatusCode::OK);
    fake.require_token(None);
    assert_eq!(with(None).await.status(), StatusCode::OK);
    let authorized: Vec<bool> = fake.requests().iter().map(|r| r.authorized).collect();
    assert_eq!(authorized, [false, true, true, true, false]);
}

#[tokio::test]
async fn empty_fake_seeding_and_unknown_routes() {
    let fake = GithubFake::start().await.unwrap();
    assert_eq!(get(&fake, "/repos/a/b/issues").await.json(), json!([]));
    assert_eq!(get(&fake, "/repos/a/b/milestones").await.json(), json!([]));
    assert_github_error(&get(&fake, "/repos/a/b/issues/1").await, 404, "Not Found");

    let seed = |number, title: &str| IssueSeed {
        repo: "a/b".into(),
        number,
        title: title.into(),
        labels: vec!["team/search".into(), "needs triage".into()],
        milestone: Some("1.0".into()),
        state: "closed".into(),
        created_at: Some(Utc::now() - chrono::Duration::days(3)),
        ..IssueSeed::default()
    };
    assert_eq!(fake.add_issue(seed(None, "first")), 1);
    assert_eq!(fake.add_issue(seed(Some(10), "tenth")), 10);
    assert_eq!(fake.add_issue(seed(None, "next")), 11);
    assert_eq!(fake.add_milestone("a/b", "1.0"), 1);
    assert_eq!(fake.add_milestone("a/b", "2.0"), 2);
    let issue: Issue = get(&fake, "/repos/a/b/issues/10").await.model();
    assert_eq!((issue.state, issue.labels.len()), (IssueState::Closed, 2));
    assert!(
        issue.labels[1]
            .url
            .as_str()
            .ends_with("/labels/needs%20triage")
    );
    assert!(issue.body.is_none() && issue.closed_at.is_some());
    let closed: Vec<Issue> = get(&fake, "/repos/a/b/issues?state=closed&milestone=1")
        .await
        .model();
    assert_eq!(numbers(&closed), [11, 10, 1]);

    let unknown = get(&fake, "/repos/a/b/releases").await;
    assert_eq!(
        unknown.json()["documentation_url"],
        "https://docs.github.com/rest"
    );
    assert_github_error(&unknown, 404, "Not Found");
    assert_github_error(
        &call(&fake, Method::DELETE, "/repos/a/b/issues/1", None).await,
        404,
        "Not Found",
    );
    let root = fake.url.trim_end_matches(API_PREFIX);
    let resp = reqwest::get(format!("{root}/repos/a/b/issues"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(fake.requests().last().unwrap().path, "/repos/a/b/issues");
}

#[tokio::test]
async fn search_issues_evaluates_qualifiers() {
    let fake = GithubFake::start_demo().await.unwrap();
    let search = |q: &str| {
        let path = format!(
            "/search/issues?q={}",
            url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let fake = &fake;
        async move { get(fake, &path).await }
    };
    let found = |resp: Resp| {
        assert_eq!(resp.status, StatusCode::OK, "{}", resp.text);
        let body = resp.json();
        assert_eq!(body["incomplete_results"], false);
        let items: Vec<Issue> = serde_json::from_value(body["items"].clone()).unwrap();
        assert_eq!(body["total_count"], items.len());
        numbers(&items)
    };
    let open_blockers = r#"repo:sourcegraph/sourcegraph is:issue is:open label:"release-blocker""#;
    let resp = search(open_blockers).await;
    let raw = resp.json();
    assert_eq!(raw["items"][0]["score"], 1.0);
    assert_eq!(
        raw["items"][0]["html_url"],
        "https://github.example/sourcegraph/sourcegraph/issues/16215"
    );
    assert_eq!(found(resp), [16215, 16190, 16178], "newest first");
    let q = format!(r#"{open_blockers} milestone:"3.23""#);
    assert_eq!(found(search(&q).await), [16215, 16190]);
    let q = format!("{open_blockers} no:milestone");
    assert_eq!(found(search(&q).await), [16178]);
    let q = format!("{open_blockers} -label:bug");
    assert_eq!(found(search(&q).await), [16215, 16178]);
    let q = "repo:sourcegraph/sourcegraph is:closed label:Release-Blocker";
    assert_eq!(found(search(q).await), [16044]);
    let q = "org:sourcegraph state:open label:release-blocker label:bug,team/campaigns";
    assert_eq!(found(search(q).await), [16215, 16190]);
    assert_eq!(found(search("repo:o/r is:issue").await), Vec::<u64>::new());
    assert_eq!(
        found(search("repo:sourcegraph/sourcegraph zoekt crashloops").await),
        [16190]
    );
    assert_eq!(
        found(search("repo:sourcegraph/sourcegraph is:pr").await),
        [16209, 16201]
    );
    assert_eq!(
        found(search("repo:sourcegraph/sourcegraph is:pr is:open is:draft").await),
        [16209]
    );
    assert_eq!(
        found(search("repo:sourcegraph/sourcegraph is:pr is:merged").await),
        [16201]
    );

    // Pages: Link headers as for lists.
    let path = format!(
        "/search/issues?per_page=1&q={}",
        url::form_urlencoded::byte_serialize(open_blockers.as_bytes()).collect::<String>()
    );
    let page = get(&fake, &path).await;
    assert_eq!(page.json()["total_count"], 3);
    assert_eq!(page.json()["items"].as_array().unwrap().len(), 1);
    assert!(page.header("link").contains("rel=\"next\""));

    // What the simulation does not understand is refused, not ignored.
    let refused = search("repo:sourcegraph/sourcegraph linked:pr").await;
    assert_github_error(&refused, 422, "Validation Failed");
    let error = &refused.json()["errors"][0];
    assert_eq!(
        (&error["resource"], &error["field"], &error["code"]),
        (&json!("Search"), &json!("q"), &json!("invalid"))
    );
    assert!(error["message"].as_str().unwrap().contains("linked:pr"));
    let missing = get(&fake, "/search/issues").await;
    assert_github_error(&missing, 422, "Validation Failed");
    assert_eq!(missing.json()["errors"][0]["code"], "missing");

    // octocrab's own search reads the answer.
    let crab = octocrab::Octocrab::builder()
        .base_uri(fake.url.as_str())
        .unwrap()
        .build()
        .unwrap();
    let page = crab
        .search()
        .issues_and_pull_requests(open_blockers)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_count, Some(3));
    assert_eq!(numbers(&page.items), [16215, 16190, 16178]);
}

#[tokio::test]
async fn pulls_commit_statuses_and_check_runs() {
    use octocrab::models::checks::ListCheckRuns;
    use octocrab::models::{CombinedStatus, StatusState};
    let fake = GithubFake::start_demo().await.unwrap();
    let repo = format!("/repos/{DEMO_REPO}");

    // The demo's merged pull request and its open draft.
    let resp = get(&fake, &format!("{repo}/pulls/16201")).await;
    assert_eq!(resp.json()["merged"], true);
    assert_eq!(resp.json()["merged_by"]["login"], "carol");
    let merged: PullRequest = resp.model();
    assert_eq!(merged.state, Some(IssueState::Closed));
    assert!(merged.merged_at.is_some() && merged.merge_commit_sha.is_some());
    assert_eq!(merged.head.ref_field, "zoekt-merge-memory");
    let draft: PullRequest = get(&fake, &format!("{repo}/pulls/16209")).await.model();
    assert_eq!(
        (draft.state, draft.draft, draft.merged_at),
        (Some(IssueState::Open), Some(true), None)
    );
    let as_issue = get(&fake, &format!("{repo}/issues/16201")).await.json();
    assert!(as_issue["pull_request"]["merged_at"].is_string());
    assert_eq!(as_issue["state"], "closed");
    assert_github_error(
        &get(&fake, &format!("{repo}/pulls/16190")).await,
        404,
        "Not Found",
    );

    // The draft's head: failing checks. By SHA, by branch, by heads/branch.
    let head = &draft.head.sha;
    let status: CombinedStatus = get(&fake, &format!("{repo}/commits/{head}/status"))
        .await
        .model();
    assert_eq!(
        (status.state, status.total_count),
        (StatusState::Failure, 1)
    );
    assert_eq!(
        status.statuses[0].context.as_deref(),
        Some("buildkite/sourcegraph")
    );
    let raw = get(
        &fake,
        &format!("{repo}/commits/campaigns-rate-limit-backoff/status"),
    )
    .await
    .json();
    assert_eq!(raw["sha"], head.as_str());
    assert_eq!(raw["repository"]["full_name"], DEMO_REPO);
    assert_eq!(
        raw["statuses"][0]["target_url"],
        "https://buildkite.example/sourcegraph/sourcegraph/builds/84190"
    );
    let runs: ListCheckRuns = get(&fake, &format!("{repo}/commits/{head}/check-runs"))
        .await
        .model();
    assert_eq!(runs.total_count, 2);
    let conclusions: Vec<Option<&str>> = runs
        .check_runs
        .iter()
        .map(|r| r.conclusion.as_deref())
        .collect();
    assert_eq!(conclusions, [Some("failure"), Some("success")]);
    let raw = get(
        &fake,
        &format!("{repo}/commits/heads/campaigns-rate-limit-backoff/check-runs"),
    )
    .await
    .json();
    assert_eq!(raw["check_runs"][0]["status"], "completed");
    assert_eq!(raw["check_runs"][0]["app"]["slug"], "github-actions");
    assert_eq!(raw["check_runs"][0]["head_sha"], head.as_str());

    // The release branch is still building.
    let status: CombinedStatus = get(&fake, &format!("{repo}/commits/3.23/status"))
        .await
        .model();
    assert_eq!(status.state, StatusState::Pending);
    let raw = get(&fake, &format!("{repo}/commits/3.23/check-runs"))
        .await
        .json();
    assert_eq!(raw["check_runs"][0]["status"], "in_progress");
    assert_eq!(raw["check_runs"][0]["conclusion"], Value::Null);
    assert_eq!(raw["check_runs"][0]["completed_at"], Value::Null);

    // A commit nothing reported on: pending with no statuses, no check runs.
    let base = &merged.base.sha;
    let quiet = get(&fake, &format!("{repo}/commits/{base}/status"))
        .await
        .json();
    assert_eq!(
        (&quiet["state"], &quiet["total_count"]),
        (&json!("pending"), &json!(0))
    );
    let none = get(&fake, &format!("{repo}/commits/main/check-runs"))
        .await
        .json();
    assert_eq!(none, json!({ "total_count": 0, "check_runs": [] }));

    // A ref that names nothing: GitHub's 422.
    let missing = get(&fake, &format!("{repo}/commits/nope/status")).await;
    assert_github_error(&missing, 422, "No commit found for SHA: nope");
    assert_github_error(
        &get(&fake, &format!("{repo}/commits/nope/check-runs")).await,
        422,
        "No commit found for SHA: nope",
    );
}

#[tokio::test]
async fn seeding_pulls_refs_and_ci() {
    let fake = GithubFake::start().await.unwrap();
    let n = fake.add_pull(PullSeed {
        repo: "o/r".into(),
        title: "Release 1.2".into(),
        head: "release/1.2".into(),
        head_sha: Some("a".repeat(40)),
        state: "merged".into(),
        ..PullSeed::default()
    });
    assert_eq!(n, 1);
    let pr: PullRequest = get(&fake, "/repos/o/r/pulls/1").await.model();
    assert_eq!(pr.head.sha, "a".repeat(40));
    assert!(pr.merged_at.is_some());
    fake.add_status(
        "o/r",
        "release/1.2",
        StatusSeed {
            context: "ci".into(),
            state: "pending".into(),
            ..StatusSeed::default()
        },
    );
    // A later status of the same context replaces it.
    let sha = fake.add_status(
        "o/r",
        &"a".repeat(40),
        StatusSeed {
            context: "ci".into(),
            state: "success".into(),
            ..StatusSeed::default()
        },
    );
    assert_eq!(sha, "a".repeat(40));
    let encoded = get(&fake, "/repos/o/r/commits/release%2F1.2/status")
        .await
        .json();
    assert_eq!(
        (&encoded["state"], &encoded["total_count"]),
        (&json!("success"), &json!(1))
    );

    let tag = fake.add_tag("o/r", "v1.2.0", None);
    fake.add_check_run(
        "o/r",
        "v1.2.0",
        CheckSeed {
            name: "build".into(),
            status: "completed".into(),
            conclusion: Some("timed_out".into()),
            app: "buildkite".into(),
        },
    );
    let runs = get(&fake, "/repos/o/r/commits/tags/v1.2.0/check-runs")
        .await
        .json();
    assert_eq!(runs["check_runs"][0]["head_sha"], tag.as_str());
    assert_eq!(runs["check_runs"][0]["app"]["name"], "Buildkite");
    let branch = fake.add_branch("o/r", "1.2", None);
    assert_eq!(
        get(&fake, "/repos/o/r/commits/1.2/status").await.json()["sha"],
        branch.as_str()
    );
    // Search sees the pull request.
    let found = get(&fake, "/search/issues?q=repo%3Ao%2Fr+is%3Apr+is%3Amerged")
        .await
        .json();
    assert_eq!(found["total_count"], 1);
}
