pub(super) use super::*;

pub(super) use std::time::Duration;

pub(super) use chrono::{DateTime, TimeDelta, TimeZone, Utc};
pub(super) use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) use crate::alerts::client::NewSilence;
pub(super) use crate::alerts::matcher::{Filter, Matcher};
pub(super) use crate::alerts::model::{Alert, Silence, SilenceState};
pub(super) use crate::alerts::source::SourceEvent;
pub(super) use crate::app::action::{SilenceOp, SilenceOutcome, SilenceRequest};
pub(super) use crate::app::state::{AckForm, Confirm, FormField};

use crate::alerts::client::ClientError;
use crate::alerts::grouping::{Routing, UNOWNED};
use crate::alerts::matcher::MatchOp;
use crate::alerts::model::{AlertState, AlertmanagerSnapshot, Severity, SourceKind};
use crate::alerts::testing::AlertBuilder;
use crate::app::state::{AlertSettings, Focus};

// ---------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------

/// The fixed clock every test starts at.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn mins(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// An alert as a source reports it: not yet classified (team and severity
/// are filled in by `recompute`).
fn alert(pairs: &[(&str, &str)], source: &str, state: AlertState, minutes_ago: i64) -> Alert {
    AlertBuilder::new(pairs)
        .source(source)
        .state(state)
        .starts_at(now() - mins(minutes_ago))
        .build()
}

/// A Sourcegraph-style alert: `alertname` is `{level}_{service}_{name}`.
fn sg(
    level: &str,
    service: &str,
    name: &str,
    owner: Option<&str>,
    description: &str,
) -> Vec<(String, String)> {
    let mut v = vec![
        ("alertname".to_string(), format!("{level}_{service}_{name}")),
        ("level".to_string(), level.to_string()),
        ("service_name".to_string(), service.to_string()),
        ("name".to_string(), name.to_string()),
        (
            "description".to_string(),
            format!("{service}: {description}"),
        ),
    ];
    if let Some(o) = owner {
        v.push(("owner".to_string(), o.to_string()));
    }
    v
}

fn sg_alert(
    spec: Vec<(String, String)>,
    source: &str,
    state: AlertState,
    minutes_ago: i64,
) -> Alert {
    let pairs: Vec<(&str, &str)> = spec.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    alert(&pairs, source, state, minutes_ago)
}

const SEARCH_CRIT: &str = "critical_frontend_90th_percentile_search_request_duration";
const SEARCH_WARN: &str = "warning_zoekt-indexserver_average_resolve_revision_duration";
const SEARCH_SILENCED: &str = "warning_searcher_unindexed_search_request_errors";
const SOURCE_CRIT: &str = "critical_gitserver_disk_space_remaining";
const SOURCE_PENDING: &str = "warning_gitserver_repository_clone_queue_size";
const UNOWNED_WARN: &str = "warning_syntect-server_syntax_highlighting_timeouts";

fn search_crit(source: &str) -> Alert {
    sg_alert(
        sg(
            "critical",
            "frontend",
            "90th_percentile_search_request_duration",
            Some("search"),
            "15s+ 90th percentile search request duration",
        ),
        source,
        AlertState::Firing,
        12,
    )
}

fn search_warn(source: &str) -> Alert {
    sg_alert(
        sg(
            "warning",
            "zoekt-indexserver",
            "average_resolve_revision_duration",
            Some("search"),
            "15s+ average resolve revision duration over 5m",
        ),
        source,
        AlertState::Firing,
        260,
    )
}

fn search_silenced(source: &str) -> Alert {
    let mut a = sg_alert(
        sg(
            "warning",
            "searcher",
            "unindexed_search_request_errors",
            Some("search"),
            "5%+ unindexed search request errors every 5m",
        ),
        source,
        AlertState::Silenced,
        95,
    );
    a.silenced_by = vec!["sil-searcher".into()];
    a
}

