//! Push tiny images to a real `docker-registry` without docker: a config
//! blob and one layer blob (a gzipped tar holding `salt.txt`) via monolithic
//! uploads, then a schema-2 manifest. Digests are SHA-256 (`sha2`), the
//! layer is built with `tar` and `flate2`.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::http::{HttpResponse, http_request};

const MANIFEST_V2: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Pushes a tiny valid image as `repository:tag` and returns the manifest
/// digest (`sha256:…`). `salt` changes the content, so different salts give
/// different digests (and equal salts equal ones).
pub fn push_image(registry_url: &str, repository: &str, tag: &str, salt: &str) -> String {
    let base = registry_url.trim_end_matches('/');
    let tar = tar_file("salt.txt", salt.as_bytes());
    let layer = gzip(&tar);
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
    assert_eq!(reply.status, 201, "PUT {url}: {}", reply.body);
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
    assert_eq!(start.status, 202, "start upload: {}", start.body);
    let location = start.header("location").expect("Location of the upload");
    let location = if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location.to_string()
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    let url = format!("{location}{sep}digest={}", digest_of(bytes));
    let done = http("PUT", &url, Some("application/octet-stream"), bytes);
    assert_eq!(done.status, 201, "PUT blob: {}", done.body);
}

/// One request with a (possibly empty) body; panics on transport errors.
pub fn http(method: &str, url: &str, content_type: Option<&str>, body: &[u8]) -> HttpResponse {
    let payload = match content_type {
        Some(content_type) => Some((content_type, body)),
        None if body.is_empty() => None,
        None => Some(("application/octet-stream", body)),
    };
    http_request(method, url, payload).unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// `sha256:<hex>` of `data`.
pub fn digest_of(data: &[u8]) -> String {
    let hex: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// A ustar archive holding one regular file (mode 0644, owned by root,
/// mtime 0), so equal contents give equal archives.
fn tar_file(name: &str, content: &[u8]) -> Vec<u8> {
    let mut header = tar::Header::new_ustar();
    header.set_size(content.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    let mut archive = tar::Builder::new(Vec::new());
    archive
        .append_data(&mut header, name, content)
        .expect("tar entry");
    archive.into_inner().expect("tar archive")
}

/// gzip of `data` (no file name, mtime 0: deterministic).
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // The gzip trailer: CRC-32 (IEEE) of the data, then its length.
        let gz = gzip(b"123456789");
        let trailer = &gz[gz.len() - 8..];
        let crc32 = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        assert_eq!(crc32, 0xcbf4_3926);
    }

    #[test]
    fn layer_is_a_valid_tar_gz() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("layer.tar.gz");
        std::fs::write(&path, gzip(&tar_file("salt.txt", b"pepper"))).expect("write");
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
}
