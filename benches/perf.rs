//! opsdeck's speed goals, measured (never asserted in tests): run with
//! `cargo bench --bench perf`; `scripts/bench` runs these plus the
//! end-to-end comparisons and writes BENCHMARKS.md.
//!
//! * render one alerts frame: 10,000 alerts, 300 teams, 250×80 — goal ≤ 1 ms
//! * ingest 10,000 alerts from two Alertmanagers (parse, de-duplicate, group,
//!   sort) — goal ≤ 30 ms
//! * scan 500 manifests holding 2,000 image references (and evaluate sync) —
//!   goal ≤ 100 ms
//! * parse and toggle a 500-step task list — goal ≤ 1 ms
//! * 100,000 alerts from ten Alertmanagers (3 HA pairs, 4 singles), 3,000
//!   teams: ingest — goal ≤ 150 ms; one frame — goal ≤ 1 ms (#17)

use std::collections::HashMap;

// The same allocator as the binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use opsdeck::alerts::client::parse_alertmanager_alerts;
use opsdeck::alerts::model::AlertmanagerSnapshot;
use opsdeck::alerts::source::SourceEvent;
use opsdeck::app::state::{AlertSettings, State};
use opsdeck::app::{Action, update};
use opsdeck::config::Config;
use opsdeck::deploy::policy::{Policy, Rule};
use opsdeck::deploy::service::scan_texts;
use opsdeck::deploy::sync::{Published, evaluate};
use opsdeck::release::tasklist::{Checklist, set_done};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

const LEVELS: [&str; 4] = ["critical", "warning", "warning", "info"];

/// Alertmanager's `/api/v2/alerts` body with `n` alerts over `teams` teams.
fn alerts_body(n: usize, teams: usize) -> Vec<u8> {
    alerts_body_from(0, n, teams)
}

/// The same for alerts `first..first + n` (disjoint sets for different
/// Alertmanagers).
fn alerts_body_from(first: usize, n: usize, teams: usize) -> Vec<u8> {
    let start = Utc
        .with_ymd_and_hms(2020, 11, 20, 10, 0, 0)
        .single()
        .expect("time");
    let alerts: Vec<serde_json::Value> = (first..first + n)
        .map(|i| {
            let labels = json!({
                "alertname": format!("{}_service{}_metric{}", LEVELS[i % 4], i % 97, i),
                "level": LEVELS[i % 4],
                "owner": format!("team-{}", i % teams),
                "service_name": format!("service{}", i % 97),
                "name": format!("metric{i}"),
                "description": format!("service{}: metric {i} is bad", i % 97),
            });
            let labels_map: opsdeck::alerts::model::Labels =
                serde_json::from_value(labels.clone()).expect("labels");
            json!({
                "annotations": {"description": format!("metric {i} is bad"), "summary": "s"},
                "endsAt": "2020-11-20T12:00:00.000Z",
                "fingerprint": opsdeck::alerts::model::fingerprint(&labels_map),
                "receivers": [{"name": "null"}],
                "startsAt": (start + chrono::TimeDelta::seconds(i as i64)).to_rfc3339(),
                "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
                "updatedAt": "2020-11-20T12:00:00.000Z",
                "generatorURL": "http://prometheus/graph",
                "labels": labels,
            })
        })
        .collect();
    serde_json::to_vec(&alerts).expect("json")
}

fn state_with(body: &[u8]) -> State {
    let config = Config::default();
    let mut state = State::new(
        AlertSettings::from_config(&config),
        vec![
            (
                "am-a".into(),
                opsdeck::alerts::model::SourceKind::Alertmanager,
            ),
            (
                "am-b".into(),
                opsdeck::alerts::model::SourceKind::Alertmanager,
            ),
        ],
        false,
        Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
            .single()
            .expect("time"),
    );
    if !body.is_empty() {
        ingest(&mut state, body);
    }
    state
}

/// The ingest path as the app runs it: each Alertmanager's answer is parsed
/// on its own source task (here: two threads, in parallel), then `update`
/// merges (de-duplicating by fingerprint), groups and sorts.
fn ingest(state: &mut State, body: &[u8]) {
    let peers = vec!["shared".to_string()];
    ingest_from(
        state,
        &[("am-a", body, peers.clone()), ("am-b", body, peers)],
    );
}

