//! Reading proposed commands: what runs without a shell, and what needs one.

use super::*;

fn lit(s: &str) -> Word {
    Word(vec![Part::Lit(s.into())])
}

fn argv(line: &Line) -> Vec<String> {
    match &line.cmd {
        Cmd::Run { argv, .. } => argv
            .iter()
            .map(|w| {
                w.expand(&|n| Some(format!("<{n}>")), "<home>")
                    .expect("expands")
            })
            .collect(),
        other => panic!("not a program: {other:?}"),
    }
}

fn texts(lines: &[Line]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

#[test]
fn sequences_split_on_semicolons_and_newlines_and_and() {
    let lines = read("git branch 3.23 && git push origin 3.23").expect("reads");
    assert_eq!(texts(&lines), ["git branch 3.23", "git push origin 3.23"]);
    assert_eq!(argv(&lines[1]), ["git", "push", "origin", "3.23"]);

    let block = "# cut the branch\nN=1; yarn release release:create-candidate $N\n\n  yarn release \\\n    release:status   # and look\n";
    let lines = read(block).expect("reads");
    assert_eq!(
        texts(&lines),
        [
            "N=1",
            "yarn release release:create-candidate $N",
            "yarn release release:status"
        ]
    );
    assert_eq!(lines[0].cmd, Cmd::Set(vec![("N".into(), lit("1"))]));
    assert_eq!(
        argv(&lines[1]),
        ["yarn", "release", "release:create-candidate", "<N>"]
    );
    assert_eq!(argv(&lines[2]), ["yarn", "release", "release:status"]);
}

#[test]
fn quoting_is_read_like_a_shell() {
    let lines =
        read(r#"git commit -m "Release ${VERSION} is \"out\"" -m 'a $b' x\ y"#).expect("reads");
    assert_eq!(
        argv(&lines[0]),
        [
            "git",
            "commit",
            "-m",
            "Release <VERSION> is \"out\"",
            "-m",
            "a $b",
            "x y"
        ]
    );
    // `"N=1"` is an argument, not an assignment; a later NAME=value too.
    let lines = read(r#""N=1" make V=1"#).expect("reads");
    assert_eq!(argv(&lines[0]), ["N=1", "make", "V=1"]);
    // A lone `$` and a `#` inside a word are literal.
    let lines = read("echo $ a#b").expect("reads");
    assert_eq!(argv(&lines[0]), ["echo", "$", "a#b"]);
    assert_eq!(read("echo 'open"), Err(ScriptError::Unterminated('\'')));
    assert_eq!(read("echo \"open"), Err(ScriptError::Unterminated('"')));
}

#[test]
fn assignments_cd_and_export() {
    let lines =
        read("CI=1 N=2 yarn test; export A=x B=\"$N\"; cd ~/src && cd; make").expect("reads");
    match &lines[0].cmd {
        Cmd::Run { env, argv } => {
            assert_eq!(env, &[("CI".into(), lit("1")), ("N".into(), lit("2"))]);
            assert_eq!(argv, &[lit("yarn"), lit("test")]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(lines[0].command_text(), "yarn test");
    assert_eq!(
        lines[1].cmd,
        Cmd::Set(vec![
            ("A".into(), lit("x")),
            ("B".into(), Word(vec![Part::Var("N".into())]))
        ])
    );
    assert_eq!(
        lines[2].cmd,
        Cmd::Cd(Word(vec![Part::Home, Part::Lit("/src".into())]))
    );
    assert_eq!(lines[3].cmd, Cmd::Cd(Word(vec![Part::Home])));
    assert_eq!(texts(&lines)[4], "make");
    // `~` only at a word's start (and an assignment's value).
    assert_eq!(
        argv(&read("echo a~b ~/x").expect("reads")[0]),
        ["echo", "a~b", "<home>/x"]
    );
    assert_eq!(
        read("D=~/src make").expect("reads")[0].cmd,
        Cmd::Run {
            env: vec![("D".into(), Word(vec![Part::Home, Part::Lit("/src".into())]))],
            argv: vec![lit("make")],
        }
    );
    assert_eq!(
        read("ls ~bob"),
        Err(ScriptError::NeedsShell("a `~user` home directory".into()))
    );
}

#[test]
fn shell_syntax_is_refused_naming_it() {
    let cases = [
        ("yarn release x | tee log", "a `|` pipe"),
        ("make || true", "`||`"),
        ("echo hi > out", "a redirection"),
        ("cat < in", "a redirection"),
        ("echo $(whoami)", "`$(…)` command substitution"),
        ("echo \"$(id)\"", "`$(…)` command substitution"),
        ("echo `id`", "a `…` command substitution"),
        ("rm *.log", "a `*` glob"),
        ("ls file?", "a `?` glob"),
        ("sleep 1 &", "`&` runs in the background"),
        ("(cd x && make)", "a `(…)` subshell"),
        ("echo ${N:-1}", "`${N:-1}` expansion"),
        ("echo $1", "`$1`"),
        ("if true; then echo; fi", "`if`"),
        ("source env.sh", "`source`"),
        ("export PATH", "`export PATH`"),
    ];
    for (src, what) in cases {
        assert_eq!(
            read(src),
            Err(ScriptError::NeedsShell(what.into())),
            "{src}"
        );
    }
    assert_eq!(
        read("a | b").map(|_| ()).unwrap_err().to_string(),
        "it needs a shell (a `|` pipe)"
    );
    // Quoted, the same characters are plain text.
    let lines = read("echo 'a | b > c' \"*\" \\*").expect("reads");
    assert_eq!(argv(&lines[0]), ["echo", "a | b > c", "*", "*"]);
}

#[test]
fn shell_commands_and_vars_of_a_script() {
    let script = "yarn release status | tee \"$LOG\"; curl -d \"$(cat ~/.token)\" x && echo ${GITHUB_TOKEN} '$NOT'";
    assert_eq!(
        shell_commands(script),
        [
            "yarn release status",
            "tee \"$LOG\"",
            "curl -d \"",
            "cat ~/.token)\" x",
            "echo ${GITHUB_TOKEN} '$NOT'"
        ]
    );
    assert_eq!(shell_vars(script), ["LOG", "GITHUB_TOKEN"]);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text: read never panics, and what it accepts holds no
        /// unquoted shell operator in its texts' words.
        #[test]
        fn read_never_panics(src in "\\PC{0,80}") {
            let _ = read(&src);
            let _ = shell_commands(&src);
            let _ = shell_vars(&src);
        }

        /// Plain words joined by `&&`, `;` or newlines come back as exactly
        /// those commands and arguments, whatever quoting was used.
        #[test]
        fn quoted_words_round_trip(
            commands in prop::collection::vec(
                prop::collection::vec("[a-z][a-z0-9:./-]{0,8}|'[^']{0,6}'", 1..4)
                    // A program, not `cd`, `export` or a shell keyword.
                    .prop_filter("a program", |c| {
                        let first = c[0].trim_matches('\'');
                        !first.is_empty()
                            && !c[0].starts_with('\'')
                            && !SHELL_WORDS.contains(&first)
                            && !matches!(first, "cd" | "export")
                    }),
                1..4,
            ),
            sep in prop::sample::select(vec![" && ", "; ", "\n"]),
        ) {
            let src = commands.iter().map(|c| c.join(" ")).collect::<Vec<_>>().join(sep);
            let lines = read(&src).expect("plain words read");
            prop_assert_eq!(lines.len(), commands.len());
            for (line, words) in lines.iter().zip(&commands) {
                let expected: Vec<String> =
                    words.iter().map(|w| w.trim_matches('\'').to_string()).collect();
                prop_assert_eq!(argv(line), expected);
            }
        }
    }
}
