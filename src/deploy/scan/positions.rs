//! Char-index ↔ byte-offset and line/column lookups (yaml-rust2's markers
//! count chars).

use std::ops::Range;

use yaml_rust2::scanner::TScalarStyle;

/// Char-index ↔ byte-offset and line/column lookups for one text.
pub(super) struct Positions<'a> {
    pub(super) text: &'a str,
    /// Byte offset of each char, plus `text.len()` at the end.
    char_bytes: Vec<usize>,
    /// Byte offset where each line starts (breaks: `\n`, `\r\n`, lone `\r`).
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub(super) fn new(text: &'a str) -> Self {
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

    pub(super) fn byte_of_char(&self, index: usize) -> usize {
        self.char_bytes
            .get(index)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// 1-based line and char column of a byte offset.
    pub(super) fn line_col(&self, byte: usize) -> (usize, usize) {
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
    pub(super) fn line_range(&self, byte: usize) -> Range<usize> {
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
    pub(super) fn scalar_span(
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
