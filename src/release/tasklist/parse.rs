//! Parsing a tracking issue's body into a [`Checklist`] with pulldown-cmark.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::slug::{section_slug, step_id, unique_section};
use super::{Checklist, CodeBlock, Section, Step};

/// Collapses whitespace runs to one space and trims.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn section_level(level: HeadingLevel) -> Option<u8> {
    match level {
        HeadingLevel::H1 => Some(1),
        HeadingLevel::H2 => Some(2),
        HeadingLevel::H3 => Some(3),
        _ => None,
    }
}

/// Byte offsets at which lines start (`\n`, `\r\n` and a lone `\r` end lines).
fn line_starts(body: &str) -> Vec<usize> {
    let bytes = body.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// The body as pulldown-cmark should see it (LF only), and how to map its
/// offsets back.
///
/// pulldown-cmark turns a CRLF inside a code span into *two* spaces; parsing
/// an LF copy keeps CRLF bodies exactly equivalent to LF ones. `dropped`
/// holds, for every removed `\r`, the offset of its `\n` in the LF copy.
struct Normalized<'a> {
    text: Cow<'a, str>,
    dropped: Vec<usize>,
}

impl<'a> Normalized<'a> {
    fn new(body: &'a str) -> Self {
        if !body.contains('\r') {
            return Normalized {
                text: Cow::Borrowed(body),
                dropped: Vec::new(),
            };
        }
        // `\r\n` becomes `\n`, a lone `\r` becomes `\n` (same length).
        let mut text = String::with_capacity(body.len());
        let mut dropped = Vec::new();
        let mut pieces = body.split('\r');
        text.push_str(pieces.next().unwrap_or_default());
        for piece in pieces {
            if piece.starts_with('\n') {
                dropped.push(text.len());
            } else {
                text.push('\n');
            }
            text.push_str(piece);
        }
        Normalized {
            text: Cow::Owned(text),
            dropped,
        }
    }

    /// Maps an offset in the LF copy back to the original body.
    fn original(&self, offset: usize) -> usize {
        offset + self.dropped.partition_point(|&lf| lf < offset)
    }
}

/// The exact `[?]` range, checked against the original bytes so that the
/// splice in [`set_done`] always replaces one ASCII byte.
fn checkbox(body: &str, start: usize) -> Option<Range<usize>> {
    let bytes = body.as_bytes();
    match (bytes.get(start), bytes.get(start + 1), bytes.get(start + 2)) {
        (Some(b'['), Some(b' ' | b'\t' | 0x0b | 0x0c | b'x' | b'X'), Some(b']')) => {
            Some(start..start + 3)
        }
        _ => None,
    }
}

/// An open list item while walking the events.
struct Frame {
    /// The step this item is, if it has a checkbox.
    step: Option<usize>,
    /// False once the item's nested list (or a nested block list) began.
    collecting: bool,
    /// The nesting of skipped blocks the item itself sits in.
    skip: usize,
    text: String,
}

