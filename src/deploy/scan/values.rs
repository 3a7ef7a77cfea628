//! Helm values files (`[[deploy.values]]`): every map holding a tag key and
//! a repository is one pin.
//!
//! The repository is the map's own `repository_key` (a full
//! `registry/org/name`), or its `name_key` joined to the nearest ancestor
//! map's `repository_key`, else to `default_repository`. A map whose
//! repository is the prefix other maps' names join (Sourcegraph's
//! `sourcegraph.image`: `repository` and a chart-wide `defaultTag`) is not
//! one image: it is listed untracked, and so is a tag with no repository at
//! all, or a templated value.
//!
//! Pure: no I/O.

use super::fields::{Parts, field_pin};
use super::positions::Positions;
use super::tree::{Map, Node, Scalar, documents};
use super::untracked::{Untracked, UntrackedReason, template_parts};
use super::{FileScan, PinSource, ScanError};
use crate::config::ValuesConfig;

/// A values file's pins and untracked values, and the lines of the maps it
/// read (so the `image:` scanner's "a mapping" entries for them can be
/// dropped when the file is scanned both ways).
#[derive(Debug, Default)]
pub(super) struct ValuesScan {
    pub(super) found: FileScan,
    pub(super) map_lines: Vec<usize>,
}

struct Walk<'a> {
    file: &'a str,
    pos: Positions<'a>,
    spec: &'a ValuesConfig,
    out: ValuesScan,
}

fn same_prefix(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Walk<'_> {
    /// Walks `node`; returns whether it (or a map below it) joined a name
    /// to `prefix`.
    fn node(&mut self, node: &Node, path: &str, prefix: Option<&Scalar>) -> bool {
        match node {
            Node::Map(m) => self.map(m, path, prefix),
            Node::Seq(items) => {
                let mut used = false;
                for (i, item) in items.iter().enumerate() {
                    used |= self.node(item, &format!("{path}[{i}]"), prefix);
                }
                used
            }
            Node::Scalar(_) | Node::Alias => false,
        }
    }

    fn map(&mut self, m: &Map, path: &str, prefix: Option<&Scalar>) -> bool {
        let spec = self.spec;
        let own = m.scalar(&spec.repository_key);
        let mut below_used = false;
        for (k, v) in &m.entries {
            below_used |= self.node(v, &join(path, &k.value), own.or(prefix));
        }
        let tag_key = spec
            .tag_keys
            .iter()
            .find(|k| m.scalar(k).is_some() || matches!(m.get(k), Some(Node::Alias)));
        let Some(tag_key) = tag_key else {
            // Children joined names to `own`, or to `prefix` when none.
            return own.is_none() && below_used;
        };
        self.out
            .map_lines
            .push(self.pos.line_col(self.pos.byte_of_char(m.at)).0);
        let container = Some(path.to_string());
        let tag = match m.get(tag_key) {
            Some(Node::Scalar(s)) => s,
            _ => {
                let at = m.entries.iter().find(|(k, _)| &k.value == tag_key);
                let byte = at.map_or(0, |(k, _)| self.pos.byte_of_char(k.at));
                let reason = UntrackedReason::Alias(format!("{tag_key}: *…"));
                self.untracked(byte, String::new(), reason, &container);
                return own.is_none() && below_used;
            }
        };
        let name = m.scalar(&spec.name_key);
        let mut used_prefix = false;
        let (repository, repository_at) = match (own, name) {
            (Some(r), _)
                if below_used
                    || (name.is_none()
                        && spec
                            .default_repository
                            .as_deref()
                            .is_some_and(|d| same_prefix(d, &r.value))) =>
            {
                let reason = UntrackedReason::ChartWide(r.value.clone());
                self.refuse(tag, reason, &container);
                return false;
            }
            (Some(r), _) => (r.value.clone(), Some(r)),
            (None, Some(n)) => {
                let base = prefix
                    .map(|p| p.value.clone())
                    .or_else(|| spec.default_repository.clone());
                let Some(base) = base else {
                    let reason = UntrackedReason::NoRepository(format!(
                        "no `{}` here or in an ancestor map, and no default_repository to join `{}: {}` to",
                        spec.repository_key, spec.name_key, n.value
                    ));
                    self.refuse(tag, reason, &container);
                    return below_used;
                };
                used_prefix = prefix.is_some();
                (
                    format!("{}/{}", base.trim_end_matches('/'), n.value),
                    Some(n),
                )
            }
            (None, None) => {
                let reason = UntrackedReason::NoRepository(format!(
                    "no `{}` or `{}` key beside `{tag_key}`",
                    spec.repository_key, spec.name_key
                ));
                self.refuse(tag, reason, &container);
                return below_used;
            }
        };
        let digest = spec
            .digest_key
            .as_deref()
            .and_then(|k| m.scalar(k).map(|s| (k, s)));
        let parts = Parts {
            repository,
            repository_at,
            tag: Some((tag_key.as_str(), tag)),
            digest,
            path: path.to_string(),
            kind: None,
            container,
        };
        match field_pin(self.file, &self.pos, parts, PinSource::Values) {
            Ok(pin) => self.out.found.pins.push(pin),
            Err(u) => self.out.found.untracked.push(*u),
        }
        if own.is_some() {
            false
        } else {
            used_prefix || below_used
        }
    }

    /// A tag that is not tracked for `reason`, unless it is templated (that
    /// reason comes first).
    fn refuse(&mut self, tag: &Scalar, reason: UntrackedReason, container: &Option<String>) {
        let parts = template_parts(&tag.value);
        let quoted = usize::from(tag.style != yaml_rust2::scanner::TScalarStyle::Plain);
        let byte = self
            .pos
            .scalar_span(&tag.value, tag.style, tag.at)
            .map_or(self.pos.byte_of_char(tag.at) + quoted, |r| r.start);
        let reason = if parts.is_empty() {
            reason
        } else {
            UntrackedReason::Templated(parts)
        };
        self.untracked(byte, tag.value.clone(), reason, container);
    }

    fn untracked(
        &mut self,
        byte: usize,
        text: String,
        reason: UntrackedReason,
        container: &Option<String>,
    ) {
        let (line, column) = self.pos.line_col(byte);
        self.out.found.untracked.push(Untracked {
            file: self.file.to_string(),
            line,
            column,
            text,
            reason,
            kind: None,
            container: container.clone(),
        });
    }
}

/// Scans one values file per `spec`; pins and untracked values in file
/// order.
pub(super) fn scan_values(
    file: &str,
    text: &str,
    spec: &ValuesConfig,
) -> Result<ValuesScan, ScanError> {
    let docs = documents(file, text)?;
    let mut w = Walk {
        file,
        pos: Positions::new(text),
        spec,
        out: ValuesScan::default(),
    };
    for doc in &docs {
        w.node(doc, "", None);
    }
    w.out.found.pins.sort_by_key(|p| p.span.start);
    w.out.found.untracked.sort_by_key(|u| (u.line, u.column));
    Ok(w.out)
}
