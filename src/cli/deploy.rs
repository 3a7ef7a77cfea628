//! `opsdeck deploy [--json]` and `opsdeck deploy bump IMAGE|--all
//! [--include-drift] [--per-image|--grouped] [--dry-run] [--yes]`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use color_eyre::eyre::{Result, bail, eyre};
use serde::Serialize;

use super::silences::ask;
use crate::cli::DeployAction;
use crate::config::{BumpMode, Config};
use crate::deploy::plan::select_all;
use crate::deploy::service::{DeploySnapshot, Deployer, Existing};
use crate::deploy::sync::SyncState;

#[derive(Serialize)]
struct DeployJson<'a> {
    branch: &'a str,
    images: Vec<ImageJson<'a>>,
    untracked: Vec<UntrackedJson<'a>>,
    errors: Vec<String>,
}

/// An `image:` value that is not tracked, and why.
#[derive(Serialize)]
struct UntrackedJson<'a> {
    file: &'a str,
    line: usize,
    text: &'a str,
    reason: String,
}

#[derive(Serialize)]
struct ImageJson<'a> {
    image: &'a str,
    host: &'a str,
    refs: Vec<RefJson<'a>>,
    pinned: TagJson<'a>,
    published: Option<TagJson<'a>>,
    policy: Option<&'a str>,
    /// The tag a channel pin follows by digest.
    channel: Option<&'a str>,
    sync: SyncState,
    reason: Option<&'a str>,
    running: Vec<RunningJson<'a>>,
}

#[derive(Serialize)]
struct RefJson<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    /// `values` or `kustomize` for a field pin (left out for `image:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'static str>,
    /// A values map's place, e.g. `frontend.image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct TagJson<'a> {
    tag: Option<&'a str>,
    digest: Option<&'a str>,
}

#[derive(Serialize)]
struct RunningJson<'a> {
    instance: &'a str,
    version: Option<&'a str>,
    error: Option<&'a str>,
    matches_pin: bool,
}

fn deployer(config: &Config) -> Result<Deployer> {
    Deployer::from_config(config)?.ok_or_else(|| {
        eyre!("no [deploy] section in the config: deployment sync is not configured")
    })
}

/// Runs a `deploy` subcommand.
pub async fn run(config: &Config, json: bool, action: Option<DeployAction>) -> Result<ExitCode> {
    let deployer = deployer(config)?;
    let snapshot = deployer.refresh().await?;
    for e in &snapshot.errors {
        errln!("warning: {e}");
    }
    match action {
        None => show(&snapshot, json),
        // clap: IMAGE is required unless --all, and conflicts with it.
        Some(DeployAction::Bump {
            image,
            include_drift,
            per_image,
            grouped,
            dry_run,
            yes,
            ..
        }) => {
            let which = match image.as_deref() {
                Some(name) => Which::Image(name),
                None => Which::All { include_drift },
            };
            let mode = match (per_image, grouped) {
                (true, _) => BumpMode::PerImage,
                (_, true) => BumpMode::Grouped,
                _ => deployer.bump_mode(),
            };
            let how = How { mode, dry_run, yes };
            bump(config, &deployer, &snapshot, which, how).await
        }
    }
}

