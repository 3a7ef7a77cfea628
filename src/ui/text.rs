//! Text helpers for the screen: ages, and cleaning remote strings.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

/// A window's length as a column header says it: "24h", "7d", "6h", "90m".
pub fn window(secs: u64) -> String {
    match secs {
        86_400 => "24h".into(),
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s => format!("{}m", s.div_ceil(60)),
    }
}

/// A compact age: `42s`, `3m`, `5h`, `2d`.
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// The age of a source's data for the header, only once it is a minute old:
/// fresh data shows no age, so an idle screen does not change every second.
pub fn stale_age(now: DateTime<Utc>, then: DateTime<Utc>) -> Option<String> {
    ((now - then).num_seconds() >= 60).then(|| age(now, then))
}

/// A compact duration until a time: `in 1h 20m`, or `ended`.
pub fn until(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (then - now).num_seconds();
    if secs <= 0 {
        return "ended".into();
    }
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Strips control characters (escape sequences lose their ESC and become
/// inert text) and bidi overrides from text that came from a remote system.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().any(unsafe_char) {
        Cow::Owned(
            s.chars()
                .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
                .filter(|c| !unsafe_char(*c))
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// Like [`clean`], but keeps line breaks and tabs: for multi-line text
/// printed by the CLI (diffs, command output, listings).
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if s.chars().any(|c| unsafe_char(c) && c != '\n' && c != '\t') {
        Cow::Owned(
            s.chars()
                .filter(|c| *c == '\n' || *c == '\t' || !unsafe_char(*c))
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// A writer that passes text through [`clean_text`]: what the CLI prints
/// cannot drive the terminal, whatever a remote system put in it.
pub struct CleanWriter<W: std::io::Write>(pub W);

impl CleanWriter<std::io::BufWriter<std::io::StdoutLock<'static>>> {
    /// Buffered, cleaned standard output.
    pub fn stdout() -> Self {
        CleanWriter(std::io::BufWriter::with_capacity(
            1 << 16,
            std::io::stdout().lock(),
        ))
    }
}

impl<W: std::io::Write> std::io::Write for CleanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Plain printable ASCII (the bulk of any output) passes straight on.
        if buf
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t')
        {
            self.0.write_all(buf)?;
            return Ok(buf.len());
        }
        // `write!` hands over whole formatted pieces, so each is valid UTF-8.
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(clean_text(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Word-wraps `text` into lines of at most `width` chars; words longer
/// than a line are split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let need = if len == 0 {
                word.len()
            } else {
                len + 1 + word.len()
            };
            if need <= width {
                if len > 0 {
                    line.push(' ');
                    len += 1;
                }
                line.extend(word.iter());
                len += word.len();
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
                continue;
            }
            // A word longer than the line: split it.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// "+2 silenced +1 inhibited" (parts with 0 left out; "" for none): how a
/// team's suppressed alerts are counted, apart from the active ones. The
/// short form, "+2s +1inh", is for narrow places ("1i" would read as one
/// info alert).
pub fn suppressed_counts(silenced: usize, inhibited: usize, short: bool) -> String {
    let mut parts = Vec::new();
    let (s, i) = if short {
        ("s", "inh")
    } else {
        (" silenced", " inhibited")
    };
    if silenced > 0 {
        parts.push(format!("+{silenced}{s}"));
    }
    if inhibited > 0 {
        parts.push(format!("+{inhibited}{i}"));
    }
    parts.join(" ")
}

/// `text` cut to `width` terminal columns, ending in "…" when cut (nothing
/// is cut silently).
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `text` cut from the front to `width` terminal columns, starting with
/// "…" when cut: for values whose end tells them apart (`…pod="web-7d9f-abc"`).
pub fn fit_end(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    if cells(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut tail = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        tail.push(c);
        used += w;
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

/// A styled line cut to `width` terminal columns, ending in "…" when cut,
/// each part keeping its style.
pub fn fit_line(line: ratatui::text::Line<'static>, width: usize) -> ratatui::text::Line<'static> {
    use ratatui::text::{Line, Span};
    if line.width() <= width {
        return line;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let w = cells(&span.content);
        if used + w < width {
            used += w;
            spans.push(span);
            continue;
        }
        // The last part that shows: cut, and marked.
        let room = width - used;
        spans.push(Span::styled(
            fit(&format!("{}…", span.content), room),
            span.style,
        ));
        break;
    }
    Line::from(spans)
}

/// Terminal cells `text` takes.
pub fn cells(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `rows 12–40 of 312` when a list of `total` rows shows only `shown` of
/// them from `start` (0-based); `None` when everything fits.
pub fn rows_shown(start: usize, shown: usize, total: usize) -> Option<String> {
    if total <= shown || shown == 0 {
        return None;
    }
    let end = (start + shown).min(total);
    Some(format!("rows {}–{end} of {total}", start + 1))
}

/// Where a list that keeps the selection in view starts: ratatui's own
/// rule for a fresh list state, so the title can say it before drawing.
pub fn window_start(selected: usize, visible: usize) -> usize {
    selected.saturating_sub(visible.max(1) - 1)
}

pub use crate::core::words::plural;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_marks_what_it_cuts() {
        assert_eq!(fit("HighCPU", 10), "HighCPU");
        assert_eq!(fit("HighCPU", 7), "HighCPU");
        assert_eq!(fit("HighCPU", 5), "High…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn rows_shown_only_when_cut() {
        assert_eq!(rows_shown(0, 10, 5), None);
        assert_eq!(rows_shown(0, 10, 10), None);
        assert_eq!(
            rows_shown(11, 29, 312).as_deref(),
            Some("rows 12–40 of 312")
        );
        assert_eq!(rows_shown(5, 10, 12).as_deref(), Some("rows 6–12 of 12"));
        assert_eq!(window_start(3, 10), 0);
        assert_eq!(window_start(30, 10), 21);
        assert_eq!(cells("日本"), 4);
        assert_eq!(fit_end("pod=\"web-abc\"", 20), "pod=\"web-abc\"");
        assert_eq!(fit_end("pod=\"web-abc\"", 8), "…eb-abc\"");
        assert_eq!(fit_end("日本語テキスト", 7), "…キスト");
        assert_eq!(fit_end("abc", 0), "");
        let line =
            || ratatui::text::Line::from(vec!["dogfood ✓".into(), " ".into(), "k8s 3.21.2".into()]);
        assert_eq!(fit_line(line(), 30).to_string(), "dogfood ✓ k8s 3.21.2");
        assert_eq!(fit_line(line(), 14).to_string(), "dogfood ✓ k8s…");
        assert_eq!(fit_line(line(), 9).to_string(), "dogfood …");
        assert_eq!(fit_line(line(), 10).to_string(), "dogfood ✓…");
    }
    use chrono::TimeDelta;

    #[test]
    fn ages() {
        let now = DateTime::UNIX_EPOCH + TimeDelta::days(10);
        assert_eq!(age(now, now - TimeDelta::seconds(42)), "42s");
        assert_eq!(age(now, now - TimeDelta::minutes(3)), "3m");
        assert_eq!(age(now, now - TimeDelta::hours(5)), "5h");
        assert_eq!(age(now, now - TimeDelta::days(2)), "2d");
        assert_eq!(age(now, now + TimeDelta::days(2)), "0s");
        assert_eq!(until(now, now + TimeDelta::minutes(80)), "1h20m");
        assert_eq!(until(now, now - TimeDelta::minutes(1)), "ended");
    }

    #[test]
    fn wraps_on_words_and_splits_long_ones() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
        assert_eq!(
            wrap("a verylongword b", 6),
            vec!["a", "verylo", "ngword", "b"]
        );
        assert_eq!(plural(1, "alert"), "1 alert");
        assert_eq!(plural(3, "alert"), "3 alerts");
    }

    #[test]
    fn clean_strips_escapes_and_bidi() {
        assert_eq!(clean("ok"), "ok");
        assert_eq!(clean("a\x1b]0;pwned\x07b"), "a]0;pwnedb");
        assert_eq!(clean("x\x1b[2Jy"), "x[2Jy");
        assert_eq!(clean("l\u{202e}r"), "lr");
        assert_eq!(clean("two\nlines"), "two lines");
    }
}
