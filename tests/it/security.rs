//! Secrets stay secret, only local config decides what runs, and every change
//! lands in the audit log.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use opsdeck_testkit::github::{GithubFake, IssueSeed};
use opsdeck_testkit::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};
use opsdeck_testkit::servers::Alertmanager;
use serde_json::{Value, json};

use crate::support::sg_alert;

const GH_TOKEN: &str = "ghp_SeCrEt0123456789";
const AM_TOKEN: &str = "am-bearer-9f8e7d6c";
const REG_PASSWORD: &str = "registry-pass-5a4b3c";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    fn run(&self, config: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        cmd.args(args)
            .arg("--config")
            .arg(config)
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.state())
            .env("OPSDECK_LOG", "debug")
            .env_remove("OPSDECK_CONFIG")
            .stdin(Stdio::null());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd.output().expect("run opsdeck")
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn all_files(dir: &Path) -> String {
    let mut out = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push_str(&all_files(&p));
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                out.push_str(&t);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_appear_in_output_logs_json_or_errors() {
    let am = tokio::task::spawn_blocking(Alertmanager::start)
        .await
        .expect("am");
    am.post_alerts(&json!([sg_alert(
        "critical",
        "frontend",
        "hard_error_rate",
        "search"
    )]));
    let github = GithubFake::start().await.expect("github");
    github.require_token(Some(GH_TOKEN));
    github.add_issue(IssueSeed {
        repo: "o/r".into(),
        number: Some(1),
        title: "3.23 release tracking issue".into(),
        body: "## Setup\n\n- [ ] Cut the branch\n".into(),
        ..IssueSeed::default()
    });
    let registry = FakeRegistry::start(FakeRegistryOptions {
        bearer: Some(("robot".into(), REG_PASSWORD.into())),
        page_size: None,
        ..Default::default()
    })
    .await
    .expect("registry");
    registry.set_tags(
        "sourcegraph/frontend",
        &[("3.22.0", &demo_digest("3.22.0"))],
    );
    let env = Env::new();
    let repo = env.dir.path().join("deploy");
    std::fs::create_dir_all(repo.join("base")).expect("mkdir");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .expect("git")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "--quiet", "--initial-branch=master"]);
    std::fs::write(
        repo.join("base/frontend.yaml"),
        format!("kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: f\n          image: index.docker.io/sourcegraph/frontend:3.22.0@{}\n", demo_digest("3.22.0")),
    )
    .expect("write");
    git(&["add", "."]);
    git(&["commit", "--quiet", "-m", "x"]);
    let config = env.dir.path().join("config.toml");
    let write_config = |gh_env: &str| {
        std::fs::write(
            &config,
            format!(
                "[[alertmanager]]\nname = \"prod\"\nurl = \"{}\"\nbearer_token_env = \"TEST_AM_TOKEN\"\n\n\
                 [github]\napi_url = \"{}\"\ntoken_env = \"{gh_env}\"\n\n\
                 [release]\nrepo = \"o/r\"\nissue = 1\n\n\
                 [deploy]\nrepo = \"{}\"\npaths = [\"base/*.yaml\"]\n[[deploy.registry]]\nhost = \"index.docker.io\"\nurl = \"{}\"\nusername = \"robot\"\npassword_env = \"TEST_REG_PASSWORD\"\n[[deploy.policy]]\nmatch = \"sourcegraph/*\"\nkind = \"semver\"\n",
                am.url,
                github.url,
                repo.display(),
                registry.url
            ),
        )
        .expect("write config");
        std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    };
    write_config("TEST_GH_TOKEN");
    let secrets = [
        ("TEST_GH_TOKEN", GH_TOKEN),
        ("TEST_AM_TOKEN", AM_TOKEN),
        ("TEST_REG_PASSWORD", REG_PASSWORD),
    ];
    let mut seen = String::new();
    for args in [
        vec!["alerts", "--json"],
        vec!["silences", "--json"],
        vec!["release", "--json"],
        vec!["release", "tick", "setup/cut-the-branch"],
        vec!["deploy", "--json"],
        vec!["config", "check"],
    ] {
        let (config, args) = (config.clone(), args.clone());
        let envref = &env;
        let out = tokio::task::block_in_place(|| envref.run(&config, &args, &secrets));
        seen.push_str(&text(&out));
    }
    assert!(
        seen.contains("\"number\": 1"),
        "the release loaded with the token: {seen}"
    );
    assert!(seen.contains("ticked setup/cut-the-branch"), "{seen}");
    // Wrong secrets: 401s everywhere, the messages must not echo them.
    write_config("TEST_GH_TOKEN");
    let wrong = [
        ("TEST_GH_TOKEN", "ghp_WrOnG999"),
        ("TEST_AM_TOKEN", AM_TOKEN),
        ("TEST_REG_PASSWORD", "wrong-reg-pass"),
    ];
    for args in [
        vec!["release", "--json"],
        vec!["deploy", "--json"],
        vec!["config", "check"],
    ] {
        let out = tokio::task::block_in_place(|| env.run(&config, &args, &wrong));
        let t = text(&out);
        assert!(
            !t.contains("ghp_WrOnG999") && !t.contains("wrong-reg-pass"),
            "{t}"
        );
        seen.push_str(&t);
    }
    assert!(seen.contains("401"), "the wrong token was refused: {seen}");
    let files = all_files(&env.state());
    assert!(
        files.contains("opsdeck starting"),
        "the log file was written"
    );
    for (_, secret) in secrets {
        assert!(!seen.contains(secret), "{secret} leaked to output");
        assert!(
            !files.contains(secret),
            "{secret} leaked to the log or audit files"
        );
    }
}

