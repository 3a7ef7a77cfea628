//! Alertmanager's regexes are Go's RE2 syntax; opsdeck matches with the Rust
//! `regex` crate. The two agree on almost everything; this module rewrites
//! the parts where they differ, so a pattern matches here exactly what it
//! matches in Alertmanager:
//!
//! * `\Q…\E` (literal text, RE2 only) becomes the text with every
//!   metacharacter escaped; a `\Q` without `\E` runs to the end, as in RE2;
//! * `\d`, `\w`, `\s` and their negations are ASCII-only in RE2 (`\s` is
//!   `[\t\n\f\r ]`) but Unicode in Rust: they become explicit ASCII classes;
//! * `\b` and `\B` are ASCII word boundaries in RE2: they become `(?-u:\b)`
//!   and `(?-u:\B)`;
//! * octal escapes (`\123`) are RE2 syntax; the regex is compiled with the
//!   crate's `octal` option.
//!
//! Everything else is passed through unchanged; a pattern that still does
//! not compile is reported (or, for a server's silence, kept and marked
//! "regex not understood here").

use regex::{Regex, RegexBuilder};

/// Rewrites an RE2 pattern into the Rust regex crate's syntax (see the
/// module docs for what changes).
pub fn to_rust(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    // Inside `[…]`, and how many characters of its body have been seen (a
    // `]` first, or after a leading `^`, is a literal in both dialects).
    let mut in_class = false;
    let mut body = 0usize;
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            if !in_class {
                if c == '[' {
                    in_class = true;
                    body = 0;
                }
                continue;
            }
            if c == '[' && chars.peek() == Some(&':') {
                // A POSIX class such as `[:alpha:]`: copied through its `]`.
                for p in chars.by_ref() {
                    out.push(p);
                    if p == ']' {
                        break;
                    }
                }
            } else if c == ']' && !(body == 0 || (body == 1 && out.ends_with("[^]"))) {
                in_class = false;
                continue;
            }
            body += 1;
            continue;
        }
        body += 1;
        let Some(e) = chars.next() else {
            // A trailing backslash: let the crate report it.
            out.push('\\');
            break;
        };
        match e {
            'Q' => {
                let mut literal = String::new();
                while let Some(l) = chars.next() {
                    if l == '\\' && chars.peek() == Some(&'E') {
                        chars.next();
                        break;
                    }
                    literal.push(l);
                }
                if in_class {
                    for l in literal.chars() {
                        escape_in_class(l, &mut out);
                    }
                } else {
                    out.push_str(&regex::escape(&literal));
                }
            }
            // A stray `\E` (no `\Q` open) is ignored by RE2.
            'E' => {}
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                let (class, negated) = ascii_class(e);
                out.push('[');
                if negated {
                    out.push('^');
                }
                out.push_str(class);
                out.push(']');
            }
            'b' | 'B' if !in_class => {
                out.push_str("(?-u:\\");
                out.push(e);
                out.push(')');
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// RE2's ASCII Perl classes, as class bodies.
fn ascii_class(e: char) -> (&'static str, bool) {
    match e {
        'd' => ("0-9", false),
        'D' => ("0-9", true),
        'w' => ("0-9A-Za-z_", false),
        'W' => ("0-9A-Za-z_", true),
        's' => ("\\t\\n\\f\\r ", false),
        _ => ("\\t\\n\\f\\r ", true),
    }
}

/// One literal character inside a `[…]` class.
fn escape_in_class(c: char, out: &mut String) {
    if matches!(c, '\\' | ']' | '[' | '^' | '-' | '&' | '~') {
        out.push('\\');
    }
    out.push(c);
}

/// Compiles an RE2 pattern as Alertmanager runs it: fully anchored,
/// translated by [`to_rust`].
pub fn compile_anchored(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("^(?:{})$", to_rust(pattern)))
        .octal(true)
        .build()
}

/// Compiles the translated pattern unanchored (for error messages that
/// point at the user's own text).
pub fn compile_bare(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&to_rust(pattern)).octal(true).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(pattern: &str, text: &str) -> bool {
        compile_anchored(pattern).expect("compiles").is_match(text)
    }

    #[test]
    fn quoted_literals() {
        assert_eq!(to_rust(r"\Q10.0.0.1\E"), r"10\.0\.0\.1");
        assert!(full(r"\Q10.0.0.1\E", "10.0.0.1"));
        assert!(!full(r"\Q10.0.0.1\E", "10x0y0z1"));
        assert!(full(r"host-\Q(a)\E:\d+", "host-(a):9100"));
        // Without \E the literal runs to the end, as in RE2.
        assert!(full(r"\Qa.b*", "a.b*"));
        assert!(!full(r"\Qa.b*", "axbbb"));
        // Inside a class.
        assert!(full(r"[\Q]-\E]+", "]-]"));
        assert!(!full(r"[\Q]-\E]+", "a"));
    }

    #[test]
    fn perl_classes_are_ascii_like_re2() {
        assert!(full(r"\d+", "123"));
        // U+0663 ARABIC-INDIC DIGIT THREE is \d in Rust, not in RE2.
        assert!(!full(r"\d", "\u{663}"));
        assert!(!full(r"\w", "é"));
        assert!(full(r"\W", "é"));
        assert!(full(r"[\d.]+", "10.0"));
        assert!(full(r"[^\s]+", "ab"));
        assert!(!full(r"\s", "\u{0b}"), "RE2's \\s has no vertical tab");
        assert!(full(r"\S+", "x"));
        assert!(full(r".*\bfoo\b.*", "a foo b"));
        // é is not an ASCII word character: RE2 sees word boundaries here.
        assert!(full(r".*\bfoo\b.*", "éfooé"));
    }

    #[test]
    fn everything_else_passes_through() {
        for p in [
            r"foo.*",
            r"a|b",
            r"(?i)warn",
            r"[[:alpha:]]+",
            r"\.",
            r"\\d",
            r"[]a]",
            r"[^]a]",
            r"\pL+",
        ] {
            let translated = to_rust(p);
            assert!(compile_anchored(p).is_ok(), "{p} → {translated}");
        }
        assert_eq!(to_rust(r"\\d"), r"\\d");
        assert_eq!(to_rust(r"\."), r"\.");
        assert!(full(r"\101", "A"), "octal escapes");
    }
}
