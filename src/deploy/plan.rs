//! A bump's plan: the exact edits of each pin, the diff, the branch and the
//! commit message. Pure: the branch's files come in as data.
//!
//! What a bump does depends on the image's sync state: an out-of-sync image
//! moves to the newest version (tag and digest); a channel pin whose tag
//! moved, and a drifted pin (its tag re-pushed), get only their digest
//! replaced (the tag text is kept byte for byte). Bump-all leaves drifted
//! pins out unless asked ([`select_all`]).

use std::collections::BTreeMap;

use super::error::DeployError;
use super::git::bump_branch_name;
use super::imageref::{RefProblem, check_digest, is_valid_tag};
use super::scan::{PinRef, Sources, scan_with};
use super::splice::{Edit, SpliceError, apply, bumped, redigested, unified_diff};
use super::sync::{DeploySnapshot, ImageStatus, SyncState};

/// What a bump does to one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BumpKind {
    /// To a newer version: tag and digest.
    Upgrade,
    /// A channel pin to the digest its tag serves now.
    Channel,
    /// A version pin whose tag was re-pushed, to the digest the registry
    /// serves for it now.
    Drift,
}

/// One image of a bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpItem {
    /// The repository, e.g. `sourcegraph/frontend`.
    pub repository: String,
    /// What the bump does.
    pub kind: BumpKind,
    /// The pinned tag ("" when the pin has none).
    pub from_tag: String,
    /// The tag after the bump.
    pub to_tag: String,
    /// The pinned digest.
    pub from_digest: Option<String>,
    /// The digest after the bump.
    pub to_digest: Option<String>,
}

/// `sha256:1234567…`: an algorithm and the first seven hex digits.
pub fn abbreviated(digest: &str) -> String {
    match digest.split_once(':') {
        Some((algo, hex)) if hex.chars().count() > 7 => {
            format!("{algo}:{}…", hex.chars().take(7).collect::<String>())
        }
        _ => digest.to_string(),
    }
}

fn short(digest: Option<&str>) -> String {
    let d = digest.unwrap_or("none");
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    hex.chars().take(7).collect()
}

impl BumpItem {
    /// The whole change in words, for the y/N question and the CLI:
    /// `bump sourcegraph/frontend 3.22.0 → 3.23.1`, or for a channel
    /// `move sourcegraph/server insiders to the digest the channel serves
    /// now: sha256:1111111… → sha256:2222222…`.
    pub fn describe(&self) -> String {
        let digests = || {
            format!(
                "{} → {}",
                self.from_digest
                    .as_deref()
                    .map_or("none".into(), abbreviated),
                self.to_digest.as_deref().map_or("none".into(), abbreviated)
            )
        };
        match self.kind {
            BumpKind::Upgrade => {
                format!(
                    "bump {} {} → {}",
                    self.repository, self.from_tag, self.to_tag
                )
            }
            BumpKind::Channel if self.from_tag == self.to_tag => format!(
                "move {} {} to the digest the channel serves now: {}",
                self.repository,
                self.to_tag,
                digests()
            ),
            BumpKind::Channel => format!(
                "move {} {} onto the channel {}: {}",
                self.repository,
                self.from_tag,
                self.to_tag,
                digests()
            ),
            BumpKind::Drift => format!(
                "re-pin {} {} to the digest the registry serves now: {}",
                self.repository,
                self.to_tag,
                digests()
            ),
        }
    }

    /// One line for the commit message:
    /// `sourcegraph/frontend: 3.22.0 → 3.23.1`,
    /// `sourcegraph/server: insiders 1111111 → 2222222`.
    pub fn summary(&self) -> String {
        format!("{}: {}", self.repository, self.change())
    }

    /// The change alone: `3.22.0 → 3.23.1`, `insiders 1111111 → 2222222`.
    pub fn change(&self) -> String {
        let digests = format!(
            "{} → {}",
            short(self.from_digest.as_deref()),
            short(self.to_digest.as_deref())
        );
        match self.kind {
            BumpKind::Upgrade => format!("{} → {}", self.from_tag, self.to_tag),
            BumpKind::Channel if self.from_tag == self.to_tag => {
                format!("{} {digests}", self.to_tag)
            }
            BumpKind::Channel => format!("{} → {} {digests}", self.from_tag, self.to_tag),
            BumpKind::Drift => format!("re-pin {} {digests}", self.to_tag),
        }
    }

