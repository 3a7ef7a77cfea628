//! Settings' tests: the theme and key checks, at their places in the file,
//! with the texts the config parser gave when it made them.

use std::path::Path;

use super::*;

/// Everything checked when a config is loaded, as the console loads it.
fn parse(text: &str) -> Result<Config, ConfigError> {
    parse_config(text, Path::new("test.toml")).map(|(config, _)| config)
}

#[test]
fn unknown_theme_has_a_position_and_a_suggestion() {
    let e = parse("read_only = true\ntheme = \"nope\"\n").expect_err("unknown theme");
    assert_eq!(
        e.to_string(),
        "test.toml:2:9: unknown theme \"nope\"; expected one of dark, light, \
         high-contrast, prod or a path to a theme file"
    );
    let e = parse("[context.prod]\ntheme = \"drak\"\n").expect_err("typo");
    assert_eq!(e.position, Some((2, 9)));
    assert!(e.message.ends_with("; did you mean \"dark\"?"), "{e}");
    for ok in ["dark", "light", "high-contrast", "prod", "High_Contrast"] {
        let c = parse(&format!("theme = \"{ok}\"\n")).expect("a built-in theme");
        assert_eq!(c.theme.as_deref(), Some(ok));
    }
}

#[test]
fn theme_files_are_read_when_the_config_is_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("ocean.toml");
    std::fs::write(&good, "[styles]\nheader = { bg = \"blue\" }\n").expect("write");
    let bad = dir.path().join("broken.toml");
    std::fs::write(&bad, "[styles]\nheadr = {}\n").expect("write");
    let missing = dir.path().join("missing.toml");
    let config = |p: &Path| format!("[alerts]\n\n[context.x]\ntheme = {:?}\n", p.display());
    // Relative to the working directory, as the console loads it (tests
    // run in the package root).
    let c = parse("theme = \"assets/themes/light.toml\"\n").expect("a relative path");
    assert_eq!(c.theme.as_deref(), Some("assets/themes/light.toml"));
    let c = parse(&config(&good)).expect("a theme file");
    assert_eq!(c.context["x"].theme.as_deref(), good.to_str());
    let e = parse(&config(&bad)).expect_err("a theme file with an unknown role");
    assert_eq!(e.position, Some((4, 9)));
    assert!(
        e.message.contains("broken.toml") && e.message.contains("styles.headr"),
        "{e}"
    );
    let e = parse(&config(&missing)).expect_err("no such file");
    assert_eq!(e.position, Some((4, 9)));
    assert!(e.message.starts_with("cannot read theme file"), "{e}");
}

#[test]
fn a_key_conflict_points_at_its_line() {
    let e = parse("read_only = false\n[keys.alerts]\nack = \"s\"\n").expect_err("conflict");
    assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");
    assert!(e.message.contains("key s is bound to both"), "{e}");
    let e = parse("[keys.alert]\nack = \"x\"\n").expect_err("unknown view");
    assert_eq!(e.position, Some((2, 7)), "{e}");
    assert!(
        e.to_string()
            .starts_with("test.toml:2:7: unknown view [keys.alert]"),
        "{e}"
    );
}

#[test]
fn themes_are_checked_in_file_order_then_keys() {
    let text = "[context.b]\ntheme = \"nope\"\n[keys.alerts]\nack = \"s\"\n[context.a]\ntheme = \"drak\"\n";
    let config = Config::parse(text, Path::new("o.toml")).expect("the config itself is fine");
    let e = Settings::resolve(&config).expect_err("three errors");
    assert!(matches!(e, SettingsError::Theme { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("o.toml:2:9: unknown theme \"nope\""),
        "{e}"
    );
    let config = Config::parse(
        "theme = \"light\"\n[keys.alerts]\nack = \"s\"\n",
        Path::new("o.toml"),
    )
    .expect("parses");
    let e = Settings::resolve(&config).expect_err("a conflict");
    assert!(matches!(e, SettingsError::Keys { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("o.toml:3:7: key s is bound to both"),
        "{e}"
    );
}

#[test]
fn a_good_config_resolves_to_its_keymap() {
    let (config, settings) = parse_config(
        "theme = \"prod\"\n[keys.global]\nquit = \"Q\"\n",
        Path::new("k.toml"),
    )
    .expect("valid");
    assert_eq!(config.theme.as_deref(), Some("prod"));
    assert_eq!(
        settings.keymap,
        Keymap::with_overrides(&config.keys).expect("valid")
    );
    assert_ne!(settings.keymap, Keymap::default());
    assert_eq!(
        Settings::resolve(&Config::default())
            .expect("the default")
            .keymap,
        Keymap::default()
    );
}
