//! A bump's plan: the exact edits of each pin, the diff, the branch and the
//! commit message. Pure: the branch's files come in as data.

use std::collections::BTreeMap;

use super::error::DeployError;
use super::git::bump_branch_name;
use super::scan::scan_texts;
use super::splice::{Edit, apply, bumped, unified_diff};
use super::sync::{DeploySnapshot, SyncState};

/// A bump, ready to show and to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpPlan {
    /// (repository, from, to) per image.
    pub images: Vec<(String, String, String)>,
    /// (path, new content) per changed file.
    pub files: Vec<(String, String)>,
    /// (path, content the plan was made from) per changed file.
    pub originals: Vec<(String, String)>,
    /// The exact diff.
    pub diff: String,
    /// The new branch.
    pub branch: String,
    /// The commit message.
    pub message: String,
    /// The GitHub repository a pull request will be opened in, if
    /// `deploy.pull_request` is on.
    pub pull_request_in: Option<String>,
}

/// The edits and diff that move each pin of `keys` to its published tag and
/// digest. Pure: `files` is the branch's current content.
pub fn plan_bump(
    files: &[(String, String)],
    snapshot: &DeploySnapshot,
    keys: &[String],
) -> Result<BumpPlan, DeployError> {
    let pins = scan_texts(files).pins;
    let mut per_file: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    let mut images = Vec::new();
    for key in keys {
        let status = snapshot
            .images
            .iter()
            .find(|s| &s.key == key)
            .ok_or_else(|| DeployError::NoImage(key.clone()))?;
        if status.sync != SyncState::OutOfSync {
            return Err(DeployError::NotOutOfSync {
                repository: status.repository.clone(),
                sync: status.sync.as_str(),
            });
        }
        let published = status
            .published
            .as_ref()
            .ok_or_else(|| DeployError::NothingPublished(status.repository.clone()))?;
        let from = status.pinned_tag.clone().unwrap_or_default();
        let mut found = 0;
        for p in pins.iter().filter(|p| &p.image.key() == key) {
            let digest = if p.image.digest.is_some() {
                Some(
                    published
                        .digest
                        .as_deref()
                        .ok_or_else(|| DeployError::NoDigest(status.repository.clone()))?,
                )
            } else {
                None
            };
            per_file.entry(p.file.as_str()).or_default().push(Edit {
                span: p.span.clone(),
                expect: p.raw.clone(),
                replacement: bumped(&p.raw, &published.tag, digest)?,
            });
            found += 1;
        }
        if found == 0 {
            return Err(DeployError::NotPinned(status.repository.clone()));
        }
        images.push((status.repository.clone(), from, published.tag.clone()));
    }
    let mut changed = Vec::new();
    let mut originals = Vec::new();
    let mut diff = String::new();
    for (path, mut edits) in per_file {
        edits.sort_by_key(|e| e.span.start);
        let old = files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| DeployError::FileVanished(path.to_owned()))?;
        let new = apply(old, &edits).map_err(|error| DeployError::Edit {
            path: path.to_owned(),
            error,
        })?;
        if new != old {
            diff.push_str(&unified_diff(path, old, &new));
            changed.push((path.to_string(), new));
            originals.push((path.to_string(), old.to_string()));
        }
    }
    let branch_items: Vec<(String, String)> = images
        .iter()
        .map(|(r, _, to)| (r.clone(), to.clone()))
        .collect();
    let message = match images.as_slice() {
        [(repo, from, to)] => format!("{repo}: {from} → {to}"),
        many => format!(
            "Bump {} images\n\n{}",
            many.len(),
            many.iter()
                .map(|(r, f, t)| format!("{r}: {f} → {t}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    Ok(BumpPlan {
        images,
        files: changed,
        originals,
        diff,
        branch: bump_branch_name(&branch_items),
        message,
        pull_request_in: None,
    })
}
