//! Step and section slugs: the parts of a step's stable id.

use std::collections::HashSet;

/// Text slugs longer than this are cut (at a `-` boundary when possible).
const MAX_SLUG_LEN: usize = 60;

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
pub(super) fn unique(used: &mut HashSet<String>, base: String) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}
