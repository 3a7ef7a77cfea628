//! The simulated registry's answers over HTTP, through the fake.

use super::*;

#[tokio::test]
async fn raw_http_shapes() {
    let fake = FakeRegistry::start(FakeRegistryOptions::default())
        .await
        .unwrap();
    let d = demo_digest("x");
    fake.set_tags("org/app", &[("1.0", &d)]);
    let http = reqwest::Client::new();
    let head = http
        .head(format!("{}/v2/org/app/manifests/1.0", fake.url))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["docker-content-digest"], d.as_str());
    assert_eq!(head.headers()["content-type"], MANIFEST_V2);
    assert!(head.bytes().await.unwrap().is_empty());
    let get = http
        .get(format!("{}/v2/org/app/manifests/{d}", fake.url))
        .send()
        .await
        .unwrap();
    let body: Value = get.json().await.unwrap();
    assert_eq!(body["schemaVersion"], 2);
    let missing = http
        .get(format!("{}/v2/org/app/manifests/2.0", fake.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "MANIFEST_UNKNOWN");
    let ping = http.get(format!("{}/v2/", fake.url)).send().await.unwrap();
    assert_eq!(
        ping.headers()["docker-distribution-api-version"],
        "registry/2.0"
    );
    assert_eq!(ping.text().await.unwrap(), "{}");
    let put = http
        .put(format!("{}/v2/org/app/manifests/1.0", fake.url))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 405);
}
