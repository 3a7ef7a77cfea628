//! Whether an alert passes a `/` filter ([`Filter`], parsed in
//! [`crate::alerts::matcher`]): label matchers, `@` fields and free text;
//! and whether a silence does (the silences list's `/`).

use super::matcher::{Field, Filter, MatchOp, Term};
use super::model::{Alert, Silence};

impl Filter {
    /// Does the alert pass every term?
    pub fn matches(&self, alert: &Alert) -> bool {
        self.terms.iter().all(|t| term_matches(t, alert))
    }

    /// Does the silence pass? Either an alert it covers now (`covered`)
    /// passes the whole filter, or its own record passes every term:
    /// free text is found in its id, author, comment or matchers; a label
    /// matcher `name op value` holds when the silence has a matcher on
    /// `name` that agrees with it (an equality matcher whose value the
    /// filter's matcher matches, or, for a filter `name=value`, a regex
    /// matcher that matches `value`), and, like a missing label, when it
    /// has no matcher on `name` and the filter's matcher matches `""`;
    /// `@source` is one of the Alertmanagers holding it, `@state` its own
    /// state (`active`, `pending`), `@author` its author, `@id` its id (or
    /// a prefix, with `=`/`!=`); `@team` and `@severity` only through its
    /// alerts. Parse it with [`Filter::parse_for_silences`].
    pub fn matches_silence(&self, silence: &Silence, covered: &[&Alert]) -> bool {
        covered.iter().any(|a| self.matches(a))
            || self.terms.iter().all(|t| silence_term(t, silence))
    }
}

fn silence_term(term: &Term, s: &Silence) -> bool {
    match term {
        Term::Label(fm) => {
            let mut on_name = s.matchers.iter().filter(|m| m.name == fm.name).peekable();
            if on_name.peek().is_none() {
                return fm.matches(None);
            }
            on_name.any(|sm| match sm.op {
                MatchOp::Eq => fm.matches(Some(&sm.value)),
                MatchOp::Re if fm.op == MatchOp::Eq => sm.matches(Some(&fm.value)),
                _ => false,
            })
        }
        Term::Field(Field::Source, m) => {
            if m.op.is_equal() {
                s.sources.iter().any(|src| m.matches(Some(src)))
            } else {
                s.sources.iter().all(|src| m.matches(Some(src)))
            }
        }
        Term::Field(Field::State, m) => m.matches(Some(s.state.as_str())),
        Term::Field(Field::Author, m) => m.matches(Some(&s.created_by)),
        // `@id=` takes the 8 characters the list shows, or any prefix.
        Term::Field(Field::Id, m) if m.op == MatchOp::Eq => s.id.starts_with(&m.value),
        Term::Field(Field::Id, m) if m.op == MatchOp::Ne => !s.id.starts_with(&m.value),
        Term::Field(Field::Id, m) => m.matches(Some(&s.id)),
        Term::Field(Field::Team | Field::Severity, _) => false,
        Term::Text(t) => {
            let hit = |v: &str| contains_ignore_case(v, t);
            hit(&s.id)
                || hit(&s.created_by)
                || hit(&s.comment)
                || s.matchers.iter().any(|m| hit(&m.to_string()))
        }
    }
}

fn term_matches(term: &Term, a: &Alert) -> bool {
    match term {
        Term::Label(m) => m.matches(a.labels.get(&m.name)),
        Term::Field(Field::State, m) => {
            // An alert both silenced and inhibited has both states:
            // positive operators need one, negative ones all.
            let states = a.states();
            if m.op.is_equal() {
                states.iter().any(|s| m.matches(Some(s)))
            } else {
                states.iter().all(|s| m.matches(Some(s)))
            }
        }
        Term::Field(Field::Team, m) => m.matches(Some(&a.team)),
        Term::Field(Field::Severity, m) => m.matches(Some(a.severity.as_str())),
        // Silences' own fields: no alert has them.
        Term::Field(Field::Author | Field::Id, _) => false,
        Term::Field(Field::Source, m) => {
            // Negative operators must hold for every source, positive for one.
            if m.op.is_equal() {
                a.sources.iter().any(|src| m.matches(Some(src)))
            } else {
                a.sources.iter().all(|src| m.matches(Some(src)))
            }
        }
        Term::Text(t) => {
            let hit = |v: &str| contains_ignore_case(v, t);
            a.labels.values().any(hit)
                || a.annotations.values().any(hit)
                || contains_ignore_case(&a.team, t)
        }
    }
}

