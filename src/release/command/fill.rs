//! Filling a resolved command's variables: the processes to run, and the
//! lines the y/N shows.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use super::{Plan, Resolved, display, expand_home};
use crate::release::script::{self, Cmd, Word};

pub use crate::release::runner::Proc;

/// A command with every variable filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// What runs, in order; the run stops at the first that fails.
    pub procs: Vec<Proc>,
    /// Each command as the y/N shows it (`cd` and assignments included).
    pub lines: Vec<String>,
}

impl Filled {
    /// The y/N's lines: each command as it will run, where, and why.
    pub fn details(&self, resolved: &Resolved) -> Vec<String> {
        let mut out: Vec<String> = self.lines.iter().map(|l| format!("$ {l}")).collect();
        if matches!(resolved.plan, Plan::Shell(_)) {
            out = self.lines.clone();
        }
        let cwd = resolved.cwd.as_ref().map_or_else(
            || "(opsdeck's working directory)".to_string(),
            |p| p.display().to_string(),
        );
        out.push(format!("in {cwd}"));
        if self.procs.len() > 1 {
            out.push(format!(
                "{} commands, in order; the run stops at the first that fails",
                self.procs.len()
            ));
        }
        out.push(format!("from {}", resolved.because));
        if !resolved.env.is_empty() {
            let env: Vec<String> = resolved
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push(format!("env {}", env.join(" ")));
        }
        out
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

/// Fills `{placeholders}` from `vars`; returns the names still missing.
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

fn home() -> String {
    expand_home("~").to_string_lossy().into_owned()
}

/// Names a shell script assigns itself (`NAME=value` at a command's start).
fn shell_assigned(script: &str) -> HashSet<String> {
    script::shell_commands(script)
        .iter()
        .flat_map(|c| {
            c.split_whitespace()
                .map_while(|w| w.split_once('=').map(|(n, _)| n.to_owned()))
                .filter(|n| crate::core::text::is_env_name(n))
                .collect::<Vec<_>>()
        })
        .collect()
}

impl Resolved {
    /// The variables still to ask for, given `vars`, in order.
    pub fn missing(&self, vars: &BTreeMap<String, String>) -> Vec<String> {
        match self.fill(vars) {
            Ok(_) => Vec::new(),
            Err(missing) => missing,
        }
    }

    /// The processes to run with `vars` filled in, or the names missing.
    pub fn fill(&self, vars: &BTreeMap<String, String>) -> Result<Filled, Vec<String>> {
        match &self.plan {
            Plan::Argv(argv) => {
                let argv = fill(argv, vars)?;
                let shown = display(&argv);
                Ok(Filled {
                    lines: vec![shown.clone()],
                    procs: vec![Proc {
                        argv,
                        cwd: self.cwd.clone(),
                        env: self.env.clone(),
                        shown,
                    }],
                })
            }
            Plan::Shell(script) => {
                let assigned = shell_assigned(script);
                let mut env = self.env.clone();
                let mut missing = Vec::new();
                for name in script::shell_vars(script) {
                    if assigned.contains(&name) {
                        continue;
                    }
                    match vars.get(&name) {
                        Some(v) => {
                            env.insert(name, v.clone());
                        }
                        None => missing.push(name),
                    }
                }
                if !missing.is_empty() {
                    return Err(missing);
                }
                let mut lines = vec!["sh -c with this exact script:".to_owned()];
                lines.extend(script.lines().map(|l| format!("  {l}")));
                Ok(Filled {
                    lines,
                    procs: vec![Proc {
                        argv: vec!["sh".into(), "-c".into(), script.clone()],
                        cwd: self.cwd.clone(),
                        env,
                        shown: format!("sh -c {}", shell_words::quote(script.trim_end())),
                    }],
                })
            }
            Plan::Script(script_lines) => self.fill_script(script_lines, vars),
        }
    }

    fn fill_script(
        &self,
        script_lines: &[script::Line],
        vars: &BTreeMap<String, String>,
    ) -> Result<Filled, Vec<String>> {
        let home = home();
        let mut set: BTreeMap<String, String> = BTreeMap::new();
        let mut cwd = self.cwd.clone();
        let mut missing: Vec<String> = Vec::new();
        let mut out = Filled {
            procs: Vec::new(),
            lines: Vec::new(),
        };
        let mut expand = |word: &Word, set: &BTreeMap<String, String>| {
            let value = word.expand(&|n| set.get(n).or(vars.get(n)).cloned(), &home);
            if value.is_none() {
                for name in word.vars() {
                    if !set.contains_key(name)
                        && !vars.contains_key(name)
                        && !missing.iter().any(|m| m == name)
                    {
                        missing.push(name.to_owned());
                    }
                }
            }
            value.unwrap_or_default()
        };
        for line in script_lines {
            match &line.cmd {
                Cmd::Set(assigns) => {
                    let mut shown = Vec::new();
                    for (name, value) in assigns {
                        let value = expand(value, &set);
                        shown.push(format!("{name}={}", shell_words::quote(&value)));
                        set.insert(name.clone(), value);
                    }
                    out.lines
                        .push(format!("{} (for the commands after)", shown.join(" ")));
                }
                Cmd::Cd(dir) => {
                    let dir = PathBuf::from(expand(dir, &set));
                    let next = match &cwd {
                        Some(base) if dir.is_relative() => base.join(&dir),
                        _ => dir,
                    };
                    out.lines.push(format!("cd {}", next.display()));
                    cwd = Some(next);
                }
                Cmd::Run { env, argv } => {
                    let mut proc_env = self.env.clone();
                    proc_env.extend(set.clone());
                    let mut prefix = Vec::new();
                    for (name, value) in env {
                        let value = expand(value, &set);
                        prefix.push(format!("{name}={}", shell_words::quote(&value)));
                        proc_env.insert(name.clone(), value);
                    }
                    let argv: Vec<String> = argv.iter().map(|w| expand(w, &set)).collect();
                    prefix.push(display(&argv));
                    let shown = prefix.join(" ");
                    out.lines.push(shown.clone());
                    out.procs.push(Proc {
                        argv,
                        cwd: cwd.clone(),
                        env: proc_env,
                        shown,
                    });
                }
            }
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }
}
