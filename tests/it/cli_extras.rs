//! The real binary's `config check`, `completions`, `man`, `--help` and
//! `--version`: against a real Alertmanager, a real docker-registry and a
//! real git repository, with dead ports for the sources that must fail.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use opsdeck_testkit::git::git;
use opsdeck_testkit::push::push_image;
use opsdeck_testkit::servers::{Alertmanager, DockerRegistry, free_port, wait_for};
use serde_json::json;

use crate::support::{config_text, sg_alert};

fn opsdeck(args: &[&str], config: Option<&Path>) -> Output {
    crate::support::opsdeck_bin(args, config)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams, for assertion messages.
fn both(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    )
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// The stdout line that starts with `prefix` (exactly one).
fn line<'a>(out: &'a str, prefix: &str, o: &Output) -> &'a str {
    let found: Vec<&str> = out.lines().filter(|l| l.starts_with(prefix)).collect();
    assert_eq!(found.len(), 1, "one line starting {prefix:?}\n{}", both(o));
    found[0]
}

/// A dead endpoint: a port nothing listens on.
fn dead_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

/// An Alertmanager holding one firing alert and one active silence.
fn alertmanager_with_one_alert() -> Alertmanager {
    let am = Alertmanager::start();
    am.post_alerts(&json!([sg_alert(
        "critical",
        "frontend",
        "hard_error_rate",
        "search"
    )]));
    am.post_silence(&json!({
        "matchers": [{"name": "alertname", "value": "nothing_fires_this", "isRegex": false}],
        "startsAt": "2020-01-01T00:00:00Z",
        "endsAt": "2099-01-01T00:00:00Z",
        "createdBy": "test",
        "comment": "quiet"
    }));
    wait_for("the alert in AM", Duration::from_secs(10), || {
        (am.get_json("/api/v2/alerts").as_array()?.len() == 1).then_some(())
    });
    am
}

#[test]
fn config_check_reports_each_source_and_fails_on_a_dead_one() {
    let am = alertmanager_with_one_alert();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        &config_text(&[("prod", &am.url)], &[("prod-prom", &dead_url())], ""),
    );
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().next(),
        Some(format!("config {}: ok", path.display()).as_str()),
        "{}",
        both(&o)
    );
    assert_eq!(
        line(&out, "✓ prod (alertmanager)", &o),
        "✓ prod (alertmanager) 1 alert, 1 silence, clustering disabled"
    );
    assert_eq!(
        line(&out, "✗ prod-prom (prometheus)", &o),
        "✗ prod-prom (prometheus) GET /api/v1/alerts: connection refused"
    );
    assert_eq!(out.lines().count(), 3, "{}", both(&o));

    // Only the live Alertmanager: everything ✓, exit 0.
    let path = write_config(dir.path(), &config_text(&[("prod", &am.url)], &[], ""));
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(
        stdout(&o).contains("✓ prod (alertmanager) 1 alert"),
        "{}",
        both(&o)
    );
    assert!(!stdout(&o).contains('✗'), "{}", both(&o));
}

#[test]
fn config_check_tries_every_source_even_when_one_cannot_be_built() {
    let am = Alertmanager::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "[[alertmanager]]\nname = \"needs-token\"\nurl = \"{}\"\nbearer_token_env = \"OPSDECK_TEST_TOKEN_NEVER_SET\"\n\n\
         [[alertmanager]]\nname = \"open\"\nurl = \"{}\"\n",
        am.url, am.url
    );
    let path = write_config(dir.path(), &text);
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let out = stdout(&o);
    assert_eq!(
        line(&out, "✗ needs-token (alertmanager)", &o),
        "✗ needs-token (alertmanager) bearer_token_env: $OPSDECK_TEST_TOKEN_NEVER_SET is not set"
    );
    assert!(
        line(&out, "✓ open (alertmanager)", &o).contains("0 alerts"),
        "{}",
        both(&o)
    );
}

#[test]
fn config_check_with_no_sources_says_so_and_succeeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "[alerts]\nrefresh = \"10s\"\n");
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!("config {}: ok\n", path.display())),
        "{out}"
    );
    assert!(out.contains("no sources are configured"), "{out}");
}

