//! Blockers and link states fetched from the GitHub-shaped test server.

use std::path::Path;

use crate::config::Config;
use crate::demo::github::{Fault, GithubFake, IssueSeed};
use crate::release::backend::Backend;

const REPO: &str = "o/r";

fn backend(fake: &GithubFake, release: &str) -> Backend {
    let text = format!(
        "[github]\napi_url = \"{}\"\ntoken_env = \"OPSDECK_TEST_TOKEN_UNSET\"\n\n\
         [release]\nrepo = \"{REPO}\"\n{release}\n",
        fake.url
    );
    let config = Config::parse(&text, Path::new("t.toml")).expect("config");
    Backend::from_config(&config)
        .expect("backend")
        .expect("configured")
}

fn issue(fake: &GithubFake, title: &str, labels: &[&str], milestone: Option<&str>) -> u64 {
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        title: title.into(),
        body: "- [ ] Tag the release\n".into(),
        labels: labels.iter().map(|l| l.to_string()).collect(),
        milestone: milestone.map(str::to_string),
        ..IssueSeed::default()
    })
}

/// A tracking issue in 3.23, a blocker in 3.23, one in no milestone, one in
/// 3.22, a closed one and a bug; returns the tracking issue's number.
fn seeded(fake: &GithubFake) -> u64 {
    let tracking = issue(fake, "3.23 release", &["release-tracking"], Some("3.23"));
    issue(fake, "in 3.23", &["release-blocker"], Some("3.23"));
    issue(fake, "no milestone", &["release-blocker", "bug"], None);
    issue(fake, "in 3.22", &["release-blocker"], Some("3.22"));
    fake.add_issue(IssueSeed {
        repo: REPO.into(),
        title: "closed".into(),
        labels: vec!["release-blocker".into()],
        state: "closed".into(),
        ..IssueSeed::default()
    });
    issue(fake, "a bug", &["bug"], Some("3.23"));
    tracking
}