    /// What the branch name says after the image: the new tag, and for a
    /// channel the new digest's first seven digits too.
    fn branch_label(&self) -> String {
        match self.kind {
            BumpKind::Upgrade => self.to_tag.clone(),
            BumpKind::Channel => format!("{}-{}", self.to_tag, short(self.to_digest.as_deref())),
            BumpKind::Drift => {
                format!("{}-repin-{}", self.to_tag, short(self.to_digest.as_deref()))
            }
        }
    }
}

/// What already exists for a plan's branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// An open pull request from the branch: the same images to the same
    /// targets (the branch name says both).
    Pull {
        /// Its number.
        number: u64,
        /// Its page.
        url: String,
    },
    /// The branch exists with no open pull request from it.
    Branch {
        /// `on origin`, or `in the local repository`.
        place: String,
    },
}

/// A bump, ready to show and to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BumpPlan {
    /// What happens to each image.
    pub items: Vec<BumpItem>,
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
    /// What already exists for the branch (looked up before the y/N).
    pub existing: Option<Existing>,
}

impl BumpPlan {
    /// The y/N question: the one change in words, or how many images.
    pub fn question(&self) -> String {
        match self.items.as_slice() {
            [one] => {
                let text = one.describe();
                let mut chars = text.chars();
                let first = chars.next().map(|c| c.to_uppercase().to_string());
                format!("{}{}?", first.unwrap_or_default(), chars.as_str())
            }
            many => format!("Bump {} images?", many.len()),
        }
    }

    /// Every image's change, one line each, when there are several (the
    /// question names a single one).
    pub fn scope(&self) -> Vec<String> {
        match self.items.as_slice() {
            [_] => Vec::new(),
            many => many.iter().map(|i| format!("  {}", i.describe())).collect(),
        }
    }
}

/// What bump-all takes: the keys of out-of-sync images and moved channels,
/// and of drifted pins only with `include_drift`; the drifted ones left out
/// are named so the caller can say so.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The images to bump, by key.
    pub keys: Vec<String>,
    /// Repositories of drifted pins left out.
    pub drift_left_out: Vec<String>,
}

impl Selection {
    /// `2 drifted pins left out (sourcegraph/a, sourcegraph/b)`, or None.
    pub fn left_out(&self) -> Option<String> {
        match self.drift_left_out.len() {
            0 => None,
            n => Some(format!(
                "{} left out ({})",
                crate::core::words::plural(n, "drifted pin"),
                self.drift_left_out.join(", ")
            )),
        }
    }
}

/// The images bump-all takes from `images` ([`Selection`]).
pub fn select_all(images: &[ImageStatus], include_drift: bool) -> Selection {
    let mut out = Selection::default();
    for i in images {
        match i.sync {
            SyncState::Drift if !include_drift => out.drift_left_out.push(i.repository.clone()),
            s if s.bumpable() => out.keys.push(i.key.clone()),
            _ => {}
        }
    }
    out
}

/// What a bump of this image does, or why it cannot be bumped.
fn item(status: &ImageStatus) -> Result<BumpItem, DeployError> {
    let kind = match status.sync {
        SyncState::OutOfSync => BumpKind::Upgrade,
        SyncState::ChannelMoved => BumpKind::Channel,
        SyncState::Drift => BumpKind::Drift,
        other => {
            return Err(DeployError::NotOutOfSync {
                repository: status.repository.clone(),
                sync: other.as_str(),
            });
        }
    };
    let published = status
        .published
        .as_ref()
        .ok_or_else(|| DeployError::NothingPublished(status.repository.clone()))?;
    Ok(BumpItem {
        repository: status.repository.clone(),
        kind,
        from_tag: status.pinned_tag.clone().unwrap_or_default(),
        to_tag: published.tag.clone(),
        from_digest: status.pinned_digest.clone(),
        to_digest: published.digest.clone(),
    })
}

