//! Two dimensions per image, like Argo CD's sync and health:
//!
//! * **sync** — `synced` (the pin is the newest tag per policy and its digest
//!   matches the registry), `out_of_sync` (something newer is published),
//!   `channel_moved` (a channel pin — `insiders`, `latest` — whose tag now
//!   serves another digest), `drift` (a version pin whose tag the registry
//!   now serves with another digest: re-pushed), `unknown` (with the
//!   reason);
//! * **running** — per instance, the version it reports and whether it
//!   matches the pin.
//!
//! Pure: the registry lookups and instance versions come in as data.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::error::{DeployError, VersionError};
use super::policy::{Follow, Rule, is_newer, rule_for};
use chrono::{DateTime, Utc};

use super::scan::{PinRef, ScanError, Untracked};

/// What the registry has for a repository, per its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// The newest tag per policy.
    pub tag: String,
    /// That tag's manifest digest.
    pub digest: Option<String>,
}

/// A repository's lookup: published, or why not.
pub type Lookup = Result<Published, DeployError>;

/// The sync dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Something newer is published.
    OutOfSync,
    /// A channel pin whose tag now serves another digest.
    ChannelMoved,
    /// A version pin whose tag the registry now serves with another digest
    /// (re-pushed): left out of bump-all unless asked for.
    Drift,
    /// Could not tell (see the reason).
    Unknown,
    /// The pin is the newest and its digest matches.
    Synced,
}

impl SyncState {
    /// As in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::OutOfSync => "out_of_sync",
            SyncState::ChannelMoved => "channel_moved",
            SyncState::Drift => "drift",
            SyncState::Unknown => "unknown",
        }
    }

    /// In words, for the screen: `out of sync`, `channel moved`.
    pub fn label(self) -> &'static str {
        match self {
            SyncState::Synced => "synced",
            SyncState::OutOfSync => "out of sync",
            SyncState::ChannelMoved => "channel moved",
            SyncState::Drift => "drift",
            SyncState::Unknown => "unknown",
        }
    }

    /// Whether a bump has something to do: a newer version, a moved
    /// channel, or a drifted pin to re-pin.
    pub fn bumpable(self) -> bool {
        matches!(
            self,
            SyncState::OutOfSync | SyncState::ChannelMoved | SyncState::Drift
        )
    }
}

/// One refresh's result.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploySnapshot {
    /// Per image, worst first.
    pub images: Vec<ImageStatus>,
    /// `image:` values that are not plain references, listed with their
    /// reasons (never compared or bumped).
    pub untracked: Vec<Untracked>,
    /// Files that could not be scanned (reported, not fatal).
    pub errors: Vec<ScanError>,
    /// How many manifests were scanned.
    pub files: usize,
    /// The branch compared.
    pub branch: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What one instance runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// Instance name.
    pub instance: String,
    /// The version it reports.
    pub version: Option<String>,
    /// Why there is none.
    pub error: Option<String>,
    /// Equal to the pinned tag.
    pub matches_pin: bool,
}

/// An instance's reported version and the images it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceVersion {
    /// Instance name.
    pub name: String,
    /// Repositories (e.g. `sourcegraph/frontend`) whose pin it runs.
    pub images: Vec<String>,
    /// The version, or why it could not be read.
    pub version: Result<String, VersionError>,
}

/// Everything the view shows about one image (one repository).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageStatus {
    /// `canonical-host/repository`, the lookup key.
    pub key: String,
    /// The registry host as written in the first pin.
    pub host: String,
    /// The repository, e.g. `sourcegraph/frontend`.
    pub repository: String,
    /// Every place it is pinned.
    pub refs: Vec<PinRef>,
    /// The pinned tag (when all pins agree).
    pub pinned_tag: Option<String>,
    /// The pinned digest (when all pins agree).
    pub pinned_digest: Option<String>,
    /// The policy kind, if one applies.
    pub policy: Option<&'static str>,
    /// The tag followed by digest, for a channel pin (`insiders`).
    pub channel: Option<String>,
    /// What the registry has.
    pub published: Option<Published>,
    /// Sync.
    pub sync: SyncState,
    /// Why, for `unknown` and `out_of_sync`.
    pub reason: Option<String>,
    /// Per instance.
    pub running: Vec<Running>,
}

fn short(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    hex.chars().take(7).collect()
}

fn normalize(version: &str) -> &str {
    let v = version.trim();
    v.strip_prefix('v').unwrap_or(v)
}

