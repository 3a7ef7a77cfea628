//! How the alerts view arranges alerts: what they are grouped by and how
//! each group's alerts are sorted. Pure; the names are what the palette
//! (`:group alertname`, `:sort age`) and the view's title use.

use std::cmp::Ordering;
use std::fmt;

use super::model::Alert;

/// What alerts are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// The owning team (the default).
    #[default]
    Team,
    /// The `alertname` label.
    Alertname,
    /// Any label's value (`:group label service_name`).
    Label(String),
    /// No groups: one flat list of every alert.
    Flat,
}

/// How a group's alerts are sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Most severe first, then newest (the default).
    #[default]
    Severity,
    /// Newest first, then most severe.
    Age,
    /// By alert name, A to Z, then most severe.
    Name,
    /// By owning team, A to Z, then most severe and newest.
    Team,
}

/// Why a `:group` or `:sort` argument was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArrangeError(String);

impl GroupBy {
    /// What `:group` accepts, for messages.
    pub const WORDS: &'static str = "team, alertname, label NAME, none";

    /// Parses `team`, `alertname`, `label NAME` (or a bare label name
    /// that is none of the words), `none`/`flat`.
    pub fn parse(text: &str) -> Result<GroupBy, ArrangeError> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match words.as_slice() {
            ["team"] => Ok(GroupBy::Team),
            ["alertname"] => Ok(GroupBy::Alertname),
            ["none" | "flat"] => Ok(GroupBy::Flat),
            ["label"] => Err(ArrangeError(
                "which label? e.g. :group label service_name".into(),
            )),
            ["label", name] => Self::label(name),
            [name] => Self::label(name),
            [] => Err(ArrangeError(format!("group by what? ({})", Self::WORDS))),
            _ => Err(ArrangeError(format!(
                "cannot group by {text:?} (one of: {})",
                Self::WORDS
            ))),
        }
    }

    fn label(name: &str) -> Result<GroupBy, ArrangeError> {
        let ok = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if ok {
            Ok(GroupBy::Label(name.to_string()))
        } else {
            Err(ArrangeError(format!(
                "{name:?} is not a label name (letters, digits and _; one of: {})",
                Self::WORDS
            )))
        }
    }

    /// The next in the key's cycle: team → alertname → (the label, once
    /// chosen) → none → team.
    pub fn next(&self, label: Option<&str>) -> GroupBy {
        match (self, label) {
            (GroupBy::Team, _) => GroupBy::Alertname,
            (GroupBy::Alertname, Some(l)) => GroupBy::Label(l.to_string()),
            (GroupBy::Alertname | GroupBy::Label(_), _) => GroupBy::Flat,
            (GroupBy::Flat, _) => GroupBy::Team,
        }
    }

    /// The group of an alert: its team, name or label value.
    pub fn key<'a>(&self, alert: &'a Alert) -> &'a str {
        match self {
            GroupBy::Team => &alert.team,
            GroupBy::Alertname => alert.name(),
            GroupBy::Label(l) => alert.labels.get(l).unwrap_or(""),
            GroupBy::Flat => "",
        }
    }

    /// What the groups are called in a title ("Teams", "Alert names",
    /// "service_name").
    pub fn plural(&self) -> String {
        match self {
            GroupBy::Team => "Teams".into(),
            GroupBy::Alertname => "Alert names".into(),
            GroupBy::Label(l) => l.clone(),
            GroupBy::Flat => "All alerts".into(),
        }
    }

    /// The name of the group of alerts without the label.
    pub fn missing(&self) -> String {
        match self {
            GroupBy::Label(l) => format!("(no {l})"),
            GroupBy::Alertname => "(no alertname)".into(),
            GroupBy::Team | GroupBy::Flat => String::new(),
        }
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupBy::Team => f.write_str("team"),
            GroupBy::Alertname => f.write_str("alertname"),
            GroupBy::Label(l) => write!(f, "label {l}"),
            GroupBy::Flat => f.write_str("none"),
        }
    }
}

impl SortBy {
    /// What `:sort` accepts, for messages.
    pub const WORDS: &'static str = "severity, age, name, team";

    /// Parses one of [`SortBy::WORDS`].
    pub fn parse(text: &str) -> Result<SortBy, ArrangeError> {
        match text.trim() {
            "severity" | "sev" => Ok(SortBy::Severity),
            "age" | "newest" => Ok(SortBy::Age),
            "name" | "alertname" => Ok(SortBy::Name),
            "team" => Ok(SortBy::Team),
            "" => Err(ArrangeError(format!("sort by what? ({})", Self::WORDS))),
            other => Err(ArrangeError(format!(
                "cannot sort by {other:?} (one of: {})",
                Self::WORDS
            ))),
        }
    }

    /// The next in the key's cycle.
    pub fn next(self) -> SortBy {
        match self {
            SortBy::Severity => SortBy::Age,
            SortBy::Age => SortBy::Name,
            SortBy::Name => SortBy::Team,
            SortBy::Team => SortBy::Severity,
        }
    }

