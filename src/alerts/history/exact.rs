//! The exact reading of a `query_range` answer, through serde: any field
//! order, any spacing, every wrong-typed part of a series said and that
//! series skipped. The fast path (`fast.rs`) hands over to it whenever an
//! answer is not written the way Prometheus writes it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::fold::{Fold, Scratch};

/// What a JSON value turned out to be, when it was not what was asked for.
fn kind_of(unexpected: de::Unexpected<'_>) -> String {
    unexpected.to_string()
}

/// Reads the rest of a list, or an object, and drops it (what a
/// wrong-typed field holds).
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the visits of anything other than `$want` as "not what was
/// asked for": the value is read past and `$on_other` told what it was.
macro_rules! tolerate_others {
    ($on_other:ident) => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(self.$on_other(kind_of(de::Unexpected::Bool(v))))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(self.$on_other(kind_of(de::Unexpected::Signed(v))))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(self.$on_other(kind_of(de::Unexpected::Unsigned(v))))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(self.$on_other(kind_of(de::Unexpected::Float(v))))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(self.$on_other(kind_of(de::Unexpected::Str(v))))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.$on_other("null".into()))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(self.$on_other("null".into()))
        }
    };
}

/// A series: `{"metric": {...}, "values": [[t, "1"], ...]}`, fields in any
/// order. Wrong-typed parts make it bad, not the answer.
struct SeriesSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for SeriesSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.clear();
        d.deserialize_any(self)
    }
}

impl SeriesSeed<'_> {
    fn other(self, what: String) {
        self.0.bad(format!("a series is {what}, not an object"));
    }
}

impl<'de> Visitor<'de> for SeriesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a series")
    }
    tolerate_others!(other);
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.other("a list".into());
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<SeriesField>()? {
            match key {
                SeriesField::Metric => map.next_value_seed(MetricSeed(&mut *self.0))?,
                SeriesField::Values => map.next_value_seed(ValuesSeed(&mut *self.0))?,
                SeriesField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// A series' field name, read without allocating.
enum SeriesField {
    Metric,
    Values,
    Other,
}

impl<'de> Deserialize<'de> for SeriesField {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SeriesField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SeriesField, E> {
                Ok(match v {
                    "metric" => SeriesField::Metric,
                    "values" => SeriesField::Values,
                    _ => SeriesField::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// `metric`: the series' labels.
struct MetricSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for MetricSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl MetricSeed<'_> {
    fn other(self, what: String) {
        self.0.bad(format!("metric is {what}, not an object"));
    }
}

impl<'de> Visitor<'de> for MetricSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a series' labels")
    }
    tolerate_others!(other);
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        self.other("a list".into());
        drain_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let s = self.0;
        loop {
            let at = s.text.len();
            let Some(name) = map.next_key_seed(KeySeed(&mut s.text))? else {
                break;
            };
            let value = map.next_value_seed(ValueSeed(&mut s.text))?;
            match (&s.text[at..at + name], value) {
                (_, Err(what)) => {
                    let why = format!("label {:?} is {what}, not a string", &s.text[at..at + name]);
                    s.bad(why);
                    s.text.truncate(at);
                }
                ("__name__", Ok(_)) => s.text.truncate(at),
                ("alertstate", Ok(_)) => {
                    s.state = Some(s.text[at + name..].to_string());
                    s.text.truncate(at);
                }
                (_, Ok(value)) => s.spans.push((at, name, value)),
            }
        }
        Ok(())
    }
}

/// A label's name, appended to the text: its length.
struct KeySeed<'t>(&'t mut String);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a label name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0.push_str(v);
        Ok(v.len())
    }
}

/// A label's value, appended to the text: its length, or what it was
/// instead of a string.
struct ValueSeed<'t>(&'t mut String);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Result<usize, String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_> {
    fn other(self, what: String) -> Result<usize, String> {
        Err(what)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Result<usize, String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a label value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.other(kind_of(de::Unexpected::Bool(v))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.other(kind_of(de::Unexpected::Signed(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.other(kind_of(de::Unexpected::Unsigned(v))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.other(kind_of(de::Unexpected::Float(v))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.other("null".into()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.push_str(v);
        Ok(Ok(v.len()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        drain_seq(seq)?;
        Ok(self.other("a list".into()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map)?;
        Ok(self.other("an object".into()))
    }
}

/// `values`: each sample's time.
struct ValuesSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for ValuesSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl ValuesSeed<'_> {
    fn other(self, what: String) {
        self.0.bad(format!("values is {what}, not a list"));
    }
}

impl<'de> Visitor<'de> for ValuesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a series' samples")
    }
    tolerate_others!(other);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.other("an object".into());
        drain_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(sample) = seq.next_element_seed(SampleSeed)? {
            match sample {
                Ok(t) => self.0.times.push(t),
                Err(what) => self.0.bad(format!("a sample is {what}, not [time, value]")),
            }
        }
        Ok(())
    }
}

/// `[unix seconds, "1"]`: its time (the value is not read: a sample is
/// presence).
struct SampleSeed;

impl<'de> DeserializeSeed<'de> for SampleSeed {
    type Value = Result<f64, String>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl SampleSeed {
    fn other(self, what: String) -> Result<f64, String> {
        Err(what)
    }
}

impl<'de> Visitor<'de> for SampleSeed {
    type Value = Result<f64, String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("[time, value]")
    }
    tolerate_others!(other);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        drain_map(map)?;
        Ok(self.other("an object".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let time = match seq.next_element::<IgnoredOrNumber>()? {
            Some(IgnoredOrNumber(Some(t))) => Ok(t),
            Some(IgnoredOrNumber(None)) => Err("a list not starting with a number".to_string()),
            None => Err("an empty list".to_string()),
        };
        drain_seq(seq)?;
        Ok(time)
    }
}

/// A number, or anything else read past.
struct IgnoredOrNumber(Option<f64>);

impl<'de> Deserialize<'de> for IgnoredOrNumber {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IgnoredOrNumber;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(Some(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(Some(v as f64)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(Some(v as f64)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<IgnoredOrNumber, E> {
                Ok(IgnoredOrNumber(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<IgnoredOrNumber, A::Error> {
                drain_seq(seq)?;
                Ok(IgnoredOrNumber(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<IgnoredOrNumber, A::Error> {
                drain_map(map)?;
                Ok(IgnoredOrNumber(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// The envelope's fields other than the series.
#[derive(Default)]
pub(super) struct Head {
    pub(super) status: Option<String>,
    pub(super) error: Option<String>,
    pub(super) result_type: Option<String>,
}

/// `{"status", "data": {"resultType", "result": [...]}, "error"}`, in any
/// order.
pub(super) struct Envelope<'f>(pub(super) &'f mut Fold);

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
        while seq
            .next_element_seed(SeriesSeed(&mut self.0.scratch))?
            .is_some()
        {
            self.0.series();
        }
        Ok(())
    }
}
