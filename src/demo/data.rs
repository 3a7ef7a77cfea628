//! The demo alert catalogue, the Prometheus-compatible label-set fingerprint
//! and a tiny deterministic PRNG.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

/// A label (or annotation) set, sorted by name.
pub(crate) type Labels = BTreeMap<String, String>;

/// xorshift64* — small, deterministic and dependency-free.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let state = seed ^ 0x9E37_79B9_7F4A_7C15;
        Rng(if state == 0 {
            0x2545_F491_4F6C_DD1D
        } else {
            state
        })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n`; `n` must be non-zero.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A random (version 4 shaped) UUID string.
    pub(crate) fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

/// The fingerprint Alertmanager reports for a label set: Prometheus'
/// `model.LabelSet.Fingerprint`, i.e. FNV-1a 64 over the names in sorted
/// order, each as `name 0xff value 0xff`.
pub(crate) fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    let mut h = OFFSET;
    for (name, value) in labels {
        let bytes = name
            .bytes()
            .chain([0xff])
            .chain(value.bytes())
            .chain([0xff]);
        for b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("{h:016x}")
}

/// How a catalogue entry behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Firing for the whole session.
    Fire,
    /// Firing at start; churn may resolve and re-fire it.
    Flap,
    /// Resolved at start; churn may fire it.
    Idle,
    /// Pending in Prometheus only (never reaches Alertmanager).
    Pend,
}
use Kind::*;

/// One simulated alert.
#[derive(Debug, Clone)]
pub(crate) struct DemoAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub generator_url: String,
    pub fingerprint: String,
    /// When it started firing (or became pending).
    pub starts_at: DateTime<Utc>,
    /// Firing right now (always false for pending alerts).
    pub active: bool,
    /// Only visible in Prometheus, in state `pending`.
    pub pending: bool,
    /// Subject to churn.
    pub flappy: bool,
    /// Its last firing episode that ended (start, end): what the demo's
    /// Prometheus history shows besides the current one.
    pub last_episode: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Sourcegraph 2020 style: (level, service_name, name, description, owner or
/// "" for none, minutes since it fired, kind).
type SgSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Kind,
);
#[rustfmt::skip]
const SOURCEGRAPH: &[SgSpec] = &[
    ("warning", "frontend", "99th_percentile_search_request_duration", "20s+ 99th percentile search request duration", "search", 47, Fire),
    ("critical", "frontend", "90th_percentile_search_request_duration", "15s+ 90th percentile search request duration", "search", 12, Flap),
    ("warning", "frontend", "frontend_internal_api_error_responses", "5%+ frontend-internal API error responses every 5m by route", "core-application", 185, Fire),
    ("warning", "frontend", "mean_blocked_seconds_per_conn_request", "0.05s+ mean blocked seconds per connection request for 5m0s", "core-application", 9, Flap),
    ("critical", "frontend", "pods_available_percentage", "less than 90% percentage pods available for 10m0s", "cloud", 3, Idle),
    ("warning", "frontend", "container_memory_usage", "99%+ container memory usage by instance", "distribution", 2890, Fire),
    ("warning", "gitserver", "disk_space_remaining", "less than 25% disk space remaining by instance", "core-application", 4320, Fire),
    ("critical", "gitserver", "disk_space_remaining", "less than 15% disk space remaining by instance", "core-application", 610, Fire),
    ("warning", "gitserver", "running_git_commands", "50+ running git commands (signals load) for 2m0s", "core-application", 35, Fire),
    ("warning", "gitserver", "container_cpu_usage", "99%+ container cpu usage total (1m average) across all cores by instance", "distribution", 22, Flap),
    ("warning", "searcher", "unindexed_search_request_errors", "5%+ unindexed search request errors every 5m by code for 5m0s", "", 95, Fire),
    ("warning", "searcher", "container_memory_usage", "99%+ container memory usage by instance", "", 1440, Fire),
    ("warning", "zoekt-indexserver", "average_resolve_revision_duration", "15s+ average resolve revision duration over 5m", "", 260, Fire),
    ("critical", "zoekt-indexserver", "disk_space_remaining", "less than 10% disk space remaining by instance", "", 55, Flap),
    ("critical", "zoekt-webserver", "indexed_search_request_errors", "5%+ indexed search request errors every 5m by code for 5m0s", "", 18, Fire),
    ("warning", "zoekt-webserver", "container_memory_usage", "99%+ container memory usage by instance", "", 1, Idle),
    ("warning", "repo-updater", "syncer_sync_last_time", "32400s+ time since last sync for 5m0s", "core-application", 720, Fire),
    ("critical", "repo-updater", "github_core_rate_limit_remaining", "less than 500 remaining calls to GitHub before hitting the rate limit for 5m0s", "core-application", 41, Flap),
    ("warning", "precise-code-intel-worker", "upload_queue_growth_rate", "5+ upload queue growth rate every 5m for 30m0s", "code-intel", 130, Fire),
    ("warning", "precise-code-intel-worker", "processing_errors", "20+ upload processing errors every 5m for 5m0s", "code-intel", 8, Idle),
    ("critical", "precise-code-intel-worker", "frontend_internal_api_error_responses", "5%+ frontend-internal API error responses every 5m by route", "code-intel", 63, Fire),
    ("warning", "syntect-server", "syntax_highlighting_timeouts", "5%+ syntax highlighting timeouts every 5m for 5m0s", "", 340, Fire),
    ("critical", "query-runner", "pods_available_percentage", "less than 90% percentage pods available for 10m0s", "", 27, Fire),
    ("warning", "query-runner", "frontend_internal_api_error_responses", "5%+ frontend-internal API error responses every 5m by route", "search", 15, Flap),
    ("warning", "github-proxy", "github_proxy_waiting_requests", "100+ number of requests waiting on the global mutex for 5m0s", "core-application", 5, Fire),
    ("warning", "postgres", "connections", "less than 5 active connections for 5m0s", "distribution", 2100, Fire),
    ("warning", "postgres", "transaction_durations", "0.3s+ maximum transaction durations for 5m0s", "distribution", 16, Flap),
    ("critical", "redis-cache", "container_memory_usage", "99%+ container memory usage by instance", "distribution", 4, Fire),
    ("warning", "frontend", "hard_timeout_search_responses", "2%+ hard timeout search responses every 5m for 15m0s", "search", 6, Pend),
    ("warning", "gitserver", "repository_clone_queue_size", "25+ repository clone queue size", "core-application", 3, Pend),
    ("warning", "searcher", "replica_traffic", "5+ requests per second over 10m", "", 2, Pend),
];

/// The other label convention: (alertname, severity, team, namespace,
/// summary, expr, minutes since it fired, kind).
type OrgSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Kind,
);
#[rustfmt::skip]
const OTHER_ORG: &[OrgSpec] = &[
    ("KubePodCrashLooping", "critical", "platform", "payments", "Pod payments/api-7d9f is crash looping",
     "rate(kube_pod_container_status_restarts_total{namespace=\"payments\"}[10m]) > 0", 14, Fire),
    ("HighErrorRate", "error", "checkout", "checkout", "5xx ratio above 5% for checkout-api",
     "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05", 33, Flap),
    ("CertificateExpiringSoon", "info", "security", "ingress", "TLS certificate for shop.example.com expires in 12 days",
     "probe_ssl_earliest_cert_expiry - time() < 86400 * 14", 5000, Fire),
    ("NodeDiskPressure", "critical", "infra", "kube-system", "Node worker-3 reports DiskPressure",
     "kube_node_status_condition{condition=\"DiskPressure\",status=\"true\"} == 1", 7, Idle),
    ("QueueBacklogGrowing", "error", "data", "etl", "Consumer lag above 10k for etl-ingest",
     "sum(kafka_consumergroup_lag{group=\"etl-ingest\"}) > 10000", 88, Fire),
    ("PodMemoryHigh", "info", "platform", "search", "Pod memory above 90% of its limit",
     "container_memory_working_set_bytes / container_spec_memory_limit_bytes > 0.9", 4, Pend),
];

/// Label set from `(name, value)` pairs.
fn set<const N: usize>(pairs: [(&str, &str); N]) -> Labels {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn generator_url(expr: &str) -> String {
    let enc: String = expr
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("http://prometheus.demo:9090/graph?g0.expr={enc}&g0.tab=1")
}

/// The full catalogue relative to `t0` (the server start), sorted by
/// fingerprint like Alertmanager's API output.
pub(crate) fn catalog(t0: DateTime<Utc>) -> Vec<DemoAlert> {
    let sg = SOURCEGRAPH.iter().map(|&(level, service, name, desc, owner, min, kind)| {
        let description = format!("{service}: {desc}");
        let alertname = format!("{level}_{}_{name}", service.replace('-', "_"));
        let mut labels = set([
            ("alertname", alertname.as_str()),
            ("level", level),
            ("service_name", service),
            ("name", name),
            ("description", description.as_str()),
        ]);
        if !owner.is_empty() {
            labels.insert("owner".into(), owner.into());
        }
        let anchor = format!("{service}-{}", name.replace('_', "-"));
        let annotations = set([
            ("description", description.as_str()),
            ("summary", &format!("{level} alert: {description}")),
            ("solutions", &format!("https://docs.sourcegraph.com/admin/observability/alert_solutions#{anchor}")),
        ]);
        let expr = format!(
            "max((alert_count{{service_name=\"{service}\",name=\"{name}\",level=\"{level}\"}}) >= 1)"
        );
        (labels, annotations, expr, min, kind)
    });
    let org = OTHER_ORG.iter().map(
        |&(alertname, severity, team, ns, summary, expr, min, kind)| {
            let labels = set([
                ("alertname", alertname),
                ("severity", severity),
                ("team", team),
                ("namespace", ns),
            ]);
            let annotations = set([
                ("summary", summary),
                ("description", &format!("{summary} (namespace {ns}).")),
                (
                    "runbook_url",
                    &format!("https://runbooks.example.com/{alertname}"),
                ),
            ]);
            (labels, annotations, expr.to_string(), min, kind)
        },
    );
    let mut alerts: Vec<DemoAlert> = sg
        .chain(org)
        .map(|(labels, annotations, expr, min, kind)| DemoAlert {
            fingerprint: fingerprint(&labels),
            labels,
            annotations,
            generator_url: generator_url(&expr),
            starts_at: t0 - Duration::minutes(min),
            active: matches!(kind, Fire | Flap),
            pending: kind == Pend,
            flappy: matches!(kind, Flap | Idle),
            // Resolved at start: it fired for half an hour before.
            last_episode: (kind == Idle).then(|| {
                let end = t0 - Duration::minutes(min);
                (end - Duration::minutes(30), end)
            }),
        })
        .collect();
    alerts.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    alerts
}
