//! The deploy pane's work: scan the deploy branch's manifests, look up each
//! repository once in its registry (bounded concurrency), ask each instance
//! its version, and — for a bump — rewrite exactly the pins' text, commit on a
//! new branch, push, and open a pull request.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;

pub use super::bumps::{Ask, Bumps, Existing, plan_bumps, plan_bumps_with};
use super::error::{DeployError, VersionError};
use super::git::Repo;
pub use super::plan::{BumpItem, BumpKind, BumpPlan, plan_bump, plan_bump_with};
use super::policy::{Follow, Rule, rule_for};
use super::registry::{RegistryAuth, RegistryClient, RegistryError, bounded};
use super::scan::PinRef;
pub use super::scan::{Scanned, Sources, scan_texts, scan_with};
pub use super::sync::DeploySnapshot;
use super::sync::{InstanceVersion, Lookup, Published, evaluate};
use crate::config::{BumpMode, Config, DeployConfig, GithubConfig, InstanceConfig};
use crate::release::command::expand_home;
use crate::release::github::GithubClient;

/// What a bump did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpResult {
    /// The pushed branch.
    pub branch: String,
    /// Its commit.
    pub commit: String,
    /// The pull request, when one was opened.
    pub pull_request: Option<String>,
    /// A problem after the push (e.g. the PR could not be opened).
    pub warning: Option<String>,
}

/// The deploy view's configured sources.
#[derive(Debug, Clone)]
pub struct Deployer {
    config: DeployConfig,
    repo: PathBuf,
    rules: Vec<Rule>,
    sources: Sources,
    registries: HashMap<String, RegistryClient>,
    http: reqwest::Client,
    github: Option<GithubConfig>,
}

/// Docker Hub's API host for a canonical `docker.io`.
fn default_registry_url(host: &str) -> String {
    if host == "docker.io" {
        "https://registry-1.docker.io".into()
    } else {
        format!("https://{host}")
    }
}

fn canonical(host: &str) -> String {
    match host.to_ascii_lowercase().as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "docker.io".into(),
        other => other.to_string(),
    }
}

impl Deployer {
    /// From `[deploy]`, if present.
    pub fn from_config(config: &Config) -> Result<Option<Deployer>, DeployError> {
        let Some(d) = &config.deploy else {
            return Ok(None);
        };
        let mut registries = HashMap::new();
        for r in &d.registry {
            let auth = match (&r.username, &r.password_env) {
                (Some(user), Some(var)) => RegistryAuth::Basic {
                    username: user.clone(),
                    password: std::env::var(var).map_err(|_| DeployError::PasswordEnv {
                        host: r.host.clone(),
                        var: var.clone(),
                    })?,
                },
                _ => RegistryAuth::Anonymous,
            };
            let client = RegistryClient::new(r.url.get_ref(), auth, r.timeout)?;
            registries.insert(canonical(&r.host), client);
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| DeployError::HttpClient(e.to_string()))?;
        Ok(Some(Deployer {
            repo: expand_home(&d.repo),
            rules: d.rules(),
            sources: Sources::new(&d.paths, &d.values)?,
            config: d.clone(),
            registries,
            http,
            github: config.github.clone(),
        }))
    }

    /// The compared branch.
    pub fn branch(&self) -> &str {
        &self.config.branch
    }

    fn registry(&self, host: &str) -> Result<RegistryClient, RegistryError> {
        let key = canonical(host);
        if let Some(c) = self.registries.get(&key) {
            return Ok(c.clone());
        }
        RegistryClient::new(
            &default_registry_url(&key),
            RegistryAuth::Anonymous,
            Duration::from_secs(10),
        )
    }

    /// Scans the branch's manifests: pins, untracked values and per-file
    /// errors.
    pub async fn scan(&self) -> Result<Scanned, DeployError> {
        let repo = Repo::open(&self.repo).await?;
        let files = repo
            .files_at(&self.config.branch, self.sources.globs())
            .await?;
        Ok(scan_with(&files, &self.sources))
    }

    /// Looks up each repository once: for a channel pin (all its pins on one
    /// tag that is not a version under the policy, or a `channel` policy)
    /// that tag's digest; otherwise its newest tag per policy and that tag's
    /// digest. At most `concurrency` lookups run at once.
    pub async fn lookups(&self, pins: &[PinRef]) -> HashMap<String, Lookup> {
        /// Per repository: host, repository, and its pins' tags.
        type Wanted = (String, String, BTreeSet<Option<String>>);
        let mut wanted: BTreeMap<String, Wanted> = BTreeMap::new();
        for p in pins {
            wanted
                .entry(p.image.key())
                .or_insert_with(|| {
                    (
                        p.image.canonical_host(),
                        p.image.repository.clone(),
                        BTreeSet::new(),
                    )
                })
                .2
                .insert(p.image.tag.clone());
        }
        let jobs: Vec<(String, String, String, Option<String>)> = wanted
            .into_iter()
            .map(|(k, (h, r, tags))| {
                let agreed = match tags.into_iter().collect::<Vec<_>>().as_slice() {
                    [one] => one.clone(),
                    _ => None,
                };
                (k, h, r, agreed)
            })
            .collect();
        let results = bounded(
            jobs,
            self.config.concurrency.max(1),
            |(key, host, repo, pinned)| async move {
                let lookup = match rule_for(&self.rules, &host, &repo) {
                    None => Err(DeployError::NoPolicy { repository: repo }),
                    Some(rule) => self.lookup(&host, &repo, rule, pinned.as_deref()).await,
                };
                (key, lookup)
            },
        )
        .await;
        results.into_iter().collect()
    }

