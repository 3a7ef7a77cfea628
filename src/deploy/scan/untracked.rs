//! `image:` values (and values-file or kustomize pins) that are not
//! tracked, and why.

use std::fmt;

use crate::deploy::imageref::RefProblem;

/// An `image:` value (or a values-file map's tag, a kustomize `images:`
/// entry) that does not resolve to an image reference opsdeck can rewrite:
/// listed with its reason, never compared or bumped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untracked {
    /// Repo-relative path as given.
    pub file: String,
    /// 1-based line of the value (of the `image` key when the value is
    /// empty).
    pub line: usize,
    /// 1-based column, in chars.
    pub column: usize,
    /// The value as written, without quotes; the first line of a block
    /// collection; empty when there is none.
    pub text: String,
    /// Why it is not tracked.
    pub reason: UntrackedReason,
    /// The YAML document's top-level `kind`.
    pub kind: Option<String>,
    /// The `name` of the mapping holding the value, or the compose service.
    pub container: Option<String>,
}

/// Why an `image:` value is not tracked. `Display` is the reason shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UntrackedReason {
    /// Template expressions (`{{ … }}`, `${…}`, `$NAME`), as written.
    Templated(Vec<String>),
    /// A scalar that is not an image reference.
    NotAReference(RefProblem),
    /// A mapping (e.g. Helm's `repository:` / `tag:` values).
    Mapping,
    /// A list.
    List,
    /// An alias (`*img`) of a value anchored elsewhere (tracked there).
    Alias(String),
    /// A block scalar (`|` or `>`).
    Block,
    /// A quoted value written with escapes: its text cannot be rewritten
    /// exactly.
    Escaped,
    /// No value (or `null`).
    Empty,
    /// A kustomize `images:` entry that only renames (no `newTag` or
    /// `digest`), or a map with a repository but no tag or digest.
    NoTag,
    /// A values map's tag key with no repository to join it to: what is
    /// missing, in words.
    NoRepository(String),
    /// A values map whose repository is the prefix other maps' names join
    /// (the chart-wide `repository` and default tag): not one image.
    ChartWide(String),
}

impl fmt::Display for UntrackedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UntrackedReason::Templated(parts) => write!(f, "templated: {}", parts.join(", ")),
            UntrackedReason::NotAReference(problem) => {
                write!(f, "not an image reference: {problem}")
            }
            UntrackedReason::Mapping => f.write_str("not an image reference: a mapping"),
            UntrackedReason::List => f.write_str("not an image reference: a list"),
            UntrackedReason::Alias(name) => {
                write!(
                    f,
                    "an alias ({name}): the anchored value is tracked where it is written"
                )
            }
            UntrackedReason::Block => {
                f.write_str("a block scalar (| or >): write the reference on one line")
            }
            UntrackedReason::Escaped => {
                f.write_str("written with escapes: opsdeck rewrites only plain text")
            }
            UntrackedReason::Empty => f.write_str("no value"),
            UntrackedReason::NoTag => {
                f.write_str("no tag or digest: nothing to compare (only a name)")
            }
            UntrackedReason::NoRepository(missing) => write!(f, "no repository: {missing}"),
            UntrackedReason::ChartWide(prefix) => write!(
                f,
                "the chart-wide default for images under {prefix}: each image's own tag is tracked"
            ),
        }
    }
}

/// The template expressions in `text`: `{{ … }}` (to its `}}`, or the end),
/// `${…}` and `$NAME`, in order, as written.
pub fn template_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = [rest.find("{{"), rest.find('$')]
            .into_iter()
            .flatten()
            .min();
        let Some(at) = next else { break };
        let tail = &rest[at..];
        let len = if tail.starts_with("{{") {
            tail.find("}}").map_or(tail.len(), |e| e + 2)
        } else if tail.starts_with("${") {
            tail.find('}').map_or(tail.len(), |e| e + 1)
        } else {
            let name = tail[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(tail.len(), |e| e + 1);
            let first = tail[1..].chars().next();
            if first.is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                name
            } else {
                rest = &tail[1..];
                continue;
            }
        };
        parts.push(tail[..len].to_string());
        rest = &tail[len..];
    }
    parts
}