/// The edits of one pin: an `image:` value's whole reference, or a field
/// pin's tag field (its `@digest` too when it has one) and digest field. A
/// channel or drifted pin keeps its tag text: only the digest moves. A pin
/// without a digest gets none (`digest` is None for it).
fn pin_edits(
    p: &PinRef,
    kind: BumpKind,
    to_tag: &str,
    digest: Option<&str>,
) -> Result<Vec<Edit>, SpliceError> {
    let same_tag = p.image.tag.as_deref() == Some(to_tag);
    let digest_only = matches!(kind, BumpKind::Channel | BumpKind::Drift) && same_tag;
    let Some(f) = p.source.fields() else {
        let replacement = match digest {
            Some(d) if digest_only => redigested(&p.raw, d)?,
            _ => bumped(&p.raw, to_tag, digest)?,
        };
        return Ok(vec![Edit {
            span: p.span.clone(),
            expect: p.raw.clone(),
            replacement,
        }]);
    };
    let target = |problem: RefProblem| SpliceError::Target {
        raw: p.shown(),
        problem,
    };
    if !is_valid_tag(to_tag) {
        return Err(target(RefProblem::Tag(to_tag.to_owned())));
    }
    if let Some(d) = digest {
        check_digest(d).map_err(target)?;
    }
    let mut edits = Vec::new();
    match &f.tag {
        Some(t) => {
            let (written, inline) = match t.raw.split_once('@') {
                Some((tag, _)) => (tag, true),
                None => (t.raw.as_str(), false),
            };
            let tag = if digest_only { written } else { to_tag };
            let replacement = match digest {
                Some(d) if inline => format!("{tag}@{d}"),
                _ => tag.to_owned(),
            };
            edits.push(Edit {
                span: t.span.clone(),
                expect: t.raw.clone(),
                replacement,
            });
        }
        None if !digest_only => return Err(SpliceError::NoTagField(p.shown())),
        None => {}
    }
    if let (Some(field), Some(d)) = (&f.digest, digest) {
        edits.push(Edit {
            span: field.span.clone(),
            expect: field.raw.clone(),
            replacement: d.to_owned(),
        });
    }
    Ok(edits)
}

/// The edits and diff of each pin of `keys` per its state: an out-of-sync
/// image to its published tag and digest, a moved channel to its new digest
/// only. Pure: `files` is the branch's current content, scanned as
/// manifests.
pub fn plan_bump(
    files: &[(String, String)],
    snapshot: &DeploySnapshot,
    keys: &[String],
) -> Result<BumpPlan, DeployError> {
    plan_bump_with(files, &Sources::default(), snapshot, keys)
}

