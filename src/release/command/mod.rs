//! Which command a release step may run. Local config decides; the issue
//! body can only propose:
//!
//! 1. the first `[[release.step]]` whose `match` regex (case-insensitive)
//!    matches the step text;
//! 2. else the step's first fenced block that is a command (info string
//!    `sh`, `bash`, `shell` or `console`; or none, when its first word could
//!    be a command);
//! 3. else the step's first inline code that could be a command (its first
//!    word is an executable on `PATH`, a `./` path, or it starts with an
//!    allowed prefix);
//! 4. else nothing runs.
//!
//! A proposed command is read like a shell would read it, without one
//! ([`crate::release::script`]): `;`, `&&` and newlines make a sequence,
//! leading `NAME=value` set variables (only names in `release.allow.env`),
//! `$NAME` expands from those, then `release.vars`, else is asked for —
//! never from opsdeck's own environment. Every command of a sequence must
//! start with a `release.allow.commands` prefix. A script that needs a
//! shell runs with `sh -c` only if every command in it starts with a
//! `release.allow.shell` prefix; otherwise it is refused.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};

use super::script::{self, Cmd, Line, ScriptError};
use super::tasklist::{CodeBlock, Step};
use crate::config::ReleaseConfig;

mod fill;
#[cfg(test)]
mod tests;

pub use fill::{Filled, Proc, fill, placeholders};

/// Where a step's command came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandSource {
    /// A `[[release.step]]` in local config.
    Config,
    /// The step's inline code.
    Inline,
    /// A fenced code block in the step.
    Block,
    /// No command.
    None,
}

impl CommandSource {
    /// `config`, `inline`, `block` or `none` (as in `--json`).
    pub fn as_str(self) -> &'static str {
        match self {
            CommandSource::Config => "config",
            CommandSource::Inline => "inline",
            CommandSource::Block => "block",
            CommandSource::None => "none",
        }
    }
}

/// What runs, before variables are filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A `[[release.step]]` argv with `{placeholders}`.
    Argv(Vec<String>),
    /// Commands from the issue, run in order without a shell, stopping at
    /// the first failure.
    Script(Vec<Line>),
    /// A script allowed by `release.allow.shell`, run with `sh -c`.
    Shell(String),
}

/// A command ready to run, once its variables are filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// What runs.
    pub plan: Plan,
    /// Working directory (`~/` expanded).
    pub cwd: Option<PathBuf>,
    /// Extra environment from config.
    pub env: BTreeMap<String, String>,
    /// Config, a block or inline code.
    pub source: CommandSource,
    /// Why this command: the config pattern, or the allowed prefixes.
    pub because: String,
}

impl Resolved {
    /// The command as one line for lists: the argv, or the script's commands
    /// joined with `; ` (variables unfilled).
    pub fn summary(&self) -> String {
        match &self.plan {
            Plan::Argv(argv) => display(argv),
            Plan::Script(lines) => lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            Plan::Shell(script) => format!(
                "sh -c {}",
                shell_words::quote(&script.split_whitespace().collect::<Vec<_>>().join(" "))
            ),
        }
    }

    /// The argv, when exactly one program runs (variables as `{rc}` or
    /// `${N}`); `None` for a sequence.
    pub fn argv(&self) -> Option<Vec<String>> {
        match &self.plan {
            Plan::Argv(argv) => Some(argv.clone()),
            Plan::Shell(script) => Some(vec!["sh".into(), "-c".into(), script.clone()]),
            Plan::Script(lines) => match lines.as_slice() {
                [
                    Line {
                        cmd: Cmd::Run { env, argv },
                        ..
                    },
                ] if env.is_empty() => Some(argv.iter().map(|w| w.shown()).collect()),
                _ => None,
            },
        }
    }

    /// Each command as written (one for config and shell scripts).
    pub fn commands(&self) -> Vec<String> {
        match &self.plan {
            Plan::Argv(argv) => vec![display(argv)],
            Plan::Script(lines) => lines.iter().map(|l| l.text.clone()).collect(),
            Plan::Shell(script) => vec![script.trim_end().to_owned()],
        }
    }

    /// How a variable is written in this command: `{rc}` in config, `$N`
    /// in the commands.
    pub fn var_label(&self, name: &str) -> String {
        match self.plan {
            Plan::Argv(_) => format!("{{{name}}}"),
            _ => format!("${name}"),
        }
    }
}

/// The outcome of resolving a step's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// It may run.
    Run(Resolved),
    /// The step proposes a command that config does not allow.
    Refused {
        /// The proposed text.
        code: String,
        /// Why.
        reason: String,
    },
    /// No command configured and none proposed.
    NoCommand,
}

