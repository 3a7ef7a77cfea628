//! Rewrites exactly the text of image pins and shows the change as a
//! unified diff. Everything outside the edited spans is kept byte for byte.
//! Pure: no I/O.

use std::ops::Range;

use super::imageref::{ImageRef, ImageRefError, RefProblem, check_digest, is_valid_tag, split_raw};

/// Why a pin's text could not be rewritten; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpliceError {
    /// The pin as written is not an image reference.
    #[error("cannot bump: {0}")]
    Pin(ImageRefError),
    /// The new tag or digest is not valid ([`RefProblem::Tag`] or a digest
    /// problem).
    #[error("cannot bump \"{raw}\": {problem}")]
    Target {
        /// The pin as written.
        raw: String,
        /// What is wrong with the new tag or digest.
        problem: RefProblem,
    },
    /// A tag bump of a field pin that has no tag field (a kustomize entry
    /// with only `digest`).
    #[error("cannot bump {0}: it has no tag field to write the new tag in")]
    NoTagField(String),
    /// A digest-only bump of a pin that has no digest.
    #[error("cannot re-pin \"{0}\": it has no digest")]
    NoDigest(String),
    /// An edit's span is not inside the text: the file changed.
    #[error("edit at bytes {start}..{end} is outside the file ({len} bytes): the file changed")]
    Outside {
        /// The span's start.
        start: usize,
        /// The span's end.
        end: usize,
        /// The text's length.
        len: usize,
    },
    /// Two edits overlap.
    #[error("edit at bytes {start}..{end} (line {line}) overlaps another edit")]
    Overlap {
        /// The span's start.
        start: usize,
        /// The span's end.
        end: usize,
        /// Its 1-based line.
        line: usize,
    },
    /// The span no longer holds the text the edit expects: the file changed.
    #[error(
        "line {line}, bytes {start}..{end}: expected {expected:?} but found {:?}: the file changed",
        .found.as_deref().unwrap_or("(not at a character boundary)")
    )]
    Changed {
        /// Its 1-based line.
        line: usize,
        /// The span's start.
        start: usize,
        /// The span's end.
        end: usize,
        /// The text the edit expects.
        expected: String,
        /// What the span holds; `None` when it does not fall on character
        /// boundaries.
        found: Option<String>,
    },
}

/// Text of a pin after a bump: the host/repository text exactly as written,
/// then `:tag`, then `@digest` when given (an old digest is replaced, or
/// removed when `digest` is None). A pin without a tag gets one.
pub fn bumped(raw: &str, tag: &str, digest: Option<&str>) -> Result<String, SpliceError> {
    ImageRef::parse(raw).map_err(SpliceError::Pin)?;
    let target = |problem: RefProblem| SpliceError::Target {
        raw: raw.to_owned(),
        problem,
    };
    if !is_valid_tag(tag) {
        return Err(target(RefProblem::Tag(tag.to_owned())));
    }
    if let Some(d) = digest {
        check_digest(d).map_err(target)?;
    }
    let name = &raw[..split_raw(raw).name_end];
    Ok(match digest {
        Some(d) => format!("{name}:{tag}@{d}"),
        None => format!("{name}:{tag}"),
    })
}

/// Text of a pin with only its digest replaced: the name and the tag stay
/// exactly as written (a channel pin, `…/lang-go:insiders@sha256:…`).
pub fn redigested(raw: &str, digest: &str) -> Result<String, SpliceError> {
    ImageRef::parse(raw).map_err(SpliceError::Pin)?;
    check_digest(digest).map_err(|problem| SpliceError::Target {
        raw: raw.to_owned(),
        problem,
    })?;
    let Some((start, end)) = split_raw(raw).digest else {
        return Err(SpliceError::NoDigest(raw.to_owned()));
    };
    Ok(format!("{}{digest}{}", &raw[..start], &raw[end..]))
}

/// Replace `span` (which must currently hold `expect`) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub expect: String,
    pub replacement: String,
}

