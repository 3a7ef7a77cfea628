//! Tests of the step ids: short, unique, stable across date, version and
//! punctuation edits; old ids (older scheme, or from before an edit) still
//! answered with where their step is; nested steps' progress.

use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

/// A 3.23 tracking issue in the shape of Sourcegraph's 2020 release template:
/// dated headings, versions in steps, trailing punctuation.
const SOURCEGRAPH: &str = r#"# 3.23 Release (December 18, 2020)

This release is scheduled for **December 18, 2020**. Run every `yarn release` command from `dev/release`.

## Setup

- [ ] Ensure release configuration in `dev/release/release-config.jsonc` on `main` is up to date with the parameters for the current release.
- [ ] Ensure you have the latest version of the release tooling and configuration by checking out and updating `sourcegraph@main`.

## December 11, 2020 (5 work days before release): Prep for branch cut

- [ ] Post a release status update to Slack - review all release-blocking issues.
  ```sh
  yarn release release:status
  ```

## Cut release branch (3 working days before release, December 15, 2020)

- [ ] Update the changelog and merge the generated pull request: `yarn release changelog:cut`
- [ ] Create the `3.23` branch off the CHANGELOG commit
- [ ] Tag the first release candidate: `N=1 yarn release release:create-candidate $N`
- [ ] Ensure the Buildkite pipelines pass for the `v3.23.0-rc.1` tag:
  - [ ] Sourcegraph pipeline
  - [x] QA pipeline
  - [ ] E2E pipeline
- [ ] File any failures and regressions in the pipelines as `release-blocker` issues.

## Release day (Friday, December 18, 2020)

- [ ] Tag the final release: `yarn release release:create-candidate final`
- [ ] Ensure that the Sourcegraph pipeline passes for the `v3.23.0` tag.
- [ ] Open pull requests that publish the new release: `yarn release release:stage`
- [ ] Finalize and publish the release blog post.

## Post-release (Mon, Dec 21)

- [ ] Close the 3.23 milestone.
- [ ] Open the tracking issue for 3.24: `yarn release tracking:issues`
"#;

const SOURCEGRAPH_IDS: [&str; 17] = [
    "setup/ensure-release-configuration-dev-release",
    "setup/ensure-you-have-latest-version-release",
    "prep-branch-cut/post-release-status-update-slack",
    "cut-release-branch/update-changelog-merge",
    "cut-release-branch/create-branch-off-changelog",
    "cut-release-branch/tag-first-release-candidate-n",
    "cut-release-branch/ensure-buildkite-pipelines",
    "cut-release-branch/sourcegraph-pipeline",
    "cut-release-branch/qa-pipeline",
    "cut-release-branch/e2e-pipeline",
    "cut-release-branch/file-any-failures-regressions",
    "release-day/tag-final-release-yarn-release",
    "release-day/ensure-sourcegraph-pipeline-passes",
    "release-day/open-pull-requests-publish-new",
    "release-day/finalize-publish-release-blog-post",
    "post-release/close-the-milestone",
    "post-release/open-tracking-issue-yarn-release",
];

