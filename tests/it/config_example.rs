//! `config.toml.example` parses and documents every key the config accepts.

use std::path::Path;

use opsdeck::config::Config;

fn example() -> (String, Config) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml.example");
    let text = std::fs::read_to_string(&path).expect("read example");
    let config = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    (text, config)
}

/// The keys a table accepts, read from the "expected one of" list of the
/// error an unknown key produces — so this test follows the code.
fn accepted_keys(table_toml: &str) -> Vec<String> {
    let err = Config::parse(table_toml, Path::new("probe.toml")).expect_err("unknown key");
    let list = err
        .message
        .split("expected ")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in {err}"));
    let list = list.split(';').next().unwrap_or(list);
    list.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, k)| k.to_string())
        .collect()
}

#[test]
fn example_parses_with_the_documented_values() {
    let (_, c) = example();
    assert_eq!(c.alertmanager[0].name, "prod");
    assert_eq!(c.prometheus[0].name, "prod-prom");
    assert_eq!(c.alerts.team_labels, ["owner", "team"]);
    assert_eq!(c.alerts.severity_labels, ["severity", "level"]);
    assert_eq!(c.alerts.ack_duration, std::time::Duration::from_secs(7200));
    assert_eq!(c.routing().routes.len(), 2);
}

#[test]
fn example_documents_every_key() {
    let (text, _) = example();
    let tables = [
        ("top level", "zzz_probe = 1\n"),
        (
            "[[alertmanager]]",
            "[[alertmanager]]\nname = \"a\"\nurl = \"http://x\"\nzzz_probe = 1\n",
        ),
        (
            "basic_auth",
            "[[alertmanager]]\nname = \"a\"\nurl = \"http://x\"\nbasic_auth = { username = \"u\", password_env = \"P\", zzz_probe = 1 }\n",
        ),
        ("[alerts]", "[alerts]\nzzz_probe = 1\n"),
        (
            "[[alerts.route]]",
            "[[alerts.route]]\nteam = \"t\"\nmatchers = []\nzzz_probe = 1\n",
        ),
        ("[log]", "[log]\nzzz_probe = 1\n"),
        ("[github]", "[github]\nzzz_probe = 1\n"),
        ("[release]", "[release]\nfile = \"x.md\"\nzzz_probe = 1\n"),
        (
            "[[release.step]]",
            "[release]\nfile = \"x.md\"\n[[release.step]]\nmatch = \"x\"\nrun = [\"y\"]\nzzz_probe = 1\n",
        ),
        ("[notify]", "[notify]\nzzz_probe = 1\n"),
        ("[deploy]", "[deploy]\nrepo = \"x\"\nzzz_probe = 1\n"),
        (
            "[[deploy.registry]]",
            "[deploy]\nrepo = \"x\"\n[[deploy.registry]]\nhost = \"h\"\nurl = \"http://x\"\nzzz_probe = 1\n",
        ),
        (
            "[[deploy.policy]]",
            "[deploy]\nrepo = \"x\"\n[[deploy.policy]]\nmatch = \"*\"\nkind = \"semver\"\nzzz_probe = 1\n",
        ),
        (
            "[[deploy.instance]]",
            "[deploy]\nrepo = \"x\"\n[[deploy.instance]]\nname = \"n\"\nversion_url = \"http://x\"\nzzz_probe = 1\n",
        ),
        (
            "[[deploy.values]]",
            "[deploy]\nrepo = \"x\"\n[[deploy.values]]\npaths = [\"v.yaml\"]\nzzz_probe = 1\n",
        ),
        ("[context.NAME]", "[context.x]\nzzz_probe = 1\n"),
        (
            "[release.allow]",
            "[release]\nfile = \"x.md\"\n[release.allow]\nzzz_probe = 1\n",
        ),
    ];
    for (table, probe) in tables {
        let keys = accepted_keys(probe);
        assert!(!keys.is_empty(), "{table}");
        for key in keys {
            let documented = text.lines().any(|l| {
                let l = l.trim_start_matches(['#', ' ']);
                l.starts_with(&format!("{key} ="))
                    || l.starts_with(&format!("[{key}]"))
                    || l.starts_with(&format!("[{key}."))
                    || l.starts_with(&format!("[[{key}]]"))
                    || l.contains(&format!(".{key}]"))
                    || l.contains(&format!("{key} = "))
            });
            assert!(
                documented,
                "{table}: key `{key}` is not documented in config.toml.example"
            );
        }
    }
}
