//! The config's tests: parsing, positions, suggestions, locate.

use std::path::Path;
use std::time::Duration;

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("test.toml"))
}

#[test]
fn minimal_and_defaults() {
    let c = parse("[[alertmanager]]\nname = \"prod\"\nurl = \"http://127.0.0.1:9093\"\n")
        .expect("parses");
    assert_eq!(c.alertmanager.len(), 1);
    assert_eq!(c.alerts.refresh, Duration::from_secs(10));
    assert_eq!(c.alerts.ack_duration, Duration::from_secs(7200));
    assert_eq!(c.alerts.team_labels, vec!["owner", "team"]);
    assert_eq!(c.alertmanager[0].timeout, Duration::from_secs(10));
}

#[test]
fn unknown_key_suggests_nearest() {
    let e = parse("[alerts]\nrefrsh = \"5s\"\n").expect_err("unknown key");
    assert_eq!(e.position, Some((2, 1)));
    assert!(e.message.contains("unknown field `refrsh`"), "{e}");
    assert!(e.message.contains("did you mean `refresh`?"), "{e}");
    let e = parse("[alert]\n").expect_err("unknown table");
    assert!(e.message.contains("did you mean `alerts`?"), "{e}");
    assert!(e.to_string().starts_with("test.toml:1:"), "{e}");
}

#[test]
fn bad_values_have_positions() {
    let e = parse("[alerts]\nrefresh = \"soon\"\n").expect_err("bad duration");
    assert_eq!(e.position.map(|p| p.0), Some(2));
    assert!(e.message.contains("invalid duration"), "{e}");
    let e = parse("[alerts]\nrefresh = 5\n").expect_err("wrong type");
    assert_eq!(e.position.map(|p| p.0), Some(2));
    let e = parse("[[alertmanager]]\nname = \"a\"\nurl = \"ftp://x\"\n").expect_err("scheme");
    assert_eq!(e.position, Some((3, 7)));
    let e = parse("[[alerts.route]]\nteam = \"s\"\nmatchers = ['service_name=~\"(\"']\n")
        .expect_err("bad regex");
    assert_eq!(e.position.map(|p| p.0), Some(3));
    assert!(e.message.contains("invalid matcher"), "{e}");
    let e = parse("[[alertmanager]]\nname = \"a\"\n").expect_err("missing url");
    assert!(e.message.contains("missing field `url`"), "{e}");
}

#[test]
fn convert_channels_is_a_semver_and_regex_option() {
    let base = "[deploy]\nrepo = \"x\"\n[[deploy.policy]]\nmatch = \"sourcegraph/*\"\n";
    let c = parse(&format!(
        "{base}kind = \"semver\"\nconvert_channels = true\n"
    ))
    .expect("semver");
    let rules = c.deploy.as_ref().map(|d| d.rules()).unwrap_or_default();
    assert!(rules[0].convert_channels);
    let c = parse(&format!("{base}kind = \"regex\"\nregex = '^v(.*)$'\n")).expect("regex");
    let rules = c.deploy.as_ref().map(|d| d.rules()).unwrap_or_default();
    assert!(!rules[0].convert_channels, "off by default");
    let e = parse(&format!(
        "{base}kind = \"channel\"\ntag = \"insiders\"\nconvert_channels = true\n"
    ))
    .expect_err("channel");
    assert_eq!(e.position.map(|p| p.0), Some(5));
    assert!(
        e.message
            .contains("convert_channels applies to semver and regex policies"),
        "{e}"
    );
}

#[test]
fn the_embedded_example_parses() {
    let c = Config::parse(EXAMPLE, Path::new("config.toml.example")).expect("the example parses");
    assert_eq!(c.alertmanager[0].name, "prod");
}

#[test]
fn duplicate_names_refused() {
    let e = parse(
        "[[alertmanager]]\nname = \"a\"\nurl = \"http://x\"\n[[prometheus]]\nname = \"a\"\nurl = \"http://y\"\n",
    )
    .expect_err("dup");
    assert!(e.message.contains("used twice"), "{e}");
}

#[test]
fn locate_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xdg = dir.path().join("opsdeck");
    std::fs::create_dir_all(&xdg).expect("mkdir");
    std::fs::write(xdg.join("config.toml"), "").expect("write");
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "").expect("write");
    let d = dir.path().to_string_lossy().to_string();
    let env_with = |o: Option<String>| {
        let d = d.clone();
        move |k: &str| match k {
            "XDG_CONFIG_HOME" => Some(d.clone()),
            "OPSDECK_CONFIG" => o.clone(),
            _ => None,
        }
    };
    assert_eq!(
        locate(None, env_with(None)).expect("ok"),
        ConfigSource::File(xdg.join("config.toml"))
    );
    assert_eq!(
        locate(None, env_with(Some(other.to_string_lossy().into()))).expect("ok"),
        ConfigSource::File(other.clone())
    );
    assert_eq!(
        locate(Some(&other), env_with(Some("/nope".into()))).expect("ok"),
        ConfigSource::File(other)
    );
    assert!(locate(Some(Path::new("/nope.toml")), env_with(None)).is_err());
    assert_eq!(
        locate(None, |k| (k == "HOME").then(|| "/nonexistent".to_string())).expect("ok"),
        ConfigSource::Demo
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text: a config or an error whose position is inside the text.
        #[test]
        fn errors_point_inside_the_text(text in "(\\[\\[?[a-z.]{1,12}\\]\\]?\n|[a-z_]{1,12} = (\"[^\"\n]{0,10}\"|[0-9]{1,4}|\\[\\]|true)\n|\\PC{0,12}\n){0,8}") {
            match Config::parse(&text, Path::new("p.toml")) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(!e.message.is_empty());
                    if let Some((line, col)) = e.position {
                        let lines = text.split('\n').count().max(1);
                        prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
                        prop_assert!(col >= 1);
                    }
                }
            }
        }
    }
}

