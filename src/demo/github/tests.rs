//! Tests of the simulation's private helpers and demo data; its endpoints
//! are tested over HTTP in the test kit (`opsdeck-testkit`, `github::tests`).

use super::*;

#[test]
fn node_ids_and_shas_look_like_githubs() {
    assert_eq!(
        json::node_id("Issue", 744765892),
        "MDU6SXNzdWU3NDQ3NjU4OTI="
    );
    assert_eq!(json::node_id("User", 1), "MDQ6VXNlcjE=");
    assert_eq!(json::node_id("IssueComment", 7), "MDEyOklzc3VlQ29tbWVudDc=");
    let sha = store::sha("x");
    assert!(sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn demo_body_is_a_realistic_checklist() {
    let task = regex::Regex::new(r"^\s*(?:[-*]|\d+\.) \[( |x)\] ").unwrap();
    let tasks: Vec<_> = DEMO_TRACKING_BODY
        .lines()
        .filter_map(|l| task.captures(l))
        .collect();
    assert!((14..=24).contains(&tasks.len()), "{} tasks", tasks.len());
    assert_eq!(tasks.iter().filter(|c| &c[1] == "x").count(), 3);
    for needle in [
        "## Setup",
        "## Prepare release",
        "## Stage release",
        "## Finalize release",
        "## Post-release",
        "\n  - [ ] ",
        "\n* [ ] ",
        "\n1. [ ] ",
        "<!-- ",
        "](https://",
        "\n- Retrospective",
        "`yarn release release:status`",
        "  ```sh\n  N=1; yarn release release:create-candidate $N\n  ```\n",
        "  ```text\n",
        "git branch 3.23 && git push origin 3.23",
        "`yarn release release:stage`",
        "`yarn release release:close`",
        "`yarn release changelog:cut`",
    ] {
        assert!(DEMO_TRACKING_BODY.contains(needle), "{needle:?}");
    }
}
