//! The release checklist's model: the task list of a GitHub release tracking
//! issue's markdown body (pure, no I/O).
//!
//! The body is the source of truth and is never re-rendered: [`set_done`]
//! splices exactly one byte (`' '` <-> `'x'`) into it. Steps are addressed by
//! stable ids (`{section-slug}/{text-slug}`, with `-2`, `-3`… for repeated
//! texts within a section), never by line number, so a tick lands on the
//! right step even if someone edited the issue meanwhile.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Text slugs longer than this are cut (at a `-` boundary when possible).
const MAX_SLUG_LEN: usize = 60;

/// A parsed tracking issue: sections in document order and all steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checklist {
    pub sections: Vec<Section>,
    pub steps: Vec<Step>,
}

/// A `#`, `##` or `###` heading, or the implicit top section (steps before
/// the first heading: title `""`, slug `top`, level 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub slug: String,
    pub level: u8,
    /// Indices into [`Checklist::steps`], in document order.
    pub steps: Vec<usize>,
}

impl Section {
    fn new(title: String, level: u8) -> Self {
        Section {
            title,
            slug: String::new(),
            level,
            steps: Vec::new(),
        }
    }
}

/// One `- [ ]` / `- [x]` task-list item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    /// The item's own inline text (without nested items), whitespace collapsed.
    pub text: String,
    pub done: bool,
    /// Index into [`Checklist::sections`].
    pub section: usize,
    /// Number of enclosing list items (0 for a top-level item).
    pub depth: usize,
    /// 1-based line of the checkbox.
    pub line: usize,
    /// Byte range of the `[ ]` / `[x]` in the body.
    pub marker: Range<usize>,
    /// The item's own inline code spans, in order.
    pub code: Vec<String>,
}

/// Why [`set_done`] did not change the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TickError {
    /// No step has this id and no step has the same text elsewhere.
    Vanished { id: String },
    /// The step's text is now in another section (or its id changed): `now` is its new id.
    Moved {
        id: String,
        now: String,
        section: String,
    },
    /// The step is already in the wanted state.
    AlreadyInState { id: String, done: bool },
}

/// Why [`Checklist::lookup`] found no single step for what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// Several step ids start with the query (`candidates`, in document order).
    Ambiguous {
        query: String,
        candidates: Vec<String>,
    },
    /// Not a step id now, but a step with its text is elsewhere (an old id):
    /// `now` is its id, `section` its section's title.
    Moved {
        id: String,
        now: String,
        section: String,
    },
    /// No step id is or starts with the query; `suggestion` is the closest id,
    /// if one is close enough.
    Unknown {
        query: String,
        suggestion: Option<String>,
    },
}

/// At most this many candidates are named for an ambiguous prefix.
const MAX_CANDIDATES: usize = 8;

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Ambiguous { query, candidates } => {
                write!(
                    f,
                    "{query:?} is ambiguous: {} step ids start with it: ",
                    candidates.len()
                )?;
                let named: Vec<_> = candidates.iter().take(MAX_CANDIDATES).collect();
                for (i, c) in named.iter().enumerate() {
                    write!(f, "{}{c}", if i == 0 { "" } else { ", " })?;
                }
                if candidates.len() > named.len() {
                    write!(f, " and {} more", candidates.len() - named.len())?;
                }
                Ok(())
            }
            LookupError::Moved { id, now, section } => TickError::Moved {
                id: id.clone(),
                now: now.clone(),
                section: section.clone(),
            }
            .fmt(f),
            LookupError::Unknown { query, suggestion } => {
                write!(f, "no step {query:?}")?;
                if let Some(s) = suggestion {
                    write!(f, "; did you mean {s:?}?")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LookupError {}

impl fmt::Display for TickError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TickError::Vanished { id } => write!(
                f,
                "step {id} is no longer in the issue: it was removed or its text changed; \
                 nothing was changed"
            ),
            TickError::Moved { id, now, section } => {
                let place = if section.is_empty() {
                    "before the first heading".to_owned()
                } else {
                    format!("in section \"{section}\"")
                };
                write!(
                    f,
                    "step {id} has moved: it is now {now} ({place}); nothing was changed, \
                     check the issue and tick it there"
                )
            }
            TickError::AlreadyInState { id, done } => {
                let state = if *done { "ticked" } else { "unticked" };
                write!(f, "step {id} is already {state}; nothing was changed")
            }
        }
    }
}

