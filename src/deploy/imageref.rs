//! Container image references: `[host[:port]/]path[:tag][@algo:hex]`.
//!
//! The grammar follows Docker's reference grammar (distribution/reference):
//! the first path component is a registry host when it contains `.` or `:`
//! or is `localhost`; otherwise the image lives on Docker Hub (`docker.io`),
//! where a single-component path is an official image under `library/`.
//! Pure: no I/O.

use std::fmt;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host (with port) as written, or `docker.io` when implicit.
    pub host: String,
    /// Repository path, e.g. `sourcegraph/frontend` or `library/redis`.
    pub repository: String,
    /// Tag, e.g. `3.22.0`.
    pub tag: Option<String>,
    /// Digest, e.g. `sha256:<64 hex>`.
    pub digest: Option<String>,
}

/// Docker Hub's canonical host name.
pub const DOCKER_HUB: &str = "docker.io";

/// Maximum length of `host/repository` (Docker's `NameTotalLengthMax`).
const NAME_MAX: usize = 255;

/// An image reference that does not follow the grammar; `Display` is the
/// sentence naming the input: `invalid image reference "…": …`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference \"{input}\": {problem}")]
pub struct ImageRefError {
    /// The reference as written.
    pub input: String,
    /// What is wrong with it.
    pub problem: RefProblem,
}

/// What is wrong with an image reference, or with its digest or host alone
/// ([`check_digest`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefProblem {
    /// Nothing at all.
    #[error("it is empty")]
    Empty,
    /// Whitespace or a control character.
    #[error("it contains the character {0:?}")]
    Character(char),
    /// Two or more `@`.
    #[error("it contains more than one '@'")]
    SeveralAts,
    /// A tag outside `[\w][\w.-]{0,127}`.
    #[error("tag \"{0}\" must be 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-'")]
    Tag(String),
    /// A digest without `algo:`.
    #[error("digest \"{0}\" has no algorithm (expected algo:hex)")]
    DigestWithoutAlgorithm(String),
    /// A digest algorithm that is not letters/digits separated by `+._-`.
    #[error("digest algorithm \"{0}\" is malformed")]
    DigestAlgorithm(String),
    /// A known algorithm's hex of the wrong length or case.
    #[error("{algorithm} digest must be {length} lowercase hex digits, got \"{hex}\"")]
    DigestLength {
        /// `sha256`, `sha384` or `sha512`.
        algorithm: String,
        /// The hex digits it needs.
        length: usize,
        /// The hex as written.
        hex: String,
    },
    /// Another algorithm's hex with fewer than 32 digits (or not hex).
    #[error("digest \"{0}\" must have at least 32 hex digits")]
    DigestTooShort(String),
    /// Nothing before `:tag` / `@digest`.
    #[error("the repository name is empty")]
    EmptyName,
    /// `host/repository` longer than Docker allows.
    #[error("the name is longer than {NAME_MAX} characters")]
    NameTooLong,
    /// `[` without `]` in the host.
    #[error("host \"{0}\" has an unclosed '['")]
    HostBracket(String),
    /// `[…]` that is not an IPv6 address.
    #[error("host \"{0}\" is not a valid IPv6 address")]
    HostIpv6(String),
    /// Something after `[…]` other than `:port`.
    #[error("host \"{0}\" is malformed")]
    HostMalformed(String),
    /// A port that is not 1-5 digits.
    #[error("port \"{port}\" of host \"{host}\" is not a number")]
    HostPort {
        /// The port as written.
        port: String,
        /// The host as written.
        host: String,
    },
    /// A host name with an empty or invalid label.
    #[error("host \"{0}\" is not a valid host name")]
    HostName(String),
    /// Nothing after the host.
    #[error("the repository path is empty")]
    EmptyPath,
    /// `a//b`.
    #[error("the repository path has an empty component")]
    EmptyComponent,
    /// A path component with uppercase letters.
    #[error("repository name component \"{0}\" must be lowercase")]
    Uppercase(String),
    /// A path component outside Docker's grammar.
    #[error(
        "repository name component \"{0}\" must be [a-z0-9] groups separated by '.', '_', '__' or '-'"
    )]
    Component(String),
}

/// Byte offsets of the parts of a raw reference: `name[:tag][@digest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawParts {
    /// End of the name (`host/path`), i.e. start of `:tag`, `@digest` or end.
    pub name_end: usize,
    /// Byte range of the tag text (after the `:`), if any.
    pub tag: Option<(usize, usize)>,
    /// Byte range of the digest text (after the `@`), if any.
    pub digest: Option<(usize, usize)>,
}

