//! Finds every `image:` pin in (multi-document) YAML manifests, with file,
//! line, column and byte span, so a bump can rewrite exactly the pin's text.
//!
//! Walks yaml-rust2's event stream. Subtleties of yaml-rust2 0.11 handled here:
//! * `Marker::index()` counts *chars*, not bytes (despite its doc comment),
//!   and `Marker::col()` is 0-based in chars; `line()` is 1-based.
//! * A quoted scalar's marker points at the opening quote; a plain scalar's
//!   at its first char (after any anchor or tag).
//! * A leading BOM is not stripped: it is part of the first key's value.
//! * CRLF counts as one line break (two chars of index).
//! * An unquoted Helm template `{{ .Values.x }}` parses as a flow mapping;
//!   its `MappingEnd` marker points at the closing `}`.
//! * An empty value's marker is the next token's (often the next line): its
//!   position is taken from the `image` key.
//!
//! Every `image:` value is either a [`PinRef`] (a plain image reference, with
//! its exact span) or an [`Untracked`] entry with its reason: none is
//! dropped.
//!
//! Pure: no I/O.

use std::ops::Range;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

mod fields;
mod kustomize;
mod positions;
mod sources;
mod tree;
mod untracked;
mod values;

use super::imageref::ImageRef;
pub use fields::{Field, Fields};
pub use kustomize::{KUSTOMIZATION_NAMES, is_kustomization};
use positions::Positions;
pub use sources::{GlobError, Sources, scan_with};
pub use untracked::{Untracked, UntrackedReason, template_parts};

/// One `image:` pin found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinRef {
    /// Repo-relative path as given.
    pub file: String,
    /// 1-based line of the first char of the image value (after any quote).
    pub line: usize,
    /// 1-based column, in chars, of the first char of the image value.
    pub column: usize,
    /// Byte range of the image value in the file text (without quotes).
    pub span: Range<usize>,
    /// Exactly `text[span]`.
    pub raw: String,
    /// The parsed reference.
    pub image: ImageRef,
    /// The YAML document's top-level `kind`; None for compose files.
    pub kind: Option<String>,
    /// The `name` of the mapping holding the image, or the compose service;
    /// a values map's place (`frontend.image`); a kustomize entry's `name`.
    pub container: Option<String>,
    /// How the pin is written: one `image:` value, or fields of a map.
    pub source: PinSource,
}

/// How a pin is written, so a bump rewrites exactly its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// An `image:` value: `span` and `raw` are the whole reference.
    Image,
    /// A Helm values map: `span` and `raw` are its tag field's.
    Values(Box<Fields>),
    /// A kustomize `images:` entry: `span` and `raw` are its `newTag`'s (or
    /// its `digest`'s when it has no `newTag`).
    Kustomize(Box<Fields>),
}

impl PinSource {
    /// `image`, `values` or `kustomize`, as in `deploy --json`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PinSource::Image => "image",
            PinSource::Values(_) => "values",
            PinSource::Kustomize(_) => "kustomize",
        }
    }

    /// The tag and digest fields of a values or kustomize pin.
    pub fn fields(&self) -> Option<&Fields> {
        match self {
            PinSource::Image => None,
            PinSource::Values(f) | PinSource::Kustomize(f) => Some(f),
        }
    }
}

impl PinRef {
    /// The pin as shown: an `image:` value as written; a field pin as the
    /// reference it makes (`repository:tag@digest`).
    pub fn shown(&self) -> String {
        match self.source.fields() {
            None => self.raw.clone(),
            Some(f) => {
                let mut out = f.repository.clone();
                if let Some(t) = &self.image.tag {
                    out = format!("{out}:{t}");
                }
                if let Some(d) = &self.image.digest {
                    out = format!("{out}@{d}");
                }
                out
            }
        }
    }
}

/// What one file holds: its pins and its untracked `image:` values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScan {
    /// Plain image references, in file order.
    pub pins: Vec<PinRef>,
    /// Every other `image:` value, in file order.
    pub untracked: Vec<Untracked>,
}