impl Resolution {
    /// A refusal in two or three words for the step's row (`needs a
    /// shell`, `not allowed`); the whole reason is shown for the selected
    /// step.
    pub fn refusal_label(&self) -> &'static str {
        match self {
            Resolution::Refused { reason, .. } if reason.contains("needs a shell") => {
                "needs a shell"
            }
            _ => "not allowed",
        }
    }

    /// The source, for display and JSON.
    pub fn source(&self) -> CommandSource {
        match self {
            Resolution::Run(r) => r.source,
            Resolution::Refused { .. } | Resolution::NoCommand => CommandSource::None,
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
    allow_commands: Vec<String>,
    allow_env: Vec<String>,
    allow_shell: Vec<String>,
    cwd: Option<String>,
    /// Values from `release.vars`.
    pub vars: BTreeMap<String, String>,
    /// Program names found on `PATH` (`None`: look at the real `PATH`).
    path: Option<Arc<HashSet<String>>>,
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

/// The executables on this process's `PATH` (read once).
fn path_programs() -> &'static HashSet<String> {
    static PROGRAMS: OnceLock<HashSet<String>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        use std::os::unix::fs::PermissionsExt;
        let mut found = HashSet::new();
        let path = std::env::var_os("PATH").unwrap_or_default();
        for dir in std::env::split_paths(&path) {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let exec = std::fs::metadata(entry.path())
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
                if exec {
                    found.insert(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
        found
    })
}

/// Info strings that make a fenced block a command.
const SHELL_INFO: &[&str] = &["sh", "bash", "shell", "console"];

/// A console block's commands: its `$ ` lines without the prompt (the other
/// lines are output); all of it if no line has a prompt.
fn console_commands(text: &str) -> String {
    let prompted: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("$ "))
        .collect();
    if prompted.is_empty() {
        text.to_owned()
    } else {
        prompted.join("\n") + "\n"
    }
}

fn quoted_list(list: &[String]) -> String {
    list.iter()
        .map(|p| format!("{p:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a step proposes: its command text, where it is, and its other
/// blocks (text to copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The command text and whether it came from a block.
    pub command: Option<(String, CommandSource)>,
    /// Blocks that are not the command: text to copy.
    pub texts: Vec<String>,
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
            allow_commands: config.allow.commands.clone(),
            allow_env: config.allow.env.clone(),
            allow_shell: config.allow.shell.clone(),
            cwd: config.cwd.clone(),
            vars: config.vars.clone(),
            path: None,
        }
    }

    /// The same rules with these program names standing for `PATH` (tests).
    pub fn with_path<I: IntoIterator<Item = S>, S: Into<String>>(mut self, programs: I) -> Self {
        self.path = Some(Arc::new(programs.into_iter().map(Into::into).collect()));
        self
    }

    fn on_path(&self, program: &str) -> bool {
        match &self.path {
            Some(set) => set.contains(program),
            None => path_programs().contains(program),
        }
    }

    fn allowed_prefix<'a>(list: &'a [String], text: &str) -> Option<&'a String> {
        list.iter()
            .find(|p| text.trim_start().starts_with(p.as_str()))
    }

    /// Whether `text` could be a command: it starts with an allowed prefix,
    /// or its first word (after `NAME=value`s) is `cd`, `export`, a `./`
    /// path or an executable on `PATH`.
    pub fn could_be_command(&self, text: &str) -> bool {
        let text = text.trim_start();
        if Self::allowed_prefix(&self.allow_commands, text).is_some()
            || Self::allowed_prefix(&self.allow_shell, text).is_some()
        {
            return true;
        }
        let first = text.split_whitespace().find(|w| {
            !w.split_once('=')
                .is_some_and(|(name, _)| crate::core::text::is_env_name(name))
        });
        match first {
            Some("cd" | "export") => true,
            Some(w) if w.contains('/') => w.starts_with("./"),
            Some(w) => self.on_path(w),
            None => text.split_whitespace().next().is_some(),
        }
    }

    /// The step's proposed command (first command block, else first inline
    /// code that could be a command) and its text blocks.
    pub fn proposal(&self, step: &Step) -> Proposal {
        let mut command = None;
        let mut texts = Vec::new();
        for block in &step.blocks {
            match (command.is_none(), self.block_command(block)) {
                (true, Some(text)) => command = Some((text, CommandSource::Block)),
                _ => texts.push(block.text.clone()),
            }
        }
        if command.is_none() {
            command = step
                .code
                .iter()
                .find(|c| self.could_be_command(c))
                .map(|c| (c.trim().to_owned(), CommandSource::Inline));
        }
        Proposal { command, texts }
    }

    fn block_command(&self, block: &CodeBlock) -> Option<String> {
        if !block.fenced || block.text.trim().is_empty() {
            return None;
        }
        if block.info == "console" {
            return Some(console_commands(&block.text));
        }
        let first_line = block
            .text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        let command = SHELL_INFO.contains(&block.info.as_str())
            || (block.info.is_empty() && first_line.is_some_and(|l| self.could_be_command(l)));
        command.then(|| block.text.clone())
    }

    /// Resolves the command of a step.
    pub fn resolve(&self, step: &Step) -> Resolution {
        if let Some(rule) = self.rules.iter().find(|r| r.pattern.is_match(&step.text)) {
            return Resolution::Run(Resolved {
                plan: Plan::Argv(rule.run.clone()),
                cwd: rule.cwd.as_deref().or(self.cwd.as_deref()).map(expand_home),
                env: rule.env.clone(),
                source: CommandSource::Config,
                because: format!("[[release.step]] match = {:?}", rule.source),
            });
        }
        match self.proposal(step).command {
            Some((text, source)) => self.resolve_text(&text, source),
            None => Resolution::NoCommand,
        }
    }

    /// Resolves a command the issue proposes.
    pub fn resolve_text(&self, text: &str, source: CommandSource) -> Resolution {
        let code = text.trim_end_matches('\n').to_owned();
        let refuse = |reason: String| Resolution::Refused {
            code: code.clone(),
            reason,
        };
        let lines = match script::read(text) {
            Ok(lines) => lines,
            Err(ScriptError::NeedsShell(what)) => return self.resolve_shell(text, source, &what),
            Err(e) => return refuse(format!("it cannot be split into words: {e}")),
        };
        if !lines.iter().any(|l| matches!(l.cmd, Cmd::Run { .. })) {
            return Resolution::NoCommand;
        }
        for line in &lines {
            let names: Vec<&str> = match &line.cmd {
                Cmd::Run { env, .. } | Cmd::Set(env) => {
                    env.iter().map(|(n, _)| n.as_str()).collect()
                }
                Cmd::Cd(_) => Vec::new(),
            };
            if let Some(name) = names
                .iter()
                .find(|n| !self.allow_env.iter().any(|a| a == *n))
            {
                return refuse(self.env_refusal(name));
            }
            if !matches!(line.cmd, Cmd::Run { .. }) {
                continue;
            }
            if self.allow_commands.is_empty() {
                return refuse(
                    "commands from the issue are not allowed (release.allow.commands is empty)"
                        .into(),
                );
            }
            if Self::allowed_prefix(&self.allow_commands, line.command_text()).is_none() {
                return refuse(format!(
                    "`{}` does not start with an allowed prefix ({})",
                    line.command_text(),
                    quoted_list(&self.allow_commands)
                ));
            }
        }
        let because = format!(
            "release.allow.commands ({})",
            quoted_list(&self.allow_commands)
        );
        Resolution::Run(Resolved {
            plan: Plan::Script(lines),
            cwd: self.cwd.as_deref().map(expand_home),
            env: BTreeMap::new(),
            source,
            because,
        })
    }

    fn env_refusal(&self, name: &str) -> String {
        if self.allow_env.is_empty() {
            format!("it sets {name}, and release.allow.env lists no names")
        } else {
            format!(
                "it sets {name}, which release.allow.env does not list ({})",
                quoted_list(&self.allow_env)
            )
        }
    }

    fn resolve_shell(&self, text: &str, source: CommandSource, what: &str) -> Resolution {
        let code = text.trim_end_matches('\n').to_owned();
        let refuse = |reason: String| Resolution::Refused {
            code: code.clone(),
            reason,
        };
        if self.allow_shell.is_empty() {
            return refuse(format!(
                "it needs a shell ({what}); only scripts starting with a release.allow.shell prefix may run with sh -c"
            ));
        }
        for command in script::shell_commands(text) {
            let mut rest = command.as_str();
            while let Some((word, after)) = rest.split_once(' ') {
                match word.split_once('=') {
                    Some((name, _)) if crate::core::text::is_env_name(name) => {
                        if !self.allow_env.iter().any(|a| a == name) {
                            return refuse(self.env_refusal(name));
                        }
                        rest = after;
                    }
                    _ => break,
                }
            }
            if Self::allowed_prefix(&self.allow_shell, rest).is_none() {
                return refuse(format!(
                    "it needs a shell ({what}), and `{rest}` does not start with a release.allow.shell prefix ({})",
                    quoted_list(&self.allow_shell)
                ));
            }
        }
        Resolution::Run(Resolved {
            plan: Plan::Shell(text.to_owned()),
            cwd: self.cwd.as_deref().map(expand_home),
            env: BTreeMap::new(),
            source,
            because: format!(
                "release.allow.shell ({}): it needs a shell ({what})",
                quoted_list(&self.allow_shell)
            ),
        })
    }
}

/// An argv as a shell would need it quoted, for display only.
pub fn display(argv: &[String]) -> String {
    shell_words::join(argv)
}