/// Splits a raw reference into name, tag and digest without validating
/// them. The tag colon is the last `:` after the last `/` of the part before
/// `@` (so `localhost:5000/x` has no tag).
pub fn split_raw(raw: &str) -> RawParts {
    let (before, digest) = match raw.find('@') {
        Some(at) => (&raw[..at], Some((at + 1, raw.len()))),
        None => (raw, None),
    };
    let last_slash = before.rfind('/').map_or(0, |i| i + 1);
    match before[last_slash..].rfind(':') {
        Some(c) => {
            let colon = last_slash + c;
            RawParts {
                name_end: colon,
                tag: Some((colon + 1, before.len())),
                digest,
            }
        }
        None => RawParts {
            name_end: before.len(),
            tag: None,
            digest,
        },
    }
}

/// Whether `tag` matches `[\w][\w.-]{0,127}`.
pub fn is_valid_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    match chars.next() {
        Some(c) if word(c) => {}
        _ => return false,
    }
    tag.len() <= 128 && chars.all(|c| word(c) || c == '.' || c == '-')
}

/// Checks a digest: `sha256:` + 64 lowercase hex, `sha512:` + 128 lowercase
/// hex, or generally `algo:hex` with at least 32 hex digits, where `algo` is
/// letters/digits separated by `+._-`.
pub fn check_digest(digest: &str) -> Result<(), RefProblem> {
    let Some((algo, hex)) = digest.split_once(':') else {
        return Err(RefProblem::DigestWithoutAlgorithm(digest.to_owned()));
    };
    let algo_ok = !algo.is_empty()
        && algo.split(['+', '.', '_', '-']).all(|part| {
            let mut cs = part.chars();
            matches!(cs.next(), Some(c) if c.is_ascii_alphabetic())
                && cs.all(|c| c.is_ascii_alphanumeric())
        });
    if !algo_ok {
        return Err(RefProblem::DigestAlgorithm(algo.to_owned()));
    }
    let lower_hex = |s: &str| s.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    let want = match algo {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    match want {
        Some(n) if hex.len() != n || !lower_hex(hex) => Err(RefProblem::DigestLength {
            algorithm: algo.to_owned(),
            length: n,
            hex: hex.to_owned(),
        }),
        None if hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            Err(RefProblem::DigestTooShort(digest.to_owned()))
        }
        _ => Ok(()),
    }
}

