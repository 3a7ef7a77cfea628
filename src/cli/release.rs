//! `opsdeck release [--json]`, `release tick STEP_ID [--undo]`,
//! `release run STEP_ID [--yes] [--var NAME=VALUE]`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::silences::ask;
use crate::audit::Change;
use crate::cli::ReleaseAction;
use crate::config::Config;
use crate::release::backend::{Backend, Ensured, ReleaseDoc};
use crate::release::command::{Resolution, StepRules};
use crate::release::links::LinkKind;
use crate::release::runner::{self, RunEvent, RunSpec, Stream};
use crate::release::tasklist::{LookupError, Step};

#[derive(Serialize)]
struct ReleaseJson<'a> {
    repo: &'a str,
    number: Option<u64>,
    title: &'a str,
    milestone: Option<&'a str>,
    assignee: Option<&'a str>,
    done: usize,
    total: usize,
    blockers: Option<usize>,
    blocker_issues: Option<Vec<BlockerJson<'a>>>,
    blocker_query: Option<&'a str>,
    warnings: &'a [String],
    sections: Vec<SectionJson<'a>>,
}

#[derive(Serialize)]
struct BlockerJson<'a> {
    number: u64,
    title: &'a str,
    url: &'a str,
    assignee: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
}

#[derive(Serialize)]
struct SectionJson<'a> {
    title: &'a str,
    done: usize,
    total: usize,
    steps: Vec<StepJson<'a>>,
}

#[derive(Serialize)]
struct StepJson<'a> {
    id: &'a str,
    text: &'a str,
    done: bool,
    /// The argv when one program runs; null for a sequence or no command.
    command: Option<Vec<String>>,
    /// Each command, as written.
    commands: Vec<String>,
    command_source: &'static str,
    /// A command the issue proposes that config does not allow, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    proposed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
    /// The step's code blocks that are not its command: text to copy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    texts: Vec<String>,
    /// Progress of the steps nested in this one, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    children: Option<ChildrenJson>,
    links: Vec<LinkJson<'a>>,
    #[serde(skip_serializing_if = "is_zero")]
    more_links: usize,
}

#[derive(Serialize)]
struct ChildrenJson {
    done: usize,
    total: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Serialize)]
struct LinkJson<'a> {
    kind: &'static str,
    #[serde(rename = "ref")]
    reference: String,
    state: &'static str,
    checks: Option<&'static str>,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn links_json<'a>(doc: &'a ReleaseDoc, step: &Step) -> (Vec<LinkJson<'a>>, usize) {
    let Some(found) = doc.links.get(&step.id) else {
        return (Vec::new(), 0);
    };
    let links = found
        .states
        .iter()
        .map(|l| LinkJson {
            kind: l.kind.as_str(),
            reference: l.name.clone(),
            state: l.state_str(),
            checks: l.checks.map(|c| c.as_str()),
            url: &l.url,
            title: l.title.as_deref(),
            error: l.error.as_deref(),
        })
        .collect();
    (links, found.more)
}

/// `#16201 merged, checks success · 3.23 CI pending` for the text output.
fn links_text(doc: &ReleaseDoc, step: &Step) -> Option<String> {
    let found = doc.links.get(&step.id)?;
    let mut parts: Vec<String> = found
        .states
        .iter()
        .map(|l| {
            let name = &l.name;
            match (l.kind, l.checks) {
                (LinkKind::Ref, _) => format!("{name} CI {}", l.state_str()),
                (_, Some(c)) => format!("{name} {}, checks {}", l.state_str(), c.as_str()),
                (_, None) => format!("{name} {}", l.state_str()),
            }
        })
        .collect();
    if found.more > 0 {
        parts.push(format!("+{} more", found.more));
    }
    Some(parts.join(" · "))
}

fn backend(config: &Config) -> Result<Backend> {
    Backend::from_config(config)?.ok_or_else(|| {
        eyre!("no [release] section in the config: the release checklist is not configured")
    })
}

fn rules(config: &Config) -> StepRules {
    config
        .release
        .as_ref()
        .map(StepRules::from_config)
        .unwrap_or_default()
}