impl std::error::Error for TickError {}

/// Lowercase ASCII alphanumerics, every run of other characters as one `-`,
/// trimmed of `-`, at most 60 characters (cut at a `-` when possible);
/// `"step"` when nothing is left.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(2 * MAX_SLUG_LEN));
    let mut gap = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    if out.len() > MAX_SLUG_LEN {
        // `out` is ASCII, so byte offsets are char offsets.
        let cut = if out.as_bytes().get(MAX_SLUG_LEN) == Some(&b'-') {
            MAX_SLUG_LEN
        } else {
            match out[..MAX_SLUG_LEN].rfind('-') {
                Some(dash) if dash > 0 => dash,
                _ => MAX_SLUG_LEN,
            }
        };
        out.truncate(cut);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        "step".to_owned()
    } else {
        out
    }
}

/// `base`, or `base-2`, `base-3`… whichever is not yet in `used` (then recorded).
fn unique(used: &mut HashSet<String>, base: String) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

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
                Event::Start(
                    Tag::CodeBlock(_)
                    | Tag::BlockQuote(_)
                    | Tag::Table(_)
                    | Tag::HtmlBlock
                    | Tag::Image { .. },
                ) => {
                    skip += 1;
                    continue;
                }
                Event::End(TagEnd::Image) => {
                    skip = skip.saturating_sub(1);
                    continue;
                }
                Event::End(
                    TagEnd::CodeBlock | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::HtmlBlock,
                ) => {
                    skip = skip.saturating_sub(1);
                    (" ", false)
                }
                &Event::TaskListMarker(done) => {
                    let depth = frames.len().saturating_sub(1);
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
                        line: lines.partition_point(|&s| s <= marker.start),
                        marker,
                        code: Vec::new(),
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
                slug(&section.title)
            };
            section.slug = unique(&mut section_slugs, base);
            let mut used = HashSet::new();
            for &index in &section.steps {
                if let Some(step) = steps.get_mut(index) {
                    let text = unique(&mut used, slug(&step.text));
                    step.id = format!("{}/{}", section.slug, text);
                }
            }
        }
        Checklist { sections, steps }
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// `(done, total)` over all steps.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.steps.iter().filter(|s| s.done).count(),
            self.steps.len(),
        )
    }

    /// `(done, total)` within one section; `(0, 0)` for an unknown index.
    pub fn section_progress(&self, section: usize) -> (usize, usize) {
        let Some(section) = self.sections.get(section) else {
            return (0, 0);
        };
        let done = section
            .steps
            .iter()
            .filter(|&&i| self.steps.get(i).is_some_and(|s| s.done))
            .count();
        (done, section.steps.len())
    }

    /// Index of the first step not done.
    pub fn first_open(&self) -> Option<usize> {
        self.steps.iter().position(|s| !s.done)
    }

    /// Index of the first step after `index` that is not done.
    pub fn next_open_after(&self, index: usize) -> Option<usize> {
        let from = index.checked_add(1)?;
        (from..self.steps.len()).find(|&i| !self.steps[i].done)
    }

    /// The step the user means by `query`: the step with exactly this id,
    /// else the only step whose id starts with it.
    pub fn lookup(&self, query: &str) -> Result<&Step, LookupError> {
        if let Some(step) = self.step(query) {
            return Ok(step);
        }
        let matches: Vec<&Step> = if query.is_empty() {
            Vec::new()
        } else {
            self.steps
                .iter()
                .filter(|s| s.id.starts_with(query))
                .collect()
        };
        match matches.as_slice() {
            [one] => Ok(one),
            // An old id (it has a section) whose step is elsewhere now.
            [] => Err(match self.missing(query) {
                TickError::Moved { id, now, section } if query.contains('/') => {
                    LookupError::Moved { id, now, section }
                }
                _ => LookupError::Unknown {
                    query: query.to_owned(),
                    suggestion: self.nearest_id(query).map(str::to_owned),
                },
            }),
            many => Err(LookupError::Ambiguous {
                query: query.to_owned(),
                candidates: many.iter().map(|s| s.id.clone()).collect(),
            }),
        }
    }

    /// The step id closest to `query` (a mistyped id or id prefix, or an id
    /// without its section), if one is close enough to suggest.
    fn nearest_id(&self, query: &str) -> Option<&str> {
        let query = query.trim().to_lowercase();
        let len = query.chars().count();
        if len == 0 {
            return None;
        }
        // Ids are ASCII, so a char count is a byte offset.
        self.steps
            .iter()
            .filter_map(|step| {
                let id = step.id.as_str();
                let text = id.split_once('/').map_or(id, |(_, t)| t);
                // A mistyped prefix: compare with the id cut to the query's length.
                let cut = |s: &str| match s.get(..len) {
                    Some(h) if len >= 4 => strsim::damerau_levenshtein(&query, h),
                    _ => usize::MAX,
                };
                let best = [
                    strsim::damerau_levenshtein(&query, id),
                    strsim::damerau_levenshtein(&query, text),
                    cut(id),
                    cut(text),
                ]
                .into_iter()
                .min()?;
                (best <= (len / 4).max(1)).then_some((best, id))
            })
            // The closest; on a tie, the first in the document.
            .min_by_key(|&(d, _)| d)
            .map(|(_, id)| id)
    }

    /// The error for an id that is not in this checklist: where its text went.
    fn missing(&self, id: &str) -> TickError {
        let text = id.split_once('/').map_or(id, |(_, text)| text);
        // `foo-2` may be the second "foo" of its section.
        let unsuffixed = text
            .rsplit_once('-')
            .filter(|(base, n)| {
                !base.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(base, _)| base);
        let find = |wanted: &str| self.steps.iter().find(|s| slug(&s.text) == wanted);
        match find(text).or_else(|| unsuffixed.and_then(find)) {
            Some(step) => TickError::Moved {
                id: id.to_owned(),
                now: step.id.clone(),
                section: self
                    .sections
                    .get(step.section)
                    .map(|s| s.title.clone())
                    .unwrap_or_default(),
            },
            None => TickError::Vanished { id: id.to_owned() },
        }
    }
}

