//! kustomize `images:` (in `kustomization.yaml`, `kustomization.yml` or
//! `Kustomization`): each entry of the top-level list is a pin of the image
//! it renames — repository `newName` if present, else `name`; tag `newTag`;
//! digest `digest`. An entry with neither `newTag` nor `digest` only
//! renames: it is listed untracked.
//!
//! Pure: no I/O.

use super::fields::{Parts, field_pin};
use super::positions::Positions;
use super::tree::{Node, documents};
use super::untracked::{Untracked, UntrackedReason};
use super::{FileScan, PinSource, ScanError};

/// The file names kustomize reads.
pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Whether `path` (a git path) is a kustomization file.
pub fn is_kustomization(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    KUSTOMIZATION_NAMES.contains(&name)
}

/// The pins of a kustomization's top-level `images:` list.
pub(super) fn scan_kustomization(file: &str, text: &str) -> Result<FileScan, ScanError> {
    let pos = Positions::new(text);
    let mut out = FileScan::default();
    for doc in documents(file, text)? {
        let Node::Map(root) = doc else { continue };
        let Some(Node::Seq(entries)) = root.get("images") else {
            continue;
        };
        for (i, entry) in entries.iter().enumerate() {
            let Node::Map(m) = entry else { continue };
            let name = m.scalar("name");
            let renamed = m.scalar("newName").or(name);
            let container = name.map(|n| n.value.clone());
            let Some(repo) = renamed else {
                let byte = pos.byte_of_char(m.at);
                let (line, column) = pos.line_col(byte);
                out.untracked.push(Untracked {
                    file: file.to_string(),
                    line,
                    column,
                    text: String::new(),
                    reason: UntrackedReason::NoRepository(
                        "a kustomize images entry without name or newName".into(),
                    ),
                    kind: Some("Kustomization".into()),
                    container,
                });
                continue;
            };
            let parts = Parts {
                repository: repo.value.clone(),
                repository_at: Some(repo),
                tag: m.scalar("newTag").map(|s| ("newTag", s)),
                digest: m.scalar("digest").map(|s| ("digest", s)),
                path: format!("images[{i}]"),
                kind: Some("Kustomization".into()),
                container,
            };
            match field_pin(file, &pos, parts, PinSource::Kustomize) {
                Ok(pin) => out.pins.push(pin),
                Err(u) => out.untracked.push(*u),
            }
        }
    }
    Ok(out)
}