#[test]
fn blocker_query_placeholders_are_checked() {
    let release = "[release]\nrepo = \"o/r\"\nissue = 1\n";
    let c = parse(&format!(
        "{release}blocker_query = 'repo:{{repo}} is:open label:\"{{blocker_label}}\" milestone:\"{{milestone}}\"'\n"
    ))
    .expect("known placeholders");
    let query = c.release.and_then(|r| r.blocker_query).expect("query");
    assert!(query.get_ref().contains("{milestone}"));
    let e = parse(&format!(
        "{release}blocker_query = 'repo:{{repo}} label:{{label}}'\n"
    ))
    .expect_err("unknown placeholder");
    assert_eq!(e.position, Some((4, 17)));
    assert_eq!(
        e.message,
        "unknown placeholder {label} in release.blocker_query; the known ones are {repo}, {blocker_label} and {milestone}"
    );
    let e = parse(&format!("{release}blocker_query = ' '\n")).expect_err("empty");
    assert!(e.message.contains("is empty"), "{e}");
}

#[test]
fn deploy_values_are_checked() {
    let base = "[deploy]\nrepo = \"x\"\n[[deploy.values]]\n";
    let c = parse(&format!("{base}paths = [\"charts/*/values.yaml\"]\n")).expect("parses");
    let v = &c.deploy.as_ref().expect("deploy").values[0];
    assert_eq!(v.tag_keys, ["tag"]);
    assert_eq!(
        (v.repository_key.as_str(), v.name_key.as_str()),
        ("repository", "name")
    );
    assert_eq!(
        (v.digest_key.as_deref(), v.default_repository.as_deref()),
        (None, None)
    );
    let refused = |extra: &str| {
        parse(&format!("{base}{extra}"))
            .expect_err(extra)
            .to_string()
    };
    let e = refused("paths = []\n");
    assert!(e.contains("deploy.values[0]: paths is empty"), "{e}");
    let e = refused("paths = [\"v.yaml\"]\ntag_keys = []\n");
    assert!(e.contains("deploy.values[0]: tag_keys is empty"), "{e}");
    let e = refused("paths = [\"[\"]\n");
    assert!(e.contains("invalid glob \"[\" in paths"), "{e}");
    let e = refused("paths = [\"v.yaml\"]\ndigest_key = \"\"\n");
    assert!(e.contains("must not be empty"), "{e}");
    let e = refused("tag_keys = [\"tag\"]\n");
    assert!(e.contains("paths"), "{e}");
}

#[test]
fn the_history_source_is_a_prometheus_by_name_the_first_or_off() {
    let proms = "[[prometheus]]\nname = \"a\"\nurl = \"http://127.0.0.1:9090\"\n\
                 [[prometheus]]\nname = \"b\"\nurl = \"http://127.0.0.1:9091\"\n";
    let c = parse(proms).expect("parses");
    assert_eq!(c.alerts.history_source(&c.prometheus), Some("a"));
    assert_eq!(
        c.alerts.history_window,
        std::time::Duration::from_secs(86_400)
    );
    assert_eq!(c.alerts.flap_threshold, 3);
    let c = parse(&format!("{proms}[alerts]\nhistory = \"b\"\n")).expect("parses");
    assert_eq!(c.alerts.history_source(&c.prometheus), Some("b"));
    let c = parse(&format!("{proms}[alerts]\nhistory = \"off\"\n")).expect("parses");
    assert_eq!(c.alerts.history_source(&c.prometheus), None);
    assert_eq!(parse("").expect("empty").alerts.history_source(&[]), None);

    let e = parse(&format!("{proms}[alerts]\nhistory = \"c\"\n")).expect_err("unknown");
    assert_eq!(
        e.message,
        "alerts.history \"c\" is not a [[prometheus]] ([[prometheus]] names: a, b; \"off\" turns history off)"
    );
    assert_eq!(e.position.map(|p| p.0), Some(8), "the history line");
    let e = parse("[alerts]\nhistory = \"c\"\n").expect_err("none");
    assert!(
        e.message.contains("there is no [[prometheus]]"),
        "{}",
        e.message
    );
    let e = parse("[alerts]\nhistory_window = \"30s\"\n").expect_err("short");
    assert_eq!(e.message, "alerts.history_window 30s is outside 1m to 31d");
}