fn source_crit(source: &str) -> Alert {
    sg_alert(
        sg(
            "critical",
            "gitserver",
            "disk_space_remaining",
            Some("source"),
            "less than 15% disk space remaining by instance",
        ),
        source,
        AlertState::Firing,
        610,
    )
}

fn source_pending() -> Alert {
    sg_alert(
        sg(
            "warning",
            "gitserver",
            "repository_clone_queue_size",
            Some("source"),
            "25+ repository clone queue size",
        ),
        "prom",
        AlertState::Pending,
        3,
    )
}

fn unowned_warn(source: &str) -> Alert {
    sg_alert(
        sg(
            "warning",
            "syntect-server",
            "syntax_highlighting_timeouts",
            None,
            "5%+ syntax highlighting timeouts every 5m",
        ),
        source,
        AlertState::Firing,
        340,
    )
}

fn silence(
    id: &str,
    matchers: Vec<Matcher>,
    ends_in: i64,
    state: SilenceState,
    source: &str,
) -> Silence {
    Silence {
        id: id.to_string(),
        matchers,
        starts_at: now() - mins(95),
        ends_at: now() + mins(ends_in),
        created_by: "alice".into(),
        comment: format!("{id}: known issue, fix is rolling out"),
        state,
        sources: vec![source.to_string()],
    }
}

/// The silence holding `search_silenced` (ends in an hour).
fn searcher_silence(source: &str) -> Silence {
    silence(
        "sil-searcher",
        vec![Matcher::equal("alertname", SEARCH_SILENCED)],
        60,
        SilenceState::Active,
        source,
    )
}

fn snapshot(source: &str) -> AlertmanagerSnapshot {
    AlertmanagerSnapshot {
        alerts: vec![
            search_crit(source),
            search_warn(source),
            search_silenced(source),
            source_crit(source),
            unowned_warn(source),
        ],
        silences: vec![
            searcher_silence(source),
            // Matches nothing; ends sooner than sil-searcher.
            silence(
                "sil-soon",
                vec![Matcher::equal("owner", "nobody")],
                30,
                SilenceState::Active,
                source,
            ),
            silence(
                "sil-old",
                vec![Matcher::equal("owner", "search")],
                -60,
                SilenceState::Expired,
                source,
            ),
        ],
        peers: Vec::new(),
        skipped: Vec::new(),
    }
}

fn settings() -> AlertSettings {
    AlertSettings {
        routing: Routing::default(),
        ack_duration: Duration::from_secs(2 * 3600),
        ack_author: "alice".into(),
        ack_comment: "acknowledged from opsdeck".into(),
        refresh: Duration::from_secs(30),
        flap_threshold: 3,
        history_resolved: std::time::Duration::from_secs(3600),
    }
}

fn am_event(name: &str, snapshot: AlertmanagerSnapshot, at: DateTime<Utc>) -> Action {
    Action::Source(SourceEvent::Alertmanager {
        name: name.into(),
        result: Ok(snapshot),
        at,
    })
}

fn am_error(name: &str, message: &str) -> Action {
    Action::Source(SourceEvent::Alertmanager {
        name: name.into(),
        result: Err(ClientError {
            source: name.into(),
            message: message.into(),
            status: None,
        }),
        at: now(),
    })
}

fn prom_event(alerts: Vec<Alert>) -> Action {
    Action::Source(SourceEvent::Prometheus {
        name: "prom".into(),
        result: Ok(alerts),
        skipped: Vec::new(),
        at: now(),
    })
}

/// `am` + `prom`, both fetched once.
fn fixture() -> State {
    let mut state = State::new(
        settings(),
        vec![
            ("am".into(), SourceKind::Alertmanager),
            ("prom".into(), SourceKind::Prometheus),
        ],
        false,
        now(),
    );
    assert!(update(&mut state, am_event("am", snapshot("am"), now())).is_empty());
    assert!(update(&mut state, prom_event(vec![source_pending()])).is_empty());
    state
}

// ---------------------------------------------------------------------------
// Input helpers
// ---------------------------------------------------------------------------

fn key_event(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn code(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(key_event(code)))
}

