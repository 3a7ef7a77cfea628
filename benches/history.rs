//! Alert history's goals (issue #16), measured (never asserted in tests):
//! run with `cargo bench --bench history`.
//!
//! * parse and match the `ALERTS` history of 10,000 alerts (24 h, 288
//!   points) — goal ≤ 50 ms, memory for it ≤ 30 MB;
//! * render the alerts frame with the history column, 250×80 — within the
//!   1 ms frame budget.
//!
//! Memory is counted by a global allocator that wraps mimalloc (the
//! binary's allocator) and keeps the bytes live and their peak; it is
//! printed before criterion's timings.

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use criterion::Criterion;
use opsdeck::alerts::client::parse_alertmanager_alerts;
use opsdeck::alerts::history::{FiringNow, History, at_unix};
use opsdeck::alerts::model::{Alert, AlertmanagerSnapshot};
use opsdeck::alerts::source::SourceEvent;
use opsdeck::app::keymap::Command;
use opsdeck::app::panes::alerts::history::HistoryView;
use opsdeck::app::state::{AlertSettings, State};
use opsdeck::app::{Action, update};
use opsdeck::config::Config;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// mimalloc, counting.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to mimalloc unchanged; the counters only
// observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let p = unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's pointer, layout and size.
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ALERTS: usize = 10_000;
const TEAMS: usize = 300;
/// Alerts share rule names as in real fleets: 200 rules, 50 instances each.
const RULES: usize = 200;
const POINTS: usize = 288;
const STEP: i64 = 300;
const LEVELS: [&str; 4] = ["critical", "warning", "warning", "info"];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 20, 12, 0, 0)
        .single()
        .expect("time")
}

fn labels(i: usize) -> serde_json::Value {
    json!({
        "alertname": format!("{}_rule{}", LEVELS[(i % RULES) % 4], i % RULES),
        "level": LEVELS[(i % RULES) % 4],
        "owner": format!("team-{}", i % TEAMS),
        "service_name": format!("service{}", i % 97),
        "instance": format!("10.0.{}.{}:6060", i / 250, i % 250),
        "job": "sourcegraph",
    })
}

/// Alertmanager's `/api/v2/alerts` with the 10,000 alerts firing now.
fn alerts_body() -> Vec<u8> {
    let alerts: Vec<serde_json::Value> = (0..ALERTS)
        .map(|i| {
            let mut l = labels(i);
            // Alertmanager's alerts carry Prometheus' external labels too.
            l["cluster"] = "prod".into();
            let labels_map: opsdeck::alerts::model::Labels =
                serde_json::from_value(l.clone()).expect("labels");
            json!({
                "annotations": {"description": format!("instance {i} is bad"), "summary": "s"},
                "endsAt": "2020-11-20T12:04:00.000Z",
                "fingerprint": opsdeck::alerts::model::fingerprint(&labels_map),
                "receivers": [{"name": "null"}],
                "startsAt": (now() - chrono::TimeDelta::seconds(60 + i as i64)).to_rfc3339(),
                "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
                "updatedAt": "2020-11-20T12:00:00.000Z",
                "generatorURL": "http://prometheus/graph",
                "labels": l,
            })
        })
        .collect();
    serde_json::to_vec(&alerts).expect("json")
}

/// Which points an alert's series fires at, by kind: a third started in
/// the last ~3 h, a third flaps every 2 h, a third fires the last 12 h; all
/// fire at the last point. `full` makes every series fire at every point
/// (the largest answer there can be).
fn fires(i: usize, k: usize, full: bool) -> bool {
    full || k == POINTS - 1
        || match i % 3 {
            0 => k >= POINTS - 40,
            1 => (k / 24) % 2 == 1,
            _ => k >= POINTS / 2,
        }
}

