//! The `image:` scanner's tests.

use super::*;

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

/// Checks span/raw/line/column consistency of every pin.
fn check(text: &str, pins: &[PinRef]) {
    for p in pins {
        assert_eq!(&text[p.span.clone()], p.raw, "{p:?}");
        let before = text[..p.span.start]
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        assert_eq!((p.line, p.column), (line, col), "{p:?}");
        assert_eq!(ImageRef::parse(&p.raw).unwrap(), p.image);
    }
}

/// (line, column, raw, kind, container)
type Summary<'a> = (usize, usize, &'a str, Option<&'a str>, Option<&'a str>);

fn summary(pins: &[PinRef]) -> Vec<Summary<'_>> {
    pins.iter()
        .map(|p| {
            (
                p.line,
                p.column,
                p.raw.as_str(),
                p.kind.as_deref(),
                p.container.as_deref(),
            )
        })
        .collect()
}

#[test]
fn deployment_containers_and_init_containers() {
    let text = format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  template:
    spec:
      initContainers:
      - name: migrator
        image: "index.docker.io/sourcegraph/migrator:3.22.0@{D1}"
      containers:
      - name: frontend
        image: index.docker.io/sourcegraph/frontend:3.22.0@{D1} # pinned by bot
        env:
        - name: X
          value: "image: not-me"
      - image: 'jaeger:1.2'
        name: jaeger
"#
    );
    let pins = scan_file("base/frontend.yaml", &text).unwrap().pins;
    check(&text, &pins);
    let mig = format!("index.docker.io/sourcegraph/migrator:3.22.0@{D1}");
    let fe = format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}");
    assert_eq!(
        summary(&pins),
        vec![
            (10, 17, mig.as_str(), Some("Deployment"), Some("migrator")),
            (13, 16, fe.as_str(), Some("Deployment"), Some("frontend")),
            (17, 17, "jaeger:1.2", Some("Deployment"), Some("jaeger")),
        ]
    );
    assert_eq!(pins[0].file, "base/frontend.yaml");
    assert_eq!(pins[1].image.key(), "docker.io/sourcegraph/frontend");
}

#[test]
fn multi_document() {
    let text = "\
kind: StatefulSet
spec:
  template:
    spec:
      containers:
      - {name: pgsql, image: 'sourcegraph/postgres-11.4:3.22.0'}
---
apiVersion: v1
kind: Service
spec:
  ports: [{port: 80}]
---
apiVersion: apps/v1
spec:
  template:
    spec:
      containers:
        - image: sourcegraph/cadvisor:3.22.0
          name: cadvisor
kind: DaemonSet
---
kind: Job
spec:
  template:
    spec:
      containers:
      - name: once
        image: busybox
...
---
kind: CronJob
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: nightly
            image: ghcr.io/org/nightly:v2
";
    let pins = scan_file("all.yaml", text).unwrap().pins;
    check(text, &pins);
    assert_eq!(
        summary(&pins),
        vec![
            (
                6,
                31,
                "sourcegraph/postgres-11.4:3.22.0",
                Some("StatefulSet"),
                Some("pgsql")
            ),
            (
                18,
                18,
                "sourcegraph/cadvisor:3.22.0",
                Some("DaemonSet"),
                Some("cadvisor")
            ),
            (28, 16, "busybox", Some("Job"), Some("once")),
            (
                39,
                20,
                "ghcr.io/org/nightly:v2",
                Some("CronJob"),
                Some("nightly")
            ),
        ]
    );
}

#[test]
fn docker_compose() {
    let text = "\
version: '3'
services:
  frontend:
    image: 'index.docker.io/sourcegraph/frontend:3.22.0'
    ports: ['80:80']
  redis:
    image: \"redis:5.0\"
  built:
    build: .
";
    let pins = scan_file("docker-compose.yaml", text).unwrap().pins;
    check(text, &pins);
    assert_eq!(
        summary(&pins),
        vec![
            (
                4,
                13,
                "index.docker.io/sourcegraph/frontend:3.22.0",
                None,
                Some("frontend")
            ),
            (7, 13, "redis:5.0", None, Some("redis")),
        ]
    );
}

#[test]
fn non_ascii_before_image_uses_byte_offsets() {
    let text = "# Überwachung — 監視 🚀\nkind: Pod\nspec:\n  containers:\n  - name: é\n    image: \"grafana/grafana:7.1\" # ✓\n    image2: x\n";
    let pins = scan_file("p.yaml", text).unwrap().pins;
    check(text, &pins);
    assert_eq!(
        summary(&pins),
        vec![(6, 13, "grafana/grafana:7.1", Some("Pod"), Some("é"))]
    );
    assert_eq!(&text[pins[0].span.start - 1..pins[0].span.start], "\"");
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}kind: Pod\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: redis:5.0\r\n  - name: b\r\n    image: 'ghcr.io/x/y:1'\r\n";
    let pins = scan_file("crlf.yaml", text).unwrap().pins;
    check(text, &pins);
    assert_eq!(
        summary(&pins),
        vec![
            (5, 12, "redis:5.0", Some("Pod"), Some("a")),
            (7, 13, "ghcr.io/x/y:1", Some("Pod"), Some("b"))
        ]
    );
    let text = "\u{feff}image: redis\n";
    let pins = scan_file("bom.yaml", text).unwrap().pins;
    check(text, &pins);
    assert_eq!(pins[0].span, 10..15);
}

/// (line, column, text, reason, container) of each untracked entry.
fn untracked(found: &FileScan) -> Vec<(usize, usize, &str, String, Option<&str>)> {
    found
        .untracked
        .iter()
        .map(|u| {
            (
                u.line,
                u.column,
                u.text.as_str(),
                u.reason.to_string(),
                u.container.as_deref(),
            )
        })
        .collect()
}

