use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

fn ev(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn context_first_then_global() {
    let k = Keymap::default();
    assert_eq!(k.lookup(Context::Alerts, ev('j')), Some(Command::Down));
    assert_eq!(k.lookup(Context::Alerts, ev('q')), Some(Command::Quit));
    assert_eq!(k.lookup(Context::Silences, ev('u')), Some(Command::Unack));
    assert_eq!(k.lookup(Context::Silences, ev('a')), None);
    assert_eq!(
        k.lookup(
            Context::Alerts,
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        ),
        Some(Command::Quit)
    );
    // Shift arrives folded into the character.
    assert_eq!(
        k.lookup(
            Context::Alerts,
            KeyEvent::new(KeyCode::Char('A'), KeyModifiers::SHIFT)
        ),
        Some(Command::AckTeam)
    );
}

#[test]
fn no_key_is_bound_twice_in_one_context() {
    let k = Keymap::default();
    let mut seen = std::collections::HashSet::new();
    for b in &k.bindings {
        for key in &b.keys {
            assert!(
                seen.insert((b.context, *key)),
                "{key:?} bound twice in {:?}",
                b.context
            );
        }
    }
}

#[test]
fn labels() {
    assert_eq!(Key::ctrl('c').label(), "ctrl-c");
    assert_eq!(Key::ch(' ').label(), "space");
    assert_eq!(Key::code(KeyCode::Enter).label(), "Enter");
}

fn overrides(toml_text: &str) -> Result<Keymap, KeymapError> {
    let c = crate::config::Config::parse(toml_text, std::path::Path::new("k.toml"));
    match c {
        Ok(c) => Keymap::with_overrides(&c.keys),
        Err(e) => Err(KeymapError {
            span: 0..0,
            message: e.message,
        }),
    }
}

#[test]
fn keys_parse() {
    assert_eq!(Key::parse("a"), Ok(Key::ch('a')));
    assert_eq!(Key::parse("Q"), Ok(Key::ch('Q')));
    assert_eq!(Key::parse("ctrl-d"), Ok(Key::ctrl('d')));
    assert_eq!(Key::parse("C-d"), Ok(Key::ctrl('d')));
    assert_eq!(Key::parse("<enter>"), Ok(Key::code(KeyCode::Enter)));
    assert_eq!(Key::parse("<space>"), Ok(Key::ch(' ')));
    assert_eq!(Key::parse("<pgdown>"), Ok(Key::code(KeyCode::PageDown)));
    assert_eq!(Key::parse("<f5>"), Ok(Key::code(KeyCode::F(5))));
    assert!(Key::parse("<nope>").is_err_and(|e| e.contains("unknown key")));
}

#[test]
fn remap_and_disable() {
    let k = overrides("[keys.global]\nquit = \"Q\"\n[keys.alerts]\nunack = \"<disabled>\"\nack = [\"a\", \"<f2>\"]\n")
        .expect("valid");
    assert_eq!(k.lookup(Context::Alerts, ev('Q')), Some(Command::Quit));
    assert_eq!(
        k.lookup(Context::Alerts, ev('q')),
        None,
        "q no longer quits"
    );
    assert_eq!(
        k.lookup(Context::Alerts, ev('u')),
        None,
        "unack is disabled"
    );
    assert_eq!(
        k.lookup(
            Context::Alerts,
            KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)
        ),
        Some(Command::Ack)
    );
    assert!(k.disabled.iter().any(|b| b.command == Command::Unack));
    assert!(
        k.bindings
            .iter()
            .any(|b| b.command == Command::Quit && b.remapped)
    );
    // ctrl-c still quits: it was part of quit's keys and was replaced too.
    assert_eq!(
        k.lookup(
            Context::Alerts,
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        ),
        None
    );
}

