//! Keys → commands. One table of bindings, per context, is the lookup and
//! the source of the `?` help screen, the footer hints, the header tabs,
//! the overview's titles and the README's key tables, so they never
//! disagree. The defaults are `default.toml` (embedded); the config's
//! `[keys.*]` overrides apply on top ([`Keymap::with_overrides`]). The `:`
//! palette's table ([`palette`]) is generated from it, with the few
//! palette-only commands.

mod command;
mod defaults;
mod key;
mod overrides;
mod palette;

use crossterm::event::KeyEvent;
use strum::IntoEnumIterator;

pub use command::{Command, Context};
pub use key::Key;
pub use overrides::{DISABLED, KeymapError};
pub use palette::{PaletteCommand, PaletteEntry, palette};

/// One binding: keys, what they do, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys (all equivalent).
    pub keys: Vec<Key>,
    /// What they do.
    pub command: Command,
    /// One line for the help screen.
    pub help: &'static str,
    /// Changed by `[keys.*]` in the config.
    pub remapped: bool,
}

/// The keymap: bindings looked up context first, then global.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    /// Every binding, in help order.
    pub bindings: Vec<Binding>,
    /// Bindings the config disabled (`"<disabled>"`), for the help screen.
    pub disabled: Vec<Binding>,
}

impl Default for Keymap {
    /// The built-in bindings (`default.toml`).
    fn default() -> Self {
        Keymap {
            bindings: defaults::bindings(),
            disabled: Vec::new(),
        }
    }
}

impl Keymap {
    /// The command bound to `key` in `context`, falling back to global keys.
    pub fn lookup(&self, context: Context, key: KeyEvent) -> Option<Command> {
        let key = Key::from_event(key);
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
                .map(|b| b.command)
        };
        find(context).or_else(|| find(Context::Global))
    }

    /// Where `key` does something other than in `context` (and not
    /// globally): the first such binding, for "works in the … view".
    pub fn elsewhere(&self, context: Context, key: KeyEvent) -> Option<&Binding> {
        let key = Key::from_event(key);
        self.bindings
            .iter()
            .find(|b| b.context != context && b.context != Context::Global && b.keys.contains(&key))
    }

    /// The bindings as a Markdown table per view (the README's key
    /// reference is this, checked by a test).
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for context in Context::iter() {
            out.push_str(&format!(
                "\n**{}**\n\n| keys | action | config name |\n| --- | --- | --- |\n",
                context.title()
            ));
            for b in self.bindings.iter().filter(|b| b.context == context) {
                let keys: Vec<String> = b
                    .keys
                    .iter()
                    .map(|k| format!("`{}`", k.label().replace('|', "\\|")))
                    .collect();
                out.push_str(&format!(
                    "| {} | {} | `{}` |\n",
                    keys.join(" "),
                    b.help,
                    b.command.name()
                ));
            }
        }
        out
    }

    /// The first key bound to a command, for hints (`"a"`).
    pub fn key_for(&self, context: Context, command: Command) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| {
                (b.context == context || b.context == Context::Global) && b.command == command
            })
            .and_then(|b| b.keys.first())
            .map(|k| k.label())
    }
}

#[cfg(test)]
mod tests;
