//! The ids before the current scheme (up to 121 characters: 60-character
//! slugs of the whole heading and text, dates and numbers included), kept
//! only to say where an old id's step is now.

use std::collections::HashSet;

use super::Checklist;

/// The old slug: lowercase ASCII alphanumerics, every run of other
/// characters as one `-`, at most 60 characters (cut at a `-` when
/// possible); `step` when nothing is left.
fn slug(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
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
    if out.len() > MAX {
        // ASCII, so byte offsets are char offsets.
        let cut = match out.get(..=MAX).and_then(|s| s.rfind('-')) {
            Some(dash) if dash > 0 => dash,
            _ => MAX,
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

/// The index of the step whose old-scheme id in `checklist` is `id`.
pub(super) fn find(checklist: &Checklist, id: &str) -> Option<usize> {
    let (section_part, _) = id.split_once('/')?;
    let mut sections = HashSet::new();
    for section in &checklist.sections {
        let base = if section.level == 0 {
            "top".to_owned()
        } else {
            slug(&section.title)
        };
        let section_slug = unique(&mut sections, base);
        if section_slug != section_part {
            continue;
        }
        let mut used = HashSet::new();
        for &index in &section.steps {
            let text = checklist.steps.get(index).map(|s| slug(&s.text))?;
            if format!("{section_slug}/{}", unique(&mut used, text)) == id {
                return Some(index);
            }
        }
        return None;
    }
    None
}
