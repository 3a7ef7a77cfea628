//! Insta snapshots of the screen at 120×40, for a fixed clock and a fixed
//! set of alerts, with the state built through `update` as the runtime would.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use opsdeck::alerts::client::ClientError;
use opsdeck::alerts::grouping::Routing;
use opsdeck::alerts::matcher::Matcher;
use opsdeck::alerts::model::{
    Alert, AlertState, AlertmanagerSnapshot, Labels, Silence, SilenceState, SourceKind,
};
use opsdeck::alerts::source::SourceEvent;
use opsdeck::app::state::AlertSettings;
use opsdeck::app::{Action, Effect, SilenceOp, SilenceOutcome, State, update};
use opsdeck_testkit::{AlertBuilder, labels};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "columns.rs"]
mod columns;
#[path = "sizes.rs"]
mod sizes;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn mins(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn alert(
    labels: Labels,
    annotations: Labels,
    source: &str,
    state: AlertState,
    minutes_ago: i64,
) -> Alert {
    AlertBuilder::from_labels(labels)
        .annotations(annotations)
        .source(source)
        .state(state)
        .starts_at(now() - mins(minutes_ago))
        .build()
}

/// Sourcegraph 2020 style: `alertname` is `{level}_{service}_{name}`, the
/// description is a label, `owner` names the team (none: unowned).
fn sourcegraph(
    level: &str,
    service: &str,
    name: &str,
    description: &str,
    owner: &str,
    minutes_ago: i64,
) -> Alert {
    let alertname = format!("{level}_{service}_{name}");
    let description = format!("{service}: {description}");
    let mut pairs = vec![
        ("alertname", alertname.as_str()),
        ("level", level),
        ("service_name", service),
        ("name", name),
        ("description", description.as_str()),
    ];
    if !owner.is_empty() {
        pairs.push(("owner", owner));
    }
    alert(
        labels(&pairs),
        Labels::new(),
        "prod",
        AlertState::Firing,
        minutes_ago,
    )
}

/// The other convention: `severity` and `team` labels, a `summary` annotation.
fn conventional(
    alertname: &str,
    severity: &str,
    team: &str,
    summary: &str,
    minutes_ago: i64,
) -> Alert {
    let mut a = alert(
        labels(&[
            ("alertname", alertname),
            ("severity", severity),
            ("team", team),
            ("namespace", "payments"),
        ]),
        labels(&[
            ("summary", summary),
            ("runbook_url", "https://runbooks.example.com/platform"),
        ]),
        "prod",
        AlertState::Firing,
        minutes_ago,
    );
    a.generator_url = Some("http://prometheus.example.com:9090/graph?g0.expr=up".into());
    a
}

const SILENCE_INC: &str = "5d1b7d5c-1f0e-4c5b-9b1a-3f2e8c9d0a11";
const SILENCE_PG: &str = "a0c3e9f2-7b44-4e1d-8c55-92d1f0b6e7aa";
const SILENCE_MAINT: &str = "e7f1a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b";

fn silence(id: &str, matchers: Vec<Matcher>, ends_in: i64, author: &str, comment: &str) -> Silence {
    Silence {
        id: id.into(),
        matchers,
        starts_at: now() - mins(20),
        ends_at: now() + mins(ends_in),
        created_by: author.into(),
        comment: comment.into(),
        state: SilenceState::Active,
        sources: vec!["prod".into()],
    }
}

fn prod_snapshot() -> AlertmanagerSnapshot {
    let mut silenced = sourcegraph(
        "warning",
        "query-runner",
        "frontend_internal_api_error_responses",
        "5%+ frontend-internal API error responses every 5m by route",
        "search",
        15,
    );
    silenced.state = AlertState::Silenced;
    silenced.silenced_by = vec![SILENCE_INC.into()];
    let mut pg = sourcegraph(
        "warning",
        "postgres",
        "connections",
        "less than 5 active connections for 5m0s",
        "distribution",
        2100,
    );
    pg.state = AlertState::Silenced;
    pg.silenced_by = vec![SILENCE_PG.into()];
    AlertmanagerSnapshot {
        alerts: vec![
            sourcegraph(
                "critical",
                "frontend",
                "90th_percentile_search_request_duration",
                "15s+ 90th percentile search request duration",
                "search",
                12,
            ),
            sourcegraph(
                "warning",
                "frontend",
                "99th_percentile_search_request_duration",
                "20s+ 99th percentile search request duration",
                "search",
                47,
            ),
            silenced,
            sourcegraph(
                "critical",
                "gitserver",
                "disk_space_remaining",
                "less than 15% disk space remaining by instance",
                "core-application",
                610,
            ),
            sourcegraph(
                "warning",
                "gitserver",
                "running_git_commands",
                "50+ running git commands (signals load) for 2m0s",
                "core-application",
                35,
            ),
            sourcegraph(
                "warning",
                "repo-updater",
                "syncer_sync_last_time",
                "32400s+ time since last sync for 5m0s",
                "core-application",
                720,
            ),
            sourcegraph(
                "critical",
                "redis-cache",
                "container_memory_usage",
                "99%+ container memory usage by instance",
                "distribution",
                4,
            ),
            pg,
            conventional(
                "KubePodCrashLooping",
                "critical",
                "platform",
                "Pod payments/api-7d9f is crash looping",
                14,
            ),
            conventional(
                "HighErrorRate",
                "error",
                "platform",
                "5xx ratio above 5% for checkout-api",
                33,
            ),
            sourcegraph(
                "critical",
                "zoekt-webserver",
                "indexed_search_request_errors",
                "5%+ indexed search request errors every 5m by code for 5m0s",
                "",
                18,
            ),
            sourcegraph(
                "warning",
                "syntect-server",
                "syntax_highlighting_timeouts",
                "5%+ syntax highlighting timeouts every 5m for 5m0s",
                "",
                340,
            ),
        ],
        silences: vec![
            silence(
                SILENCE_INC,
                vec![
                    Matcher::equal(
                        "alertname",
                        "warning_query-runner_frontend_internal_api_error_responses",
                    ),
                    Matcher::equal("owner", "search"),
                ],
                90,
                "alice",
                "INC-1234: rollback in progress",
            ),
            silence(
                SILENCE_PG,
                vec![Matcher::equal("service_name", "postgres")],
                45,
                "bob",
                "planned failover",
            ),
            silence(
                SILENCE_MAINT,
                vec![
                    Matcher::equal("team", "platform"),
                    Matcher::equal("namespace", "staging"),
                ],
                360,
                "carol",
                "staging maintenance window",
            ),
        ],
        peers: Vec::new(),
        skipped: Vec::new(),
    }
}

fn pending() -> Alert {
    let mut a = sourcegraph(
        "warning",
        "gitserver",
        "repository_clone_queue_size",
        "25+ repository clone queue size",
        "core-application",
        3,
    );
    a.state = AlertState::Pending;
    a.sources = vec!["prom".into()];
    a
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

fn prod_ok(at: DateTime<Utc>) -> Action {
    Action::Source(SourceEvent::Alertmanager {
        name: "prod".into(),
        result: Ok(prod_snapshot()),
        at,
    })
}

fn prom_ok(at: DateTime<Utc>) -> Action {
    Action::Source(SourceEvent::Prometheus {
        name: "prom".into(),
        result: Ok(vec![pending()]),
        skipped: Vec::new(),
        at,
    })
}

/// `prod` (Alertmanager) and `prom` (Prometheus), fetched 5 seconds ago.
pub(crate) fn loaded(demo: bool) -> State {
    let mut state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("prom".into(), SourceKind::Prometheus),
        ],
        demo,
        now(),
    );
    let at = now() - TimeDelta::seconds(5);
    assert!(update(&mut state, prod_ok(at)).is_empty());
    assert!(update(&mut state, prom_ok(at)).is_empty());
    update(&mut state, Action::Resize(WIDTH, HEIGHT));
    state
}

