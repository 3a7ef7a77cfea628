//! Reading a `query_range` answer as it streams: each series of
//! `data.result` is folded into its timeline and dropped before the next
//! is read, so a whole day of 10,000 alerts (50 MB of JSON) never sits in
//! memory at once — only the timelines, one byte per point. An answer as
//! Prometheus writes it takes the fast path (`fast.rs`); any other, or
//! one with a surprise anywhere, is read again exactly (`exact.rs`).

use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeSeed;

use super::exact::Envelope;
use super::fast::{Fast, Progress};
use super::fold::Fold;
use super::{History, HistoryError};
use crate::alerts::model::Skipped;

impl History {
    /// Reads a `query_range` answer for the grid `start`, `step`, `len`
    /// points. A series that does not parse, or has no `alertname`, is
    /// skipped and counted; the rest are kept.
    pub fn from_matrix(
        body: &str,
        start: DateTime<Utc>,
        step: Duration,
        len: usize,
    ) -> Result<(History, Vec<Skipped>), HistoryError> {
        let mut fold = Fold::new(start, step, len);
        if let Progress::Done = Fast::default().feed(body.as_bytes(), true, &mut fold) {
            return Ok(fold.finish(start, step));
        }
        let mut de = serde_json::Deserializer::from_str(body);
        exact(&mut de, start, step, len)
    }

    /// The same, from a gzip-compressed answer, inflated as it is read
    /// (never whole); past `cap` bytes of text it is refused.
    pub fn from_gzip(
        compressed: &[u8],
        cap: u64,
        start: DateTime<Utc>,
        step: Duration,
        len: usize,
    ) -> Result<(History, Vec<Skipped>), HistoryError> {
        let open = || Read::take(flate2::read::GzDecoder::new(compressed), cap);
        let mut fold = Fold::new(start, step, len);
        if let Ok(true) = stream_fast(open(), &mut fold) {
            return Ok(fold.finish(start, step));
        }
        // Read again from the start, exactly: it says what is wrong.
        let mut text = open();
        let read = History::from_reader(&mut text, start, step, len);
        if read.is_err() && text.limit() == 0 {
            return Err(HistoryError::TooLarge(cap));
        }
        read
    }

    /// The same, from a reader, exactly (any field order or spacing).
    pub fn from_reader(
        reader: impl Read,
        start: DateTime<Utc>,
        step: Duration,
        len: usize,
    ) -> Result<(History, Vec<Skipped>), HistoryError> {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
        exact(&mut de, start, step, len)
    }
}

/// The fast path over a reader: a buffer refilled as the series in it are
/// read; a series cut by the buffer's end is read again once the rest is
/// in. Whether it read the whole answer (false: read it exactly).
fn stream_fast(mut src: impl Read, fold: &mut Fold) -> std::io::Result<bool> {
    let mut fast = Fast::default();
    let mut buf = vec![0u8; 64 * 1024];
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // One series larger than the buffer.
            buf.resize(buf.len() * 2, 0);
        }
        let n = match src.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += n;
        match fast.feed(&buf[..filled], n == 0, fold) {
            Progress::Done => return Ok(true),
            Progress::Surprise => return Ok(false),
            Progress::More(used) => {
                buf.copy_within(used..filled, 0);
                filled -= used;
            }
        }
    }
}

/// The fast path alone over a reader: none when it hands over.
#[cfg(test)]
pub(super) fn fast_only(
    src: impl Read,
    start: DateTime<Utc>,
    step: Duration,
    len: usize,
) -> Option<(History, Vec<Skipped>)> {
    let mut fold = Fold::new(start, step, len);
    matches!(stream_fast(src, &mut fold), Ok(true)).then(|| fold.finish(start, step))
}

/// The exact path: serde over the whole answer.
fn exact<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    start: DateTime<Utc>,
    step: Duration,
    len: usize,
) -> Result<(History, Vec<Skipped>), HistoryError> {
    let mut fold = Fold::new(start, step, len);
    let shape = |e: serde_json::Error| HistoryError::Shape(e.to_string());
    let head = Envelope(&mut fold).deserialize(&mut *de).map_err(shape)?;
    de.end().map_err(shape)?;
    match head.status.as_deref() {
        Some("success") => {}
        Some(status) => {
            let why = head.error.unwrap_or_else(|| format!("status {status}"));
            return Err(HistoryError::Refused(crate::core::text::clip(&why, 300)));
        }
        None => return Err(HistoryError::Shape("no status".into())),
    }
    match head.result_type.as_deref() {
        None => return Err(HistoryError::Shape("no data".into())),
        Some("matrix") => {}
        Some(other) => return Err(HistoryError::NotMatrix(other.to_string())),
    }
    Ok(fold.finish(start, step))
}