/// [`plan_bump`] with the scanners `sources` gives each file (values files,
/// kustomizations).
pub fn plan_bump_with(
    files: &[(String, String)],
    sources: &Sources,
    snapshot: &DeploySnapshot,
    keys: &[String],
) -> Result<BumpPlan, DeployError> {
    let pins = scan_with(files, sources).pins;
    let mut per_file: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    let mut items = Vec::new();
    for key in keys {
        let status = snapshot
            .images
            .iter()
            .find(|s| &s.key == key)
            .ok_or_else(|| DeployError::NoImage(key.clone()))?;
        let item = item(status)?;
        let mut found = 0;
        for p in pins.iter().filter(|p| &p.image.key() == key) {
            let digest = match (&p.image.digest, &item.to_digest) {
                (None, _) => None,
                (Some(_), Some(d)) => Some(d.as_str()),
                (Some(_), None) => return Err(DeployError::NoDigest(status.repository.clone())),
            };
            per_file
                .entry(p.file.as_str())
                .or_default()
                .extend(pin_edits(p, item.kind, &item.to_tag, digest)?);
            found += 1;
        }
        if found == 0 {
            return Err(DeployError::NotPinned(status.repository.clone()));
        }
        items.push(item);
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
    let branch_items: Vec<(String, String)> = items
        .iter()
        .map(|i| (i.repository.clone(), i.branch_label()))
        .collect();
    let message = match items.as_slice() {
        [one] => one.summary(),
        many => format!(
            "Bump {} images\n\n{}",
            many.len(),
            many.iter()
                .map(BumpItem::summary)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    Ok(BumpPlan {
        items,
        files: changed,
        originals,
        diff,
        branch: bump_branch_name(&branch_items),
        message,
        pull_request_in: None,
        existing: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::deploy::scan::scan_texts;
    use std::collections::HashMap;

    use chrono::Utc;

    use super::*;
    use crate::deploy::policy::{Policy, Rule};
    use crate::deploy::sync::{Published, evaluate};

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn files() -> Vec<(String, String)> {
        vec![
            (
                "base/lang-go.yaml".into(),
                format!(
                    "kind: Deployment\nspec:\n  containers:\n  - name: lsp\n    image: \"Index.Docker.IO/sourcegraph/lang-go:insiders@{D1}\" # moving\n"
                ),
            ),
            (
                "base/frontend.yaml".into(),
                format!("containers:\n- name: fe\n  image: sourcegraph/frontend:3.22.0@{D1}\n"),
            ),
        ]
    }

    fn snapshot(files: &[(String, String)]) -> DeploySnapshot {
        let scanned = scan_texts(files);
        let rules = vec![
            Rule::new(
                "sourcegraph/*",
                Policy::Semver {
                    range: None,
                    prerelease: false,
                },
            )
            .expect("rule"),
        ];
        let published = |tag: &str, d: &str| {
            Ok(Published {
                tag: tag.into(),
                digest: Some(d.into()),
            })
        };
        let lookups = HashMap::from([
            (
                "docker.io/sourcegraph/lang-go".to_string(),
                published("insiders", D2),
            ),
            (
                "docker.io/sourcegraph/frontend".to_string(),
                published("3.23.1", D2),
            ),
        ]);
        DeploySnapshot {
            images: evaluate(&scanned.pins, &lookups, &rules, &[]),
            untracked: scanned.untracked,
            errors: scanned.errors,
            files: scanned.files,
            branch: "master".into(),
            at: Utc::now(),
        }
    }

    #[test]
    fn a_channel_bump_moves_only_the_digest() {
        let files = files();
        let snap = snapshot(&files);
        let key = "docker.io/sourcegraph/lang-go".to_string();
        let plan = plan_bump(&files, &snap, std::slice::from_ref(&key)).expect("plan");
        assert_eq!(
            plan.files,
            vec![("base/lang-go.yaml".to_string(), files[0].1.replace(D1, D2))]
        );
        assert_eq!(plan.items[0].kind, BumpKind::Channel);
        assert_eq!(
            plan.question(),
            "Move sourcegraph/lang-go insiders to the digest the channel serves now: sha256:1111111… → sha256:2222222…?"
        );
        assert_eq!(
            plan.message,
            "sourcegraph/lang-go: insiders 1111111 → 2222222"
        );
        assert_eq!(plan.branch, "opsdeck/bump-lang-go-insiders-2222222");
        assert!(plan.scope().is_empty(), "the question names the one change");
    }

    #[test]
    fn several_images_list_each_change() {
        let files = files();
        let snap = snapshot(&files);
        let keys: Vec<String> = snap.images.iter().map(|i| i.key.clone()).collect();
        let plan = plan_bump(&files, &snap, &keys).expect("plan");
        assert_eq!(plan.question(), "Bump 2 images?");
        let mut scope = plan.scope();
        scope.sort();
        assert_eq!(
            scope,
            [
                "  bump sourcegraph/frontend 3.22.0 → 3.23.1",
                "  move sourcegraph/lang-go insiders to the digest the channel serves now: sha256:1111111… → sha256:2222222…",
            ]
        );
        let fe = plan
            .files
            .iter()
            .find(|(p, _)| p == "base/frontend.yaml")
            .expect("frontend");
        assert_eq!(
            fe.1,
            format!("containers:\n- name: fe\n  image: sourcegraph/frontend:3.23.1@{D2}\n")
        );
        // A synced image is refused, by its state.
        let e = plan_bump(&plan.files, &snapshot(&plan.files), &keys[..1]).expect_err("synced");
        assert!(e.to_string().contains("is synced"), "{e}");
    }

    #[test]
    fn a_drifted_pin_is_re_pinned_alone_and_left_out_of_bump_all() {
        let mut files = files();
        files.push((
            "base/searcher.yaml".into(),
            format!("containers:\n- name: searcher\n  image: 'sourcegraph/searcher:3.23.1@{D1}'\n"),
        ));
        let mut snap = snapshot(&files);
        // searcher's 3.23.1 now serves D2: re-pushed.
        let scanned = scan_texts(&files);
        let rules = vec![
            Rule::new(
                "sourcegraph/*",
                Policy::Semver {
                    range: None,
                    prerelease: false,
                },
            )
            .expect("rule"),
        ];
        let published = |tag: &str, d: &str| {
            Ok(Published {
                tag: tag.into(),
                digest: Some(d.into()),
            })
        };
        let lookups = HashMap::from([
            (
                "docker.io/sourcegraph/lang-go".to_string(),
                published("insiders", D2),
            ),
            (
                "docker.io/sourcegraph/frontend".to_string(),
                published("3.23.1", D2),
            ),
            (
                "docker.io/sourcegraph/searcher".to_string(),
                published("3.23.1", D2),
            ),
        ]);
        snap.images = evaluate(&scanned.pins, &lookups, &rules, &[]);
        let states: Vec<(&str, SyncState)> = snap
            .images
            .iter()
            .map(|i| (i.repository.as_str(), i.sync))
            .collect();
        assert_eq!(
            states,
            [
                ("sourcegraph/frontend", SyncState::OutOfSync),
                ("sourcegraph/lang-go", SyncState::ChannelMoved),
                ("sourcegraph/searcher", SyncState::Drift),
            ]
        );

        let all = select_all(&snap.images, false);
        assert_eq!(
            all.keys,
            [
                "docker.io/sourcegraph/frontend",
                "docker.io/sourcegraph/lang-go"
            ]
        );
        assert_eq!(
            all.left_out().as_deref(),
            Some("1 drifted pin left out (sourcegraph/searcher)")
        );
        let with = select_all(&snap.images, true);
        assert_eq!(with.keys.len(), 3);
        assert_eq!(with.left_out(), None);

        let key = "docker.io/sourcegraph/searcher".to_string();
        let plan = plan_bump(&files, &snap, std::slice::from_ref(&key)).expect("plan");
        assert_eq!(plan.items[0].kind, BumpKind::Drift);
        assert_eq!(
            plan.question(),
            "Re-pin sourcegraph/searcher 3.23.1 to the digest the registry serves now: sha256:1111111… → sha256:2222222…?"
        );
        assert_eq!(
            plan.message,
            "sourcegraph/searcher: re-pin 3.23.1 1111111 → 2222222"
        );
        assert_eq!(plan.branch, "opsdeck/bump-searcher-3.23.1-repin-2222222");
        assert_eq!(
            plan.files,
            vec![("base/searcher.yaml".to_string(), files[2].1.replace(D1, D2))],
            "the digest only, the quotes kept"
        );
    }

    #[test]
    fn field_pins_edit_the_tag_and_the_digest_fields_exactly() {
        let text = format!(
            "images:\n- name: a/b\n  newTag: \"1.0.0\"  # pinned\n  digest: {D1}\n- name: c/d\n  newTag: '1.0.0@{D1}'\n- name: e/f\n  newTag: 1.0.0\n"
        );
        let pins = scan_texts(&[("kustomization.yaml".to_string(), text.clone())]).pins;
        assert_eq!(pins.len(), 3);
        let run = |i: usize, kind: BumpKind, tag: &str, d: Option<&str>| {
            apply(&text, &pin_edits(&pins[i], kind, tag, d).expect("edits")).expect("apply")
        };
        assert_eq!(
            run(0, BumpKind::Upgrade, "1.1.0", Some(D2)),
            text.replacen("\"1.0.0\"", "\"1.1.0\"", 1)
                .replacen(D1, D2, 1)
        );
        assert_eq!(
            run(1, BumpKind::Upgrade, "1.1.0", Some(D2)),
            text.replace(&format!("'1.0.0@{D1}'"), &format!("'1.1.0@{D2}'"))
        );
        // A drifted pin keeps its tag text, only the digest moves.
        assert_eq!(
            run(1, BumpKind::Drift, "1.0.0", Some(D2)),
            text.replace(&format!("'1.0.0@{D1}'"), &format!("'1.0.0@{D2}'"))
        );
        // An entry without a digest gets none: only newTag changes.
        assert_eq!(
            run(2, BumpKind::Upgrade, "1.1.0", None),
            text.replace("newTag: 1.0.0\n", "newTag: 1.1.0\n")
        );
        assert!(matches!(
            pin_edits(&pins[0], BumpKind::Upgrade, "bad tag", Some(D2)),
            Err(SpliceError::Target { .. })
        ));
    }
}