impl Checklist {
    /// Parses a tracking issue body. Never fails: anything that is not a
    /// task-list item or an `#`–`###` heading is ignored.
    pub fn parse(body: &str) -> Checklist {
        let norm = Normalized::new(body);
        let lines = line_starts(body);
        let options =
            Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;

        let mut sections: Vec<Section> = Vec::new();
        let mut steps: Vec<Step> = Vec::new();
        let mut frames: Vec<Frame> = Vec::new();
        let mut heading: Option<(u8, String)> = None;
        // Inside a nested block (code, quote, table, HTML) or an image's alt
        // text: not the step's own text.
        let mut skip = 0usize;
        // A code block directly inside a step item: (step index, block so far).
        let mut block: Option<(usize, CodeBlock)> = None;

        for (event, range) in Parser::new_ext(&norm.text, options).into_offset_iter() {
            let (inline, is_code): (&str, bool) = match &event {
                Event::Start(Tag::Heading { level, .. }) => {
                    heading = section_level(*level).map(|l| (l, String::new()));
                    continue;
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, title)) = heading.take() {
                        sections.push(Section::new(collapse(&title), level));
                    }
                    continue;
                }
                Event::Start(Tag::Item) => {
                    let text = String::new();
                    frames.push(Frame {
                        step: None,
                        collecting: true,
                        skip,
                        text,
                    });
                    continue;
                }
                Event::End(TagEnd::Item) => {
                    let popped = frames.pop();
                    let finished = popped.and_then(|f| Some((steps.get_mut(f.step?)?, f.text)));
                    if let Some((step, text)) = finished {
                        step.text = collapse(&text);
                    }
                    continue;
                }
                Event::Start(Tag::List(_)) => {
                    if let Some(frame) = frames.last_mut() {
                        frame.collecting = false;
                    }
                    continue;
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let owner = frames
                        .last()
                        .filter(|f| f.skip == skip)
                        .and_then(|f| f.step);
                    block = owner.map(|index| {
                        let (info, fenced) = match kind {
                            CodeBlockKind::Fenced(info) => (
                                info.split_whitespace()
                                    .next()
                                    .unwrap_or_default()
                                    .to_lowercase(),
                                true,
                            ),
                            CodeBlockKind::Indented => (String::new(), false),
                        };
                        let text = String::new();
                        (index, CodeBlock { info, fenced, text })
                    });
                    skip += 1;
                    continue;
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    let own = frames.last().filter(|f| f.skip == skip && f.collecting);
                    if let Some(step) = own.and_then(|f| steps.get_mut(f.step?)) {
                        step.links.push(dest_url.to_string());
                    }
                    continue;
                }
                Event::Text(text) if block.is_some() => {
                    if let Some((_, b)) = block.as_mut() {
                        b.text.push_str(text);
                    }
                    continue;
                }
                Event::End(TagEnd::CodeBlock) => {
                    skip = skip.saturating_sub(1);
                    if let Some((index, b)) = block.take()
                        && let Some(step) = steps.get_mut(index)
                    {
                        step.blocks.push(b);
                    }
                    (" ", false)
                }
                Event::Start(
                    Tag::BlockQuote(_) | Tag::Table(_) | Tag::HtmlBlock | Tag::Image { .. },
                ) => {
                    skip += 1;
                    continue;
                }
                Event::End(TagEnd::Image) => {
                    skip = skip.saturating_sub(1);
                    continue;
                }
                Event::End(TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::HtmlBlock) => {
                    skip = skip.saturating_sub(1);
                    (" ", false)
                }
                &Event::TaskListMarker(done) => {
                    let depth = frames.len().saturating_sub(1);
                    // The nearest enclosing item that is a step.
                    let parent = frames.iter().rev().skip(1).find_map(|f| f.step);
                    let Some(frame) = frames.last_mut() else {
                        continue;
                    };
                    // pulldown's range is the `[?]`; re-find the `[` to be safe.
                    let start = norm.original(range.start);
                    let found = body
                        .as_bytes()
                        .get(start..norm.original(range.end).max(start));
                    let offset = found.and_then(|b| b.iter().position(|&c| c == b'['));
                    let marker = offset.and_then(|o| checkbox(body, start + o));
                    let (Some(marker), None) = (marker, frame.step) else {
                        continue;
                    };
                    if sections.is_empty() {
                        sections.push(Section::new(String::new(), 0));
                    }
                    let section = sections.len() - 1;
                    let index = steps.len();
                    steps.push(Step {
                        id: String::new(),
                        text: String::new(),
                        done,
                        section,
                        depth,
                        parent,
                        line: lines.partition_point(|&s| s <= marker.start),
                        marker,
                        code: Vec::new(),
                        blocks: Vec::new(),
                        links: Vec::new(),
                    });
                    sections[section].steps.push(index);
                    frame.step = Some(index);
                    continue;
                }
                Event::Text(text) => (text, false),
                Event::Code(code) => (code, true),
                Event::SoftBreak
                | Event::HardBreak
                | Event::Start(Tag::Paragraph)
                | Event::End(TagEnd::Paragraph) => (" ", false),
                _ => continue,
            };
            if let Some((_, title)) = heading.as_mut() {
                title.push_str(inline);
                continue;
            }
            // Only the innermost item's own text, and only if it is a step.
            let own = frames.last_mut().filter(|frame| frame.skip == skip);
            if let Some(Frame {
                step: Some(index),
                collecting: true,
                text,
                ..
            }) = own
            {
                text.push_str(inline);
                if let (true, Some(step)) = (is_code, steps.get_mut(*index)) {
                    step.code.push(inline.to_owned());
                }
            }
        }

        let mut section_slugs = HashSet::new();
        for section in &mut sections {
            let base = if section.level == 0 {
                "top".to_owned()
            } else {
                section_slug(&section.title)
            };
            section.slug = unique_section(&mut section_slugs, base);
            let mut used = HashSet::new();
            for &index in &section.steps {
                if let Some(step) = steps.get_mut(index) {
                    step.id = step_id(&mut used, &section.slug, &step.text);
                }
            }
        }
        Checklist { sections, steps }
    }
}