fn ids(body: &str) -> Vec<String> {
    Checklist::parse(body)
        .steps
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// The 3.24 release's issue, every date moved: the same ids.
fn next_release(body: &str) -> String {
    body.replace("3.23", "3.24")
        .replace("3.24: `yarn", "3.25: `yarn")
        .replace("December 11, 2020", "January 11, 2021")
        .replace("December 15, 2020", "January 14, 2021")
        .replace("Friday, December 18, 2020", "Monday, January 18, 2021")
        .replace("December 18, 2020", "January 18, 2021")
        .replace("5 work days", "4 work days")
        .replace("3 working days", "2 working days")
        .replace("Mon, Dec 21", "Tue, Jan 19")
}

#[test]
fn sourcegraph_ids_are_short_and_read_like_the_step() {
    assert_eq!(ids(SOURCEGRAPH), SOURCEGRAPH_IDS);
    let list = Checklist::parse(SOURCEGRAPH);
    let sections: Vec<_> = list.sections.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(
        sections,
        [
            "release",
            "setup",
            "prep-branch-cut",
            "cut-release-branch",
            "release-day",
            "post-release"
        ]
    );
    assert!(list.steps.iter().all(|s| s.id.len() <= MAX_ID_LEN));
}

#[test]
fn dates_and_versions_do_not_change_ids() {
    let next = next_release(SOURCEGRAPH);
    assert_ne!(next, SOURCEGRAPH);
    assert!(
        next.contains("## Release day (Monday, January 18, 2021)"),
        "{next}"
    );
    assert_eq!(ids(&next), SOURCEGRAPH_IDS);
    // Every date shape in a heading.
    for date in [
        "December 15, 2020",
        "Dec 15",
        "15 December 2020",
        "2020-12-15",
        "15.12.2020",
        "12/15/2020",
        "Tuesday, December 15th",
        "Tue, Dec 15",
        "",
    ] {
        let body = format!("## Cut release branch ({date})\n- [ ] Tag `v3.23.0-rc.1`\n");
        assert_eq!(ids(&body), ["cut-release-branch/tag"], "{date:?}");
        let body = format!("## {date}: Cut release branch\n- [ ] Tag 3.23.x\n");
        assert_eq!(ids(&body), ["cut-release-branch/tag"], "{date:?}");
    }
    for version in [
        "3.23",
        "3.24",
        "v3.23.0",
        "v3.23.0-rc.1",
        "3.23.0-beta2",
        "4",
    ] {
        let body =
            format!("## Setup\n- [ ] Create the `{version}` branch off the CHANGELOG commit\n");
        assert_eq!(
            ids(&body),
            ["setup/create-the-branch-off-the-changelog-commit"],
            "{version}"
        );
    }
}

#[test]
fn trailing_punctuation_does_not_change_ids() {
    let step = "Post a release status update to Slack - review all release-blocking issues";
    for end in ["", ".", "!", ":", "…", " .", "?!", ")."] {
        let body = format!("## Prepare release\n- [ ] {step}{end}\n");
        assert_eq!(
            ids(&body),
            ["prepare-release/post-release-status-update-slack"],
            "{end:?}"
        );
    }
    let edited = SOURCEGRAPH
        .replace("off the CHANGELOG commit\n", "off the CHANGELOG commit.\n")
        .replace("release blog post.", "release blog post")
        .replace("`release-blocker` issues.", "`release-blocker` issues!");
    assert_eq!(ids(&edited), SOURCEGRAPH_IDS);
}

#[test]
fn words_that_are_not_dates_stay() {
    let id = |text: &str| ids(&format!("- [ ] {text}\n")).remove(0);
    // A month or weekday abbreviation only goes next to a number.
    assert_eq!(id("You may sat on the sun"), "top/you-may-sat-on-the-sun");
    assert_eq!(id("Ping k8s and s3 owners"), "top/ping-k8s-and-s3-owners");
    assert_eq!(id("Third-party 3rd-party x"), "top/third-party-party-x");
    assert_eq!(id("Release on May 4"), "top/release-on");
    // Stop-words go only when the slug is too long.
    assert_eq!(id("Close the milestone"), "top/close-the-milestone");
    assert_eq!(
        id("Update the changelog and merge the generated pull request"),
        "top/update-changelog-merge-generated-pull"
    );
    // Words in parentheses go next; the order is kept.
    let body = "## Cut release (day before release - December 17, 2020)\n- [ ] Go\n";
    assert_eq!(ids(body), ["cut-release/go"]);
    let body = "## (3 days before release)\n- [ ] Go\n";
    assert_eq!(ids(body), ["days-before-release/go"]);
}

#[test]
fn empty_slugs_fall_back_and_stay_unique() {
    let body = "- [ ] 1.\n- [ ] `3.23`\n## 3.23\n- [ ] …\n## 2020-12-15\n- [ ] 🚀\n- [ ] 🚀\n## Top\n- [ ] x\n";
    assert_eq!(
        ids(body),
        [
            "top/step",
            "top/step-2",
            "section/step",
            "section-2/step",
            "section-2/step-2",
            "top-2/x"
        ]
    );
}

#[test]
fn repeats_stay_within_the_limit() {
    let heading = "## Coordinate the cross-team verification of everything\n";
    let step = "- [ ] Verify the deployment of the candidate on the staging instance\n";
    let body = format!("{heading}{}", step.repeat(12)).repeat(3);
    let list = Checklist::parse(&body);
    let ids: Vec<&str> = list.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids[0], "coordinate-cross/verify-deployment-candidate");
    assert_eq!(ids[1], "coordinate-cross/verify-deployment-candidate-2");
    assert_eq!(ids[11], "coordinate-cross/verify-deployment-candidate-12");
    assert_eq!(ids[12], "coordinate-cross-2/verify-deployment-candidate");
    // With a longer suffix the slug is cut at a word to fit.
    assert_eq!(ids[35], "coordinate-cross-3/verify-deployment-12");
    assert!(ids.iter().all(|id| id.len() <= MAX_ID_LEN));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    // A slug that fills its room is cut at a word for the suffix.
    let full = "- [ ] aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd ee\n".repeat(2);
    assert_eq!(
        self::ids(&format!("# S\n{full}")),
        [
            "s/aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-ee",
            "s/aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-2"
        ]
    );
    // One word longer than the room is cut inside.
    let long = format!("- [ ] {}\n- [ ] {0}\n", "a".repeat(70));
    assert_eq!(
        self::ids(&long),
        [
            format!("top/{}", "a".repeat(44)),
            format!("top/{}-2", "a".repeat(42))
        ]
    );
}

