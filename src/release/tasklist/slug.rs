//! Step and section slugs: the parts of a step's id, and how an old id is
//! recognised.
//!
//! The rule:
//!
//! 1. A text is cut into words: runs of ASCII letters and digits, lowercased
//!    (anything else separates words; nothing else enters a slug, so
//!    punctuation, trailing or not, never does).
//! 2. Dates and numbers are dropped: every word that starts with a digit
//!    (`4`, `2020`, `15th`; so `3.23`, `2020-12-15` and `15.12.2020` leave
//!    nothing), `v` and digits (`v3`), a pre-release tag right after a number
//!    (`rc`, `alpha`, `beta`, `x`: `v3.23.0-rc.1`, `3.23.x`), a month name
//!    next to a number (`December 15`, `15 Dec`), a weekday name (`Friday`;
//!    `Fri` next to a month or a day beside one). So a date or version edit
//!    keeps the id.
//! 3. The words are joined with `-`. If that is too long, stop-words (`the`,
//!    `a`, `to`, …) are left out; if still too long, words in parentheses
//!    (`Release day (3 working days before release)`); if still too long, the
//!    slug ends after the last whole word that fits (a first word longer
//!    than the room is cut). Words keep their order.
//! 4. Section slugs get [`SECTION_LEN`] characters (`top` before the first
//!    heading, `section` if nothing is left), step slugs what is left of
//!    [`MAX_ID_LEN`] (`step` if nothing is left); repeats get `-2`, `-3`…,
//!    cutting the slug so that the id still fits.

use std::collections::HashSet;

/// A step id (`{section}/{step}`) is at most this long.
pub const MAX_ID_LEN: usize = 48;

/// A section slug's words fit in this many characters.
const SECTION_LEN: usize = 20;

/// A section slug with its `-N` suffix is at most this long, so a step's
/// part always has at least `MAX_ID_LEN - 1 - SECTION_MAX` characters.
const SECTION_MAX: usize = 24;

/// A step's part of an id has room for at least this many characters (so an
/// old id's part that stops short of its text was cut at no fewer).
pub(super) const MIN_STEP_LEN: usize = MAX_ID_LEN - 1 - SECTION_MAX;

/// A section's part was cut at no fewer characters than this.
pub(super) const MIN_SECTION_LEN: usize = SECTION_LEN;

/// Words left out first when a slug is too long.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it",
    "its", "of", "on", "onto", "or", "that", "the", "this", "to", "with",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

const WEEKDAY_ABBREVIATIONS: &[&str] = &[
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
];

/// A word that may enter a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Word {
    pub text: String,
    /// A stop-word: left out first when the slug is too long.
    pub stop: bool,
    /// Inside parentheses: left out next.
    pub aside: bool,
}

impl Word {
    fn droppable(&self) -> bool {
        self.stop || self.aside
    }
}

/// Starts with a digit (`4`, `15th`, `2020`), or `v` and digits (`v3`).
fn is_number(word: &str) -> bool {
    let digits = word.strip_prefix('v').filter(|rest| !rest.is_empty());
    word.starts_with(|c: char| c.is_ascii_digit())
        || digits.is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
}

/// `rc`, `rc1`, `alpha`, `beta2`, `x`: a version's tail after its number.
fn is_prerelease(word: &str) -> bool {
    let name = word.trim_end_matches(|c: char| c.is_ascii_digit());
    matches!(name, "rc" | "alpha" | "beta" | "x")
}

/// The words of `text` that may enter a slug (dates and numbers dropped),
/// in order.
pub(super) fn words(text: &str) -> Vec<Word> {
    // (word, inside parentheses)
    let mut raw: Vec<(String, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut aside = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if current.is_empty() {
                aside = depth > 0;
            }
            current.push(c.to_ascii_lowercase());
            continue;
        }
        if !current.is_empty() {
            raw.push((std::mem::take(&mut current), aside));
        }
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if !current.is_empty() {
        raw.push((current, aside));
    }

    let is = |list: &[&str], w: &str| list.contains(&w);
    let number: Vec<bool> = raw.iter().map(|(w, _)| is_number(w)).collect();
    let near = |flags: &[bool], i: usize| {
        (i > 0 && flags[i - 1]) || flags.get(i + 1).copied().unwrap_or(false)
    };
    let month: Vec<bool> = raw
        .iter()
        .enumerate()
        .map(|(i, (w, _))| is(MONTHS, w) && near(&number, i))
        .collect();
    let date: Vec<bool> = number.iter().zip(&month).map(|(n, m)| *n || *m).collect();
    // A calendar date: a month name, or a number next to one. A weekday
    // abbreviation is dropped only beside such a date (`Fri, Dec 18`), not
    // beside a version (`SAT v1.0.0` keeps `sat`).
    let calendar: Vec<bool> = month
        .iter()
        .enumerate()
        .map(|(i, m)| *m || (number[i] && near(&month, i)))
        .collect();
    raw.iter()
        .enumerate()
        .filter(|&(i, (w, _))| {
            let dropped = date[i]
                || is(WEEKDAYS, w)
                || (is(WEEKDAY_ABBREVIATIONS, w) && near(&calendar, i))
                || (i > 0 && number[i - 1] && is_prerelease(w));
            !dropped
        })
        .map(|(_, (w, aside))| Word {
            stop: is(STOP_WORDS, w),
            aside: *aside,
            text: w.clone(),
        })
        .collect()
}

