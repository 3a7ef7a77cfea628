//! Team routing, severity ordering, de-duplication across sources and grouping
//! by owning team. All pure.

use super::arrange::{Arrange, SortBy};
use super::matcher::{Filter, Matcher};
use super::model::{Alert, AlertState, Labels, Severity, Silence};

/// The bucket for alerts no label or route claims.
pub const UNOWNED: &str = "unowned";

/// A fallback ownership route: alerts matching every matcher belong to `team`.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The owning team.
    pub team: String,
    /// All must match.
    pub matchers: Vec<Matcher>,
}

/// How alerts are assigned a team and a severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    /// The first of these labels present names the team.
    pub team_labels: Vec<String>,
    /// The first of these labels present gives the severity.
    pub severity_labels: Vec<String>,
    /// Fallbacks when no team label is present, first match wins.
    pub routes: Vec<Route>,
}

impl Default for Routing {
    fn default() -> Self {
        Routing {
            team_labels: vec!["owner".into(), "team".into()],
            severity_labels: vec!["severity".into(), "level".into()],
            routes: Vec::new(),
        }
    }
}

impl Routing {
    /// The owning team of a label set.
    pub fn team_of<'a>(&'a self, labels: &'a Labels) -> &'a str {
        if let Some(team) = self
            .team_labels
            .iter()
            .find_map(|l| labels.get(l).filter(|v| !v.is_empty()))
        {
            return team;
        }
        self.routes
            .iter()
            .find(|r| r.matchers.iter().all(|m| m.matches(labels.get(&m.name))))
            .map(|r| r.team.as_str())
            .unwrap_or(UNOWNED)
    }

    /// The severity of a label set.
    pub fn severity_of(&self, labels: &Labels) -> Severity {
        self.severity_labels
            .iter()
            .find_map(|l| labels.get(l))
            .map(Severity::parse)
            .unwrap_or(Severity::None)
    }

    /// Fills in an alert's derived `team` and `severity`.
    pub fn classify(&self, alert: &mut Alert) {
        alert.team = self.team_of(&alert.labels).to_string();
        alert.severity = self.severity_of(&alert.labels);
    }
}

/// Merges what every source reported into one list: alerts with the same
/// fingerprint are one alert listing every source; a Prometheus alert that an
/// Alertmanager also holds is shown once; pending alerts come from Prometheus.
///
/// `alertmanagers` and `prometheus` are each source's alerts, in config order.
/// The result is classified with `routing` and in no particular order.
pub fn merge<'a>(
    alertmanagers: impl IntoIterator<Item = &'a [Alert]>,
    prometheus: impl IntoIterator<Item = &'a [Alert]>,
    routing: &Routing,
) -> Vec<Alert> {
    let mut out: Vec<Alert> = Vec::new();
    // Keyed by the inputs' own fingerprints: no copies of the keys.
    let mut by_fp: foldhash::HashMap<&'a str, usize> = foldhash::HashMap::default();
    for alerts in alertmanagers.into_iter().chain(prometheus) {
        // Sized for the first source: the others mostly repeat its alerts
        // (HA pairs, Prometheus' pending and firing ones).
        if out.is_empty() {
            out.reserve(alerts.len());
            by_fp.reserve(alerts.len());
        }
        for a in alerts {
            match by_fp.get(a.fingerprint.as_str()) {
                Some(&i) => absorb(&mut out[i], a),
                None => {
                    by_fp.insert(a.fingerprint.as_str(), out.len());
                    let mut a = a.clone();
                    routing.classify(&mut a);
                    out.push(a);
                }
            }
        }
    }
    out
}

/// Folds another source's copy of the same alert into `into`.
fn absorb(into: &mut Alert, other: &Alert) {
    for s in &other.sources {
        if !into.sources.contains(s) {
            into.sources.push(s.clone());
        }
    }
    // A pending copy (from Prometheus) never downgrades a firing one.
    if into.state == AlertState::Pending && other.state != AlertState::Pending {
        into.state = other.state;
    }
    for id in &other.silenced_by {
        if !into.silenced_by.contains(id) {
            into.silenced_by.push(id.clone());
        }
    }
    for id in &other.inhibited_by {
        if !into.inhibited_by.contains(id) {
            into.inhibited_by.push(id.clone());
        }
    }
    if !into.silenced_by.is_empty() {
        into.state = AlertState::Silenced;
    } else if !into.inhibited_by.is_empty() && into.state != AlertState::Pending {
        into.state = AlertState::Inhibited;
    }
    into.starts_at = into.starts_at.min(other.starts_at);
    if into.generator_url.is_none() {
        into.generator_url.clone_from(&other.generator_url);
    }
    // HA members report the same annotations: nothing to add.
    if std::sync::Arc::ptr_eq(&into.annotations, &other.annotations)
        || into.annotations == other.annotations
    {
        return;
    }
    for (k, v) in other.annotations.iter() {
        if !into.annotations.contains_key(k) {
            std::sync::Arc::make_mut(&mut into.annotations).insert(k, v);
        }
    }
}

