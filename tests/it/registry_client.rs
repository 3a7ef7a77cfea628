//! opsdeck's registry client against a real `docker-registry` (images
//! pushed by the test kit) and against the fake registry.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opsdeck::deploy::registry::{RegistryAuth, RegistryClient, bounded};
use opsdeck_testkit::push::{http, push_image};
use opsdeck_testkit::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};
use opsdeck_testkit::servers::DockerRegistry;

fn client(url: &str, auth: RegistryAuth) -> RegistryClient {
    RegistryClient::new(url, auth, Duration::from_secs(10)).expect("client")
}

#[test]
fn client_reads_what_was_pushed_to_real_registry() {
    let registry = DockerRegistry::start();
    let d1 = push_image(&registry.url, "sourcegraph/frontend", "5.1.0", "one");
    let d2 = push_image(&registry.url, "sourcegraph/frontend", "5.1.1", "two");
    let again = push_image(&registry.url, "sourcegraph/frontend", "latest", "two");
    assert_ne!(d1, d2);
    assert_eq!(again, d2);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let c = client(&registry.url, RegistryAuth::Anonymous);
    let mut tags = rt.block_on(c.tags("sourcegraph/frontend")).expect("tags");
    tags.sort();
    assert_eq!(tags, ["5.1.0", "5.1.1", "latest"]);
    assert_eq!(
        rt.block_on(c.digest("sourcegraph/frontend", "5.1.0")),
        Ok(d1)
    );
    assert_eq!(
        rt.block_on(c.digest("sourcegraph/frontend", "latest")),
        Ok(d2.clone())
    );
    assert_eq!(rt.block_on(c.digest("sourcegraph/frontend", &d2)), Ok(d2));

    let host = registry.url.trim_start_matches("http://");
    let err = rt
        .block_on(c.tags("sourcegraph/nope"))
        .expect_err("unknown repository");
    let expected = format!(
        "registry {host} sourcegraph/nope: 404 NAME_UNKNOWN repository name not known to registry"
    );
    assert_eq!(err.message, expected);
    let err = rt
        .block_on(c.digest("sourcegraph/frontend", "9.9.9"))
        .expect_err("unknown tag");
    assert_eq!(
        err.message,
        format!("registry {host} sourcegraph/frontend:9.9.9: 404 Not Found")
    );
    // distribution 2.8 ignores n= (no Link header, every tag in one page)
    // and does not sort the tags.
    let url = format!("{}/v2/sourcegraph/frontend/tags/list?n=2", registry.url);
    let page = http("GET", &url, None, b"");
    assert_eq!((page.status, page.header("link")), (200, None));
    let body: serde_json::Value = serde_json::from_str(&page.body).expect("tags JSON");
    assert_eq!(body["tags"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn bearer_flow_and_pagination_against_fake() {
    let opts = FakeRegistryOptions {
        bearer: Some(("deploy-bot".into(), "hunter2".into())),
        page_size: Some(2),
        ..Default::default()
    };
    let fake = FakeRegistry::start(opts).await.expect("fake registry");
    let digests: Vec<String> = (0..5).map(|i| demo_digest(&i.to_string())).collect();
    let tags: Vec<(&str, &str)> = ["a", "b", "c", "d", "e"]
        .into_iter()
        .zip(digests.iter().map(String::as_str))
        .collect();
    fake.set_tags("sourcegraph/gitserver", &tags);
    let auth = RegistryAuth::Basic {
        username: "deploy-bot".into(),
        password: "hunter2".into(),
    };
    let c = client(&fake.url, auth);
    assert_eq!(
        c.tags("sourcegraph/gitserver").await,
        Ok(["a", "b", "c", "d", "e"].map(String::from).to_vec())
    );
    assert_eq!(
        c.digest("sourcegraph/gitserver", "c").await,
        Ok(digests[2].clone())
    );
    let requests = fake.requests();
    let token_requests = requests
        .iter()
        .filter(|r| r.starts_with("GET /token?"))
        .count();
    assert_eq!(token_requests, 1, "token cached per scope: {requests:?}");
    // 401, token, then 3 pages, then the HEAD.
    assert_eq!(requests.len(), 6, "{requests:?}");
    assert_eq!(
        requests[4],
        "GET /v2/sourcegraph/gitserver/tags/list?n=2&last=d"
    );
}

#[tokio::test]
async fn bounded_limits_concurrency_and_keeps_order() {
    let (now, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let out = bounded((0..20u64).collect(), 3, |i| {
        let (now, peak) = (now.clone(), peak.clone());
        async move {
            peak.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20 - i)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            i * 10
        }
    })
    .await;
    assert_eq!(out, (0..20).map(|i| i * 10).collect::<Vec<_>>());
    assert_eq!(peak.load(Ordering::SeqCst), 3);
    assert_eq!(bounded(vec![1], 0, |x| async move { x }).await, [1]);
}