pub(crate) fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(crate) fn keys(state: &mut State, text: &str) {
    for c in text.chars() {
        assert_eq!(key(state, KeyCode::Char(c)), Vec::new(), "key {c:?}");
    }
}

fn selected_name(state: &State) -> String {
    state
        .selected_alert()
        .map(|a| a.name().to_string())
        .unwrap_or_default()
}

fn screen(state: &State) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(state, f))
        .expect("draw");
    terminal.backend().clone()
}

fn row(backend: &TestBackend, y: u16) -> String {
    let buf = backend.buffer();
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

fn text(backend: &TestBackend) -> String {
    (0..backend.buffer().area.height)
        .map(|y| row(backend, y))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn main_view() {
    let state = loaded(false);
    assert_eq!(
        state
            .alerts
            .groups
            .iter()
            .map(|g| g.key.as_str())
            .collect::<Vec<_>>(),
        vec![
            "platform",
            "core-application",
            "search",
            "unowned",
            "distribution"
        ]
    );
    let backend = screen(&state);
    let header = row(&backend, 0);
    // Fresh data shows no age (an idle screen stays still) …
    assert!(header.ends_with("prod ✓  prom ✓"), "{header}");
    insta::assert_snapshot!("main_view", backend);
    // … data a few minutes old does.
    let mut stale = state.clone();
    stale.now += chrono::TimeDelta::minutes(3);
    let header = row(&screen(&stale), 0);
    assert!(header.ends_with("prod ✓ 3m  prom ✓ 3m"), "{header}");
}

#[test]
fn detail_on_a_silenced_alert() {
    let mut state = loaded(false);
    keys(&mut state, "sjj");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "j");
    assert_eq!(
        selected_name(&state),
        "warning_query-runner_frontend_internal_api_error_responses"
    );
    key(&mut state, KeyCode::Enter);
    assert!(state.alerts.detail);
    // The status message from `s` would cover the key hints; let it fade.
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(10)));
    update(&mut state, Action::Tick(now()));
    let backend = screen(&state);
    let all = text(&backend);
    for part in [
        SILENCE_INC,
        "alice",
        "\"INC-1234: rollback in progress\"",
        "2020-11-20 13:30",
        "(in 1h30m)",
    ] {
        assert!(all.contains(part), "{part} missing from the detail:\n{all}");
    }
    insta::assert_snapshot!("detail_silenced", backend);
}

/// `u` on a silenced alert: the picker with the silence's whole scope.
#[test]
fn unack_picker() {
    let mut state = loaded(false);
    keys(&mut state, "sjj");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "j");
    update(&mut state, Action::Tick(now() + TimeDelta::seconds(10)));
    update(&mut state, Action::Tick(now()));
    keys(&mut state, "u");
    let backend = screen(&state);
    let all = text(&backend);
    assert!(all.contains("covers only this alert"), "{all}");
    insta::assert_snapshot!("unack_picker", backend);
}

#[test]
fn detail_with_annotations_and_runbook() {
    let mut state = loaded(false);
    key(&mut state, KeyCode::Enter);
    key(&mut state, KeyCode::Enter);
    assert_eq!(selected_name(&state), "KubePodCrashLooping");
    insta::assert_snapshot!("detail_conventional_labels", screen(&state));
}

