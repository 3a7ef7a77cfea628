//! `[deploy]` and its tables: the deploy repository, values files, bump
//! mode, registries, tag policies and running instances.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{default_timeout, duration};

/// `[deploy]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// A local git checkout of the deploy repository (`~/` expands).
    pub repo: String,
    /// The branch whose pins are compared, and bumps start from.
    #[serde(default = "default_deploy_branch")]
    pub branch: String,
    /// Globs of manifests to scan, relative to the repository.
    #[serde(default = "default_deploy_paths")]
    pub paths: Vec<String>,
    /// Where bump branches are pushed.
    #[serde(default = "default_deploy_remote")]
    pub remote: String,
    /// After pushing, open a pull request through `[github]`.
    #[serde(default)]
    pub pull_request: bool,
    /// `owner/name` of the repository on GitHub, for pull requests.
    #[serde(default)]
    pub github_repo: Option<String>,
    /// A bump of several images: one branch and pull request for all
    /// (`grouped`), or one each (`per-image`).
    #[serde(default)]
    pub bump: BumpMode,
    /// How often registries and instances are asked again.
    #[serde(default = "default_deploy_refresh", deserialize_with = "duration")]
    pub refresh: Duration,
    /// Registry lookups in flight at once.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Where each registry host's API lives.
    #[serde(default)]
    pub registry: Vec<RegistryConfig>,
    /// Which published tag counts as newest; first match wins.
    #[serde(default)]
    pub policy: Vec<PolicyConfig>,
    /// What is running.
    #[serde(default)]
    pub instance: Vec<InstanceConfig>,
    /// Helm values files whose maps hold image pins.
    #[serde(default)]
    pub values: Vec<ValuesConfig>,
}

/// `[[deploy.values]]`: Helm values files whose maps hold image pins
/// (`repository:` or `name:`, a tag key, optionally a digest key).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuesConfig {
    /// Globs of values files, relative to the repository.
    pub paths: Vec<String>,
    /// The tag keys; the first one present (and not null) is the pin's tag.
    /// A `TAG@sha256:DIGEST` value pins the digest too.
    #[serde(default = "default_tag_keys")]
    pub tag_keys: Vec<String>,
    /// A separate digest key, if the chart has one.
    #[serde(default)]
    pub digest_key: Option<String>,
    /// The key of a full repository (`registry/org/name`) in the same map;
    /// in an ancestor map, the prefix a `name_key` joins.
    #[serde(default = "default_repository_key")]
    pub repository_key: String,
    /// The key of an image name joined to the nearest ancestor map's
    /// `repository_key`, or to `default_repository`.
    #[serde(default = "default_name_key")]
    pub name_key: String,
    /// The prefix a name is joined to when no ancestor map has a
    /// repository, e.g. `index.docker.io/sourcegraph`.
    #[serde(default)]
    pub default_repository: Option<String>,
}

fn default_tag_keys() -> Vec<String> {
    vec!["tag".into()]
}
fn default_repository_key() -> String {
    "repository".into()
}
fn default_name_key() -> String {
    "name".into()
}

/// `[deploy] bump`: how a bump of several images is split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BumpMode {
    /// One branch and one pull request for all of them.
    #[default]
    Grouped,
    /// One branch and one pull request per image.
    PerImage,
}

/// `[[deploy.registry]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryConfig {
    /// The host as written in pins, e.g. `index.docker.io`.
    pub host: String,
    /// The API base, e.g. `https://registry-1.docker.io`.
    pub url: Spanned<String>,
    /// Basic auth user (also used for the token endpoint).
    #[serde(default)]
    pub username: Option<String>,
    /// Environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

/// `[[deploy.policy]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Glob on the repository, e.g. `sourcegraph/*`.
    #[serde(rename = "match")]
    pub pattern: Spanned<String>,
    /// `semver`, `channel` or `regex`.
    pub kind: Spanned<String>,
    /// semver: a requirement such as `~3.22`.
    #[serde(default)]
    pub range: Option<String>,
    /// semver: include pre-releases.
    #[serde(default)]
    pub prerelease: bool,
    /// channel: the moving tag, e.g. `insiders`.
    #[serde(default)]
    pub tag: Option<String>,
    /// regex: the tag pattern; its first capture group is the sort key.
    #[serde(default)]
    pub regex: Option<String>,
    /// regex: `semver`, `numeric` or `lexical` (default `numeric`).
    #[serde(default)]
    pub order: Option<String>,
    /// semver, regex: propose a version for a channel pin (a tag that is not
    /// a version under the policy, like `insiders`) instead of following
    /// the channel by digest.
    #[serde(default)]
    pub convert_channels: bool,
}

/// `[[deploy.instance]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceConfig {
    /// Its name.
    pub name: String,
    /// Answers with its version: plain text, or JSON (see `json_pointer`).
    pub version_url: Spanned<String>,
    /// Where the version is in a JSON answer, e.g. `/version`.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// Repositories whose pins it runs, e.g. `["sourcegraph/frontend"]`.
    #[serde(default)]
    pub images: Vec<String>,
    /// Request timeout (default 10s).
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
}

fn default_deploy_branch() -> String {
    "master".into()
}
fn default_deploy_paths() -> Vec<String> {
    vec!["**/*.yaml".into(), "**/*.yml".into()]
}
fn default_deploy_remote() -> String {
    "origin".into()
}
fn default_deploy_refresh() -> Duration {
    Duration::from_secs(60)
}
fn default_concurrency() -> usize {
    8
}