fn line_of(text: &str, byte: usize) -> usize {
    text.as_bytes()[..byte.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Applies non-overlapping edits (in any order) to `text`. Each span must
/// currently hold its `expect` text, else the file changed since it was
/// scanned and nothing is applied.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, SpliceError> {
    let mut order: Vec<&Edit> = edits.iter().collect();
    order.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in order {
        let Range { start, end } = e.span;
        if start > end || end > text.len() {
            let len = text.len();
            return Err(SpliceError::Outside { start, end, len });
        }
        if start < at {
            let line = line_of(text, start);
            return Err(SpliceError::Overlap { start, end, line });
        }
        match text.get(start..end) {
            Some(found) if found == e.expect => {}
            found => {
                return Err(SpliceError::Changed {
                    line: line_of(text, start),
                    start,
                    end,
                    expected: e.expect.clone(),
                    found: found.map(str::to_owned),
                });
            }
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// One line-level diff operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal,
    Delete,
    Insert,
}

/// Beyond this many differences, the changed middle is shown as a whole
/// deletion plus insertion (keeps Myers' trace memory bounded).
const MAX_D: usize = 1000;

/// Myers' O((N+M)D) diff of two line slices.
fn myers(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let idx = |k: isize| (k + off) as usize;
    // trace[d] = v[-d-1..=d+1] before round d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let mut found = None;
    'outer: for d in 0..=(max as isize) {
        if d as usize > MAX_D {
            break;
        }
        trace.push(v[idx(-d - 1)..=idx(d + 1)].to_vec());
        for k in (-d..=d).step_by(2) {
            let mut x = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                found = Some(d);
                break 'outer;
            }
        }
    }
    let Some(dmax) = found else {
        let mut ops = vec![Op::Delete; a.len()];
        ops.extend(std::iter::repeat_n(Op::Insert, b.len()));
        return ops;
    };
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..=dmax).rev() {
        let snap = &trace[d as usize];
        let get = |k: isize| snap[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let (prev_x, prev_y) = if d == 0 {
            (0, 0)
        } else {
            (get(prev_k), get(prev_k) - prev_k)
        };
        while x > prev_x && y > prev_y {
            ops.push(Op::Equal);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            ops.push(if x == prev_x { Op::Insert } else { Op::Delete });
        }
        (x, y) = (prev_x, prev_y);
    }
    ops.reverse();
    ops
}

/// Line-level edit script: common prefix/suffix trimmed, Myers in between.
fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Op> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut ops = vec![Op::Equal; pre];
    ops.extend(myers(&a[pre..a.len() - suf], &b[pre..b.len() - suf]));
    ops.extend(std::iter::repeat_n(Op::Equal, suf));
    ops
}

const CONTEXT: usize = 2;