/// One group's alerts, after filtering: a team's, an alert name's, a
/// label value's, or (flat) every alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// What the group's alerts share: the team (or [`UNOWNED`]), the alert
    /// name or the label value (or "(no LABEL)"); empty in the flat list.
    pub key: String,
    /// Shown alerts by severity, indexed by [`Severity::index`].
    pub counts: [usize; 5],
    /// Indices into the alert list of the shown alerts, in the sort order.
    pub alerts: Vec<usize>,
    /// Silenced or inhibited alerts that match the filter but are hidden
    /// (`s` shows them).
    pub hidden: usize,
    /// Matching alerts that are silenced (shown or hidden; never in `counts`).
    pub silenced: usize,
    /// Matching alerts that are inhibited (an alert can be both).
    pub inhibited: usize,
}

impl Group {
    /// The most severe shown alert's severity.
    pub fn worst(&self) -> Severity {
        Severity::ALL
            .iter()
            .copied()
            .find(|s| self.counts[s.index()] > 0)
            .unwrap_or(Severity::None)
    }

    /// Shown alerts.
    pub fn total(&self) -> usize {
        self.alerts.len()
    }
}

/// Groups classified alerts by team (the default [`Arrange`]). Teams come
/// most severe first (by counts of active critical, then error, …
/// alerts), then by name; a team whose matching alerts are all suppressed
/// still appears, with its silenced and inhibited counts.
pub fn group(alerts: &[Alert], filter: &Filter, show_suppressed: bool) -> Vec<Group> {
    arrange(alerts, filter, show_suppressed, &Arrange::default())
}

/// Groups classified alerts as `how` says: groups most severe first, then
/// by name (by name alone when sorting by name or team); each group's
/// alerts in `how.sort` order. The flat list is one group holding every
/// matching alert (none when nothing matches).
pub fn arrange(
    alerts: &[Alert],
    filter: &Filter,
    show_suppressed: bool,
    how: &Arrange,
) -> Vec<Group> {
    let show_suppressed = show_suppressed || filter.asks_for_suppressed();
    let missing = how.group.missing();
    let mut groups: foldhash::HashMap<&str, Group> = foldhash::HashMap::default();
    for (i, a) in alerts.iter().enumerate() {
        if !filter.matches(a) {
            continue;
        }
        let key = match how.group.key(a) {
            "" => missing.as_str(),
            key => key,
        };
        let g = groups.entry(key).or_insert_with(|| Group {
            key: key.to_string(),
            counts: [0; 5],
            alerts: Vec::new(),
            hidden: 0,
            silenced: 0,
            inhibited: 0,
        });
        if a.state.is_suppressed() {
            // Suppressed alerts are counted apart, never as active, and
            // listed only when asked for.
            g.silenced += usize::from(a.is_silenced());
            g.inhibited += usize::from(a.is_inhibited());
            if show_suppressed {
                g.alerts.push(i);
            } else {
                g.hidden += 1;
            }
        } else {
            g.counts[a.severity.index()] += 1;
            g.alerts.push(i);
        }
    }
    let mut groups: Vec<Group> = groups.into_values().collect();
    // Names looked up when a comparison first needs one, then kept: alerts
    // of one rule evaluation share severity and start.
    let mut names: Vec<Option<&str>> = vec![None; alerts.len()];
    for g in &mut groups {
        g.alerts.sort_by(|&x, &y| {
            how.sort.cmp_by(&alerts[x], &alerts[y], || {
                let a = *names[x].get_or_insert_with(|| alerts[x].name());
                let b = *names[y].get_or_insert_with(|| alerts[y].name());
                a.cmp(b)
            })
        });
    }
    let by_name = matches!(how.sort, SortBy::Name | SortBy::Team);
    groups.sort_by(|a, b| {
        // Active alerts rank a group; silenced ones never do.
        let rank = if by_name {
            std::cmp::Ordering::Equal
        } else {
            b.counts.cmp(&a.counts)
        };
        rank.then_with(|| a.key.cmp(&b.key))
    });
    groups
}