fn show(snapshot: &DeploySnapshot, json: bool) -> Result<ExitCode> {
    let mut out = crate::ui::text::CleanWriter::stdout();
    if json {
        let doc = DeployJson {
            branch: &snapshot.branch,
            images: snapshot
                .images
                .iter()
                .map(|i| ImageJson {
                    image: &i.repository,
                    host: &i.host,
                    refs: i
                        .refs
                        .iter()
                        .map(|r| RefJson {
                            file: &r.file,
                            line: r.line,
                            column: r.column,
                            source: r.source.fields().map(|_| r.source.as_str()),
                            path: r.source.fields().map(|f| f.path.as_str()),
                        })
                        .collect(),
                    pinned: TagJson {
                        tag: i.pinned_tag.as_deref(),
                        digest: i.pinned_digest.as_deref(),
                    },
                    published: i.published.as_ref().map(|p| TagJson {
                        tag: Some(&p.tag),
                        digest: p.digest.as_deref(),
                    }),
                    policy: i.policy,
                    channel: i.channel.as_deref(),
                    sync: i.sync,
                    reason: i.reason.as_deref(),
                    running: i
                        .running
                        .iter()
                        .map(|r| RunningJson {
                            instance: &r.instance,
                            version: r.version.as_deref(),
                            error: r.error.as_deref(),
                            matches_pin: r.matches_pin,
                        })
                        .collect(),
                })
                .collect(),
            untracked: snapshot
                .untracked
                .iter()
                .map(|u| UntrackedJson {
                    file: &u.file,
                    line: u.line,
                    text: &u.text,
                    reason: u.reason.to_string(),
                })
                .collect(),
            errors: snapshot.errors.iter().map(ToString::to_string).collect(),
        };
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<14} {:<32} {:<16} {:<16} REASON",
        "SYNC", "IMAGE", "PUBLISHED", "PINNED"
    )?;
    for i in &snapshot.images {
        writeln!(
            out,
            "{:<14} {:<32} {:<16} {:<16} {}",
            i.sync.as_str(),
            i.repository,
            i.published.as_ref().map_or("-", |p| p.tag.as_str()),
            i.pinned_tag.as_deref().unwrap_or("-"),
            i.reason.as_deref().unwrap_or("")
        )?;
        for r in &i.running {
            writeln!(
                out,
                "{:<14} running on {}: {}{}",
                "",
                r.instance,
                r.version.as_deref().or(r.error.as_deref()).unwrap_or("?"),
                if r.matches_pin {
                    " (matches the pin)"
                } else {
                    ""
                }
            )?;
        }
    }
    for u in &snapshot.untracked {
        writeln!(
            out,
            "{:<14} {:<32} {}:{}: {}",
            "untracked", u.text, u.file, u.line, u.reason
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The one image `name` names (repository, key, or its last part).
fn image_key(snapshot: &DeploySnapshot, name: &str) -> Result<Vec<String>> {
    let found: Vec<_> = snapshot
        .images
        .iter()
        .filter(|i| i.repository == name || i.key == name || i.key.ends_with(&format!("/{name}")))
        .collect();
    match found.as_slice() {
        [one] => Ok(vec![one.key.clone()]),
        [] => bail!("no pinned image {name:?} (see `opsdeck deploy`)"),
        _ => bail!("{name:?} is ambiguous; use host/repository"),
    }
}

/// What `deploy bump` was asked to bump.
enum Which<'a> {
    /// One image by name.
    Image(&'a str),
    /// `--all`, drifted pins only with `--include-drift`.
    All { include_drift: bool },
}

/// How `deploy bump` goes about it.
struct How {
    mode: BumpMode,
    dry_run: bool,
    yes: bool,
}

async fn bump(
    config: &Config,
    deployer: &Deployer,
    snapshot: &DeploySnapshot,
    which: Which<'_>,
    how: How,
) -> Result<ExitCode> {
    let keys: Vec<String> = match which {
        Which::All { include_drift } => {
            let selection = select_all(&snapshot.images, include_drift);
            if let Some(left_out) = selection.left_out() {
                errln!("{left_out}: bump each by name, or pass --include-drift");
            }
            selection.keys
        }
        Which::Image(name) => image_key(snapshot, name)?,
    };
    if keys.is_empty() {
        errln!("nothing to bump: no image is out of sync, no channel moved");
        return Ok(ExitCode::SUCCESS);
    }
    let bumps = deployer.plan(snapshot, &keys, how.mode).await?;
    for w in &bumps.warnings {
        errln!("warning: {w}");
    }
    // What exists already is named, with its link, and left alone.
    for plan in bumps.plans.iter().filter(|p| p.existing.is_some()) {
        if let Some(Existing::Pull { url, .. }) = &plan.existing {
            outln!("{url}");
        }
        errln!("{}", plan.already().unwrap_or_default());
    }
    // With pull requests on, a branch whose pull request is gone (closed,
    // not merged) is a problem to look at, not a bump done.
    let stale = deployer.opens_pull_requests()
        && bumps
            .plans
            .iter()
            .any(|p| matches!(p.existing, Some(Existing::Branch { .. })));
    let to_do = bumps.to_do();
    if to_do.is_empty() {
        errln!("nothing to bump: it exists already");
        return Ok(if stale {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    // The whole scope first: every image's change in words, then the diff.
    for plan in &to_do {
        for item in &plan.items {
            errln!("{}", item.describe());
        }
        print!("{}", crate::ui::text::clean_text(&plan.diff));
        errln!(
            "branch {} · commit \"{}\"",
            plan.branch,
            plan.message.lines().next().unwrap_or("")
        );
    }
    if how.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    if !how.yes {
        if !std::io::stdin().is_terminal() {
            bail!("refusing to bump without confirmation: stdin is not a terminal (pass --yes)");
        }
        let question = match (to_do.len(), deployer.opens_pull_requests()) {
            (1, true) => "Commit, push and open the pull request?".to_owned(),
            (1, false) => "Commit and push?".to_owned(),
            (n, true) => format!("Commit, push and open {n} pull requests, one per image?"),
            (n, false) => format!("Commit and push {n} branches, one per image?"),
        };
        if !ask(&question)? {
            errln!("cancelled");
            return Ok(ExitCode::from(1));
        }
    }
    let audit = crate::audit::Audit::from_config(config).for_cli();
    let mut code = if stale {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // Each plan on its own: one failing does not stop the others.
    for plan in to_do {
        let result = deployer.bump(plan).await;
        audit.change(&crate::audit::Change::bump(plan, &result), &result);
        match result {
            Ok(done) => {
                outln!("pushed {} ({})", done.branch, done.commit);
                if let Some(url) = &done.pull_request {
                    outln!("{url}");
                }
                if let Some(w) = &done.warning {
                    errln!("warning: {w}");
                    code = ExitCode::from(1);
                }
            }
            Err(e) => {
                errln!("error: {} not bumped: {e}", plan.branch);
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}
