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
//! * An unquoted Helm template `{{ .Values.x }}` parses as a flow mapping.
//!
//! Pure: no I/O.

use std::ops::Range;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::imageref::ImageRef;

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
    /// The `name` of the mapping holding the image, or the compose service.
    pub container: Option<String>,
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

/// Char-index ↔ byte-offset and line/column lookups for one text.
struct Positions<'a> {
    text: &'a str,
    /// Byte offset of each char, plus `text.len()` at the end.
    char_bytes: Vec<usize>,
    /// Byte offset where each line starts (breaks: `\n`, `\r\n`, lone `\r`).
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str) -> Self {
        let mut char_bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        char_bytes.push(text.len());
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let brk = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if brk {
                line_starts.push(i + 1);
            }
        }
        Positions {
            text,
            char_bytes,
            line_starts,
        }
    }

    fn byte_of_char(&self, index: usize) -> usize {
        self.char_bytes
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// 1-based line and char column of a byte offset.
    fn line_col(&self, byte: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= byte);
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self.text.get(start..byte).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    /// Byte range of the (1-based) line holding `byte`, without its break.
    fn line_range(&self, byte: usize) -> Range<usize> {
        let line = self.line_starts.partition_point(|&s| s <= byte);
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let mut end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let bytes = self.text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    /// The byte span of a scalar's value text, verified to equal `value`.
    fn scalar_span(
        &self,
        value: &str,
        style: TScalarStyle,
        char_index: usize,
    ) -> Option<Range<usize>> {
        let at = self.byte_of_char(char_index);
        let quote = match style {
            TScalarStyle::Plain => None,
            TScalarStyle::SingleQuoted => Some('\''),
            TScalarStyle::DoubleQuoted => Some('"'),
            TScalarStyle::Literal | TScalarStyle::Folded => return None,
        };
        let exact = |start: usize| {
            let end = start + value.len();
            let body_ok = self.text.get(start..end) == Some(value);
            let close_ok =
                || quote.is_none_or(|q| self.text.get(end..).is_some_and(|t| t.starts_with(q)));
            (body_ok && close_ok()).then_some(start..end)
        };
        let direct = match quote {
            None => exact(at),
            Some(q) if self.text.get(at..).is_some_and(|t| t.starts_with(q)) => exact(at + 1),
            Some(_) => None,
        };
        if direct.is_some() {
            return direct;
        }
        // Fallback: the occurrence on the marker's line nearest the marker.
        let line = self.line_range(at);
        let needle = match quote {
            None => value.to_string(),
            Some(q) => format!("{q}{value}{q}"),
        };
        let skip = quote.map_or(0, char::len_utf8);
        self.text[line.clone()]
            .match_indices(needle.as_str())
            .map(|(i, _)| line.start + i + skip)
            .filter_map(exact)
            .min_by_key(|r| r.start.abs_diff(at))
    }
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
    /// This mapping's `name` scalar value.
    name: Option<String>,
    /// Indices (into the document's pins) of pins held by this mapping.
    pins: Vec<usize>,
}

enum Frame {
    Map(MapFrame),
    Seq,
}

/// Event-walk state for one file.
struct Walker<'a> {
    file: &'a str,
    pos: Positions<'a>,
    stack: Vec<Frame>,
    doc_pins: Vec<PinRef>,
    doc_kind: Option<String>,
    pins: Vec<PinRef>,
}