/// `[a-z0-9]+` groups separated by `.`, `_`, `__` or one or more `-`.
fn is_valid_path_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `host[:port]` where host is a DNS name, an IPv4 address or `[IPv6]`.
fn check_host(host: &str) -> Result<(), RefProblem> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(RefProblem::HostBracket(host.to_owned()));
        };
        let v6 = &rest[..close];
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(RefProblem::HostIpv6(host.to_owned()));
        }
        let after = &rest[close + 1..];
        match after.strip_prefix(':') {
            Some(p) => (None, Some(p)),
            None if after.is_empty() => (None, None),
            None => return Err(RefProblem::HostMalformed(host.to_owned())),
        }
    } else {
        match host.split_once(':') {
            Some((n, p)) => (Some(n), Some(p)),
            None => (Some(host), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(RefProblem::HostPort {
            port: p.to_owned(),
            host: host.to_owned(),
        });
    }
    if let Some(n) = name {
        let label_ok = |l: &str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !n.split('.').all(label_ok) {
            return Err(RefProblem::HostName(host.to_owned()));
        }
    }
    Ok(())
}

impl ImageRef {
    /// Parses `[host[:port]/]path[:tag][@algo:hex]` like Docker's reference
    /// grammar. Errors are sentences naming the input.
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        let fail = |problem: RefProblem| ImageRefError {
            input: s.to_owned(),
            problem,
        };
        if s.is_empty() {
            return Err(fail(RefProblem::Empty));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail(RefProblem::Character(c)));
        }
        if s.matches('@').count() > 1 {
            return Err(fail(RefProblem::SeveralAts));
        }
        let parts = split_raw(s);
        let name = &s[..parts.name_end];
        let tag = parts.tag.map(|(a, b)| &s[a..b]);
        let digest = parts.digest.map(|(a, b)| &s[a..b]);
        if let Some(t) = tag
            && !is_valid_tag(t)
        {
            return Err(fail(RefProblem::Tag(t.to_owned())));
        }
        if let Some(d) = digest {
            check_digest(d).map_err(fail)?;
        }
        if name.is_empty() {
            return Err(fail(RefProblem::EmptyName));
        }
        if name.len() > NAME_MAX {
            return Err(fail(RefProblem::NameTooLong));
        }
        let (host, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                check_host(first).map_err(fail)?;
                (first, rest)
            }
            _ => (DOCKER_HUB, name),
        };
        if path.is_empty() {
            return Err(fail(RefProblem::EmptyPath));
        }
        for comp in path.split('/') {
            if comp.is_empty() {
                return Err(fail(RefProblem::EmptyComponent));
            }
            if comp.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(fail(RefProblem::Uppercase(comp.to_owned())));
            }
            if !is_valid_path_component(comp) {
                return Err(fail(RefProblem::Component(comp.to_owned())));
            }
        }
        let mut repository = path.to_string();
        if canonicalize_host(host) == DOCKER_HUB && !path.contains('/') {
            repository = format!("library/{path}");
        }
        Ok(ImageRef {
            host: host.to_string(),
            repository,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// The host with Docker Hub aliases collapsed to `docker.io`; others
    /// lowercased.
    pub fn canonical_host(&self) -> String {
        canonicalize_host(&self.host)
    }

    /// `canonical_host/repository`: the key for registry lookups.
    pub fn key(&self) -> String {
        format!("{}/{}", self.canonical_host(), self.repository)
    }
}

fn canonicalize_host(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    match lower.as_str() {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
        _ => lower,
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.host, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn sourcegraph_pin() {
        let r = p(&format!("index.docker.io/sourcegraph/frontend:3.22.0@{D}"));
        assert_eq!(r.host, "index.docker.io");
        assert_eq!(r.repository, "sourcegraph/frontend");
        assert_eq!(r.tag.as_deref(), Some("3.22.0"));
        assert_eq!(r.digest.as_deref(), Some(D));
        assert_eq!(r.canonical_host(), "docker.io");
        assert_eq!(r.key(), "docker.io/sourcegraph/frontend");
        assert_eq!(
            r.to_string(),
            format!("index.docker.io/sourcegraph/frontend:3.22.0@{D}")
        );
    }

    #[test]
    fn implicit_hub() {
        let r = p("sourcegraph/frontend:insiders");
        assert_eq!(
            (r.host.as_str(), r.repository.as_str()),
            ("docker.io", "sourcegraph/frontend")
        );
        assert_eq!(r.tag.as_deref(), Some("insiders"));
        let r = p("redis:5.0");
        assert_eq!(r.repository, "library/redis");
        assert_eq!(r.key(), "docker.io/library/redis");
        assert_eq!(r.to_string(), "docker.io/library/redis:5.0");
        assert_eq!(p("docker.io/redis").key(), "docker.io/library/redis");
        assert_eq!(p("registry-1.docker.io/a/b").key(), "docker.io/a/b");
        assert_eq!(p("Index.Docker.IO/a/b").key(), "docker.io/a/b");
    }

    #[test]
    fn hosts_and_ports() {
        let r = p("localhost:5000/a/b:1");
        assert_eq!(
            (r.host.as_str(), r.repository.as_str()),
            ("localhost:5000", "a/b")
        );
        assert_eq!(r.tag.as_deref(), Some("1"));
        let r = p(&format!("127.0.0.1:5000/x@{D}"));
        assert_eq!(
            (r.host.as_str(), r.repository.as_str()),
            ("127.0.0.1:5000", "x")
        );
        assert_eq!((r.tag, r.digest.as_deref()), (None, Some(D)));
        let r = p("ghcr.io/org/img");
        assert_eq!(
            (r.key().as_str(), r.tag, r.digest),
            ("ghcr.io/org/img", None, None)
        );
        assert_eq!(p("localhost/x").key(), "localhost/x");
        assert_eq!(p("[::1]:5000/x:2").host, "[::1]:5000");
        assert_eq!(p("GHCR.io/o/i").key(), "ghcr.io/o/i");
        assert_eq!(
            p("a/b/c/d_e__f-g--h.i:v1.2_x-y").repository,
            "a/b/c/d_e__f-g--h.i"
        );
    }

    #[test]
    fn invalid() {
        for bad in [
            "",
            "Foo/bar",
            "foo:",
            "foo:-x",
            "foo:.x",
            "foo@sha256:abc",
            "foo@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "foo@@sha256:x",
            "foo bar",
            "{{ .Values.image }}",
            "ghcr.io/",
            "ghcr.io//x",
            "a//b",
            "-a/b",
            "a_/b",
            "a.__b",
            "host:port/x",
            "a:b:c",
            &format!("x:{}", "t".repeat(129)),
        ] {
            let err = ImageRef::parse(bad).expect_err(bad).to_string();
            assert!(
                err.starts_with(&format!("invalid image reference \"{bad}\": ")),
                "{err}"
            );
        }
        assert!(ImageRef::parse(&format!("x:{}", "t".repeat(128))).is_ok());
        assert!(ImageRef::parse("x@sha512:0123456789abcdef0123456789abcdef").is_err());
        assert!(ImageRef::parse("x@blake3+v1:0123456789abcdef0123456789abcdef").is_ok());
    }

    #[test]
    fn split_raw_parts() {
        let s = "localhost:5000/a:1@sha256:x";
        let parts = split_raw(s);
        assert_eq!(&s[..parts.name_end], "localhost:5000/a");
        assert_eq!(parts.tag.map(|(a, b)| &s[a..b]), Some("1"));
        assert_eq!(parts.digest.map(|(a, b)| &s[a..b]), Some("sha256:x"));
        assert_eq!(split_raw("localhost:5000/a").tag, None);
    }
}