/// Malformed YAML, at the parser's position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ScanError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Whether a node is a mapping key, a mapping value, or something else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Key,
    Value,
    Item,
}

struct MapFrame {
    /// The key under which this mapping is the value, when a scalar.
    key_in_parent: Option<String>,
    /// Whether the next node is the value of `key`.
    awaiting_value: bool,
    /// The current key, when it is a scalar.
    key: Option<String>,
    /// Char index of the current key.
    key_at: usize,
    /// This mapping's `name` scalar value.
    name: Option<String>,
    /// Indices (into the document's entries) of entries held by this mapping.
    entries: Vec<usize>,
}

enum Frame {
    Map(MapFrame),
    Seq,
}

/// A collection that is the value of an `image` key: where it starts.
struct Open {
    frame: Frame,
    /// Char index of its first char, when it is an `image:` value.
    image_at: Option<usize>,
}

/// One `image:` value of the document being walked.
enum Entry {
    Pin(PinRef),
    Untracked(Untracked),
}

impl Entry {
    fn set_container(&mut self, container: Option<String>) {
        match self {
            Entry::Pin(p) => p.container = container,
            Entry::Untracked(u) => u.container = container,
        }
    }

    fn set_kind(&mut self, kind: Option<String>) {
        match self {
            Entry::Pin(p) => p.kind = kind,
            Entry::Untracked(u) => u.kind = kind,
        }
    }
}

/// Event-walk state for one file.
struct Walker<'a> {
    file: &'a str,
    pos: Positions<'a>,
    stack: Vec<Open>,
    doc_entries: Vec<Entry>,
    doc_kind: Option<String>,
    out: FileScan,
}

