//! The config's `[keys.*]` overrides on top of the default keymap, and the
//! conflicts they can make.

use std::collections::BTreeMap;

use strum::IntoEnumIterator;

use super::{Context, Key, Keymap};
use crate::core::KeySpec;

/// A `[keys.*]` entry that cannot be applied; `span` is the value's place
/// in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    /// Where in the config text.
    pub span: std::ops::Range<usize>,
    /// What is wrong.
    pub message: String,
}

/// The sentinel that unbinds an action.
pub const DISABLED: &str = "<disabled>";

impl Keymap {
    /// The default keymap with `[keys.VIEW] action = "key"` overrides:
    /// a value replaces every default key of that action in that view,
    /// `"<disabled>"` removes it. Unknown views and actions (with the nearest
    /// valid name), unparsable keys, and two actions on one key in one view
    /// are errors.
    pub fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, toml::Spanned<KeySpec>>>,
    ) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (view, actions) in overrides {
            let Ok(context) = view.parse::<Context>() else {
                let names: Vec<&str> = Context::iter().map(Context::name).collect();
                let span = actions.values().next().map_or(0..0, toml::Spanned::span);
                return Err(KeymapError {
                    span,
                    message: format!(
                        "unknown view [keys.{view}]{}; expected one of {}",
                        nearest(view, &names),
                        names.join(", ")
                    ),
                });
            };
            for (action, spec) in actions {
                let err = |message: String| KeymapError {
                    span: spec.span(),
                    message,
                };
                let in_view: Vec<&'static str> = map
                    .bindings
                    .iter()
                    .chain(&map.disabled)
                    .filter(|b| b.context == context)
                    .map(|b| b.command.name())
                    .collect();
                let Some(idx) = map
                    .bindings
                    .iter()
                    .position(|b| b.context == context && b.command.name() == action)
                else {
                    if in_view.contains(&action.as_str()) {
                        return Err(err(format!("keys.{view}.{action} is set twice")));
                    }
                    let elsewhere: Vec<&str> = map
                        .bindings
                        .iter()
                        .filter(|b| b.command.name() == action)
                        .map(|b| b.context.name())
                        .collect();
                    let hint = if elsewhere.is_empty() {
                        nearest(action, &in_view)
                    } else {
                        format!(
                            " ({action} belongs to [keys.{}])",
                            elsewhere.join("], [keys.")
                        )
                    };
                    return Err(err(format!(
                        "unknown action {action:?} in [keys.{view}]{hint}; actions there: {}",
                        in_view.join(", ")
                    )));
                };
                let texts: Vec<&str> = match spec.get_ref() {
                    KeySpec::One(k) => vec![k.as_str()],
                    KeySpec::Many(ks) => ks.iter().map(String::as_str).collect(),
                };
                if texts.iter().any(|t| t.trim() == DISABLED) {
                    let mut b = map.bindings.remove(idx);
                    b.remapped = true;
                    map.disabled.push(b);
                    continue;
                }
                let keys = texts
                    .iter()
                    .map(|t| Key::parse(t))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| err(format!("keys.{view}.{action}: {e}")))?;
                if keys.is_empty() {
                    return Err(err(format!(
                        "keys.{view}.{action} has no key; use \"{DISABLED}\" to unbind it"
                    )));
                }
                map.bindings[idx].keys = keys;
                map.bindings[idx].remapped = true;
            }
        }
        map.check_conflicts().map_err(|message| {
            // Point at the first override involved, when we can.
            let span = overrides
                .values()
                .flat_map(|a| a.values())
                .map(toml::Spanned::span)
                .next()
                .unwrap_or(0..0);
            KeymapError { span, message }
        })?;
        Ok(map)
    }

    /// Two actions on one key in one view (or a view key hiding a global one
    /// the user remapped onto it).
    fn check_conflicts(&self) -> Result<(), String> {
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                let same_scope = a.context == b.context
                    || ((a.remapped || b.remapped)
                        && (a.context == Context::Global || b.context == Context::Global));
                if !same_scope {
                    continue;
                }
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k)) {
                    return Err(format!(
                        "key {} is bound to both {} ([keys.{}]) and {} ([keys.{}]); unbind one with \"{DISABLED}\" or pick another key",
                        k.label(),
                        a.command.name(),
                        a.context.name(),
                        b.command.name(),
                        b.context.name()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// "; did you mean `x`?" for the nearest of `names`, or "".
fn nearest(word: &str, names: &[&str]) -> String {
    crate::core::suggest::nearest(word, names.iter().copied())
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default()
}
