use super::*;

const T0: i64 = 1_606_813_200; // 2020-12-01 09:00 UTC

/// A series: its labels, its alertstate, the steps it has samples at.
type Spec<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a [usize]);

/// A `query_range` answer: each series its labels, state and the step
/// numbers it has samples at (on a 60 s grid from T0).
fn body(series: &[Spec<'_>]) -> String {
    let result: Vec<serde_json::Value> = series
        .iter()
        .map(|(labels, state, steps)| {
            let mut metric = serde_json::Map::new();
            metric.insert("__name__".into(), "ALERTS".into());
            metric.insert("alertstate".into(), (*state).into());
            for (k, v) in *labels {
                metric.insert((*k).into(), (*v).into());
            }
            let values: Vec<serde_json::Value> = steps
                .iter()
                .map(|k| serde_json::json!([T0 + 60 * *k as i64, "1"]))
                .collect();
            serde_json::json!({"metric": metric, "values": values})
        })
        .collect();
    serde_json::json!({"status": "success", "data": {"resultType": "matrix", "result": result}})
        .to_string()
}

fn read(body: &str, len: usize) -> (History, Vec<Skipped>) {
    History::from_matrix(body, at_unix(T0), Duration::from_secs(60), len).expect("reads")
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const DISK: &[(&str, &str)] = &[
    ("alertname", "critical_gitserver_disk_space_remaining"),
    ("level", "critical"),
    ("owner", "core-application"),
];

#[test]
fn the_step_keeps_a_window_within_300_points() {
    assert_eq!(
        step_for(Duration::from_secs(24 * 3600)),
        Duration::from_secs(288)
    );
    assert_eq!(step_for(Duration::from_secs(3600)), Duration::from_secs(12));
    assert_eq!(step_for(Duration::from_secs(60)), Duration::from_secs(1));
    for secs in [1, 299, 300, 301, 86_401, 7 * 86_400] {
        let step = step_for(Duration::from_secs(secs)).as_secs();
        assert!(secs.div_ceil(step) <= MAX_POINTS, "{secs}s at {step}s");
    }
}

#[test]
fn pending_then_firing_folds_into_one_timeline_with_its_episodes() {
    // Pending at 0–1, firing 2–4, quiet 5–6, firing 7, quiet, firing 10–11
    // (still firing at the end of a 12-step window).
    let b = body(&[
        (DISK, "pending", &[0, 1, 6]),
        (DISK, "firing", &[2, 3, 4, 7, 10, 11]),
    ]);
    let (h, skipped) = read(&b, 12);
    assert!(skipped.is_empty());
    assert_eq!(h.timelines().len(), 1);
    let t = &h.timelines()[0];
    assert_eq!(t.labels, labels(DISK), "no __name__ or alertstate");
    use Point::{Firing as F, Pending as P, Quiet as Q};
    assert_eq!(t.points, vec![P, P, F, F, F, Q, P, F, Q, Q, F, F]);
    let s = h.summarize(t);
    assert_eq!(s.first_seen, Some(at_unix(T0)));
    let spans: Vec<(i64, i64, bool)> = s
        .episodes
        .iter()
        .map(|e| {
            (
                (e.start.timestamp() - T0) / 60,
                (e.end.timestamp() - T0) / 60,
                e.open,
            )
        })
        .collect();
    assert_eq!(spans, vec![(2, 5, false), (7, 8, false), (10, 12, true)]);
    assert_eq!(s.firing, chrono::TimeDelta::minutes(6));
    assert_eq!(
        s.longest.map(|e| e.duration()),
        Some(chrono::TimeDelta::minutes(3))
    );
    assert!(s.flapping(3));
    assert!(!s.flapping(4));
    assert!(!s.flapping(0), "a threshold of 0 turns flapping off");
    assert_eq!(sparkline(&t.points, 12), "▂▂▇▇▇ ▂▇  ▇▇");
    // Fewer cells: each the most severe of its share.
    assert_eq!(sparkline(&t.points, 4), "▇▇▇▇");
    assert_eq!(sparkline(&t.points, 0), "");
    assert_eq!(sparkline(&[], 3), "   ");
}

#[test]
fn an_alert_finds_its_series_by_name_and_labels_despite_external_labels() {
    let other = &[
        ("alertname", "critical_gitserver_disk_space_remaining"),
        ("level", "critical"),
        ("owner", "core-application"),
        ("instance", "gitserver-1"),
    ];
    let b = body(&[(DISK, "firing", &[1]), (other, "firing", &[2, 3])]);
    let (h, _) = read(&b, 4);
    // Alertmanager's copy carries the external label `cluster`.
    let mut am = labels(other);
    am.insert("cluster", "prod");
    let t = h.of(&am).expect("found");
    assert_eq!(
        t.labels.get("instance"),
        Some("gitserver-1"),
        "the closest series"
    );
    let mut plain = labels(DISK);
    plain.insert("cluster", "prod");
    assert_eq!(h.of(&plain).map(|t| t.labels.len()), Some(3));
    let mut unknown = labels(DISK);
    unknown.insert("alertname", "nothing_like_it");
    assert!(h.of(&unknown).is_none());
    assert!(h.of(&Labels::new()).is_none());
}

#[test]
fn recently_resolved_is_what_stopped_firing_within_the_span() {
    let a = &[("alertname", "a")];
    let b_ = &[("alertname", "b")];
    let c = &[("alertname", "c")];
    let b = body(&[
        (a, "firing", &[0, 1]),     // ended at step 2: 8 min before the end
        (b_, "firing", &[5, 6, 7]), // ended at step 8: 2 min before
        (c, "firing", &[8, 9]),     // still firing
    ]);
    let (h, _) = read(&b, 10);
    // c's alert still fires; a's and b's do not.
    let name = |i: usize| h.timelines()[i].labels.get("alertname");
    let firing = |i: usize| name(i) == Some("c");
    let names = |within: u64| -> Vec<String> {
        h.resolved(Duration::from_secs(within * 60), firing)
            .iter()
            .map(|(t, _)| t.labels.get("alertname").unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(names(5), vec!["b"]);
    assert_eq!(names(60), vec!["b", "a"], "newest end first");
    let (_, ep) = h.resolved(Duration::from_secs(300), firing)[0];
    assert_eq!(ep.duration(), chrono::TimeDelta::minutes(3));
    // b fires again now (between two points): it has not stopped firing.
    assert!(h.resolved(Duration::from_secs(300), |_| true).is_empty());
    // c fires at the last point, but its alert no longer does: resolved
    // by that point at the latest, newest first.
    let now_firing = |i: usize| name(i) != Some("c");
    let gone = h.resolved(Duration::from_secs(300), now_firing);
    assert_eq!(gone[0].0.labels.get("alertname"), Some("c"));
    assert_eq!(gone[0].1.end, at_unix(T0 + 9 * 60));
    assert!(!gone[0].1.open);
}

#[test]
fn a_bad_series_is_skipped_and_counted_and_the_rest_kept() {
    let good = body(&[(DISK, "firing", &[0])]);
    let mut v: serde_json::Value = serde_json::from_str(&good).expect("json");
    let result = v["data"]["result"].as_array_mut().expect("result");
    result.push(
        serde_json::json!({"metric": {"alertname": "x", "alertstate": "firing"}, "values": "nope"}),
    );
    result.push(
        serde_json::json!({"metric": {"alertname": "y", "alertstate": "resolved"}, "values": []}),
    );
    result.push(serde_json::json!({"metric": {"alertstate": "firing"}, "values": []}));
    // Wrong types anywhere inside a series: that series only.
    result.push(serde_json::json!({"metric": {"alertname": "z", "alertstate": "firing", "n": 5}, "values": []}));
    result.push(serde_json::json!({"metric": "ALERTS", "values": []}));
    result.push(serde_json::json!({"metric": {"alertname": "w", "alertstate": "firing"}, "values": [["soon", "1"]]}));
    result.push(serde_json::json!(["not", "a", "series"]));
    // Still read after all of them.
    result.push(serde_json::json!({"metric": {"alertname": "last", "alertstate": "firing"}, "values": [[T0, "1"]]}));
    let (h, skipped) = read(&v.to_string(), 2);
    assert_eq!(h.timelines().len(), 2);
    assert!(h.of(&labels(&[("alertname", "last")])).is_some());
    let details: Vec<&str> = skipped.iter().map(|s| s.detail.as_str()).collect();
    assert_eq!(
        details,
        vec![
            "history series 2 of 9: values is string \"nope\", not a list",
            "history series 3 of 9: alertstate Some(\"resolved\") is neither pending nor firing",
            "history series 4 of 9: no alertname",
            "history series 5 of 9: label \"n\" is integer `5`, not a string",
            "history series 6 of 9: metric is string \"ALERTS\", not an object",
            "history series 7 of 9: a sample is a list not starting with a number, not [time, value]",
            "history series 8 of 9: a series is a list, not an object",
        ]
    );
}

#[test]
fn samples_off_the_grid_or_outside_the_window_are_placed_or_dropped() {
    // 20 s late rounds to its step; before the start or past the end, gone.
    let raw = format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"alertname":"a","alertstate":"firing"}},"values":[[{},"1"],[{},"1"],[{},"1"]]}}]}}}}"#,
        T0 + 60 + 20,
        T0 - 600,
        T0 + 60 * 50
    );
    let (h, _) = read(&raw, 3);
    assert_eq!(
        h.timelines()[0].points,
        vec![Point::Quiet, Point::Firing, Point::Quiet]
    );
}

