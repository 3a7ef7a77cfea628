//! Finding what steps point at, and combining CI states.

use super::*;
use crate::release::tasklist::Checklist;

fn scope() -> Scope {
    Scope::new(
        "Sourcegraph/Sourcegraph",
        "https://ghe.example.com/api/v3",
        Some("https://github.example/sourcegraph/sourcegraph/issues/16108"),
    )
}

/// The targets of the only step in `item` (one `- [ ] …` line).
fn of(item: &str) -> Found {
    let checklist = Checklist::parse(item);
    let step = checklist.steps.first().expect("a step");
    targets(step, &scope())
}

fn pull(repo: &str, number: u64) -> Target {
    Target::Pull {
        repo: repo.into(),
        number,
    }
}

fn issue(repo: &str, number: u64) -> Target {
    Target::Issue {
        repo: repo.into(),
        number,
    }
}

fn reference(repo: &str, name: &str) -> Target {
    Target::Ref {
        repo: repo.into(),
        name: name.into(),
    }
}

const SG: &str = "sourcegraph/sourcegraph";

#[test]
fn the_fixed_patterns_compile() {
    assert!(BARE_URL.is_some() && SHORTHAND.is_some() && RELEASE_REF.is_some());
}

#[test]
fn web_hosts_come_from_the_api_url_and_the_issues_page() {
    assert_eq!(
        web_base("https://api.github.com").as_deref(),
        Some("https://github.com")
    );
    assert_eq!(
        web_base("https://ghe.example.com/api/v3/").as_deref(),
        Some("https://ghe.example.com")
    );
    assert_eq!(
        web_base("http://127.0.0.1:9/github/api/v3").as_deref(),
        Some("http://127.0.0.1:9/github")
    );
    assert_eq!(web_base("https://example.com/gh"), None);
    assert_eq!(
        web_base_of("https://github.example/o/r/issues/1", "O/R").as_deref(),
        Some("https://github.example")
    );
    assert_eq!(web_base_of("/o/r/issues/1", "o/r"), None);
    let s = scope();
    assert_eq!(s.repo, SG);
    assert_eq!(s.web, ["https://github.example", "https://ghe.example.com"]);
    let one = Scope::new(
        "o/r",
        "https://api.github.com",
        Some("https://github.com/o/r/issues/1"),
    );
    assert_eq!(one.web, ["https://github.com"], "no duplicate host");
}

#[test]
fn pull_and_issue_urls_on_known_hosts() {
    let found = of(
        "- [ ] Merge [the fix](https://ghe.example.com/sourcegraph/sourcegraph/pull/16201/files) \
         and <https://github.example/sourcegraph/sourcegraph/issues/16190#issuecomment-1>; \
         see https://github.example/other/repo/pull/7. Not https://gitlab.com/a/b/pull/1 \
         nor https://github.com/a/b/pull/2 (another host)\n",
    );
    assert_eq!(
        found.targets,
        [pull(SG, 16201), issue(SG, 16190), pull("other/repo", 7)]
    );
    assert_eq!(found.more, 0);
}

#[test]
fn shorthands_but_not_channels_words_or_code() {
    let found = of(
        "- [ ] Triage #16190, Sourcegraph/Zoekt#12 and (#16215) in #dev-announce; \
         not a#1, not `#99`, not &#35; not #7x\n",
    );
    assert_eq!(
        found.targets,
        [
            issue(SG, 16190),
            issue("sourcegraph/zoekt", 12),
            issue(SG, 16215)
        ]
    );
}

#[test]
fn release_branches_and_tags_in_code_and_links() {
    let found = of(
        "- [ ] Wait for CI on `3.23`, tag `v3.23.0-rc.1` and `3.23.0`; \
         not `yarn release` nor `1`; \
         [branch](https://github.example/sourcegraph/sourcegraph/tree/release/3.23) \
         [tag](https://github.example/sourcegraph/sourcegraph/releases/tag/v3.22.4) \
         [commit](https://github.example/sourcegraph/sourcegraph/commit/abc123)\n",
    );
    assert_eq!(
        found.targets,
        [
            reference(SG, "release/3.23"),
            reference(SG, "v3.22.4"),
            reference(SG, "abc123"),
            reference(SG, "3.23"),
            reference(SG, "v3.23.0-rc.1"),
            reference(SG, "3.23.0"),
        ]
    );
}