/// Sets the step's checkbox in `body` to `done` by splicing exactly one byte (' ' <-> 'x'); everything else is kept byte for byte.
pub fn set_done(body: &str, id: &str, done: bool) -> Result<String, TickError> {
    let checklist = Checklist::parse(body);
    let Some(step) = checklist.step(id) else {
        return Err(checklist.missing(id));
    };
    if step.done == done {
        return Err(TickError::AlreadyInState {
            id: id.to_owned(),
            done,
        });
    }
    // `checkbox` verified that this byte is ASCII, so both ends are char boundaries.
    let at = step.marker.start + 1;
    let mut out = body.to_owned();
    out.replace_range(at..at + 1, if done { "x" } else { " " });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ISSUE: &str = r#"This is the release tracking issue for **Sourcegraph 5.3**. See the
[release guide](https://handbook.sourcegraph.com/release) for how it works.

<!-- generated by the release tool
- [ ] commented-out step
-->

## Setup

- [x] Create tracking issue
- [ ] Ping `@release-guild` in #release
- [ ] Create release candidate: `yarn release release:create-candidate 1`
  - [ ] Check CI on `main` is green
    - [ ] Rerun *flaky* tests
  - [x] Update **CHANGELOG**
- Plain bullet, not a step

## Prepare release

* [x] Run `yarn release release:status`
+ [ ] Create release candidate: `yarn release release:create-candidate 2`
1. [ ] Deploy to [dogfood](https://k8s.sgdev.org)
2. [X] Verify dogfood

```sh
- [ ] not a task
```

### Post-release

- [ ] Announce in #announcements
- [ ] Announce in #announcements
#### Notes
- [ ] Close this issue
"#;

    const RC1: &str = "setup/create-release-candidate-yarn-release-release-create";

    fn ids(list: &Checklist) -> Vec<&str> {
        list.steps.iter().map(|s| s.id.as_str()).collect()
    }

    fn moved(id: &str, now: &str, section: &str) -> Result<String, TickError> {
        let (id, now, section) = (id.into(), now.into(), section.into());
        Err(TickError::Moved { id, now, section })
    }

    fn already(id: &str, done: bool) -> Result<String, TickError> {
        Err(TickError::AlreadyInState {
            id: id.into(),
            done,
        })
    }

    fn line_of(body: &str, needle: &str) -> usize {
        body.lines()
            .position(|l| l.contains(needle))
            .expect("needle")
            + 1
    }

    #[test]
    fn sections_and_ids() {
        let list = Checklist::parse(ISSUE);
        let sections: Vec<_> = list
            .sections
            .iter()
            .map(|s| (s.title.as_str(), s.slug.as_str(), s.level))
            .collect();
        assert_eq!(
            sections,
            [
                ("Setup", "setup", 2),
                ("Prepare release", "prepare-release", 2),
                ("Post-release", "post-release", 3)
            ]
        );
        assert_eq!(
            ids(&list),
            [
                "setup/create-tracking-issue",
                "setup/ping-release-guild-in-release",
                RC1,
                "setup/check-ci-on-main-is-green",
                "setup/rerun-flaky-tests",
                "setup/update-changelog",
                "prepare-release/run-yarn-release-release-status",
                "prepare-release/create-release-candidate-yarn-release-release-create",
                "prepare-release/deploy-to-dogfood",
                "prepare-release/verify-dogfood",
                "post-release/announce-in-announcements",
                "post-release/announce-in-announcements-2",
                "post-release/close-this-issue",
            ]
        );
        assert!(
            list.steps
                .iter()
                .all(|s| !s.text.contains("not a task") && !s.text.contains("commented"))
        );
        let depths: Vec<_> = list.steps.iter().map(|s| s.depth).collect();
        assert_eq!(depths, [0, 0, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(list.sections[2].steps, [10, 11, 12]);
    }

    #[test]
    fn text_code_line_and_marker() {
        let list = Checklist::parse(ISSUE);
        let rc = list.step(RC1).expect("rc step");
        assert_eq!(
            rc.text,
            "Create release candidate: yarn release release:create-candidate 1"
        );
        assert_eq!(rc.code, ["yarn release release:create-candidate 1"]);
        assert_eq!(rc.line, line_of(ISSUE, "create-candidate 1"));
        assert_eq!(&ISSUE[rc.marker.clone()], "[ ]");
        assert!(!rc.done);
        let ci = list.step("setup/check-ci-on-main-is-green").expect("ci");
        assert_eq!(
            (ci.text.as_str(), ci.code.as_slice()),
            ("Check CI on main is green", &["main".to_owned()][..])
        );
        assert_eq!(
            list.step("setup/rerun-flaky-tests").expect("rerun").text,
            "Rerun flaky tests"
        );
        let deploy = list
            .step("prepare-release/deploy-to-dogfood")
            .expect("deploy");
        assert_eq!(deploy.text, "Deploy to dogfood");
        let verify = list.step("prepare-release/verify-dogfood").expect("verify");
        assert!(verify.done);
        assert_eq!(&ISSUE[verify.marker.clone()], "[X]");
        assert_eq!(verify.line, line_of(ISSUE, "Verify dogfood"));
    }

    #[test]
    fn loose_items_top_section_and_duplicate_headings() {
        let body = "- [ ] first\n\n  second paragraph\n\n  - [ ] child\n\n# Notes\n-   [ ] a\n- [ ] A!\n# Notes\n- [x] a\n";
        let list = Checklist::parse(body);
        assert_eq!(
            (
                list.sections[0].title.as_str(),
                list.sections[0].slug.as_str(),
                list.sections[0].level
            ),
            ("", "top", 0)
        );
        assert_eq!(
            ids(&list),
            [
                "top/first-second-paragraph",
                "top/child",
                "notes/a",
                "notes/a-2",
                "notes-2/a"
            ]
        );
        assert_eq!(list.steps[0].text, "first second paragraph");
        assert_eq!(list.steps[1].depth, 1);
        assert_eq!(&body[list.steps[2].marker.clone()], "[ ]");
        assert_eq!(
            Checklist::parse("no tasks\n## Only heading\n")
                .sections
                .len(),
            1
        );
        assert!(Checklist::parse("").sections.is_empty());
        let blocks = "- [ ] foo <!-- c --> ~~old~~\n  > quoted\n  ```\n  code\n  ```\n  - [ ] sub\n> - [ ] in quote\n";
        let texts: Vec<_> = Checklist::parse(blocks)
            .steps
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(texts, ["foo old", "sub", "in quote"]);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("  Hello, World!  "), "hello-world");
        assert_eq!(slug("`--` ***"), "step");
        assert_eq!(slug("Déploiement 🚀 v5.3"), "d-ploiement-v5-3");
        let long = "word ".repeat(30);
        let s = slug(&long);
        assert!(
            s.len() <= 60 && s.ends_with("word") && !s.contains("--"),
            "{s}"
        );
        assert_eq!(slug(&"a".repeat(70)), "a".repeat(60));
        assert_eq!(slug(&format!("{} b", "a".repeat(60))), "a".repeat(60));
    }

    #[test]
    fn progress_and_navigation() {
        let list = Checklist::parse(ISSUE);
        assert_eq!(list.progress(), (4, 13));
        assert_eq!(list.section_progress(0), (2, 6));
        assert_eq!(list.section_progress(1), (2, 4));
        assert_eq!(list.section_progress(2), (0, 3));
        assert_eq!(list.section_progress(9), (0, 0));
        assert_eq!(list.first_open(), Some(1));
        assert_eq!(list.next_open_after(1), Some(2));
        assert_eq!(list.next_open_after(4), Some(7));
        assert_eq!(list.next_open_after(12), None);
        assert_eq!(list.next_open_after(usize::MAX), None);
        assert_eq!(Checklist::parse("- [x] done\n").first_open(), None);
    }

    #[test]
    fn tick_and_untick() {
        let ticked = set_done(ISSUE, "setup/ping-release-guild-in-release", true).expect("tick");
        assert_eq!(ticked, ISSUE.replacen("- [ ] Ping", "- [x] Ping", 1));
        let unticked = set_done(ISSUE, "prepare-release/verify-dogfood", false).expect("untick");
        assert_eq!(
            unticked,
            ISSUE.replacen("2. [X] Verify", "2. [ ] Verify", 1)
        );
        let nested = set_done(ISSUE, "setup/rerun-flaky-tests", true).expect("nested");
        assert_eq!(
            nested,
            ISSUE.replacen("    - [ ] Rerun", "    - [x] Rerun", 1)
        );
        let second =
            set_done(ISSUE, "post-release/announce-in-announcements-2", true).expect("dup");
        let at = ISSUE.rfind("- [ ] Announce").expect("announce");
        assert_eq!(second, format!("{}- [x]{}", &ISSUE[..at], &ISSUE[at + 5..]));
    }

    #[test]
    fn crlf_round_trip() {
        let crlf = ISSUE.replace('\n', "\r\n");
        let (lf_list, crlf_list) = (Checklist::parse(ISSUE), Checklist::parse(&crlf));
        assert_eq!(ids(&lf_list), ids(&crlf_list));
        for (a, b) in lf_list.steps.iter().zip(&crlf_list.steps) {
            assert_eq!(
                (&a.text, &a.code, a.line, a.done),
                (&b.text, &b.code, b.line, b.done)
            );
            assert_eq!(&crlf[b.marker.clone()], &ISSUE[a.marker.clone()]);
        }
        let ticked = set_done(&crlf, RC1, true).expect("tick");
        assert_eq!(ticked.len(), crlf.len());
        let diff: Vec<_> = (0..crlf.len())
            .filter(|&i| crlf.as_bytes()[i] != ticked.as_bytes()[i])
            .collect();
        assert_eq!(diff, [crlf_list.step(RC1).expect("rc").marker.start + 1]);
        assert_eq!(ticked.matches("\r\n").count(), crlf.matches("\r\n").count());
        assert_eq!(set_done(&ticked, RC1, false).expect("untick"), crlf);
        // pulldown-cmark would give two spaces for a CRLF inside a code span.
        let list = Checklist::parse("- [ ] run `a\r\nb`\r\n");
        assert_eq!(list.steps[0].code, ["a b"]);
    }

    #[test]
    fn concurrent_edit_keeps_the_other_changes() {
        let a = ISSUE;
        let id = Checklist::parse(a).steps[1].id.clone();
        let b = a.replacen("1. [ ] Deploy", "1. [x] Deploy", 1).replacen(
            "for how it works.",
            "for how it works (updated by @alice).",
            1,
        );
        let result = set_done(&b, &id, true).expect("tick on B");
        assert_eq!(result, b.replacen("- [ ] Ping", "- [x] Ping", 1));
        assert!(
            Checklist::parse(&result)
                .step("prepare-release/deploy-to-dogfood")
                .expect("deploy")
                .done
        );
    }

    #[test]
    fn vanished_moved_already() {
        assert_eq!(
            set_done(ISSUE, "setup/does-not-exist", true),
            Err(TickError::Vanished {
                id: "setup/does-not-exist".into()
            })
        );
        let moved_body = ISSUE
            .replacen("    - [ ] Rerun *flaky* tests\n", "", 1)
            .replacen(
                "- [ ] Close this issue",
                "- [ ] Close this issue\n- [ ] Rerun flaky tests",
                1,
            );
        let (rerun, now) = ("setup/rerun-flaky-tests", "post-release/rerun-flaky-tests");
        assert_eq!(
            set_done(&moved_body, rerun, true),
            moved(rerun, now, "Post-release")
        );
        let renamed = ISSUE.replacen("## Setup", "## Set up the release", 1);
        let now = RC1.replace("setup/", "set-up-the-release/");
        assert_eq!(
            set_done(&renamed, RC1, true),
            moved(RC1, &now, "Set up the release")
        );
        let one_announce = ISSUE.replacen("- [ ] Announce in #announcements\n", "", 1);
        let announce = "post-release/announce-in-announcements";
        let second = format!("{announce}-2");
        let result = set_done(&one_announce, &second, true);
        assert_eq!(result, moved(&second, announce, "Post-release"));
        let (tracking, ci) = (
            "setup/create-tracking-issue",
            "setup/check-ci-on-main-is-green",
        );
        assert_eq!(set_done(ISSUE, tracking, true), already(tracking, true));
        assert_eq!(set_done(ISSUE, ci, false), already(ci, false));
    }

    #[test]
    fn error_messages() {
        let vanished = TickError::Vanished {
            id: "prepare-release/create-release-candidate".into(),
        };
        assert_eq!(
            vanished.to_string(),
            "step prepare-release/create-release-candidate is no longer in the issue: it was removed \
             or its text changed; nothing was changed"
        );
        let message = |r: Result<String, TickError>| r.expect_err("error").to_string();
        assert!(message(moved("a/x", "b/x", "B")).contains("now b/x (in section \"B\")"));
        assert!(message(moved("a/x", "top/x", "")).contains("before the first heading"));
        assert_eq!(
            message(already("a/x", true)),
            "step a/x is already ticked; nothing was changed"
        );
        assert_eq!(
            message(already("a/x", false)),
            "step a/x is already unticked; nothing was changed"
        );
    }

    #[test]
    fn lookup_exact_prefix_ambiguous() {
        let list = Checklist::parse(ISSUE);
        let found = |q: &str| list.lookup(q).map(|s| s.id.as_str());
        assert_eq!(found(RC1), Ok(RC1));
        assert_eq!(
            found("setup/ping"),
            Ok("setup/ping-release-guild-in-release")
        );
        assert_eq!(
            found("prepare-release/v"),
            Ok("prepare-release/verify-dogfood")
        );
        // An exact id wins over being a prefix of a longer one.
        let announce = "post-release/announce-in-announcements";
        assert_eq!(found(announce), Ok(announce));
        assert_eq!(
            found("post-release/ann"),
            Err(LookupError::Ambiguous {
                query: "post-release/ann".into(),
                candidates: vec![announce.into(), format!("{announce}-2")],
            })
        );
        let e = list.lookup("setup/c").expect_err("ambiguous").to_string();
        assert_eq!(
            e,
            format!(
                "\"setup/c\" is ambiguous: 3 step ids start with it: \
                 setup/create-tracking-issue, {RC1}, setup/check-ci-on-main-is-green"
            )
        );
        let many = list.lookup("p").expect_err("ambiguous").to_string();
        assert!(
            many.contains("7 step ids start") && !many.contains(" more"),
            "{many}"
        );
        let all = list.lookup("").expect_err("empty");
        assert_eq!(
            all,
            LookupError::Unknown {
                query: String::new(),
                suggestion: None
            }
        );
        let long: String = (0..12).map(|i| format!("- [ ] s{i}\n")).collect();
        let e = Checklist::parse(&long).lookup("top/s").expect_err("12");
        assert!(e.to_string().ends_with("top/s7 and 4 more"), "{e}");
    }

    #[test]
    fn lookup_suggests_the_nearest_id() {
        let list = Checklist::parse(ISSUE);
        let suggestion = |q: &str| match list.lookup(q) {
            Err(LookupError::Unknown { suggestion, .. }) => suggestion,
            other => panic!("{q}: {other:?}"),
        };
        // A typo in a whole id, in a prefix, or an id without its section.
        assert_eq!(
            suggestion("setup/rerun-flakey-tests").as_deref(),
            Some("setup/rerun-flaky-tests")
        );
        assert_eq!(
            suggestion("prepare-relase/deploy").as_deref(),
            Some("prepare-release/deploy-to-dogfood")
        );
        assert_eq!(
            suggestion("close-this-issue").as_deref(),
            Some("post-release/close-this-issue")
        );
        assert_eq!(
            suggestion("Setup/Update-Changelog").as_deref(),
            Some("setup/update-changelog")
        );
        // Nothing close: no suggestion.
        assert_eq!(suggestion("nosuch"), None);
        assert_eq!(suggestion("setup/does-not-exist"), None);
        let e = list.lookup("setup/rerun-flakey-tests").expect_err("typo");
        assert_eq!(
            e.to_string(),
            "no step \"setup/rerun-flakey-tests\"; did you mean \"setup/rerun-flaky-tests\"?"
        );
        assert_eq!(
            list.lookup("nosuch").expect_err("unknown").to_string(),
            "no step \"nosuch\""
        );
    }

    #[test]
    fn lookup_of_an_old_id_says_where_the_step_went() {
        let renamed = ISSUE.replacen("## Setup", "## Set up the release", 1);
        let list = Checklist::parse(&renamed);
        let now = RC1.replace("setup/", "set-up-the-release/");
        assert_eq!(
            list.lookup(RC1).map(|s| s.id.as_str()),
            Err(LookupError::Moved {
                id: RC1.into(),
                now: now.clone(),
                section: "Set up the release".into()
            })
        );
        let e = list.lookup(RC1).expect_err("moved").to_string();
        assert!(e.contains(&format!("has moved: it is now {now}")), "{e}");
        // Without a section it is a search, not an old id.
        let text = "create-release-candidate-yarn-release-release-create";
        assert!(matches!(
            Checklist::parse(ISSUE).lookup(text),
            Err(LookupError::Unknown { suggestion: Some(s), .. }) if s == RC1
        ));
    }

    #[test]
    fn non_ascii() {
        let body = "## Déploiement 🚀\n\n- [ ] Vérifier les journaux — `kubectl logs`\n- [ ] 发布\n> - [x] Überprüfung ✅\n";
        let list = Checklist::parse(body);
        assert_eq!(
            ids(&list),
            [
                "d-ploiement/v-rifier-les-journaux-kubectl-logs",
                "d-ploiement/step",
                "d-ploiement/berpr-fung"
            ]
        );
        assert_eq!(list.steps[0].text, "Vérifier les journaux — kubectl logs");
        assert_eq!(list.steps[1].text, "发布");
        assert_eq!(list.steps[2].line, 5);
        let ticked = set_done(body, "d-ploiement/step", true).expect("tick");
        assert_eq!(ticked, body.replacen("- [ ] 发布", "- [x] 发布", 1));
        assert_eq!(
            set_done(body, "d-ploiement/berpr-fung", false).expect("untick"),
            body.replacen("[x] Ü", "[ ] Ü", 1)
        );
    }

    #[derive(Debug, Clone)]
    enum Line {
        Heading(usize, String),
        Task {
            indent: usize,
            bullet: &'static str,
            mark: char,
            text: String,
        },
        Paragraph(String),
        Bullet(usize, String),
        Blank,
        Fence,
        Comment,
        Quoted(String),
    }

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 `\\[\\]*_()!:.,#éß日本🚀-]{0,24}"
    }

    fn line() -> impl Strategy<Value = Line> {
        prop_oneof![
            1 => (1usize..=4, text()).prop_map(|(l, t)| Line::Heading(l, t)),
            6 => (
                prop::sample::select(vec![0usize, 2, 4]),
                prop::sample::select(vec!["-", "*", "+", "1."]),
                prop::sample::select(vec![' ', 'x', 'X']),
                text(),
            )
                .prop_map(|(indent, bullet, mark, text)| Line::Task { indent, bullet, mark, text }),
            1 => text().prop_map(Line::Paragraph),
            1 => (prop::sample::select(vec![0usize, 2]), text()).prop_map(|(i, t)| Line::Bullet(i, t)),
            1 => Just(Line::Blank),
            1 => Just(Line::Fence),
            1 => Just(Line::Comment),
            1 => text().prop_map(Line::Quoted),
        ]
    }

    fn render(lines: &[Line], crlf: bool) -> String {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut out = String::new();
        for line in lines {
            let text = match line {
                Line::Heading(level, t) => format!("{} {t}", "#".repeat(*level)),
                Line::Task {
                    indent,
                    bullet,
                    mark,
                    text,
                } => {
                    format!("{}{bullet} [{mark}] {text}", " ".repeat(*indent))
                }
                Line::Paragraph(t) => format!("note {t}"),
                Line::Bullet(indent, t) => format!("{}- plain {t}", " ".repeat(*indent)),
                Line::Blank => String::new(),
                Line::Fence => format!("```{eol}- [ ] not a task{eol}```"),
                Line::Comment => format!("<!-- {eol}- [ ] hidden{eol}-->"),
                Line::Quoted(t) => format!("> - [ ] quoted {t}"),
            };
            out.push_str(&text);
            out.push_str(eol);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn toggling_splices_one_byte(lines in prop::collection::vec(line(), 0..24), crlf in any::<bool>()) {
            let body = render(&lines, crlf);
            let list = Checklist::parse(&body);
            let unique: HashSet<_> = list.steps.iter().map(|s| &s.id).collect();
            prop_assert_eq!(unique.len(), list.steps.len());
            prop_assert!(!list.steps.iter().any(|s| s.text.contains("not a task") || s.text.contains("hidden")));
            for (i, step) in list.steps.iter().enumerate() {
                let toggled = set_done(&body, &step.id, !step.done)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(toggled.len(), body.len());
                let diff: Vec<_> = body.bytes().zip(toggled.bytes()).enumerate()
                    .filter(|(_, (a, b))| a != b).map(|(at, _)| at).collect();
                prop_assert_eq!(diff, vec![step.marker.start + 1]);
                let again = Checklist::parse(&toggled);
                prop_assert_eq!(ids(&again), ids(&list));
                for (j, (before, after)) in list.steps.iter().zip(&again.steps).enumerate() {
                    prop_assert_eq!(after.done, if i == j { !before.done } else { before.done });
                }
                let back = set_done(&toggled, &step.id, step.done)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let mut expected = body.clone();
                if body.as_bytes()[step.marker.start + 1] == b'X' {
                    expected.replace_range(step.marker.start + 1..step.marker.start + 2, "x");
                }
                prop_assert_eq!(back, expected);
            }
        }

        #[test]
        fn crlf_parses_like_lf(lines in prop::collection::vec(line(), 0..24)) {
            let (lf, crlf) = (render(&lines, false), render(&lines, true));
            let (a, b) = (Checklist::parse(&lf), Checklist::parse(&crlf));
            prop_assert_eq!(ids(&a), ids(&b));
            for (x, y) in a.steps.iter().zip(&b.steps) {
                prop_assert_eq!((&x.text, &x.code, x.line, x.done, x.depth), (&y.text, &y.code, y.line, y.done, y.depth));
            }
        }
    }
}
