//! Which published tag counts as "newest" for an image: the first
//! `[[deploy.policy]]` whose `match` glob matches the repository decides.
//!
//! * `semver` — the highest semantic version (a leading `v` is allowed;
//!   pre-releases only with `prerelease = true`), optionally within
//!   `range = "~3.22"`;
//! * `channel` — a moving tag such as `insiders`: newest is that tag, and a
//!   pin is in sync when its digest equals the tag's current digest;
//! * `regex` — tags matching `pattern`, ordered by its first capture group
//!   (or the whole tag) as `semver`, `numeric` or `lexical`.
//!
//! A pin whose tag is not a version under its semver or regex policy
//! (`insiders`, `latest`, `main`) is a *channel pin*: it follows that tag by
//! digest and is never proposed a version, unless the rule opts in with
//! `convert_channels` ([`Rule::follow`]).

use std::cmp::Ordering;

use globset::{Glob, GlobMatcher};
use regex::Regex;
use semver::{Version, VersionReq};

/// How `regex` policies order the tags they match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// As semantic versions (missing minor/patch count as 0).
    Semver,
    /// By the numbers in the key, left to right.
    Numeric,
    /// As strings.
    Lexical,
}

/// A policy kind with its parameters.
#[derive(Debug, Clone)]
pub enum Policy {
    /// Highest semantic version.
    Semver {
        /// Only versions matching this requirement.
        range: Option<VersionReq>,
        /// Include pre-releases (`3.23.0-rc.1`).
        prerelease: bool,
    },
    /// A moving tag; sync is decided by digest.
    Channel {
        /// The tag, e.g. `insiders`.
        tag: String,
    },
    /// Tags matching a regex, ordered by its first capture group.
    Regex {
        /// The pattern (anchored by the user as needed).
        pattern: Regex,
        /// How keys compare.
        order: Order,
    },
}

impl Policy {
    /// `semver`, `channel` or `regex`.
    pub fn kind(&self) -> &'static str {
        match self {
            Policy::Semver { .. } => "semver",
            Policy::Channel { .. } => "channel",
            Policy::Regex { .. } => "regex",
        }
    }
}

/// A `match` glob that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid match glob {glob:?}: {error}")]
pub struct PolicyError {
    /// The glob as written.
    pub glob: String,
    /// Why it does not compile.
    pub error: globset::Error,
}

/// A policy and the repositories it applies to.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The glob as written (for messages).
    pub source: String,
    matcher: GlobMatcher,
    /// The policy.
    pub policy: Policy,
    /// A semver or regex policy proposes a version for a channel pin too
    /// (`insiders → 3.23.0`) instead of following the channel by digest.
    pub convert_channels: bool,
}

/// How a pin is followed ([`Rule::follow`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follow {
    /// By version: the newest published tag per policy.
    Version,
    /// By digest: the registry's current digest for this tag.
    Channel(String),
}

impl Rule {
    /// Builds a rule.
    pub fn compile(glob: &str, policy: Policy) -> Result<Rule, PolicyError> {
        let matcher = Glob::new(glob)
            .map_err(|error| PolicyError {
                glob: glob.to_string(),
                error,
            })?
            .compile_matcher();
        Ok(Rule {
            source: glob.to_string(),
            matcher,
            policy,
            convert_channels: false,
        })
    }

    /// The same rule, proposing versions for channel pins when `convert`.
    pub fn with_convert_channels(mut self, convert: bool) -> Rule {
        self.convert_channels = convert;
        self
    }

    /// How a pin with this tag is followed: a `channel` policy follows its
    /// tag; a semver or regex policy follows a version tag by version, and
    /// any other tag as a channel of its own (by version only with
    /// `convert_channels`). A pin without a tag (or pins that disagree) is
    /// compared by version.
    pub fn follow(&self, pinned: Option<&str>) -> Follow {
        match (&self.policy, pinned) {
            (Policy::Channel { tag }, _) => Follow::Channel(tag.clone()),
            (policy, Some(tag)) if !self.convert_channels && !is_version(policy, tag) => {
                Follow::Channel(tag.to_string())
            }
            _ => Follow::Version,
        }
    }

    /// The same as [`Rule::compile`].
    pub fn new(glob: &str, policy: Policy) -> Result<Rule, PolicyError> {
        Rule::compile(glob, policy)
    }

    /// Does it apply to `repository` (e.g. `sourcegraph/frontend`)? The
    /// registry host may be included in the glob (`index.docker.io/*/*`).
    pub fn applies(&self, host: &str, repository: &str) -> bool {
        self.matcher.is_match(repository) || self.matcher.is_match(format!("{host}/{repository}"))
    }
}

/// The first rule that applies.
pub fn rule_for<'a>(rules: &'a [Rule], host: &str, repository: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.applies(host, repository))
}