#[test]
fn ack_form() {
    let mut state = loaded(false);
    keys(&mut state, "jj");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "a");
    assert_eq!(state.overlays.len(), 1);
    insta::assert_snapshot!("ack_form", screen(&state));
    assert!(text(&screen(&state)).contains("ends 2020-11-20 14:00 UTC "));
    // A typo such as 999d stands out before it is submitted.
    let Some(opsdeck::app::state::Overlay::AckForm(form)) = state.overlays.last_mut() else {
        panic!("the form");
    };
    form.duration.set("999d");
    let shown = text(&screen(&state));
    assert!(
        shown.contains("ends 2023-08-16 12:00 UTC — longer than a week"),
        "{shown}"
    );
}

#[test]
fn ack_form_refused_by_alertmanager() {
    let mut state = loaded(false);
    keys(&mut state, "jj");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "a");
    key(&mut state, KeyCode::Enter);
    let effects = key(&mut state, KeyCode::Char('y'));
    let [Effect::CreateSilences(reqs)] = effects.as_slice() else {
        panic!("expected CreateSilences, got {effects:?}");
    };
    update(
        &mut state,
        Action::SilencesDone {
            op: SilenceOp::Create,
            outcomes: vec![SilenceOutcome {
                target: "prod".into(),
                request: Some(reqs[0].silence.clone()),
                result: Err(
                    "HTTP 400: silence invalid: at least one matcher must not match the empty string"
                        .into(),
                ),
            }],
        },
    );
    assert_eq!(state.overlays.len(), 1);
    let backend = screen(&state);
    let all = text(&backend);
    assert!(
        all.contains("Enter submit"),
        "the hint line is cut off:\n{all}"
    );
    insta::assert_snapshot!("ack_form_refused", backend);
}

#[test]
fn confirm_dialog() {
    let mut state = loaded(false);
    keys(&mut state, "jj");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "a");
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.overlays.len(), 2);
    insta::assert_snapshot!("confirm", screen(&state));
}

#[test]
fn confirm_team_ack() {
    let mut state = loaded(false);
    keys(&mut state, "jA");
    assert_eq!(state.overlays.len(), 1);
    // The team form: what it will make, before anything is asked.
    insta::assert_snapshot!("team_ack_form", screen(&state));
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.overlays.len(), 2);
    insta::assert_snapshot!("confirm_team_ack", screen(&state));
}

#[test]
fn silences_list() {
    let mut state = loaded(false);
    keys(&mut state, "Sj");
    insta::assert_snapshot!("silences_list", screen(&state));
}

#[test]
fn help_overlay() {
    let mut state = loaded(false);
    keys(&mut state, "?");
    insta::assert_snapshot!("help", screen(&state));
}

#[test]
fn messages_overlay_at_80x24_newest_first_with_times() {
    use opsdeck::app::state::Level;
    let mut state = loaded(false);
    update(&mut state, Action::Resize(80, 24));
    state.say(Level::Info, "silence 0f1e2d3c created");
    state.now += chrono::TimeDelta::seconds(95);
    state.say(
        Level::Error,
        "failed: prod: POST /api/v2/silences: connection refused, and a reason long enough to be cut at eighty columns",
    );
    state.now += chrono::TimeDelta::seconds(5);
    keys(&mut state, ":");
    for c in "messages".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    key(&mut state, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let backend = terminal.backend().clone();
    let shown = text(&backend);
    // Newest first, each with its time and age; the long one cut with …
    let newest = shown.find("connection refused").expect("the error");
    let older = shown.find("silence 0f1e2d3c created").expect("the info");
    assert!(newest < older, "{shown}");
    assert!(
        shown.contains("1m ago") && shown.contains("5s ago"),
        "{shown}"
    );
    assert!(shown.contains("…"), "{shown}");
    insta::assert_snapshot!("messages_small", backend);
}

#[test]
fn help_on_a_small_terminal_is_one_scrollable_column() {
    let mut state = loaded(false);
    update(&mut state, Action::Resize(80, 24));
    keys(&mut state, "?G");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let backend = terminal.backend().clone();
    let shown = text(&backend);
    // Scrolled to the end: the deploy keys and the filter examples, whole.
    assert!(shown.contains("@team=search disk"), "{shown}");
    assert!(
        shown.contains("bump all out of sync and moved channels"),
        "{shown}"
    );
    assert!(shown.contains("j/k scroll"), "{shown}");
    insta::assert_snapshot!("help_small_scrolled", backend);
}

#[test]
fn filter_being_typed() {
    let mut state = loaded(false);
    keys(&mut state, "/level=critical");
    assert!(state.alerts.filter.editing);
    assert_eq!(state.alerts.filter.error, None);
    let backend = screen(&state);
    assert!(row(&backend, HEIGHT - 1).starts_with("/level=critical█"));
    insta::assert_snapshot!("filter_typing", backend);
}

#[test]
fn filter_with_an_error() {
    let mut state = loaded(false);
    keys(&mut state, "/level=critical owner=~\"(");
    assert!(state.alerts.filter.error.is_some());
    insta::assert_snapshot!("filter_error", screen(&state));
}

#[test]
fn header_with_a_failing_source() {
    let mut state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("prom".into(), SourceKind::Prometheus),
        ],
        false,
        now(),
    );
    update(&mut state, prod_ok(now() - mins(2)));
    update(&mut state, prom_ok(now() - TimeDelta::seconds(5)));
    update(
        &mut state,
        Action::Source(SourceEvent::Alertmanager {
            name: "prod".into(),
            result: Err(ClientError {
                source: "prod".into(),
                message: "connection refused".into(),
                status: None,
            }),
            at: now(),
        }),
    );
    // The data is kept.
    assert_eq!(state.alerts.all.len(), 13);
    let backend = screen(&state);
    let header = row(&backend, 0);
    assert!(
        header.contains("prod ✗ connection refused (data 2m old)"),
        "{header}"
    );
    insta::assert_snapshot!("source_failing", backend);

    // Narrow, with many sources: the failing one keeps its name and
    // reason; the healthy ones are counted.
    let mut state = state;
    for name in ["am-eu", "am-us", "am-ap"] {
        let mut s = opsdeck::app::state::SourceStatus::new(name, SourceKind::Alertmanager);
        s.last_ok = Some(now());
        state.sources.push(s);
    }
    let mut terminal = Terminal::new(TestBackend::new(90, 24)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let header = row(terminal.backend(), 0);
    assert!(
        header.ends_with("prod ✗ connection refused (data 2m old)  4 sources ✓"),
        "{header}"
    );
}

