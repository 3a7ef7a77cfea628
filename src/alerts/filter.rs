//! Whether an alert passes a `/` filter ([`Filter`], parsed in
//! [`crate::alerts::matcher`]): label matchers, `@` fields and free text.

use super::matcher::{Field, Filter, Term};
use super::model::Alert;

impl Filter {
    /// Does the alert pass every term?
    pub fn matches(&self, alert: &Alert) -> bool {
        self.terms.iter().all(|t| term_matches(t, alert))
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
}