#[test]
fn what_prometheus_refuses_or_is_not_a_matrix_is_an_error() {
    let refused =
        r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\""}"#;
    let e = History::from_matrix(refused, at_unix(T0), Duration::from_secs(60), 3)
        .expect_err("refused");
    assert_eq!(
        e.to_string(),
        "Prometheus refused the history query: invalid parameter \"step\""
    );
    let vector = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
    let e =
        History::from_matrix(vector, at_unix(T0), Duration::from_secs(60), 3).expect_err("vector");
    assert_eq!(e, HistoryError::NotMatrix("vector".into()));
    let e =
        History::from_matrix("<html>", at_unix(T0), Duration::from_secs(60), 3).expect_err("html");
    assert!(matches!(e, HistoryError::Shape(_)), "{e}");
}

#[test]
fn an_open_episode_starts_when_the_alert_says_it_did() {
    let b = body(&[(DISK, "firing", &[0, 1, 4, 5])]);
    let (h, _) = read(&b, 6);
    let s = h.summarize(&h.timelines()[0]);
    assert_eq!(s.firing, chrono::TimeDelta::minutes(4));
    // Alertmanager says it began firing 30 s after step 4's point.
    let step = Duration::from_secs(60);
    let s = s.started_at(at_unix(T0 + 4 * 60 + 30), step);
    assert_eq!(s.firing, chrono::TimeDelta::seconds(120 + 90));
    assert_eq!(s.episodes[1].start, at_unix(T0 + 270));
    assert_eq!(
        s.longest.map(|e| e.duration()),
        Some(chrono::TimeDelta::minutes(2))
    );
    // Further than a step from the episode's start (a restart reset
    // startsAt), or before it by more: the series stands.
    for far in [T0, T0 + 5 * 60 + 30] {
        let again = h
            .summarize(&h.timelines()[0])
            .started_at(at_unix(far), step);
        assert_eq!(again.firing, chrono::TimeDelta::minutes(4), "{far}");
    }
}