fn range_header(start: usize, count: usize) -> String {
    match count {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{count}", start + 1),
    }
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    let body = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l));
    match body {
        Some(b) => {
            out.push_str(b);
            out.push('\n');
        }
        None => {
            out.push_str(line);
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// A unified diff (`--- a/path`, `+++ b/path`, `@@ -l,n +l,n @@` hunks with
/// two lines of context; a count of 1 is omitted as in GNU diff and git).
/// Line-based; lines are shown without `\r`. Empty when the texts are equal.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = diff_lines(&a, &b);
    // Position in a and b before each op.
    let mut pos = Vec::with_capacity(ops.len() + 1);
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        pos.push((i, j));
        match op {
            Op::Equal => (i, j) = (i + 1, j + 1),
            Op::Delete => i += 1,
            Op::Insert => j += 1,
        }
    }
    let changes: Vec<usize> = (0..ops.len()).filter(|&k| ops[k] != Op::Equal).collect();
    if changes.is_empty() {
        return String::new();
    }
    let mut hunks: Vec<(usize, usize)> = Vec::new(); // op index ranges, inclusive
    for &c in &changes {
        match hunks.last_mut() {
            Some((_, last)) if c - *last - 1 <= 2 * CONTEXT => *last = c,
            _ => hunks.push((c, c)),
        }
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for (first, last) in hunks {
        let lo = first.saturating_sub(CONTEXT);
        let hi = (last + CONTEXT).min(ops.len() - 1);
        let span = &ops[lo..=hi];
        let old_n = span.iter().filter(|o| **o != Op::Insert).count();
        let new_n = span.iter().filter(|o| **o != Op::Delete).count();
        let (a0, b0) = pos[lo];
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range_header(a0, old_n),
            range_header(b0, new_n)
        ));
        for (k, op) in span.iter().enumerate() {
            let (ai, bi) = pos[lo + k];
            match op {
                Op::Equal => push_line(&mut out, ' ', a[ai]),
                Op::Delete => push_line(&mut out, '-', a[ai]),
                Op::Insert => push_line(&mut out, '+', b[bi]),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::scan::{PinRef, scan_file};
    use proptest::prelude::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn redigested_replaces_only_the_digest() {
        let raw = format!("index.docker.io/sourcegraph/lang-go:insiders@{D1}");
        assert_eq!(
            redigested(&raw, D2).unwrap(),
            format!("index.docker.io/sourcegraph/lang-go:insiders@{D2}")
        );
        // Whatever spelling the host and tag have, it is kept.
        let raw = format!("Index.Docker.IO/sourcegraph/x:Main_1@{D1}");
        assert_eq!(
            redigested(&raw, D2).unwrap(),
            format!("Index.Docker.IO/sourcegraph/x:Main_1@{D2}")
        );
        let raw = format!("localhost:5000/x@{D1}");
        assert_eq!(
            redigested(&raw, D2).unwrap(),
            format!("localhost:5000/x@{D2}")
        );
        assert_eq!(
            redigested("x:insiders", D2).unwrap_err().to_string(),
            "cannot re-pin \"x:insiders\": it has no digest"
        );
        assert!(matches!(
            redigested(&format!("x:insiders@{D1}"), "sha256:abc"),
            Err(SpliceError::Target { .. })
        ));
    }

    fn bump_edit(pin: &PinRef, tag: &str, digest: Option<&str>) -> Edit {
        Edit {
            span: pin.span.clone(),
            expect: pin.raw.clone(),
            replacement: bumped(&pin.raw, tag, digest).unwrap(),
        }
    }

    #[test]
    fn bumped_text() {
        let old = format!("index.docker.io/sourcegraph/frontend:3.22.0@{D1}");
        let want = format!("index.docker.io/sourcegraph/frontend:3.23.0@{D2}");
        assert_eq!(bumped(&old, "3.23.0", Some(D2)).unwrap(), want);
        assert_eq!(
            bumped(&old, "3.23.0", None).unwrap(),
            "index.docker.io/sourcegraph/frontend:3.23.0"
        );
        assert!(
            bumped("Sourcegraph/frontend", "2", None)
                .unwrap_err()
                .to_string()
                .contains("lowercase")
        );
        assert_eq!(
            bumped("Localhost:5000/a/b", "2", None).unwrap(),
            "Localhost:5000/a/b:2"
        );
        assert_eq!(
            bumped("localhost:5000/a/b", "2", Some(D1)).unwrap(),
            format!("localhost:5000/a/b:2@{D1}")
        );
        assert_eq!(
            bumped(&format!("redis@{D1}"), "6.0", Some(D2)).unwrap(),
            format!("redis:6.0@{D2}")
        );
        assert!(bumped("redis", "-x", None).is_err());
        assert!(bumped("redis", "6", Some("sha256:abc")).is_err());
        assert!(bumped("{{ x }}", "6", None).is_err());
    }

    #[test]
    fn bump_keeps_comments_quotes_indentation() {
        let text = format!(
            "# frontend ✓\nspec:\n  containers:\n    - name: fe\n      image: \"index.docker.io/sourcegraph/frontend:3.22.0@{D1}\"  # bot\n    - name: r\n      image: 'redis:5.0' # keep\n"
        );
        let pins = scan_file("f.yaml", &text).unwrap().pins;
        let edits: Vec<Edit> = vec![
            bump_edit(&pins[1], "5.0.9", None),
            bump_edit(&pins[0], "3.23.0", Some(D2)),
        ];
        let out = apply(&text, &edits).unwrap();
        assert_eq!(
            out,
            format!(
                "# frontend ✓\nspec:\n  containers:\n    - name: fe\n      image: \"index.docker.io/sourcegraph/frontend:3.23.0@{D2}\"  # bot\n    - name: r\n      image: 'redis:5.0.9' # keep\n"
            )
        );
    }

    #[test]
    fn apply_rejects_changed_or_overlapping_spans() {
        let text = "image: redis:5.0\n";
        let ok = Edit {
            span: 7..16,
            expect: "redis:5.0".into(),
            replacement: "redis:6.0".into(),
        };
        assert_eq!(
            apply(text, std::slice::from_ref(&ok)).unwrap(),
            "image: redis:6.0\n"
        );
        let err = apply("image: redis:5.1\n", std::slice::from_ref(&ok))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("the file changed"),
            "{err}"
        );
        assert!(
            apply("image: r\n", std::slice::from_ref(&ok))
                .unwrap_err()
                .to_string()
                .contains("outside")
        );
        let other = Edit {
            span: 10..12,
            expect: "is".into(),
            replacement: String::new(),
        };
        assert!(
            apply(text, &[ok.clone(), other])
                .unwrap_err()
                .to_string()
                .contains("overlaps")
        );
        let bad = Edit {
            span: 1..2,
            expect: "x".into(),
            replacement: String::new(),
        };
        assert!(
            apply("é", &[bad])
                .unwrap_err()
                .to_string()
                .contains("character boundary")
        );
        assert_eq!(apply(text, &[]).unwrap(), text);
    }

    #[test]
    fn unified_diff_of_two_pin_bump() {
        let old = "\
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: frontend
        image: sourcegraph/frontend:3.22.0 # pinned
        ports: [80]
      - name: jaeger
        image: sourcegraph/jaeger-agent:3.22.0
        args: []
      - name: other
        env: []
        volumeMounts: []
        resources: {}
        image: redis:5.0
";
        let pins = scan_file("base/frontend.yaml", old).unwrap().pins;
        let edits = [
            bump_edit(&pins[0], "3.23.0", None),
            bump_edit(&pins[2], "6.0", None),
        ];
        let new = apply(old, &edits).unwrap();
        let want = "\
--- a/base/frontend.yaml
+++ b/base/frontend.yaml
@@ -5,5 +5,5 @@
       containers:
       - name: frontend
-        image: sourcegraph/frontend:3.22.0 # pinned
+        image: sourcegraph/frontend:3.23.0 # pinned
         ports: [80]
       - name: jaeger
@@ -14,3 +14,3 @@
         volumeMounts: []
         resources: {}
-        image: redis:5.0
+        image: redis:6.0
";
        assert_eq!(unified_diff("base/frontend.yaml", old, &new), want);
        assert_eq!(unified_diff("x", old, old), "");
    }

    #[test]
    fn unified_diff_crlf_merged_hunks_and_eof() {
        let old = "a\r\nb\r\nc\r\nd\r\ne\r\n";
        let new = "a\r\nB\r\nc\r\nd\r\nE\r\n";
        assert_eq!(
            unified_diff("p", old, new),
            "--- a/p\n+++ b/p\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n-e\n+E\n"
        );
        assert_eq!(
            unified_diff("p", "x\ny", "x\nz\n"),
            "--- a/p\n+++ b/p\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n"
        );
        assert_eq!(
            unified_diff("p", "", "a\n"),
            "--- a/p\n+++ b/p\n@@ -0,0 +1 @@\n+a\n"
        );
        assert_eq!(
            unified_diff("p", "a\nb\nc\n", "a\nc\n"),
            "--- a/p\n+++ b/p\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"
        );
        let old: String = (0..30).map(|i| format!("{i}\n")).collect();
        let new: String = (0..30)
            .map(|i| match i {
                3 => "three\n".to_string(),
                20 => String::new(),
                24 => "24\nx\n".to_string(),
                _ => format!("{i}\n"),
            })
            .collect();
        assert_eq!(
            unified_diff("p", &old, &new),
            "--- a/p\n+++ b/p\n@@ -2,5 +2,5 @@\n 1\n 2\n-3\n+three\n 4\n 5\n\
             @@ -19,9 +19,9 @@\n 18\n 19\n-20\n 21\n 22\n 23\n 24\n+x\n 25\n 26\n"
        );
    }

    /// Length of the longest common subsequence (reference for Myers).
    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] {
                    t[i + 1][j + 1] + 1
                } else {
                    t[i + 1][j].max(t[i][j + 1])
                };
            }
        }
        t[0][0]
    }

    #[test]
    fn diff_falls_back_beyond_max_d() {
        let a: Vec<String> = (0..600).map(|i| format!("a{i}\n")).collect();
        let b: Vec<String> = (0..600).map(|i| format!("b{i}\n")).collect();
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let b: Vec<&str> = b.iter().map(String::as_str).collect();
        let ops = diff_lines(&a, &b);
        assert_eq!(ops.len(), 1200);
        assert!(
            ops[..600].iter().all(|o| *o == Op::Delete)
                && ops[600..].iter().all(|o| *o == Op::Insert)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The edit script turns a into b and is minimal.
        #[test]
        fn myers_is_a_minimal_edit_script(
            a in prop::collection::vec(prop::sample::select(vec!["x\n", "y\n", "z\n"]), 0..12),
            b in prop::collection::vec(prop::sample::select(vec!["x\n", "y\n", "z\n"]), 0..12),
        ) {
            let ops = diff_lines(&a, &b);
            let (mut i, mut j, mut rebuilt) = (0, 0, Vec::new());
            for op in &ops {
                match op {
                    Op::Equal => { prop_assert_eq!(a[i], b[j]); rebuilt.push(a[i]); i += 1; j += 1; }
                    Op::Delete => i += 1,
                    Op::Insert => { rebuilt.push(b[j]); j += 1; }
                }
            }
            prop_assert_eq!((i, &rebuilt), (a.len(), &b));
            let equal = ops.iter().filter(|o| **o == Op::Equal).count();
            prop_assert_eq!(equal, lcs(&a, &b));
        }
    }

    /// Image references from a small grammar.
    fn image_strategy() -> impl Strategy<Value = String> {
        let host = prop::sample::select(vec![
            "",
            "index.docker.io/",
            "ghcr.io/",
            "localhost:5000/",
            "10.0.0.1:443/",
        ]);
        let repo = prop::sample::select(vec![
            "sourcegraph/frontend",
            "redis",
            "org/team/img",
            "a-b/c_d.e",
        ]);
        let tag = prop::option::of("[a-z0-9][a-z0-9._-]{0,10}");
        let digest = prop::option::of("[0-9a-f]{64}");
        (host, repo, tag, digest).prop_map(|(h, r, t, d)| {
            let mut s = format!("{h}{r}");
            if let Some(t) = t {
                s = format!("{s}:{t}");
            }
            if let Some(d) = d {
                s = format!("{s}@sha256:{d}");
            }
            s
        })
    }

    #[derive(Debug, Clone)]
    struct Container {
        image: String,
        quote: u8,
        comment: Option<&'static str>,
        name_first: bool,
    }

    fn container_strategy() -> impl Strategy<Value = Container> {
        let comment = prop::option::of(prop::sample::select(vec![
            "# pinned",
            "# ünïcödé 🚀",
            "#image: x:1",
            "# 'q' \"d\"",
        ]));
        (image_strategy(), 0u8..3, comment, any::<bool>()).prop_map(
            |(image, quote, comment, name_first)| Container {
                image,
                quote,
                comment,
                name_first,
            },
        )
    }

    type Doc = (usize, usize, Vec<Container>, bool);

    /// Renders documents; returns the text and the images in file order.
    fn render(docs: &[Doc], crlf: bool) -> (String, Vec<String>) {
        let mut out = String::new();
        let mut images = Vec::new();
        for (di, (indent, kind, containers, comment_line)) in docs.iter().enumerate() {
            if di > 0 {
                out.push_str("---\n");
            }
            let kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
            out.push_str(&format!("kind: {}\nspec:\n", kinds[*kind]));
            let i = " ".repeat(*indent);
            if *comment_line {
                out.push_str(&format!("{i}# Überblick: image: no\n"));
            }
            out.push_str(&format!("{i}containers:\n"));
            for (ci, c) in containers.iter().enumerate() {
                let value = match c.quote {
                    0 => c.image.clone(),
                    1 => format!("'{}'", c.image),
                    _ => format!("\"{}\"", c.image),
                };
                let comment = c.comment.map(|s| format!(" {s}")).unwrap_or_default();
                let name = format!("name: c{ci}");
                let image = format!("image: {value}{comment}");
                let (first, second) = if c.name_first {
                    (name, image)
                } else {
                    (image, name)
                };
                out.push_str(&format!("{i}{i}- {first}\n{i}{i}  {second}\n"));
                images.push(c.image.clone());
            }
        }
        if crlf {
            out = out.replace('\n', "\r\n");
        }
        (out, images)
    }

    fn manifest_strategy() -> impl Strategy<Value = (String, Vec<String>)> {
        let doc = (
            1usize..5,
            0usize..5,
            prop::collection::vec(container_strategy(), 1..4),
            any::<bool>(),
        );
        (prop::collection::vec(doc, 1..4), any::<bool>())
            .prop_map(|(docs, crlf)| render(&docs, crlf))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn scan_and_bump_round_trip(
            (text, images) in manifest_strategy(),
            pick in any::<prop::sample::Index>(),
            tag in "[a-z0-9][a-z0-9._-]{0,10}",
            digest in prop::option::of("[0-9a-f]{64}"),
        ) {
            let pins = scan_file("m.yaml", &text).unwrap().pins;
            let raws: Vec<&str> = pins.iter().map(|p| p.raw.as_str()).collect();
            prop_assert_eq!(&raws, &images);
            for p in &pins {
                prop_assert_eq!(&text[p.span.clone()], p.raw.as_str());
            }
            let k = pick.index(pins.len());
            let digest = digest.map(|d| format!("sha256:{d}"));
            let edit = bump_edit(&pins[k], &tag, digest.as_deref());
            let out = apply(&text, std::slice::from_ref(&edit)).unwrap();
            let span = &pins[k].span;
            prop_assert_eq!(&out.as_bytes()[..span.start], &text.as_bytes()[..span.start]);
            let tail = text.len() - span.end;
            prop_assert_eq!(&out.as_bytes()[out.len() - tail..], &text.as_bytes()[span.end..]);
            let again = scan_file("m.yaml", &out).unwrap().pins;
            prop_assert_eq!(again.len(), pins.len());
            let delta = edit.replacement.len() as isize - edit.expect.len() as isize;
            for (i, (a, b)) in pins.iter().zip(&again).enumerate() {
                if i == k {
                    prop_assert_eq!(&b.raw, &edit.replacement);
                    prop_assert_eq!(b.span.start, a.span.start);
                } else {
                    prop_assert_eq!(&b.raw, &a.raw);
                    let shift = if i > k { delta } else { 0 };
                    prop_assert_eq!(b.span.start as isize, a.span.start as isize + shift);
                }
                prop_assert_eq!((&b.kind, &b.container, b.line), (&a.kind, &a.container, a.line));
            }
        }
    }
}