fn join<'a>(words: impl Iterator<Item = &'a Word>) -> String {
    words.map(|w| w.text.as_str()).collect::<Vec<_>>().join("-")
}

/// `words` as a slug of at most `max` characters (see the module docs);
/// empty if there are no words.
pub(super) fn fit(words: &[Word], max: usize) -> String {
    let all = join(words.iter());
    if all.len() <= max {
        return all;
    }
    let mut candidates = words.to_vec();
    let steps: [fn(&Word) -> bool; 2] = [|w| !w.stop, |w| !w.droppable()];
    for keep in steps {
        let fewer: Vec<Word> = candidates.iter().filter(|w| keep(w)).cloned().collect();
        if fewer.is_empty() {
            break;
        }
        let joined = join(fewer.iter());
        if joined.len() <= max {
            return joined;
        }
        candidates = fewer;
    }
    cut(&join(candidates.iter()), max)
}

/// `slug` (ASCII, words joined by `-`) cut to at most `max` characters, after
/// a whole word when one fits.
fn cut(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_owned();
    }
    // ASCII, so every byte offset is a char boundary.
    let end = match slug.get(..=max).and_then(|s| s.rfind('-')) {
        Some(dash) if dash > 0 => dash,
        _ => max,
    };
    slug.get(..end)
        .unwrap_or_default()
        .trim_end_matches('-')
        .to_owned()
}

/// The slug of a step's text when the id has room for `max` characters
/// (`step` when nothing is left).
pub fn slug(text: &str, max: usize) -> String {
    or(fit(&words(text), max), "step")
}

fn or(slug: String, fallback: &str) -> String {
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}

/// A section's slug (before its suffix): `section` when nothing is left.
pub(super) fn section_slug(title: &str) -> String {
    or(fit(&words(title), SECTION_LEN), "section")
}

/// Makes a section slug unique among `used` (at most [`SECTION_MAX`] long).
pub(super) fn unique_section(used: &mut HashSet<String>, base: String) -> String {
    unique(used, base, SECTION_MAX)
}

/// A step's id in `section` (its slug), unique among `used` (the step slugs
/// of that section so far).
pub(super) fn step_id(used: &mut HashSet<String>, section: &str, text: &str) -> String {
    let room = MAX_ID_LEN.saturating_sub(section.len() + 1);
    let part = unique(used, slug(text, room), room);
    format!("{section}/{part}")
}

/// `base`, or `base-2`, `base-3`… (with `base` cut so that it stays within
/// `max`), whichever is not yet in `used` (then recorded).
fn unique(used: &mut HashSet<String>, base: String, max: usize) -> String {
    let mut candidate = base.clone();
    let mut n = 2usize;
    while used.contains(&candidate) {
        let suffix = format!("-{n}");
        let room = max.saturating_sub(suffix.len()).max(1);
        candidate = format!("{}{suffix}", cut(&base, room));
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// How an old id's part names a text, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Resemblance {
    /// Every word of the text (stop-words and words in parentheses may be
    /// left out).
    Whole,
    /// The text's first words: the part was cut.
    Start,
}

/// Whether `part` (one side of an id, from this scheme or an older one: the
/// words joined by `-`, with dates, numbers and `-N` suffixes, up to 60
/// characters) names the text whose words are `words_of` (`fallback` when it
/// has none). A part is taken as cut short only if it was cut at more than
/// `min_cut` characters.
pub(super) fn resembles(
    part: &str,
    words_of: &[Word],
    fallback: &str,
    min_cut: usize,
) -> Option<Resemblance> {
    let query: Vec<String> = words(part).into_iter().map(|w| w.text).collect();
    let fallback = [Word {
        text: fallback.to_owned(),
        stop: false,
        aside: false,
    }];
    let text = if words_of.is_empty() {
        &fallback[..]
    } else {
        words_of
    };
    if query.is_empty() {
        return None;
    }
    let mut at = 0;
    for (i, wanted) in query.iter().enumerate() {
        let last = i + 1 == query.len();
        loop {
            let word = text.get(at)?;
            at += 1;
            if &word.text == wanted {
                break;
            }
            // A slug cut inside its first word (longer than the room).
            if last && i == 0 && wanted.len() >= min_cut && word.text.starts_with(wanted.as_str()) {
                return Some(Resemblance::Start);
            }
            if !word.droppable() {
                return None;
            }
        }
    }
    let mut rest = text[at..].iter().filter(|w| !w.droppable());
    match rest.next() {
        None => Some(Resemblance::Whole),
        // Cut before `next`: only plausible if `next` did not fit.
        Some(next) => {
            let len = query.iter().map(|w| w.len() + 1).sum::<usize>() + next.text.len();
            (len > min_cut).then_some(Resemblance::Start)
        }
    }
}
