//! Finding an alert's timelines without comparing it with every series of
//! its rule (a rule over a fleet has thousands): timelines are grouped by
//! shape — their `alertname` and label names — and keyed by a hash of
//! their values. An alert's labels projected on a shape's names hash to
//! the key of the one timeline of that shape it can match, so a lookup is
//! a hash per shape of its rule (usually one) and one comparison.

use std::hash::{BuildHasher, Hasher};

use super::Timeline;
use crate::alerts::labels::Labels;

/// The timelines' shapes and keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Index {
    /// Each distinct (alertname, label names), grouped by alertname in
    /// the timelines' order (sorted by it).
    shapes: Vec<Shape>,
    /// (key, timeline), sorted: a timeline's key is its shape's place and
    /// its values hashed.
    keys: Vec<(u64, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    alertname: String,
    /// The timeline's label names, sorted (`alertname` among them).
    names: Vec<String>,
}

/// The key of `values` (in name order) under the shape at `shape`; none
/// when one is missing.
fn key<'a>(shape: usize, values: impl Iterator<Item = Option<&'a str>>) -> Option<u64> {
    let mut h = foldhash::fast::FixedState::with_seed(0x6f70_7364_6563_6b00).build_hasher();
    h.write_usize(shape);
    for v in values {
        h.write(v?.as_bytes());
        // Never in UTF-8: values cannot run into each other.
        h.write_u8(0xff);
    }
    Some(h.finish())
}

impl Index {
    /// The index of `timelines`, sorted by `alertname`.
    pub(super) fn new(timelines: &[Timeline]) -> Index {
        let mut shapes: Vec<Shape> = Vec::new();
        // Where this alertname's shapes begin (a rule has one or a few).
        let mut group = 0;
        let mut keys = Vec::with_capacity(timelines.len());
        for (i, t) in timelines.iter().enumerate() {
            let alertname = t.labels.get("alertname").unwrap_or_default();
            if shapes.last().is_none_or(|s| s.alertname != alertname) {
                group = shapes.len();
            }
            let place = match shapes[group..]
                .iter()
                .position(|s| s.names.iter().map(String::as_str).eq(t.labels.keys()))
            {
                Some(at) => group + at,
                None => {
                    shapes.push(Shape {
                        alertname: alertname.to_string(),
                        names: t.labels.keys().map(str::to_string).collect(),
                    });
                    shapes.len() - 1
                }
            };
            let at = u32::try_from(i).unwrap_or(u32::MAX);
            if let Some(k) = key(place, t.labels.values().map(Some)) {
                keys.push((k, at));
            }
        }
        keys.sort_unstable();
        Index { shapes, keys }
    }

    /// The timelines whose labels all appear in `alert`'s with the same
    /// values.
    pub(super) fn matching<'a>(
        &'a self,
        timelines: &'a [Timeline],
        alert: &'a Labels,
    ) -> impl Iterator<Item = usize> + 'a {
        let name = alert.get("alertname");
        let from = match name {
            Some(n) => self.shapes.partition_point(|s| s.alertname.as_str() < n),
            None => self.shapes.len(),
        };
        self.shapes[from..]
            .iter()
            .take_while(move |s| Some(s.alertname.as_str()) == name)
            .enumerate()
            .filter_map(move |(j, s)| key(from + j, project(&s.names, alert)))
            .flat_map(move |k| {
                let lo = self.keys.partition_point(|(x, _)| *x < k);
                self.keys[lo..]
                    .iter()
                    .take_while(move |(x, _)| *x == k)
                    .map(|(_, t)| *t as usize)
            })
            .filter(move |&t| timelines.get(t).is_some_and(|t| carried(&t.labels, alert)))
    }
}

/// `alert`'s values of `names` (sorted), in their order; none for a name
/// it lacks. Both are sorted: one walk through each.
fn project<'a>(
    names: &'a [String],
    alert: &'a Labels,
) -> impl Iterator<Item = Option<&'a str>> + 'a {
    let mut labels = alert.iter();
    names.iter().map(move |n| {
        labels
            .by_ref()
            .find(|(k, _)| *k >= n.as_str())
            .filter(|(k, _)| *k == n.as_str())
            .map(|(_, v)| v)
    })
}

/// Whether `alert` carries every label of `series` with its value (both
/// sorted by name: one walk through each).
pub(super) fn carried(series: &Labels, alert: &Labels) -> bool {
    let mut labels = alert.iter();
    series.iter().all(|(name, value)| {
        labels
            .by_ref()
            .find(|(k, _)| *k >= name)
            .is_some_and(|(k, v)| k == name && v == value)
    })
}
