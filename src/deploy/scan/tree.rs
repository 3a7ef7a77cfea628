//! A YAML document as a tree of nodes with their markers, for the scanners
//! that read a mapping's keys together (Helm values maps, kustomize
//! `images:` entries). Built from yaml-rust2's event stream, like the
//! `image:` walker (markers count chars, see the module above).

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use super::ScanError;

/// A scalar as parsed, with its marker.
#[derive(Debug, Clone)]
pub(super) struct Scalar {
    /// The parsed value (escapes resolved, quotes removed).
    pub(super) value: String,
    pub(super) style: TScalarStyle,
    /// Char index of its marker (the opening quote of a quoted scalar).
    pub(super) at: usize,
}

impl Scalar {
    /// A plain empty, `~` or `null` value.
    pub(super) fn is_null(&self) -> bool {
        self.style == TScalarStyle::Plain
            && matches!(self.value.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }
}

/// One node of a document.
#[derive(Debug, Clone)]
pub(super) enum Node {
    Scalar(Scalar),
    /// An alias (`*name`).
    Alias,
    Map(Map),
    Seq(Vec<Node>),
}

/// A mapping: its scalar-keyed entries in order (complex keys are dropped).
#[derive(Debug, Clone, Default)]
pub(super) struct Map {
    pub(super) entries: Vec<(Scalar, Node)>,
    /// Char index of its marker.
    pub(super) at: usize,
}

impl Map {
    /// The value of `key`.
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
    }

    /// The value of `key` when it is a scalar that is not null nor empty
    /// (`tag: ""` in a chart means "not set").
    pub(super) fn scalar(&self, key: &str) -> Option<&Scalar> {
        match self.get(key) {
            Some(Node::Scalar(s)) if !s.is_null() && !s.value.is_empty() => Some(s),
            _ => None,
        }
    }
}

enum Open {
    Map(Map, Option<Scalar>),
    Seq(Vec<Node>),
}

/// The documents of `text`, each its root node (None for an empty one).
pub(super) fn documents(file: &str, text: &str) -> Result<Vec<Node>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
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
        let done = match event {
            Event::StreamEnd => break,
            Event::Scalar(value, style, _, _) => Node::Scalar(Scalar {
                value,
                style,
                at: mark.index(),
            }),
            Event::Alias(_) => Node::Alias,
            Event::MappingStart(..) => {
                let map = Map {
                    entries: Vec::new(),
                    at: mark.index(),
                };
                stack.push(Open::Map(map, None));
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push(Open::Seq(Vec::new()));
                continue;
            }
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map(map, _)) => Node::Map(map),
                _ => continue,
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq(items)) => Node::Seq(items),
                _ => continue,
            },
            Event::DocumentStart => {
                stack.clear();
                continue;
            }
            Event::DocumentEnd | Event::StreamStart | Event::Nothing => continue,
        };
        match stack.last_mut() {
            None => docs.push(done),
            Some(Open::Seq(items)) => items.push(done),
            Some(Open::Map(map, key)) => match key.take() {
                Some(k) => map.entries.push((k, done)),
                None => match done {
                    Node::Scalar(mut s) => {
                        if let Some(bare) = s.value.strip_prefix('\u{feff}') {
                            s.value = bare.to_string();
                        }
                        *key = Some(s);
                    }
                    // A complex key: its value is read and dropped.
                    _ => {
                        *key = Some(Scalar {
                            value: String::new(),
                            style: TScalarStyle::Literal,
                            at: 0,
                        })
                    }
                },
            },
        }
    }
    Ok(docs)
}