/// Groups pins by repository and decides sync and running for each.
/// `lookups` are keyed by [`super::imageref::ImageRef::key`]. Out-of-sync
/// images come first, then moved channels, drift, unknown and synced; by
/// name within each.
pub fn evaluate(
    pins: &[PinRef],
    lookups: &HashMap<String, Lookup>,
    rules: &[Rule],
    instances: &[InstanceVersion],
) -> Vec<ImageStatus> {
    let mut groups: BTreeMap<String, Vec<PinRef>> = BTreeMap::new();
    for p in pins {
        groups.entry(p.image.key()).or_default().push(p.clone());
    }
    let mut out: Vec<ImageStatus> = groups
        .into_iter()
        .map(|(key, refs)| status(key, refs, lookups, rules, instances))
        .collect();
    out.sort_by(|a, b| {
        a.sync
            .cmp(&b.sync)
            .then_with(|| a.repository.cmp(&b.repository))
    });
    out
}

fn status(
    key: String,
    refs: Vec<PinRef>,
    lookups: &HashMap<String, Lookup>,
    rules: &[Rule],
    instances: &[InstanceVersion],
) -> ImageStatus {
    let first = &refs[0].image;
    let host = first.host.clone();
    let repository = first.repository.clone();
    let mut pins: BTreeMap<(Option<String>, Option<String>), usize> = BTreeMap::new();
    for r in &refs {
        *pins
            .entry((r.image.tag.clone(), r.image.digest.clone()))
            .or_default() += 1;
    }
    let agreed = (pins.len() == 1)
        .then(|| pins.keys().next().cloned())
        .flatten();
    let (pinned_tag, pinned_digest) = agreed.clone().unwrap_or((None, None));
    let rule = rule_for(rules, &first.canonical_host(), &repository);
    let published = lookups.get(&key).and_then(|l| l.as_ref().ok()).cloned();

    let channel = match rule.map(|r| r.follow(pinned_tag.as_deref())) {
        Some(Follow::Channel(tag)) if agreed.is_some() => Some(tag),
        _ => None,
    };
    let (sync, reason) = decide(
        agreed.is_some(),
        &pins,
        pinned_tag.as_deref(),
        pinned_digest.as_deref(),
        rule,
        lookups.get(&key),
        &repository,
    );

    let running = instances
        .iter()
        .filter(|i| {
            i.images
                .iter()
                .any(|img| *img == repository || key.ends_with(&format!("/{img}")))
        })
        .map(|i| match &i.version {
            Ok(v) => Running {
                instance: i.name.clone(),
                version: Some(v.clone()),
                error: None,
                matches_pin: pinned_tag
                    .as_deref()
                    .is_some_and(|t| normalize(t) == normalize(v)),
            },
            Err(e) => Running {
                instance: i.name.clone(),
                version: None,
                error: Some(e.to_string()),
                matches_pin: false,
            },
        })
        .collect();

    ImageStatus {
        key,
        host,
        repository,
        refs,
        pinned_tag,
        pinned_digest,
        policy: rule.map(|r| r.policy.kind()),
        channel,
        published,
        sync,
        reason,
        running,
    }
}

