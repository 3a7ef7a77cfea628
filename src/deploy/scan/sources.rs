//! Which scanner reads which file: `image:` values in the manifests
//! (`[deploy] paths`), kustomize `images:` in the manifests named
//! `kustomization.yaml` (`.yml`, `Kustomization`), Helm values maps in the
//! files of each `[[deploy.values]]`. A file listed both as a manifest and
//! as a values file is read both ways without a duplicate: the `image:`
//! scanner's "a mapping" entries for maps the values scanner read are
//! dropped.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::kustomize::{is_kustomization, scan_kustomization};
use super::untracked::UntrackedReason;
use super::values::scan_values;
use super::{FileScan, Scanned, scan_file};
use crate::config::ValuesConfig;

/// The scanners' file sets.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `[deploy] paths`; None: every file is a manifest.
    manifests: Option<GlobSet>,
    /// Each `[[deploy.values]]` with its paths.
    values: Vec<(GlobSet, ValuesConfig)>,
    /// Every glob to read from git.
    globs: Vec<String>,
}

/// A glob that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob {glob:?}: {message}")]
pub struct GlobError {
    pub glob: String,
    pub message: String,
}

fn glob_set(globs: &[String]) -> Result<GlobSet, GlobError> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| GlobError {
                glob: g.clone(),
                message: e.to_string(),
            })?;
        set.add(glob);
    }
    set.build().map_err(|e| GlobError {
        glob: globs.join(", "),
        message: e.to_string(),
    })
}

impl Sources {
    /// From `[deploy] paths` and `[[deploy.values]]`.
    pub fn new(paths: &[String], values: &[ValuesConfig]) -> Result<Sources, GlobError> {
        let mut globs = paths.to_vec();
        let mut sets = Vec::new();
        for v in values {
            sets.push((glob_set(&v.paths)?, v.clone()));
            globs.extend(v.paths.iter().cloned());
        }
        Ok(Sources {
            manifests: Some(glob_set(paths)?),
            values: sets,
            globs,
        })
    }

    /// Every glob whose files are read.
    pub fn globs(&self) -> &[String] {
        &self.globs
    }

    fn is_manifest(&self, path: &str) -> bool {
        self.manifests.as_ref().is_none_or(|m| m.is_match(path))
    }
}

/// One file, read by every scanner it falls under.
fn scan_one(path: &str, text: &str, sources: &Sources) -> Result<FileScan, super::ScanError> {
    let mut out = FileScan::default();
    if sources.is_manifest(path) {
        out = scan_file(path, text)?;
        if is_kustomization(path) {
            let k = scan_kustomization(path, text)?;
            out.pins.extend(k.pins);
            out.untracked.extend(k.untracked);
        }
    }
    for (set, spec) in &sources.values {
        if !set.is_match(path) {
            continue;
        }
        let v = scan_values(path, text, spec)?;
        out.untracked
            .retain(|u| !(u.reason == UntrackedReason::Mapping && v.map_lines.contains(&u.line)));
        for p in v.found.pins {
            if !out.pins.iter().any(|q| q.span == p.span) {
                out.pins.push(p);
            }
        }
        for u in v.found.untracked {
            if !out
                .untracked
                .iter()
                .any(|q| (q.line, q.column) == (u.line, u.column))
            {
                out.untracked.push(u);
            }
        }
    }
    out.pins.sort_by_key(|p| p.span.start);
    out.untracked.sort_by_key(|u| (u.line, u.column));
    Ok(out)
}

/// Scans file texts with the scanners `sources` gives each; malformed files
/// are reported and skipped.
pub fn scan_with(files: &[(String, String)], sources: &Sources) -> Scanned {
    let mut out = Scanned {
        files: files.len(),
        ..Scanned::default()
    };
    for (path, text) in files {
        match scan_one(path, text, sources) {
            Ok(found) => {
                out.pins.extend(found.pins);
                out.untracked.extend(found.untracked);
            }
            Err(e) => out.errors.push(e),
        }
    }
    out
}
