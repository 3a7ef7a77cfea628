//! A compact label set: every name and value in one string buffer, plus a
//! list of spans sorted by name.
//!
//! An alert carries six to ten labels and a few annotations, and the console
//! holds tens of thousands of alerts. A `BTreeMap<String, String>` spends one
//! allocation per name and per value plus a tree node per map; parsing and
//! dropping them dominated ingest. Here a label set is two allocations, is
//! filled straight from the JSON parser without temporary strings, and keeps
//! the map semantics the rest of the code relies on: names are unique, and
//! iteration is sorted by name (byte order, as Prometheus and Alertmanager
//! sort them for fingerprints).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where one label's name and value sit in [`Labels::text`]: the name is
/// `text[start..start + name_len]`, the value follows it directly.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    name_len: usize,
    value_len: usize,
}

impl Span {
    fn name<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.start + self.name_len)
            .unwrap_or_default()
    }

    fn value<'a>(&self, text: &'a str) -> &'a str {
        let from = self.start + self.name_len;
        text.get(from..from + self.value_len).unwrap_or_default()
    }
}

/// A label (or annotation) set: unique names, iterated in name order.
#[derive(Clone, Default)]
pub struct Labels {
    text: String,
    spans: Vec<Span>,
}

impl Labels {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many labels.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No labels at all.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.spans
            .binary_search_by(|s| s.name(&self.text).cmp(name))
    }

    /// The span of `name`. Alerts carry a handful of labels: a linear scan
    /// that compares lengths before bytes beats a binary search there.
    fn find(&self, name: &str) -> Option<&Span> {
        if self.spans.len() > 16 {
            return self.position(name).ok().and_then(|i| self.spans.get(i));
        }
        self.spans
            .iter()
            .find(|s| s.name_len == name.len() && s.name(&self.text) == name)
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).map(|s| s.value(&self.text))
    }

    /// Whether `name` is set.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn insert(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) {
        let (name, value) = (name.as_ref(), value.as_ref());
        let span = self.append(name, value);
        match self.position(name) {
            Ok(i) => {
                if let Some(slot) = self.spans.get_mut(i) {
                    *slot = span;
                }
                self.compact_if_wasteful();
            }
            Err(i) => self.spans.insert(i, span),
        }
    }

    /// Removes `name`; returns whether it was set.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.position(name) {
            Ok(i) => {
                self.spans.remove(i);
                self.compact_if_wasteful();
                true
            }
            Err(_) => false,
        }
    }

    /// Every `(name, value)`, sorted by name.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            text: &self.text,
            spans: self.spans.iter(),
        }
    }

    /// Every name, sorted.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// Every value, in name order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(_, v)| v)
    }

    fn append(&mut self, name: &str, value: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(name);
        self.text.push_str(value);
        Span {
            start,
            name_len: name.len(),
            value_len: value.len(),
        }
    }

    /// Rebuilds the buffer when replaced or removed labels left more dead
    /// bytes than live ones.
    fn compact_if_wasteful(&mut self) {
        let live: usize = self.spans.iter().map(|s| s.name_len + s.value_len).sum();
        if self.text.len() > 2 * live + 64 {
            *self = self.iter().collect();
        }
    }

    /// Sorts spans filled in arrival order; for a repeated name the last
    /// value wins (as with a map). Returns whether a repeated name was
    /// dropped (its bytes stay in the buffer).
    fn finish(&mut self) -> bool {
        let text = &self.text;
        // Alertmanager and Prometheus (Go's encoding/json) send names sorted
        // and unique: nothing to do.
        if self
            .spans
            .windows(2)
            .all(|w| w[0].name(text) < w[1].name(text))
        {
            return false;
        }
        // Stable, so equal names stay in arrival order.
        self.spans.sort_by(|a, b| a.name(text).cmp(b.name(text)));
        let mut write = 0;
        for read in 0..self.spans.len() {
            let span = self.spans[read];
            if write > 0 && self.spans[write - 1].name(text) == span.name(text) {
                self.spans[write - 1] = span;
            } else {
                self.spans[write] = span;
                write += 1;
            }
        }
        let dropped = write < self.spans.len();
        self.spans.truncate(write);
        dropped
    }
}

