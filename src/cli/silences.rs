//! `opsdeck ack`, `unack`, `extend` and `silences`: every mutation prints
//! its whole scope (matchers, author, the alerts covered) and asks y/N on a
//! terminal; `--yes` is for scripts; with neither, nothing is changed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::{alertmanager, report_sources, snapshot};
use crate::alerts::client::NewSilence;
use crate::alerts::grouping::count_matching;
use crate::alerts::matcher::{Matcher, parse_silence_part, refuse_matching_everything};
use crate::app::scope::{self, matchers_text};
use crate::config::Config;
use crate::core::words;
use crate::runtime;

/// `opsdeck ack`'s arguments.
pub struct AckArgs {
    /// Matchers, one or more per argument.
    pub matchers: Vec<String>,
    /// `--team NAME` instead of matchers.
    pub team: Option<String>,
    /// `--for`.
    pub duration: Option<String>,
    /// `--comment`.
    pub comment: Option<String>,
    /// `--author`.
    pub author: Option<String>,
    /// `--yes`.
    pub yes: bool,
}

/// Asks y/N on the terminal; anything but y/yes is no.
pub(crate) fn ask(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// `None` to go on; `Some(exit code 1)` when the user declined. Without a
/// terminal and without `--yes`, refuses (an error: nothing is changed).
fn confirm(yes: bool, what: &str, question: &str) -> Result<Option<ExitCode>> {
    if yes {
        return Ok(None);
    }
    if !std::io::stdin().is_terminal() {
        bail!("refusing to {what} without confirmation: stdin is not a terminal (pass --yes)");
    }
    if ask(question)? {
        Ok(None)
    } else {
        errln!("cancelled: nothing was changed");
        Ok(Some(ExitCode::from(1)))
    }
}

/// A `--for` value: a positive duration, refused locally otherwise.
fn positive_duration(text: Option<&str>, default: Duration) -> Result<Duration> {
    let Some(text) = text else {
        return Ok(default);
    };
    let d = humantime::parse_duration(text.trim())
        .map_err(|e| eyre!("--for {text:?}: {e} (expected e.g. 2h or 30m)"))?;
    if d.is_zero() {
        bail!("--for {text:?}: a silence must last longer than that (e.g. 30m or 2h)");
    }
    Ok(d)
}

/// `opsdeck ack`.
pub async fn ack(config: &Config, demo: bool, args: AckArgs) -> Result<ExitCode> {
    let mut matchers: Vec<Matcher> = Vec::new();
    for (i, m) in args.matchers.iter().enumerate() {
        let part = parse_silence_part(m, i == 0).map_err(|e| eyre!("in '{m}': {e}"))?;
        matchers.extend(part);
    }
    if args.team.is_none() {
        refuse_matching_everything(&matchers)?;
    }
    let duration = positive_duration(args.duration.as_deref(), config.alerts.ack_duration)?;
    let state = snapshot(config, demo).await?;
    report_sources(&state);
    let now = Utc::now();
    let ends_at = now + chrono::Duration::from_std(duration)?;
    let author = args.author.unwrap_or_else(|| config.ack_author());
    let comment = args
        .comment
        .unwrap_or_else(|| config.alerts.ack_comment.clone());
    let long = duration > Duration::from_secs(7 * 24 * 3600);
    let ends = format!(
        "ends {}{}",
        ends_at.format("%Y-%m-%d %H:%M UTC"),
        if long {
            " — longer than a week; is --for right?"
        } else {
            ""
        }
    );
    let requests = if let Some(team) = &args.team {
        let Some(plan) = scope::team_ack(&state, team, now, ends_at, &author, &comment) else {
            let teams: Vec<&str> = state.alerts.groups.iter().map(|g| g.key.as_str()).collect();
            bail!(
                "no team {team:?} among the current alerts (teams: {})",
                teams.join(", ")
            );
        };
        if plan.count == 0 {
            errln!("{team}: nothing to acknowledge (every alert is silenced or inhibited)");
            return Ok(ExitCode::SUCCESS);
        }
        errln!(
            "{} silence{} for the {} active alert{} of {team}, for {} by {author}: {comment:?}; {ends}",
            plan.count,
            words::s(plan.count),
            plan.count,
            words::s(plan.count),
            humantime::format_duration(duration)
        );
        for line in &plan.preview {
            errln!("  {line}");
        }
        let question = format!(
            "Acknowledge all {} alert{} of {team}?",
            plan.count,
            words::s(plan.count)
        );
        if let Some(code) = confirm(args.yes, "create silences", &question)? {
            return Ok(code);
        }
        plan.requests
    } else {
        let targets = state.silence_targets(&[]);
        if targets.is_empty() {
            bail!("no Alertmanager is configured");
        }
        let silence = NewSilence {
            id: None,
            matchers,
            starts_at: now,
            ends_at,
            created_by: author,
            comment,
        };
        let count = count_matching(&state.alerts.all, &silence.matchers);
        errln!(
            "silence {} for {} by {} on {}; {ends}",
            matchers_text(&silence.matchers),
            humantime::format_duration(duration),
            silence.created_by,
            targets.join(", "),
        );
        if count == 0 {
            errln!("it matches no current alert (fine for a silence made ahead of time)");
        } else {
            errln!("it matches {count} current alert{}", words::s(count));
        }
        if let Some(code) = confirm(args.yes, "create a silence", "Create it?")? {
            return Ok(code);
        }
        targets
            .into_iter()
            .map(|target| crate::app::SilenceRequest {
                target,
                silence: silence.clone(),
            })
            .collect()
    };
    let clients = runtime::clients(config)?;
    let audit = crate::audit::Audit::from_config(config).for_cli();
    let mut failed = false;
    for req in requests {
        let Some(client) = alertmanager(&clients, &req.target) else {
            continue;
        };
        let result = client.post_silence(&req.silence).await;
        audit.change(
            &crate::audit::Change::SilenceCreate {
                target: &req.target,
                id: result.as_ref().ok().map(String::as_str),
                silence: &req.silence,
            },
            &result.as_ref().map_err(|e| &e.message),
        );
        match result {
            Ok(id) => outln!("{id}"),
            Err(e) => {
                errln!("error: {e}");
                failed = true;
            }
        }
    }
    Ok(exit(failed))
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `opsdeck unack ID...`.
pub async fn unack(config: &Config, demo: bool, ids: &[String], yes: bool) -> Result<ExitCode> {
    let state = snapshot(config, demo).await?;
    report_sources(&state);
    let chosen = scope::resolve_ids(&state, ids)?;
    errln!("expire {} silence{}:", chosen.len(), words::s(chosen.len()));
    for s in &chosen {
        for line in scope::describe(&state, s, None) {
            errln!("  {line}");
        }
    }
    let question = format!("Expire {} silence{}?", chosen.len(), words::s(chosen.len()));
    if let Some(code) = confirm(yes, "expire silences", &question)? {
        return Ok(code);
    }
    let clients = runtime::clients(config)?;
    let audit = crate::audit::Audit::from_config(config).for_cli();
    let mut failed = false;
    for s in chosen {
        for target in state.expire_targets(s) {
            let Some(am) = alertmanager(&clients, &target) else {
                continue;
            };
            let result = am.expire_silence(&s.id).await;
            audit.change(
                &crate::audit::Change::SilenceExpire {
                    target: &target,
                    id: &s.id,
                },
                &result.as_ref().map_err(|e| &e.message),
            );
            match result {
                Ok(()) => outln!("expired {} on {target}", s.id),
                Err(e) => {
                    errln!("error: {e}");
                    failed = true;
                }
            }
        }
    }
    Ok(exit(failed))
}

/// `opsdeck extend ID... [--for D]`.
pub async fn extend(
    config: &Config,
    demo: bool,
    ids: &[String],
    by: Option<&str>,
    yes: bool,
) -> Result<ExitCode> {
    let by = positive_duration(by, config.alerts.ack_duration)?;
    let state = snapshot(config, demo).await?;
    report_sources(&state);
    let chosen = scope::resolve_ids(&state, ids)?;
    let now = Utc::now();
    let delta = chrono::Duration::from_std(by)?;
    errln!(
        "extend {} silence{} by {}:",
        chosen.len(),
        words::s(chosen.len()),
        humantime::format_duration(by)
    );
    for s in &chosen {
        for line in scope::describe(&state, s, None) {
            errln!("  {line}");
        }
        errln!(
            "  ends {} → {}",
            s.ends_at.format("%Y-%m-%d %H:%M UTC"),
            (s.ends_at.max(now) + delta).format("%Y-%m-%d %H:%M UTC")
        );
    }
    let question = format!("Extend {} silence{}?", chosen.len(), words::s(chosen.len()));
    if let Some(code) = confirm(yes, "extend silences", &question)? {
        return Ok(code);
    }
    let clients = runtime::clients(config)?;
    let audit = crate::audit::Audit::from_config(config).for_cli();
    let mut failed = false;
    for s in chosen {
        let updated = NewSilence {
            id: Some(s.id.clone()),
            matchers: s.matchers.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at.max(now) + delta,
            created_by: s.created_by.clone(),
            comment: s.comment.clone(),
        };
        for target in state.expire_targets(s) {
            let Some(am) = alertmanager(&clients, &target) else {
                continue;
            };
            let result = am.post_silence(&updated).await;
            audit.change(
                &crate::audit::Change::SilenceExtend {
                    target: &target,
                    id: Some(&s.id),
                    silence: &updated,
                },
                &result.as_ref().map_err(|e| &e.message),
            );
            match result {
                Ok(id) => outln!(
                    "extended {id} on {target} to {}",
                    updated.ends_at.format("%Y-%m-%d %H:%M UTC")
                ),
                Err(e) => {
                    errln!("error: {e}");
                    failed = true;
                }
            }
        }
    }
    Ok(exit(failed))
}

#[derive(Serialize)]
struct SilenceJson<'a> {
    id: &'a str,
    state: &'static str,
    matchers: Vec<String>,
    starts_at: String,
    ends_at: String,
    created_by: &'a str,
    comment: &'a str,
    sources: &'a [String],
    /// How many current alerts it covers (Alertmanager's `silencedBy`).
    covers: usize,
    /// Why a regex of it is not understood here, if one is not.
    regex_not_understood: Option<&'a str>,
}

/// `opsdeck silences`.
pub async fn list(config: &Config, demo: bool, json: bool) -> Result<ExitCode> {
    let state = snapshot(config, demo).await?;
    let any_ok = report_sources(&state);
    let list = state.open_silences();
    let mut out = crate::ui::text::CleanWriter::stdout();
    if json {
        let doc: Vec<SilenceJson> = list
            .iter()
            .map(|s| SilenceJson {
                id: &s.id,
                state: s.state.as_str(),
                matchers: s.matchers.iter().map(Matcher::to_string).collect(),
                starts_at: s
                    .starts_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ends_at: s.ends_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                created_by: &s.created_by,
                comment: &s.comment,
                sources: &s.sources,
                covers: scope::covered(&state, s).len(),
                regex_not_understood: s.matchers.iter().find_map(Matcher::problem),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        if list.is_empty() {
            match state.alerts_unavailable() {
                Some(why) => writeln!(out, "{why}")?,
                None => writeln!(out, "no open silences")?,
            }
        }
        for s in list {
            writeln!(
                out,
                "{}  {:<7} ends in {:<7} {:<12} {:?}  {}  ({})",
                s.id,
                s.state.as_str(),
                crate::ui::text::until(state.now, s.ends_at),
                s.created_by,
                s.comment,
                matchers_text(&s.matchers),
                scope::coverage(&state, s, None)
            )?;
            if let Some(problem) = s.matchers.iter().find_map(Matcher::problem) {
                writeln!(out, "    ⚠ regex not understood here: {problem}")?;
            }
        }
    }
    Ok(if any_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