/// Parses a tag as a semantic version (`3.22.0`, `v3.22.0`); strict.
pub fn tag_version(tag: &str) -> Option<Version> {
    Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

/// Is `tag` a version under `policy`: a semantic version for `semver` (any
/// range, pre-release or not), a match of the pattern for `regex`? Never for
/// `channel`.
pub fn is_version(policy: &Policy, tag: &str) -> bool {
    match policy {
        Policy::Semver { .. } => tag_version(tag).is_some(),
        Policy::Regex { pattern, .. } => pattern.is_match(tag),
        Policy::Channel { .. } => false,
    }
}

/// A lenient version: `3.22` → 3.22.0, `3` → 3.0.0.
fn lenient_version(text: &str) -> Option<Version> {
    let t = text.strip_prefix('v').unwrap_or(text);
    if let Ok(v) = Version::parse(t) {
        return Some(v);
    }
    let parts: Vec<&str> = t.split('.').collect();
    let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
    match nums?.as_slice() {
        [a] => Some(Version::new(*a, 0, 0)),
        [a, b] => Some(Version::new(*a, *b, 0)),
        _ => None,
    }
}

fn numbers(text: &str) -> Vec<u128> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

fn compare_keys(order: Order, a: &str, b: &str) -> Ordering {
    match order {
        Order::Semver => match (lenient_version(a), lenient_version(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => a.cmp(b),
        },
        Order::Numeric => numbers(a).cmp(&numbers(b)).then_with(|| a.cmp(b)),
        Order::Lexical => a.cmp(b),
    }
}

/// The newest tag among `tags` by `policy`, if any qualifies.
pub fn newest(policy: &Policy, tags: &[String]) -> Option<String> {
    match policy {
        Policy::Channel { tag } => tags.iter().find(|t| *t == tag).cloned(),
        Policy::Semver { range, prerelease } => tags
            .iter()
            .filter_map(|t| tag_version(t).map(|v| (v, t)))
            .filter(|(v, _)| *prerelease || v.pre.is_empty())
            .filter(|(v, _)| range.as_ref().is_none_or(|r| r.matches(v)))
            // Equal versions (3.22.0 and v3.22.0): prefer the shorter tag.
            .max_by(|(a, ta), (b, tb)| a.cmp(b).then_with(|| tb.len().cmp(&ta.len())))
            .map(|(_, t)| t.clone()),
        Policy::Regex { pattern, order } => tags
            .iter()
            .filter_map(|t| {
                let caps = pattern.captures(t)?;
                let key = caps.get(1).or_else(|| caps.get(0))?.as_str().to_string();
                Some((key, t))
            })
            .max_by(|(a, ta), (b, tb)| compare_keys(*order, a, b).then_with(|| ta.cmp(tb)))
            .map(|(_, t)| t.clone()),
    }
}

/// Is `candidate` newer than `pinned` by this policy? (For semver and regex;
/// channels compare digests instead.)
pub fn is_newer(policy: &Policy, candidate: &str, pinned: &str) -> bool {
    match policy {
        Policy::Channel { .. } => false,
        Policy::Semver { .. } => match (tag_version(candidate), tag_version(pinned)) {
            (Some(c), Some(p)) => c > p,
            (Some(_), None) => true,
            _ => false,
        },
        Policy::Regex { pattern, order } => {
            let key = |t: &str| {
                pattern.captures(t).and_then(|c| {
                    c.get(1)
                        .or_else(|| c.get(0))
                        .map(|m| m.as_str().to_string())
                })
            };
            match (key(candidate), key(pinned)) {
                (Some(c), Some(p)) => compare_keys(*order, &c, &p) == Ordering::Greater,
                (Some(_), None) => true,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn semver_picks_the_highest_release() {
        let p = Policy::Semver {
            range: None,
            prerelease: false,
        };
        let t = tags(&[
            "3.9.0",
            "3.22.0",
            "3.22.1",
            "3.23.0-rc.1",
            "insiders",
            "latest",
            "v3.21.5",
        ]);
        assert_eq!(newest(&p, &t).as_deref(), Some("3.22.1"));
        let p = Policy::Semver {
            range: None,
            prerelease: true,
        };
        assert_eq!(newest(&p, &t).as_deref(), Some("3.23.0-rc.1"));
        let p = Policy::Semver {
            range: Some(VersionReq::parse("~3.21").expect("req")),
            prerelease: false,
        };
        assert_eq!(newest(&p, &t).as_deref(), Some("v3.21.5"));
        assert_eq!(newest(&p, &tags(&["latest"])), None);
    }

    #[test]
    fn channel_is_the_tag_itself() {
        let p = Policy::Channel {
            tag: "insiders".into(),
        };
        assert_eq!(
            newest(&p, &tags(&["3.22.0", "insiders"])).as_deref(),
            Some("insiders")
        );
        assert_eq!(newest(&p, &tags(&["3.22.0"])), None);
        assert!(!is_newer(&p, "insiders", "insiders"));
    }

    #[test]
    fn regex_orders_by_capture() {
        let p = Policy::Regex {
            pattern: Regex::new(r"^(\d+)_\d{4}-\d{2}-\d{2}_[0-9a-f]+$").expect("re"),
            order: Order::Numeric,
        };
        let t = tags(&[
            "9999_2020-10-01_aaaaaaa",
            "70576_2020-11-20_9d0e7b4",
            "70612_2020-11-21_1234567",
            "insiders",
        ]);
        assert_eq!(newest(&p, &t).as_deref(), Some("70612_2020-11-21_1234567"));
        assert!(is_newer(
            &p,
            "70612_2020-11-21_1234567",
            "70576_2020-11-20_9d0e7b4"
        ));
        assert!(!is_newer(
            &p,
            "9999_2020-10-01_aaaaaaa",
            "70576_2020-11-20_9d0e7b4"
        ));
        let lex = Policy::Regex {
            pattern: Regex::new(r"^release-(.*)$").expect("re"),
            order: Order::Lexical,
        };
        assert_eq!(
            newest(&lex, &tags(&["release-a", "release-c", "release-b", "x"])).as_deref(),
            Some("release-c")
        );
        let sem = Policy::Regex {
            pattern: Regex::new(r"^v?(\d+\.\d+)$").expect("re"),
            order: Order::Semver,
        };
        assert_eq!(
            newest(&sem, &tags(&["3.9", "3.22", "3.10"])).as_deref(),
            Some("3.22")
        );
    }

    #[test]
    fn rules_match_repositories_with_or_without_host() {
        let semver = Policy::Semver {
            range: None,
            prerelease: false,
        };
        let rules = vec![
            Rule::new("sourcegraph/*", semver.clone()).expect("rule"),
            Rule::new(
                "*",
                Policy::Channel {
                    tag: "latest".into(),
                },
            )
            .expect("rule"),
        ];
        assert_eq!(
            rule_for(&rules, "docker.io", "sourcegraph/frontend").map(|r| r.policy.kind()),
            Some("semver")
        );
        assert_eq!(
            rule_for(&rules, "docker.io", "redis").map(|r| r.policy.kind()),
            Some("channel")
        );
        let host_rule = Rule::new("ghcr.io/**", semver).expect("rule");
        assert!(host_rule.applies("ghcr.io", "org/img"));
        assert!(!host_rule.applies("docker.io", "org/img"));
        assert!(Rule::new("[", Policy::Channel { tag: "x".into() }).is_err());
        let e = Rule::compile("[", Policy::Channel { tag: "x".into() }).expect_err("glob");
        assert_eq!(e.glob, "[");
        assert!(
            e.to_string().starts_with("invalid match glob \"[\": "),
            "{e}"
        );
    }

    #[test]
    fn a_tag_that_is_not_a_version_is_a_channel_pin() {
        let semver = Rule::new(
            "sourcegraph/*",
            Policy::Semver {
                range: Some(VersionReq::parse("~3.22").expect("req")),
                prerelease: false,
            },
        )
        .expect("rule");
        let channel = |t: &str| Follow::Channel(t.to_string());
        for tag in ["insiders", "latest", "main", "5.0", "3.22", "3.22.0.1"] {
            assert_eq!(semver.follow(Some(tag)), channel(tag), "{tag}");
        }
        // Versions outside the range or pre-releases are still versions.
        for tag in ["3.22.0", "v3.22.0", "4.0.0", "3.23.0-rc.1"] {
            assert_eq!(semver.follow(Some(tag)), Follow::Version, "{tag}");
        }
        assert_eq!(semver.follow(None), Follow::Version);
        let converting = semver.clone().with_convert_channels(true);
        assert_eq!(converting.follow(Some("insiders")), Follow::Version);
        assert!(!semver.convert_channels);

        let regex = Rule::new(
            "sourcegraph/zoekt-*",
            Policy::Regex {
                pattern: Regex::new(r"^0\.0\.(\d+)$").expect("re"),
                order: Order::Numeric,
            },
        )
        .expect("rule");
        assert_eq!(regex.follow(Some("0.0.20")), Follow::Version);
        assert_eq!(regex.follow(Some("3.22.0")), channel("3.22.0"));
        assert_eq!(regex.follow(Some("latest")), channel("latest"));
        let regex = regex.with_convert_channels(true);
        assert_eq!(regex.follow(Some("latest")), Follow::Version);

        // A channel policy follows its own tag, whatever the pin says.
        let server = Rule::new(
            "sourcegraph/server",
            Policy::Channel {
                tag: "insiders".into(),
            },
        )
        .expect("rule");
        assert_eq!(server.follow(Some("3.22.0")), channel("insiders"));
        assert_eq!(server.follow(None), channel("insiders"));
        assert!(!is_version(&server.policy, "insiders"));
    }

    #[test]
    fn newer_by_semver() {
        let p = Policy::Semver {
            range: None,
            prerelease: false,
        };
        assert!(is_newer(&p, "3.23.1", "3.22.0"));
        assert!(!is_newer(&p, "3.22.0", "3.22.0"));
        assert!(!is_newer(&p, "3.21.0", "v3.22.0"));
    }
}