    /// Orders two alerts; ties end on the fingerprint, so the order is
    /// total and the same on every refresh.
    pub fn cmp(self, a: &Alert, b: &Alert) -> Ordering {
        self.cmp_by(a, b, || a.name().cmp(b.name()))
    }

    /// The same, with the names compared by `name` (a sort remembers each
    /// alert's name once it has looked it up).
    pub fn cmp_by(self, a: &Alert, b: &Alert, name: impl FnOnce() -> Ordering) -> Ordering {
        let severity = || a.severity.cmp(&b.severity);
        let newest = || b.starts_at.cmp(&a.starts_at);
        let first = match self {
            SortBy::Severity => severity().then_with(newest).then_with(name),
            SortBy::Age => newest().then_with(severity).then_with(name),
            SortBy::Name => name().then_with(severity).then_with(newest),
            SortBy::Team => a
                .team
                .cmp(&b.team)
                .then_with(severity)
                .then_with(newest)
                .then_with(name),
        };
        first.then_with(|| a.fingerprint.cmp(&b.fingerprint))
    }
}

impl fmt::Display for SortBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SortBy::Severity => "severity",
            SortBy::Age => "age",
            SortBy::Name => "name",
            SortBy::Team => "team",
        })
    }
}

/// Grouping and sorting together, as the view holds them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Arrange {
    /// What alerts are grouped by.
    pub group: GroupBy,
    /// How each group's alerts are sorted.
    pub sort: SortBy,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::Severity;
    use crate::alerts::testing::AlertBuilder;
    use chrono::{TimeZone, Utc};

    #[test]
    fn group_words_parse_and_print_back() {
        for (text, want) in [
            ("team", GroupBy::Team),
            ("alertname", GroupBy::Alertname),
            ("none", GroupBy::Flat),
            ("flat", GroupBy::Flat),
            ("label service_name", GroupBy::Label("service_name".into())),
            ("service_name", GroupBy::Label("service_name".into())),
        ] {
            assert_eq!(GroupBy::parse(text), Ok(want.clone()), "{text}");
            assert_eq!(GroupBy::parse(&want.to_string()), Ok(want));
        }
        let e = GroupBy::parse("label").expect_err("no name");
        assert!(e.to_string().contains(":group label service_name"), "{e}");
        let e = GroupBy::parse("label a-b").expect_err("bad name");
        assert!(e.to_string().contains("not a label name"), "{e}");
        let e = GroupBy::parse("by team now").expect_err("too many words");
        assert!(e.to_string().contains("one of: team"), "{e}");
    }

    #[test]
    fn sort_words_parse_and_cycle_through_all() {
        let mut s = SortBy::default();
        let mut seen = Vec::new();
        for _ in 0..4 {
            assert_eq!(SortBy::parse(&s.to_string()), Ok(s));
            seen.push(s);
            s = s.next();
        }
        assert_eq!(s, SortBy::Severity);
        assert_eq!(seen.len(), 4);
        assert!(SortBy::parse("colour").is_err());
    }

    #[test]
    fn group_cycle_takes_the_chosen_label() {
        assert_eq!(GroupBy::Team.next(None), GroupBy::Alertname);
        assert_eq!(GroupBy::Alertname.next(None), GroupBy::Flat);
        assert_eq!(
            GroupBy::Alertname.next(Some("job")),
            GroupBy::Label("job".into())
        );
        assert_eq!(
            GroupBy::Label("job".into()).next(Some("job")),
            GroupBy::Flat
        );
        assert_eq!(GroupBy::Flat.next(Some("job")), GroupBy::Team);
    }

    fn at(minute: u32, pairs: &[(&str, &str)]) -> Alert {
        let t = Utc.with_ymd_and_hms(2020, 11, 1, 10, minute, 0).single();
        AlertBuilder::new(pairs)
            .starts_at(t.expect("valid"))
            .build()
    }

    #[test]
    fn each_sort_orders_by_its_key_first() {
        let mut old_crit = at(1, &[("alertname", "b"), ("team", "z")]);
        old_crit.severity = Severity::Critical;
        old_crit.team = "z".into();
        let mut new_warn = at(9, &[("alertname", "a"), ("team", "y")]);
        new_warn.severity = Severity::Warning;
        new_warn.team = "y".into();
        let (c, w) = (&old_crit, &new_warn);
        assert_eq!(SortBy::Severity.cmp(c, w), Ordering::Less);
        assert_eq!(SortBy::Age.cmp(c, w), Ordering::Greater);
        assert_eq!(SortBy::Name.cmp(c, w), Ordering::Greater);
        assert_eq!(SortBy::Team.cmp(c, w), Ordering::Greater);
        assert_eq!(SortBy::Severity.cmp(c, c), Ordering::Equal);
    }
}