#[test]
fn a_team_counts_its_alerts_firing_at_each_point() {
    let b = body(&[
        (DISK, "firing", &[0, 1, 2]),
        (
            &[("alertname", "x"), ("owner", "core-application")],
            "firing",
            &[1, 2, 3],
        ),
        (
            &[("alertname", "y"), ("team", "search")],
            "pending",
            &[0, 1],
        ),
        (&[("alertname", "y"), ("team", "search")], "firing", &[2]),
        (&[("alertname", "z"), ("team", "quiet")], "pending", &[0]),
    ]);
    let (h, _) = read(&b, 5);
    let teams = h.team_firing(&Routing::default());
    assert_eq!(teams["core-application"], vec![1, 2, 2, 1, 0]);
    assert_eq!(
        teams["search"],
        vec![0, 0, 1, 0, 0],
        "pending is not firing"
    );
    assert!(!teams.contains_key("quiet"), "never fired: no line");
    assert_eq!(count_sparkline(&teams["core-application"], 5), "▄██▄ ");
    assert_eq!(count_sparkline(&[0, 0], 3), "   ");
    assert_eq!(
        count_sparkline(&[1, 8, 0, 2], 2),
        "█▂",
        "a cell is its share's most"
    );
}

#[test]
fn an_alert_firing_now_covers_the_series_whose_labels_it_carries() {
    let b = body(&[
        (&[("alertname", "a"), ("job", "x")], "firing", &[1]),
        (&[("alertname", "a"), ("job", "y")], "firing", &[1]),
        (&[("alertname", "b")], "firing", &[1]),
        (&[("alertname", "c")], "firing", &[1]),
        (&[("alertname", "a")], "firing", &[1]),
    ]);
    let (h, _) = read(&b, 2);
    let firing = [
        labels(&[("alertname", "a"), ("job", "x"), ("cluster", "eu")]),
        labels(&[("alertname", "b")]),
    ];
    let now = FiringNow::new(&h, firing.iter());
    let covered: Vec<String> = (0..h.timelines().len())
        .filter(|i| now.covers(*i))
        .map(|i| format!("{:?}", h.timelines()[i].labels))
        .collect();
    assert_eq!(
        covered,
        vec![
            format!("{:?}", labels(&[("alertname", "a"), ("job", "x")])),
            format!("{:?}", labels(&[("alertname", "a")])),
            format!("{:?}", labels(&[("alertname", "b")])),
        ],
        "a{{job=y}} and c are not firing now"
    );
    assert!(!now.covers(99), "out of range: not covered");
}

