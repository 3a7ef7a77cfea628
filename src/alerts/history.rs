//! Alert history from Prometheus' `ALERTS` series: one `query_range` for
//! every alert of a source, read into a timeline per label set, and what
//! on-call asks of it — when it was first seen in the window, how many
//! times it fired, for how long, whether it flaps, which alerts stopped
//! firing lately. Pure: the client fetches the body, this reads it.
//!
//! `ALERTS{alertname, alertstate="pending"|"firing", <the alert's labels>}`
//! has a sample (value 1) at every evaluation while the alert is pending
//! or firing, and none otherwise. A `query_range` over the window at
//! `step` gives one point per step where the series existed (Prometheus'
//! lookback fills the steps between evaluations).

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::labels::Labels;
use super::model::{RecordKind, Skipped};

/// The most points a window is read at: the step is chosen to stay under.
pub const MAX_POINTS: u64 = 300;

/// The step for a window: whole seconds, so `window / step` ≤ [`MAX_POINTS`]
/// (24 h → 288 s, 300 points).
pub fn step_for(window: Duration) -> Duration {
    Duration::from_secs(window.as_secs().div_ceil(MAX_POINTS).max(1))
}

/// What an alert was doing at one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Point {
    /// Neither pending nor firing (no sample).
    #[default]
    Quiet,
    /// Pending.
    Pending,
    /// Firing.
    Firing,
}

/// One uninterrupted run of firing steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    /// The first firing step.
    pub start: DateTime<Utc>,
    /// The step after the last firing one (the window's end if it still
    /// fires).
    pub end: DateTime<Utc>,
    /// It still fires at the window's last step.
    pub open: bool,
}

impl Episode {
    /// How long it fired.
    pub fn duration(&self) -> chrono::TimeDelta {
        self.end - self.start
    }
}

/// One label set's timeline over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The series' labels without `__name__` and `alertstate`.
    pub labels: Labels,
    /// One point per step, oldest first.
    pub points: Vec<Point>,
}

/// What the window says about one alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The first step it was pending or firing.
    pub first_seen: Option<DateTime<Utc>>,
    /// Its firing episodes, oldest first.
    pub episodes: Vec<Episode>,
    /// Time spent firing in the window.
    pub firing: chrono::TimeDelta,
    /// The longest episode.
    pub longest: Option<Episode>,
}

impl Summary {
    /// Corrects the open episode's start with when the alert says it
    /// started firing (`startsAt`) when that is within a `step` of it: a
    /// step is minutes long in a long window, and an alert that began
    /// seconds ago has not fired for one.
    pub fn started_at(mut self, starts_at: DateTime<Utc>, step: Duration) -> Summary {
        let step = chrono::TimeDelta::from_std(step).unwrap_or(chrono::TimeDelta::zero());
        if let Some(last) = self.episodes.last_mut().filter(|e| e.open) {
            // Only within a step of the episode's first point: what the
            // grid cannot tell apart. Further away, the two disagree (a
            // restart reset startsAt) and the series is what was seen.
            if starts_at > last.start - step && starts_at < (last.start + step).min(last.end) {
                last.start = starts_at;
                self.firing = self.episodes.iter().map(Episode::duration).sum();
                self.longest = self.episodes.iter().copied().max_by_key(Episode::duration);
            }
        }
        self
    }

    /// Whether it fired at least `threshold` separate times.
    pub fn flapping(&self, threshold: usize) -> bool {
        threshold > 0 && self.episodes.len() >= threshold
    }
}

/// A source's history: every label set's timeline on one time grid.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The first step's time.
    pub start: DateTime<Utc>,
    /// The distance between points.
    pub step: Duration,
    /// Points per timeline.
    pub len: usize,
    /// When it was read: an episode still firing lasts until then (the
    /// window's end, one step after the last point, unless set).
    pub end: DateTime<Utc>,
    /// Timelines, sorted by `alertname` for lookup.
    timelines: Vec<Timeline>,
}