#[test]
fn a_config_with_a_secret_readable_by_others_draws_a_warning() {
    let env = Env::new();
    let config = env.dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[alertmanager]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9\"\ntimeout = \"1s\"\nheaders = { Authorization = \"Bearer abc\" }\n",
    )
    .expect("write");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = env.run(&config, &["alerts"], &[]);
    let t = text(&out);
    assert!(
        t.contains("holds a secret") && t.contains("chmod 600"),
        "{t}"
    );
    assert!(
        !t.contains("Bearer abc"),
        "the warning names the place, not the secret: {t}"
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = env.run(&config, &["alerts"], &[]);
    assert!(!text(&out).contains("holds a secret"), "{}", text(&out));
}

#[test]
fn step_text_and_inline_code_are_never_handed_to_a_shell() {
    let env = Env::new();
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    let md = env.dir.path().join("RELEASE.md");
    std::fs::write(
        &md,
        "## Setup\n\n- [ ] Say hi $(touch PWNED_TEXT): `echo hello $(touch PWNED1) `touch PWNED2`; touch PWNED3 && rm -rf x`\n- [ ] Clean up `rm -rf PWNED_DIR`\n- [ ] Say it twice: ``echo 'literal $(touch PWNED4) `touch PWNED5`; x' && echo second``\n",
    )
    .expect("write");
    let config = env.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[release]\nfile = \"{}\"\ncwd = \"{}\"\n[release.allow]\ninline = [\"echo \"]\n",
            md.display(),
            work.display()
        ),
    )
    .expect("write");
    let json: Value = serde_json::from_slice(&env.run(&config, &["release", "--json"], &[]).stdout)
        .expect("json");
    let steps = json["sections"][0]["steps"]
        .as_array()
        .expect("steps")
        .clone();
    let pwned = || {
        for f in [
            "PWNED_TEXT",
            "PWNED1",
            "PWNED2",
            "PWNED3",
            "PWNED4",
            "PWNED5",
        ] {
            assert!(!work.join(f).exists(), "{f} was created: a shell ran");
            assert!(
                !env.dir.path().join(f).exists(),
                "{f} was created: a shell ran"
            );
        }
    };
    // Shell syntax is refused, never split into arguments nor run.
    let id = steps[0]["id"].as_str().expect("id").to_string();
    let out = env.run(&config, &["release", "run", &id, "--yes"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("it needs a shell (`$(…)` command substitution)"),
        "{}",
        text(&out)
    );
    pwned();
    // Quoted, the same syntax is literal text; `&&` runs two echos in order.
    let id3 = steps[2]["id"].as_str().expect("id").to_string();
    let out = env.run(&config, &["release", "run", &id3, "--yes"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        printed.lines().collect::<Vec<_>>(),
        ["literal $(touch PWNED4) `touch PWNED5`; x", "second"],
        "{printed}"
    );
    pwned();
    // The other step's inline code is not allowed: refused, exit 1.
    let id2 = steps[1]["id"].as_str().expect("id").to_string();
    let out = env.run(&config, &["release", "run", &id2, "--yes"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("refused"), "{}", text(&out));
}

#[test]
fn every_change_is_in_the_audit_log() {
    let am = Alertmanager::start();
    am.post_alerts(&json!([sg_alert(
        "critical",
        "frontend",
        "hard_error_rate",
        "search"
    )]));
    let env = Env::new();
    let md = env.dir.path().join("RELEASE.md");
    std::fs::write(&md, "## Setup\n\n- [ ] Cut the branch\n").expect("write");
    let config = env.dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[[alertmanager]]\nname = \"prod\"\nurl = \"{}\"\n[alerts]\nack_author = \"carol\"\n[release]\nfile = \"{}\"\n",
            am.url,
            md.display()
        ),
    )
    .expect("write");
    let out = env.run(
        &config,
        &[
            "ack",
            "alertname=critical_frontend_hard_error_rate",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = env.run(&config, &["release", "tick", "setup/cut-the-branch"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = env.run(&config, &["unack", &id, "--yes"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = std::fs::read_to_string(env.state().join("opsdeck/audit.jsonl")).expect("audit log");
    let entries: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["silence.create", "release.tick", "silence.expire"]
    );
    assert!(
        entries
            .iter()
            .all(|e| e["who"] == "carol" && e["result"] == "ok"),
        "{entries:?}"
    );
    assert_eq!(entries[0]["target"], "prod");
    assert_eq!(entries[0]["detail"]["id"], id.as_str());
    assert_eq!(entries[1]["detail"]["step"], "setup/cut-the-branch");
}