    async fn lookup(&self, host: &str, repo: &str, rule: &Rule, pinned: Option<&str>) -> Lookup {
        let client = self.registry(host)?;
        let tag = match rule.follow(pinned) {
            Follow::Channel(tag) => tag,
            Follow::Version => {
                let policy = &rule.policy;
                let tags = client.tags(repo).await?;
                super::policy::newest(policy, &tags).ok_or_else(|| DeployError::NoTagFits {
                    repository: repo.to_owned(),
                    tags: tags.len(),
                    policy: policy.kind(),
                })?
            }
        };
        let digest = client.digest(repo, &tag).await?;
        Ok(Published {
            tag,
            digest: Some(digest),
        })
    }

    /// Asks every instance for its version, concurrently.
    pub async fn versions(&self) -> Vec<InstanceVersion> {
        bounded(
            self.config.instance.clone(),
            self.config.concurrency.max(1),
            |i| async move {
                let version = instance_version(&self.http, &i).await;
                InstanceVersion {
                    name: i.name.clone(),
                    images: i.images.clone(),
                    version,
                }
            },
        )
        .await
    }

    /// A whole refresh.
    pub async fn refresh(&self) -> Result<DeploySnapshot, DeployError> {
        let scanned = self.scan().await?;
        let (lookups, versions) = tokio::join!(self.lookups(&scanned.pins), self.versions());
        Ok(DeploySnapshot {
            images: evaluate(&scanned.pins, &lookups, &self.rules, &versions),
            untracked: scanned.untracked,
            errors: scanned.errors,
            files: scanned.files,
            branch: self.config.branch.clone(),
            at: Utc::now(),
        })
    }

    /// Whether a bump opens a pull request after pushing.
    pub fn opens_pull_requests(&self) -> bool {
        self.config.pull_request
    }

    /// How a bump of several images is split, per `[deploy] bump`.
    pub fn bump_mode(&self) -> BumpMode {
        self.config.bump
    }

    /// Plans a bump of these images (by key) to their published versions,
    /// from the branch as it is now: one plan, or one per image; and for
    /// each, whether its branch or an open pull request from it exists
    /// already.
    pub async fn plan(
        &self,
        snapshot: &DeploySnapshot,
        keys: &[String],
        mode: BumpMode,
    ) -> Result<Bumps, DeployError> {
        let repo = Repo::open(&self.repo).await?;
        let files = repo
            .files_at(&self.config.branch, self.sources.globs())
            .await?;
        let mut bumps = plan_bumps_with(&files, &self.sources, snapshot, keys, mode)?;
        if self.config.pull_request {
            for plan in &mut bumps.plans {
                plan.pull_request_in.clone_from(&self.config.github_repo);
            }
        }
        self.find_existing(&repo, &mut bumps).await;
        Ok(bumps)
    }

    /// Marks each plan whose branch is on the remote (one `git ls-remote`
    /// for all) with its open pull request, or the branch alone; a branch
    /// only in the local repository too. What cannot be asked is a warning
    /// in the plan, never a failed plan.
    async fn find_existing(&self, repo: &Repo, bumps: &mut Bumps) {
        let remote = self.config.remote.as_str();
        let names: Vec<&str> = bumps.plans.iter().map(|p| p.branch.as_str()).collect();
        let on_remote = if remote.is_empty() {
            BTreeSet::new()
        } else {
            match repo.remote_branches(remote, &names).await {
                Ok(found) => found,
                Err(e) => {
                    bumps.warnings.push(format!(
                        "could not ask {remote} for existing bump branches: {e}"
                    ));
                    BTreeSet::new()
                }
            }
        };
        let github = match (&self.config.github_repo, self.config.pull_request) {
            (Some(name), true) if !on_remote.is_empty() => {
                let gh = self.github.clone().unwrap_or_default();
                match GithubClient::new(&gh, name) {
                    Ok(client) => Some(client),
                    Err(e) => {
                        bumps
                            .warnings
                            .push(format!("could not look for existing pull requests: {e}"));
                        None
                    }
                }
            }
            _ => None,
        };
        for plan in &mut bumps.plans {
            if on_remote.contains(&plan.branch) {
                let pull = match &github {
                    Some(gh) => match gh.open_pull_from(&plan.branch).await {
                        Ok(pull) => pull,
                        Err(e) => {
                            bumps.warnings.push(format!(
                                "could not look for a pull request from {}: {e}",
                                plan.branch
                            ));
                            None
                        }
                    },
                    None => None,
                };
                plan.existing = Some(match pull {
                    Some((number, url)) => Existing::Pull { number, url },
                    None => Existing::Branch {
                        place: format!("on {remote}"),
                    },
                });
            } else if repo
                .branch_exists(&plan.branch, remote)
                .await
                .unwrap_or(false)
            {
                plan.existing = Some(Existing::Branch {
                    place: "in the local repository".into(),
                });
            }
        }
    }