/// `haystack` contains `needle_lower` (already lower-case), ignoring case.
fn contains_ignore_case(haystack: &str, needle_lower: &str) -> bool {
    if haystack.is_ascii() && needle_lower.is_ascii() {
        haystack
            .as_bytes()
            .windows(needle_lower.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(needle_lower.as_bytes()))
            || needle_lower.is_empty()
    } else {
        haystack.to_lowercase().contains(needle_lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::model::AlertState;
    use crate::alerts::testing::AlertBuilder;

    fn alert(labels: &[(&str, &str)], state: AlertState) -> Alert {
        AlertBuilder::new(labels)
            .fingerprint("f")
            .annotation("description", "Disk almost FULL")
            .state(state)
            .source("prod")
            .source("prod-b")
            .build()
    }

    fn check(filter: &str, a: &Alert, team: &str) -> bool {
        let f = Filter::parse(filter).expect("parses");
        let mut a = a.clone();
        a.team = team.to_string();
        a.severity = crate::alerts::model::Severity::Warning;
        f.matches(&a)
    }

    #[test]
    fn missing_label_matches_empty() {
        let a = alert(&[("alertname", "x")], AlertState::Firing);
        assert!(check("owner!=search", &a, "unowned"));
        assert!(check(r#"owner="""#, &a, "unowned"));
        assert!(!check("owner=search", &a, "unowned"));
    }

    #[test]
    fn derived_fields() {
        let a = alert(&[("alertname", "x")], AlertState::Silenced);
        assert!(check("@state=silenced", &a, "search"));
        assert!(!check("@state=firing", &a, "search"));
        assert!(check("@team=search", &a, "search"));
        assert!(check("@team=~sea.*", &a, "search"));
        assert!(check("@source=prod-b", &a, "search"));
        assert!(!check("@source!=prod", &a, "search"));
        assert!(check("@severity=warning", &a, "search"));
    }

    #[test]
    fn free_text_is_case_insensitive_over_labels_and_annotations() {
        let a = alert(
            &[("alertname", "critical_gitserver_disk")],
            AlertState::Firing,
        );
        assert!(check("GITSERVER", &a, "t"));
        assert!(check("full", &a, "t"));
        assert!(check(r#""almost full""#, &a, "t"));
        assert!(!check("zoekt", &a, "t"));
        assert!(check("gitserver @state=firing", &a, "t"));
    }

    fn silence(matchers: &[&str]) -> Silence {
        let now = chrono::Utc::now();
        Silence {
            id: "5f1c-0042".into(),
            matchers: matchers
                .iter()
                .map(|m| crate::alerts::matcher::Matcher::parse(m).expect("matcher"))
                .collect(),
            starts_at: now,
            ends_at: now,
            created_by: "Alice".into(),
            comment: "Deploy window".into(),
            state: crate::alerts::model::SilenceState::Active,
            sources: vec!["prod".into()],
        }
    }

    fn keeps(filter: &str, s: &Silence, covered: &[&Alert]) -> bool {
        Filter::parse_for_silences(filter)
            .expect("parses")
            .matches_silence(s, covered)
    }

    #[test]
    fn a_silence_passes_by_its_own_matchers_and_text() {
        let eq = silence(&[r#"service="frontend""#, r#"alertname="down""#]);
        let re = silence(&[r#"service=~"front.*""#]);
        assert!(keeps("service=frontend", &eq, &[]));
        assert!(keeps("service=frontend", &re, &[]));
        assert!(keeps("service=~fr.*", &eq, &[]));
        assert!(!keeps("service=~fr.*", &re, &[]));
        assert!(!keeps("service=backend", &eq, &[]));
        assert!(!keeps("service=backend", &re, &[]));
        // No matcher on the label: as a missing label, "".
        assert!(!keeps("team=search", &eq, &[]));
        assert!(keeps("team!=search", &eq, &[]));
        // Free text: id, author, comment, matcher text.
        for text in ["0042", "alice", "window", "alertname", r#""down""#] {
            assert!(keeps(text, &eq, &[]), "{text}");
        }
        assert!(!keeps("zoekt", &eq, &[]));
        assert!(keeps("@source=prod window", &eq, &[]));
        assert!(!keeps("@source=staging", &eq, &[]));
        assert!(!keeps("@state=pending", &eq, &[]));
        assert!(!keeps("@team=search", &eq, &[]));
        assert!(keeps("", &eq, &[]));
        // The silences' own fields.
        assert!(keeps("@author=Alice", &eq, &[]));
        assert!(keeps("@author=~Al.*", &eq, &[]));
        assert!(!keeps("@author=bob", &eq, &[]));
        assert!(keeps("@id=5f1c", &eq, &[]));
        assert!(keeps("@id=5f1c-0042", &eq, &[]));
        assert!(!keeps("@id=0042", &eq, &[]));
        assert!(keeps("@id!=0042", &eq, &[]));
        assert!(keeps("@state=active", &eq, &[]));
    }

    #[test]
    fn silences_fields_are_the_silences_lists_only() {
        let e = Filter::parse("@author=alice").expect_err("refused");
        assert_eq!(
            e.message,
            "unknown field @author; expected one of @state, @team, @source, @severity"
        );
        assert!(Filter::parse("@state=active").is_err());
        assert!(Filter::parse_for_silences("@state=active @id=5f1c").is_ok());
        let e = Filter::parse_for_silences("@state=gone").expect_err("refused");
        assert!(e.message.contains("active, expired"), "{}", e.message);
        let e = Filter::parse_for_silences("@owner=x").expect_err("refused");
        assert!(
            e.message.ends_with("@severity, @author, @id"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_silence_passes_by_an_alert_it_covers() {
        let s = silence(&[r#"alertname="down""#]);
        let mut a = alert(
            &[("alertname", "down"), ("pod", "web-1")],
            AlertState::Silenced,
        );
        a.team = "search".into();
        assert!(keeps("@team=search", &s, &[&a]));
        assert!(keeps("pod=web-1", &s, &[&a]));
        assert!(keeps("almost", &s, &[&a]));
        assert!(!keeps("pod=web-2", &s, &[&a]));
        // The whole filter on one alert, or the whole filter on the record.
        assert!(!keeps("pod=web-1 zoekt", &s, &[&a]));
    }
}