#[test]
fn config_check_reports_a_syntax_error_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(
        dir.path(),
        "[[alertmanager]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9093\n",
    );
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:3:", path.display())),
        "file:line:col in\n{}",
        both(&o)
    );
    assert!(!stdout(&o).contains(": ok"), "{}", both(&o));

    // A missing file is an error too, not the demo.
    let o = opsdeck(&["config", "check"], Some(&dir.path().join("nope.toml")));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(stderr(&o).contains("config file not found"), "{}", both(&o));
}

#[test]
fn config_check_loads_a_file_checklist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let checklist = dir.path().join("release.md");
    std::fs::write(
        &checklist,
        "# 3.23 release\n\n## Setup\n\n- [x] Create the branch\n- [ ] Tag a release candidate\n- [ ] Announce\n",
    )
    .expect("write checklist");
    let path = write_config(
        dir.path(),
        &format!("[release]\nfile = \"{}\"\n", checklist.display()),
    );
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(
        line(&stdout(&o), "✓ file (release)", &o),
        format!(
            "✓ file (release) {} \"3.23 release\", 1/3 steps",
            checklist.display()
        )
    );

    std::fs::remove_file(&checklist).expect("rm");
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        line(&stdout(&o), "✗ file (release)", &o).contains(&checklist.display().to_string()),
        "{}",
        both(&o)
    );
}

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
    )
}

#[test]
fn config_check_tries_the_deploy_repo_each_registry_and_each_instance() {
    let registry = DockerRegistry::start();
    push_image(&registry.url, "sourcegraph/frontend", "3.23.0", "fe");
    let am = Alertmanager::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("deploy");
    std::fs::create_dir_all(repo.join("base")).expect("mkdir");
    git(&repo, &["init", "--quiet", "--initial-branch=master"]);
    let files = [
        (
            "base/frontend.yaml",
            deployment("frontend", "index.docker.io/sourcegraph/frontend:3.23.0"),
        ),
        (
            "base/dead.yaml",
            format!(
                "{}---\n{}",
                deployment("a", "dead.example/sourcegraph/a:1.0.0"),
                deployment("b", "dead.example/sourcegraph/b:1.0.0")
            ),
        ),
        (
            "base/unmatched.yaml",
            deployment("thing", "index.docker.io/other/thing:1.0.0"),
        ),
        ("base/broken.yaml", "kind: [unclosed\n".to_string()),
    ];
    for (p, text) in &files {
        std::fs::write(repo.join(p), text).expect("write manifest");
    }
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "manifests"]);

    let dead_registry = dead_url();
    let text = format!(
        "[deploy]\nrepo = \"{repo}\"\nbranch = \"master\"\npaths = [\"base/**/*.yaml\"]\n\n\
         [[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{live}\"\ntimeout = \"5s\"\n\n\
         [[deploy.registry]]\nhost = \"dead.example\"\nurl = \"{dead_registry}\"\ntimeout = \"5s\"\n\n\
         [[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n\n\
         [[deploy.instance]]\nname = \"k8s\"\nversion_url = \"{am}/api/v2/status\"\njson_pointer = \"/versionInfo/version\"\nimages = [\"sourcegraph/frontend\"]\n\n\
         [[deploy.instance]]\nname = \"dogfood\"\nversion_url = \"{dead}/__version\"\nimages = [\"sourcegraph/frontend\"]\n",
        repo = repo.display(),
        live = registry.url,
        am = am.url,
        dead = dead_url(),
    );
    let path = write_config(dir.path(), &text);
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let out = stdout(&o);
    assert_eq!(
        line(&out, "✓ deploy (repo)", &o),
        "✓ deploy (repo) 4 manifests on master, 4 images pinned"
    );
    assert!(
        line(&out, "✗ deploy (manifest)", &o).starts_with("✗ deploy (manifest) base/broken.yaml:"),
        "{}",
        both(&o)
    );
    assert_eq!(
        line(&out, "✓ registry docker.io (deploy)", &o),
        "✓ registry docker.io (deploy) 1 image looked up"
    );
    let dead = line(&out, "✗ registry dead.example (deploy)", &o);
    assert!(
        dead.contains("connection refused")
            && dead.ends_with("(2 images: sourcegraph/a, sourcegraph/b)"),
        "{}",
        both(&o)
    );
    assert_eq!(
        line(&out, "! other/thing (image)", &o),
        "! other/thing (image) no [[deploy.policy]] matches other/thing"
    );
    let k8s = line(&out, "✓ k8s (instance)", &o);
    assert!(k8s.starts_with("✓ k8s (instance) runs "), "{}", both(&o));
    assert_eq!(
        line(&out, "✗ dogfood (instance)", &o),
        "✗ dogfood (instance) connection refused"
    );

    // No repository at all: that is a ✗, and the instances are still tried.
    let text = text.replace(&repo.display().to_string(), "/nonexistent/deploy-repo");
    let path = write_config(dir.path(), &text);
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let out = stdout(&o);
    assert!(
        line(&out, "✗ deploy (repo)", &o).contains("/nonexistent/deploy-repo"),
        "{}",
        both(&o)
    );
    line(&out, "✓ k8s (instance)", &o);
    line(&out, "✗ dogfood (instance)", &o);
}

