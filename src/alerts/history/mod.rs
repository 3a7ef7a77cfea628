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

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::grouping::Routing;
use super::labels::Labels;
use super::model::{RecordKind, Skipped};

mod exact;
mod fast;
mod fold;
mod index;
mod read;

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
    /// When it was read: an episode still firing lasts until then, and
    /// none ends later (the window's end, one step after the last point,
    /// unless set).
    pub end: DateTime<Utc>,
    /// How far before its time a point begins to see: zero when a point is
    /// the last evaluation at its time (`ALERTS`), a step when it is the
    /// step before it (`max_over_time(ALERTS[step])`) — an episode's edges
    /// are that much earlier than its points.
    pub lead: Duration,
    /// Timelines, sorted by `alertname`.
    timelines: Vec<Timeline>,
    /// Where an alert's timelines are.
    index: index::Index,
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
    /// Inflated past the cap (bytes).
    #[error("inflated past {} MiB", .0 >> 20)]
    TooLarge(u64),
}

impl History {
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
        self.index
            .matching(&self.timelines, alert_labels)
            .filter_map(|i| self.timelines.get(i))
            .max_by_key(|t| t.labels.len())
    }

    /// Where an episode's edge at point `k` is in time: `lead` before the
    /// point, never after the read. Counted in seconds, made a time once.
    fn edge(&self, k: usize) -> DateTime<Utc> {
        let step = i64::try_from(self.step.as_secs()).unwrap_or(i64::MAX);
        let lead = i64::try_from(self.lead.as_secs()).unwrap_or(0);
        let k = i64::try_from(k).unwrap_or(i64::MAX);
        let at = self
            .start
            .timestamp()
            .saturating_add(step.saturating_mul(k))
            .saturating_sub(lead);
        let end = (self.end.timestamp(), self.end.timestamp_subsec_nanos());
        if (at, 0) < end && self.start.timestamp_subsec_nanos() == 0 {
            at_unix(at)
        } else {
            let lead = chrono::TimeDelta::from_std(self.lead).unwrap_or(chrono::TimeDelta::zero());
            (self.time_of(usize::try_from(k).unwrap_or(usize::MAX)) - lead).min(self.end)
        }
    }

    /// What a timeline says: first seen, episodes, firing time, longest.
    pub fn summarize(&self, timeline: &Timeline) -> Summary {
        let points = &timeline.points;
        let mut episodes = Vec::new();
        let mut k = 0;
        // Run to run: each the first firing point, then the first after.
        while let Some(off) = points[k..].iter().position(|p| *p == Point::Firing) {
            let s = k + off;
            let start = self.edge(s);
            match points[s..].iter().position(|p| *p != Point::Firing) {
                Some(n) => {
                    episodes.push(Episode {
                        start,
                        end: self.edge(s + n),
                        open: false,
                    });
                    k = s + n;
                }
                None => {
                    episodes.push(Episode {
                        start,
                        end: self.end.max(start),
                        open: true,
                    });
                    break;
                }
            }
        }
        let firing = episodes.iter().map(Episode::duration).sum();
        Summary {
            first_seen: timeline
                .points
                .iter()
                .position(|p| *p != Point::Quiet)
                .map(|k| self.edge(k)),
            longest: episodes.iter().copied().max_by_key(Episode::duration),
            episodes,
            firing,
        }
    }

    /// Timelines whose last episode ended within `within` of the end:
    /// the recently resolved, newest end first, with that episode. Whether
    /// it is resolved is `firing_now`'s word: one still firing at the last
    /// point has resolved when its alert no longer fires (a step is minutes
    /// long in a long window; it ended at that point at the latest), and
    /// one whose alert fires again now has not.
    pub fn resolved(
        &self,
        within: Duration,
        firing_now: impl Fn(usize) -> bool,
    ) -> Vec<(&Timeline, Episode)> {
        let within = chrono::TimeDelta::from_std(within).unwrap_or(chrono::TimeDelta::MAX);
        let last_point = self.edge(self.len.saturating_sub(1));
        let mut out: Vec<(&Timeline, Episode)> = self
            .timelines
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                // Only the last episode matters: found from the end.
                let last = t.points.iter().rposition(|p| *p == Point::Firing)?;
                if firing_now(i) {
                    return None;
                }
                let first = t.points[..last]
                    .iter()
                    .rposition(|p| *p != Point::Firing)
                    .map_or(0, |k| k + 1);
                let start = self.edge(first);
                let end = if last + 1 < self.len {
                    self.edge(last + 1)
                } else {
                    // Still firing at the last point, its alert no longer
                    // does: ended by that point at the latest.
                    last_point.max(start)
                };
                let episode = Episode {
                    start,
                    end,
                    open: false,
                };
                (self.end - episode.end <= within).then_some((t, episode))
            })
            .collect();
        out.sort_by_key(|(_, e)| std::cmp::Reverse(e.end));
        out
    }
}

impl History {
    /// Per team (as `routing` names it from each series' labels): how many
    /// of its alerts fired at each point. A route matching labels only
    /// Alertmanager adds (external labels) cannot see them here.
    pub fn team_firing(&self, routing: &Routing) -> BTreeMap<String, Vec<u32>> {
        // Counted by name as found (hashed), sorted once at the end.
        let mut counts: foldhash::HashMap<&str, Vec<u32>> = Default::default();
        for t in &self.timelines {
            if !t.points.contains(&Point::Firing) {
                continue;
            }
            let team = routing.team_of(&t.labels);
            let counts = counts.entry(team).or_insert_with(|| vec![0; self.len]);
            for (c, p) in counts.iter_mut().zip(&t.points) {
                *c += u32::from(*p == Point::Firing);
            }
        }
        counts
            .into_iter()
            .map(|(team, c)| (team.to_string(), c))
            .collect()
    }
}

/// Which timelines an alert firing now carries the labels of: what
/// [`History::resolved`] asks of a series still firing at the window's
/// last point.
#[derive(Debug, Default)]
pub struct FiringNow {
    covered: Vec<bool>,
}

impl FiringNow {
    /// From the labels of the alerts firing now.
    pub fn new<'a>(history: &History, labels: impl IntoIterator<Item = &'a Labels>) -> FiringNow {
        let mut covered = vec![false; history.timelines.len()];
        for l in labels {
            for i in history.index.matching(&history.timelines, l) {
                if let Some(c) = covered.get_mut(i) {
                    *c = true;
                }
            }
        }
        FiringNow { covered }
    }

    /// Whether an alert firing now carries all of timeline `i`'s labels.
    pub fn covers(&self, i: usize) -> bool {
        self.covered.get(i).copied().unwrap_or(false)
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

/// `counts` drawn in `cells` characters, each the most of its share on
/// a scale to the largest: none a space, then `▁` to `█`.
pub fn count_sparkline(counts: &[u32], cells: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let top = counts.iter().copied().max().unwrap_or(0);
    if cells == 0 || top == 0 {
        return " ".repeat(cells);
    }
    (0..cells)
        .map(|c| {
            let from = c * counts.len() / cells;
            let to = ((c + 1) * counts.len() / cells).max(from + 1);
            let most = counts[from..to.min(counts.len())]
                .iter()
                .copied()
                .max()
                .unwrap_or(0);
            if most == 0 {
                ' '
            } else {
                let level = (u64::from(most) * 8).div_ceil(u64::from(top)).clamp(1, 8);
                BARS[usize::try_from(level - 1).unwrap_or(0)]
            }
        })
        .collect()
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
mod tests;