mod index_agrees_with_comparing_every_series {
    use super::*;
    use proptest::prelude::*;

    /// Label sets over few names and values, so that subsets and shared
    /// shapes are common.
    fn label_set() -> impl Strategy<Value = Vec<(String, String)>> {
        (
            prop::sample::select(vec!["a", "b"]),
            prop::collection::btree_map(
                prop::sample::select(vec!["job", "instance", "cluster", "owner"]),
                prop::sample::select(vec!["x", "y", ""]),
                0..4,
            ),
        )
            .prop_map(|(name, rest)| {
                std::iter::once(("alertname".to_string(), name.to_string()))
                    .chain(
                        rest.into_iter()
                            .map(|(k, v)| (k.to_string(), v.to_string())),
                    )
                    .collect()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn for_any_series_and_alert(
            series in prop::collection::vec(label_set(), 0..12),
            alerts in prop::collection::vec(label_set(), 1..6),
        ) {
            let specs: Vec<Vec<(&str, &str)>> = series
                .iter()
                .map(|l| l.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
                .collect();
            let spec: Vec<Spec<'_>> = specs.iter().map(|l| (l.as_slice(), "firing", &[0usize][..])).collect();
            let (h, _) = read(&body(&spec), 1);
            let alerts: Vec<Labels> = alerts
                .iter()
                .map(|l| l.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
                .collect();
            let carries = |alert: &Labels, t: &Timeline| {
                t.labels.iter().all(|(k, v)| alert.get(k) == Some(v))
            };
            for alert in &alerts {
                let mut fast: Vec<usize> = h.index.matching(&h.timelines, alert).collect();
                fast.sort_unstable();
                let slow: Vec<usize> = (0..h.timelines.len())
                    .filter(|i| carries(alert, &h.timelines[*i]))
                    .collect();
                prop_assert_eq!(&fast, &slow);
                let most = slow.iter().map(|i| h.timelines[*i].labels.len()).max();
                prop_assert_eq!(h.of(alert).map(|t| t.labels.len()), most);
            }
            let now = FiringNow::new(&h, alerts.iter());
            for (i, t) in h.timelines.iter().enumerate() {
                prop_assert_eq!(now.covers(i), alerts.iter().any(|a| carries(a, t)));
            }
        }
    }
}

#[test]
fn a_compressed_answer_streams_to_the_same_history_in_any_field_order() {
    use std::io::Write;
    let b = body(&[(DISK, "pending", &[0]), (DISK, "firing", &[1, 2])]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b.as_bytes()).expect("gzip");
    let packed = gz.finish().expect("gzip");
    let inflated = flate2::read::GzDecoder::new(&packed[..]);
    let streamed = History::from_reader(inflated, at_unix(T0), Duration::from_secs(60), 5);
    assert_eq!(streamed.expect("reads"), read(&b, 5));
    // Prometheus writes `status` first; nothing here depends on it.
    let reordered = format!(
        r#"{{"data": {{"result": {}, "resultType": "matrix"}}, "warnings": ["x"], "status": "success"}}"#,
        serde_json::to_string(
            &serde_json::from_str::<serde_json::Value>(&b).expect("json")["data"]["result"]
        )
        .expect("json")
    );
    assert_eq!(read(&reordered, 5), read(&b, 5));
    // Cut short: an error, not a partial history.
    let cut = &b[..b.len() / 2];
    let e = History::from_reader(cut.as_bytes(), at_unix(T0), Duration::from_secs(60), 5);
    assert!(matches!(e, Err(HistoryError::Shape(_))), "{e:?}");
}

mod the_fast_path_agrees_with_the_exact_one {
    use super::*;
    use proptest::prelude::*;

    /// A reader handing out a few bytes at a time: every series is cut by
    /// a buffer's end somewhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// An answer written as Prometheus writes it (Go's encoder: no
    /// spaces, `metric` then `values`).
    /// A series: its labels and its sample times as written.
    type Written = (Vec<(String, String)>, Vec<String>);

    fn prometheus(series: &[Written]) -> String {
        let q = |s: &str| serde_json::to_string(s).expect("json");
        let result: Vec<String> = series
            .iter()
            .map(|(labels, times)| {
                let metric: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{}:{}", q(k), q(v)))
                    .collect();
                let values: Vec<String> = times.iter().map(|t| format!("[{t},\"1\"]")).collect();
                format!(
                    r#"{{"metric":{{{}}},"values":[{}]}}"#,
                    metric.join(","),
                    values.join(",")
                )
            })
            .collect();
        format!(
            r#"{{"status":"success","data":{{"resultType":"matrix","result":[{}]}}}}"#,
            result.join(",")
        )
    }

    fn exact(body: &str, len: usize) -> (History, Vec<Skipped>) {
        History::from_reader(body.as_bytes(), at_unix(T0), Duration::from_secs(60), len)
            .expect("reads")
    }

    fn fast(body: &str, len: usize, chunk: usize) -> Option<(History, Vec<Skipped>)> {
        super::super::read::fast_only(
            Trickle(body.as_bytes(), chunk),
            at_unix(T0),
            Duration::from_secs(60),
            len,
        )
    }

    #[test]
    fn on_a_real_shape_it_reads_alone_and_hands_over_on_surprises() {
        let series = vec![
            (
                vec![
                    ("__name__".into(), "ALERTS".into()),
                    ("alertname".into(), "a".into()),
                    ("alertstate".into(), "firing".into()),
                ],
                vec![T0.to_string(), format!("{}.5", T0 + 60)],
            ),
            (
                vec![
                    ("alertname".into(), "b".into()),
                    ("alertstate".into(), "pending".into()),
                ],
                vec![],
            ),
            (
                vec![("alertstate".into(), "firing".into())],
                vec![T0.to_string()],
            ),
        ];
        let body = prometheus(&series);
        for chunk in [1, 7, 64, 1 << 20] {
            let read = fast(&body, 3, chunk).expect("the fast path reads it");
            assert_eq!(read, exact(&body, 3), "chunk {chunk}");
        }
        assert_eq!(read(&body, 3), exact(&body, 3));
        assert_eq!(read(&body, 3).1.len(), 1, "the series without alertname");
        // Each of these is not how Prometheus writes: handed over, and
        // the exact path reads what it can.
        let surprises = [
            body.replace(r#"{"metric""#, r#"{ "metric""#),
            body.replace(r#""a""#, r#""\u0061""#),
            body.replace("}]}}", r#"}]},"warnings":["w"]}"#),
            body.replace(&format!("[{T0},"), &format!("[{T0}e0,")),
            body.replace(&format!("[{T0},"), &format!("[0{T0},")),
            body.replace(r#"{"status":"success","#, r#"{"status":"success", "#),
            body[..body.len() - 1].to_string(),
        ];
        for other in &surprises {
            assert!(fast(other, 3, 5).is_none(), "{other}");
            assert!(fast(other, 3, 1 << 20).is_none(), "{other}");
        }
        assert_eq!(read(&surprises[0], 3), exact(&body, 3));
        assert_eq!(read(&surprises[1], 3), exact(&body, 3));
        assert_eq!(read(&surprises[2], 3), exact(&body, 3));
        let cut = History::from_matrix(&surprises[6], at_unix(T0), Duration::from_secs(60), 3);
        assert!(matches!(cut, Err(HistoryError::Shape(_))), "{cut:?}");
    }

    fn label() -> impl Strategy<Value = (String, String)> {
        (
            prop::sample::select(vec![
                "alertname",
                "job",
                "instance",
                "alertstate",
                "__name__",
            ]),
            prop_oneof![
                prop::sample::select(vec!["a", "b", "firing", "pending", ""])
                    .prop_map(String::from),
                // Quotes, backslashes, unicode, control characters.
                "[a-z\"\\\\é\n]{0,4}",
            ],
        )
            .prop_map(|(k, v)| (k.to_string(), v))
    }

    fn time() -> impl Strategy<Value = String> {
        prop_oneof![
            (0i64..10).prop_map(|k| (T0 + 60 * k).to_string()),
            (0i64..10, 1u32..999).prop_map(|(k, ms)| format!("{}.{ms}", T0 + 60 * k)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn on_any_answer_as_prometheus_writes_it(
            series in prop::collection::vec(
                (prop::collection::vec(label(), 0..5), prop::collection::vec(time(), 0..6)),
                0..6,
            ),
            chunk in 1usize..40,
        ) {
            let body = prometheus(&series);
            let want = exact(&body, 10);
            prop_assert_eq!(&read(&body, 10), &want);
            match fast(&body, 10, chunk) {
                Some(got) => prop_assert_eq!(&got, &want),
                // Only an escape in a string hands over.
                None => prop_assert!(body.contains('\\'), "{}", body),
            }
        }
    }
}