fn decide(
    agreed: bool,
    pins: &BTreeMap<(Option<String>, Option<String>), usize>,
    tag: Option<&str>,
    digest: Option<&str>,
    rule: Option<&Rule>,
    lookup: Option<&Lookup>,
    repository: &str,
) -> (SyncState, Option<String>) {
    let unknown = |why: String| (SyncState::Unknown, Some(why));
    if !agreed {
        let list: Vec<String> = pins
            .iter()
            .map(|((t, _), n)| format!("{} ({n}×)", t.as_deref().unwrap_or("no tag")))
            .collect();
        return unknown(format!("pinned differently: {}", list.join(", ")));
    }
    let Some(rule) = rule else {
        return unknown(format!("no [[deploy.policy]] matches {repository}"));
    };
    let published = match lookup {
        None => return unknown("not looked up yet".into()),
        Some(Err(e)) => return unknown(e.to_string()),
        Some(Ok(p)) => p,
    };
    match rule.follow(tag) {
        Follow::Channel(channel) => {
            let Some(pinned) = digest else {
                return unknown(format!("the pin has no digest to compare with {channel}"));
            };
            if published.tag != channel {
                return unknown(format!(
                    "looked up {}, not the channel {channel}; refresh",
                    published.tag
                ));
            }
            match &published.digest {
                None => unknown(format!("the registry gave no digest for {channel}")),
                Some(d) if d == pinned => (SyncState::Synced, None),
                Some(d) => (
                    SyncState::ChannelMoved,
                    Some(format!("{channel} moved: {} → {}", short(pinned), short(d))),
                ),
            }
        }
        Follow::Version => {
            let policy = &rule.policy;
            let Some(tag) = tag else {
                return unknown("the pin has no tag".into());
            };
            if is_newer(policy, &published.tag, tag) {
                return (
                    SyncState::OutOfSync,
                    Some(format!("{tag} → {}", published.tag)),
                );
            }
            if published.tag != tag && is_newer(policy, tag, &published.tag) {
                return unknown(format!(
                    "pinned {tag} is newer than anything published (newest: {})",
                    published.tag
                ));
            }
            match (digest, &published.digest) {
                (Some(p), Some(r)) if published.tag == tag && p != r => (
                    SyncState::Drift,
                    Some(format!(
                        "{tag} was re-pushed: pinned {}, the registry serves {}",
                        short(p),
                        short(r)
                    )),
                ),
                _ => (SyncState::Synced, None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::imageref::ImageRef;
    use crate::deploy::policy::Policy;
    use crate::deploy::registry::RegistryError;

    fn pin(file: &str, image: &str) -> PinRef {
        PinRef {
            file: file.into(),
            line: 1,
            column: 1,
            span: 0..image.len(),
            raw: image.into(),
            image: ImageRef::parse(image).expect("image"),
            kind: Some("Deployment".into()),
            container: None,
            source: crate::deploy::scan::PinSource::Image,
        }
    }

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn rules() -> Vec<Rule> {
        vec![
            Rule::new(
                "sourcegraph/server",
                Policy::Channel {
                    tag: "insiders".into(),
                },
            )
            .expect("rule"),
            Rule::new(
                "sourcegraph/*",
                Policy::Semver {
                    range: None,
                    prerelease: false,
                },
            )
            .expect("rule"),
        ]
    }

    fn published(tag: &str, digest: &str) -> Lookup {
        Ok(Published {
            tag: tag.into(),
            digest: Some(digest.into()),
        })
    }

    #[test]
    fn semver_states() {
        let pins = vec![
            pin(
                "a.yaml",
                &format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}"),
            ),
            pin(
                "b.yaml",
                &format!("index.docker.io/sourcegraph/gitserver:3.23.1@{D1}"),
            ),
            pin(
                "c.yaml",
                &format!("index.docker.io/sourcegraph/searcher:3.23.1@{D1}"),
            ),
            pin("d.yaml", "index.docker.io/sourcegraph/symbols:3.23.1"),
        ];
        let mut lookups = HashMap::new();
        lookups.insert(
            "docker.io/sourcegraph/frontend".to_string(),
            published("3.23.1", D2),
        );
        lookups.insert(
            "docker.io/sourcegraph/gitserver".to_string(),
            published("3.23.1", D1),
        );
        lookups.insert(
            "docker.io/sourcegraph/searcher".to_string(),
            published("3.23.1", D2),
        );
        lookups.insert(
            "docker.io/sourcegraph/symbols".to_string(),
            Err(RegistryError::new("registry: connection refused").into()),
        );
        let out = evaluate(&pins, &lookups, &rules(), &[]);
        let by = |r: &str| out.iter().find(|s| s.repository == r).expect("image");
        assert_eq!(by("sourcegraph/frontend").sync, SyncState::OutOfSync);
        assert_eq!(
            by("sourcegraph/frontend").reason.as_deref(),
            Some("3.22.0 → 3.23.1")
        );
        assert_eq!(by("sourcegraph/gitserver").sync, SyncState::Synced);
        assert_eq!(by("sourcegraph/searcher").sync, SyncState::Drift);
        assert_eq!(
            by("sourcegraph/searcher").reason.as_deref(),
            Some("3.23.1 was re-pushed: pinned 1111111, the registry serves 2222222")
        );
        assert_eq!(by("sourcegraph/symbols").sync, SyncState::Unknown);
        assert_eq!(
            by("sourcegraph/symbols").reason.as_deref(),
            Some("registry: connection refused")
        );
        // Worst first.
        assert_eq!(out[0].sync, SyncState::OutOfSync);
        assert_eq!(out.last().map(|s| s.sync), Some(SyncState::Synced));
    }

    #[test]
    fn channel_compares_digests() {
        let pins = vec![pin("a.yaml", &format!("sourcegraph/server:insiders@{D1}"))];
        let mut lookups = HashMap::new();
        lookups.insert(
            "docker.io/sourcegraph/server".to_string(),
            published("insiders", D1),
        );
        assert_eq!(
            evaluate(&pins, &lookups, &rules(), &[])[0].sync,
            SyncState::Synced
        );
        lookups.insert(
            "docker.io/sourcegraph/server".to_string(),
            published("insiders", D2),
        );
        let out = evaluate(&pins, &lookups, &rules(), &[]);
        assert_eq!(out[0].sync, SyncState::ChannelMoved);
        assert_eq!(out[0].channel.as_deref(), Some("insiders"));
        assert_eq!(
            out[0].reason.as_deref(),
            Some("insiders moved: 1111111 → 2222222")
        );
        let pins = vec![pin("a.yaml", "sourcegraph/server:insiders")];
        assert_eq!(
            evaluate(&pins, &lookups, &rules(), &[])[0].sync,
            SyncState::Unknown
        );
    }

    /// `lang-go:insiders` under `sourcegraph/*` semver: a channel pin.
    #[test]
    fn a_moving_tag_under_a_version_policy_is_compared_by_digest() {
        let key = "docker.io/sourcegraph/lang-go".to_string();
        let eval = |pin_text: &str, lookup: Lookup, rules: &[Rule]| {
            let pins = vec![pin("a.yaml", pin_text)];
            let lookups = HashMap::from([(key.clone(), lookup)]);
            evaluate(&pins, &lookups, rules, &[]).remove(0)
        };
        let insiders = format!("index.docker.io/sourcegraph/lang-go:insiders@{D1}");
        let same = eval(&insiders, published("insiders", D1), &rules());
        assert_eq!((same.sync, same.reason), (SyncState::Synced, None));
        assert_eq!(same.channel.as_deref(), Some("insiders"));
        assert_eq!(same.policy, Some("semver"));
        let moved = eval(&insiders, published("insiders", D2), &rules());
        assert_eq!(moved.sync, SyncState::ChannelMoved);
        assert_eq!(
            moved.reason.as_deref(),
            Some("insiders moved: 1111111 → 2222222"),
            "never a version: not insiders → 3.23.0"
        );
        for tag in ["latest", "main"] {
            let s = eval(
                &format!("sourcegraph/lang-go:{tag}@{D1}"),
                published(tag, D2),
                &rules(),
            );
            assert_eq!(s.sync, SyncState::ChannelMoved, "{tag}");
            assert_eq!(s.channel.as_deref(), Some(tag));
        }
        // A lookup of another tag than the channel (stale) is not compared.
        let stale = eval(&insiders, published("3.23.0", D2), &rules());
        assert_eq!(stale.sync, SyncState::Unknown);
        // Without a digest there is nothing to compare.
        let bare = eval(
            "sourcegraph/lang-go:insiders",
            published("insiders", D2),
            &rules(),
        );
        assert_eq!(bare.sync, SyncState::Unknown);
        assert_eq!(
            bare.reason.as_deref(),
            Some("the pin has no digest to compare with insiders")
        );
        // convert_channels: proposed the newest version, as a version pin.
        let converting = vec![
            Rule::new(
                "sourcegraph/*",
                Policy::Semver {
                    range: None,
                    prerelease: false,
                },
            )
            .expect("rule")
            .with_convert_channels(true),
        ];
        let converted = eval(&insiders, published("3.23.0", D2), &converting);
        assert_eq!(converted.sync, SyncState::OutOfSync);
        assert_eq!(converted.reason.as_deref(), Some("insiders → 3.23.0"));
        assert_eq!(converted.channel, None);
    }

    #[test]
    fn disagreeing_pins_and_missing_policy_are_unknown() {
        let pins = vec![
            pin("a.yaml", "sourcegraph/frontend:3.22.0"),
            pin("b.yaml", "sourcegraph/frontend:3.21.0"),
            pin("c.yaml", "redis:5.0"),
        ];
        let out = evaluate(&pins, &HashMap::new(), &rules(), &[]);
        let fe = out
            .iter()
            .find(|s| s.repository == "sourcegraph/frontend")
            .expect("fe");
        assert_eq!(fe.sync, SyncState::Unknown);
        assert_eq!(
            fe.reason.as_deref(),
            Some("pinned differently: 3.21.0 (1×), 3.22.0 (1×)")
        );
        assert_eq!(fe.refs.len(), 2);
        let redis = out
            .iter()
            .find(|s| s.repository == "library/redis")
            .expect("redis");
        assert_eq!(
            redis.reason.as_deref(),
            Some("no [[deploy.policy]] matches library/redis")
        );
    }

    #[test]
    fn running_versions_match_the_pin() {
        let pins = vec![pin("a.yaml", "sourcegraph/frontend:3.22.0")];
        let instances = vec![
            InstanceVersion {
                name: "dogfood".into(),
                images: vec!["sourcegraph/frontend".into()],
                version: Ok("v3.22.0".into()),
            },
            InstanceVersion {
                name: "k8s".into(),
                images: vec!["sourcegraph/frontend".into()],
                version: Ok("3.21.2".into()),
            },
            InstanceVersion {
                name: "down".into(),
                images: vec!["sourcegraph/frontend".into()],
                version: Err(VersionError::Transport("connection refused".into())),
            },
            InstanceVersion {
                name: "other".into(),
                images: vec!["sourcegraph/gitserver".into()],
                version: Ok("3.22.0".into()),
            },
        ];
        let out = evaluate(&pins, &HashMap::new(), &rules(), &instances);
        let r = &out[0].running;
        assert_eq!(r.len(), 3);
        assert!(r[0].matches_pin);
        assert!(!r[1].matches_pin);
        assert_eq!(r[2].error.as_deref(), Some("connection refused"));
    }
}