#[test]
fn conflicts_and_unknown_names_are_reported() {
    let e = overrides("[keys.alerts]\nack = \"s\"\n").expect_err("conflict");
    assert!(
        e.message.contains("key s is bound to both"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("ack") && e.message.contains("toggle_silenced"),
        "{}",
        e.message
    );
    let e = overrides("[keys.alerts]\nakc = \"x\"\n").expect_err("unknown");
    assert!(e.message.contains("did you mean `ack`?"), "{}", e.message);
    let e = overrides("[keys.global]\nack = \"x\"\n").expect_err("wrong view");
    assert!(
        e.message.contains("belongs to [keys.alerts]"),
        "{}",
        e.message
    );
    let e = overrides("[keys.alert]\nack = \"x\"\n").expect_err("unknown view");
    assert!(
        e.message.contains("did you mean `alerts`?"),
        "{}",
        e.message
    );
    let e =
        overrides("[keys.global]\nquit = \"j\"\n").expect_err("global remapped onto a view key");
    assert!(
        e.message.contains("key j is bound to both"),
        "{}",
        e.message
    );
    let e = overrides("[keys.alerts]\nack = \"<bogus>\"\n").expect_err("bad key");
    assert!(e.message.contains("unknown key"), "{}", e.message);
}

#[test]
fn config_errors_point_at_the_line() {
    let e = crate::app::settings::parse_config(
        "read_only = false\n[keys.alerts]\nack = \"s\"\n",
        std::path::Path::new("k.toml"),
    )
    .expect_err("conflict");
    assert_eq!(e.position.map(|p| p.0), Some(3), "{e}");
}

#[test]
fn every_command_has_a_distinct_name() {
    let mut names = std::collections::HashSet::new();
    for c in Command::iter() {
        assert!(names.insert(c.name()), "{} twice", c.name());
    }
}

#[test]
fn the_default_table_reads_whole_and_binds_every_command() {
    let defaults = defaults::read();
    assert_eq!(defaults.problems, Vec::<String>::new(), "default.toml");
    for c in Command::iter() {
        let bound = defaults.binds(c);
        let unbound = defaults.unbound.contains(&c);
        assert!(
            bound != unbound,
            "{}: {}",
            c.name(),
            if bound {
                "bound and listed as unbound"
            } else {
                "has no default binding; bind it or list it in `unbound`"
            }
        );
    }
    assert_eq!(Keymap::default().bindings.len(), 73);
}

#[test]
fn a_bad_default_entry_is_left_out_and_named() {
    let d = defaults::Defaults::parse(
        "unbound = [\"nope\"]\n[keys.alerts]\nack = { keys = \"a\", help = \"ack\" }\nakc = { keys = \"b\", help = \"?\" }\nup = { keys = \"<bogus>\", help = \"up\" }\ndown = { keys = [], help = \"down\" }\n[keys.alert]\nack = { keys = \"a\", help = \"ack\" }\n",
    );
    assert!(d.binds(Command::Ack));
    assert!(!d.binds(Command::Up) && !d.binds(Command::Down));
    let problems = d.problems.join("\n");
    for expected in [
        "unbound: unknown command \"nope\"",
        "keys.alerts.akc: unknown command",
        "keys.alerts.up: unknown key",
        "keys.alerts.down: no key",
        "[keys.alert]: unknown context",
    ] {
        assert!(problems.contains(expected), "{expected}:\n{problems}");
    }
    let broken = defaults::Defaults::parse("[keys.alerts]\nack = 1\n");
    assert_eq!(broken.problems.len(), 1, "{:?}", broken.problems);
}

#[test]
fn names_round_trip_through_strum() {
    for c in Command::iter() {
        assert_eq!(c.name().parse::<Command>(), Ok(c));
    }
    for c in Context::iter() {
        assert_eq!(c.name().parse::<Context>(), Ok(c));
    }
    assert_eq!(Command::ToggleSilenced.name(), "toggle_silenced");
    assert_eq!(Command::JumpInhibitor.name(), "jump_inhibitor");
    assert_eq!(Context::Silences.name(), "silences");
}

#[test]
fn the_palette_names_every_command_once() {
    let table = palette();
    let order: Vec<&str> = table.iter().map(|e| e.name.as_str()).collect();
    // The views, the palette-only entries, the rest in keymap order, quit.
    assert_eq!(
        order[..8].join(" "),
        "overview alerts release deploy filter team theme readonly"
    );
    assert_eq!(order.last(), Some(&"quit"));
    for name in [
        "help", "refresh", "ack", "ack-team", "silences", "bump-all", "messages",
    ] {
        assert!(order.contains(&name), ":{name} missing: {order:?}");
    }
    let mut names = std::collections::HashSet::new();
    for e in table {
        assert!(names.insert(e.name.clone()), ":{} twice", e.name);
        assert_eq!(PaletteEntry::find(&e.name), Some(e));
        assert!(!e.help.is_empty(), ":{} has no help", e.name);
    }
    // Every command but the motions is there.
    let runs: Vec<Command> = table
        .iter()
        .filter_map(|e| match e.command {
            PaletteCommand::Run(c) => Some(c),
            _ => None,
        })
        .collect();
    for c in Command::iter() {
        let motion = matches!(
            c,
            Command::Down
                | Command::Up
                | Command::Top
                | Command::Bottom
                | Command::PageDown
                | Command::PageUp
                | Command::FocusNext
                | Command::FocusTeams
                | Command::FocusAlerts
                | Command::Open
                | Command::Back
                | Command::Palette
        );
        // `/`'s command is `:filter`, a palette entry of its own.
        let own = c == Command::Filter;
        assert_eq!(runs.contains(&c), !motion && !own, "{c:?}");
    }
    assert_eq!(
        PaletteEntry::find("alerts").map(|e| e.command),
        Some(PaletteCommand::Run(Command::ViewAlerts))
    );
    assert_eq!(
        PaletteEntry::find("bump-all").map(|e| e.context),
        Some(Context::Deploy)
    );
    let with_arg: Vec<&str> = table
        .iter()
        .filter(|e| e.takes_arg())
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(with_arg, ["team", "theme", "context"]);
    for name in ["filter", "group", "sort"] {
        assert!(
            PaletteEntry::find(name).is_some_and(PaletteEntry::accepts_arg),
            ":{name} takes an argument"
        );
    }
    assert!(PaletteEntry::find("collapse").is_some_and(|e| !e.accepts_arg()));
}
