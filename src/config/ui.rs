//! The part of a config that is the user's way of working rather than the
//! systems it watches, and carrying it over to another config: `--demo`
//! runs the demo's sources with the user's keys and theme.
//!
//! Carried over (the user's):
//! * `theme` (the top level's; contexts are not carried, see below);
//! * `[keys.*]`;
//! * `[notify]`'s `bell` and `desktop` (how opsdeck gets attention);
//! * `[log]` (diagnostics only; the demo's changes never go there);
//! * `alerts.ack_author` and `alerts.ack_duration` (who acknowledges, and
//!   for how long by default).
//!
//! Kept (the demo's), because they point at or describe the real systems:
//! * the sources: `[[alertmanager]]`, `[[prometheus]]`, `[github]`,
//!   `[release]`, `[deploy]`, and `[context.*]` with `default_context`
//!   (contexts are sets of sources);
//! * `alerts.refresh`, `alerts.route`, `alerts.team_labels` and
//!   `alerts.severity_labels`: how often the sources are read and how
//!   their alerts are labelled — the demo's alerts are labelled `team` and
//!   `severity`, and a user's `team_labels = ["squad"]` would leave every
//!   one of them unowned;
//! * `alerts.ack_comment` (it marks the demo's silences as the demo's) and
//!   `notify.teams` (real team names);
//! * `read_only`: it protects real systems, and the demo changes none
//!   (`--read-only` still applies);
//! * `audit_log`: the demo writes its own, never the user's.

use super::Config;

impl Config {
    /// `self` (the demo's config, with its sources) with the user's console
    /// settings from `user`; everything else stays `self`'s (see the module
    /// documentation for what is which).
    ///
    /// The result keeps `self`'s origin: `user`'s `[keys]` and `theme` are
    /// checked, and their errors placed, against `user` itself
    /// (`app::settings::Settings::resolve(user)`), before they get here.
    pub fn with_ui_of(&self, user: &Config) -> Config {
        let mut c = self.clone();
        c.theme = user.theme.clone();
        c.keys = user.keys.clone();
        c.notify.bell = user.notify.bell;
        c.notify.desktop = user.notify.desktop;
        c.log = user.log.clone();
        c.alerts.ack_author = user.alerts.ack_author.clone();
        c.alerts.ack_duration = user.alerts.ack_duration;
        c
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use super::*;

    fn parse(text: &str, name: &str) -> Config {
        Config::parse(text, Path::new(name)).expect("parses")
    }

    fn demo() -> Config {
        parse(
            r#"
audit_log = "/tmp/demo/audit.jsonl"
[[alertmanager]]
name = "demo-am"
url = "http://127.0.0.1:1/alertmanager"
[alerts]
refresh = "5s"
ack_comment = "acknowledged in the opsdeck demo"
[[alerts.route]]
team = "search"
matchers = ['service_name=~"zoekt.*"']
[github]
api_url = "http://127.0.0.1:1/github/api/v3"
"#,
            "<demo>",
        )
    }

    fn user() -> Config {
        parse(
            r#"
theme = "light"
read_only = true
audit_log = "/home/me/audit.jsonl"
default_context = "prod"
[[alertmanager]]
name = "prod"
url = "https://am.example.com"
[[prometheus]]
name = "prom"
url = "https://prom.example.com"
[alerts]
refresh = "1m"
team_labels = ["squad"]
severity_labels = ["prio"]
ack_author = "me"
ack_duration = "30m"
ack_comment = "mine"
[[alerts.route]]
team = "infra"
matchers = ['job="node"']
[keys.global]
quit = "Q"
[keys.alerts]
unack = "<disabled>"
[notify]
bell = false
desktop = true
teams = ["infra"]
[log]
level = "debug"
file = "/home/me/opsdeck.log"
[github]
api_url = "https://github.example.com/api/v3"
[context.prod]
theme = "prod"
[[context.prod.alertmanager]]
name = "prod-am"
url = "https://am.prod.example.com"
"#,
            "user.toml",
        )
    }

    #[test]
    fn the_users_keys_theme_and_habits_are_carried_over() {
        let merged = demo().with_ui_of(&user());
        assert_eq!(merged.theme.as_deref(), Some("light"));
        assert_eq!(
            merged.keys["global"]["quit"].get_ref(),
            user().keys["global"]["quit"].get_ref()
        );
        assert!(merged.keys["alerts"].contains_key("unack"));
        assert!(!merged.notify.bell);
        assert!(merged.notify.desktop);
        assert_eq!(merged.log.level.as_deref(), Some("debug"));
        assert_eq!(merged.log.file, Some(PathBuf::from("/home/me/opsdeck.log")));
        assert_eq!(merged.alerts.ack_author.as_deref(), Some("me"));
        assert_eq!(merged.ack_author(), "me");
        assert_eq!(merged.alerts.ack_duration, Duration::from_secs(30 * 60));
    }

    #[test]
    fn the_sources_and_what_describes_them_stay_the_demos() {
        let merged = demo().with_ui_of(&user());
        let names: Vec<&str> = merged
            .alertmanager
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["demo-am"]);
        assert!(merged.prometheus.is_empty());
        assert_eq!(
            merged.github.as_ref().map(|g| g.api_url.get_ref().as_str()),
            Some("http://127.0.0.1:1/github/api/v3")
        );
        assert!(merged.context.is_empty());
        assert_eq!(merged.default_context, None);
        assert_eq!(merged.alerts.refresh, Duration::from_secs(5));
        assert_eq!(merged.alerts.team_labels, ["owner", "team"]);
        assert_eq!(merged.alerts.severity_labels, ["severity", "level"]);
        assert_eq!(
            merged.alerts.ack_comment,
            "acknowledged in the opsdeck demo"
        );
        let teams: Vec<&str> = merged
            .alerts
            .route
            .iter()
            .map(|r| r.team.as_str())
            .collect();
        assert_eq!(teams, ["search"]);
        assert!(merged.notify.teams.is_empty());
        assert!(!merged.read_only);
        assert_eq!(
            merged.audit_log,
            Some(PathBuf::from("/tmp/demo/audit.jsonl"))
        );
    }

    #[test]
    fn a_user_config_without_ui_settings_leaves_the_defaults() {
        let merged = demo().with_ui_of(&parse("", "empty.toml"));
        assert_eq!(merged.theme, None);
        assert!(merged.keys.is_empty());
        assert!(merged.notify.bell);
        assert_eq!(merged.alerts.ack_duration, Duration::from_secs(2 * 3600));
        assert_eq!(merged.alertmanager.len(), 1);
    }

    #[test]
    fn the_demos_origin_is_kept() {
        let merged = demo().with_ui_of(&user());
        assert_eq!(merged.place(0..1).path, PathBuf::from("<demo>"));
    }
}
