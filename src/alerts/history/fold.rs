//! The timelines being built as series are read, by either reader: each
//! series lands in a reused scratch, then folds into its label set's
//! timeline (pending and firing series of one alert share one).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{History, Point, Timeline, skip};
use crate::alerts::labels::Labels;
use crate::alerts::model::Skipped;

/// The timelines being built from the series read so far.
pub(super) struct Fold {
    start_s: f64,
    step_s: f64,
    len: usize,
    timelines: Vec<Timeline>,
    /// Pending and firing series of one label set fold into one timeline.
    index: foldhash::HashMap<Labels, usize>,
    /// Series not understood: (their place, why).
    bad: Vec<(usize, String)>,
    seen: usize,
    /// The series being read.
    pub(super) scratch: Scratch,
}

impl Fold {
    /// Folds the series just read into its timeline, or counts it bad.
    pub(super) fn series(&mut self) {
        let i = self.seen;
        self.seen += 1;
        let s = &mut self.scratch;
        if let Some(why) = s.why.take() {
            return self.bad.push((i, why));
        }
        let state = match s.state.as_deref() {
            Some("firing") => Point::Firing,
            Some("pending") => Point::Pending,
            other => {
                let why = format!("alertstate {other:?} is neither pending nor firing");
                return self.bad.push((i, why));
            }
        };
        let labels: Labels = s
            .spans
            .iter()
            .map(|&(at, name, value)| {
                (
                    &s.text[at..at + name],
                    &s.text[at + name..at + name + value],
                )
            })
            .collect();
        if labels.get("alertname").is_none_or(str::is_empty) {
            return self.bad.push((i, "no alertname".into()));
        }
        let at = match self.index.get(&labels) {
            Some(&at) => at,
            None => {
                self.timelines.push(Timeline {
                    labels: labels.clone(),
                    points: vec![Point::Quiet; self.len],
                });
                self.index.insert(labels, self.timelines.len() - 1);
                self.timelines.len() - 1
            }
        };
        let points = &mut self.timelines[at].points;
        for t in &s.times {
            // To the nearest point (half up); before the first, dropped.
            let x = (t - self.start_s) / self.step_s + 0.5;
            if x >= 0.0 && (x as usize) < self.len {
                let p = &mut points[x as usize];
                *p = (*p).max(state);
            }
        }
    }
}

/// One series as it is read: its labels (without `__name__` and
/// `alertstate`) as spans of one text, its `alertstate`, its sample times,
/// and why it cannot be used. Reused from series to series.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) text: String,
    /// (start, name length, value length) in `text`.
    pub(super) spans: Vec<(usize, usize, usize)>,
    pub(super) state: Option<String>,
    pub(super) times: Vec<f64>,
    pub(super) why: Option<String>,
}

impl Scratch {
    pub(super) fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.state = None;
        self.times.clear();
        self.why = None;
    }

    /// Keeps the first reason a series is bad.
    pub(super) fn bad(&mut self, why: impl Into<String>) {
        if self.why.is_none() {
            self.why = Some(why.into());
        }
    }
}

impl Fold {
    pub(super) fn new(start: DateTime<Utc>, step: Duration, len: usize) -> Fold {
        Fold {
            start_s: start.timestamp() as f64,
            step_s: step.as_secs_f64().max(1.0),
            len,
            timelines: Vec::new(),
            index: Default::default(),
            bad: Vec::new(),
            seen: 0,
            scratch: Scratch::default(),
        }
    }

    /// The history the series read make.
    pub(super) fn finish(self, start: DateTime<Utc>, step: Duration) -> (History, Vec<Skipped>) {
        let total = self.seen;
        let skipped = self
            .bad
            .iter()
            .map(|(i, why)| skip(*i, total, why))
            .collect();
        // Sorted by `alertname` (stable: in order of arrival within one),
        // each name looked up once.
        let order = {
            let names: Vec<&str> = self
                .timelines
                .iter()
                .map(|t| t.labels.get("alertname").unwrap_or_default())
                .collect();
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by_key(|&i| names[i]);
            order
        };
        let mut slots: Vec<Option<Timeline>> = self.timelines.into_iter().map(Some).collect();
        let timelines: Vec<Timeline> = order.iter().filter_map(|&i| slots[i].take()).collect();
        let len = self.len;
        let secs = step.as_secs().saturating_mul(len as u64);
        let end = start + chrono::TimeDelta::seconds(i64::try_from(secs).unwrap_or(0));
        let history = History {
            start,
            step,
            len,
            end,
            lead: Duration::ZERO,
            index: super::index::Index::new(&timelines),
            timelines,
        };
        (history, skipped)
    }
}
