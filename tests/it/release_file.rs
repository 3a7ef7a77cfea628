//! The file backend through the real binary: `release tick` writes through a
//! symbolic link and into a hard-linked file; ids stay when dates move, an
//! old id says where its step is; `--json` has the nested steps' progress.

use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn opsdeck(args: &[&str], config: &Path) -> Output {
    crate::support::opsdeck_bin(args, Some(config))
}

fn both(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn config_for(dir: &Path, file: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    let text = format!("[release]\nfile = \"{}\"\n", file.display());
    std::fs::write(&path, text).expect("write config");
    path
}

const BODY: &str = r#"# 3.23 release (December 18, 2020)

## Cut release branch (3 working days before release, December 15, 2020)

- [ ] Create the `3.23` branch off the CHANGELOG commit
- [ ] Ensure the Buildkite pipelines pass for the `v3.23.0-rc.1` tag:
  - [x] Sourcegraph pipeline
  - [ ] QA pipeline

## Release day (December 18, 2020)

- [ ] Tag the final release: `yarn release release:create-candidate final`
"#;

const BRANCH: &str = "cut-release-branch/create-branch-off-changelog";

#[test]
fn tick_through_a_relative_symlink_in_another_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let releases = dir.path().join("releases");
    std::fs::create_dir(&releases).expect("mkdir");
    let real = releases.join("3.23.md");
    std::fs::write(&real, BODY).expect("write");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).expect("mkdir");
    let link = conf.join("RELEASE.md");
    symlink("../releases/3.23.md", &link).expect("symlink");
    let config = config_for(&conf, &link);

    let o = opsdeck(&["release", "tick", BRANCH], &config);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("ticked {BRANCH} (2/5 done)")
    );
    assert!(std::fs::symlink_metadata(&link).expect("meta").is_symlink());
    assert_eq!(
        std::fs::read_link(&link).expect("link"),
        Path::new("../releases/3.23.md")
    );
    let expected = BODY.replacen("- [ ] Create", "- [x] Create", 1);
    assert_eq!(std::fs::read_to_string(&real).expect("read"), expected);
    let mode = std::fs::metadata(&real).expect("meta").permissions().mode();
    assert_eq!(mode & 0o7777, 0o640);
    assert_eq!(std::fs::read_dir(&releases).expect("dir").count(), 1);
}

#[test]
fn tick_a_hard_linked_file_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.md"), dir.path().join("RELEASE.md"));
    std::fs::write(&a, BODY).expect("write");
    std::fs::hard_link(&a, &b).expect("hard link");
    let inode = std::fs::metadata(&a).expect("meta").ino();
    let config = config_for(dir.path(), &b);

    let o = opsdeck(&["release", "tick", "release-day/tag-final"], &config);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let expected = BODY.replacen("- [ ] Tag", "- [x] Tag", 1);
    for name in [&a, &b] {
        assert_eq!(std::fs::read_to_string(name).expect("read"), expected);
        let meta = std::fs::metadata(name).expect("meta");
        assert_eq!((meta.ino(), meta.nlink()), (inode, 2));
    }
}

#[test]
fn a_dangling_symlink_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (link, gone) = (dir.path().join("RELEASE.md"), dir.path().join("gone.md"));
    symlink(&gone, &link).expect("symlink");
    let config = config_for(dir.path(), &link);
    let o = opsdeck(&["release", "tick", BRANCH], &config);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&link.display().to_string()), "{err}");
    assert!(!gone.exists());
    assert!(std::fs::symlink_metadata(&link).expect("meta").is_symlink());
}

#[test]
fn ids_survive_the_next_release_and_old_ids_say_where_the_step_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let md = dir.path().join("RELEASE.md");
    // The next release: every date and version moved.
    let next = BODY
        .replace("3.23", "3.24")
        .replace("December 15, 2020", "January 14, 2021")
        .replace("December 18, 2020", "January 18, 2021")
        .replace("3 working days", "2 working days");
    std::fs::write(&md, &next).expect("write");
    let config = config_for(dir.path(), &md);

    let o = opsdeck(&["release", "--json"], &config);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).expect("json");
    let steps = &doc["sections"][0]["steps"];
    let ids: Vec<_> = (0..4).map(|i| steps[i]["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            Some(BRANCH),
            Some("cut-release-branch/ensure-buildkite-pipelines"),
            Some("cut-release-branch/sourcegraph-pipeline"),
            Some("cut-release-branch/qa-pipeline"),
        ]
    );
    assert_eq!(
        steps[1]["children"],
        serde_json::json!({"done": 1, "total": 2})
    );
    assert!(steps[0].get("children").is_none(), "{}", steps[0]);

    // An id of the older scheme (dates and all) is answered, not guessed.
    let old = "cut-release-branch-3-working-days-before-release-december-15/\
               create-the-3-23-branch-off-the-changelog-commit";
    let o = opsdeck(&["release", "tick", old], &config);
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("step {old} has moved: it is now {BRANCH}")),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&md).expect("read"), next);

    let o = opsdeck(&["release", "tick", BRANCH], &config);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let ticked = next.replacen("- [ ] Create", "- [x] Create", 1);
    assert_eq!(std::fs::read_to_string(&md).expect("read"), ticked);
}