#[test]
fn demo_badge() {
    let state = loaded(true);
    let backend = screen(&state);
    assert!(row(&backend, 0).starts_with(" opsdeck   DEMO "));
    insta::assert_snapshot!("demo_badge", backend);
}

#[test]
fn demo_badge_names_the_demos_audit_log_when_it_fits() {
    let mut state = loaded(true);
    state.demo_audit_log = Some("/tmp/opsdeck-demo-7-0/audit.jsonl".into());
    let mut terminal = Terminal::new(TestBackend::new(200, HEIGHT)).expect("test terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let wide = row(terminal.backend(), 0);
    assert!(
        wide.starts_with(
            " opsdeck   DEMO  simulated data · audit log /tmp/opsdeck-demo-7-0/audit.jsonl  0 Overview  1 Alerts"
        ),
        "{wide}"
    );
    // Too narrow for it: the note loses the path before the tabs lose names.
    let narrow = row(&screen(&state), 0);
    assert!(
        narrow.starts_with(" opsdeck   DEMO  simulated data  0 Overview  1 Alerts"),
        "{narrow}"
    );
}

#[test]
fn waiting_for_sources() {
    let state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("prom".into(), SourceKind::Prometheus),
        ],
        false,
        now(),
    );
    insta::assert_snapshot!("waiting", screen(&state));
}

#[test]
fn release_view_placeholder() {
    let mut state = loaded(false);
    keys(&mut state, "2");
    let backend = screen(&state);
    assert!(text(&backend).contains("Release checklist: not configured"));
    insta::assert_snapshot!("release_view", backend);
}

// ---------------------------------------------------------------------------
// The release view.

fn release_state() -> State {
    use opsdeck::app::ReleaseEvent;
    use opsdeck::app::panes::release::state::ReleaseState;
    use opsdeck::demo::github::{DEMO_ISSUE, DEMO_REPO, DEMO_TRACKING_BODY};
    use opsdeck::release::backend::ReleaseDoc;
    use opsdeck::release::tasklist::Checklist;

    let cfg = opsdeck::config::Config::parse(
        "[release]\nrepo = \"sourcegraph/sourcegraph\"\nissue = 16108\nlog_dir = \"/var/log/opsdeck-runs\"\n\
         [[release.step]]\nmatch = \"release candidate\"\nrun = [\"yarn\", \"release\", \"release:create-candidate\", \"{rc}\"]\ncwd = \"/src/sourcegraph\"\n\
         [release.allow]\ninline = [\"yarn release release:status\", \"yarn release changelog:\"]\n",
        std::path::Path::new("snap.toml"),
    )
    .expect("config");
    let mut state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("github".into(), SourceKind::Github),
        ],
        false,
        now(),
    );
    state.release = ReleaseState::from_config(&cfg);
    // The release captain's PATH has yarn and git (whatever this machine has).
    state.release.rules = state.release.rules.clone().with_path(["yarn", "git"]);
    update(&mut state, prod_ok(now() - TimeDelta::seconds(5)));
    update(&mut state, Action::Resize(WIDTH, HEIGHT));
    let doc = ReleaseDoc {
        repo: DEMO_REPO.into(),
        number: Some(DEMO_ISSUE),
        title: "3.23 release tracking issue".into(),
        milestone: Some("3.23".into()),
        assignee: Some("alice".into()),
        blockers: Some(2),
        blocker_issues: None,
        blocker_query: None,
        warnings: Vec::new(),
        links: Default::default(),
        read_back: false,
        url: Some(format!(
            "https://github.example/{DEMO_REPO}/issues/{DEMO_ISSUE}"
        )),
        body: DEMO_TRACKING_BODY.into(),
        checklist: Checklist::parse(DEMO_TRACKING_BODY),
    };
    update(
        &mut state,
        Action::Release(Box::new(ReleaseEvent::Loaded {
            result: Ok(doc),
            at: now() - TimeDelta::seconds(3),
        })),
    );
    keys(&mut state, "2");
    state
}

fn cursor_to(state: &mut State, text: &str) {
    let target = state
        .release
        .doc
        .as_ref()
        .and_then(|d| {
            d.checklist
                .steps
                .iter()
                .position(|s| s.text.starts_with(text))
        })
        .expect("step");
    keys(state, "g");
    for _ in 0..target {
        keys(state, "j");
    }
    assert_eq!(state.release.cursor, target);
}

#[test]
fn release_checklist() {
    let state = release_state();
    let backend = screen(&state);
    let t = text(&backend);
    assert!(t.contains("#16108 3.23 release tracking issue"), "{t}");
    assert!(
        t.contains("captain @alice") && t.contains("2 blockers"),
        "{t}"
    );
    insta::assert_snapshot!("release_checklist", backend);
}