impl Walker<'_> {
    fn role(&self) -> Role {
        match self.stack.last() {
            Some(Frame::Map(m)) if m.awaiting_value => Role::Value,
            Some(Frame::Map(_)) => Role::Key,
            _ => Role::Item,
        }
    }

    /// A node (scalar, alias or whole collection) has been completed.
    fn node_done(&mut self) {
        if let Some(Frame::Map(m)) = self.stack.last_mut() {
            m.awaiting_value = !m.awaiting_value;
            if !m.awaiting_value {
                m.key = None;
            }
        }
    }

    fn start_collection(&mut self, mapping: bool) {
        let key_in_parent = match (self.role(), self.stack.last()) {
            (Role::Value, Some(Frame::Map(m))) => m.key.clone(),
            _ => None,
        };
        if let Some(Frame::Map(m)) = self.stack.last_mut()
            && !m.awaiting_value
        {
            m.key = None; // a complex (collection) key
        }
        self.stack.push(if mapping {
            Frame::Map(MapFrame {
                key_in_parent,
                awaiting_value: false,
                key: None,
                name: None,
                pins: Vec::new(),
            })
        } else {
            Frame::Seq
        });
    }

    fn end_collection(&mut self) {
        if let Some(Frame::Map(m)) = self.stack.pop() {
            // compose: services.<name>.image, with the root mapping below.
            let is_service = self.stack.len() == 2
                && matches!(&self.stack[0], Frame::Map(_))
                && matches!(&self.stack[1], Frame::Map(s) if s.key_in_parent.as_deref() == Some("services"));
            let container = m.name.or(if is_service { m.key_in_parent } else { None });
            for &i in &m.pins {
                if let Some(pin) = self.doc_pins.get_mut(i) {
                    pin.container.clone_from(&container);
                }
            }
        }
        self.node_done();
    }

    fn scalar(&mut self, value: String, style: TScalarStyle, char_index: usize) {
        match self.role() {
            Role::Key => {
                if let Some(Frame::Map(m)) = self.stack.last_mut() {
                    let key = value
                        .strip_prefix('\u{feff}')
                        .map(str::to_string)
                        .unwrap_or(value);
                    m.key = Some(key);
                }
            }
            Role::Value => self.value_scalar(value, style, char_index),
            Role::Item => {}
        }
        self.node_done();
    }

    fn value_scalar(&mut self, value: String, style: TScalarStyle, char_index: usize) {
        let root = self.stack.len() == 1;
        let Some(Frame::Map(m)) = self.stack.last_mut() else {
            return;
        };
        match m.key.as_deref() {
            Some("kind") if root => self.doc_kind = Some(value),
            Some("name") => m.name = Some(value),
            Some("image") => {
                let Some(span) = self.pos.scalar_span(&value, style, char_index) else {
                    return;
                };
                let Ok(image) = ImageRef::parse(&value) else {
                    return;
                };
                let (line, column) = self.pos.line_col(span.start);
                m.pins.push(self.doc_pins.len());
                self.doc_pins.push(PinRef {
                    file: self.file.to_string(),
                    line,
                    column,
                    span,
                    raw: value,
                    image,
                    kind: None,
                    container: None,
                });
            }
            _ => {}
        }
    }

    fn end_document(&mut self) {
        let kind = self.doc_kind.take();
        for mut pin in self.doc_pins.drain(..) {
            pin.kind.clone_from(&kind);
            self.pins.push(pin);
        }
        self.stack.clear();
    }
}

