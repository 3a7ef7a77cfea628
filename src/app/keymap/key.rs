//! A key as the keymap knows it: parsed from config text, matched against
//! key events, and labelled for the help screen, hints and tabs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with modifiers (Shift is folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Control held.
    pub ctrl: bool,
}

impl Key {
    #[cfg(test)]
    pub(super) const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
        }
    }
    #[cfg(test)]
    pub(super) const fn code(code: KeyCode) -> Key {
        Key { code, ctrl: false }
    }
    #[cfg(test)]
    pub(super) const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    /// Parses a key as written in config: `a`, `A`, `?`, `ctrl-d`, `<enter>`,
    /// `<esc>`, `<tab>`, `<backtab>`, `<space>`, `<up>`, `<down>`, `<left>`,
    /// `<right>`, `<home>`, `<end>`, `<pgup>`, `<pgdown>`, `<f1>`…`<f12>`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let t = text.trim();
        let (ctrl, rest) = match t.strip_prefix("ctrl-").or_else(|| t.strip_prefix("C-")) {
            Some(r) => (true, r),
            None => (false, t),
        };
        let named = rest
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .unwrap_or(rest);
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => match named.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "s-tab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdown" | "pagedown" | "pgdn" => KeyCode::PageDown,
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f')
                    && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
                {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => {
                    return Err(format!(
                        "unknown key {text:?}; expected a character (\"a\", \"A\", \"?\"), ctrl-x, or one of <enter> <esc> <tab> <backtab> <space> <up> <down> <left> <right> <home> <end> <pgup> <pgdown> <f1>…<f12>"
                    ));
                }
            },
        };
        Ok(Key { code, ctrl })
    }

    /// The key of a key event.
    pub fn from_event(e: KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// How the help screen writes it.
    pub fn label(self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}
