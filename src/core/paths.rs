//! Where opsdeck's own files are: the XDG base directory layout, on every
//! platform.
//!
//! * the config file: `$XDG_CONFIG_HOME/opsdeck/config.toml`
//!   (`~/.config/opsdeck/config.toml`);
//! * state (the log, the audit log): `$XDG_STATE_HOME/opsdeck/`
//!   (`~/.local/state/opsdeck/`);
//! * `~/` in a path the user wrote is the home directory.
//!
//! [`Dirs::system`] reads them through `directories::BaseDirs`: the home
//! directory is `$HOME` (or, when that is unset or empty, the user's entry in
//! the password database), and an XDG variable counts only when it holds an
//! absolute path, as the XDG spec says. On macOS and Windows, whose native
//! directories are not the documented ones, the same rule is applied to the
//! home directory `directories` finds. [`Dirs::from_env`] applies that rule
//! to an environment given as a closure, for code whose tests pass their own
//! environment (`config::locate`).

use std::path::{Path, PathBuf};

/// The name of opsdeck's directories.
const APP: &str = "opsdeck";

/// opsdeck's base directories; any of them may be unknown (no home).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    home: Option<PathBuf>,
    config: Option<PathBuf>,
    state: Option<PathBuf>,
}

/// An XDG variable's directory when it is absolute, else `fallback` under
/// the home directory.
fn xdg(var: Option<PathBuf>, home: Option<&Path>, fallback: &str) -> Option<PathBuf> {
    var.filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(fallback)))
}

impl Dirs {
    /// The directories of this process's user, from its environment.
    pub fn system() -> Dirs {
        let base = directories::BaseDirs::new();
        let home = base.as_ref().map(|b| b.home_dir().to_path_buf());
        #[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
        let (config, state) = (
            base.as_ref().map(|b| b.config_dir().to_path_buf()),
            base.as_ref()
                .and_then(|b| b.state_dir())
                .map(Path::to_path_buf),
        );
        #[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios")))))]
        let (config, state) = (
            xdg(
                std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from),
                home.as_deref(),
                ".config",
            ),
            xdg(
                std::env::var_os("XDG_STATE_HOME").map(PathBuf::from),
                home.as_deref(),
                ".local/state",
            ),
        );
        Dirs {
            home,
            config,
            state,
        }
    }

    /// The directories an environment names (`HOME`, `XDG_CONFIG_HOME`,
    /// `XDG_STATE_HOME`), by the rule [`Dirs::system`] follows; an empty or
    /// missing `HOME` means no home directory.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Dirs {
        let home = env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        let var = |name: &str| env(name).map(PathBuf::from);
        Dirs {
            config: xdg(var("XDG_CONFIG_HOME"), home.as_deref(), ".config"),
            state: xdg(var("XDG_STATE_HOME"), home.as_deref(), ".local/state"),
            home,
        }
    }

    /// The default config file, `…/opsdeck/config.toml`.
    pub fn config_file(&self) -> Option<PathBuf> {
        Some(self.config.as_ref()?.join(APP).join("config.toml"))
    }

    /// A file in opsdeck's state directory, `…/opsdeck/NAME`.
    pub fn state_file(&self, name: &str) -> Option<PathBuf> {
        Some(self.state.as_ref()?.join(APP).join(name))
    }

    /// `~/rest` → the home directory joined with `rest`; anything else (or
    /// with no home directory) as written.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn xdg_variables_then_the_home_directory() {
        let d = Dirs::from_env(env(&[
            ("HOME", "/home/u"),
            ("XDG_CONFIG_HOME", "/cfg"),
            ("XDG_STATE_HOME", "/st"),
        ]));
        assert_eq!(
            d.config_file(),
            Some(PathBuf::from("/cfg/opsdeck/config.toml"))
        );
        assert_eq!(
            d.state_file("audit.jsonl"),
            Some(PathBuf::from("/st/opsdeck/audit.jsonl"))
        );
        let d = Dirs::from_env(env(&[("HOME", "/home/u"), ("XDG_STATE_HOME", "")]));
        assert_eq!(
            d.config_file(),
            Some(PathBuf::from("/home/u/.config/opsdeck/config.toml"))
        );
        assert_eq!(
            d.state_file("opsdeck.log"),
            Some(PathBuf::from("/home/u/.local/state/opsdeck/opsdeck.log"))
        );
        assert_eq!(d.expand_home("~/t.toml"), PathBuf::from("/home/u/t.toml"));
        assert_eq!(d.expand_home("t.toml"), PathBuf::from("t.toml"));
        assert_eq!(d.expand_home("~x/t"), PathBuf::from("~x/t"));
    }

    #[test]
    fn relative_xdg_variables_and_no_home() {
        let d = Dirs::from_env(env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "rel")]));
        assert_eq!(
            d.config_file(),
            Some(PathBuf::from("/h/.config/opsdeck/config.toml"))
        );
        let d = Dirs::from_env(env(&[("XDG_STATE_HOME", "/st")]));
        assert_eq!(d.config_file(), None);
        assert_eq!(d.state_file("x"), Some(PathBuf::from("/st/opsdeck/x")));
        assert_eq!(d.expand_home("~/x"), PathBuf::from("~/x"));
    }

    /// The process's own directories follow the rule `from_env` states.
    #[test]
    fn system_matches_from_env_for_this_process() {
        let real = |k: &str| std::env::var(k).ok();
        if real("HOME").is_some_and(|h| !h.is_empty()) {
            assert_eq!(Dirs::system(), Dirs::from_env(real));
        }
    }
}
