//! The values-file and kustomize scanners' tests.

use super::*;
use crate::config::ValuesConfig;

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

fn spec(default_repository: Option<&str>) -> ValuesConfig {
    ValuesConfig {
        paths: vec!["charts/*/values.yaml".into()],
        tag_keys: vec!["tag".into(), "defaultTag".into()],
        digest_key: Some("digest".into()),
        repository_key: "repository".into(),
        name_key: "name".into(),
        default_repository: default_repository.map(str::to_string),
    }
}

fn values(text: &str, default_repository: Option<&str>) -> Scanned {
    let sources = Sources::new(&[], &[spec(default_repository)]).unwrap();
    let files = vec![("charts/sg/values.yaml".to_string(), text.to_string())];
    scan_with(&files, &sources)
}

/// (line, column, shown, path, tag field text, digest field text)
type Summary = (usize, usize, String, String, Option<String>, Option<String>);

fn summary(text: &str, pins: &[PinRef]) -> Vec<Summary> {
    pins.iter()
        .map(|p| {
            let f = p.source.fields().unwrap();
            for field in f.tag.iter().chain(&f.digest) {
                assert_eq!(&text[field.span.clone()], field.raw, "{p:?}");
            }
            assert_eq!(&text[p.span.clone()], p.raw);
            (
                p.line,
                p.column,
                p.shown(),
                f.path.clone(),
                f.tag.as_ref().map(|t| t.raw.clone()),
                f.digest.as_ref().map(|d| d.raw.clone()),
            )
        })
        .collect()
}

fn untracked(s: &Scanned) -> Vec<(usize, &str, String)> {
    s.untracked
        .iter()
        .map(|u| (u.line, u.text.as_str(), u.reason.to_string()))
        .collect()
}