/// Why a `query_range` answer could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// Not JSON of Prometheus' shape.
    #[error("not a Prometheus query_range answer: {0}")]
    Shape(String),
    /// Prometheus said no.
    #[error("Prometheus refused the history query: {0}")]
    Refused(String),
    /// A result that is not a range vector.
    #[error("expected a matrix, got {0:?}")]
    NotMatrix(String),
}

#[derive(Deserialize)]
struct Envelope<'a> {
    status: &'a str,
    #[serde(borrow)]
    data: Option<Data<'a>>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "resultType")]
    result_type: &'a str,
    #[serde(borrow)]
    result: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Series {
    metric: Labels,
    /// `[unix seconds, "1"]`; the value is not read (a sample is presence).
    values: Vec<(f64, serde::de::IgnoredAny)>,
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
        let envelope: Envelope<'_> =
            serde_json::from_str(body).map_err(|e| HistoryError::Shape(e.to_string()))?;
        if envelope.status != "success" {
            let why = envelope
                .error
                .unwrap_or_else(|| format!("status {}", envelope.status));
            return Err(HistoryError::Refused(crate::core::text::clip(&why, 300)));
        }
        let data = envelope
            .data
            .ok_or_else(|| HistoryError::Shape("no data".into()))?;
        if data.result_type != "matrix" {
            return Err(HistoryError::NotMatrix(data.result_type.to_string()));
        }
        let total = data.result.len();
        let step_s = step.as_secs_f64().max(1.0);
        let start_s = start.timestamp() as f64;
        let mut timelines: Vec<Timeline> = Vec::with_capacity(total / 2 + 1);
        // Pending and firing series of one label set fold into one
        // timeline: keyed by the labels' text.
        let mut index: foldhash::HashMap<Labels, usize> = foldhash::HashMap::default();
        let mut skipped = Vec::new();
        for (i, raw) in data.result.into_iter().enumerate() {
            let series: Series = match serde_json::from_str(raw.get()) {
                Ok(s) => s,
                Err(e) => {
                    skipped.push(skip(i, total, &e.to_string()));
                    continue;
                }
            };
            let mut labels = series.metric;
            let state = match labels.get("alertstate") {
                Some("firing") => Point::Firing,
                Some("pending") => Point::Pending,
                other => {
                    let why = format!("alertstate {other:?} is neither pending nor firing");
                    skipped.push(skip(i, total, &why));
                    continue;
                }
            };
            if labels.get("alertname").is_none_or(str::is_empty) {
                skipped.push(skip(i, total, "no alertname"));
                continue;
            }
            labels.remove("alertstate");
            labels.remove("__name__");
            let at = *index.entry(labels.clone()).or_insert_with(|| {
                timelines.push(Timeline {
                    labels,
                    points: vec![Point::Quiet; len],
                });
                timelines.len() - 1
            });
            let points = &mut timelines[at].points;
            for (t, _) in series.values {
                let k = ((t - start_s) / step_s).round();
                if k >= 0.0 && (k as usize) < len {
                    let p = &mut points[k as usize];
                    *p = (*p).max(state);
                }
            }
        }
        timelines.sort_by(|a, b| a.labels.get("alertname").cmp(&b.labels.get("alertname")));
        let secs = step.as_secs().saturating_mul(len as u64);
        let end = start + chrono::TimeDelta::seconds(i64::try_from(secs).unwrap_or(0));
        let history = History {
            start,
            step,
            len,
            end,
            timelines,
        };
        Ok((history, skipped))
    }

    /// Every timeline.
    pub fn timelines(&self) -> &[Timeline] {
        &self.timelines
    }

    /// The time of point `k`.
    pub fn time_of(&self, k: usize) -> DateTime<Utc> {
        let secs = self.step.as_secs().saturating_mul(k as u64);
        self.start + chrono::TimeDelta::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 2))
    }

    /// The timeline of an alert: the series with its `alertname` whose
    /// labels all appear in the alert's (Alertmanager adds external
    /// labels; the rule's are the series'), the one with most labels when
    /// several do.
    pub fn of(&self, alert_labels: &Labels) -> Option<&Timeline> {
        let name = alert_labels.get("alertname")?;
        let from = self
            .timelines
            .partition_point(|t| t.labels.get("alertname") < Some(name));
        self.timelines[from..]
            .iter()
            .take_while(|t| t.labels.get("alertname") == Some(name))
            .filter(|t| t.labels.iter().all(|(k, v)| alert_labels.get(k) == Some(v)))
            .max_by_key(|t| t.labels.len())
    }

    /// What a timeline says: first seen, episodes, firing time, longest.
    pub fn summarize(&self, timeline: &Timeline) -> Summary {
        let mut episodes = Vec::new();
        let mut run: Option<usize> = None;
        for (k, p) in timeline.points.iter().enumerate() {
            match (p, run) {
                (Point::Firing, None) => run = Some(k),
                (Point::Firing, Some(_)) => {}
                (_, Some(s)) => {
                    episodes.push(Episode {
                        start: self.time_of(s),
                        end: self.time_of(k),
                        open: false,
                    });
                    run = None;
                }
                (_, None) => {}
            }
        }
        if let Some(s) = run {
            let start = self.time_of(s);
            episodes.push(Episode {
                start,
                end: self.end.max(start),
                open: true,
            });
        }
        let firing = episodes.iter().map(Episode::duration).sum();
        Summary {
            first_seen: timeline
                .points
                .iter()
                .position(|p| *p != Point::Quiet)
                .map(|k| self.time_of(k)),
            longest: episodes.iter().copied().max_by_key(Episode::duration),
            episodes,
            firing,
        }
    }

    /// Timelines whose last episode ended within `within` of the end:
    /// the recently resolved, newest end first, with that episode. One
    /// still firing at the last point counts as resolved when `firing_now`
    /// says its alert no longer fires (a step is minutes long in a long
    /// window); it ended at that point at the latest.
    pub fn resolved(
        &self,
        within: Duration,
        firing_now: impl Fn(&Labels) -> bool,
    ) -> Vec<(&Timeline, Episode)> {
        let within = chrono::TimeDelta::from_std(within).unwrap_or(chrono::TimeDelta::MAX);
        let last_point = self.time_of(self.len.saturating_sub(1)).min(self.end);
        let mut out: Vec<(&Timeline, Episode)> = self
            .timelines
            .iter()
            .filter_map(|t| {
                let mut last = *self.summarize(t).episodes.last()?;
                if last.open {
                    if firing_now(&t.labels) {
                        return None;
                    }
                    last.end = last_point.max(last.start);
                    last.open = false;
                }
                (self.end - last.end <= within).then_some((t, last))
            })
            .collect();
        out.sort_by_key(|(_, e)| std::cmp::Reverse(e.end));
        out
    }
}

fn skip(i: usize, total: usize, why: &str) -> Skipped {
    Skipped {
        kind: RecordKind::Alert,
        detail: format!(
            "history series {} of {total}: {}",
            i + 1,
            crate::core::text::clip(why, 160)
        ),
    }
}

/// `points` drawn in `cells` characters, each the most severe point of its
/// share: firing `▇`, pending `▂`, quiet a space.
pub fn sparkline(points: &[Point], cells: usize) -> String {
    if cells == 0 || points.is_empty() {
        return " ".repeat(cells);
    }
    (0..cells)
        .map(|c| {
            let from = c * points.len() / cells;
            let to = ((c + 1) * points.len() / cells).max(from + 1);
            match points[from..to.min(points.len())].iter().max() {
                Some(Point::Firing) => '▇',
                Some(Point::Pending) => '▂',
                _ => ' ',
            }
        })
        .collect()
}

/// The unix time `t` as a UTC time (for tests and the client's grid).
pub fn at_unix(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