#[test]
fn config_check_of_the_demo_passes() {
    let o = opsdeck(&["--demo", "config", "check"], None);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("config (the embedded demo): ok\n"),
        "{}",
        both(&o)
    );
    for prefix in [
        "✓ demo-am (alertmanager) ",
        "✓ demo-prom (prometheus) ",
        "✓ github (release) ",
    ] {
        line(&out, prefix, &o);
    }
    assert!(!out.contains('✗'), "{}", both(&o));
}

const SUBCOMMANDS: [&str; 4] = ["alerts", "ack", "release", "deploy"];

#[test]
fn completions_name_the_subcommands_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let o = opsdeck(&["completions", shell], None);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", both(&o));
        let script = stdout(&o);
        assert!(script.contains("opsdeck"), "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(
                script.contains(sub),
                "{shell} script lacks {sub}:\n{script}"
            );
        }
    }
    let bash = stdout(&opsdeck(&["completions", "bash"], None));
    assert!(bash.contains("complete -F"), "{bash}");
    let zsh = stdout(&opsdeck(&["completions", "zsh"], None));
    assert!(zsh.starts_with("#compdef opsdeck"), "{zsh}");
    let fish = stdout(&opsdeck(&["completions", "fish"], None));
    assert!(fish.contains("complete -c opsdeck"), "{fish}");

    let o = opsdeck(&["completions", "tcsh"], None);
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
}

#[test]
fn man_page_is_roff_naming_the_subcommands() {
    let o = opsdeck(&["man"], None);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".TH opsdeck 1 "), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("opsdeck\\-{sub}")),
            "man page lacks {sub}:\n{page}"
        );
    }
}

#[test]
fn help_and_version() {
    let o = opsdeck(&["--help"], None);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let help = stdout(&o);
    for sub in SUBCOMMANDS.iter().chain(&["config", "completions", "man"]) {
        assert!(help.contains(sub), "--help lacks {sub}:\n{help}");
    }
    assert!(
        help.contains("\n  man "),
        "the README documents man:\n{help}"
    );

    let o = opsdeck(&["--version"], None);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(
        stdout(&o).trim(),
        format!("opsdeck {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn config_check_refuses_an_unknown_theme_at_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "read_only = true\ntheme = \"drak\"\n");
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:2:9: unknown theme \"drak\"; expected one of dark, light, high-contrast, prod or a path to a theme file; did you mean \"dark\"?",
            path.display()
        )),
        "file:line:col, the built-ins and a suggestion in\n{}",
        both(&o)
    );
    assert!(!stdout(&o).contains(": ok"), "{}", both(&o));

    // A theme file that does not parse is refused at the same place.
    std::fs::write(dir.path().join("mine.toml"), "[styles]\nheadr = {}\n").expect("write");
    let theme = dir.path().join("mine.toml");
    let path = write_config(dir.path(), &format!("theme = {:?}\n", theme.display()));
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        stderr(&o).contains(&format!("{}:1:9: ", path.display()))
            && stderr(&o).contains("styles.headr"),
        "{}",
        both(&o)
    );

    // A good one passes.
    std::fs::write(&theme, "[styles]\nheader = { bg = \"blue\" }\n").expect("write");
    let o = opsdeck(&["config", "check"], Some(&path));
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
}