impl Walker<'_> {
    fn role(&self) -> Role {
        match self.stack.last().map(|o| &o.frame) {
            Some(Frame::Map(m)) if m.awaiting_value => Role::Value,
            Some(Frame::Map(_)) => Role::Key,
            _ => Role::Item,
        }
    }

    fn top_map(&mut self) -> Option<&mut MapFrame> {
        match self.stack.last_mut().map(|o| &mut o.frame) {
            Some(Frame::Map(m)) => Some(m),
            _ => None,
        }
    }

    /// The next node is the value of an `image` key (not inside another
    /// `image:` value, which is listed whole).
    fn at_image_value(&self) -> bool {
        let inside = self.stack.iter().any(|o| o.image_at.is_some());
        !inside
            && self.role() == Role::Value
            && matches!(self.stack.last().map(|o| &o.frame), Some(Frame::Map(m)) if m.key.as_deref() == Some("image"))
    }

    /// A node (scalar, alias or whole collection) has been completed.
    fn node_done(&mut self) {
        if let Some(m) = self.top_map() {
            m.awaiting_value = !m.awaiting_value;
            if !m.awaiting_value {
                m.key = None;
            }
        }
    }

    fn start_collection(&mut self, mapping: bool, char_index: usize) {
        let image_at = self.at_image_value().then_some(char_index);
        let key_in_parent = match self.role() {
            Role::Value => self.top_map().and_then(|m| m.key.clone()),
            _ => None,
        };
        if let Some(m) = self.top_map()
            && !m.awaiting_value
        {
            m.key = None; // a complex (collection) key
        }
        let frame = if mapping {
            Frame::Map(MapFrame {
                key_in_parent,
                awaiting_value: false,
                key: None,
                key_at: 0,
                name: None,
                entries: Vec::new(),
            })
        } else {
            Frame::Seq
        };
        self.stack.push(Open { frame, image_at });
    }

    fn end_collection(&mut self, char_index: usize) {
        if let Some(open) = self.stack.pop() {
            let mapping = matches!(open.frame, Frame::Map(_));
            if let Frame::Map(m) = open.frame {
                // compose: services.<name>.image, with the root mapping below.
                let is_service = self.stack.len() == 2
                    && matches!(&self.stack[0].frame, Frame::Map(_))
                    && matches!(&self.stack[1].frame, Frame::Map(s) if s.key_in_parent.as_deref() == Some("services"));
                let container = m.name.or(if is_service { m.key_in_parent } else { None });
                for &i in &m.entries {
                    if let Some(entry) = self.doc_entries.get_mut(i) {
                        entry.set_container(container.clone());
                    }
                }
            }
            if let Some(start) = open.image_at {
                self.image_collection(mapping, start, char_index);
            }
        }
        self.node_done();
    }

    /// A mapping or list under `image:`: its text is the flow collection
    /// through its closing bracket, or a block collection's first line.
    fn image_collection(&mut self, mapping: bool, start: usize, end: usize) {
        let from = self.pos.byte_of_char(start);
        let text = self.pos.text;
        let flow = matches!(text.as_bytes().get(from), Some(b'{' | b'['));
        let line = self.pos.line_range(from);
        let (from, until) = if flow {
            let close = self.pos.byte_of_char(end);
            match text.get(close..).and_then(|t| t.chars().next()) {
                Some(c @ ('}' | ']')) => (from, close + c.len_utf8()),
                _ => (from, line.end),
            }
        } else {
            // A block collection's marker may sit after its first key: take
            // its first line from the indentation on.
            let body = &text[line.clone()];
            (
                line.start + (body.len() - body.trim_start().len()),
                line.end,
            )
        };
        let value = text.get(from..until.max(from)).unwrap_or("").trim_end();
        let parts = template_parts(value);
        let reason = if !parts.is_empty() {
            UntrackedReason::Templated(parts)
        } else if mapping {
            UntrackedReason::Mapping
        } else {
            UntrackedReason::List
        };
        self.untracked(from, value.to_string(), reason);
    }

    fn untracked(&mut self, byte: usize, text: String, reason: UntrackedReason) {
        let (line, column) = self.pos.line_col(byte);
        let entry = Entry::Untracked(Untracked {
            file: self.file.to_string(),
            line,
            column,
            text,
            reason,
            kind: None,
            container: None,
        });
        let index = self.doc_entries.len();
        self.doc_entries.push(entry);
        if let Some(m) = self.top_map() {
            m.entries.push(index);
        }
    }

    fn alias(&mut self, char_index: usize) {
        if self.at_image_value() {
            let from = self.pos.byte_of_char(char_index);
            let rest = self.pos.text.get(from..).unwrap_or("");
            let end = rest
                .char_indices()
                .skip(1)
                .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
                .map_or(rest.len(), |(i, _)| i);
            let name = rest[..end].to_string();
            self.untracked(from, name.clone(), UntrackedReason::Alias(name));
        }
        self.node_done();
    }

    fn scalar(&mut self, value: String, style: TScalarStyle, char_index: usize) {
        match self.role() {
            Role::Key => {
                if let Some(m) = self.top_map() {
                    let key = value
                        .strip_prefix('\u{feff}')
                        .map(str::to_string)
                        .unwrap_or(value);
                    m.key = Some(key);
                    m.key_at = char_index;
                }
            }
            Role::Value => self.value_scalar(value, style, char_index),
            Role::Item => {}
        }
        self.node_done();
    }

    fn value_scalar(&mut self, value: String, style: TScalarStyle, char_index: usize) {
        let root = self.stack.len() == 1;
        let image = self.at_image_value();
        let Some(m) = self.top_map() else {
            return;
        };
        match m.key.as_deref() {
            Some("kind") if root => self.doc_kind = Some(value),
            Some("name") => m.name = Some(value),
            Some("image") if image => {
                let key_at = m.key_at;
                self.image_scalar(value, style, char_index, key_at);
            }
            _ => {}
        }
    }

    fn image_scalar(
        &mut self,
        value: String,
        style: TScalarStyle,
        char_index: usize,
        key_at: usize,
    ) {
        let at = self.pos.byte_of_char(char_index);
        let null = matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL");
        if style == TScalarStyle::Plain && null {
            let key = self.pos.byte_of_char(key_at);
            let text = if value.is_empty() {
                String::new()
            } else {
                value
            };
            let byte = if text.is_empty() { key } else { at };
            return self.untracked(byte, text, UntrackedReason::Empty);
        }
        if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
            let text = value.trim().to_string();
            return self.untracked(at, text, UntrackedReason::Block);
        }
        let parts = template_parts(&value);
        let Some(span) = self.pos.scalar_span(&value, style, char_index) else {
            let quoted = usize::from(style != TScalarStyle::Plain);
            let reason = if parts.is_empty() {
                UntrackedReason::Escaped
            } else {
                UntrackedReason::Templated(parts)
            };
            return self.untracked(at + quoted, value, reason);
        };
        let image = match ImageRef::parse(&value) {
            Ok(image) => image,
            Err(e) => {
                let reason = if parts.is_empty() {
                    UntrackedReason::NotAReference(e.problem)
                } else {
                    UntrackedReason::Templated(parts)
                };
                return self.untracked(span.start, value, reason);
            }
        };
        let (line, column) = self.pos.line_col(span.start);
        let index = self.doc_entries.len();
        self.doc_entries.push(Entry::Pin(PinRef {
            file: self.file.to_string(),
            line,
            column,
            span,
            raw: value,
            image,
            kind: None,
            container: None,
            source: PinSource::Image,
        }));
        if let Some(m) = self.top_map() {
            m.entries.push(index);
        }
    }

    fn end_document(&mut self) {
        let kind = self.doc_kind.take();
        for mut entry in self.doc_entries.drain(..) {
            entry.set_kind(kind.clone());
            match entry {
                Entry::Pin(p) => self.out.pins.push(p),
                Entry::Untracked(u) => self.out.untracked.push(u),
            }
        }
        self.stack.clear();
    }
}