/// The `q` of every search the fake received.
fn searches(fake: &GithubFake) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.path == "/search/issues")
        .filter_map(|r| {
            url::form_urlencoded::parse(r.query.as_bytes())
                .find(|(k, _)| k == "q")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn the_default_query_counts_blockers_without_a_milestone() {
    let fake = GithubFake::start().await.expect("fake");
    let tracking = seeded(&fake);
    let doc = backend(&fake, &format!("issue = {tracking}"))
        .load()
        .await
        .expect("load");
    assert_eq!(
        doc.blockers,
        Some(3),
        "3.23, none and 3.22; not the closed one"
    );
    let issues = doc.blocker_issues.as_ref().expect("listed");
    let titles: Vec<&str> = issues.iter().map(|b| b.title.as_str()).collect();
    assert_eq!(
        titles,
        ["in 3.22", "no milestone", "in 3.23"],
        "newest first"
    );
    let unplanned = &issues[1];
    assert_eq!(unplanned.repo, REPO);
    assert_eq!(unplanned.labels, ["release-blocker", "bug"]);
    assert_eq!(
        unplanned.url,
        format!("https://github.example/o/r/issues/{}", unplanned.number)
    );
    let sent = r#"repo:o/r is:issue is:open label:"release-blocker""#;
    assert_eq!(searches(&fake), [sent]);
    assert_eq!(doc.blocker_query.as_deref(), Some(sent));
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
    assert!(!doc.read_back);
}

#[tokio::test]
async fn a_milestone_query_uses_the_issues_milestone_or_the_configured_one() {
    let fake = GithubFake::start().await.expect("fake");
    let tracking = seeded(&fake);
    let query = r#"blocker_query = 'repo:{repo} is:issue is:open label:"{blocker_label}" milestone:"{milestone}"'"#;
    let doc = backend(&fake, &format!("issue = {tracking}\n{query}"))
        .load()
        .await
        .expect("load");
    assert_eq!(doc.blockers, Some(1));
    assert_eq!(
        doc.blocker_issues.as_ref().map(|b| b[0].title.as_str()),
        Some("in 3.23")
    );
    assert_eq!(
        searches(&fake),
        [r#"repo:o/r is:issue is:open label:"release-blocker" milestone:"3.23""#]
    );

    // The tracking issue has no milestone: [release] milestone fills it in.
    let bare = issue(&fake, "3.22 release", &["release-tracking"], None);
    let doc = backend(
        &fake,
        &format!("issue = {bare}\nmilestone = \"3.22\"\n{query}"),
    )
    .load()
    .await
    .expect("load");
    assert_eq!(doc.blockers, Some(1));
    assert_eq!(
        doc.blocker_issues.as_ref().map(|b| b[0].title.as_str()),
        Some("in 3.22")
    );

    // Neither: the count is unknown and says why; nothing is searched.
    let before = searches(&fake).len();
    let doc = backend(&fake, &format!("issue = {bare}\n{query}"))
        .load()
        .await
        .expect("the checklist still loads");
    assert_eq!((doc.blockers, doc.blocker_issues.as_ref()), (None, None));
    assert_eq!(doc.checklist.steps.len(), 1);
    assert_eq!(
        doc.warnings,
        [
            "blockers unknown: the blocker query uses {milestone}, but the tracking issue has no milestone and [release] milestone is not set"
        ]
    );
    assert_eq!(searches(&fake).len(), before);
}

#[tokio::test]
async fn a_failed_search_leaves_the_count_unknown_and_the_checklist_loaded() {
    let fake = GithubFake::start().await.expect("fake");
    let tracking = seeded(&fake);
    let loader = backend(&fake, &format!("issue = {tracking}"));
    fake.fail_next(Fault::status(Some("GET"), "/search/issues", 502));
    let doc = loader.load().await.expect("the checklist loads");
    assert_eq!(doc.title, "3.23 release");
    assert_eq!(doc.checklist.progress(), (0, 1));
    assert_eq!((doc.blockers, doc.blocker_issues.as_ref()), (None, None));
    assert_eq!(doc.warnings.len(), 1);
    let w = &doc.warnings[0];
    assert!(
        w.starts_with("blockers unknown: GitHub: searching issues (repo:o/r")
            && w.contains("server error 502"),
        "{w}"
    );

    // The next load counts again.
    let doc = loader.load().await.expect("load");
    assert_eq!(doc.blockers, Some(3));
    assert!(doc.warnings.is_empty());

    // A query GitHub refuses (here: a qualifier the simulation does not know).
    let refused = backend(
        &fake,
        &format!("issue = {tracking}\nblocker_query = 'repo:{{repo}} linked:pr'"),
    )
    .load()
    .await
    .expect("load");
    assert_eq!(refused.blockers, None);
    let w = &refused.warnings[0];
    assert!(
        w.contains("422 Validation Failed") && w.contains("linked:pr"),
        "{w}"
    );
}

#[tokio::test]
async fn a_ticks_read_back_keeps_the_last_blockers() {
    let fake = GithubFake::start().await.expect("fake");
    let tracking = seeded(&fake);
    let backend = backend(&fake, &format!("issue = {tracking}"));
    let loaded = backend.load().await.expect("load");
    let searched = searches(&fake).len();
    let mut back = backend
        .set_step(Some(tracking), "top/tag-the-release", true)
        .await
        .expect("tick")
        .doc;
    assert_eq!(
        searches(&fake).len(),
        searched,
        "a read-back does not search"
    );
    assert!(back.read_back);
    assert_eq!(back.blockers, None);
    back.keep_unfetched(Some(&loaded));
    assert_eq!(back.blockers, Some(3));
    assert_eq!(back.blocker_issues, loaded.blocker_issues);
    assert_eq!(back.checklist.progress(), (1, 1), "the new body is kept");

    // A full load keeps its own answer, even an unknown one.
    let mut fresh = loaded.clone();
    fresh.blockers = None;
    fresh.warnings = vec!["blockers unknown: …".into()];
    fresh.keep_unfetched(Some(&loaded));
    assert_eq!(fresh.blockers, None);
}

mod links {
    use super::*;
    use crate::demo::github::{CheckSeed, PullSeed, StatusSeed};
    use crate::release::links::{Checks, ItemState, LinkKind, LinkState};

    const BODY: &str = "## Stage\n\
- [x] Merge https://github.example/o/r/pull/1\n\
- [ ] Review the back-off in #2 (and [again](https://github.example/o/r/pull/2))\n\
- [ ] Wait for CI on `1.2` to pass\n\
- [ ] Fix #3, o/r#3 and #404; #4 is closed\n\
- [ ] Announce in #dev-announce\n";

    fn check(name: &str, status: &str, conclusion: Option<&str>) -> CheckSeed {
        CheckSeed {
            name: name.into(),
            status: status.into(),
            conclusion: conclusion.map(str::to_string),
            app: String::new(),
        }
    }

    fn status(state: &str) -> StatusSeed {
        StatusSeed {
            context: "buildkite/o".into(),
            state: state.into(),
            ..StatusSeed::default()
        }
    }

    /// A merged PR with green checks, an open draft with a failing check,
    /// a release branch still building, an open and a closed issue, and the
    /// tracking issue (#10) whose steps link them.
    fn seeded(fake: &GithubFake) -> u64 {
        for (number, head, state, draft) in
            [(1, "fix", "merged", false), (2, "backoff", "open", true)]
        {
            fake.add_pull(PullSeed {
                repo: REPO.into(),
                number: Some(number),
                title: format!("PR {number}"),
                head: head.into(),
                state: state.into(),
                draft,
                ..PullSeed::default()
            });
        }
        fake.add_check_run(REPO, "fix", check("test", "completed", Some("success")));
        fake.add_status(REPO, "fix", status("success"));
        fake.add_check_run(REPO, "backoff", check("test", "completed", Some("failure")));
        fake.add_check_run(REPO, "backoff", check("lint", "completed", Some("success")));
        fake.add_status(REPO, "1.2", status("pending"));
        fake.add_check_run(REPO, "1.2", check("test", "queued", None));
        for (number, state) in [(3, "open"), (4, "closed")] {
            fake.add_issue(IssueSeed {
                repo: REPO.into(),
                number: Some(number),
                title: format!("issue {number}"),
                state: state.into(),
                ..IssueSeed::default()
            });
        }
        fake.add_issue(IssueSeed {
            repo: REPO.into(),
            number: Some(10),
            title: "1.2 release".into(),
            body: BODY.into(),
            ..IssueSeed::default()
        })
    }

    fn summary(
        states: &[LinkState],
    ) -> Vec<(String, &'static str, &'static str, Option<&'static str>)> {
        states
            .iter()
            .map(|s| {
                (
                    s.target.label(REPO),
                    s.kind.as_str(),
                    s.state_str(),
                    s.checks.map(Checks::as_str),
                )
            })
            .collect()
    }

    fn gets(fake: &GithubFake, path: &str) -> usize {
        fake.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    }

    #[tokio::test]
    async fn pulls_issues_and_refs_with_their_states() {
        let fake = GithubFake::start().await.expect("fake");
        let tracking = seeded(&fake);
        let doc = backend(&fake, &format!("issue = {tracking}"))
            .load()
            .await
            .expect("load");
        let of = |id: &str| {
            doc.links
                .get(id)
                .unwrap_or_else(|| panic!("no links for {id}: {:?}", doc.links.keys()))
        };
        let merged = &of("stage/merge-https-github-example-o-r-pull").states;
        assert_eq!(
            summary(merged),
            [("#1".into(), "pull", "merged", Some("success"))]
        );
        assert_eq!(merged[0].title.as_deref(), Some("PR 1"));
        assert_eq!(merged[0].url, "https://github.example/o/r/pull/1");
        assert_eq!(merged[0].state, Some(ItemState::Merged));

        // `#2` is an issue link GitHub says is a pull request: an open draft
        // whose head has a failing check.
        let draft = of("stage/review-the-back-off-in-and-again");
        assert_eq!(
            summary(&draft.states),
            [("#2".into(), "pull", "draft", Some("failure"))]
        );
        let ci = &of("stage/wait-for-ci-on-to-pass").states;
        assert_eq!(
            summary(ci),
            [("1.2".into(), "ref", "pending", Some("pending"))]
        );
        assert_eq!(ci[0].url, "https://github.example/o/r/tree/1.2");

        // A 404 is unknown with its error; the others still show.
        let issues = &of("stage/fix-o-r-and-is-closed").states;
        assert_eq!(
            summary(issues),
            [
                ("#3".into(), "issue", "open", None),
                ("#404".into(), "issue", "unknown", None),
                ("#4".into(), "issue", "closed", None),
            ]
        );
        let missing = issues[1].error.as_deref().unwrap_or_default();
        assert!(missing.contains("o/r#404: 404"), "{missing}");
        assert_eq!(issues[1].kind, LinkKind::Issue);
        assert!(
            !doc.links.contains_key("stage/announce-in-dev-announce"),
            "a channel name is not a reference"
        );

        // Each reference is fetched once, however many steps name it.
        assert_eq!(gets(&fake, "/repos/o/r/pulls/2"), 1);
        assert_eq!(gets(&fake, "/repos/o/r/issues/3"), 1);
        assert_eq!(gets(&fake, "/repos/o/r/commits/1.2/status"), 1);
    }

    #[tokio::test]
    async fn one_failing_link_never_hides_the_others_or_fails_the_load() {
        let fake = GithubFake::start().await.expect("fake");
        let tracking = seeded(&fake);
        let loader = backend(&fake, &format!("issue = {tracking}"));
        fake.fail_next(Fault::status(Some("GET"), "/commits/1.2/check-runs", 502));
        fake.fail_next(Fault::status(Some("GET"), "/pulls/1", 500));
        let doc = loader.load().await.expect("the checklist loads");
        let ci = &doc.links["stage/wait-for-ci-on-to-pass"].states[0];
        assert_eq!((ci.state_str(), ci.checks), ("unknown", None));
        assert!(
            ci.error
                .as_deref()
                .is_some_and(|e| e.contains("CI of o/r@1.2") && e.contains("502")),
            "{ci:?}"
        );
        let merged = &doc.links["stage/merge-https-github-example-o-r-pull"].states[0];
        assert_eq!(
            (merged.kind, merged.state_str()),
            (LinkKind::Pull, "unknown")
        );
        assert_eq!(merged.url, "https://github.example/o/r/pull/1");
        let draft = &doc.links["stage/review-the-back-off-in-and-again"].states[0];
        assert_eq!(draft.state_str(), "draft", "the others still show");
        assert!(doc.warnings.is_empty(), "link errors stay on their links");

        // A tick's read-back keeps the last link states without fetching.
        let before = fake.requests().len();
        let mut back = loader
            .set_step(Some(tracking), "stage/announce-in-dev-announce", true)
            .await
            .expect("tick")
            .doc;
        let fetched = fake.requests()[before..]
            .iter()
            .filter(|r| r.path.contains("/pulls/") || r.path.contains("/commits/"))
            .count();
        assert_eq!(fetched, 0);
        assert!(back.links.is_empty());
        back.keep_unfetched(Some(&doc));
        assert_eq!(back.links, doc.links);
    }
}