/// The same for any sources: (name, answer, peers), each parsed on its
/// own thread.
fn ingest_from(state: &mut State, sources: &[(&str, &[u8], Vec<String>)]) {
    let parsed: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .iter()
            .map(|(name, body, _)| {
                s.spawn(move || parse_alertmanager_alerts(body, name).expect("parse").0)
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parse thread"))
            .collect()
    });
    for ((name, _, peers), alerts) in sources.iter().zip(parsed) {
        update(
            state,
            Action::Source(SourceEvent::Alertmanager {
                name: (*name).into(),
                result: Ok(AlertmanagerSnapshot {
                    alerts,
                    silences: Vec::new(),
                    peers: peers.clone(),
                    skipped: Vec::new(),
                }),
                at: Utc::now(),
            }),
        );
    }
}

/// Benchmarks one frame at 250×80: a busy team's alert list focused, with
/// the detail pane open.
fn bench_frame(c: &mut Criterion, name: &str, state: &mut State) {
    update(state, Action::Resize(250, 80));
    update(
        state,
        Action::Command(opsdeck::app::keymap::Command::FocusNext),
    );
    update(state, Action::Command(opsdeck::app::keymap::Command::Open));
    let mut terminal = Terminal::new(TestBackend::new(250, 80)).expect("terminal");
    c.bench_function(name, |b| {
        b.iter(|| {
            terminal
                .draw(|f| opsdeck::ui::render(black_box(&*state), f))
                .expect("draw");
        });
    });
}

fn bench_alerts(c: &mut Criterion) {
    let body = alerts_body(10_000, 300);
    let mut state = state_with(&body);
    assert_eq!(state.alerts.all.len(), 10_000);
    assert_eq!(state.alerts.groups.len(), 300);
    bench_frame(
        c,
        "render alerts frame (10k alerts, 300 teams, 250x80)",
        &mut state,
    );
    c.bench_function("ingest: parse 10k alerts (one Alertmanager)", |b| {
        b.iter(|| {
            parse_alertmanager_alerts(black_box(&body), "am-a")
                .expect("parse")
                .0
        });
    });
    c.bench_function(
        "ingest: parse two Alertmanagers' answers in parallel",
        |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    let h = s.spawn(|| {
                        parse_alertmanager_alerts(black_box(&body), "am-b")
                            .expect("parse")
                            .0
                    });
                    let a = parse_alertmanager_alerts(black_box(&body), "am-a")
                        .expect("parse")
                        .0;
                    (a, h.join().expect("join"))
                })
            });
        },
    );
    let parsed = parse_alertmanager_alerts(&body, "am-a").expect("parse").0;
    let routing = opsdeck::alerts::grouping::Routing::default();
    c.bench_function("ingest: merge two copies of 10k alerts", |b| {
        b.iter(|| opsdeck::alerts::grouping::merge([&parsed[..], &parsed[..]], [], &routing));
    });
    let merged = opsdeck::alerts::grouping::merge([&parsed[..]], [], &routing);
    let filter = opsdeck::alerts::matcher::Filter::default();
    c.bench_function("ingest: group and sort 10k alerts", |b| {
        b.iter(|| opsdeck::alerts::grouping::group(black_box(&merged), &filter, false));
    });
    c.bench_function("ingest 10k alerts from two Alertmanagers", |b| {
        // Freeing the previous run's state is not part of an ingest.
        b.iter_with_large_drop(|| {
            let mut fresh = state_with(&[]);
            ingest(&mut fresh, black_box(&body));
            assert_eq!(fresh.alerts.all.len(), 10_000);
            fresh
        });
    });
}