fn press(state: &mut State, c: char) -> Vec<Effect> {
    code(state, KeyCode::Char(c))
}

/// Types every char of `text`, asserting none produces an effect.
fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        assert_eq!(press(state, c), Vec::new(), "typing {c:?}");
    }
}

fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn team_names(state: &State) -> Vec<&str> {
    state.alerts.groups.iter().map(|g| g.key.as_str()).collect()
}

fn group_alert_names<'a>(state: &'a State, team: &str) -> Vec<&'a str> {
    state
        .alerts
        .groups
        .iter()
        .find(|g| g.key == team)
        .map(|g| {
            g.alerts
                .iter()
                .map(|&i| state.alerts.all[i].name())
                .collect()
        })
        .unwrap_or_default()
}

fn selected_name(state: &State) -> &str {
    state.selected_alert().map(Alert::name).unwrap_or("<none>")
}

fn alert_named<'a>(state: &'a State, name: &str) -> &'a Alert {
    state
        .alerts
        .all
        .iter()
        .find(|a| a.name() == name)
        .unwrap_or_else(|| panic!("no alert {name}"))
}

fn top_overlay(state: &State) -> Option<&Overlay> {
    state.overlays.last()
}

fn form(state: &State) -> &AckForm {
    match state.overlays.iter().rev().find_map(|o| match o {
        Overlay::AckForm(f) => Some(f),
        _ => None,
    }) {
        Some(f) => f,
        None => panic!("no ack form in {:?}", state.overlays),
    }
}

fn pick(state: &State) -> &crate::app::overlays::pick::Pick {
    match top_overlay(state) {
        Some(Overlay::Pick(p)) => p,
        other => panic!("expected the silence picker on top, got {other:?}"),
    }
}

fn confirm(state: &State) -> &Confirm {
    match top_overlay(state) {
        Some(Overlay::Confirm(c)) => c,
        other => panic!("expected a confirmation on top, got {other:?}"),
    }
}

/// Moves the selection to the alert called `name` (showing suppressed
/// alerts if needed) with the alert list focused.
fn select_alert(state: &mut State, name: &str) {
    let (t, a) = state
        .alerts
        .groups
        .iter()
        .enumerate()
        .find_map(|(t, g)| {
            g.alerts
                .iter()
                .position(|&i| state.alerts.all[i].name() == name)
                .map(|a| (t, a))
        })
        .unwrap_or_else(|| panic!("{name} is not shown"));
    state.alerts.focus = Focus::Teams;
    press(state, 'g');
    for _ in 0..t {
        press(state, 'j');
    }
    code(state, KeyCode::Tab);
    assert_eq!(state.alerts.focus, Focus::Alerts);
    press(state, 'g');
    for _ in 0..a {
        press(state, 'j');
    }
    assert_eq!(selected_name(state), name);
}

/// The matchers text the form prefills for an alert: every label, sorted.
fn expected_matchers_text(a: &Alert) -> String {
    a.labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn label_equalities(a: &Alert) -> Vec<Matcher> {
    a.labels.iter().map(|(k, v)| Matcher::equal(k, v)).collect()
}

fn ok_outcome(target: &str, request: &NewSilence, id: &str) -> SilenceOutcome {
    SilenceOutcome {
        target: target.into(),
        request: Some(request.clone()),
        result: Ok(id.into()),
    }
}

/// Opens the form on the selected alert, confirms, and returns the create
/// requests.
fn ack_selected(state: &mut State) -> Vec<SilenceRequest> {
    assert!(press(state, 'a').is_empty());
    assert!(code(state, KeyCode::Enter).is_empty());
    match press(state, 'y').as_slice() {
        [Effect::CreateSilences(reqs)] => reqs.clone(),
        other => panic!("expected one CreateSilences, got {other:?}"),
    }
}

mod ack_form;
mod arrange;
mod console;
mod data;
mod extend_expire;
mod filter;
mod global_keys;
mod health;
mod history;
mod known_bugs;
mod local_changes;
mod messages;
mod team_ack;