#[test]
fn templates_aliases_and_escapes_are_listed_untracked() {
    let text = "\
containers:
- name: a
  image: {{ .Values.image }}
- name: b
  image: \"{{ .Values.image }}\"
- name: c
  image: &img redis:5.0
- name: d
  image: *img
- name: e
  image: \"redis:\\x35\"
- name: f
  image: |
    redis:5.0
- name: g
  image:
- name: h
  image: redis:5.0   \n\
";
    let found = scan_file("helm.yaml", text).unwrap();
    check(text, &found.pins);
    assert_eq!(
        summary(&found.pins),
        vec![
            (7, 15, "redis:5.0", None, Some("c")),
            (18, 10, "redis:5.0", None, Some("h"))
        ]
    );
    let tpl = "templated: {{ .Values.image }}".to_string();
    assert_eq!(
        untracked(&found),
        vec![
            (3, 10, "{{ .Values.image }}", tpl.clone(), Some("a")),
            (5, 11, "{{ .Values.image }}", tpl, Some("b")),
            (
                9,
                10,
                "*img",
                "an alias (*img): the anchored value is tracked where it is written".into(),
                Some("d")
            ),
            (
                11,
                11,
                "redis:5",
                "written with escapes: opsdeck rewrites only plain text".into(),
                Some("e")
            ),
            (
                14,
                5,
                "redis:5.0",
                "a block scalar (| or >): write the reference on one line".into(),
                Some("f")
            ),
            (16, 3, "", "no value".into(), Some("g")),
        ]
    );
}

#[test]
fn every_kind_of_unresolvable_value_is_an_entry_with_its_reason() {
    let text = format!(
        "\
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: frontend
        image: \"{{{{ .Values.registry }}}}/org/frontend:{{{{ .Values.tag }}}}\"
      - name: env
        image: ${{IMAGE}} # from the environment
      - name: compose
        image: ${{REGISTRY:-docker.io}}/org/x:$TAG
      - name: upper
        image: Sourcegraph/Frontend:3.22.0
      - name: helm
        image:
          repository: sourcegraph/frontend
          tag: 3.22.0
      - name: list
        image: [a, b]
      - name: null
        image: ~
      - name: ok
        image: sourcegraph/frontend:3.22.0@{D1}
"
    );
    let found = scan_file("base/all.yaml", &text).unwrap();
    check(&text, &found.pins);
    assert_eq!(found.pins.len(), 1);
    assert_eq!(found.pins[0].container.as_deref(), Some("ok"));
    assert_eq!(
            untracked(&found),
            vec![
                (
                    7,
                    17,
                    "{{ .Values.registry }}/org/frontend:{{ .Values.tag }}",
                    "templated: {{ .Values.registry }}, {{ .Values.tag }}".into(),
                    Some("frontend")
                ),
                (9, 16, "${IMAGE}", "templated: ${IMAGE}".into(), Some("env")),
                (
                    11,
                    16,
                    "${REGISTRY:-docker.io}/org/x:$TAG",
                    "templated: ${REGISTRY:-docker.io}, $TAG".into(),
                    Some("compose")
                ),
                (
                    13,
                    16,
                    "Sourcegraph/Frontend:3.22.0",
                    "not an image reference: repository name component \"Sourcegraph\" must be lowercase".into(),
                    Some("upper")
                ),
                (
                    16,
                    11,
                    "repository: sourcegraph/frontend",
                    "not an image reference: a mapping".into(),
                    Some("helm")
                ),
                (
                    19,
                    16,
                    "[a, b]",
                    "not an image reference: a list".into(),
                    Some("list")
                ),
                (21, 16, "~", "no value".into(), Some("null")),
            ]
        );
    assert!(
        found
            .untracked
            .iter()
            .all(|u| u.kind.as_deref() == Some("Deployment"))
    );
    assert!(found.untracked.iter().all(|u| u.file == "base/all.yaml"));
}

#[test]
fn template_parts_as_written() {
    assert_eq!(
        template_parts("{{ .Values.image }}"),
        ["{{ .Values.image }}"]
    );
    assert_eq!(
        template_parts("{{ .Values.registry }}/org/frontend:{{ .Values.tag }}"),
        ["{{ .Values.registry }}", "{{ .Values.tag }}"]
    );
    assert_eq!(template_parts("${IMAGE}"), ["${IMAGE}"]);
    assert_eq!(template_parts("a:$TAG_1-x"), ["$TAG_1"]);
    assert_eq!(template_parts("{{ unclosed"), ["{{ unclosed"]);
    assert!(template_parts("redis:5.0").is_empty());
    assert!(template_parts("price $5").is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Arbitrary YAML-ish text never panics and yields only exact spans.
    #[test]
    fn arbitrary_text_never_panics(text in "(image|name|kind|[ \\-:'\"#{}\\[\\],&*!|>é\r\n]|a:1|x/y){0,40}") {
        if let Ok(found) = scan_file("f", &text) {
            check(&text, &found.pins);
            for u in &found.untracked {
                assert!(u.line >= 1 && u.column >= 1, "{u:?}");
            }
        }
    }
}

#[test]
fn malformed_yaml_reports_parser_position() {
    let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: redis\n   bad: [\n";
    let err = scan_file("bad.yaml", text).unwrap_err();
    assert_eq!((err.file.as_str(), err.line), ("bad.yaml", 6));
    assert!(err.to_string().starts_with("bad.yaml:6:"), "{err}");
    let err = scan_file("q.yaml", "a: b\nimage: 'unterminated\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 8), "{err}");
    assert_eq!(scan_file("empty.yaml", "").unwrap(), FileScan::default());
    assert!(scan_file("c.yaml", "# only a comment\n").unwrap() == FileScan::default());
}
