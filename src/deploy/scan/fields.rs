//! Pins written as fields of a mapping — a Helm values map
//! (`repository:` / `name:`, `tag:`, `digest:`) or a kustomize `images:`
//! entry (`name:` / `newName:`, `newTag:`, `digest:`): the tag and the digest
//! each in their own span, so a bump rewrites each exactly.

use std::ops::Range;

use yaml_rust2::scanner::TScalarStyle;

use super::positions::Positions;
use super::tree::Scalar;
use super::untracked::{Untracked, UntrackedReason, template_parts};
use super::{PinRef, PinSource};
use crate::deploy::imageref::ImageRef;

/// Where a field pin is written: the map's place and its tag and digest
/// fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// The map's place as keys from the root, e.g. `frontend.image` or
    /// `images[0]`.
    pub path: String,
    /// The repository as resolved, e.g. `index.docker.io/sourcegraph/frontend`.
    pub repository: String,
    /// The tag field (its text may be `TAG@DIGEST`).
    pub tag: Option<Field>,
    /// A separate digest field.
    pub digest: Option<Field>,
}

/// One scalar field's exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The key, e.g. `defaultTag`.
    pub key: String,
    /// Byte range of the value in the file text (without quotes).
    pub span: Range<usize>,
    /// Exactly `text[span]`.
    pub raw: String,
    /// 1-based line of the value.
    pub line: usize,
}

/// What a field pin is made of, before it is checked.
pub(super) struct Parts<'a> {
    /// The repository, resolved.
    pub(super) repository: String,
    /// The scalar the repository (or the name joined to it) is written in.
    pub(super) repository_at: Option<&'a Scalar>,
    /// (key, value) of the tag field.
    pub(super) tag: Option<(&'a str, &'a Scalar)>,
    /// (key, value) of the digest field.
    pub(super) digest: Option<(&'a str, &'a Scalar)>,
    /// The map's place.
    pub(super) path: String,
    pub(super) kind: Option<String>,
    pub(super) container: Option<String>,
}

/// A field's value that cannot be rewritten: where, as written, and why.
type Refused = (usize, String, UntrackedReason);

fn field(pos: &Positions<'_>, key: &str, s: &Scalar) -> Result<Field, Refused> {
    let at = pos.byte_of_char(s.at);
    if matches!(s.style, TScalarStyle::Literal | TScalarStyle::Folded) {
        return Err((at, s.value.trim().to_string(), UntrackedReason::Block));
    }
    let parts = template_parts(&s.value);
    let quoted = usize::from(s.style != TScalarStyle::Plain);
    if !parts.is_empty() {
        let start = pos
            .scalar_span(&s.value, s.style, s.at)
            .map_or(at + quoted, |r| r.start);
        return Err((start, s.value.clone(), UntrackedReason::Templated(parts)));
    }
    let Some(span) = pos.scalar_span(&s.value, s.style, s.at) else {
        return Err((at + quoted, s.value.clone(), UntrackedReason::Escaped));
    };
    let (line, _) = pos.line_col(span.start);
    Ok(Field {
        key: key.to_string(),
        span,
        raw: s.value.clone(),
        line,
    })
}

/// A pin of `parts`, or the untracked entry saying why not.
pub(super) fn field_pin(
    file: &str,
    pos: &Positions<'_>,
    parts: Parts<'_>,
    source: fn(Box<Fields>) -> PinSource,
) -> Result<PinRef, Box<Untracked>> {
    let untracked = |(byte, text, reason): Refused| {
        let (line, column) = pos.line_col(byte);
        Box::new(Untracked {
            file: file.to_string(),
            line,
            column,
            text,
            reason,
            kind: parts.kind.clone(),
            container: parts.container.clone(),
        })
    };
    let tag = parts
        .tag
        .map(|(k, s)| field(pos, k, s))
        .transpose()
        .map_err(untracked)?;
    let digest = parts
        .digest
        .map(|(k, s)| field(pos, k, s))
        .transpose()
        .map_err(untracked)?;
    let repo_parts = template_parts(&parts.repository);
    if !repo_parts.is_empty() {
        let byte = parts.repository_at.map_or(0, |s| {
            pos.byte_of_char(s.at) + usize::from(s.style != TScalarStyle::Plain)
        });
        return Err(untracked((
            byte,
            parts.repository.clone(),
            UntrackedReason::Templated(repo_parts),
        )));
    }
    let Some(primary) = tag.as_ref().or(digest.as_ref()) else {
        let byte = parts.repository_at.map_or(0, |s| pos.byte_of_char(s.at));
        return Err(untracked((
            byte,
            parts.repository.clone(),
            UntrackedReason::NoTag,
        )));
    };
    let mut written = parts.repository.clone();
    if let Some(t) = &tag {
        written = format!("{written}:{}", t.raw);
    }
    if let Some(d) = &digest
        && !tag.as_ref().is_some_and(|t| t.raw.contains('@'))
    {
        written = format!("{written}@{}", d.raw);
    }
    let image = ImageRef::parse(&written).map_err(|e| {
        untracked((
            primary.span.start,
            written.clone(),
            UntrackedReason::NotAReference(e.problem),
        ))
    })?;
    let (line, column) = pos.line_col(primary.span.start);
    Ok(PinRef {
        file: file.to_string(),
        line,
        column,
        span: primary.span.clone(),
        raw: primary.raw.clone(),
        image,
        kind: parts.kind.clone(),
        container: parts.container.clone(),
        source: source(Box::new(Fields {
            path: parts.path,
            repository: parts.repository,
            tag,
            digest,
        })),
    })
}
