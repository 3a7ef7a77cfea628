//! The default keymap: `default.toml`, embedded in the binary and read
//! once. A bad entry (a typo in a command or key) is left out and named in
//! [`problems`] rather than losing the rest; a unit test keeps the list
//! empty.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::Deserialize;
use strum::IntoEnumIterator;

use super::{Binding, Command, Context, Key};
use crate::core::KeySpec;

/// The embedded table.
const TEXT: &str = include_str!("default.toml");

/// `default.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// Commands deliberately given no key.
    #[serde(default)]
    unbound: Vec<String>,
    /// `[keys.CONTEXT] command = { keys, help }`.
    keys: BTreeMap<String, BTreeMap<String, toml::Spanned<Entry>>>,
}

/// One `command = { keys = ..., help = "..." }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    keys: KeySpec,
    help: String,
}

/// One default binding, its help owned by the table read once.
#[derive(Debug)]
struct DefaultBinding {
    context: Context,
    command: Command,
    keys: Vec<Key>,
    help: String,
}

/// What `default.toml` holds, read.
#[derive(Debug)]
pub(super) struct Defaults {
    bindings: Vec<DefaultBinding>,
    /// Commands deliberately given no key.
    pub(super) unbound: Vec<Command>,
    /// Entries that could not be read (empty in a good build).
    pub(super) problems: Vec<String>,
}

/// The table, read on first use.
static DEFAULTS: LazyLock<Defaults> = LazyLock::new(|| {
    let defaults = Defaults::parse(TEXT);
    for problem in &defaults.problems {
        tracing::error!("built-in keymap: {problem}");
    }
    defaults
});

/// The default bindings, in help order.
pub(super) fn bindings() -> Vec<Binding> {
    let defaults: &'static Defaults = &DEFAULTS;
    defaults
        .bindings
        .iter()
        .map(|d| Binding {
            context: d.context,
            keys: d.keys.clone(),
            command: d.command,
            help: d.help.as_str(),
            remapped: false,
        })
        .collect()
}

/// The table as read, for the tests that keep it whole.
#[cfg(test)]
pub(super) fn read() -> &'static Defaults {
    &DEFAULTS
}

impl Defaults {
    /// Reads a default keymap: contexts in [`Context`] order, bindings in
    /// the order written.
    pub(super) fn parse(text: &str) -> Defaults {
        let mut out = Defaults {
            bindings: Vec::new(),
            unbound: Vec::new(),
            problems: Vec::new(),
        };
        let mut file: File = match toml::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                out.problems.push(e.to_string());
                return out;
            }
        };
        for name in &file.unbound {
            match Command::from_str(name) {
                Ok(c) => out.unbound.push(c),
                Err(_) => out
                    .problems
                    .push(format!("unbound: unknown command {name:?}")),
            }
        }
        for context in Context::iter() {
            let Some(entries) = file.keys.remove(context.name()) else {
                continue;
            };
            let mut entries: Vec<_> = entries.into_iter().collect();
            entries.sort_by_key(|(_, e)| e.span().start);
            for (name, entry) in entries {
                let at = format!("keys.{}.{name}", context.name());
                let Ok(command) = Command::from_str(&name) else {
                    out.problems.push(format!("{at}: unknown command"));
                    continue;
                };
                let Entry { keys, help } = entry.into_inner();
                let texts = match keys {
                    KeySpec::One(k) => vec![k],
                    KeySpec::Many(ks) => ks,
                };
                match texts
                    .iter()
                    .map(|t| Key::parse(t))
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(keys) if !keys.is_empty() => out.bindings.push(DefaultBinding {
                        context,
                        command,
                        keys,
                        help,
                    }),
                    Ok(_) => out.problems.push(format!("{at}: no key")),
                    Err(e) => out.problems.push(format!("{at}: {e}")),
                }
            }
        }
        for name in file.keys.keys() {
            out.problems.push(format!("[keys.{name}]: unknown context"));
        }
        out
    }

    /// Whether a command has a default binding somewhere.
    #[cfg(test)]
    pub(super) fn binds(&self, command: Command) -> bool {
        self.bindings.iter().any(|b| b.command == command)
    }
}
