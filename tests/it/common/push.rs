//! Push tiny images to a real `docker-registry` without docker: a config
//! blob and one layer blob (a gzipped tar holding `salt.txt`) via monolithic
//! uploads, then a schema-2 manifest. SHA-256, CRC-32, tar and gzip (stored
//! deflate blocks) are implemented here because the crate has no hashing
//! dependency.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;

const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Pushes a tiny valid image as `repository:tag` and returns the manifest
/// digest (`sha256:…`). `salt` changes the content, so different salts give
/// different digests (and equal salts equal ones).
pub fn push_image(registry_url: &str, repository: &str, tag: &str, salt: &str) -> String {
    let base = registry_url.trim_end_matches('/');
    let tar = tar_file("salt.txt", salt.as_bytes());
    let layer = gzip_stored(&tar);
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": { "Labels": { "opsdeck.test.salt": salt } },
        "rootfs": { "type": "layers", "diff_ids": [digest_of(&tar)] },
    })
    .to_string();
    upload_blob(base, repository, config.as_bytes());
    upload_blob(base, repository, &layer);
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_V2,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": config.len(),
            "digest": digest_of(config.as_bytes()),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": layer.len(),
            "digest": digest_of(&layer),
        }],
    })
    .to_string();
    let url = format!("{base}/v2/{repository}/manifests/{tag}");
    let reply = http("PUT", &url, Some(MANIFEST_V2), manifest.as_bytes());
    assert_eq!(reply.status, 201, "PUT {url}: {}", reply.text());
    let digest = reply
        .header("docker-content-digest")
        .expect("Docker-Content-Digest on manifest PUT");
    assert_eq!(
        digest,
        digest_of(manifest.as_bytes()),
        "registry digest vs ours"
    );
    digest.to_string()
}

/// `POST /v2/<name>/blobs/uploads/` → 202 + `Location`, then a monolithic
/// `PUT <location>&digest=…` → 201.
fn upload_blob(base: &str, repository: &str, bytes: &[u8]) {
    let start = http(
        "POST",
        &format!("{base}/v2/{repository}/blobs/uploads/"),
        None,
        b"",
    );
    assert_eq!(start.status, 202, "start upload: {}", start.text());
    let location = start.header("location").expect("Location of the upload");
    let location = if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location.to_string()
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    let url = format!("{location}{sep}digest={}", digest_of(bytes));
    let done = http("PUT", &url, Some("application/octet-stream"), bytes);
    assert_eq!(done.status, 201, "PUT blob: {}", done.text());
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.0 request (`Connection: close`, body read to EOF), keeping headers.
fn http(method: &str, url: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
    let rest = url.strip_prefix("http://").expect("http:// URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    let mut head = format!(
        "{method} {} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        if path.is_empty() { "/" } else { path },
        body.len()
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of response headers");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok());
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status: status.expect("HTTP status"),
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// `sha256:<hex>` of `data`.
pub fn digest_of(data: &[u8]) -> String {
    let hex: String = sha256(data).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// SHA-256 (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&(data.len() as u64 * 8).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let [a, b, c, d, e, f, g, hh] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let t2 = s0.wrapping_add((a & b) ^ (a & c) ^ (b & c));
            v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
        }
        for (x, y) in h.iter_mut().zip(v) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// CRC-32 (IEEE, as in gzip).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ustar archive holding one regular file.
fn tar_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    let mut put = |at: usize, field: &[u8]| header[at..at + field.len()].copy_from_slice(field);
    put(0, name.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{:011o}\0", content.len()).as_bytes());
    put(136, b"00000000000\0");
    put(148, b"        ");
    put(156, b"0");
    put(257, b"ustar\x0000");
    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(content);
    out.resize(out.len().div_ceil(512) * 512 + 1024, 0);
    out
}

/// gzip of `data` using uncompressed (stored) deflate blocks.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let blocks: Vec<&[u8]> = data.chunks(0xffff).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use opsdeck::demo::registry::{FakeRegistry, FakeRegistryOptions, demo_digest};
    use opsdeck::deploy::registry::{RegistryAuth, RegistryClient, bounded};

    use super::*;
    use crate::common::servers::DockerRegistry;

    fn client(url: &str, auth: RegistryAuth) -> RegistryClient {
        RegistryClient::new(url, auth, Duration::from_secs(10)).expect("client")
    }

    #[test]
    fn sha256_and_crc32_known_vectors() {
        let hex = |d: &[u8]| digest_of(d)[7..].to_string();
        assert_eq!(
            hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn layer_is_a_valid_tar_gz() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("layer.tar.gz");
        std::fs::write(&path, gzip_stored(&tar_file("salt.txt", b"pepper"))).expect("write");
        let out = std::process::Command::new("tar")
            .arg("-xzOf")
            .arg(&path)
            .output()
            .expect("run tar");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.stdout, b"pepper");
    }

    /// The client against distribution 2.8 itself.
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
        let body: serde_json::Value = serde_json::from_slice(&page.body).expect("tags JSON");
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
}