#[test]
fn per_image_maps_flow_block_and_separate_digest() {
    let text = format!(
        "\
frontend:
  image: {{repository: index.docker.io/sourcegraph/frontend, tag: \"3.22.0@{D1}\"}}
gitserver:
  replicas: 1
  image:
    # pinned by the release tool
    repository: 'index.docker.io/sourcegraph/gitserver'
    tag: 3.22.0@{D1}   # keep
    pullPolicy: IfNotPresent
searcher:
  image:
    repository: index.docker.io/sourcegraph/searcher
    tag: \"3.22.0\"
    digest: \"{D2}\"
empty:
  image: {{repository: index.docker.io/sourcegraph/empty, tag: '', defaultTag: 1.0.0, digest: \"\"}}
"
    );
    let s = values(&text, None);
    assert!(s.errors.is_empty() && s.untracked.is_empty(), "{s:?}");
    assert_eq!(
        summary(&text, &s.pins),
        vec![
            (
                2,
                67,
                format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}"),
                "frontend.image".into(),
                Some(format!("3.22.0@{D1}")),
                None
            ),
            (
                8,
                10,
                format!("index.docker.io/sourcegraph/gitserver:3.22.0@{D1}"),
                "gitserver.image".into(),
                Some(format!("3.22.0@{D1}")),
                None
            ),
            (
                13,
                11,
                format!("index.docker.io/sourcegraph/searcher:3.22.0@{D2}"),
                "searcher.image".into(),
                Some("3.22.0".into()),
                Some(D2.into())
            ),
            // An empty tag or digest is not set: the next tag key is used.
            (
                16,
                79,
                "index.docker.io/sourcegraph/empty:1.0.0".into(),
                "empty.image".into(),
                Some("1.0.0".into()),
                None
            ),
        ]
    );
    assert_eq!(s.pins[2].image.key(), "docker.io/sourcegraph/searcher");
    assert_eq!(s.pins[2].image.digest.as_deref(), Some(D2));
    assert_eq!(s.pins[0].source.as_str(), "values");
}

#[test]
fn chart_wide_repository_and_names() {
    let text = format!(
        "\
sourcegraph:
  image:
    defaultTag: \"3.22.0@{D1}\"
    repository: index.docker.io/sourcegraph
frontend:
  image:
    defaultTag: \"3.22.0@{D1}\"
    name: \"frontend\"
    tag:
worker:
  image:
    name: worker
    tag: 3.23.0
"
    );
    let s = values(&text, Some("index.docker.io/sourcegraph/"));
    let shown: Vec<(usize, String)> = s.pins.iter().map(|p| (p.line, p.shown())).collect();
    assert_eq!(
        shown,
        vec![
            (
                7,
                format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}")
            ),
            (13, "index.docker.io/sourcegraph/worker:3.23.0".into()),
        ]
    );
    // A null `tag:` falls through to `defaultTag`.
    assert_eq!(
        s.pins[0].source.fields().unwrap().tag.as_ref().unwrap().key,
        "defaultTag"
    );
    assert_eq!(
        untracked(&s),
        vec![(
            3,
            format!("3.22.0@{D1}").as_str(),
            "the chart-wide default for images under index.docker.io/sourcegraph: each image's own tag is tracked".into()
        )]
    );
    // Without a default_repository the names have nothing to join, and
    // sourcegraph.image is read as an image of its own (a one-component
    // Docker Hub name): set default_repository to the chart-wide one.
    let s = values(&text, None);
    let keys: Vec<String> = s.pins.iter().map(|p| p.image.key()).collect();
    assert_eq!(keys, vec!["docker.io/library/sourcegraph"]);
    let reasons = untracked(&s);
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(
        reasons[0].2,
        "no repository: no `repository` here or in an ancestor map, and no default_repository to join `name: frontend` to"
    );
    assert_eq!(reasons[1].0, 13);
}

#[test]
fn names_join_the_nearest_ancestor_repository() {
    let text = "\
images:
  repository: ghcr.io/org/
  api:
    image: {name: api, tag: v1.2.0}
  nested:
    repository: quay.io/other
    web: {name: web, tag: v2.0.0}
lonely: {tag: 1.0.0}
";
    let s = values(text, Some("docker.io/unused"));
    let shown: Vec<String> = s.pins.iter().map(PinRef::shown).collect();
    assert_eq!(
        shown,
        vec!["ghcr.io/org/api:v1.2.0", "quay.io/other/web:v2.0.0"]
    );
    assert_eq!(
        untracked(&s),
        vec![(
            8,
            "1.0.0",
            "no repository: no `repository` or `name` key beside `tag`".into()
        )]
    );
}

#[test]
fn templated_values_are_untracked_with_line() {
    let text = "\
sourcegraph:
  image:
    defaultTag: \"{{ .Chart.AppVersion }}\"
    repository: index.docker.io/sourcegraph
frontend:
  image:
    repository: index.docker.io/sourcegraph/frontend
    tag: ${TAG}
registry:
  image:
    repository: \"{{ .Values.registry }}/sourcegraph/redis\"
    tag: 5.0.0
";
    let s = values(text, Some("index.docker.io/sourcegraph"));
    assert!(s.pins.is_empty(), "{:?}", s.pins);
    assert_eq!(
        untracked(&s),
        vec![
            (
                3,
                "{{ .Chart.AppVersion }}",
                "templated: {{ .Chart.AppVersion }}".into()
            ),
            (8, "${TAG}", "templated: ${TAG}".into()),
            (
                11,
                "{{ .Values.registry }}/sourcegraph/redis",
                "templated: {{ .Values.registry }}".into()
            ),
        ]
    );
    assert_eq!(s.untracked[0].column, 18);
}

#[test]
fn a_values_file_that_is_also_a_manifest_has_no_duplicates() {
    let text = format!(
        "frontend:\n  image:\n    repository: sourcegraph/frontend\n    tag: 3.22.0@{D1}\nplain:\n  image: redis:5.0\n"
    );
    let sources = Sources::new(&["charts/**".into()], &[spec(None)]).unwrap();
    let files = vec![("charts/sg/values.yaml".to_string(), text.clone())];
    let both = scan_with(&files, &sources);
    let raws: Vec<String> = both.pins.iter().map(PinRef::shown).collect();
    assert_eq!(
        raws,
        vec![
            format!("sourcegraph/frontend:3.22.0@{D1}"),
            "redis:5.0".into()
        ]
    );
    // The `image:` scanner's "a mapping" entry is gone.
    assert!(both.untracked.is_empty(), "{:?}", both.untracked);
    // As a manifest alone it is listed.
    let alone = scan_texts(&files);
    assert_eq!(alone.untracked.len(), 1);
    assert_eq!(alone.untracked[0].reason, UntrackedReason::Mapping);
}

#[test]
fn kustomize_images_entries() {
    let text = format!(
        "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- base
images:
- name: sourcegraph/frontend
  newName: index.docker.io/sourcegraph/frontend
  newTag: \"3.22.0\"
  digest: {D1}
- name: redis
  newTag: '5.0'
- name: sourcegraph/gitserver
  digest: {D2}
- name: sourcegraph/renamed
  newName: ghcr.io/org/renamed
"
    );
    let files = vec![("overlays/prod/kustomization.yaml".to_string(), text.clone())];
    let s = scan_texts(&files);
    let shown: Vec<(usize, usize, String)> = s
        .pins
        .iter()
        .map(|p| (p.line, p.column, p.shown()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (
                8,
                12,
                format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}")
            ),
            (11, 12, "redis:5.0".into()),
            (13, 11, format!("sourcegraph/gitserver@{D2}")),
        ]
    );
    let f = s.pins[0].source.fields().unwrap();
    assert_eq!(f.tag.as_ref().unwrap().raw, "3.22.0");
    assert_eq!(&text[f.digest.as_ref().unwrap().span.clone()], D1);
    assert_eq!(s.pins[0].container.as_deref(), Some("sourcegraph/frontend"));
    assert_eq!(s.pins[0].kind.as_deref(), Some("Kustomization"));
    assert_eq!(
        untracked(&s),
        vec![(
            15,
            "ghcr.io/org/renamed",
            "no tag or digest: nothing to compare (only a name)".into()
        )]
    );
    // The same text under another name is not a kustomization, and the
    // `image:` scanner never reads the top-level `images:` list.
    let other = vec![("overlays/prod/images.yaml".to_string(), text)];
    assert_eq!(
        scan_texts(&other),
        Scanned {
            files: 1,
            ..Scanned::default()
        }
    );
    assert!(is_kustomization("a/b/Kustomization"));
    assert!(is_kustomization("kustomization.yml"));
    assert!(!is_kustomization("a/kustomization.yaml.bak"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Arbitrary YAML-ish text never panics, and every field pin's spans
    /// hold exactly its fields' text.
    #[test]
    fn arbitrary_values_and_kustomizations_never_panic(
        text in "(images:|image:|repository: |name: |newName: |newTag: |digest: |tag: |a/b|1.0|@sha256:1|[ \\-:'\"#{}\\[\\],&*!|>é\r\n]){0,40}"
    ) {
        let sources = Sources::new(&["**".into()], &[spec(Some("ghcr.io/o"))]).unwrap();
        for path in ["charts/x/values.yaml", "kustomization.yaml"] {
            let files = vec![(path.to_string(), text.clone())];
            let s = scan_with(&files, &sources);
            for p in &s.pins {
                assert_eq!(&text[p.span.clone()], p.raw);
                if let Some(f) = p.source.fields() {
                    for field in f.tag.iter().chain(&f.digest) {
                        assert_eq!(&text[field.span.clone()], field.raw);
                    }
                }
            }
            for u in &s.untracked {
                assert!(u.line >= 1 && u.column >= 1, "{u:?}");
            }
        }
    }
}