#[test]
fn release_placeholder_prompt_and_confirmation() {
    let mut state = release_state();
    cursor_to(&mut state, "Create the first release candidate");
    assert_eq!(key(&mut state, KeyCode::Enter), Vec::new());
    insta::assert_snapshot!("release_prompt", screen(&state));
    keys(&mut state, "2");
    assert_eq!(key(&mut state, KeyCode::Enter), Vec::new());
    let backend = screen(&state);
    assert!(text(&backend).contains("$ yarn release release:create-candidate 2"));
    insta::assert_snapshot!("release_confirm", backend);
}

/// Starts the release candidate step's command (rc 2, confirmed); returns
/// the state and what `y` asked for.
fn start_candidate_run() -> (State, Vec<Effect>) {
    let mut state = release_state();
    cursor_to(&mut state, "Create the first release candidate");
    key(&mut state, KeyCode::Enter);
    keys(&mut state, "2");
    key(&mut state, KeyCode::Enter);
    let effects = key(&mut state, KeyCode::Char('y'));
    (state, effects)
}

#[test]
fn release_command_output() {
    use opsdeck::app::ReleaseEvent;
    use opsdeck::release::runner::{RunEvent, Stream};
    let (mut state, effects) = start_candidate_run();
    let Some(Effect::Run { run, .. }) = effects.first() else {
        panic!("expected a run, got {effects:?}");
    };
    let run = *run;
    for (stream, line) in [
        (Stream::Stdout, "Creating release candidate 2 for 3.23.0"),
        (Stream::Stdout, "Tagging v3.23.0-rc.2 at 9f8e7d6"),
        (
            Stream::Stderr,
            "warning: CHANGELOG.md has uncommitted changes",
        ),
    ] {
        update(
            &mut state,
            Action::Release(Box::new(ReleaseEvent::Run {
                run,
                event: RunEvent::Output {
                    stream,
                    line: line.into(),
                },
            })),
        );
    }
    let backend = screen(&state);
    assert!(
        text(&backend).contains("running 0s · ctrl-c stops"),
        "{}",
        text(&backend)
    );
    insta::assert_snapshot!("release_running", backend);
    let effects = update(
        &mut state,
        Action::Release(Box::new(ReleaseEvent::Run {
            run,
            event: RunEvent::Exited {
                code: Some(1),
                signal: None,
            },
        })),
    );
    assert!(effects.is_empty(), "a failed command ticks nothing");
    let backend = screen(&state);
    assert!(text(&backend).contains("command exited with code 1; step not ticked"));
    insta::assert_snapshot!("release_failed", backend);
}

#[test]
fn quitting_while_a_command_runs_asks_first_and_stops_it() {
    let (mut state, effects) = start_candidate_run();
    assert!(
        matches!(effects.first(), Some(Effect::Run { .. })),
        "{effects:?}"
    );
    // q asks (default No) …
    assert_eq!(key(&mut state, KeyCode::Char('q')), Vec::new());
    assert!(!state.quit);
    let shown = text(&screen(&state));
    assert!(
        shown.contains("A command is still running (yarn release release:create-candidate 2). Stop it and quit?"),
        "{shown}"
    );
    assert!(shown.contains("SIGTERM, then SIGKILL"), "{shown}");
    assert_eq!(key(&mut state, KeyCode::Char('n')), Vec::new());
    assert!(!state.quit);
    // … so does :quit; y stops the command, then quits.
    keys(&mut state, ":quit");
    assert_eq!(key(&mut state, KeyCode::Enter), Vec::new());
    assert_eq!(
        key(&mut state, KeyCode::Char('y')),
        vec![Effect::StopRun, Effect::Quit]
    );
    assert!(state.quit);
}

#[test]
fn release_refuses_a_disallowed_inline_command() {
    let mut state = release_state();
    cursor_to(&mut state, "Publish the release");
    assert_eq!(key(&mut state, KeyCode::Enter), Vec::new());
    assert!(state.overlays.is_empty());
    let backend = screen(&state);
    assert!(text(&backend).contains("not run: the issue proposes `yarn release release:publish`"));
}

// ---------------------------------------------------------------------------
// The deploy view.

const DEPLOY_FILES: &[(&str, &str)] = &[
    (
        "base/frontend/frontend.Deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: frontend\nspec:\n  template:\n    spec:\n      containers:\n        - name: frontend\n          image: index.docker.io/sourcegraph/frontend:3.22.0@sha256:1111111111111111111111111111111111111111111111111111111111111111 # pinned\n",
    ),
    (
        "base/gitserver/gitserver.StatefulSet.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: gitserver\nspec:\n  template:\n    spec:\n      containers:\n        - name: gitserver\n          image: \"index.docker.io/sourcegraph/gitserver:3.23.0@sha256:2222222222222222222222222222222222222222222222222222222222222222\"\n",
    ),
    (
        "base/server/server.Deployment.yaml",
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n          image: index.docker.io/sourcegraph/server:insiders@sha256:3333333333333333333333333333333333333333333333333333333333333333\n",
    ),
    (
        "base/symbols/symbols.Deployment.yaml",
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: symbols\n          image: quay.example/sourcegraph/symbols:3.23.0\n",
    ),
    (
        "base/searcher/searcher.Deployment.yaml",
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: searcher\n          image: index.docker.io/sourcegraph/searcher:3.23.0@sha256:6666666666666666666666666666666666666666666666666666666666666666\n",
    ),
    (
        "base/tracing/jaeger.Deployment.yaml",
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: jaeger\n          image: \"{{ .Values.jaeger.image }}\"\n",
    ),
];