/// Silences (active or pending) whose matchers all match the alert's labels.
pub fn silences_matching<'a>(
    silences: &'a [Silence],
    labels: &'a Labels,
) -> impl Iterator<Item = &'a Silence> + 'a {
    silences.iter().filter(move |s| {
        s.state != super::model::SilenceState::Expired
            && s.matchers.iter().all(|m| m.matches(labels.get(&m.name)))
    })
}

/// How many alerts (by label set) the matchers would silence.
pub fn count_matching(alerts: &[Alert], matchers: &[Matcher]) -> usize {
    alerts
        .iter()
        .filter(|a| matchers.iter().all(|m| m.matches(a.labels.get(&m.name))))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::testing::AlertBuilder;
    use chrono::{TimeZone, Utc};

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn alert(pairs: &[(&str, &str)], source: &str, state: AlertState, minute: u32) -> Alert {
        let starts_at = Utc.with_ymd_and_hms(2020, 11, 1, 10, minute, 0).single();
        AlertBuilder::new(pairs)
            .source(source)
            .state(state)
            .starts_at(starts_at.expect("valid time"))
            .build()
    }

    fn routing() -> Routing {
        Routing {
            routes: vec![Route {
                team: "search".into(),
                matchers: vec![Matcher::parse(r#"service_name=~"zoekt.*|searcher""#).expect("ok")],
            }],
            ..Routing::default()
        }
    }

    #[test]
    fn team_label_order_then_routes_then_unowned() {
        let r = routing();
        assert_eq!(r.team_of(&labels(&[("owner", "a"), ("team", "b")])), "a");
        assert_eq!(r.team_of(&labels(&[("team", "b")])), "b");
        assert_eq!(r.team_of(&labels(&[("owner", ""), ("team", "b")])), "b");
        assert_eq!(
            r.team_of(&labels(&[("service_name", "zoekt-webserver")])),
            "search"
        );
        assert_eq!(
            r.team_of(&labels(&[("service_name", "searcher")])),
            "search"
        );
        assert_eq!(
            r.team_of(&labels(&[("service_name", "searcher-2")])),
            UNOWNED
        );
        assert_eq!(r.team_of(&labels(&[])), UNOWNED);
    }

    #[test]
    fn severity_label_order() {
        let r = Routing::default();
        assert_eq!(
            r.severity_of(&labels(&[("level", "critical"), ("severity", "info")])),
            Severity::Info
        );
        assert_eq!(
            r.severity_of(&labels(&[("level", "warning")])),
            Severity::Warning
        );
        assert_eq!(r.severity_of(&labels(&[])), Severity::None);
    }

    #[test]
    fn ha_pair_dedup_lists_both_sources() {
        let a1 = alert(&[("alertname", "x")], "am-a", AlertState::Firing, 5);
        let a2 = alert(&[("alertname", "x")], "am-b", AlertState::Firing, 3);
        let b = alert(&[("alertname", "y")], "am-b", AlertState::Firing, 3);
        let merged = merge([&[a1][..], &[a2, b][..]], [], &Routing::default());
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].sources, vec!["am-a", "am-b"]);
        assert_eq!(merged[0].starts_at.format("%M").to_string(), "03");
    }

    #[test]
    fn prometheus_firing_twin_shown_once_and_pending_kept() {
        let am = alert(&[("alertname", "x")], "am", AlertState::Firing, 1);
        let prom_firing = alert(&[("alertname", "x")], "prom", AlertState::Firing, 1);
        let prom_pending = alert(&[("alertname", "p")], "prom", AlertState::Pending, 1);
        let merged = merge(
            [&[am][..]],
            [&[prom_firing, prom_pending][..]],
            &Routing::default(),
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].sources, vec!["am", "prom"]);
        assert_eq!(merged[0].state, AlertState::Firing);
        assert_eq!(merged[1].state, AlertState::Pending);
    }

    #[test]
    fn silence_on_either_member_silences_the_merged_alert() {
        let a1 = alert(&[("alertname", "x")], "am-a", AlertState::Firing, 1);
        let mut a2 = alert(&[("alertname", "x")], "am-b", AlertState::Silenced, 1);
        a2.silenced_by = vec!["s1".into()];
        let merged = merge([&[a1][..], &[a2][..]], [], &Routing::default());
        assert_eq!(merged[0].state, AlertState::Silenced);
        assert_eq!(merged[0].silenced_by, vec!["s1"]);
    }

    #[test]
    fn groups_sorted_by_severity_then_age_and_hidden_counted() {
        let r = routing();
        let alerts = [
            alert(
                &[
                    ("alertname", "w_old"),
                    ("level", "warning"),
                    ("owner", "dist"),
                ],
                "am",
                AlertState::Firing,
                1,
            ),
            alert(
                &[("alertname", "c"), ("level", "critical"), ("owner", "dist")],
                "am",
                AlertState::Firing,
                2,
            ),
            alert(
                &[
                    ("alertname", "w_new"),
                    ("level", "warning"),
                    ("owner", "dist"),
                ],
                "am",
                AlertState::Firing,
                9,
            ),
            alert(
                &[("alertname", "s"), ("level", "critical"), ("owner", "dist")],
                "am",
                AlertState::Silenced,
                9,
            ),
            alert(
                &[
                    ("alertname", "z"),
                    ("level", "warning"),
                    ("service_name", "zoekt-webserver"),
                ],
                "am",
                AlertState::Firing,
                1,
            ),
            alert(
                &[("alertname", "u"), ("level", "critical")],
                "am",
                AlertState::Firing,
                1,
            ),
            alert(
                &[("alertname", "u2"), ("level", "critical")],
                "am",
                AlertState::Firing,
                1,
            ),
        ];
        let merged = merge([&alerts[..]], [], &r);
        let groups = group(&merged, &Filter::default(), false);
        let names: Vec<_> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(names, vec![UNOWNED, "dist", "search"]);
        let dist = &groups[1];
        let order: Vec<_> = dist.alerts.iter().map(|&i| merged[i].name()).collect();
        assert_eq!(order, vec!["c", "w_new", "w_old"]);
        assert_eq!(dist.hidden, 1);
        assert_eq!(dist.counts[Severity::Critical.index()], 1);
        assert_eq!(dist.counts[Severity::Warning.index()], 2);
        assert_eq!(dist.worst(), Severity::Critical);

        let shown = group(&merged, &Filter::default(), true);
        let dist = shown.iter().find(|g| g.key == "dist").expect("dist");
        assert_eq!((dist.total(), dist.hidden), (4, 0));
        // Shown, the silenced alert is still not counted as active.
        assert_eq!(dist.counts[Severity::Critical.index()], 1);
        assert_eq!(dist.counts[Severity::Warning.index()], 2);
        assert_eq!((dist.silenced, dist.inhibited), (1, 0));

        // Asking for silenced alerts by name shows them without `s`.
        let asked = Filter::parse("@state=silenced").expect("filter");
        let groups = group(&merged, &asked, false);
        let names: Vec<_> = groups
            .iter()
            .flat_map(|g| g.alerts.iter().map(|&i| merged[i].name()))
            .collect();
        assert_eq!((names, groups[0].hidden), (vec!["s"], 0));
    }

    #[test]
    fn filter_narrows_teams_and_alerts() {
        let alerts = [
            alert(
                &[("alertname", "a"), ("owner", "x"), ("level", "critical")],
                "am",
                AlertState::Firing,
                1,
            ),
            alert(
                &[("alertname", "b"), ("owner", "y"), ("level", "warning")],
                "am",
                AlertState::Firing,
                1,
            ),
        ];
        let merged = merge([&alerts[..]], [], &Routing::default());
        let f = Filter::parse("level=critical").expect("ok");
        let groups = group(&merged, &f, false);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].key, "x");
        let f = Filter::parse("@team=y").expect("ok");
        assert_eq!(group(&merged, &f, false)[0].key, "y");
    }

    #[test]
    fn count_matching_counts_label_sets() {
        let alerts = vec![
            alert(
                &[("alertname", "a"), ("owner", "x")],
                "am",
                AlertState::Firing,
                1,
            ),
            alert(
                &[("alertname", "b"), ("owner", "x")],
                "am",
                AlertState::Firing,
                1,
            ),
        ];
        let m = vec![Matcher::equal("owner", "x")];
        assert_eq!(count_matching(&alerts, &m), 2);
        let m = vec![
            Matcher::equal("owner", "x"),
            Matcher::equal("alertname", "a"),
        ];
        assert_eq!(count_matching(&alerts, &m), 1);
    }
}
