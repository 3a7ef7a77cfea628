use std::collections::HashMap;

use chrono::Utc;

use super::*;
use crate::deploy::policy::{Policy, Rule};
use crate::deploy::scan::scan_texts;
use crate::deploy::sync::{Published, evaluate};

const OLD: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NEW: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const FE: &str = "docker.io/sourcegraph/frontend";
const SE: &str = "docker.io/sourcegraph/searcher";

/// Two images out of sync, frontend pinned in two files.
fn repo() -> (Vec<(String, String)>, DeploySnapshot) {
    let files: Vec<(String, String)> = [
        ("base/frontend.yaml", "frontend", "3.22.0"),
        ("base/frontend-internal.yaml", "frontend", "3.22.0"),
        ("base/searcher.yaml", "searcher", "3.22.1"),
    ]
    .iter()
    .map(|(path, name, tag)| {
        let text = format!(
            "containers:\n- name: {name}\n  image: index.docker.io/sourcegraph/{name}:{tag}@{OLD}\n"
        );
        (path.to_string(), text)
    })
    .collect();
    let scanned = scan_texts(&files);
    let semver = Policy::Semver {
        range: None,
        prerelease: false,
    };
    let rules = vec![Rule::new("sourcegraph/*", semver).expect("rule")];
    let lookups = HashMap::from([FE, SE].map(|k| {
        let published = Published {
            tag: "3.23.0".into(),
            digest: Some(NEW.into()),
        };
        (k.to_string(), Ok(published))
    }));
    let snapshot = DeploySnapshot {
        images: evaluate(&scanned.pins, &lookups, &rules, &[]),
        untracked: scanned.untracked,
        errors: scanned.errors,
        files: scanned.files,
        branch: "master".into(),
        at: Utc::now(),
    };
    (files, snapshot)
}

fn keys() -> Vec<String> {
    vec![FE.to_string(), SE.to_string()]
}

#[test]
fn grouped_is_one_plan_and_per_image_one_plan_per_image_with_names_that_say_so() {
    let (files, snap) = repo();
    let grouped = plan_bumps(&files, &snap, &keys(), BumpMode::Grouped).expect("grouped");
    assert_eq!(grouped.plans.len(), 1);
    assert_eq!(grouped.plans[0].items.len(), 2);
    assert!(
        grouped.plans[0]
            .branch
            .starts_with("opsdeck/bump-2-images-")
    );

    let split = plan_bumps(&files, &snap, &keys(), BumpMode::PerImage).expect("split");
    let branches: Vec<&str> = split.plans.iter().map(|p| p.branch.as_str()).collect();
    assert_eq!(
        branches,
        [
            "opsdeck/bump-frontend-3.23.0",
            "opsdeck/bump-searcher-3.23.0"
        ]
    );
    // Each plan changes its own image's files only: frontend's two, then
    // searcher's one.
    let paths = |p: &BumpPlan| p.files.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>();
    assert_eq!(
        paths(&split.plans[0]),
        ["base/frontend-internal.yaml", "base/frontend.yaml"]
    );
    assert_eq!(paths(&split.plans[1]), ["base/searcher.yaml"]);
    assert_eq!(
        split.plans[1].message,
        "sourcegraph/searcher: 3.22.1 → 3.23.0"
    );
}

#[test]
fn an_open_pull_request_for_the_one_bump_is_offered_instead() {
    let (files, snap) = repo();
    let mut bumps = plan_bumps(&files, &snap, &keys()[..1], BumpMode::Grouped).expect("plan");
    bumps.plans[0].existing = Some(Existing::Pull {
        number: 123,
        url: "https://github.com/o/r/pull/123".into(),
    });
    assert_eq!(
        bumps.ask(None),
        Ask::Open {
            question: "PR #123 already bumps sourcegraph/frontend to 3.23.0 — open it?".into(),
            details: vec![
                "branch opsdeck/bump-frontend-3.23.0".into(),
                "https://github.com/o/r/pull/123".into()
            ],
            url: "https://github.com/o/r/pull/123".into(),
        }
    );
}

#[test]
fn a_branch_without_a_pull_request_is_nothing_to_do_and_says_how_to_redo_it() {
    let (files, snap) = repo();
    let mut bumps = plan_bumps(&files, &snap, &keys()[..1], BumpMode::Grouped).expect("plan");
    bumps.plans[0].existing = Some(Existing::Branch {
        place: "on origin".into(),
    });
    let Ask::Nothing(text) = bumps.ask(None) else {
        panic!("expected nothing to do");
    };
    assert_eq!(
        text,
        "nothing to bump: branch opsdeck/bump-frontend-3.23.0 already exists on origin with no \
         open pull request: it bumps sourcegraph/frontend to 3.23.0; delete it to bump again"
    );
}

#[test]
fn per_image_asks_once_for_the_rest_and_names_what_it_leaves_alone() {
    let (files, snap) = repo();
    let mut bumps = plan_bumps(&files, &snap, &keys(), BumpMode::PerImage).expect("plan");
    for p in &mut bumps.plans {
        p.pull_request_in = Some("o/r".into());
    }
    bumps.plans[0].existing = Some(Existing::Pull {
        number: 7,
        url: "https://github.com/o/r/pull/7".into(),
    });
    bumps.warnings.push("could not ask GitHub: timeout".into());
    let Ask::Bump { question, details } = bumps.ask(Some("1 drifted pin left out (x)")) else {
        panic!("expected a question");
    };
    // One left to do: its own words, its diff, then what is left alone.
    assert_eq!(question, "Bump sourcegraph/searcher 3.22.1 → 3.23.0?");
    assert!(
        details.iter().any(|l| l == "+++ b/base/searcher.yaml"),
        "{details:#?}"
    );
    assert!(
        !details.iter().any(|l| l.contains("frontend.yaml")),
        "{details:#?}"
    );
    let tail: Vec<&str> = details
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "left alone: PR #7 already bumps sourcegraph/frontend to 3.23.0 (https://github.com/o/r/pull/7)",
            "could not ask GitHub: timeout",
            "1 drifted pin left out (x)",
            "then: commit on opsdeck/bump-searcher-3.23.0, push, open a pull request in o/r",
        ]
    );

    bumps.plans[0].existing = None;
    let Ask::Bump { question, details } = bumps.ask(None) else {
        panic!("expected a question");
    };
    assert_eq!(question, "Bump 2 images, one pull request each?");
    assert_eq!(
        details[..2],
        [
            "  bump sourcegraph/frontend 3.22.0 → 3.23.0 — branch opsdeck/bump-frontend-3.23.0",
            "  bump sourcegraph/searcher 3.22.1 → 3.23.0 — branch opsdeck/bump-searcher-3.23.0",
        ]
    );
    assert_eq!(
        details.last().map(String::as_str),
        Some("then, for each image: commit on its own branch, push, open a pull request in o/r")
    );
}

#[test]
fn all_existing_is_nothing_to_do_naming_each() {
    let (files, snap) = repo();
    let mut bumps = plan_bumps(&files, &snap, &keys(), BumpMode::PerImage).expect("plan");
    for (n, p) in bumps.plans.iter_mut().enumerate() {
        p.existing = Some(Existing::Pull {
            number: n as u64 + 1,
            url: format!("u{n}"),
        });
    }
    assert_eq!(
        bumps.ask(None),
        Ask::Nothing(
            "nothing to bump: PR #1 already bumps sourcegraph/frontend to 3.23.0 (u0); \
             PR #2 already bumps sourcegraph/searcher to 3.23.0 (u1)"
                .into()
        )
    );
}
