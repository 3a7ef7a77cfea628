//! Which command a release step may run. Local config decides; the issue
//! body can only propose:
//!
//! 1. the first `[[release.step]]` whose `match` regex (case-insensitive)
//!    matches the step text;
//! 2. else the step's own inline code, if it starts with one of
//!    `release.allow.inline`'s prefixes;
//! 3. else nothing runs.
//!
//! Commands are argv vectors, never shell strings: inline code is split with
//! shell-words and run without a shell, so `$(…)`, backticks and `;` stay
//! literal text.

use std::collections::BTreeMap;
use std::path::PathBuf;

use regex::{Regex, RegexBuilder};

use crate::config::ReleaseConfig;

/// Where a step's command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandSource {
    /// A `[[release.step]]` in local config.
    Config,
    /// The step's inline code, allowed by `release.allow.inline`.
    Inline,
    /// No command.
    None,
}

impl CommandSource {
    /// `config`, `inline` or `none` (as in `--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            CommandSource::Config => "config",
            CommandSource::Inline => "inline",
            CommandSource::None => "none",
        }
    }
}

/// A command ready to run, once its placeholders are filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The argv, possibly with `{placeholders}`.
    pub argv: Vec<String>,
    /// Working directory (`~/` expanded).
    pub cwd: Option<PathBuf>,
    /// Extra environment.
    pub env: BTreeMap<String, String>,
    /// Config or inline.
    pub source: CommandSource,
    /// Why this command: the config pattern, or the allowed prefix.
    pub because: String,
}

/// The outcome of resolving a step's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// It may run.
    Run(Resolved),
    /// The step proposes inline code that config does not allow.
    Refused {
        /// The inline code.
        code: String,
        /// Why.
        reason: String,
    },
    /// No command configured and none proposed.
    NoCommand,
}

impl Resolution {
    /// The source, for display and JSON.
    pub fn source(&self) -> CommandSource {
        match self {
            Resolution::Run(r) => r.source,
            Resolution::Refused { .. } | Resolution::NoCommand => CommandSource::None,
        }
    }