fn deploy_state() -> State {
    use opsdeck::app::DeployEvent;
    use opsdeck::deploy::policy::{Policy, Rule};
    use opsdeck::deploy::registry::RegistryError;
    use opsdeck::deploy::service::{DeploySnapshot, scan_texts};
    use opsdeck::deploy::sync::{InstanceVersion, Published, evaluate};
    use std::collections::HashMap;

    let files: Vec<(String, String)> = DEPLOY_FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let scanned = scan_texts(&files);
    let rules = vec![
        Rule::new(
            "sourcegraph/server",
            Policy::Channel {
                tag: "insiders".into(),
            },
        )
        .expect("rule"),
        Rule::new(
            "sourcegraph/*",
            Policy::Semver {
                range: None,
                prerelease: false,
            },
        )
        .expect("rule"),
    ];
    let mut lookups = HashMap::new();
    let d = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    lookups.insert(
        "docker.io/sourcegraph/frontend".to_string(),
        Ok(Published {
            tag: "3.23.1".into(),
            digest: Some(d('4')),
        }),
    );
    lookups.insert(
        "docker.io/sourcegraph/gitserver".to_string(),
        Ok(Published {
            tag: "3.23.0".into(),
            digest: Some(d('2')),
        }),
    );
    lookups.insert(
        "docker.io/sourcegraph/server".to_string(),
        Ok(Published {
            tag: "insiders".into(),
            digest: Some(d('5')),
        }),
    );
    // searcher's 3.23.0 was re-pushed: drift.
    lookups.insert(
        "docker.io/sourcegraph/searcher".to_string(),
        Ok(Published {
            tag: "3.23.0".into(),
            digest: Some(d('7')),
        }),
    );
    lookups.insert(
        "quay.example/sourcegraph/symbols".to_string(),
        Err(RegistryError::new("registry quay.example: connection refused").into()),
    );
    let instances = vec![
        InstanceVersion {
            name: "dogfood".into(),
            images: vec!["sourcegraph/frontend".into()],
            version: Ok("3.22.0".into()),
        },
        InstanceVersion {
            name: "k8s".into(),
            images: vec!["sourcegraph/frontend".into()],
            version: Ok("3.21.2".into()),
        },
    ];
    let snapshot = DeploySnapshot {
        images: evaluate(&scanned.pins, &lookups, &rules, &instances),
        untracked: scanned.untracked,
        errors: scanned.errors,
        files: scanned.files,
        branch: "master".into(),
        at: now() - TimeDelta::seconds(4),
    };
    let mut state = State::new(
        settings(),
        vec![
            ("prod".into(), SourceKind::Alertmanager),
            ("deploy".into(), SourceKind::Deploy),
        ],
        false,
        now(),
    );
    state.deploy.configured = true;
    update(&mut state, prod_ok(now() - TimeDelta::seconds(5)));
    update(&mut state, Action::Resize(WIDTH, HEIGHT));
    update(
        &mut state,
        Action::Deploy(DeployEvent::Loaded {
            result: Ok(snapshot),
            at: now() - TimeDelta::seconds(4),
        }),
    );
    keys(&mut state, "3");
    state
}

#[test]
fn deploy_search_moves_to_the_match_and_counts() {
    let mut state = deploy_state();
    assert_eq!(state.deploy.cursor, 0);
    keys(&mut state, "/");
    for c in "jaeger".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    let t = text(&screen(&state));
    assert!(t.contains("/jaeger█  1 match"), "{t}");
    // The untracked value's row, after the images.
    let images = state.deploy.snapshot.as_ref().map_or(0, |s| s.images.len());
    assert_eq!(state.deploy.cursor, images);
    key(&mut state, KeyCode::Enter);
    assert!(state.overlays.is_empty());
    keys(&mut state, "/");
    for c in "nothing-like-this".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    assert!(text(&screen(&state)).contains("no match"));
}

#[test]
fn deploy_view_and_detail() {
    let mut state = deploy_state();
    let backend = screen(&state);
    let t = text(&backend);
    assert!(
        t.contains(
            "1 out of sync · 1 channel moved · 1 drift · 1 unknown · 1 synced · 1 untracked"
        ),
        "{t}"
    );
    // Cut with "…" in the list; whole in the detail.
    assert!(
        t.contains("│untracked     {{ .Values.jaeger.image }} —"),
        "{t}"
    );
    assert!(t.contains("templated: {{ .Values…│"), "{t}");
    assert!(t.contains("3.22.0 → 3.23.1"), "{t}");
    insta::assert_snapshot!("deploy_view", backend);
    key(&mut state, KeyCode::Enter);
    let backend = screen(&state);
    assert!(
        text(&backend).contains("base/frontend/frontend.Deployment.yaml:10:18"),
        "{}",
        text(&backend)
    );
    insta::assert_snapshot!("deploy_detail", backend);
    keys(&mut state, "G");
    let t = text(&screen(&state));
    for line in [
        "untracked: {{ .Values.jaeger.image }}",
        "  templated: {{ .Values.jaeger.image }}",
        "  base/tracing/jaeger.Deployment.yaml:7:19  (Deployment jaeger)",
        "  not compared with a registry, never bumped",
    ] {
        assert!(t.contains(line), "{line:?} in {t}");
    }
}