/// The ids before this scheme: 60-character slugs with dates and numbers.
fn legacy_slug(text: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    if out.len() > 60 {
        let cut = if out.as_bytes()[60] == b'-' {
            60
        } else {
            match out[..60].rfind('-') {
                Some(dash) if dash > 0 => dash,
                _ => 60,
            }
        };
        out.truncate(cut);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() { "step".into() } else { out }
}

fn legacy_ids(body: &str) -> Vec<String> {
    fn unique(used: &mut HashSet<String>, base: String) -> String {
        let mut candidate = base.clone();
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        candidate
    }
    let list = Checklist::parse(body);
    let mut out = vec![String::new(); list.steps.len()];
    let mut sections = HashSet::new();
    for section in &list.sections {
        let base = if section.level == 0 {
            "top".into()
        } else {
            legacy_slug(&section.title)
        };
        let slug = unique(&mut sections, base);
        let mut used = HashSet::new();
        for &i in &section.steps {
            let text = unique(&mut used, legacy_slug(&list.steps[i].text));
            out[i] = format!("{slug}/{text}");
        }
    }
    out
}

fn now_of(list: &Checklist, old: &str) -> Option<String> {
    match list.lookup(old) {
        Err(LookupError::Moved { now, .. }) => Some(now),
        Ok(step) => Some(step.id.clone()),
        Err(_) => None,
    }
}

#[test]
fn old_ids_say_where_their_step_is() {
    let old = legacy_ids(SOURCEGRAPH);
    assert_eq!(
        old[4],
        "cut-release-branch-3-working-days-before-release-december-15/create-the-3-23-branch-off-the-changelog-commit"
    );
    let list = Checklist::parse(SOURCEGRAPH);
    let next = Checklist::parse(&next_release(SOURCEGRAPH));
    for (i, old) in old.iter().enumerate() {
        assert!(list.step(old).is_none(), "{old}");
        // In the same issue, and after every date and version moved.
        assert_eq!(
            now_of(&list, old).as_deref(),
            Some(SOURCEGRAPH_IDS[i]),
            "{old}"
        );
        assert_eq!(
            now_of(&next, old).as_deref(),
            Some(SOURCEGRAPH_IDS[i]),
            "{old}"
        );
    }
    let e = list.lookup(&old[11]).expect_err("old id").to_string();
    assert_eq!(
        e,
        format!(
            "step {} has moved: it is now release-day/tag-final-release-yarn-release \
             (in section \"Release day (Friday, December 18, 2020)\"); nothing was changed, \
             check the issue and tick it there",
            old[11]
        )
    );
    assert_eq!(
        set_done(SOURCEGRAPH, &old[4], true),
        Err(TickError::Moved {
            id: old[4].clone(),
            now: SOURCEGRAPH_IDS[4].into(),
            section: "Cut release branch (3 working days before release, December 15, 2020)".into()
        })
    );
    // A step that is gone is gone, by either id.
    let removed = SOURCEGRAPH.replace("- [ ] Close the 3.23 milestone.\n", "");
    let gone = Checklist::parse(&removed);
    for id in [old[15].as_str(), SOURCEGRAPH_IDS[15]] {
        assert_eq!(
            set_done(&removed, id, true),
            Err(TickError::Vanished { id: id.into() })
        );
        assert!(matches!(gone.lookup(id), Err(LookupError::Unknown { .. })));
    }
}

#[test]
fn old_ids_of_repeated_and_moved_steps() {
    let body = "## Verify (Dec 14)\n- [ ] Check the 3.23 build\n- [ ] Check the 3.23 build\n\
                ## Verify (Dec 15)\n- [ ] Check the 3.23 build\n";
    let old = legacy_ids(body);
    assert_eq!(
        old,
        [
            "verify-dec-14/check-the-3-23-build",
            "verify-dec-14/check-the-3-23-build-2",
            "verify-dec-15/check-the-3-23-build"
        ]
    );
    let now = ids(body);
    assert_eq!(
        now,
        [
            "verify/check-the-build",
            "verify/check-the-build-2",
            "verify-2/check-the-build"
        ]
    );
    let list = Checklist::parse(body);
    // Old ids of this very body name exactly their step.
    for (old, now) in old.iter().zip(&now) {
        assert_eq!(now_of(&list, old).as_deref(), Some(now.as_str()));
    }
    // After a date edit, by words: the step in the section the id names.
    let edited = body.replace("Dec 14", "Dec 15").replace("3.23", "3.24");
    let list = Checklist::parse(&edited);
    assert_eq!(now_of(&list, &old[0]).as_deref(), Some(now[0].as_str()));
    assert_eq!(now_of(&list, &old[1]).as_deref(), Some(now[0].as_str()));
    let other =
        "## Setup\n- [ ] Check the 3.24 build\n## Verify (Dec 16)\n- [ ] Check the 3.24 build\n";
    let list = Checklist::parse(other);
    assert_eq!(
        now_of(&list, &old[2]).as_deref(),
        Some("verify/check-the-build")
    );
    // An id of this scheme whose step moved to another section.
    let moved = "## Setup\n- [ ] Tag it\n## Release day (Dec 18)\n- [ ] Check the build\n";
    let list = Checklist::parse(moved);
    assert_eq!(
        list.lookup("verify/check-the-build"),
        Err(LookupError::Moved {
            id: "verify/check-the-build".into(),
            now: "release-day/check-the-build".into(),
            section: "Release day (Dec 18)".into()
        })
    );
    // A cut id names its step only if it was really cut.
    let body = "## S\n- [ ] Tag the final release now\n";
    for id in [
        "t/tag",
        "t/tag-the-final-release-now-please",
        "Setup/Tag-The-Final-Release-Now",
    ] {
        let vanished = Err(TickError::Vanished { id: id.into() });
        assert_eq!(set_done(body, id, true), vanished);
    }
    assert_eq!(
        set_done(body, "t/tag-the-final-release", true),
        Err(TickError::Moved {
            id: "t/tag-the-final-release".into(),
            now: "s/tag-the-final-release-now".into(),
            section: "S".into()
        })
    );
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 `\\[\\]*_()!:.,#éß日本🚀/-]{0,120}",
        1 => prop::sample::select(vec![
            "Post a release status update to Slack - review all release-blocking issues, and ensure someone is resolving each.".to_owned(),
            "Cut release branch (3 working days before release, December 15, 2020)".to_owned(),
            "Create the `3.23` branch off the CHANGELOG commit".to_owned(),
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_owned(),
            "3.23".to_owned(),
            String::new(),
        ]),
    ]
}

fn body() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        1 => (1usize..=3, text()).prop_map(|(l, t)| format!("{} {t}", "#".repeat(l))),
        4 => (prop::sample::select(vec![0usize, 2, 4]), text())
            .prop_map(|(i, t)| format!("{}- [ ] {t}", " ".repeat(i))),
        1 => text().prop_map(|t| format!("note {t}")),
    ];
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

/// A date, version or number in any of the shapes release captains write,
/// one kind of number or date per entry: an ISO date, a dotted date, a
/// long date, a weekday date, a pre-release, a version, a plain number.
fn number_kinds() -> Vec<BoxedStrategy<String>> {
    vec![
        (1u32..13, 1u32..29, 2019u32..2030)
            .prop_map(|(m, d, y)| format!("{y}-{m:02}-{d:02}"))
            .boxed(),
        (1u32..29, 1u32..13, 2019u32..2030)
            .prop_map(|(d, m, y)| format!("{d}.{m}.{y}"))
            .boxed(),
        (0usize..12, 1u32..29)
            .prop_map(|(m, d)| {
                let months = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                format!("{} {d}, 2020", months[m])
            })
            .boxed(),
        (0usize..7, 1u32..29)
            .prop_map(|(w, d)| {
                let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                format!("{}, Dec {d}", days[w])
            })
            .boxed(),
        (1u32..10, 0u32..40, 0u32..4)
            .prop_map(|(a, b, c)| format!("v{a}.{b}.{c}-rc.{c}"))
            .boxed(),
        (1u32..10, 0u32..40)
            .prop_map(|(a, b)| format!("{a}.{b}"))
            .boxed(),
        (0u32..100).prop_map(|n| n.to_string()).boxed(),
    ]
}

/// Two numbers of the same kind: what an edit of a release issue changes
/// (a date for another date, a version for another). A date traded for a
/// version in the same place may change an id: a weekday abbreviation is
/// dropped beside a calendar date only.
fn number_pair() -> impl Strategy<Value = (String, String)> {
    let kinds = number_kinds();
    (0..kinds.len()).prop_flat_map(move |k| (kinds[k].clone(), kinds[k].clone()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn ids_are_short_unique_and_plain(body in body()) {
        let list = Checklist::parse(&body);
        let unique: HashSet<_> = list.steps.iter().map(|s| &s.id).collect();
        prop_assert_eq!(unique.len(), list.steps.len());
        for step in &list.steps {
            prop_assert!(step.id.len() <= MAX_ID_LEN, "{}", step.id);
            let (section, text) = step.id.split_once('/').expect("a section");
            for part in [section, text] {
                prop_assert!(!part.is_empty() && !part.starts_with('-') && !part.ends_with('-'), "{}", step.id);
                prop_assert!(part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", step.id);
                prop_assert!(!part.contains("--"), "{}", step.id);
            }
            prop_assert_eq!(list.lookup(&step.id).map(|s| &s.id), Ok(&step.id));
        }
    }

    #[test]
    fn numbers_and_dates_never_change_ids(
        words in prop::collection::vec("[A-Za-z]{1,9}", 1..30),
        holes in prop::collection::vec((0usize..30, number_pair()), 1..6),
    ) {
        // The same issue twice, dates and versions filled in differently.
        let (mut a, mut b) = (words.clone(), words);
        for (at, (x, y)) in holes {
            let at = at % (a.len() + 1);
            a.insert(at, x);
            b.insert(at, y);
        }
        let render = |w: &[String]| {
            let mid = w.len() / 2;
            format!("## {} ({})\n- [ ] {}\n- [ ] {}.\n", w[..mid].join(" "), w[mid..].join(" "), w.join(" "), w[mid..].join(" "))
        };
        prop_assert_eq!(ids(&render(&a)), ids(&render(&b)));
    }
}

#[test]
fn children_progress_counts_every_nested_step() {
    let body = "- [ ] Release\n  - [x] Branch\n    - [x] Push\n    - [ ] Tag\n  - plain\n    - [ ] Notes\n  - [ ] Publish\n- [ ] Close\n- plain\n  - [x] Not Close's\n";
    let list = Checklist::parse(body);
    let parents: Vec<_> = list.steps.iter().map(|s| s.parent).collect();
    assert_eq!(
        parents,
        [
            None,
            Some(0),
            Some(1),
            Some(1),
            Some(0),
            Some(0),
            None,
            None
        ]
    );
    assert_eq!(list.children_progress(0), Some((2, 5)));
    assert_eq!(list.children_progress(1), Some((1, 2)));
    assert_eq!(list.children_progress(2), None);
    assert_eq!(
        list.children_progress(6),
        None,
        "a plain item's step is not Close's"
    );
    assert_eq!(list.children_progress(99), None);

    let sg = Checklist::parse(SOURCEGRAPH);
    let ensure = sg.step("cut-release-branch/ensure-buildkite-pipelines");
    assert_eq!(ensure.map(|s| s.depth), Some(0));
    assert_eq!(sg.children_progress(6), Some((1, 3)));
    assert_eq!(sg.children_progress(7), None);
    assert_eq!(sg.children_progress(10), None);
}