/// Prometheus' `query_range` answer on `ALERTS` for the alerts, written as
/// Prometheus writes it (no spaces, labels sorted, `metric` then
/// `values`): a firing series each, a pending one before each episode's
/// start for every tenth alert, plus 500 series that resolved within the
/// window.
fn history_body(full: bool) -> String {
    let start = now().timestamp() - STEP * (POINTS as i64 - 1);
    let series = |i: usize, state: &str, at: &dyn Fn(usize) -> bool| {
        let mut metric = labels(i);
        metric["__name__"] = "ALERTS".into();
        metric["alertstate"] = state.into();
        let values: Vec<String> = (0..POINTS)
            .filter(|k| at(*k))
            .map(|k| format!("[{},\"1\"]", start + STEP * k as i64))
            .collect();
        // serde_json's map is sorted by name, as Prometheus' labels are.
        format!(
            r#"{{"metric":{},"values":[{}]}}"#,
            serde_json::to_string(&metric).expect("json"),
            values.join(",")
        )
    };
    let mut result = Vec::new();
    for i in 0..ALERTS {
        result.push(series(i, "firing", &|k| fires(i, k, full)));
        if i % 10 == 0 {
            result.push(series(i, "pending", &|k| {
                k + 1 < POINTS && !fires(i, k, full) && fires(i, k + 1, full)
            }));
        }
    }
    for i in ALERTS..ALERTS + 500 {
        result.push(series(i, "firing", &|k| {
            (POINTS - 30..POINTS - 4).contains(&k)
        }));
    }
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
        result.join(",")
    )
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).expect("gzip");
    e.finish().expect("gzip")
}

fn parse(body: &str) -> History {
    let start = at_unix(now().timestamp() - STEP * (POINTS as i64 - 1));
    let (h, skipped) = History::from_matrix(body, start, Duration::from_secs(STEP as u64), POINTS)
        .expect("history");
    assert!(skipped.is_empty());
    h
}

fn parse_gzip(body: &[u8]) -> History {
    let start = at_unix(now().timestamp() - STEP * (POINTS as i64 - 1));
    let (h, skipped) = History::from_gzip(
        body,
        1 << 30,
        start,
        Duration::from_secs(STEP as u64),
        POINTS,
    )
    .expect("history");
    assert!(skipped.is_empty());
    h
}

/// The exact path (serde), which an answer not written as Prometheus
/// writes it takes.
fn parse_exact(body: &str) -> History {
    let start = at_unix(now().timestamp() - STEP * (POINTS as i64 - 1));
    let (h, skipped) = History::from_reader(
        body.as_bytes(),
        start,
        Duration::from_secs(STEP as u64),
        POINTS,
    )
    .expect("history");
    assert!(skipped.is_empty());
    h
}

/// The state the console holds: the alerts ingested, the history read and
/// what derives from it.
fn state_with(alerts: &[u8], history: History) -> State {
    let config = Config::default();
    let mut state = State::new(
        AlertSettings::from_config(&config),
        vec![(
            "am".into(),
            opsdeck::alerts::model::SourceKind::Alertmanager,
        )],
        false,
        now(),
    );
    let (alerts, _) = parse_alertmanager_alerts(alerts, "am").expect("alerts");
    update(
        &mut state,
        Action::Source(SourceEvent::Alertmanager {
            name: "am".into(),
            result: Ok(AlertmanagerSnapshot {
                alerts,
                silences: Vec::new(),
                peers: Vec::new(),
                skipped: Vec::new(),
            }),
            at: now(),
        }),
    );
    let routing = state.alerts.settings.routing.clone();
    state
        .alerts
        .history
        .read(Ok(history), Vec::new(), now(), &routing);
    state.recompute();
    state
}

/// Every alert's timeline found and summarized (as `alerts --history`
/// does; the console asks only for the rows on screen).
fn match_all(h: &HistoryView, all: &[Alert]) -> usize {
    all.iter().filter(|a| h.summary(a).is_some()).count()
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Live bytes now, and the peak since `from` live bytes, less `from`.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let from = LIVE.load(Ordering::Relaxed);
    PEAK.store(from, Ordering::Relaxed);
    let out = f();
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(from);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(from);
    (out, live, peak)
}

