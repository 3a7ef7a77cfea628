//! Text helpers with no UI types: remote text clipped for messages.

/// Remote text for an error message: without control characters or bidi
/// controls, and at most `max` characters, with "…" when cut (a hostile
/// server must not fill the screen or the log, nor drive the terminal).
pub fn clip(text: &str, max: usize) -> String {
    let mut kept = text.chars().filter(|&c| {
        !c.is_control()
            && !matches!(
                c,
                '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    });
    let mut out: String = kept.by_ref().take(max).collect();
    if kept.next().is_some() {
        out.push('…');
    }
    out
}

/// A POSIX environment variable name: ASCII letters, digits and `_`, not
/// starting with a digit.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_drops_controls_and_marks_the_cut() {
        assert_eq!(clip("a\u{1b}[2Jb\u{202e}c", 10), "a[2Jbc");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