    /// Carries out a plan: refuses a dirty tree or an existing branch, then
    /// commits on a new branch (the user's checkout is not touched), pushes,
    /// and opens a pull request when configured.
    pub async fn bump(&self, plan: &BumpPlan) -> Result<BumpResult, DeployError> {
        let repo = Repo::open(&self.repo).await?;
        let dirty = repo.dirty_files().await?;
        if !dirty.is_empty() {
            return Err(DeployError::Dirty {
                repo: self.repo.clone(),
                files: dirty,
            });
        }
        if repo
            .branch_exists(&plan.branch, &self.config.remote)
            .await?
        {
            return Err(DeployError::BranchExists(plan.branch.clone()));
        }
        // The plan must still apply to the branch as it is now.
        let fresh = repo
            .files_at(&self.config.branch, self.sources.globs())
            .await?;
        let fresh_texts: HashMap<&str, &str> = fresh
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        for (path, original) in &plan.originals {
            if fresh_texts.get(path.as_str()) != Some(&original.as_str()) {
                return Err(DeployError::ChangedSincePreview {
                    path: path.clone(),
                    branch: self.config.branch.clone(),
                });
            }
        }
        let commit = repo
            .commit_on_new_branch(
                &self.config.branch,
                &plan.branch,
                &plan.files,
                &plan.message,
            )
            .await?;
        if let Err(e) = repo.push(&self.config.remote, &plan.branch).await {
            let _ = repo.delete_branch(&plan.branch).await;
            return Err(DeployError::PushFailed(e));
        }
        let mut result = BumpResult {
            branch: plan.branch.clone(),
            commit,
            pull_request: None,
            warning: None,
        };
        if self.config.pull_request {
            match self.open_pull_request(plan).await {
                Ok(url) => result.pull_request = Some(url),
                Err(e) => {
                    result.warning = Some(format!(
                        "pushed {}, but the pull request could not be opened: {e}",
                        plan.branch
                    ));
                }
            }
        }
        Ok(result)
    }

    async fn open_pull_request(&self, plan: &BumpPlan) -> Result<String, DeployError> {
        let repo = self
            .config
            .github_repo
            .as_deref()
            .ok_or(DeployError::NoGithubRepo)?;
        let gh = self.github.clone().unwrap_or_default();
        let client = GithubClient::new(&gh, repo)?;
        let body = format!(
            "Bumps image pins on `{}`:\n\n{}\n\nOpened by opsdeck.",
            self.config.branch,
            plan.items
                .iter()
                .map(|i| format!("- `{}`: {}", i.repository, i.change()))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let title = plan.message.lines().next().unwrap_or(&plan.message);
        let (_, url) = client
            .create_pull(title, &plan.branch, &self.config.branch, &body)
            .await?;
        Ok(url)
    }
}

async fn instance_version(
    http: &reqwest::Client,
    i: &InstanceConfig,
) -> Result<String, VersionError> {
    use crate::net::{MAX_BODY, clip, json_text};
    let mut resp = http
        .get(i.version_url.get_ref())
        .timeout(i.timeout)
        .send()
        .await
        .map_err(|e| transport_reason(&e))?;
    let status = resp.status();
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(VersionError::TooLarge);
    }
    // Read with a cap: a version answer is a few bytes.
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_reason(&e))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(VersionError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(VersionError::Http(status.as_u16()));
    }
    let text = json_text(&body)?;
    match &i.json_pointer {
        None => {
            let v = text.trim();
            if v.len() > 200 || v.contains('\n') {
                return Err(VersionError::NotAVersion(clip(v, 60)));
            }
            Ok(clip(v, 200))
        }
        Some(ptr) => {
            let json: serde_json::Value =
                serde_json::from_str(text).map_err(|e| VersionError::Json(e.to_string()))?;
            match json.pointer(ptr) {
                Some(serde_json::Value::String(s)) => Ok(clip(s, 200)),
                Some(n @ serde_json::Value::Number(_)) => Ok(n.to_string()),
                Some(_) => Err(VersionError::NotAString(ptr.clone())),
                None => Err(VersionError::NoValue(ptr.clone())),
            }
        }
    }
}

/// A transport error's reason without the URL (it may hold credentials).
fn transport_reason(e: &reqwest::Error) -> VersionError {
    if e.is_timeout() {
        return VersionError::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return VersionError::Transport("connection refused".into());
            }
        }
        innermost = Some(s.to_string());
        source = s.source();
    }
    VersionError::Transport(innermost.unwrap_or_else(|| "request failed".into()))
}