/// Iterator over `(name, value)` pairs, sorted by name.
#[derive(Clone)]
pub struct Iter<'a> {
    text: &'a str,
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        self.spans
            .next()
            .map(|s| (s.name(self.text), s.value(self.text)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.spans
            .next_back()
            .map(|s| (s.name(self.text), s.value(self.text)))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Labels {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Labels {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut labels = Labels::new();
        for (k, v) in iter {
            let span = labels.append(k.as_ref(), v.as_ref());
            labels.spans.push(span);
        }
        if labels.finish() {
            labels.compact_if_wasteful();
        }
        labels
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for Labels {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for Labels {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Labels {}

impl PartialOrd for Labels {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Labels {
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl Hash for Labels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for (k, v) in self {
            k.hash(state);
            v.hash(state);
        }
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Appends one JSON string to the buffer without a temporary `String`;
/// yields its length.
struct AppendStr<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendStr<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendStr<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<usize, E> {
        self.0.push_str(v);
        Ok(v.len())
    }
}

struct LabelsVisitor;

impl<'de> Visitor<'de> for LabelsVisitor {
    type Value = Labels;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of label names to string values")
    }

    /// Fills a per-thread scratch set, then copies it out at its exact
    /// size: one allocation for the text and one for the spans (none for an
    /// empty set), no slack kept per set.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Labels> = std::cell::RefCell::default();
        }
        let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
        scratch.text.clear();
        scratch.spans.clear();
        let mut start = 0;
        while let Some(name_len) = map.next_key_seed(AppendStr(&mut scratch.text))? {
            let value_len = map.next_value_seed(AppendStr(&mut scratch.text))?;
            scratch.spans.push(Span {
                start,
                name_len,
                value_len,
            });
            start = scratch.text.len();
        }
        let labels = if scratch.finish() {
            // Repeated names left dead bytes behind: keep only live ones.
            scratch.iter().collect()
        } else {
            Labels {
                text: scratch.text.as_str().into(),
                spans: scratch.spans.clone(),
            }
        };
        // A huge set (a hostile body) is not kept around for the next one.
        if scratch.text.capacity() <= 64 * 1024 {
            SCRATCH.with(|s| *s.borrow_mut() = scratch);
        }
        Ok(labels)
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LabelsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn sorted_unique_and_last_value_wins() {
        let l: Labels = [("b", "2"), ("a", "1"), ("b", "3"), ("c", "")].into();
        assert_eq!(
            l.iter().collect::<Vec<_>>(),
            vec![("a", "1"), ("b", "3"), ("c", "")]
        );
        assert_eq!(l.get("b"), Some("3"));
        assert_eq!(l.get("c"), Some(""));
        assert_eq!(l.get("d"), None);
        assert!(l.contains_key("a") && !l.contains_key("ab"));
    }

    #[test]
    fn json_round_trip_keeps_escapes_and_duplicates_resolve_like_a_map() {
        let json = r#"{"z":"\"quoted\" \u00e9","a":"x","a":"y","emoji":"🔥"}"#;
        let l: Labels = serde_json::from_str(json).expect("parse");
        assert_eq!(l.get("z"), Some("\"quoted\" é"));
        assert_eq!(l.get("a"), Some("y"));
        assert_eq!(l.len(), 3);
        let back = serde_json::to_string(&l).expect("serialize");
        assert_eq!(back, r#"{"a":"y","emoji":"🔥","z":"\"quoted\" é"}"#);
    }

    #[test]
    fn repeated_names_keep_no_dead_bytes_and_sets_are_exact_size() {
        let big = "x".repeat(1000);
        let json = format!("{{{}}}", vec![format!("\"a\":\"{big}\""); 1000].join(","));
        let l: Labels = serde_json::from_str(&json).expect("parse");
        assert_eq!((l.len(), l.get("a")), (1, Some(big.as_str())));
        assert!(l.text.capacity() < 4096, "{}", l.text.capacity());
        assert!(l.spans.capacity() < 16, "{}", l.spans.capacity());
        let l: Labels = serde_json::from_str(r#"{"b":"2","a":"1"}"#).expect("parse");
        assert_eq!((l.text.capacity(), l.spans.capacity()), (4, 2));
        let empty: Labels = serde_json::from_str("{}").expect("parse");
        assert_eq!((empty.text.capacity(), empty.spans.capacity()), (0, 0));
    }

    #[test]
    fn non_string_values_are_a_clear_error() {
        let err = serde_json::from_str::<Labels>(r#"{"a":1}"#).expect_err("number");
        assert!(err.to_string().contains("expected a string"), "{err}");
        let err = serde_json::from_str::<Labels>(r#"["a"]"#).expect_err("array");
        assert!(err.to_string().contains("map of label names"), "{err}");
    }

    #[test]
    fn insert_replaces_and_remove_compacts() {
        let mut l = Labels::new();
        for i in 0..100 {
            l.insert("k", format!("value-{i}"));
        }
        l.insert("a", "1");
        assert_eq!(l.get("k"), Some("value-99"));
        assert_eq!(l.len(), 2);
        assert!(l.text.len() < 200, "dead bytes reclaimed: {}", l.text.len());
        assert!(l.remove("k"));
        assert!(!l.remove("k"));
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![("a", "1")]);
    }

    #[test]
    fn equality_ignores_build_order() {
        let a: Labels = [("a", "1"), ("b", "2")].into();
        let mut b = Labels::new();
        b.insert("b", "x");
        b.insert("a", "1");
        b.insert("b", "2");
        assert_eq!(a, b);
        assert_ne!(a, Labels::from([("a", "1")]));
    }

    proptest! {
        /// Behaves exactly like the `BTreeMap` it replaced.
        #[test]
        fn matches_a_btreemap(ops in proptest::collection::vec(
            (0u8..3, "[a-d]{0,2}", "[a-zé]{0,3}"), 0..40)
        ) {
            let mut model = BTreeMap::new();
            let mut l = Labels::new();
            for (op, k, v) in &ops {
                match op {
                    0 | 1 => { model.insert(k.clone(), v.clone()); l.insert(k, v); }
                    _ => { prop_assert_eq!(model.remove(k).is_some(), l.remove(k)); }
                }
                prop_assert_eq!(l.len(), model.len());
            }
            let got: Vec<(&str, &str)> = l.iter().collect();
            let want: Vec<(&str, &str)> =
                model.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(&got, &want);
            let json = serde_json::to_string(&model).expect("json");
            let parsed: Labels = serde_json::from_str(&json).expect("parse");
            prop_assert_eq!(parsed, l);
        }
    }
}