#[test]
fn duplicates_are_dropped_and_the_rest_over_the_cap_counted() {
    // A pull request linked and named by number is one reference.
    let found = of(
        "- [ ] [#16201](https://github.example/sourcegraph/sourcegraph/pull/16201) #16201 \
         https://github.example/sourcegraph/sourcegraph/pull/16201 `3.23` `3.23`\n",
    );
    assert_eq!(found.targets, [pull(SG, 16201), reference(SG, "3.23")]);

    let many: Vec<String> = (1..=11).map(|n| format!("#{n}")).collect();
    let found = of(&format!("- [ ] {}\n", many.join(" ")));
    assert_eq!(found.targets.len(), MAX_PER_STEP);
    assert_eq!(found.targets[0], issue(SG, 1));
    assert_eq!(found.more, 3);
}

#[test]
fn escapes_in_ref_links_are_decoded() {
    assert_eq!(decode("release%2F3.23"), "release/3.23");
    assert_eq!(decode("v1.0+build%"), "v1.0+build%");
    let found =
        of("- [ ] [b](https://github.example/sourcegraph/sourcegraph/tree/release%2F3.23)\n");
    assert_eq!(found.targets, [reference(SG, "release/3.23")]);
}

#[test]
fn labels_name_other_repositories() {
    assert_eq!(issue(SG, 5).label("Sourcegraph/Sourcegraph"), "#5");
    assert_eq!(pull("o/r", 5).label(SG), "o/r#5");
    assert_eq!(reference(SG, "3.23").label(SG), "3.23");
    assert_eq!(reference("o/r", "v1").label(SG), "o/r@v1");
}

#[test]
fn ci_states_combine() {
    let none: [&str; 0] = [];
    let no_runs: [(&str, Option<&str>); 0] = [];
    assert_eq!(Checks::combine(none, no_runs), Checks::None);
    assert_eq!(Checks::combine(["success"], no_runs), Checks::Success);
    assert_eq!(
        Checks::combine(["success"], [("completed", Some("neutral"))]),
        Checks::Success
    );
    assert_eq!(
        Checks::combine(["success", "pending"], [("completed", Some("success"))]),
        Checks::Pending
    );
    assert_eq!(
        Checks::combine(none, [("queued", None), ("completed", Some("skipped"))]),
        Checks::Pending
    );
    assert_eq!(
        Checks::combine(["pending"], [("completed", Some("timed_out"))]),
        Checks::Failure,
        "a failure wins over pending"
    );
    for bad in ["failure", "cancelled", "action_required", "startup_failure"] {
        assert_eq!(
            Checks::combine(none, [("completed", Some(bad))]),
            Checks::Failure,
            "{bad}"
        );
    }
    assert_eq!(Checks::combine(["error"], no_runs), Checks::Failure);
}

#[test]
fn state_strings() {
    let mut s = LinkState::unknown(pull(SG, 1), SG, "u".into(), "GitHub: 404".into());
    assert_eq!((s.name.as_str(), s.state_str()), ("#1", "unknown"));
    let other = LinkState::unknown(pull("o/r", 1), SG, "u".into(), "x".into());
    assert_eq!(other.name, "o/r#1");
    s.state = Some(ItemState::Merged);
    assert_eq!(s.state_str(), "merged");
    let mut r = LinkState::unknown(reference(SG, "3.23"), SG, "u".into(), "x".into());
    assert_eq!((r.kind.as_str(), r.state_str()), ("ref", "unknown"));
    r.checks = Some(Checks::Pending);
    assert_eq!(r.state_str(), "pending");
}