/// B takes the out-of-sync image and the moved channel, leaves the drifted
/// pin out and says so in the confirmation; b on the drifted pin asks in its
/// own words.
#[test]
fn deploy_bump_all_leaves_drift_out_and_says_so() {
    use opsdeck::app::DeployEvent;
    use opsdeck::deploy::service::plan_bumps;
    let mut state = deploy_state();
    let files: Vec<(String, String)> = DEPLOY_FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let effects = key(&mut state, KeyCode::Char('B'));
    let Some(Effect::PlanBump { keys: all }) = effects.first() else {
        panic!("expected a plan request, got {effects:?}");
    };
    assert_eq!(
        all,
        &[
            "docker.io/sourcegraph/frontend".to_string(),
            "docker.io/sourcegraph/server".to_string()
        ]
    );
    let snapshot = state.deploy.snapshot.clone().expect("snapshot");
    let plan =
        plan_bumps(&files, &snapshot, all, opsdeck::config::BumpMode::Grouped).expect("plan");
    update(
        &mut state,
        Action::Deploy(DeployEvent::Planned { result: Ok(plan) }),
    );
    let Some(opsdeck::app::state::Overlay::Confirm(c)) = state.overlays.last() else {
        panic!("expected the confirmation");
    };
    assert_eq!(c.question, "Bump 2 images?");
    assert_eq!(
        &c.details[..2],
        [
            "  bump sourcegraph/frontend 3.22.0 → 3.23.1",
            "  move sourcegraph/server insiders to the digest the channel serves now: sha256:3333333… → sha256:5555555…",
        ]
    );
    let n = c.details.len();
    assert_eq!(
        c.details[n - 2],
        "1 drifted pin left out (sourcegraph/searcher); bump each with b"
    );
    key(&mut state, KeyCode::Char('n'));
    // The drifted pin, alone.
    keys(&mut state, "jj");
    let effects = key(&mut state, KeyCode::Char('b'));
    let Some(Effect::PlanBump { keys: one }) = effects.first() else {
        panic!("expected a plan request, got {effects:?}");
    };
    assert_eq!(one, &["docker.io/sourcegraph/searcher".to_string()]);
    let plan =
        plan_bumps(&files, &snapshot, one, opsdeck::config::BumpMode::Grouped).expect("plan");
    update(
        &mut state,
        Action::Deploy(DeployEvent::Planned { result: Ok(plan) }),
    );
    let Some(opsdeck::app::state::Overlay::Confirm(c)) = state.overlays.last() else {
        panic!("expected the confirmation");
    };
    assert_eq!(
        c.question,
        "Re-pin sourcegraph/searcher 3.23.0 to the digest the registry serves now: sha256:6666666… → sha256:7777777…?"
    );
    assert!(!c.details.iter().any(|l| l.contains("left out")));
}

#[test]
fn deploy_bump_shows_the_exact_diff() {
    use opsdeck::app::DeployEvent;
    use opsdeck::deploy::service::plan_bumps;
    let mut state = deploy_state();
    let effects = update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE)),
    );
    let Some(Effect::PlanBump { keys }) = effects.first() else {
        panic!("expected a plan request, got {effects:?}");
    };
    let files: Vec<(String, String)> = DEPLOY_FILES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let plan = plan_bumps(
        &files,
        state.deploy.snapshot.as_ref().expect("snapshot"),
        keys,
        opsdeck::config::BumpMode::Grouped,
    )
    .expect("plan");
    update(
        &mut state,
        Action::Deploy(DeployEvent::Planned { result: Ok(plan) }),
    );
    let backend = screen(&state);
    assert!(
        text(&backend).contains("Bump sourcegraph/frontend 3.22.0 → 3.23.1?"),
        "{}",
        text(&backend)
    );
    insta::assert_snapshot!("deploy_bump_confirm", backend);

    // On a small terminal the diff scrolls with j/k; j is not an answer.
    update(&mut state, Action::Resize(80, 14));
    let small = |state: &State| {
        let mut terminal = Terminal::new(TestBackend::new(80, 14)).expect("terminal");
        terminal
            .draw(|f| opsdeck::ui::render(state, f))
            .expect("draw");
        text(terminal.backend())
    };
    let top = small(&state);
    assert!(top.contains("more lines (j scrolls down)"), "{top}");
    assert!(!top.contains("more lines (k scrolls up)"), "{top}");
    for _ in 0..40 {
        assert_eq!(key(&mut state, KeyCode::Char('j')), Vec::new());
    }
    let end = small(&state);
    assert!(
        end.contains("(end)") && end.contains("more lines (k scrolls up)"),
        "{end}"
    );
    assert!(
        end.contains("then: commit on opsdeck/bump-frontend-3.23.1, push"),
        "{end}"
    );
    assert!(matches!(
        state.overlays.last(),
        Some(opsdeck::app::state::Overlay::Confirm(_))
    ));
    key(&mut state, KeyCode::Char('k'));
    assert!(small(&state).contains("more lines (j scrolls down)"));
    // Any other key still answers no.
    assert_eq!(key(&mut state, KeyCode::Char('x')), Vec::new());
    assert!(state.overlays.is_empty());
    assert_eq!(state.confirm_scroll, 0);
}

// ---------------------------------------------------------------------------
// The console: overview, palette, read-only.