/// Finds every `image:` value in a (multi-document) YAML file: any mapping
/// key named `image` whose value is a plain or quoted scalar holding a valid
/// image reference (Kubernetes containers/initContainers at any depth,
/// docker-compose `services.<name>.image`). Values that are not image
/// references (templates, aliases, block scalars) are skipped. Malformed YAML
/// is an error at the parser's line and column.
pub fn scan_file(file: &str, text: &str) -> Result<Vec<PinRef>, ScanError> {
    let mut w = Walker {
        file,
        pos: Positions::new(text),
        stack: Vec::new(),
        doc_pins: Vec::new(),
        doc_kind: None,
        pins: Vec::new(),
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
            Event::Alias(_) => w.node_done(),
            Event::MappingStart(..) => w.start_collection(true),
            Event::SequenceStart(..) => w.start_collection(false),
            Event::MappingEnd | Event::SequenceEnd => w.end_collection(),
            Event::StreamStart | Event::Nothing => {}
        }
    }
    w.end_document();
    Ok(w.pins)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    /// Checks span/raw/line/column consistency of every pin.
    fn check(text: &str, pins: &[PinRef]) {
        for p in pins {
            assert_eq!(&text[p.span.clone()], p.raw, "{p:?}");
            let before = text[..p.span.start]
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            assert_eq!((p.line, p.column), (line, col), "{p:?}");
            assert_eq!(ImageRef::parse(&p.raw).unwrap(), p.image);
        }
    }

    /// (line, column, raw, kind, container)
    type Summary<'a> = (usize, usize, &'a str, Option<&'a str>, Option<&'a str>);

    fn summary(pins: &[PinRef]) -> Vec<Summary<'_>> {
        pins.iter()
            .map(|p| {
                (
                    p.line,
                    p.column,
                    p.raw.as_str(),
                    p.kind.as_deref(),
                    p.container.as_deref(),
                )
            })
            .collect()
    }

    #[test]
    fn deployment_containers_and_init_containers() {
        let text = format!(
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  template:
    spec:
      initContainers:
      - name: migrator
        image: "index.docker.io/sourcegraph/migrator:3.22.0@{D1}"
      containers:
      - name: frontend
        image: index.docker.io/sourcegraph/frontend:3.22.0@{D1} # pinned by bot
        env:
        - name: X
          value: "image: not-me"
      - image: 'jaeger:1.2'
        name: jaeger
"#
        );
        let pins = scan_file("base/frontend.yaml", &text).unwrap();
        check(&text, &pins);
        let mig = format!("index.docker.io/sourcegraph/migrator:3.22.0@{D1}");
        let fe = format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}");
        assert_eq!(
            summary(&pins),
            vec![
                (10, 17, mig.as_str(), Some("Deployment"), Some("migrator")),
                (13, 16, fe.as_str(), Some("Deployment"), Some("frontend")),
                (17, 17, "jaeger:1.2", Some("Deployment"), Some("jaeger")),
            ]
        );
        assert_eq!(pins[0].file, "base/frontend.yaml");
        assert_eq!(pins[1].image.key(), "docker.io/sourcegraph/frontend");
    }

    #[test]
    fn multi_document() {
        let text = "\
kind: StatefulSet
spec:
  template:
    spec:
      containers:
      - {name: pgsql, image: 'sourcegraph/postgres-11.4:3.22.0'}
---
apiVersion: v1
kind: Service
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
spec:
  template:
    spec:
      containers:
        - image: sourcegraph/cadvisor:3.22.0
          name: cadvisor
kind: DaemonSet
---
kind: Job
spec:
  template:
    spec:
      containers:
      - name: once
        image: busybox
...
---
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: nightly
            image: ghcr.io/org/nightly:v2
";
        let pins = scan_file("all.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(
            summary(&pins),
            vec![
                (
                    6,
                    31,
                    "sourcegraph/postgres-11.4:3.22.0",
                    Some("StatefulSet"),
                    Some("pgsql")
                ),
                (
                    18,
                    18,
                    "sourcegraph/cadvisor:3.22.0",
                    Some("DaemonSet"),
                    Some("cadvisor")
                ),
                (28, 16, "busybox", Some("Job"), Some("once")),
                (
                    39,
                    20,
                    "ghcr.io/org/nightly:v2",
                    Some("CronJob"),
                    Some("nightly")
                ),
            ]
        );
    }

    #[test]
    fn docker_compose() {
        let text = "\
version: '3'
services:
  frontend:
    image: 'index.docker.io/sourcegraph/frontend:3.22.0'
    ports: ['80:80']
  redis:
    image: \"redis:5.0\"
  built:
    build: .
";
        let pins = scan_file("docker-compose.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(
            summary(&pins),
            vec![
                (
                    4,
                    13,
                    "index.docker.io/sourcegraph/frontend:3.22.0",
                    None,
                    Some("frontend")
                ),
                (7, 13, "redis:5.0", None, Some("redis")),
            ]
        );
    }

    #[test]
    fn non_ascii_before_image_uses_byte_offsets() {
        let text = "# Überwachung — 監視 🚀\nkind: Pod\nspec:\n  containers:\n  - name: é\n    image: \"grafana/grafana:7.1\" # ✓\n    image2: x\n";
        let pins = scan_file("p.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(
            summary(&pins),
            vec![(6, 13, "grafana/grafana:7.1", Some("Pod"), Some("é"))]
        );
        assert_eq!(&text[pins[0].span.start - 1..pins[0].span.start], "\"");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}kind: Pod\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: redis:5.0\r\n  - name: b\r\n    image: 'ghcr.io/x/y:1'\r\n";
        let pins = scan_file("crlf.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(
            summary(&pins),
            vec![
                (5, 12, "redis:5.0", Some("Pod"), Some("a")),
                (7, 13, "ghcr.io/x/y:1", Some("Pod"), Some("b"))
            ]
        );
        let text = "\u{feff}image: redis\n";
        let pins = scan_file("bom.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(pins[0].span, 10..15);
    }

    #[test]
    fn templates_aliases_and_escapes_are_skipped() {
        let text = "\
containers:
- name: a
  image: {{ .Values.image }}
- name: b
  image: \"{{ .Values.image }}\"
- name: c
  image: &img redis:5.0
- name: d
  image: *img
- name: e
  image: \"redis:\\x35\"
- name: f
  image: |
    redis:5.0
- name: g
  image:
- name: h
  image: redis:5.0   \n\
";
        let pins = scan_file("helm.yaml", text).unwrap();
        check(text, &pins);
        assert_eq!(
            summary(&pins),
            vec![
                (7, 15, "redis:5.0", None, Some("c")),
                (18, 10, "redis:5.0", None, Some("h"))
            ]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Arbitrary YAML-ish text never panics and yields only exact spans.
        #[test]
        fn arbitrary_text_never_panics(text in "(image|name|kind|[ \\-:'\"#{}\\[\\],&*!|>é\r\n]|a:1|x/y){0,40}") {
            if let Ok(pins) = scan_file("f", &text) {
                check(&text, &pins);
            }
        }
    }

    #[test]
    fn malformed_yaml_reports_parser_position() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: redis\n   bad: [\n";
        let err = scan_file("bad.yaml", text).unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("bad.yaml", 6));
        assert!(err.to_string().starts_with("bad.yaml:6:"), "{err}");
        let err = scan_file("q.yaml", "a: b\nimage: 'unterminated\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 8), "{err}");
        assert!(scan_file("empty.yaml", "").unwrap().is_empty());
        assert!(
            scan_file("c.yaml", "# only a comment\n")
                .unwrap()
                .is_empty()
        );
    }
}