    /// The argv, when it may run.
    pub fn argv(&self) -> Option<&[String]> {
        match self {
            Resolution::Run(r) => Some(&r.argv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
struct StepRule {
    pattern: Regex,
    source: String,
    run: Vec<String>,
    cwd: Option<String>,
    env: BTreeMap<String, String>,
}

/// The command rules from `[release]`.
#[derive(Debug, Clone, Default)]
pub struct StepRules {
    rules: Vec<StepRule>,
    allow_inline: Vec<String>,
    cwd: Option<String>,
    /// Placeholder values from `release.vars`.
    pub vars: BTreeMap<String, String>,
}

/// Expands a leading `~/` (or a lone `~`) with `$HOME`.
pub fn expand_home(path: &str) -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match (path.strip_prefix("~/"), path == "~", home) {
        (Some(rest), _, Some(h)) => h.join(rest),
        (None, true, Some(h)) => h,
        _ => PathBuf::from(path),
    }
}

impl StepRules {
    /// From the config (patterns were validated when it was loaded).
    pub fn from_config(config: &ReleaseConfig) -> StepRules {
        StepRules {
            rules: config
                .step
                .iter()
                .filter_map(|s| {
                    let pattern = RegexBuilder::new(s.pattern.get_ref())
                        .case_insensitive(true)
                        .build()
                        .ok()?;
                    Some(StepRule {
                        pattern,
                        source: s.pattern.get_ref().clone(),
                        run: s.run.clone(),
                        cwd: s.cwd.clone(),
                        env: s.env.clone(),
                    })
                })
                .collect(),
            allow_inline: config.allow.commands.clone(),
            cwd: config.cwd.clone(),
            vars: config.vars.clone(),
        }
    }

    /// Resolves the command of a step with this text and inline code.
    pub fn resolve(&self, text: &str, code: &[String]) -> Resolution {
        if let Some(rule) = self.rules.iter().find(|r| r.pattern.is_match(text)) {
            return Resolution::Run(Resolved {
                argv: rule.run.clone(),
                cwd: rule.cwd.as_deref().or(self.cwd.as_deref()).map(expand_home),
                env: rule.env.clone(),
                source: CommandSource::Config,
                because: format!("[[release.step]] match = {:?}", rule.source),
            });
        }
        // The first code span that reads as a command: an allowed prefix, or
        // several words. A lone word — a file (`dev/release/config.jsonc`),
        // a version, a branch — is text, not a proposed command.
        let allowed = |c: &str| {
            self.allow_inline
                .iter()
                .any(|p| c.trim_start().starts_with(p.as_str()))
        };
        let Some(code) = code
            .iter()
            .find(|c| allowed(c) || c.trim().contains(char::is_whitespace))
        else {
            return Resolution::NoCommand;
        };
        let trimmed = code.trim_start();
        let Some(prefix) = self
            .allow_inline
            .iter()
            .find(|p| trimmed.starts_with(p.as_str()))
        else {
            return Resolution::Refused {
                code: code.clone(),
                reason: if self.allow_inline.is_empty() {
                    "inline commands are not allowed (release.allow.inline is empty)".into()
                } else {
                    format!(
                        "it does not start with an allowed prefix ({})",
                        self.allow_inline
                            .iter()
                            .map(|p| format!("{p:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            };
        };
        match shell_words::split(trimmed) {
            Ok(argv) if !argv.is_empty() => Resolution::Run(Resolved {
                argv,
                cwd: self.cwd.as_deref().map(expand_home),
                env: BTreeMap::new(),
                source: CommandSource::Inline,
                because: format!("release.allow.inline prefix {prefix:?}"),
            }),
            Ok(_) => Resolution::NoCommand,
            Err(e) => Resolution::Refused {
                code: code.clone(),
                reason: format!("it cannot be split into words: {e}"),
            },
        }
    }
}

/// The `{placeholder}` names in an argv, in order, without duplicates.
pub fn placeholders(argv: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for arg in argv {
        let mut rest = arg.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            let name = &after[..close];
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !out.iter().any(|n| n == name)
            {
                out.push(name.to_string());
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// Fills placeholders from `vars`; returns the names still missing.
pub fn fill(argv: &[String], vars: &BTreeMap<String, String>) -> Result<Vec<String>, Vec<String>> {
    let missing: Vec<String> = placeholders(argv)
        .into_iter()
        .filter(|p| !vars.contains_key(p))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(argv
        .iter()
        .map(|arg| {
            let mut out = arg.clone();
            for (k, v) in vars {
                out = out.replace(&format!("{{{k}}}"), v);
            }
            out
        })
        .collect())
}

/// An argv as a shell would need it quoted, for display only.
pub fn display(argv: &[String]) -> String {
    shell_words::join(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(extra: &str) -> StepRules {
        let text = format!(
            "[release]\nrepo = \"o/r\"\nissue = 1\n{extra}\n[[release.step]]\nmatch = \"create release candidate\"\nrun = [\"yarn\", \"release\", \"release:create-candidate\", \"{{rc}}\"]\ncwd = \"/src\"\nenv = {{ CI = \"1\" }}\n"
        );
        let c =
            crate::config::Config::parse(&text, std::path::Path::new("t.toml")).expect("config");
        StepRules::from_config(c.release.as_ref().expect("release"))
    }

    #[test]
    fn config_wins_case_insensitively() {
        let r = rules("[release.allow]\ninline = [\"yarn release \"]");
        let res = r.resolve("Create Release Candidate 1", &["rm -rf /".into()]);
        let Resolution::Run(run) = res else {
            panic!("{res:?}")
        };
        assert_eq!(run.source, CommandSource::Config);
        assert_eq!(
            run.argv,
            ["yarn", "release", "release:create-candidate", "{rc}"]
        );
        assert_eq!(run.cwd, Some(PathBuf::from("/src")));
        assert_eq!(run.env.get("CI").map(String::as_str), Some("1"));
    }

    #[test]
    fn inline_needs_an_allowed_prefix() {
        let r = rules("[release.allow]\ninline = [\"yarn release \"]");
        let res = r.resolve("Check status", &["yarn release release:status".into()]);
        assert_eq!(
            res.argv(),
            Some(
                &[
                    "yarn".to_string(),
                    "release".into(),
                    "release:status".into()
                ][..]
            )
        );
        assert_eq!(res.source(), CommandSource::Inline);
        // Prefix is literal: "yarn releaseX" does not pass.
        let res = r.resolve("x", &["yarn releasex".into()]);
        assert!(matches!(res, Resolution::Refused { .. }), "{res:?}");
        let res = r.resolve("Clean up", &["rm -rf /".into()]);
        let Resolution::Refused { reason, .. } = res else {
            panic!()
        };
        assert!(reason.contains("\"yarn release \""), "{reason}");
        assert_eq!(r.resolve("Just text", &[]), Resolution::NoCommand);
        // A lone word in backticks (a file, a version) is not a command …
        let files = ["dev/release/release-config.jsonc".into(), "3.23.0".into()];
        assert_eq!(
            r.resolve("Confirm the date in", &files),
            Resolution::NoCommand
        );
        // … and does not hide a command after it.
        let res = r.resolve(
            "Edit then run",
            &["CHANGELOG.md".into(), "yarn release release:status".into()],
        );
        assert_eq!(res.source(), CommandSource::Inline);
    }

    #[test]
    fn nothing_allowed_by_default() {
        let r = rules("");
        let res = r.resolve("Check status", &["yarn release release:status".into()]);
        let Resolution::Refused { reason, .. } = res else {
            panic!("{res:?}")
        };
        assert!(reason.contains("release.allow.inline is empty"), "{reason}");
    }

    #[test]
    fn shell_syntax_stays_literal() {
        let r = rules("[release.allow]\ninline = [\"yarn release \"]");
        let res = r.resolve("x", &["yarn release $(rm -rf ~) `id`; rm -rf /".into()]);
        let argv = res.argv().expect("runs").to_vec();
        assert_eq!(
            argv,
            [
                "yarn", "release", "$(rm", "-rf", "~)", "`id`;", "rm", "-rf", "/"
            ]
        );
        let res = r.resolve("x", &["yarn release 'unterminated".into()]);
        assert!(matches!(res, Resolution::Refused { .. }));
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
}