fn report_memory(body: &str, zipped: &[u8], full: &str, full_zipped: &[u8]) {
    println!(
        "history answer, 10,000 alerts x 288 points: {:.1} MB of JSON ({:.1} MB gzip); \
         every series firing throughout: {:.1} MB ({:.1} MB gzip)",
        mb(body.len()),
        mb(zipped.len()),
        mb(full.len()),
        mb(full_zipped.len())
    );
    for (what, text, z) in [("typical", body, zipped), ("all firing", full, full_zipped)] {
        let (h, kept, peak) = measure(|| parse(text));
        println!(
            "memory, {what}: parse from text: peak {:.1} MB, kept {:.1} MB ({} timelines)",
            mb(peak),
            mb(kept),
            h.timelines().len()
        );
        drop(h);
        let (h, kept, peak) = measure(|| parse_gzip(z));
        println!(
            "memory, {what}: parse streamed from gzip: peak {:.1} MB (the answer is never held whole), kept {:.1} MB",
            mb(peak),
            mb(kept)
        );
        drop(h);
    }
}

fn main() {
    let alerts = alerts_body();
    let body = history_body(false);
    let full = history_body(true);
    let zipped = gzip(&body);
    let full_zipped = gzip(&full);
    report_memory(&body, &zipped, &full, &full_zipped);

    assert_eq!(parse(&body), parse_exact(&body), "both paths read the same");
    assert_eq!(parse(&body), parse_gzip(&zipped));
    let mut state = state_with(&alerts, parse(&body));
    assert_eq!(state.alerts.all.len(), ALERTS);
    assert_eq!(
        match_all(&state.alerts.history, &state.alerts.all),
        ALERTS,
        "every alert finds its series"
    );
    assert_eq!(state.alerts.history.resolved.len(), 500);
    assert!(state.alerts.history.teams.len() >= TEAMS);
    let (_, derive_kept, derive_peak) = measure(|| {
        let routing = state.alerts.settings.routing.clone();
        let all = &state.alerts.all;
        state
            .alerts
            .history
            .derive(all, &routing, Duration::from_secs(3600));
    });
    println!(
        "memory: derive the recently resolved: peak {:.1} MB, kept {:.1} MB",
        mb(derive_peak),
        mb(derive_kept)
    );

    let mut c = Criterion::default().configure_from_args();
    c.bench_function(
        "history: parse 10k alerts' ALERTS series (288 points)",
        |b| b.iter(|| parse(black_box(&body))),
    );
    c.bench_function("history: parse the same, streamed from gzip", |b| {
        b.iter(|| parse_gzip(black_box(&zipped)))
    });
    c.bench_function("history: parse the same, exact path (serde)", |b| {
        b.iter(|| parse_exact(black_box(&body)))
    });
    c.bench_function("history: parse, every series firing throughout", |b| {
        b.iter(|| parse(black_box(&full)))
    });
    c.bench_function("history: match 10k alerts (find and summarize each)", |b| {
        b.iter(|| match_all(black_box(&state.alerts.history), &state.alerts.all))
    });
    let routing = state.alerts.settings.routing.clone();
    c.bench_function("history: team counts and recently resolved", |b| {
        b.iter(|| {
            let h = state.alerts.history.history.as_ref().expect("history");
            black_box(h.team_firing(&routing));
            let now = FiringNow::new(h, state.alerts.all.iter().map(|a| &*a.labels));
            black_box(h.resolved(Duration::from_secs(3600), |l| now.covers(l)))
        })
    });
    c.bench_function(
        "history: parse and match 10k alerts (read, derive, every alert matched)",
        |b| {
            b.iter(|| {
                let all = &state.alerts.all;
                let mut view = HistoryView::default();
                view.read(Ok(parse(black_box(&body))), Vec::new(), now(), &routing);
                view.derive(all, &routing, Duration::from_secs(3600));
                black_box(match_all(&view, all))
            })
        },
    );

    update(&mut state, Action::Resize(250, 80));
    update(&mut state, Action::Command(Command::FocusNext));
    update(&mut state, Action::Command(Command::Open));
    let mut terminal = Terminal::new(TestBackend::new(250, 80)).expect("terminal");
    terminal
        .draw(|f| opsdeck::ui::render(&state, f))
        .expect("draw");
    let screen: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains('▇'), "the history column is drawn");
    c.bench_function(
        "render alerts frame with history (10k alerts, 300 teams, 250x80)",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| opsdeck::ui::render(black_box(&state), f))
                    .expect("draw");
            });
        },
    );
    c.final_summary();
}