/// Finds every `image:` value in a (multi-document) YAML file: any mapping
/// key named `image` (Kubernetes containers/initContainers at any depth,
/// docker-compose `services.<name>.image`). A plain or quoted scalar holding
/// a valid image reference is a pin; every other value (templates, aliases,
/// block scalars, mappings, lists, empty values, text that is not a
/// reference) is an [`Untracked`] entry with its reason. Malformed YAML is an
/// error at the parser's line and column.
pub fn scan_file(file: &str, text: &str) -> Result<FileScan, ScanError> {
    let mut w = Walker {
        file,
        pos: Positions::new(text),
        stack: Vec::new(),
        doc_entries: Vec::new(),
        doc_kind: None,
        out: FileScan::default(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            let m = e.marker();
            ScanError {
                file: file.to_string(),
                line: m.line(),
                column: m.col() + 1,
                message: e.info().to_string(),
            }
        })?;
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart => w.stack.clear(),
            Event::DocumentEnd => w.end_document(),
            Event::Scalar(value, style, _, _) => w.scalar(value, style, mark.index()),
            Event::Alias(_) => w.alias(mark.index()),
            Event::MappingStart(..) => w.start_collection(true, mark.index()),
            Event::SequenceStart(..) => w.start_collection(false, mark.index()),
            Event::MappingEnd | Event::SequenceEnd => w.end_collection(mark.index()),
            Event::StreamStart | Event::Nothing => {}
        }
    }
    w.end_document();
    Ok(w.out)
}

/// Every file's scan: pins, untracked values, and the files that could not
/// be read as YAML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanned {
    /// Plain image references, file by file.
    pub pins: Vec<PinRef>,
    /// Every other `image:` value, file by file.
    pub untracked: Vec<Untracked>,
    /// Malformed files (reported; the other files are still used).
    pub errors: Vec<ScanError>,
    /// How many files were scanned.
    pub files: usize,
}

/// Scans file texts as manifests (`image:` values, and kustomize `images:`
/// in kustomization files); malformed files are reported and skipped.
pub fn scan_texts(files: &[(String, String)]) -> Scanned {
    scan_with(files, &Sources::default())
}

#[cfg(test)]
mod fields_tests;
#[cfg(test)]
mod tests;