#[test]
fn overview_side_by_side_and_stacked() {
    use opsdeck::app::ReleaseEvent;
    let release = release_state();
    let mut state = deploy_state();
    state.release = release.release.clone();
    let doc = release.release.doc.clone().expect("doc");
    update(
        &mut state,
        Action::Release(Box::new(ReleaseEvent::Loaded {
            result: Ok(doc),
            at: now(),
        })),
    );
    keys(&mut state, "0");
    let backend = screen(&state);
    let t = text(&backend);
    assert!(
        t.contains("Alerts by team") && t.contains("Release") && t.contains("Deploy sync"),
        "{t}"
    );
    assert!(t.contains("[ ] Check the release state"), "{t}");
    assert!(t.contains("more firing") || t.contains("teams"), "{t}");
    // The overview is the top: no breadcrumb, the hints whole.
    assert!(!t.contains(" › "), "no breadcrumb: {t}");
    assert!(t.contains("? help · q quit"), "{t}");
    insta::assert_snapshot!("overview_stacked", backend);
    let mut terminal = Terminal::new(TestBackend::new(180, 30)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    insta::assert_snapshot!("overview_wide", terminal.backend());
}

#[test]
fn overview_rows_open_in_their_views() {
    use opsdeck::app::ReleaseEvent;
    let release = release_state();
    let mut base = deploy_state();
    base.release = release.release.clone();
    let doc = release.release.doc.clone().expect("doc");
    update(
        &mut base,
        Action::Release(Box::new(ReleaseEvent::Loaded {
            result: Ok(doc),
            at: now(),
        })),
    );
    update(&mut base, Action::Resize(WIDTH, HEIGHT));
    keys(&mut base, "0");
    // The first row is the most severe alert: Enter shows it with its detail.
    let top = text(&screen(&base));
    let mut state = base.clone();
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.view, opsdeck::app::state::View::Alerts);
    assert!(state.alerts.detail);
    let name = selected_name(&state);
    assert!(
        !name.is_empty() && top.contains(&name[..name.len().min(20)]),
        "{name}: {top}"
    );
    // The last row is an image: Enter opens it in the deploy view.
    let mut state = base.clone();
    keys(&mut state, "G");
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.view, opsdeck::app::state::View::Deploy);
    assert!(state.deploy.detail);
    let key_of = state.deploy.selected_key().expect("an image").to_string();
    let repo = key_of.split_once('/').map_or(key_of.as_str(), |(_, r)| r);
    assert!(text(&screen(&state)).contains(repo), "{repo}");
    // Walking down from the top reaches a release step; Enter selects it.
    let mut state = base.clone();
    for _ in 0..40 {
        if state.view != opsdeck::app::state::View::Overview {
            break;
        }
        let before = state.overview.clone();
        keys(&mut state, "j");
        let here = text(&screen(&state));
        if before == state.overview {
            panic!("no step reached: {here}");
        }
        if matches!(
            state.overview.selected,
            Some(opsdeck::app::panes::overview::state::Item::Step(_))
        ) {
            key(&mut state, KeyCode::Enter);
        }
    }
    assert_eq!(state.view, opsdeck::app::state::View::Release);
    assert!(state.overlays.is_empty());
    let step = state.release.selected_id().expect("a step");
    let open = state
        .release
        .doc
        .as_ref()
        .expect("doc")
        .checklist
        .first_open();
    let first = open.map(|i| {
        state.release.doc.as_ref().expect("doc").checklist.steps[i]
            .id
            .clone()
    });
    assert_eq!(Some(step.to_string()), first);
}

#[test]
fn remapped_view_keys_show_in_the_tabs_and_the_overview_titles() {
    let config = opsdeck::config::Config::parse(
        "[keys.global]\nview_release = \"W\"\nview_overview = \"<disabled>\"\n",
        std::path::Path::new("keys.toml"),
    )
    .expect("config");
    let mut state = deploy_state();
    state.keymap = opsdeck::app::keymap::Keymap::with_overrides(&config.keys).expect("keymap");
    // The header's tabs: the new key, and no key for a disabled one.
    let header = row(&screen(&state), 0);
    assert!(header.contains(" W Release "), "{header}");
    assert!(!header.contains(" 2 Release "), "{header}");
    assert!(header.contains(" Overview  1 Alerts "), "{header}");
    // The overview's titles.
    state.view = opsdeck::app::state::View::Overview;
    let backend = screen(&state);
    let header = row(&backend, 0);
    assert!(
        header.contains(" Overview  1 Alerts  W Release "),
        "{header}"
    );
    let body: Vec<String> = (1..HEIGHT).map(|y| row(&backend, y)).collect();
    let body = body.join("\n");
    // Not configured here: one line at the bottom, titled with its key.
    assert!(body.contains(" W Release not configured"), "{body}");
    assert!(!body.contains(" 2 Release"), "{body}");
    assert!(body.contains(" 1 Alerts by team "), "{body}");
    // Narrow: inactive tabs shrink to the remapped key.
    let mut narrow = Terminal::new(TestBackend::new(60, 20)).expect("terminal");
    narrow
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let header = row(narrow.backend(), 0);
    assert!(header.contains(" Overview  1  W  3 "), "{header}");
}

#[test]
fn command_palette_with_completions() {
    let mut state = loaded(false);
    keys(&mut state, ":");
    let backend = screen(&state);
    // The views and the palette-only commands first, with their keys; the
    // rest is counted ("+N more") until typing narrows it.
    let shown = text(&backend);
    for name in ["overview", "alerts", "release", "deploy", "filter", "theme"] {
        assert!(
            shown.contains(&format!("  {name} ")),
            "{name} missing:\n{shown}"
        );
    }
    assert!(shown.contains("alerts view  (1)"), "{shown}");
    assert!(shown.contains(" more — type to narrow"), "{shown}");
    insta::assert_snapshot!("palette_empty", backend);
    keys(&mut state, "bump");
    let narrowed = text(&screen(&state));
    assert!(
        narrowed.contains("  bump-all") && narrowed.contains("(B)"),
        "{narrowed}"
    );
    for _ in 0..4 {
        key(&mut state, KeyCode::Backspace);
    }
    keys(&mut state, "th");
    let backend = screen(&state);
    assert!(text(&backend).contains(":th"));
    assert!(text(&backend).contains("theme"));
    insta::assert_snapshot!("palette_theme", backend);
}

#[test]
fn read_only_header_and_refusal() {
    let mut state = loaded(false);
    state.read_only = true;
    state.read_only_locked = true;
    keys(&mut state, "\t");
    key(&mut state, KeyCode::Tab);
    keys(&mut state, "a");
    let backend = screen(&state);
    let t = text(&backend);
    assert!(t.contains("READ-ONLY"), "{t}");
    assert!(t.contains("read-only: acknowledging is refused"), "{t}");
    insta::assert_snapshot!("read_only", backend);
}
