//! The release checklist's model: the task list of a GitHub release tracking
//! issue's markdown body (pure, no I/O).
//!
//! The body is the source of truth and is never re-rendered: [`set_done`]
//! splices exactly one byte (`' '` <-> `'x'`) into it. Steps are addressed by
//! stable ids (`{section-slug}/{text-slug}`, at most [`MAX_ID_LEN`]
//! characters, with `-2`, `-3`… for repeated texts within a section), never
//! by line number, so a tick lands on the right step even if someone edited
//! the issue meanwhile. Dates, numbers and versions do not enter an id, so
//! moving a date or bumping a version keeps it (the rule is in `slug`). An id
//! that is no longer one (its step moved, or it is from before this scheme)
//! is answered with where its step is now ([`TickError::Moved`]).
//!
//! The parse is in `parse`, the slugs in `slug`, the errors in `error`.

use std::ops::Range;

mod error;
#[cfg(test)]
mod id_tests;
mod legacy;
mod parse;
mod slug;
#[cfg(test)]
mod tests;

pub use error::{LookupError, TickError};
pub use slug::{MAX_ID_LEN, slug};

use slug::{MIN_SECTION_LEN, MIN_STEP_LEN, Resemblance, resembles, words};

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
    pub(super) fn new(title: String, level: u8) -> Self {
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
    /// Index into [`Checklist::steps`] of the nearest enclosing item that is
    /// a step.
    pub parent: Option<usize>,
    /// 1-based line of the checkbox.
    pub line: usize,
    /// Byte range of the `[ ]` / `[x]` in the body.
    pub marker: Range<usize>,
    /// The item's own inline code spans, in order.
    pub code: Vec<String>,
    /// The code blocks directly inside the item (not in its sub-items), in order.
    pub blocks: Vec<CodeBlock>,
    /// Destinations of the links in the item's own text (`[text](url)`,
    /// `<url>`), in order.
    pub links: Vec<String>,
}

/// A code block inside a step item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// The info string's first word, lowercased (`sh`, `text`, `""`).
    pub info: String,
    /// Fenced (```` ``` ```` or `~~~`) rather than indented.
    pub fenced: bool,
    /// The content, LF line endings, with its final newline.
    pub text: String,
}

impl Checklist {
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

    /// `(done, total)` over all steps nested in step `index` (children,
    /// their children, …); `None` if it has none or there is no such step.
    pub fn children_progress(&self, index: usize) -> Option<(usize, usize)> {
        self.steps.get(index)?;
        let (mut done, mut total) = (0, 0);
        // An item's nested steps follow it in document order, before the next
        // step that is not nested in it.
        for (j, step) in self.steps.iter().enumerate().skip(index + 1) {
            if !self.nested_in(j, index) {
                break;
            }
            total += 1;
            done += usize::from(step.done);
        }
        (total > 0).then_some((done, total))
    }

    /// Whether step `index` is nested (at any depth) in step `ancestor`.
    fn nested_in(&self, mut index: usize, ancestor: usize) -> bool {
        // A parent always comes before its child, so this ends.
        while let Some(parent) = self.steps.get(index).and_then(|s| s.parent) {
            if parent == ancestor {
                return true;
            }
            if parent >= index {
                return false;
            }
            index = parent;
        }
        false
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

    /// The error for an id that is not in this checklist: where its step went.
    ///
    /// The id may be from the older id scheme (longer slugs with dates and
    /// numbers): if it is one of this body's old ids, that is its step. Else
    /// it is from before an edit (its step moved to another section, a
    /// section was renamed, a date moved): its text part is compared by
    /// words, dates and numbers left out. A step whose words it names in full
    /// wins over one whose first words it names (a cut slug); then one in the
    /// section the id names; then the first in the document.
    fn missing(&self, id: &str) -> TickError {
        let (section, text) = id.split_once('/').map_or((None, id), |(s, t)| (Some(s), t));
        // Ids (old ones too) are lowercase letters, digits and `-`.
        let shaped = |part: &str| {
            part.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !shaped(text) || !section.is_none_or(shaped) {
            return TickError::Vanished { id: id.to_owned() };
        }
        let old = legacy::find(self, id).and_then(|i| self.steps.get(i));
        let best = old.or_else(|| self.closest(section, text));
        match best {
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

    /// The step an id's `text` part (and `section` part) names best, by
    /// words (see [`Checklist::missing`]).
    fn closest(&self, section: Option<&str>, text: &str) -> Option<&Step> {
        let section_words: Vec<_> = self.sections.iter().map(|s| words(&s.title)).collect();
        let in_named_section = |step: &Step| {
            let fallback = match self.sections.get(step.section) {
                Some(s) if s.level == 0 => "top",
                _ => "section",
            };
            let words = section_words
                .get(step.section)
                .map_or(&[][..], Vec::as_slice);
            section
                .and_then(|part| resembles(part, words, fallback, MIN_SECTION_LEN))
                .is_some()
        };
        self.steps
            .iter()
            .enumerate()
            .filter_map(|(i, step)| {
                let how = resembles(text, &words(&step.text), "step", MIN_STEP_LEN)?;
                let elsewhere = !in_named_section(step);
                Some(((how != Resemblance::Whole, elsewhere, i), step))
            })
            .min_by_key(|&(rank, _)| rank)
            .map(|(_, step)| step)
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