fn bench_deploy(c: &mut Criterion) {
    let d = |i: usize| format!("sha256:{:064x}", i);
    let files: Vec<(String, String)> = (0..500)
        .map(|f| {
            let mut text = format!("# manifest {f}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc{f}\nspec:\n  template:\n    spec:\n      initContainers:\n");
            for k in 0..2 {
                text.push_str(&format!(
                    "        - name: init{k}\n          image: \"index.docker.io/sourcegraph/img{}:3.22.{k}@{}\"\n",
                    (f * 4 + k) % 150,
                    d(f * 4 + k)
                ));
            }
            text.push_str("      containers:\n");
            for k in 2..4 {
                text.push_str(&format!(
                    "        - name: c{k}\n          image: index.docker.io/sourcegraph/img{}:3.22.{k}@{} # pinned\n",
                    (f * 4 + k) % 150,
                    d(f * 4 + k)
                ));
            }
            (format!("base/svc{f}/svc{f}.Deployment.yaml"), text)
        })
        .collect();
    let rules = vec![
        Rule::new(
            "sourcegraph/*",
            Policy::Semver {
                range: None,
                prerelease: false,
            },
        )
        .expect("rule"),
    ];
    let lookups: HashMap<String, opsdeck::deploy::sync::Lookup> = (0..150)
        .map(|i| {
            (
                format!("docker.io/sourcegraph/img{i}"),
                Ok(Published {
                    tag: "3.23.0".into(),
                    digest: Some(d(i)),
                }),
            )
        })
        .collect();
    let scanned = scan_texts(&files);
    assert_eq!((scanned.pins.len(), scanned.errors.len()), (2000, 0));
    c.bench_function("deploy scan 500 manifests / 2000 pins + sync", |b| {
        b.iter(|| {
            let scanned = scan_texts(black_box(&files));
            black_box(evaluate(&scanned.pins, &lookups, &rules, &[]))
        });
    });
}

fn bench_tasklist(c: &mut Criterion) {
    let mut body = String::from("Tracking the release.\n\n");
    for s in 0..10 {
        body.push_str(&format!("## Section {s}\n\n"));
        for i in 0..50 {
            body.push_str(&format!(
                "- [{}] Step {i} of section {s}: `yarn release step:{s}-{i}`\n",
                if i % 3 == 0 { "x" } else { " " }
            ));
        }
        body.push('\n');
    }
    let cl = Checklist::parse(&body);
    assert_eq!(cl.steps.len(), 500);
    let id = cl.steps[499].id.clone();
    c.bench_function("task list: parse and toggle a 500-step issue", |b| {
        b.iter(|| {
            let cl = Checklist::parse(black_box(&body));
            black_box(cl.progress());
            black_box(set_done(&body, &id, true).expect("toggle"))
        });
    });
}

/// Issue #17's organisation: 100,000 alerts from ten Alertmanagers — three
/// HA pairs (each member answers the same alerts) and four singles — over
/// 3,000 teams. Ingest as the app runs it (each answer parsed on its own
/// task, then merged, de-duplicated, grouped and sorted), and one frame.
fn bench_scale(c: &mut Criterion) {
    const TOTAL: usize = 100_000;
    const TEAMS: usize = 3_000;
    // Seven distinct sets: a pair's members share theirs.
    let per = TOTAL / 7;
    let sets: Vec<Vec<u8>> = (0..7)
        .map(|k| alerts_body_from(k * per, if k == 6 { TOTAL - 6 * per } else { per }, TEAMS))
        .collect();
    let sources: Vec<(String, usize)> = (0..10)
        .map(|i| {
            let set = if i < 6 { i / 2 } else { i - 3 };
            (format!("am-{i}"), set)
        })
        .collect();
    let answers: Vec<(&str, &[u8], Vec<String>)> = sources
        .iter()
        .enumerate()
        .map(|(i, (name, set))| {
            // Pair members see each other as peers; singles see none.
            let peers = if i < 6 {
                vec![format!("pair-{}", i / 2)]
            } else {
                Vec::new()
            };
            (name.as_str(), sets[*set].as_slice(), peers)
        })
        .collect();
    let ingest_all = |state: &mut State| ingest_from(state, &answers);
    let fresh = || {
        State::new(
            AlertSettings::from_config(&Config::default()),
            sources
                .iter()
                .map(|(n, _)| (n.clone(), opsdeck::alerts::model::SourceKind::Alertmanager))
                .collect(),
            false,
            Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
                .single()
                .expect("time"),
        )
    };
    let mut state = fresh();
    ingest_all(&mut state);
    assert_eq!(state.alerts.all.len(), TOTAL, "pairs de-duplicated");
    assert_eq!(state.alerts.groups.len(), TEAMS);
    c.bench_function(
        "scale: ingest 100k alerts from 10 Alertmanagers (3 HA pairs)",
        |b| {
            b.iter_batched(
                fresh,
                |mut s| ingest_all(&mut s),
                criterion::BatchSize::LargeInput,
            )
        },
    );
    bench_frame(
        c,
        "scale: render alerts frame (100k alerts, 3000 teams, 250x80)",
        &mut state,
    );
}

criterion_group!(
    benches,
    bench_alerts,
    bench_deploy,
    bench_tasklist,
    bench_scale
);
criterion_main!(benches);
