//! When the alerts view was last left, kept across runs so "new since you
//! last looked" spans them: one RFC 3339 line in
//! `$XDG_STATE_HOME/opsdeck/last-looked` (`last-looked-CONTEXT` for a
//! `[context.NAME]`).

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};

/// The file for a context (none: the default one).
pub fn path(context: Option<&str>) -> Option<PathBuf> {
    let name = match context {
        None => "last-looked".to_string(),
        Some(c) => {
            // A file name whatever the context is called.
            let safe: String = c
                .chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
                        ch
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("last-looked-{safe}")
        }
    };
    crate::core::paths::Dirs::system().state_file(&name)
}

/// The time the file holds; none when it is missing or unreadable (then
/// nothing is new on the first look, which is logged).
pub fn load(path: &Path) -> Option<DateTime<Utc>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "last look not read");
            return None;
        }
    };
    match DateTime::parse_from_rfc3339(text.trim()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "last look not understood");
            None
        }
    }
}

/// Writes the time (a temporary file renamed over the old one: a crash
/// never leaves half a line).
pub fn save(path: &Path, at: DateTime<Utc>) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(
        &tmp,
        format!("{}\n", at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    )?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_last_look_survives_a_restart_and_garbage_is_no_look() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/opsdeck/last-looked");
        assert_eq!(load(&file), None, "never looked");
        let at = DateTime::parse_from_rfc3339("2020-12-01T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        save(&file, at).unwrap();
        assert_eq!(load(&file), Some(at));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "2020-12-01T09:30:00Z\n"
        );
        std::fs::write(&file, "yesterday").unwrap();
        assert_eq!(load(&file), None);
    }

    #[test]
    fn a_context_has_its_own_file_with_a_safe_name() {
        let p = path(Some("prod/eu west")).unwrap();
        assert!(p.ends_with("opsdeck/last-looked-prod_eu_west"), "{p:?}");
        assert!(path(None).unwrap().ends_with("opsdeck/last-looked"));
    }
}