/// Runs a `release` subcommand.
pub async fn run(config: &Config, json: bool, action: Option<ReleaseAction>) -> Result<ExitCode> {
    let backend = backend(config)?;
    let doc = backend.load().await?;
    match action {
        None => show(config, &doc, json),
        Some(ReleaseAction::Tick { step_id, undo }) => {
            tick(config, &backend, &doc, &step_id, !undo).await
        }
        Some(ReleaseAction::Run { step_id, yes, vars }) => {
            run_step(config, &backend, &doc, &step_id, yes, &vars).await
        }
    }
}

fn show(config: &Config, doc: &ReleaseDoc, json: bool) -> Result<ExitCode> {
    let rules = rules(config);
    let cl = &doc.checklist;
    let mut out = crate::ui::text::CleanWriter::stdout();
    if json {
        let sections = cl
            .sections
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.steps.is_empty())
            .map(|(i, s)| {
                let (done, total) = cl.section_progress(i);
                SectionJson {
                    title: &s.title,
                    done,
                    total,
                    steps: s
                        .steps
                        .iter()
                        .map(|&j| {
                            let step = &cl.steps[j];
                            let res = rules.resolve(step);
                            let (command, commands) = match &res {
                                Resolution::Run(r) => (r.argv(), r.commands()),
                                _ => (None, Vec::new()),
                            };
                            let (proposed, refused) = match &res {
                                Resolution::Refused { code, reason } => {
                                    (Some(code.clone()), Some(reason.clone()))
                                }
                                _ => (None, None),
                            };
                            let (links, more_links) = links_json(doc, step);
                            StepJson {
                                id: &step.id,
                                text: &step.text,
                                done: step.done,
                                command,
                                commands,
                                command_source: res.source().as_str(),
                                proposed,
                                refused,
                                texts: rules.proposal(step).texts,
                                children: cl
                                    .children_progress(j)
                                    .map(|(done, total)| ChildrenJson { done, total }),
                                links,
                                more_links,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let (done, total) = cl.progress();
        let doc_json = ReleaseJson {
            repo: &doc.repo,
            number: doc.number,
            title: &doc.title,
            milestone: doc.milestone.as_deref(),
            assignee: doc.assignee.as_deref(),
            done,
            total,
            blockers: doc.blockers,
            blocker_issues: doc.blocker_issues.as_ref().map(|list| {
                list.iter()
                    .map(|b| BlockerJson {
                        number: b.number,
                        title: &b.title,
                        url: &b.url,
                        assignee: b.assignee.as_deref(),
                        repo: (b.repo != doc.repo).then_some(b.repo.as_str()),
                    })
                    .collect()
            }),
            blocker_query: doc.blocker_query.as_deref(),
            warnings: &doc.warnings,
            sections,
        };
        for w in &doc.warnings {
            errln!("warning: {w}");
        }
        serde_json::to_writer_pretty(&mut out, &doc_json)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (done, total) = cl.progress();
    let number = doc.number.map(|n| format!("#{n} ")).unwrap_or_default();
    writeln!(out, "{number}{} — {done}/{total} done", doc.title)?;
    let mut facts = Vec::new();
    if let Some(m) = &doc.milestone {
        facts.push(format!("milestone {m}"));
    }
    if let Some(a) = &doc.assignee {
        facts.push(format!("captain @{a}"));
    }
    if let Some(b) = doc.blockers {
        facts.push(format!("{b} open blocker{}", crate::core::words::s(b)));
    }
    if !facts.is_empty() {
        writeln!(out, "{}", facts.join(" · "))?;
    }
    blockers_text(&mut out, doc)?;
    for w in &doc.warnings {
        errln!("warning: {w}");
    }
    for (i, s) in cl.sections.iter().enumerate() {
        if s.steps.is_empty() {
            continue;
        }
        let (d, t) = cl.section_progress(i);
        writeln!(
            out,
            "\n{} ({d}/{t})",
            if s.title.is_empty() {
                "(top)"
            } else {
                &s.title
            }
        )?;
        for &j in &s.steps {
            let step = &cl.steps[j];
            let cmd = match rules.resolve(step) {
                Resolution::Run(r) => format!("  $ {} [{}]", r.summary(), r.source.as_str()),
                _ => String::new(),
            };
            writeln!(
                out,
                "  {}[{}] {}  ({}){cmd}",
                "  ".repeat(step.depth),
                if step.done { "x" } else { " " },
                step.text,
                step.id
            )?;
            if let Some(links) = links_text(doc, step) {
                writeln!(out, "      {}→ {links}", "  ".repeat(step.depth))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The blockers, one line each (after the facts line).
fn blockers_text(out: &mut impl Write, doc: &ReleaseDoc) -> Result<()> {
    let Some(list) = doc.blocker_issues.as_ref().filter(|l| !l.is_empty()) else {
        return Ok(());
    };
    for b in list {
        let place = if b.repo == doc.repo {
            format!("#{}", b.number)
        } else {
            format!("{}#{}", b.repo, b.number)
        };
        let who = b
            .assignee
            .as_ref()
            .map(|a| format!("  @{a}"))
            .unwrap_or_default();
        writeln!(out, "  blocker {place} {}{who}", b.title)?;
    }
    let more = doc.blockers.unwrap_or(0).saturating_sub(list.len());
    if more > 0 {
        writeln!(out, "  … and {more} more")?;
    }
    Ok(())
}

/// The step `query` names in `doc`: its exact id or a unique prefix of one.
fn lookup<'a>(doc: &'a ReleaseDoc, query: &str) -> Result<&'a Step> {
    doc.checklist.lookup(query).map_err(|e| match e {
        LookupError::Moved { .. } => e.into(),
        _ => eyre!(
            "{e}\n  run `opsdeck release` to list the step ids \
             (an id is no longer valid once its step's text or section heading changes)"
        ),
    })
}

/// `release tick`: sets the step to `done`; already so is success (exit 0,
/// nothing written).
async fn tick(
    config: &Config,
    backend: &Backend,
    doc: &ReleaseDoc,
    query: &str,
    done: bool,
) -> Result<ExitCode> {
    let id = lookup(doc, query)?.id.clone();
    let result = backend.ensure_step(doc.number, &id, done).await;
    let error = result.as_ref().err().map(ToString::to_string);
    let unchanged = match &result {
        Ok(ensured) => Ok(matches!(ensured, Ensured::Already { .. })),
        Err(_) => Err(error.as_deref().unwrap_or_default()),
    };
    audit_tick(config, doc, &id, done, unchanged);
    let state = if done { "ticked" } else { "unticked" };
    match result? {
        Ensured::Changed(outcome) => {
            if let Some(w) = outcome.warning {
                errln!("warning: {w}");
            }
            let (d, t) = outcome.doc.checklist.progress();
            outln!("{state} {id} ({d}/{t} done)");
        }
        Ensured::Already { doc } => {
            let (d, t) = doc.checklist.progress();
            outln!("already {state}: {id} ({d}/{t} done); nothing was changed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_vars(vars: &[String]) -> Result<BTreeMap<String, String>> {
    vars.iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, val)| (k.trim().to_string(), val.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| eyre!("--var {v:?}: expected NAME=VALUE"))
        })
        .collect()
}

async fn run_step(
    config: &Config,
    backend: &Backend,
    doc: &ReleaseDoc,
    step_id: &str,
    yes: bool,
    var_args: &[String],
) -> Result<ExitCode> {
    let Some(step) = doc.checklist.step(step_id) else {
        bail!(
            "no step {step_id} in {} (run `opsdeck release` to list the ids)",
            doc.title
        );
    };
    let rules = rules(config);
    let resolved = match rules.resolve(step) {
        Resolution::Run(r) => r,
        Resolution::Refused { code, reason } => {
            errln!("refused: the issue proposes `{code}`, but {reason}; nothing was run");
            return Ok(ExitCode::from(1));
        }
        Resolution::NoCommand => {
            errln!("refused: no command is configured for {step_id}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut vars = rules.vars.clone();
    if let Some(m) = &doc.milestone {
        vars.entry("milestone".into()).or_insert_with(|| m.clone());
    }
    vars.extend(parse_vars(var_args)?);
    let interactive = std::io::stdin().is_terminal();
    let filled = loop {
        match resolved.fill(&vars) {
            Ok(filled) => break filled,
            Err(missing) if interactive => {
                for name in missing {
                    eprint!("value for {}: ", resolved.var_label(&name));
                    std::io::stderr().flush()?;
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    let value = line.strip_suffix('\n').unwrap_or(&line);
                    let value = value.strip_suffix('\r').unwrap_or(value);
                    vars.insert(name, value.to_string());
                }
            }
            Err(missing) => {
                let list: Vec<String> = missing.iter().map(|m| format!("--var {m}=…")).collect();
                errln!("refused: the command needs {}", list.join(" "));
                return Ok(ExitCode::from(1));
            }
        }
    };
    errln!("{}", filled.details(&resolved).join("\n  "));
    if !yes {
        if !interactive {
            errln!("refused: no terminal to confirm on (pass --yes)");
            return Ok(ExitCode::from(1));
        }
        if !ask("Run it?")? {
            errln!("cancelled");
            return Ok(ExitCode::from(1));
        }
    }
    let r = config.release.as_ref();
    let log_dir = r
        .and_then(|r| r.log_dir.clone())
        .or_else(runner::default_log_dir)
        .unwrap_or_else(|| std::env::temp_dir().join("opsdeck-runs"));
    let log_path = runner::log_path_for(&log_dir, step_id, chrono::Utc::now());
    let audit = crate::audit::Audit::from_config(config).for_cli();
    let target = match doc.number {
        Some(n) => format!("{}#{n}", doc.repo),
        None => doc.repo.clone(),
    };
    let spec = RunSpec {
        procs: filled.procs,
        log_path: log_path.clone(),
    };
    let ran = spec.argvs();
    let mut started = false;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = runner::spawn(
        spec,
        r.map_or(std::time::Duration::from_secs(5), |r| r.stop_grace),
        move |e| {
            let _ = tx.send(e);
        },
    );
    // ctrl-c stops the command (SIGTERM, then SIGKILL), not opsdeck.
    let (step_name, log) = (step_id, log_path.as_path());
    let code = loop {
        tokio::select! {
            event = rx.recv() => match event {
                Some(RunEvent::Output { stream: Stream::Stdout, line }) => outln!("{line}"),
                Some(RunEvent::Output { stream: Stream::Stderr, line }) => errln!("{line}"),
                Some(RunEvent::Started { pid }) => {
                    started = true;
                    audit.change(
                        &Change::RunStart { target: &target, step: step_name, commands: &ran, log, pid: Some(pid) },
                        &Ok::<(), &str>(()),
                    );
                }
                Some(RunEvent::Command { shown, .. }) => errln!("$ {shown}"),
                Some(RunEvent::Failed { error }) => {
                    let change = if started {
                        Change::RunExit { target: &target, step: step_name, commands: &ran, log, code: None, signal: None }
                    } else {
                        Change::RunStart { target: &target, step: step_name, commands: &ran, log, pid: None }
                    };
                    audit.change(&change, &Err::<(), &str>(&error));
                    errln!("error: {error}");
                    break 1;
                }
                Some(RunEvent::Exited { code, signal }) => {
                    let outcome = if code == Some(0) { Ok(()) } else { Err("command failed") };
                    audit.change(
                        &Change::RunExit { target: &target, step: step_name, commands: &ran, log, code, signal },
                        &outcome,
                    );
                    break code.unwrap_or(128 + signal.unwrap_or(0));
                }
                None => break 1,
            },
            _ = tokio::signal::ctrl_c() => {
                errln!("stopping…");
                handle.stop();
            }
        }
    };
    errln!("log: {}", log_path.display());
    if code != 0 {
        errln!("exited with code {code}; {step_id} not ticked");
        return Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)));
    }
    if step.done {
        errln!("{step_id} was already ticked");
        return Ok(ExitCode::SUCCESS);
    }
    let result = backend.set_step(doc.number, step_id, true).await;
    let error = result.as_ref().err().map(ToString::to_string);
    let unchanged = error.as_deref().map_or(Ok(false), Err);
    audit_tick(config, doc, step_id, true, unchanged);
    let outcome = result.map_err(|e| eyre!("the command succeeded but ticking failed: {e}"))?;
    if let Some(w) = outcome.warning {
        errln!("warning: {w}");
    }
    errln!("ticked {step_id}");
    Ok(ExitCode::SUCCESS)
}

fn audit_tick(
    config: &Config,
    doc: &ReleaseDoc,
    step_id: &str,
    done: bool,
    // Ok(true): the step already was in that state; nothing was written.
    result: Result<bool, &str>,
) {
    let target = match doc.number {
        Some(n) => format!("{}#{n}", doc.repo),
        None => doc.repo.clone(),
    };
    crate::audit::Audit::from_config(config).for_cli().change(
        &crate::audit::Change::Step {
            target: &target,
            step: step_id,
            done,
            unchanged: result == Ok(true),
        },
        &result,
    );
}
