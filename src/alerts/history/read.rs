//! Reading a `query_range` answer as it streams: each series of
//! `data.result` is folded into its timeline and dropped before the next
//! is read, so a whole day of 10,000 alerts (54 MB of JSON) never sits in
//! memory at once — only the timelines, one byte per point.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{History, HistoryError, Point, Timeline, skip};
use crate::alerts::labels::Labels;
use crate::alerts::model::Skipped;

/// One series as Prometheus writes it.
#[derive(Deserialize)]
struct Series {
    metric: Labels,
    /// `[unix seconds, "1"]`; the value is not read (a sample is presence).
    values: Vec<(f64, IgnoredAny)>,
}

/// The timelines being built from the series read so far.
struct Fold {
    start_s: f64,
    step_s: f64,
    len: usize,
    timelines: Vec<Timeline>,
    /// Pending and firing series of one label set fold into one timeline.
    index: foldhash::HashMap<Labels, usize>,
    /// Series not understood: (their place, why).
    bad: Vec<(usize, String)>,
    seen: usize,
}

impl Fold {
    fn series(&mut self, raw: &str) {
        let i = self.seen;
        self.seen += 1;
        let series: Series = match serde_json::from_str(raw) {
            Ok(s) => s,
            Err(e) => return self.bad.push((i, e.to_string())),
        };
        let mut labels = series.metric;
        let state = match labels.get("alertstate") {
            Some("firing") => Point::Firing,
            Some("pending") => Point::Pending,
            other => {
                let why = format!("alertstate {other:?} is neither pending nor firing");
                return self.bad.push((i, why));
            }
        };
        if labels.get("alertname").is_none_or(str::is_empty) {
            return self.bad.push((i, "no alertname".into()));
        }
        labels.remove("alertstate");
        labels.remove("__name__");
        let len = self.len;
        let timelines = &mut self.timelines;
        let at = *self.index.entry(labels.clone()).or_insert_with(|| {
            timelines.push(Timeline {
                labels,
                points: vec![Point::Quiet; len],
            });
            timelines.len() - 1
        });
        let points = &mut self.timelines[at].points;
        for (t, _) in series.values {
            let k = ((t - self.start_s) / self.step_s).round();
            if k >= 0.0 && (k as usize) < len {
                let p = &mut points[k as usize];
                *p = (*p).max(state);
            }
        }
    }
}

/// The envelope's fields other than the series.
#[derive(Default)]
struct Head {
    status: Option<String>,
    error: Option<String>,
    result_type: Option<String>,
}

/// `{"status", "data": {"resultType", "result": [...]}, "error"}`, in any
/// order.
struct Envelope<'f>(&'f mut Fold);

impl<'de> DeserializeSeed<'de> for Envelope<'_> {
    type Value = Head;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Head, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = Head;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Prometheus API answer")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" => head.status = Some(map.next_value()?),
                "error" => head.error = map.next_value()?,
                "data" => head.result_type = map.next_value_seed(Data(&mut *self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(head)
    }
}

/// `data`: its `resultType`, and each of `result` folded in.
struct Data<'f>(&'f mut Fold);

impl<'de> DeserializeSeed<'de> for Data<'_> {
    type Value = Option<String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Data<'_> {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the answer's data")
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut result_type = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "resultType" => result_type = Some(map.next_value()?),
                "result" => map.next_value_seed(Results(&mut *self.0))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Data without a type: the caller says so.
        Ok(Some(result_type.unwrap_or_default()))
    }
}

/// `result`: one series at a time, each folded in and dropped.
struct Results<'f>(&'f mut Fold);

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of series")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.0.series(raw.get());
        }
        Ok(())
    }
}

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
        let mut de = serde_json::Deserializer::from_str(body);
        read(&mut de, start, step, len)
    }

    /// The same, from a reader (a decompressing one): the text streams
    /// through, one series at a time.
    pub fn from_reader(
        reader: impl Read,
        start: DateTime<Utc>,
        step: Duration,
        len: usize,
    ) -> Result<(History, Vec<Skipped>), HistoryError> {
        let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
        read(&mut de, start, step, len)
    }
}

fn read<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    start: DateTime<Utc>,
    step: Duration,
    len: usize,
) -> Result<(History, Vec<Skipped>), HistoryError> {
    let mut fold = Fold {
        start_s: start.timestamp() as f64,
        step_s: step.as_secs_f64().max(1.0),
        len,
        timelines: Vec::new(),
        index: Default::default(),
        bad: Vec::new(),
        seen: 0,
    };
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
    let total = fold.seen;
    let skipped = fold
        .bad
        .iter()
        .map(|(i, why)| skip(*i, total, why))
        .collect();
    let mut timelines = fold.timelines;
    timelines.sort_by(|a, b| a.labels.get("alertname").cmp(&b.labels.get("alertname")));
    let secs = step.as_secs().saturating_mul(len as u64);
    let end = start + chrono::TimeDelta::seconds(i64::try_from(secs).unwrap_or(0));
    let history = History {
        start,
        step,
        len,
        end,
        lead: Duration::ZERO,
        timelines,
    };
    Ok((history, skipped))
}
